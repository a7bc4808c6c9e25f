"""Identify the filing: company, code, exchange, type, title, dates, number, currency."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from functools import cache
from typing import Any

from ...core.dates import DATE_PATTERN, date_from_match
from ...core.spans import Found
from ...core.units import currency_pattern, find_unit_headers
from ...load.document import Document
from ...vocab import load_vocab
from ..base import SectionResult

HEAD_CHARS = 3000
TAIL_CHARS = 4000
ANNOUNCEMENT_NO_CHARS = 400  # the 公告编号 sits in the header line, before the body


@cache
def _vocab() -> dict[str, Any]:
    return load_vocab("filing")


def _patterns(key: str) -> list[re.Pattern[str]]:
    return [re.compile(p) for p in _vocab()[key]]


def identify_filing(doc: Document) -> SectionResult:
    """Rules for every ``filing.*`` field."""
    result = SectionResult(applies=True)
    text = doc.text
    title = find_title(doc)
    found: dict[str, Found | None] = {
        "company_name": find_company_name(text),
        "stock_code": find_stock_code(text),
        "title": title,
        "announcement_no": find_announcement_no(text),
        "publication_date": find_publication_date(text),
        "currency": find_currency(text),
    }
    found["exchange"] = find_exchange(text, found["stock_code"])
    found["document_type"] = document_type_of(title)
    found["period_end"] = find_period_end(text, title)
    result.fields = {k: v for k, v in found.items() if v is not None}
    if not result.fields.get("company_name") and not result.fields.get("stock_code"):
        result.warnings.append("no company name or stock code found: is this a filing?")
    return result


# --- company, code, exchange ------------------------------------------------------------

_NAME_RUN = re.compile(r"(?<![\u4e00-\u9fff])[\u4e00-\u9fff]{2,30}?股份有限公司")
# (于中华人民共和国注册成立的股份有限公司): how HKEX notes incorporation, not a name
_INCORPORATION = re.compile(r"^[於于]|註冊成立|注册成立|的股份有限公司$")
_NAME_PREFIXES = re.compile(r"^(?:关于|致|指|本公司|公司|及|和|与|根据|由|为|向|对)+")


def find_company_name(text: str) -> Found | None:
    """After a 中文名称 label; else the 股份有限公司 name the document repeats most.

    A name glued to preceding words (``應細閱佛山市…``) is resolved by counting every
    suffix of each run: the issuer's name is the longest suffix seen most often that
    also stands alone somewhere.
    """
    labelled = re.search(
        rf"(?:{_vocab()['company_name_labels']})[:\s]*([\u4e00-\u9fff()]{{4,40}}?(?:股份)?有限公司)",
        text,
    )
    if labelled:
        return Found(labelled.group(1), labelled.start(1), labelled.end(1))
    suffix_counts: Counter[str] = Counter()
    standalone: dict[str, tuple[int, int]] = {}
    for m in _NAME_RUN.finditer(text):
        run = m.group(0)
        for i in range(len(run) - 7):
            suffix_counts[run[i:]] += 1
        name = _NAME_PREFIXES.sub("", run)
        if len(name) >= 8 and not _INCORPORATION.search(name):
            standalone.setdefault(name, (m.end() - len(name), m.end()))
    if not standalone:
        return _masthead_name(text)
    best = max(standalone, key=lambda n: (suffix_counts[n], len(n)))
    return Found(best, *standalone[best])


# A Hong Kong or offshore issuer's Chinese name on a line of its own at the top, often
# starred (a name "for identification purposes only"): 樣本控股有限公司*
_MASTHEAD_NAME = re.compile(r"^[\u4e00-\u9fff()]{2,30}?有限公司(?=\s*\*?\s*$)", re.MULTILINE)


def _masthead_name(text: str) -> Found | None:
    m = _MASTHEAD_NAME.search(text, 0, HEAD_CHARS)
    return Found(m.group(0), m.start(), m.end()) if m else None


def find_stock_code(text: str) -> Found | None:
    """A 6-digit A/B-share code or a 4–5-digit HKEX code beside its label; the head first."""
    a_labels = "证券代码|股票代码|公司代码|A股代码|股份代码"
    hk_labels = _vocab()["hkex_code_labels"]
    patterns = [
        (re.compile(rf"(?:{a_labels})\s*[:：]?\s*(?:A股)?\s*(\d{{6}})(?!\d|\n\d)"), False),
        (re.compile(rf"(?<![\d,.])(\d{{6}})(?:\s*[、,]\s*\d{{6}})?\n+(?:{a_labels})"), False),
        (re.compile(rf"(?:{hk_labels})\s*[:：]?\s*(\d{{1,5}})(?!\d|\n\d)"), True),
    ]
    for scope in (text[: HEAD_CHARS * 2], text):
        hits = [(m, hk) for p, hk in patterns if (m := p.search(scope))]
        if hits:
            m, is_hk = min(hits, key=lambda h: h[0].start())
            code = m.group(1)
            if is_hk and len(code) == 5 and code.startswith("0"):
                code = code[1:]  # HKEX writes 2522; pages scraped from it print 02522
            return Found(code, m.start(1), m.end(1))
    return None


def find_exchange(text: str, code: Found | None) -> Found | None:
    if code is not None:
        context = text[max(0, code.start - 12) : code.start]
        if re.search(_vocab()["hkex_code_labels"], context) or len(code.value) <= 5:
            return Found("HKEX", code.start, code.end)
        prefixes: dict[str, str] = _vocab()["exchange_by_code_prefix"]
        exchange = prefixes.get(code.value[:2])
        if exchange:
            return Found(exchange, code.start, code.end)
    words: dict[str, str] = _vocab()["exchange_words"]
    counts = {ex: list(re.finditer(p, text)) for ex, p in words.items()}
    best = max(counts, key=lambda ex: len(counts[ex]))
    if not counts[best]:
        return None
    m = counts[best][0]
    return Found(best, m.start(), m.end())


# --- title, type, period ----------------------------------------------------------------


def find_title(doc: Document) -> Found | None:
    """The title as printed on its own line(s) near the top; else a title-shaped phrase."""
    for line_start, line_end in _title_lines(doc.original[: HEAD_CHARS * 3]):
        span = doc.normalised_span(line_start, line_end)
        if span:
            title = re.sub(r"\s+", "", doc.text[span[0] : span[1]])
            return Found(title, *span)
    head = doc.text[:HEAD_CHARS]
    for pattern in _patterns("title_patterns"):
        m = pattern.search(head)
        if m and m.group(0).strip():
            return Found(re.sub(r"\s+", "", m.group(0)), m.start(), m.end())
    return None


def _title_lines(head: str) -> list[tuple[int, int]]:
    """Original spans of title candidates, best first, from the line structure of the head."""
    lines = [
        (m.start(), m.end(), re.sub(r"\s+", "", m.group(0))) for m in re.finditer(r"[^\n]+", head)
    ]
    candidates: list[tuple[int, int, int]] = []  # (rank, start, end)
    for i, (start, end, line) in enumerate(lines):
        if not line or line.startswith(("本公告", "本公司", "公告")):
            continue
        report = re.search(
            r"(?:19|20)\d{2}年(?:年度|半年度|第[一二三四]季度|度)报告(?:摘要)?$", line
        )
        if report and len(line) <= 40:
            candidates.append((0, start + _nth_char(head[start:end], report.start()), end))
        elif line.startswith("关于"):
            stop = next(
                (
                    j
                    for j in range(i, min(i + 4, len(lines)))
                    if re.search(r"(公告|报告)$", lines[j][2])
                ),
                None,
            )
            if stop is not None:
                candidates.append((1, start, lines[stop][1]))
        elif re.search(_vocab()["hkex_code_labels"] + r"\s*[:：]", line) and i + 1 < len(lines):
            nxt = next((ln for ln in lines[i + 1 : i + 3] if ln[2]), None)
            if nxt and re.search(r"[\u4e00-\u9fff]", nxt[2]) and len(nxt[2]) <= 60:
                candidates.append((3, nxt[0], nxt[1]))
        elif re.fullmatch(r"[^。,:;]{2,40}(?:公告|通告|预告|快报|預告|快報|预警|預警)", line):
            named = re.match(r"[\u4e00-\u9fff]{2,30}?(?:股份)?有限公司", line)
            skip = named.end() if named and named.end() < len(line) - 3 else 0
            candidates.append((2, start + _nth_char(head[start:end], skip), end))
        elif re.fullmatch(r"[A-Z][A-Z0-9 ,.&'()-]{6,120}", line.strip()) and "ANNOUNCEMENT" in line:
            candidates.append((3, start, end))
        elif re.match(r"Announcement\s*[-–:]\s*\S", head[start:end]):  # HKEX's forms
            candidates.append((4, start, end))
    candidates.sort()
    return [(s, e) for _, s, e in candidates]


def _nth_char(line: str, index_without_spaces: int) -> int:
    """Position in ``line`` of the character that is ``index`` once whitespace is removed."""
    seen = 0
    for pos, char in enumerate(line):
        if char.isspace():
            continue
        if seen == index_without_spaces:
            return pos
        seen += 1
    return len(line)


def document_type_of(title: Found | None) -> Found | None:
    if title is None:
        return None
    for entry in _vocab()["document_types"]:
        if re.search(entry["pattern"], title.value, re.I):
            return Found(entry["type"], title.start, title.end)
    return Found("other", title.start, title.end)


def find_period_end(text: str, title: Found | None) -> Found | None:
    """From the title: 截至…止 (HKEX), or a year plus the kind of report; else the line
    under the title (HKEX English: ANNUAL RESULTS ANNOUNCEMENT / FOR THE YEAR ENDED …)."""
    if title is None:
        return None
    if day := _period_ended(title.value):
        return Found(day, title.start, title.end)
    under = re.match(r"\s*([^\n]{0,80})", text[title.end : title.end + 120])
    if under and (day := _period_ended(under.group(1))):
        start = title.end + under.start(1)
        return Found(day, start, start + len(under.group(1)))
    year = re.search(r"((?:19|20)\d{2})年", title.value)
    if not year:
        return None
    for entry in _vocab()["period_by_title"]:
        if re.search(entry["pattern"], title.value):
            month, day_ = map(int, entry["month_day"].split("-"))
            return Found(date(int(year.group(1)), month, day_), title.start, title.end)
    return None


def _period_ended(words: str) -> date | None:
    until = re.search(r"截至" + DATE_PATTERN + "止", words) or re.search(
        r"(?i)ENDED\s*" + DATE_PATTERN, words
    )
    return date_from_match(until) if until else None


# --- dates, numbers, currency -----------------------------------------------------------


def find_publication_date(text: str) -> Found | None:
    """The closing signature's date; else 批准报送日期; else the board's approval date."""
    dated = [
        re.compile(f"(?:{p})\\s*(?P<date>{DATE_PATTERN})") for p in _vocab()["signature_patterns"]
    ]
    explicit = dated[0].search(text)
    if explicit:
        return _date_found(explicit)
    tail_start = max(0, len(text) - TAIL_CHARS)
    for pattern in dated[1:]:
        hits = list(pattern.finditer(text, tail_start))
        if hits:
            return _date_found(hits[-1])
    approval = [
        re.compile(f"(?:{p})\\s*(?P<date>{DATE_PATTERN})") for p in _vocab()["approval_patterns"]
    ]
    for pattern in approval:
        m = pattern.search(text)
        if m:
            return _date_found(m)
    # some reports print the board's dated signature only up front (重要提示)
    for pattern in dated[2:]:
        m = pattern.search(text)
        if m:
            return _date_found(m)
    return None


def _date_found(m: re.Match[str]) -> Found | None:
    inner = re.match(DATE_PATTERN, m.group("date"))
    day = date_from_match(inner) if inner else None
    return Found(day, m.start("date"), m.end("date")) if day else None


def find_announcement_no(text: str) -> Found | None:
    for pattern in _patterns("announcement_no_patterns"):
        m = pattern.search(text[:ANNOUNCEMENT_NO_CHARS])
        if m:
            value = m.group("no").replace("—", "-")
            return Found(value, m.start("no"), m.end("no"))
    return None


_CURRENCY_MENTIONS = {code: currency_pattern(code) for code in ("HKD", "CNY")}


def find_currency(text: str) -> Found | None:
    """The unit headers' currency; else the currency the text mentions most; 元 alone is CNY."""
    headers = Counter(h.currency for h in find_unit_headers(text) if h.currency)
    if headers:
        code = headers.most_common(1)[0][0]
        where = next(h for h in find_unit_headers(text) if h.currency == code)
        return Found(code, where.start, where.end)
    mentions = {c: list(re.finditer(p, text)) for c, p in _CURRENCY_MENTIONS.items()}
    best = max(mentions, key=lambda c: len(mentions[c]))
    if mentions[best]:
        m = mentions[best][0]
        return Found(best, m.start(), m.end())
    yuan = re.search(r"\d\s*(?:万|亿)?元", text)
    return Found("CNY", yuan.start(), yuan.end()) if yuan else None

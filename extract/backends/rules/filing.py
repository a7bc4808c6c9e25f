"""Identify the filing: company, code, exchange, type, title, dates, number, currency."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from functools import cache
from typing import Any

from ...core.dates import DATE_PATTERN, DATE_RE, date_from_match
from ...core.numbers import parse_chinese_int
from ...core.schema import DocumentType
from ...core.spans import Found
from ...core.units import currency_pattern, find_unit_headers
from ...load.document import Document
from ...vocab import load_vocab, spaced
from ..base import SectionResult
from .doctype import document_type
from .title import read_title

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
    reading = read_title(doc)
    title = reading.title
    found: dict[str, Found | None] = {
        "company_name": find_company_name(text, reading.company),
        "stock_code": find_stock_code(text),
        "title": title,
        "announcement_no": find_announcement_no(text),
        "publication_date": find_publication_date(text),
        "currency": find_currency(text),
    }
    found["exchange"] = find_exchange(text, found["stock_code"])
    found["document_type"] = document_type_found(
        title, found["company_name"] or found["stock_code"]
    )
    kind = found["document_type"].value if found["document_type"] else None
    found["period_end"] = find_period_end(text, title, kind)
    result.fields = {k: v for k, v in found.items() if v is not None}
    if not result.fields.get("company_name") and not result.fields.get("stock_code"):
        result.warnings.append("no company name or stock code found: is this a filing?")
    return result


def document_kind(doc: Document) -> Found | None:
    """The type the document's title says, None without a title: how the rules of one
    section tell a notice of theirs from a report that mentions their subject."""
    title = read_title(doc).title
    return Found(document_type(title.value), title.start, title.end) if title else None


def document_type_found(title: Found | None, issuer: Found | None) -> Found | None:
    """The type the title says; ``other`` for a filing whose title is not found (the
    evidence is then where the filing names its issuer); None for a text that is no filing."""
    if title is not None:
        return Found(document_type(title.value), title.start, title.end)
    if issuer is not None:
        return Found(DocumentType.other, issuer.start, issuer.end)
    return None


# --- company, code, exchange ------------------------------------------------------------

_NAME_RUN = re.compile(r"(?<![\u4e00-\u9fff])[\u4e00-\u9fff]{2,30}?股份有限公司")
# (于中华人民共和国注册成立的股份有限公司): how HKEX notes incorporation, not a name
_INCORPORATION = re.compile(r"^[於于]|註冊成立|注册成立|的股份有限公司$")
_NAME_PREFIXES = re.compile(r"^(?:关于|致|指|本公司|公司|及|和|与|根据|由|为|向|对)+")


def find_company_name(text: str, beside_title: Found | None = None) -> Found | None:
    """After a 中文名称 label; else the name printed with the title; else the one above the
    board's closing signature; else the 股份有限公司 name the document repeats most among
    those its first pages print (further in, names are shareholders', banks' and others').

    A name glued to preceding words (``應細閱佛山市…``) is resolved by counting every
    suffix of each run: the issuer's name is the longest suffix seen most often that
    also stands alone somewhere.
    """
    labelled = re.search(
        rf"(?:{_vocab()['company_name_labels']})[:\s]*([\u4e00-\u9fff()]{{4,40}}?(?:{_vocab()['company_name_ends']}))",
        text,
    )
    if labelled:
        return Found(labelled.group(1), labelled.start(1), labelled.end(1))
    if beside_title is not None:
        return beside_title
    signed = _signing_company(text)
    if signed is not None:
        return signed
    suffix_counts: Counter[str] = Counter()
    standalone: dict[str, tuple[int, int]] = {}
    for m in _NAME_RUN.finditer(text):
        run = m.group(0)
        for i in range(len(run) - 7):
            suffix_counts[run[i:]] += 1
        name = _NAME_PREFIXES.sub("", run)
        if len(name) >= 8 and not _INCORPORATION.search(name) and m.start() < HEAD_CHARS * 2:
            standalone.setdefault(name, (m.end() - len(name), m.end()))
    if not standalone:
        return _masthead_name(text)
    best = max(standalone, key=lambda n: (suffix_counts[n], len(n)))
    return Found(best, *standalone[best])


def _signing_company(text: str) -> Found | None:
    """The company whose board signs the filing at its end (XX股份有限公司董事会 + date)."""
    name = rf"[\u4e00-\u9fff()]{{4,40}}?(?:{_vocab()['company_name_ends']})"
    pattern = re.compile(rf"(?m)^({name})(?:董事会|董事會)\s*(?={DATE_PATTERN})")
    hits = list(pattern.finditer(text, max(0, len(text) - TAIL_CHARS)))
    return Found(hits[-1].group(1), hits[-1].start(1), hits[-1].end(1)) if hits else None


# A Hong Kong or offshore issuer's Chinese name on a line of its own at the top, often
# starred (a name "for identification purposes only"): 樣本控股有限公司*
_MASTHEAD_NAME = re.compile(r"^[\u4e00-\u9fff()]{2,30}?有限公司(?=\s*\*?\s*$)", re.MULTILINE)


def _masthead_name(text: str) -> Found | None:
    m = _MASTHEAD_NAME.search(text, 0, HEAD_CHARS)
    return Found(m.group(0), m.start(), m.end()) if m else None


def find_stock_code(text: str) -> Found | None:
    """A 6-digit A/B-share code or a 4–5-digit HKEX code beside its label, as printed; the
    head first. Further in, an HKEX code counts only under a label opening its line (the
    company's information), not in a sentence naming another company's code."""
    a_labels = _vocab()["a_share_code_labels"]
    hk_label = _hk_code_label()
    patterns = [
        (re.compile(rf"(?:{a_labels})\s*[:：]?\s*(?:A股)?\s*(\d{{6}})(?!\d|\n\d)"), False),
        (re.compile(rf"(?<![\d,.])(\d{{6}})(?:\s*[、,]\s*\d{{6}})?\n+(?:{a_labels})"), False),
        (re.compile(rf"{hk_label}(\d{{1,5}})(?!\d|\n\d)", re.IGNORECASE), True),
    ]
    head = text[: HEAD_CHARS * 2]
    hits = [m for p, _ in patterns if (m := p.search(head))]
    if not hits:
        hits = [m for p, hk in patterns if (m := p.search(text)) and not hk]
        hits += list(re.finditer(rf"(?m)^{hk_label}(\d{{1,5}})(?!\d|\n\d)", text, re.I))[:1]
    if not hits:
        return None
    m = min(hits, key=lambda h: h.start())
    return Found(m.group(1), m.start(1), m.end(1))


@cache
def _hk_code_label() -> str:
    """An HKEX code's label, repeated in two languages, and the exchange's name after it
    (``Stock Code 股份代號 : 02324``, ``Stock Code\nHong Kong Stock Exchange: 717``)."""
    labels = spaced(_vocab()["hkex_code_labels"])
    exchange = spaced(_vocab()["hkex_code_exchange"])
    return rf"(?:(?:{labels})\s*[:：]?\s*)+(?:(?:{exchange})\s*[:：]?\s*)?"


def find_exchange(text: str, code: Found | None) -> Found | None:
    if code is not None:
        context = text[max(0, code.start - 12) : code.start]
        if re.search(spaced(_vocab()["hkex_code_labels"]), context, re.I) or len(code.value) <= 5:
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


# --- period ---------------------------------------------------------------------------


def find_period_end(text: str, title: Found | None, kind: str | None = None) -> Found | None:
    """From the title: 截至…止 (HKEX); for an annual or interim report, the period its
    statements say they cover in the title's year (HKEX fiscal years end in any month);
    else the line under the title (HKEX English: … / FOR THE YEAR ENDED …); else a
    CSRC report's year plus its kind (CSRC periods end with the calendar quarters)."""
    if title is None:
        return None
    if day := _period_ended(title.value):
        return Found(day, title.start, title.end)
    years = _title_years(title.value)
    if kind is not None and (stated := _stated_report_period(text, kind, years)):
        return stated
    under = re.match(r"\s*([^\n]{0,80})", text[title.end : title.end + 120])
    if under and (day := _period_ended(under.group(1))):
        start = title.end + under.start(1)
        return Found(day, start, start + len(under.group(1)))
    if not years:
        return None
    for entry in _vocab()["period_by_title"]:
        if re.search(entry["pattern"], title.value):
            month, day_ = map(int, entry["month_day"].split("-"))
            return Found(date(years[-1], month, day_), title.start, title.end)
    return None


def _title_years(title: str) -> list[int]:
    """The years a title names, in order: 2023年, 二零二三年, 2020/21 (→ 2020, 2021)."""
    years: list[int] = []
    for m in re.finditer(
        r"((?:19|20)\d{2})(?:/((?:19|20)?\d{2}))?(?!\d)|([〇○零一二三四五六七八九]{4})年", title
    ):
        if m.group(3):
            year = parse_chinese_int(m.group(3).replace("○", "〇"))
            years += [year] if year else []
            continue
        years.append(int(m.group(1)))
        if m.group(2):
            years.append(int(m.group(1)[: 4 - len(m.group(2))] + m.group(2)))
    return years


def _stated_report_period(text: str, kind: str, years: list[int]) -> Found | None:
    """The end date a report's statements name most often (for the year ended …, 截至…止
    六個月), in the last year its title names."""
    phrases = _vocab()["report_period_phrases"].get(kind, [])
    counts: Counter[date] = Counter()
    first: dict[date, tuple[int, int]] = {}
    for phrase in phrases:
        pattern = spaced(phrase).replace("{date}", f"(?P<date>{DATE_PATTERN})")
        for m in re.finditer(pattern, text):
            inner = DATE_RE.match(m.group("date"))
            day = date_from_match(inner) if inner else None
            if day is None or (years and day.year != years[-1]):
                continue
            counts[day] += 1
            first.setdefault(day, m.span("date"))
    if not counts:
        return None
    day = counts.most_common(1)[0][0]
    return Found(day, *first[day])


def _period_ended(words: str) -> date | None:
    until = re.search(r"截至" + DATE_PATTERN + "止", words) or re.search(
        r"(?i)ENDED\s*" + DATE_PATTERN, words
    )
    return date_from_match(until) if until else None


# --- dates, numbers, currency -----------------------------------------------------------


def find_publication_date(text: str) -> Found | None:
    """批准报送日期; else the closing signature's date; else an HKEX report's board
    signature (On behalf of the Board … date) wherever it is; else the board's approval
    date; else a dated board signature anywhere (some reports print it up front)."""
    dated = [
        re.compile(f"(?:{spaced(p)})\\s*(?P<date>{DATE_PATTERN})")
        for p in _vocab()["signature_patterns"]
    ]
    explicit = dated[0].search(text)
    if explicit:
        return _date_found(explicit)
    tail_start = max(0, len(text) - TAIL_CHARS)
    for pattern in dated[1:]:
        hits = list(pattern.finditer(text, tail_start))
        if hits:
            return _date_found(hits[-1])
    signed = dated[1].search(text)
    if signed:
        return _date_found(signed)
    for pattern in _vocab()["approval_patterns"]:
        m = re.search(pattern.replace("{date}", f"(?P<date>{DATE_PATTERN})"), text)
        if m:
            return _date_found(m)
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

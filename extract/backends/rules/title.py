"""A filing's own title and the issuer's name printed with it (vocab/titles.yaml).

The title block at the top of the first page (header fields, names, then the title) gives
it; for a report that prints its name at the top of every page (running_header.py), the
cover wins only when it names that report with its period (a CSRC cover: the header may
add 全文), else the header titles it (an HKEX report whose cover is an image, or prints
its year apart). A filing flattened onto one line is titled by its first title phrase.

Lines are read from the original text, whitespace removed and full-width forms made
half-width, each character remembering its original offset; the title found is mapped
to the normalised text like any other value.
"""

from __future__ import annotations

import itertools
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from ...core.spans import Found
from ...load.document import Document
from ...vocab import load_vocab
from .doctype import has_period, names_its_subject, report_title_pattern, report_type
from .head_lines import Line, Where, chinese_name, read_lines
from .running_header import Header, running_header

PHRASE_CHARS = 3000  # how far into the normalised text a title phrase is looked for


@cache
def _vocab() -> dict[str, Any]:
    return load_vocab("titles")


@cache
def _re(key: str) -> re.Pattern[str]:
    return re.compile(_vocab()[key])


# --- what a line of the title block is ---------------------------------------------------

_SKIPPED = ("header", "page", "incorporation", "name", "english_name")


def line_kind(text: str) -> str:
    """``form`` (an HKEX e-form's title: the title), ``body`` (the block ends), a part of
    the block that is never the title (header fields, page number, incorporation note, a
    name alone), ``running`` text or an ``english`` heading (skipped), or ``candidate``:
    a line a title may be made of."""
    for kind, key in (
        ("form", "form_title"),
        ("body", "body_starts"),
        ("header", "header_fields"),
        ("page", "page_number"),
        ("incorporation", "incorporation"),
        ("name", "org_name"),
        ("english_name", "english_name"),
        ("running", "running_text"),
    ):
        if _re(key).search(text):
            return kind
    if not re.search(r"[\u4e00-\u9fff]", text) and re.search(r"[a-z]", text):
        return "english"  # mixed-case English: a heading or a letterhead, not a headline
    return "candidate"


# --- the title block -----------------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    """The title block's title (lines joined, the leading name cut) and the issuer's name."""

    title: Where | None = None  # the joined line, start and end in it
    company: Where | None = None


def title_block(lines: list[Line], furniture: frozenset[int] = frozenset()) -> Block:
    """The first title in reading order on the first page, and the name printed with it.

    An HKEX e-form's title line wins; then a run of lines ending in a title word; failing
    that, an HKEX headline (the line under the stock code, or in capitals) is the title
    whatever its last word. Lines in ``furniture`` (a running header's) are skipped like
    page numbers.
    """
    head = lines[: int(_vocab()["head_lines"])]
    kinds = ["page" if i in furniture else line_kind(line.text) for i, line in enumerate(head)]
    form = next((line for line, kind in zip(head, kinds, strict=True) if kind == "form"), None)
    if form is not None:
        return Block((form, 0, len(form.text)))
    for headline in (False, True):
        for index, under_code in _title_starts(head, kinds):
            run = _run(head, kinds, index)
            found = _title_in_run(run, headline and (under_code or _in_capitals(run[0].text)))
            if found is not None:
                return Block(found, _company_near(head, kinds, index, found))
    return Block()


def _title_starts(head: list[Line], kinds: list[str]) -> Iterator[tuple[int, bool]]:
    """Where a title may begin (the first candidate line, one right under the header
    fields or a name, or one opening like a title), and whether it is right under the
    header fields (an HKEX stock code: a headline)."""
    previous = ""
    under_code = False
    seen_candidate = False
    for index, (line, kind) in enumerate(zip(head, kinds, strict=True)):
        if kind == "body":
            return
        if kind != "candidate":
            previous = kind
            under_code = bool(_re("hkex_code_line").search(line.text))
            continue
        if not seen_candidate or previous in _SKIPPED or _starts_a_title(line.text):
            yield index, under_code
        seen_candidate, previous, under_code = True, kind, False


def _starts_a_title(text: str) -> bool:
    return bool(
        _re("about").search(text)
        or report_title_pattern().match(text)
        or re.match(r"(?:19|20)\d{2}|[〇○零一二三四五六七八九]{4}年", text)
        or _org_prefix(text)
    )


def _run(head: list[Line], kinds: list[str], start: int) -> list[Line]:
    run: list[Line] = []
    for line, kind in zip(head[start:], kinds[start:], strict=True):
        if kind != "candidate" or len(run) == int(_vocab()["max_title_lines"]):
            break
        run.append(line)
    return run


def _title_in_run(run: list[Line], headline: bool) -> Where | None:
    """The lines that make the title: from the first one opening with 关于 (a letterhead
    may precede it) to the last that ends with a title's word (a title may break after
    计划 or 方案 and go on); for a ``headline`` (under an HKEX stock code, or in
    capitals), its first line even without a title word."""
    first = next((i for i, line in enumerate(run) if _re("about").search(line.text)), 0)
    joined = _join(run[first:])
    cut = end = 0
    for line in run[first:]:
        cut += len(line.text)
        text = joined.text[:cut]
        if len(text) > int(_vocab()["max_title_chars"]):
            break
        if _re("title_ends").search(text) or _re("english_title_ends").search(text):
            end = cut  # the last such line: 激励计划 / 首次授予事项的法律意见书 is one title
    if len(run) > first + 1 and _re("category_headline").search(run[first].text):
        # 自願公告 / 股份購回: the category, then the subject on the next line
        both = _join(run[first : first + 2])
        return both, 0, len(both.text)
    if end:
        return joined, _org_prefix(joined.text[:end]), end
    if headline:
        line = run[first]
        return line, _org_prefix(line.text), len(line.text)
    return None


def _in_capitals(text: str) -> bool:
    """An English line in capitals, as HKEX prints a headline."""
    return len(re.findall(r"[A-Z]", text)) >= 6 and not re.search(r"[a-z\u4e00-\u9fff]", text)


def _join(lines: list[Line]) -> Line:
    offsets = tuple(o for line in lines for o in line.offsets)
    return Line("".join(line.text for line in lines), offsets, lines[0].page)


def _org_prefix(text: str) -> int:
    """Length of the name a title line opens with (0: none), when a title follows it."""
    m = _re("org_prefix").match(text)
    return m.end() if m and len(text) - m.end() >= 4 else 0


def _company_near(head: list[Line], kinds: list[str], index: int, title: Where) -> Where | None:
    """The issuer's name: the company a document by others is about (关于<name>…), else
    the name on the title's line or the last name line above it, else just below it."""
    line, start, end = title
    subject = _re("about_subject").match(line.text[start:end])
    if subject and names_its_subject(line.text[start:end]):
        return line, start + subject.start(1), start + subject.end(1)
    if start and chinese_name().search(line.text[:start]):
        return line, 0, start
    above = [i for i in range(index) if kinds[i] == "name" and chinese_name().search(head[i].text)]
    if above:
        name = head[above[-1]]
        return name, 0, len(name.text)
    below = [
        i
        for i in range(index + 1, min(index + 8, len(head)))
        if kinds[i] == "name" and chinese_name().search(head[i].text)
    ]
    return (head[below[0]], 0, len(head[below[0]].text)) if below else None


# --- the whole reading --------------------------------------------------------------------


@dataclass(frozen=True)
class TitleReading:
    """The filing's title and the issuer's name printed with it (spans in normalised text)."""

    title: Found | None
    company: Found | None


_MEMO: dict[tuple[str, int, int], TitleReading] = {}
_MEMO_LOCK = threading.Lock()
_MEMO_SIZE = 32


def read_title(doc: Document) -> TitleReading:
    """The title and the name beside it (remembered per document: every section asks)."""
    key = (doc.sha256, len(doc.original), len(doc.text))
    with _MEMO_LOCK:
        known = _MEMO.get(key)
    if known is not None:
        return known
    reading = _read_title(doc)
    with _MEMO_LOCK:
        if len(_MEMO) >= _MEMO_SIZE:
            _MEMO.pop(next(iter(_MEMO)))
        _MEMO[key] = reading
    return reading


def _read_title(doc: Document) -> TitleReading:
    lines = read_lines(doc.original, int(_vocab()["running_header"]["pages"]))
    header = running_header(lines)
    block = title_block(lines, header.lines if header else frozenset())
    title: Found | None = None
    if block.title is not None and (header is None or _cover_names(block.title, header)):
        title = _found(doc, block.title)
    if title is None and header is not None:
        title = _found(doc, header.where, header.value)
    if title is None:
        title = title_phrase(doc)
    company = None
    for where in (block.company, header.company if header else None, masthead_name(lines)):
        company = company or (_found(doc, where) if where else None)
    return TitleReading(title, company)


def _cover_names(title: Where, header: Header) -> bool:
    """Does the cover's title name the report the running header names, period included?
    (The cover is then the title: a header may add 全文 or abbreviate; a cover whose
    period is a separate line, as HKEX covers print it, leaves the header to title it.)"""
    line, start, end = title
    text = line.text[start:end]
    kind = report_type(text)
    return kind is not None and kind == report_type(header.value) and has_period(text)


def masthead_name(lines: list[Line]) -> Where | None:
    """A Chinese name standing on its line right above an incorporation note, as HKEX
    mastheads print it (the English name, the Chinese name, 於…註冊成立之有限公司)."""
    for above, line in itertools.pairwise(lines):
        if line_kind(line.text) == "incorporation" and line_kind(above.text) == "name":
            name = chinese_name().search(above.text)
            if name:
                return above, name.start(), name.end()
    return None


def _found(doc: Document, where: Where, value: str | None = None) -> Found | None:
    """A span of a line as a value of the normalised text (None if normalising dropped it)."""
    line, start, end = where
    if end <= start:
        return None
    span = doc.normalised_span(*line.span(start, end))
    if span is None:
        return None
    return Found(value if value is not None else line.text[start:end], *span)


def title_phrase(doc: Document) -> Found | None:
    """The earliest title-shaped phrase in the head of the normalised text."""
    head = doc.text[:PHRASE_CHARS]
    hits = [m for p in _vocab()["title_patterns"] if (m := re.search(p, head))]
    if not hits:
        return None
    m = min(hits, key=lambda hit: hit.start())
    return Found(re.sub(r"\s+", "", m.group(0)), m.start(), m.end())

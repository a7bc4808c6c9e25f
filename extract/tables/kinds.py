"""Which table is which: each table's kind (the key table, a statement, the non-recurring
items…) from the heading printed above it or in its first rows (``vocab/financials.yaml``,
``tables``). The rules read metrics from the kinds that carry them; the checks find the
statements' identities in them; the LLM's passages give a section the tables of its kinds
first.
"""

from __future__ import annotations

import re
import threading
from bisect import bisect_left
from collections.abc import Sequence
from functools import cache, lru_cache
from typing import Any

from ..core.table import Table
from ..load.document import Document
from ..load.html import visible_text
from ..load.normalise import normalise_text
from ..vocab import load_vocab, spaced
from .roles import cell_text, header_rows

# How much text before a table its heading may stand in (the unit line, a 适用 mark…).
_HEADING_WINDOW = 400
# How far inside a statement flattened text may be from its heading (its rows of figures).
_TEXT_HEADING_WINDOW = 3000
# A heading repeated over a table's next page: 合并利润表（续）, 綜合損益表(續), (continued).
_CONTINUED = r"(?:[(（](?:續|续|(?i:continued))[)）])"
_ENUMERATED = r"(?:[一二三四五六七八九十]+[、.]|[(（][一二三四五六七八九十\d]+[)）]|\d{1,2}[、.．])"


@cache
def _vocab() -> dict[str, Any]:
    return load_vocab("financials")


def classify_tables(doc: Document) -> list[str | None]:
    """Each table's kind (key_figures, income_statement, …) from the nearest heading above
    it, or in its first rows; a table carrying on the one before keeps that one's kind."""
    key = (doc.sha256, tuple((t.start, t.end, t.n_rows, t.n_cols) for t in doc.tables))
    with _KINDS_LOCK:
        known = _KINDS.get(key)
    if known is None:
        known = _classify(doc)
        with _KINDS_LOCK:  # batches read documents in threads too
            if len(_KINDS) >= _KINDS_KEPT:
                _KINDS.pop(next(iter(_KINDS)))
            _KINDS[key] = known
    return list(known)


# The financials, the checks and the quarters table ask for the same document's kinds: kept
# for the last few documents (keyed by content and table layout, not by object).
_KINDS: dict[tuple[str, tuple[tuple[int, int, int, int], ...]], list[str | None]] = {}
_KINDS_KEPT = 8
_KINDS_LOCK = threading.Lock()


def _classify(doc: Document) -> list[str | None]:
    headings = [(spec["name"], _heading(spec["heading"])) for spec in _vocab()["tables"]]
    headings.append((None, _heading(_vocab()["other_tables"])))
    kinds: list[str | None] = []
    for table in doc.tables:
        window = _heading_window(doc, table)
        best, kind = -1, None
        for name, pattern in headings:
            for m in pattern.finditer(window):
                if m.start() > best:
                    best, kind = m.start(), name
        kinds.append(kind)
    return kinds


@cache
def _heading(pattern: str) -> re.Pattern[str]:
    """A table's heading where headings stand: after an enumerator (五、, (一)), or opening a
    line or following a non-Chinese character, or closing a line the heading was run into
    (…会计机构负责人：张三合并利润表, as FinGLM's text joins lines; 中期簡明綜合損益表(續)); never
    inside a sentence (…主要财务数据如下)."""
    lead = (
        rf"(?:{_ENUMERATED}|(?:^|\n|(?<![\u4e00-\u9fff]))[ \t]*{_ENUMERATED}?)[ \t]*"
        r"(?:公司|本公司|近三年|近五年|本集团|本集團)?(?:(?:19|20)\d{2}年度?)?"
    )
    # letter-spaced English headings lose their word spaces (CONSOLIDATEDSTATEMENTOF…)
    body = "(?:" + spaced(pattern).replace(r"\s+", r"\s*") + ")"
    return re.compile(f"{lead}{body}|{body}(?=[ \t]*{_CONTINUED}?[ \t]*(?:\n|$))")


def lines_before(doc: Document, start: int, width: int) -> str:
    """The original text before ``start`` as a reader sees it (HTML's markup dropped),
    normalised line by line (line breaks kept: a heading is known by where it stands)."""
    return _normalised_lines(doc.original[max(0, start - width) : start])


@lru_cache(maxsize=4096)  # classifying, reading units and headings ask for the same windows
def _normalised_lines(window: str) -> str:
    visible = visible_text(window, clipped=True)
    return "\n".join(normalise_text(line) for line in visible.split("\n"))


def _heading_window(doc: Document, table: Table) -> str:
    """Where a table's heading may stand: the lines above it and, since a table printed
    without rules carries its title in its first rows, its header's labels."""
    first_labels = "\n".join(cell_text(table.rows[r][0].text) for r in header_rows(table)[:8])
    return lines_before(doc, table.start, _HEADING_WINDOW) + "\n" + first_labels


def under_other_heading(doc: Document, table: Table) -> bool:
    """Is the table under a heading of the tables no metric comes from (the parent
    company's statements print the group's labels)?"""
    return headed_by(doc, table, _vocab()["other_tables"])


def text_under_other_heading(text: str, start: int) -> bool:
    """Does the text at ``start`` stand in a table no metric comes from (see
    :func:`texts_under_other_heading`)?"""
    return texts_under_other_heading(text, [start])[0]


def texts_under_other_heading(text: str, starts: Sequence[int]) -> list[bool]:
    """For each of ``starts``: is the nearest table heading in the _TEXT_HEADING_WINDOW
    characters before it one of a table no metric comes from? A text flattened onto one
    line runs a heading into the line before it (…会计机构负责人：李萍母公司利润表2024年
    1—6月…), so headings are looked for anywhere; the text is searched once for all."""
    headings = sorted(
        (m.start(), m.end(), other)
        for pattern, other in _headings_anywhere()
        for m in pattern.finditer(text)
    )
    positions = [at for at, _, _ in headings]
    under = []
    for start in starts:
        nearest = (-1, False)
        i = bisect_left(positions, start) - 1
        while i >= 0 and positions[i] >= start - _TEXT_HEADING_WINDOW:
            at, end, other = headings[i]
            if end <= start:
                nearest = max(nearest, (at, other))
            i -= 1
        under.append(nearest[1])
    return under


@cache
def _headings_anywhere() -> list[tuple[re.Pattern[str], bool]]:
    """Every table heading as a bare pattern, and whether it heads a table of no metric."""
    patterns = [(spec["heading"], False) for spec in _vocab()["tables"]]
    patterns.append((_vocab()["other_tables"], True))
    return [(re.compile(spaced(p).replace(r"\s+", r"\s*")), other) for p, other in patterns]


def headed_by(doc: Document, table: Table, pattern: str) -> bool:
    """The nearest table heading above ``table`` (or in its header) is ``pattern``."""
    window = _heading_window(doc, table)
    own = [m.start() for m in _heading(pattern).finditer(window)]
    if not own:
        return False
    others = [_heading(spec["heading"]) for spec in _vocab()["tables"]]
    return all(m.start() < max(own) for other in others for m in other.finditer(window))

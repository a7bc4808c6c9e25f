"""FinGLM JSON lines: the text format of the largest public corpus of Chinese annual reports.

Each line is one object, ``{"page": 3, "allrow": 17, "type": "text", "inside": "…"}``, in
reading order. ``type`` is ``text`` (a line of prose), ``excel`` (a table row, ``inside``
holding the Python repr of its cells: ``"['营业收入（元）', '318,024,319.30', '']"``),
``页眉`` or ``页脚`` (a running header, a page number). The corpus was made with pdfplumber:
a line's words are run together without spaces, a row's cells are whole (their line breaks
removed), and a stretch of text opens with an empty line.

The file is read by its content, whatever its name: :func:`looks_like_finglm`. It is read
back the way the PDF reader reads a PDF: the document's text is the lines rendered in order
(a row as its cells joined by spaces, as a PDF's text layer prints it; furniture lines kept,
so a running header is still seen), pages joined by :data:`.pages.PAGE_SEPARATOR`; consecutive rows
are a :class:`~extract.core.table.Table` whose cells point into that text, and a table broken
by a page break is joined again (``join_continued``), furniture lines between its parts
ignored. Cells are parsed with ``ast.literal_eval``, never evaluated; a line that cannot be
read is skipped, and the reader says how many were.
"""

from __future__ import annotations

import ast
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from ..core.errors import InputError
from ..core.numbers import CELL_FIGURE, CELL_NOT_STATED
from ..core.table import Cell, Table, join_continued, table_from_cells
from .pages import FURNITURE_CHARS, pages_joined

"""Between pages, as the PDF reader puts it: a form feed on a line of its own."""
CELL_SEPARATOR = " "
"""Between a row's cells in the text, as a PDF's text layer prints a row."""

KEYS = frozenset({"page", "allrow", "type", "inside"})
TEXT, EXCEL, HEADER, FOOTER = "text", "excel", "页眉", "页脚"
FURNITURE = frozenset({HEADER, FOOTER})

_log = logging.getLogger(__name__)
# How many non-empty lines decide that a file is FinGLM: all of them must be.
_PROBE_LINES = 3
# A page number past this is a damaged line, not a page (no filing has 100,000 pages).
_MAX_PAGE = 100_000
# Words that make a row a header, not a row of the table's body (as the PDF reader's).
_HEADER_WORD = re.compile(
    r"项目|項目|本期|上期|本年|上年|期末|期初|报告期|報告期|(?:19|20)\d{2}|Notes?|附注|附註"
)
# Some copies of the corpus were written as Python dicts with pdfplumber's page object in
# place of the number: {'page': <Page:3>, …}
_PAGE_OBJECT = re.compile(r"<Page:(\d+)>")


@dataclass(frozen=True)
class FinglmText:
    """A FinGLM file rendered as text: pages joined by :data:`.pages.PAGE_SEPARATOR`, its tables."""

    text: str
    page_starts: tuple[int, ...]
    tables: tuple[Table, ...] = ()
    skipped: tuple[int, ...] = ()  # 1-based numbers of the lines that could not be read


@dataclass(frozen=True)
class _Line:
    page: int
    kind: str
    inside: str
    cells: tuple[str, ...] | None = None  # an excel row's cells


def looks_like_finglm(text: str) -> bool:
    """The first non-empty lines (up to three) are all FinGLM objects."""
    probed = 0
    for raw in _head_lines(text):
        if _parse(raw) is None:
            return False
        probed += 1
        if probed == _PROBE_LINES:
            break
    return probed > 0


def _head_lines(text: str) -> Iterator[str]:
    """The non-empty lines at the start of ``text``, without splitting all of it."""
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        line = text[start:end].strip()
        if line:
            yield line
        start = end + 1


def read_finglm(text: str, name: str = "input") -> FinglmText:
    """Render FinGLM lines as a document's text and tables; unreadable lines are skipped.

    Raises :class:`InputError` when no line is a FinGLM object.
    """
    lines: list[_Line] = []
    skipped: list[int] = []
    # "\n" only: a value may hold U+2028 or a form feed, which JSON leaves as they are
    for number, raw in enumerate(text.split("\n"), 1):
        if not raw.strip():
            continue
        line = _line(raw)
        if line is None:
            skipped.append(number)
        else:
            lines.append(line)
    if not lines:
        raise InputError(f"{name}: no line reads as a FinGLM object (page, allrow, type, inside)")
    if skipped:
        _log.warning(
            "%s: skipped %d unreadable FinGLM line(s), the first at line %d",
            name,
            len(skipped),
            skipped[0],
        )
    rendered = _render(lines)
    return replace(rendered, skipped=tuple(skipped))


def _parse(raw: str) -> dict[str, Any] | None:
    """A line's object when it is a FinGLM one: JSON, or the Python repr some copies hold."""
    raw = raw.strip()
    if not (raw.startswith("{") and raw.endswith("}")):
        return None  # not an object: a text filing is not parsed whole
    try:
        value = json.loads(raw)
    except ValueError:
        try:
            value = ast.literal_eval(_PAGE_OBJECT.sub(r"\1", raw))
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            return None
    if not isinstance(value, dict) or not value.keys() >= KEYS:
        return None
    page, kind, inside = value["page"], value["type"], value["inside"]
    if isinstance(page, str) and page.isdigit():
        page = int(page)
    if isinstance(page, bool) or not isinstance(page, int) or not 0 < page <= _MAX_PAGE:
        return None
    if not isinstance(kind, str) or not isinstance(inside, str):
        return None
    return {"page": page, "type": kind, "inside": inside}


def _line(raw: str) -> _Line | None:
    """A line read, an excel row's cells parsed; None when it is not a FinGLM object or its
    cells do not parse."""
    value = _parse(raw)
    if value is None:
        return None
    inside = _one_line(value["inside"])
    if value["type"] != EXCEL:
        return _Line(value["page"], value["type"], inside)
    cells = _cells(value["inside"])
    return None if cells is None else _Line(value["page"], EXCEL, inside, cells)


def _one_line(text: str) -> str:
    """Line breaks inside a value become spaces: one object stays one line of text."""
    return text.replace("\r", " ").replace("\n", " ")


def _cells(inside: str) -> tuple[str, ...] | None:
    """An excel row's cells from the repr of a list; None for anything else."""
    try:
        value = ast.literal_eval(inside.strip())
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None
    if not isinstance(value, (list, tuple)) or not value:
        return None
    if not all(cell is None or isinstance(cell, (str, int, float)) for cell in value):
        return None
    return tuple("" if cell is None else _one_line(str(cell)) for cell in value)


# --- rendering -----------------------------------------------------------------------------


@dataclass
class _Page:
    """One page as rendered: its text, and its rows grouped into tables (spans page-local)."""

    number: int
    parts: list[str] = field(default_factory=list)
    size: int = 0
    tables: list[Table] = field(default_factory=list)
    furniture: list[tuple[int, int]] = field(default_factory=list)  # typed 页眉/页脚
    rows: list[list[Cell]] = field(default_factory=list)  # the table being read

    def write(self, text: str) -> int:
        """Append a line; return where it starts."""
        if self.parts:
            self.parts.append("\n")
            self.size += 1
        start = self.size
        self.parts.append(text)
        self.size += len(text)
        return start

    def add(self, line: _Line) -> None:
        if line.cells is None:
            self.close_table()
            if line.inside.strip():  # the empty line opening each stretch of text
                start = self.write(line.inside)
                if line.kind in FURNITURE:
                    self.furniture.append((start, self.size))
            return
        if self.rows and len(self.rows[0]) != len(line.cells):
            self.close_table()  # another table: rows of one table are as wide
        self.rows.append(self._row(line.cells))

    def _row(self, cells: tuple[str, ...]) -> list[Cell]:
        """The row's line of text, and its cells pointing into it."""
        r = len(self.rows)
        printed = [(c, text) for c, text in enumerate(cells) if text.strip()]
        line = CELL_SEPARATOR.join(text for _, text in printed)
        start = self.write(line) if printed else self.size
        out = [Cell("", 0, 0, r, c) for c in range(len(cells))]
        for c, text in printed:
            out[c] = Cell(text, start, start + len(text), r, c)
            start += len(text) + len(CELL_SEPARATOR)
        return out

    def close_table(self) -> None:
        if self.rows and any(cell.end > cell.start for row in self.rows for cell in row):
            cells = [cell for row in self.rows for cell in row]
            self.tables.append(table_from_cells(cells, "finglm", self.number))
        self.rows = []

    @property
    def text(self) -> str:
        return "".join(self.parts)


def _join_split_columns(table: Table) -> Table:
    """The table with each pair of neighbouring columns that no row fills both of made one.

    pdfplumber splits a column where a rule crosses only some rows: a header over two grid
    columns (``上年同期 | ''``), the figures under it in the second (``'' | -37.76%``). A
    column of figures with its header beside it is one column; the label column stays.
    """
    rows = table.rows
    columns = [[row[c] for row in rows] for c in range(table.n_cols)]
    joined = columns[:1]
    for column in columns[1:]:
        last = joined[-1]
        if len(joined) > 1 and not any(
            a.end > a.start and b.end > b.start for a, b in zip(last, column, strict=True)
        ):
            joined[-1] = [b if b.end > b.start else a for a, b in zip(last, column, strict=True)]
        else:
            joined.append(column)
    if len(joined) == len(columns):
        return table
    grid = tuple(
        tuple(replace(column[r], row=r, col=c) for c, column in enumerate(joined))
        for r in range(len(rows))
    )
    return replace(table, rows=grid)


def _render(lines: list[_Line]) -> FinglmText:
    """The lines as text, page after page, and the tables, joined across page breaks."""
    pages = [_Page(1)]
    for line in lines:
        while line.page > pages[-1].number:  # a page with no line is still a page
            pages[-1].close_table()
            pages.append(_Page(pages[-1].number + 1))
        pages[-1].add(line)  # a page number going back stays on the page being read
    pages[-1].close_table()
    text, starts, tables = pages_joined([(page.text, _at_page_edges(page)) for page in pages])
    return FinglmText(text, starts, tuple(_joined(tables)))


def _joined(tables: list[Table]) -> list[Table]:
    """Tables joined across page breaks as pdfplumber drew them, then again once the columns
    it split are one: a part whose grid lost a split column still meets the part before."""
    return join_continued([_join_split_columns(t) for t in join_continued(tables)])


def _at_page_edges(page: _Page) -> list[Table]:
    """The page's tables, the first marked as opening the page (``continued`` when it opens
    with a row of its body, else ``repeats_header``) when nothing but furniture stands above
    it, the last ``ends_page`` when nothing but furniture follows it."""
    tables = list(page.tables)
    if not tables:
        return tables
    text = page.text
    if _visible(text, 0, tables[0].start, page.furniture) <= FURNITURE_CHARS:
        if _opens_with_body(tables[0]):
            tables[0] = replace(tables[0], continued=True)
        else:
            tables[0] = replace(tables[0], repeats_header=True)
    if _visible(text, tables[-1].end, len(text), page.furniture) <= FURNITURE_CHARS:
        tables[-1] = replace(tables[-1], ends_page=True)
    return tables


def _visible(text: str, start: int, end: int, furniture: list[tuple[int, int]]) -> int:
    """Visible characters of ``text[start:end]`` outside the lines typed as furniture."""
    count = sum(not char.isspace() for char in text[start:end])
    for a, b in furniture:
        lo, hi = max(a, start), min(b, end)
        if lo < hi:
            count -= sum(not char.isspace() for char in text[lo:hi])
    return count


def _opens_with_body(table: Table) -> bool:
    """The first row prints figures, or is a label alone (the end of a label the page break
    cut, 非流动资产：): a row of the body, not a header of periods."""
    first = table.rows[0]
    texts = [cell.text.replace(" ", "") for cell in first[1:]]
    if any(CELL_FIGURE.fullmatch(t) or CELL_NOT_STATED.fullmatch(t) for t in texts if t):
        return True
    label = first[0].text.strip()
    return bool(label) and not any(texts) and not _HEADER_WORD.search(label)

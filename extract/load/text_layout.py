"""Tables in plain text laid out in columns by runs of spaces (``pdftotext -layout``).

Such text prints a table as lines whose cells are separated by two or more spaces, the
figures of a column right-aligned on the same character position (a CJK character counts
as one character: pdftotext places text by position, not by display width). Pages are
separated by form feeds. Tables are found by content alone:

- **blocks**: lines where a figure follows a run of two or more spaces, a few lines apart
  at most, with the header lines above them and the lines that carry their last row on;
- **columns**: the figures' right ends, clustered; a column must hold two figures at least
  (a few figures printed astray join the column beside them); a header or a text cell goes
  to the first column whose figures end at or after its printed end (a CJK character is
  wider than pdftotext's grid), text left of every column is the row's label, text right
  of every figure a column of remarks; two tables printed one after the other in a block
  are told apart by their columns;
- **rows**: one per printed line with figures; a label wrapped over several lines (cut at
  the label column's width, its figures on its first, middle or last line; an English label
  going on in lower case or followed by its Chinese translation) is joined into one cell,
  as a ruled PDF table's cell holds it; lines above the first figures are header rows,
  one per line, and header lines inside the table (本报告期末 | 上年度末 | 增减) one row.

Text without such blocks (prose, text extracted without ``-layout``) gives no table. Spans
point into the text as given, so a figure read from a cell quotes the figure printed. A table
broken by a page break is put back together (``core.table.join_continued``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from ..core.table import Cell, Table, join_continued, table_from_cells
from .layout_lines import (
    _BLANK_LINES,
    _CHUNK,
    _COLUMN_SLACK,
    SOURCE,
    _blocks,
    _columns,
    _Line,
    _parse,
    _Piece,
    _placed,
    is_figure,
)
from .pages import FURNITURE_CHARS

_YEAR_IN = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")

# Characters that may end a Chinese label cut at the column's width besides CJK ones.
_WRAPPED_END = "“”‘’"

# A line that starts a label of its own: an enumerator, a sub-item mark, or a heading
# ending in a colon (流动资产：); it never carries the label above it on.
_OWN_LABEL = re.compile(
    r"^(?:[一二三四五六七八九十]+[、.]|[(（][一二三四五六七八九十\d]+[)）]|\d{1,2}[.、．]"
    r"|其中|加[:：]|减[:：]|減[:：])|[:：]$"
)

# Lines between two tables of one page the second of which, headerless, carries the first on.
_JOIN_GAP_LINES = 20

# Words that make a line without figures a header (years, periods, notes), not a row's text.
_HEADER_WORD = re.compile(
    r"项目|項目|本期|上期|本年|上年|期末|期初|报告期|報告期|年初|同期|增减|增減|变动|變動"
    r"|(?:19|20)\d{2}|Notes?|附注|附註"
)

# How much narrower (in half-width characters; an ideograph is two) than the widest label a
# label line may be and still fill the label column: a label cut there goes on below. The
# slack is this many characters or this share of the width, whichever is more.
_FULL_SLACK = 3

_FULL_SHARE = 0.2

# A label line that ends its label: a heading's colon, a closing bracket.
_ENDS_LABEL = re.compile(r"[:：)）\]】]$")

# A figure cut in a narrow cell (2,213,598, over 352.97; 1,144,231,8 over 80.23): digits and
# separators, not a whole figure, ending in a separator or long (notes print 5,6).
_BROKEN_FIGURE = re.compile(r"[-(（]?[\d,.]*\d[,.]|[-(（]?\d[\d,.]{4,}")


def layout_tables(text: str) -> list[Table]:
    """The tables of ``text`` laid out in columns, in document order; none in other text."""
    tables = _joined_on_page(text, [t for block in _blocks(text) for t in _tables(block)])
    return join_continued([_at_page_edges(text, t) for t in tables])


# --- rows -------------------------------------------------------------------------------


@dataclass
class _Row:
    """A table row being built from one or more printed lines."""

    header: bool
    cells: dict[int, list[_Piece]] = field(default_factory=dict)
    figures: bool = False
    open: bool = False  # its label reached the column's width: the next line carries it on

    def add(self, placed: dict[int, _Piece], only_text: bool = False) -> None:
        """Add a line's pieces; ``only_text``: only into cells holding text, not figures."""
        for col, piece in placed.items():
            held = self.cells.get(col, [])
            if only_text and (not held or any(p.figure for p in held)):
                continue
            self.cells.setdefault(col, []).append(piece)

    @property
    def broken(self) -> bool:
        """A figure of the row was cut in its narrow cell: the next line holds its rest."""
        return any(
            _BROKEN_FIGURE.fullmatch(pieces[-1].text) and not pieces[-1].figure
            for col, pieces in self.cells.items()
            if col > 0
        )

    @property
    def indent(self) -> int:
        """Where the label's first line starts in its line (0 without a label)."""
        return self.cells[0][0].lo if self.cells.get(0) else 0

    @property
    def label(self) -> str:
        return "".join(p.text for p in self.cells.get(0, []))


def _label_width(text: str) -> int:
    """A label's printed width, roughly: an ideograph two, any other character one (Chinese
    punctuation is printed as wide or as narrow as the font likes)."""
    return sum(2 if unicodedata.category(c) == "Lo" and _is_cjk(c) else 1 for c in text)


def _is_cjk(char: str) -> bool:
    return unicodedata.east_asian_width(char) in "WF"


class _Rows:
    """Printed lines in, table rows out (see the module docstring)."""

    def __init__(self, wrap: int, n_columns: int) -> None:
        self.wrap = wrap
        self.n_columns = n_columns  # columns of figures; text right of them is a remark
        self.rows: list[_Row] = []
        self.current: _Row | None = None
        self.body = False  # a line of figures has been seen: lines are no longer header

    def feed(self, placed: dict[int, _Piece], following: dict[int, _Piece]) -> None:
        """Take one line's pieces; ``following``: the next line's (a label line just above
        figures without a label is the first line of their label)."""
        if not placed:
            self.current = None  # a blank line ends a row
            return
        label = placed[0].text if 0 in placed else ""
        if self.current is not None and self.current.broken:
            self._mend(self.current, placed)
        elif any(p.figure for col, p in placed.items() if col > 0):
            self._figures(placed, label)
        elif set(placed) == {0}:
            centred = 0 not in following and any(p.figure for p in following.values())
            self._label(placed, label, centred)
        else:
            self._text(placed)

    def _new(self, placed: dict[int, _Piece], header: bool = False) -> _Row:
        row = _Row(header)
        row.add(placed)
        self.rows.append(row)
        self.current = row
        return row

    def _figures(self, placed: dict[int, _Piece], label: str) -> None:
        self.body = True
        row = self.current
        if row is not None and row.open and not row.figures and not row.header:
            row.add(placed)
        else:
            row = self._new(placed)
        row.figures = True
        if label:
            row.open = self._fills(label)

    def _mend(self, row: _Row, placed: dict[int, _Piece]) -> None:
        """The rest of figures cut in their cells (and of their label) joins the row."""
        row.add(placed)
        for col, pieces in row.cells.items():
            if len(pieces) >= 2 and col > 0:
                joined = "".join(p.text for p in pieces)
                last = pieces[-1]
                pieces[-1] = replace(last, figure=is_figure(joined))
        row.figures = True

    def _label(self, placed: dict[int, _Piece], label: str, centred: bool) -> None:
        row = self.current
        waiting = row is not None and row.open and not row.figures and not row.header
        if centred and not waiting and not (row is not None and row.broken):
            self._new(placed).open = True
        elif row is not None and not row.header and self._carries_on(row, label, placed):
            row.add(placed)
            row.open = self._fills(label)
        elif not self.body and not self._fills(label):
            self._new(placed, header=True)
        else:
            self._new(placed).open = self._fills(label)

    def _text(self, placed: dict[int, _Piece]) -> None:
        """Text right of the label without figures: a header line, or a cell's text going on
        (增加4.57个百 | 分点)."""
        words = " ".join(p.text for col, p in placed.items() if 0 < col <= self.n_columns)
        row = self.current
        if not self.body:
            self._new(placed, header=True)
        elif row is not None and row.header:
            row.add(placed)  # a header inside the table, over several lines
        elif 0 in placed and not _HEADER_WORD.search(placed[0].text):
            label = placed[0].text  # a label, and its remark or the rest of a cell's text
            if row is not None and not row.header and self._carries_on(row, label, placed):
                row.add(placed)
                row.open = self._fills(label)
            else:
                self._new(placed).open = self._fills(label)
        elif _HEADER_WORD.search(words):
            self._new(placed, header=True)
        elif row is not None:
            row.add(placed, only_text=True)

    def _carries_on(self, row: _Row, label: str, placed: dict[int, _Piece]) -> bool:
        """A label line carries the row's label on: the row's label was cut at the column's
        width, or this one goes on in lower case, or translates an English label."""
        if _OWN_LABEL.search(label) or (0 in placed and placed[0].lo > row.indent):
            return False  # an item of its own, or one indented under the row (其中 | 利息收入)
        if row.open or label[:1].islower():
            return True
        above = row.label
        english_only = bool(re.search("[A-Za-z]", above)) and not any(map(_is_cjk, above))
        return english_only and _is_cjk(label[0])

    def _fills(self, label: str) -> bool:
        """A Chinese label line as wide as the label column: cut there, it goes on below."""
        return (
            (_is_cjk(label[-1]) or label[-1] in _WRAPPED_END)
            and not _ENDS_LABEL.search(label)
            and _label_width(label) >= self.wrap - max(_FULL_SLACK, self.wrap * _FULL_SHARE)
        )


def _tables(lines: list[_Line]) -> Iterator[Table]:
    """The tables of a block: one per run of lines sharing columns."""
    for segment in _segments(lines):
        table = _table(segment)
        if table is not None:
            yield table


def _segments(lines: list[_Line]) -> list[list[_Line]]:
    """A block cut where its figures stop ending on the columns above them: two tables
    printed one after the other (主要会计数据 | 主要财务指标), the second taking the lines
    since the first's last figures from its heading or header on."""
    segments: list[list[_Line]] = [[]]
    rights: list[int] = []
    pending: list[_Line] = []
    for line in lines:
        ends = [p.hi for p in line.figures]
        matched = sum(any(abs(e - r) <= _COLUMN_SLACK for r in rights) for e in ends)
        if len(ends) >= 2 and rights and matched * 2 < len(ends):
            cut = next((k for k, kept in enumerate(pending) if _opens_table(kept)), len(pending))
            segments[-1].extend(pending[:cut])
            segments.append(pending[cut:])
            pending, rights = [], []
        if ends:
            segments[-1].extend([*pending, line])
            pending = []
            rights.extend(ends)
        else:
            pending.append(line)
    segments[-1].extend(pending)
    return segments


def _opens_table(line: _Line) -> bool:
    """A heading (二、…, (二) …) or a header line (periods, years over columns)."""
    if not line.pieces:
        return False
    text = " ".join(p.text for p in line.pieces)
    enumerated = bool(_OWN_LABEL.match(line.pieces[0].text)) and line.pieces[0].lo == 0
    return enumerated or (len(line.pieces) >= 2 and bool(_HEADER_WORD.search(text)))


def _table(lines: list[_Line]) -> Table | None:
    columns = _columns(lines)
    if not columns:
        return None
    edge = min(col.lo for col in columns)
    figure_lines = [_placed(line, columns, edge) for line in lines if line.figures]
    labels = [p[0] for p in figure_lines if 0 in p]
    # a header's text right of every label stands over a column, though left of its figures
    header_edge = min(edge, max((p.hi for p in labels), default=edge) + 1)
    builder = _Rows(max((_label_width(p.text) for p in labels), default=0), len(columns))
    placed = [_placed(line, columns, edge if line.figures else header_edge) for line in lines]
    for k, on_line in enumerate(placed):
        builder.feed(on_line, placed[k + 1] if k + 1 < len(placed) else {})
    rows = _trimmed(builder.rows)
    if sum(row.figures for row in rows) < 2:
        return None
    _rehome_headers(rows)
    spans = _header_spans(rows)
    cells = []
    for r, row in enumerate(rows):
        for col, pieces in row.cells.items():
            first, colspan = spans.get((r, col), (col, 1))
            cells.append(_cell(pieces, r, first, colspan))
    return table_from_cells(cells, SOURCE, lines[0].page)


def _rehome_headers(rows: list[_Row]) -> None:
    """Move a header's text standing over a column without figures to the nearest column
    the rows under it print figures in (rightwards first: a header starts left of its
    column's right-aligned figures)."""
    for r, row in enumerate(rows):
        if row.figures or not any(col > 0 for col in row.cells):
            continue
        used = _figure_columns(rows[r + 1 :])
        if not used:
            continue
        for col in sorted(c for c in row.cells if 0 < c < max(used) and c not in used):
            target = min(used, key=lambda u: (abs(u - col), u < col))
            pieces = row.cells.pop(col)
            row.cells[target] = sorted(row.cells.get(target, []) + pieces, key=lambda p: p.start)


def _figure_columns(rows: list[_Row]) -> set[int]:
    """Columns holding figures in ``rows``, up to the next header row inside the table."""
    used: set[int] = set()
    for row in rows:
        if not row.figures and used:
            break
        used.update(col for col, pieces in row.cells.items() if col > 0 and pieces[-1].figure)
    return used


def _header_spans(rows: list[_Row]) -> dict[tuple[int, int], tuple[int, int]]:
    """Header cells over two columns: (row, col) → (first col, 2). A year printed over the
    two sub-headers of the last header row (2018 年 over 调整前 | 调整后) heads both, as
    a merged cell of a ruled table does, where nothing else stands above the other one."""
    last = next((r for r, row in enumerate(rows) if row.figures), 0) - 1
    spans: dict[tuple[int, int], tuple[int, int]] = {}
    for r in range(last):
        for col in rows[r].cells:
            for other in (col + 1, col - 1):
                free = all(other not in rows[k].cells for k in range(r, last))
                below = col in rows[last].cells and other in rows[last].cells
                year = _YEAR_IN.search(_text(rows[r].cells[col]))
                if col > 0 and other > 0 and free and below and year:
                    spans[(r, col)] = (min(col, other), 2)
                    break
    return spans


def _trimmed(rows: list[_Row]) -> list[_Row]:
    """Rows up to the last row with figures (the trailing lines that started rows of their
    own belong to what follows the table)."""
    last = max((k for k, row in enumerate(rows) if row.figures), default=-1)
    return rows[: last + 1]


def _cell(pieces: list[_Piece], row: int, col: int, colspan: int = 1) -> Cell:
    """A cell of pieces top to bottom: joined without a space (Chinese, a wrapped figure)
    but between two Latin words; its span from the first piece's start to the last's end."""
    parts: list[str] = []
    for piece in pieces:
        if parts and _latin(parts[-1][-1]) and _latin(piece.text[0]):
            parts.append(" ")
        parts.append(piece.text)
    return Cell("".join(parts), pieces[0].start, pieces[-1].end, row, col, colspan=colspan)


def _text(pieces: list[_Piece]) -> str:
    return " ".join(p.text for p in pieces)


def _latin(char: str) -> bool:
    return char.isascii() and char.isalpha()


# --- tables put back together -------------------------------------------------------------


def _joined_on_page(text: str, tables: list[Table]) -> list[Table]:
    """A table without a header of its own, a few lines below a table as wide on the same
    page, carries that table on: a statement's rows printed without figures (template rows
    left empty) broke it in two."""
    joined: list[Table] = []
    for table in tables:
        previous = joined[-1] if joined else None
        if previous is not None and _carries_on_below(text, previous, table):
            joined[-1] = _appended(previous, table)
        else:
            joined.append(table)
    return joined


def _carries_on_below(text: str, previous: Table, table: Table) -> bool:
    if table.n_cols != previous.n_cols or table.start < previous.end:
        return False
    gap = text[previous.end : table.start]
    lines = gap.split("\n")
    return (
        len(lines) <= _JOIN_GAP_LINES
        and "\f" not in gap
        and _BLANK_LINES not in gap.replace(" ", "")
        and not any(_opens_table(_parse(line, 0, 0)) for line in lines[1:])
        and _headerless(table)
    )


def _headerless(table: Table) -> bool:
    """No text over the figure columns above the first row with figures."""
    for row in table.rows:
        if any(is_figure(cell.text) for cell in row[1:]):
            return True
        if any(cell.text for cell in row[1:]):
            return False
    return False


def _appended(previous: Table, table: Table) -> Table:
    offset = previous.n_rows
    rows = tuple(tuple(replace(c, row=c.row + offset) for c in row) for row in table.rows)
    return replace(previous, rows=previous.rows + rows, end=table.end)


# --- page edges ----------------------------------------------------------------------------


def _at_page_edges(text: str, table: Table) -> Table:
    """Mark a table that opens its page (``continued`` when it opens with rows of its body,
    else ``repeats_header``) and one that ends it, for ``join_continued``."""
    page_start = text.rfind("\f", 0, table.start) + 1
    next_page = text.find("\f", table.end)
    opens = page_start > 0 and _furniture(text[page_start : table.start])
    body = _headerless(table)  # rows of its body, or the end of a label the page break cut
    return replace(
        table,
        continued=opens and body,
        repeats_header=opens and not body,
        ends_page=next_page >= 0 and _furniture(text[table.end : next_page]),
    )


def _furniture(text: str) -> bool:
    """Only page furniture: a few characters, no line laid out in columns (the header of a
    table whose body opens the next page is not furniture)."""
    if sum(map(len, text.split())) > FURNITURE_CHARS:
        return False
    return not any(len(_CHUNK.findall(line)) >= 3 for line in text.split("\n"))

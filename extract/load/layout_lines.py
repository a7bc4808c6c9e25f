"""Lines and columns of text laid out by runs of spaces (``pdftotext -layout``).

The first half of reading such text (``text_layout`` builds the tables): a line parsed into
pieces (runs of characters separated by two or more spaces), the blocks of lines that print
figures after such runs, and the columns their figures' right ends make. See
``text_layout`` for the whole picture.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from ..core.numbers import CELL_FIGURE, CELL_NOT_STATED

SOURCE = "text-layout"
"""``Table.source`` of the tables found here."""

# A line worth a look: a figure right after a run of two or more spaces (a column gap).
_SEED = re.compile(r" {2}[(（]?[-−]?\d[\d,]*(?:\.\d+)?[)）]?%?(?=[ \n]|$)")
# A cell: printed characters with single spaces inside; two spaces separate cells.
_CHUNK = re.compile(r"\S+(?: \S+)*")
_TOKEN = re.compile(r"\S+")
_YEAR = re.compile(r"[(（]?(?:19|20)\d{2}[)）]?")
# Characters each heading of a header piece printing several must have to be cut apart.
_HEADING_CHARS = 4
_CENTS = re.compile(r" (?=cents|仙)")
# Characters of pdftotext's grid a CJK character covers, on average.
_WIDE = 1.5
# Lines (blank or not) that may stand between two lines of figures of one table.
_MAX_GAP_LINES = 8
# Printed lines of header a table may have above its first figures.
_HEADER_LINES = 6
# Lines after the last figures that may carry the last row on (the rest of a wrapped label).
_TRAILING_LINES = 3
# Blank lines in a row that part two tables, and that end a header looking upwards (the
# page's running header above it; an HKEX statement's header stands two blank lines above).
_BLANK_RUN = 2
_BLANK_LINES = "\n" * (_BLANK_RUN + 1)
_HEADER_BLANK_RUN = 3
# How far (characters) a figure's right end may stray from its column's.
_COLUMN_SLACK = 2
# A column with under half the figures of the column beside it, on other lines only, is
# that column's figures printed astray.
_STRAY_SHARE = 2


@dataclass(frozen=True)
class _Piece:
    """Printed text on one line: its position in the line and its offset in the text."""

    lo: int
    hi: int
    start: int
    text: str
    figure: bool = False

    @property
    def end(self) -> int:
        return self.start + self.hi - self.lo


@dataclass(frozen=True)
class _Line:
    """A printed line cut into pieces (cells, figures), with its page."""

    start: int
    pieces: tuple[_Piece, ...]
    page: int

    @property
    def figures(self) -> list[_Piece]:
        return [p for p in self.pieces if p.figure]

    def is_seed(self) -> bool:
        """A label (or a first figure) and a figure after it."""
        return len(self.pieces) >= 2 and any(p.figure for p in self.pieces[1:])


@dataclass(frozen=True)
class _Column:
    lo: int
    hi: int
    right_lo: int
    right_hi: int


def is_figure(text: str) -> bool:
    """A cell printing a figure or a "not stated" mark (a year is a heading, not one)."""
    compact = _CENTS.sub("", text)
    if _YEAR.fullmatch(compact):
        return False
    return bool(CELL_FIGURE.fullmatch(compact) or CELL_NOT_STATED.fullmatch(compact))


# --- blocks of lines -----------------------------------------------------------------------


def _line_end(text: str, start: int) -> int:
    end = text.find("\n", start)
    return len(text) if end < 0 else end


def _parse(text: str, start: int, page: int) -> _Line:
    """The line starting at ``start``: form feeds before it skipped, its pieces found."""
    end = _line_end(text, start)
    while start < end and text[start] == "\f":
        start += 1
    line = text[start:end].rstrip("\r")
    chunks = [(m.start(), m.group(0)) for m in _CHUNK.finditer(line)]
    figures = [is_figure(chunk) for _, chunk in chunks]
    pieces: list[_Piece] = []
    for k, (lo, chunk) in enumerate(chunks):
        if figures[k]:
            pieces.append(_Piece(lo, lo + len(chunk), start + lo, chunk, True))
        else:
            pieces.extend(_split(start, lo, chunk, any(figures[k + 1 :])))
    return _Line(start, tuple(pieces), page)


def _split(start: int, lo: int, chunk: str, later_figure: bool) -> list[_Piece]:
    """A chunk (not a figure) as one piece, or cut into its figures where it prints several
    side by side (``49.54 1,075,904,934.98``) or a label then figures one space apart."""
    if " " not in chunk:
        return [_Piece(lo, lo + len(chunk), start + lo, chunk)]
    tokens = list(_TOKEN.finditer(chunk))
    trailing = 0
    for token in reversed(tokens):
        if not (CELL_FIGURE.fullmatch(token.group(0)) and not _YEAR.fullmatch(token.group(0))):
            break
        trailing += 1
    if trailing == 0 or (trailing == 1 and not later_figure):
        return [_Piece(lo, lo + len(chunk), start + lo, chunk)]
    cut = len(tokens) - trailing
    pieces = []
    if cut:
        label = chunk[: tokens[cut - 1].end()]
        pieces.append(_Piece(lo, lo + len(label), start + lo, label))
    for token in tokens[cut:]:
        a = lo + token.start()
        pieces.append(_Piece(a, a + len(token.group(0)), start + a, token.group(0), True))
    return pieces


def _seeds(text: str) -> Iterator[tuple[int, int]]:
    """(line start, page) of every line with a figure after a column gap."""
    page, counted = 1, 0  # pages begun in text[:counted]
    start, last = 0, -1
    for m in _SEED.finditer(text):
        # look back no further than the last figure: one pass, however long the lines
        newline = text.rfind("\n", counted, m.start())
        if newline >= 0:
            start = newline + 1
        page += text.count("\f", counted, m.start())
        counted = m.start()
        if start != last:
            last = start
            yield start, page


def _blocks(text: str) -> Iterator[list[_Line]]:
    """Runs of lines with figures, each with its header lines above and trailing lines."""
    run: list[_Line] = []
    floor = 0  # where the last block ended: the next one's header cannot reach above it
    for start, page in _seeds(text):
        line = _parse(text, start, page)
        if not line.is_seed():
            continue
        if run and not _near(text, run[-1].start, line.start):
            block, floor = _block(text, run, floor)
            if block:
                yield block
            run = []
        run.append(line)
    if run:
        block, _ = _block(text, run, floor)
        if block:
            yield block


def _near(text: str, a: int, b: int) -> bool:
    """Two lines of one table: few lines apart, neither a page break nor a run of blank
    lines between them."""
    if text.count("\n", a, b) > _MAX_GAP_LINES:
        return False
    between = text[a:b]
    return "\f" not in between and _BLANK_LINES not in between.replace(" ", "")


def _block(text: str, run: list[_Line], floor: int) -> tuple[list[_Line], int]:
    """A run's lines, its header lines and trailing lines included; and where it ends."""
    if len(run) < 2:
        return [], floor
    parsed = {line.start: line for line in run}
    page = run[0].page
    first = _line_start(text, run[0].start)
    last = _line_start(text, run[-1].start)
    starts = [*_header_starts(text, first, floor), first]
    position = first
    while position < last:
        position = _line_end(text, position) + 1
        starts.append(position)
    starts.extend(_trailing_starts(text, last))
    lines = [parsed.get(s) or _parse(text, s, page) for s in starts]
    return lines, _line_end(text, starts[-1])


def _line_start(text: str, position: int) -> int:
    """Where the line holding ``position`` starts (before any form feed opening it)."""
    return text.rfind("\n", 0, position) + 1


def _header_starts(text: str, first: int, floor: int) -> list[int]:
    """Starts of up to six printed lines above ``first``, blank lines skipped, stopping at
    a run of blank lines, the page's first line or ``floor``."""
    starts: list[int] = []
    blanks, printed, position = 0, 0, first
    while printed < _HEADER_LINES and position > floor:
        above = text.rfind("\n", 0, position - 1) + 1
        line = text[above : position - 1]
        if above < floor or line.startswith("\f") or "\f" in line:
            break
        if line.strip():
            blanks = 0
            printed += 1
            starts.append(above)
        else:
            blanks += 1
            if blanks >= _HEADER_BLANK_RUN:
                break
        position = above
    return starts[::-1]


def _trailing_starts(text: str, last: int) -> list[int]:
    """Starts of the printed lines just after ``last``, up to a blank line or a page break."""
    starts = []
    position = _line_end(text, last) + 1
    for _ in range(_TRAILING_LINES):
        if position >= len(text):
            break
        line = text[position : _line_end(text, position)]
        if not line.strip() or "\f" in line:
            break
        starts.append(position)
        position += len(line) + 1
    return starts


# --- columns ------------------------------------------------------------------------------


def _columns(lines: Sequence[_Line]) -> list[_Column]:
    """Columns from the figures' right ends: two figures at least end on each."""
    figures = sorted(
        ((p, k) for k, line in enumerate(lines) for p in line.figures), key=lambda f: f[0].hi
    )
    groups: list[list[tuple[_Piece, int]]] = []
    for figure in figures:
        if groups and figure[0].hi - groups[-1][-1][0].hi <= _COLUMN_SLACK:
            groups[-1].append(figure)
        else:
            groups.append([figure])
    kept = _strays_merged([g for g in groups if len(g) >= 2])
    return [
        _Column(min(p.lo for p, _ in g), max(p.hi for p, _ in g), g[0][0].hi, g[-1][0].hi)
        for g in kept
    ]


def _strays_merged(groups: list[list[tuple[_Piece, int]]]) -> list[list[tuple[_Piece, int]]]:
    """A few figures printed off their column (0.11 ending three characters right of the
    column's other figures) join the column beside them, when no line has figures in both."""
    merged: list[list[tuple[_Piece, int]]] = []
    for group in groups:
        if merged and _strays(merged[-1], group):
            merged[-1] = sorted(merged[-1] + group, key=lambda f: f[0].hi)
        else:
            merged.append(group)
    return merged


def _strays(a: list[tuple[_Piece, int]], b: list[tuple[_Piece, int]]) -> bool:
    lines_a, lines_b = {k for _, k in a}, {k for _, k in b}
    few = min(len(lines_a), len(lines_b)) * _STRAY_SHARE < max(len(lines_a), len(lines_b))
    return few and not lines_a & lines_b


def _placed(line: _Line, columns: Sequence[_Column], edge: int) -> dict[int, _Piece]:
    """The line's pieces by column (0: the label); pieces of one column on one line are one."""
    placed: dict[int, _Piece] = {}
    header = not line.figures
    pieces = [p for q in line.pieces for p in _headings(q, columns)] if header else line.pieces
    for piece in pieces:
        col = _figure_column(piece, columns)
        # a header standing over the first column, though it starts left of it
        over = header and 0 in placed and piece.hi > edge
        if col is None and piece.lo < edge and not over:
            if piece.figure and 0 in placed:
                continue  # a note's number between the label and the figures
            col = None if piece.figure else 0  # 不适用 printed left of the figures
        if col is None:
            col = _column_of(piece, columns)
        before = placed.get(col)
        if before is not None:
            joined = before.text + " " * (piece.lo - before.hi) + piece.text
            piece = _Piece(before.lo, piece.hi, before.start, joined, is_figure(joined))
        placed[col] = piece
    return placed


def _headings(piece: _Piece, columns: Sequence[_Column]) -> list[_Piece]:
    """A header piece printing several long headings one space apart (基本每股收益（元/股）
    稀释每股收益（元/股）) over as many columns, cut into them; any other piece whole."""
    words = list(_TOKEN.finditer(piece.text))
    if len(words) < 2 or any(len(w.group(0)) < _HEADING_CHARS for w in words):
        return [piece]
    cut = [
        _Piece(piece.lo + w.start(), piece.lo + w.end(), piece.start + w.start(), w.group(0))
        for w in words
    ]
    if len({_column_of(p, columns) for p in cut}) < len(cut):
        return [piece]
    return cut


def _figure_column(piece: _Piece, columns: Sequence[_Column]) -> int | None:
    """1-based column a figure ends on; None for text, or a figure ending on none."""
    if piece.figure:
        for k, col in enumerate(columns):
            if col.right_lo - _COLUMN_SLACK <= piece.hi <= col.right_hi + _COLUMN_SLACK:
                return k + 1
    return None


def _column_of(piece: _Piece, columns: Sequence[_Column]) -> int:
    """1-based column of text right of the label: the first whose figures end at or after
    the text's printed end (a header stands inside its column's cell, left of the next one's
    figures, however it is aligned); the last column for text beyond every column."""
    if piece.lo > columns[-1].right_hi + _COLUMN_SLACK:
        return len(columns) + 1  # a column of text (a remark) right of every figure
    printed_end = piece.lo + _printed_width(piece.text)
    for k, col in enumerate(columns):
        if printed_end <= col.right_hi + _COLUMN_SLACK:
            return k + 1
    return len(columns)


def _printed_width(text: str) -> float:
    """How many characters of the grid a piece covers: pdftotext places a piece by where it
    starts, and a CJK character is wider than the grid's (its average character's)."""
    return sum(_WIDE if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)

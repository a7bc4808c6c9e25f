"""Tables from a PDF page's geometry (``pdf_geometry``): ruled grids and unruled columns.

Two layouts cover the filings we read:

- **ruled** tables (most A-share reports, printed from Word): the page's rules form a grid;
  a cell is a grid box, merged with its neighbour where no rule separates them, and its
  text is every character whose centre lies inside it, line by line. A label or a number
  wrapped inside a narrow cell (``2,186,279`` over ``,898.42``) comes out whole.
- **unruled** tables (HKEX statements, tables printed without borders): lines whose
  right-aligned figures line up in columns; the columns are found from the figures' right
  edges, and header words are placed over the column they stand on.

A cell's span runs from its first to its last character in the page text, so evidence
points at the printed figure. See ``bench/pdf_tables.py`` for how this compares with
pdfplumber's table finder.
"""

from __future__ import annotations

import itertools
import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, replace

from ..core.numbers import CELL_FIGURE, CELL_NOT_STATED
from ..core.table import Cell, Table, table_from_cells
from .pdf_geometry import SNAP, Glyph, Rule, glyph_text, text_lines, text_with_owners

# A figure as a cell prints it, or its "not stated" mark; a space may stand before "cents"
FIGURE = re.compile(
    rf"{CELL_FIGURE.pattern}|{CELL_NOT_STATED.pattern}|(?:HK|RMB|US)?\$?\(?[\d.]+\)? (?:cents|仙)"
)
# How far (points) a figure's right edge may stray from its column's.
_COLUMN_SLACK = 6.0
# Words that make a row a header, not a row of the table's body.
_HEADER_WORD = re.compile(
    r"项目|項目|本期|上期|本年|上年|期末|期初|报告期|報告期|(?:19|20)\d{2}|Notes?|附注|附註"
)


def page_tables(
    glyphs: Sequence[Glyph], horizontal: list[Rule], vertical: list[Rule], page: int
) -> list[Table]:
    """Every table on a page, top to bottom; spans are offsets into the page's text.

    The topmost table is marked ``continued`` when it opens with a row of its body: a table
    broken by the page break before it (see ``core.table.join_continued``); the loader also
    marks it when no heading stands above it, and marks the last one ``ends_page``.
    """
    placed: list[tuple[float, list[Cell], str]] = []
    boxes: list[_Box] = []
    for box, cells in ruled_tables(glyphs, horizontal, vertical):
        placed.append((box.top, cells, "pdf-ruled"))
        boxes.append(box)
    rest = [g for g in glyphs if not any(box.holds(g) for box in boxes)]
    for top, cells in unruled_tables(rest):
        placed.append((top, cells, "pdf-unruled"))
    placed.sort(key=lambda item: -item[0])
    tables = [table_from_cells(cells, source, page) for _, cells, source in placed]
    if tables and _opens_with_body(tables[0]):
        tables[0] = replace(tables[0], continued=True)
    return tables


def _opens_with_body(table: Table) -> bool:
    """The first row holds figures, or (in a ruled table, whose title stands outside it) a
    label alone such as 手续费及佣金收入; it is not a header of periods and years."""
    first = table.rows[0]
    if any(FIGURE.fullmatch(c.text.replace(" ", "")) for c in first[1:] if c.text):
        return True
    label_alone = bool(first[0].text.strip()) and not any(c.text.strip() for c in first[1:])
    return table.source == "pdf-ruled" and label_alone and not _HEADER_WORD.search(first[0].text)


def _cell(glyphs: list[Glyph], row: int, col: int, rowspan: int = 1, colspan: int = 1) -> Cell:
    if not glyphs:
        return Cell("", 0, 0, row, col, rowspan, colspan)
    offsets = [g.offset for g in glyphs]
    text = _unmirrored(glyph_text(glyphs))
    return Cell(text, min(offsets), max(offsets) + 1, row, col, rowspan, colspan)


# A PDF that draws its lines right to left stores mirrored brackets: the glyph drawn as "(" on
# the left of a negative figure is a ")" in the text layer. No well-formed cell reads ")…(".
_MIRRORED_NEGATIVE = re.compile(r"\)([\d,.]+)\(")


def _unmirrored(text: str) -> str:
    """A figure printed in mirrored brackets, ``)9,697,332(``, as ``(9,697,332)``."""
    m = _MIRRORED_NEGATIVE.fullmatch(text.strip())
    return f"({m.group(1)})" if m else text


# --- ruled tables --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Box:
    left: float
    bottom: float
    right: float
    top: float

    def holds(self, glyph: Glyph, margin: float = 1.0) -> bool:
        return (
            self.left - margin <= glyph.cx <= self.right + margin
            and self.bottom - margin <= glyph.cy <= self.top + margin
        )


def ruled_tables(
    glyphs: Sequence[Glyph], horizontal: list[Rule], vertical: list[Rule]
) -> list[tuple[_Box, list[Cell]]]:
    """Grids formed by crossing rules, each as its box and its placed cells."""
    grids = []
    for hs, vs in _crossing_groups(horizontal, vertical):
        ys = sorted(_centres([r.at for r in hs]), reverse=True)  # top to bottom
        xs = _centres([r.at for r in vs])
        if len(ys) < 2 or len(xs) < 2:
            continue
        box = _Box(xs[0], ys[-1], xs[-1], ys[0])
        inside = [g for g in glyphs if box.holds(g, margin=0.0)]
        cells = _grid_cells(inside, ys, xs, hs, vs)
        # a lone header row counts: its body may open the next page
        if len({c.col for c in cells if c.text}) >= 2:
            grids.append((box, cells))
    return grids


def _crossing_groups(
    horizontal: list[Rule], vertical: list[Rule]
) -> list[tuple[list[Rule], list[Rule]]]:
    """Rules grouped by crossing each other: each group is one table's frame."""
    parent = list(range(len(horizontal) + len(vertical)))

    def root(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for i, h in enumerate(horizontal):
        for j, v in enumerate(vertical):
            if h.lo - SNAP <= v.at <= h.hi + SNAP and v.lo - SNAP <= h.at <= v.hi + SNAP:
                parent[root(i)] = root(len(horizontal) + j)
    groups: dict[int, tuple[list[Rule], list[Rule]]] = {}
    for i, h in enumerate(horizontal):
        groups.setdefault(root(i), ([], []))[0].append(h)
    for j, v in enumerate(vertical):
        groups.setdefault(root(len(horizontal) + j), ([], []))[1].append(v)
    return [g for g in groups.values() if len(g[0]) >= 2 and len(g[1]) >= 2]


def _centres(values: list[float], snap: float = SNAP) -> list[float]:
    """Positions within ``snap`` of each other taken as one (ascending)."""
    groups: list[list[float]] = []
    for value in sorted(values):
        if groups and value - groups[-1][-1] <= snap:
            groups[-1].append(value)
        else:
            groups.append([value])
    return [sum(g) / len(g) for g in groups]


def _covered(rules: list[Rule], at: float, lo: float, hi: float) -> bool:
    """A rule at ``at`` runs along most of ``lo``–``hi``."""
    return any(
        abs(r.at - at) <= SNAP and min(r.hi, hi) - max(r.lo, lo) >= (hi - lo) * 0.5 for r in rules
    )


def _grid_cells(
    glyphs: Sequence[Glyph], ys: list[float], xs: list[float], hs: list[Rule], vs: list[Rule]
) -> list[Cell]:
    """Grid boxes merged where no rule separates them; each cell's text from its glyphs."""
    n_rows, n_cols = len(ys) - 1, len(xs) - 1
    owner = {(r, c): (r, c) for r in range(n_rows) for c in range(n_cols)}

    def root(key: tuple[int, int]) -> tuple[int, int]:
        while owner[key] != key:
            key = owner[key]
        return key

    def join(a: tuple[int, int], b: tuple[int, int]) -> None:
        ra, rb = root(a), root(b)
        if ra != rb:
            owner[max(ra, rb)] = min(ra, rb)

    for r in range(n_rows):
        for c in range(n_cols - 1):
            if not _covered(vs, xs[c + 1], ys[r + 1], ys[r]):
                join((r, c), (r, c + 1))
    for r in range(n_rows - 1):
        for c in range(n_cols):
            if not _covered(hs, ys[r + 1], xs[c], xs[c + 1]):
                join((r, c), (r + 1, c))
    inside: dict[tuple[int, int], list[Glyph]] = {}
    downwards = [-y for y in ys]  # ascending, for bisect
    for glyph in glyphs:
        r = bisect_right(downwards, -glyph.cy) - 1
        c = bisect_right(xs, glyph.cx) - 1
        if 0 <= r < n_rows and 0 <= c < n_cols:
            inside.setdefault(root((r, c)), []).append(glyph)
    members: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for key in owner:
        members.setdefault(root(key), []).append(key)
    cells = []
    for key, boxes in members.items():
        rows, cols = [b[0] for b in boxes], [b[1] for b in boxes]
        rowspan, colspan = max(rows) - min(rows) + 1, max(cols) - min(cols) + 1
        cells.append(_cell(inside.get(key, []), min(rows), min(cols), rowspan, colspan))
    return cells


# --- unruled tables ------------------------------------------------------------------------


@dataclass
class _Line:
    """A printed line cut into chunks: runs of glyphs without a column gap."""

    chunks: list[tuple[str, list[Glyph]]]

    @property
    def top(self) -> float:
        return max(g.y1 for _, glyphs in self.chunks for g in glyphs)

    def has_figures(self) -> bool:
        """A label (or a first figure) and at least one figure after it."""
        return len(self.chunks) >= 2 and any(_is_figure(text) for text, _ in self.chunks[1:])


def _is_figure(text: str) -> bool:
    """A figure, or one printed in mirrored brackets (``)172,544(``, see ``_unmirrored``)."""
    bare = text.replace(" ", "")
    return bool(FIGURE.fullmatch(bare) or FIGURE.fullmatch(bare.translate(_MIRROR)))


def unruled_tables(glyphs: Sequence[Glyph]) -> list[tuple[float, list[Cell]]]:
    """Tables of aligned figures among ``glyphs``, each with the top of its first line."""
    lines = [
        _Line([(piece_text, piece) for piece_text, piece in _line_chunks(line)])
        for line in text_lines(glyphs)
    ]
    tables = []
    for block in _figure_blocks(lines):
        cells = _unruled_cells(block)
        if cells:
            tables.append((block[0].top, cells))
    return tables


def _line_chunks(line: list[Glyph]) -> list[tuple[str, list[Glyph]]]:
    """A line cut where the gap is wide (a column gap) or where two figures meet, and a
    chunk printing several figures side by side cut into one per figure."""
    chunks = [[line[0]]]
    for previous, glyph in itertools.pairwise(line):
        gap = glyph.x0 - previous.x1
        figures_meet = previous.char in "0123456789)%）" and glyph.char in "0123456789(（-"
        mirrored_meet = previous.char == "(" and glyph.char == ")"  # )3,542,028( )3,213,676(
        figures_meet = figures_meet or mirrored_meet
        if gap > glyph.height * 0.9 or (figures_meet and gap > glyph.height * 0.25):
            chunks.append([glyph])
        else:
            chunks[-1].append(glyph)
    out = []
    for chunk in chunks:
        text, owners = text_with_owners(chunk)
        found = _figures_filling(text) or _figures_filling(text.translate(_MIRROR))
        if len(found) >= 2:
            for m in found:
                piece = chunk[owners[m.start()] : owners[m.end() - 1] + 1]
                out.append((m.group(0), piece))
        else:
            out.append((text, chunk))
    return out


_MIRROR = str.maketrans("()", ")(")


def _figures_filling(text: str) -> list[re.Match[str]]:
    """The figures printed side by side that make up the whole of ``text``; [] otherwise."""
    found = list(FIGURE.finditer(text))
    whole = "".join(m.group(0) for m in found).replace(" ", "") == text.replace(" ", "")
    return found if whole else []


# Lines of header a run of figures may have above it (years, dates, units, in two languages).
_HEADER_LINES = 6


# Lines a header's years may stand above the body's first figures (audit marks, a unit
# line, a note column's title and a wrapped label between: HKEX statements).
_YEARS_ABOVE = 10
_YEARS = re.compile(r"(?:19|20)\d{2}")


def _figure_blocks(lines: list[_Line]) -> list[list[_Line]]:
    """Runs of lines holding figures, with up to six lines of header above; more than five
    lines without figures end a run (but for a line of years alone, a header's)."""
    blocks: list[list[_Line]] = []
    start: int | None = None
    last = floor = 0
    for i, line in enumerate(lines):
        if not line.has_figures():
            continue
        allowed = _YEARS_ABOVE if _years_only(lines[last]) else 6
        if start is not None and i - last > allowed:
            blocks.append(lines[start : last + 1])
            floor, start = last + 1, None
        if start is None:
            start = max(floor, i - _HEADER_LINES)
        last = i
    if start is not None:
        blocks.append(lines[start : last + 1])
    return [b for b in blocks if sum(1 for line in b if line.has_figures()) >= 2]


def _years_only(line: _Line) -> bool:
    return all(_YEARS.fullmatch(text.replace(" ", "")) for text, _ in line.chunks)


def _unruled_cells(block: list[_Line]) -> list[Cell]:
    """Columns from the right edges of the figures; a row's label is what lies left of them."""
    figures = [glyphs for line in block for text, glyphs in line.chunks[1:] if _is_figure(text)]
    rights = [glyphs[-1].x1 for glyphs in figures]
    columns = [
        c
        for c in _centres(rights, _COLUMN_SLACK)
        if sum(abs(r - c) <= _COLUMN_SLACK for r in rights) >= 2
    ]
    if not columns:
        return []
    # a column's left edge: the leftmost figure ending on it
    lefts = {
        c: min(g[0].x0 for g in figures if abs(g[-1].x1 - c) <= _COLUMN_SLACK) for c in columns
    }
    label_edge = min(lefts.values()) - SNAP

    def _centred_on(glyphs: list[Glyph], col: int) -> bool:
        """A header wider than its column (二零二三年 over 172,544) reaching past the labels'
        edge: its centre still lies over the column, and it is not much wider (a page title
        centred over the table is not the column's)."""
        left, right = glyphs[0].x0, glyphs[-1].x1
        column = columns[col]
        width = column - lefts[column]
        centred = lefts[column] - _COLUMN_SLACK <= (left + right) / 2 <= column + _COLUMN_SLACK
        return centred and right - left <= 2 * width + _COLUMN_SLACK

    cells: list[Cell] = []
    for row, line in enumerate(block):
        label: list[Glyph] = []
        placed: dict[int, list[Glyph]] = {}
        for _, glyphs in line.chunks:
            col = _column_of(glyphs, columns, lefts)
            if col is None or (glyphs[0].x0 < label_edge and not _centred_on(glyphs, col)):
                label.extend(glyphs)
            else:
                placed.setdefault(col + 1, []).extend(glyphs)
        if label:
            cells.append(_cell(label, row, 0))
        cells.extend(_cell(glyphs, row, col) for col, glyphs in placed.items())
    return cells


def _column_of(glyphs: list[Glyph], columns: list[float], lefts: dict[float, float]) -> int | None:
    """The column a chunk belongs to: it ends on the column's right edge, lies within the
    column's extent, or (a centred header) straddles it."""
    right = glyphs[-1].x1
    for k, column in enumerate(columns):
        if abs(right - column) <= _COLUMN_SLACK:
            return k
    for k, column in enumerate(columns):
        if lefts[column] - _COLUMN_SLACK <= glyphs[0].x0 and right <= column + _COLUMN_SLACK:
            return k
        if glyphs[0].x0 <= column and right >= lefts[column]:
            return k
    return None

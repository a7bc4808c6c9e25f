"""Tables as data: a grid of cells, each with its text and its span in the original file.

Every loader that knows a table's structure (a PDF's geometry, HTML ``<table>``) emits
:class:`Table` objects beside the document text. A cell's span points into
``Document.original``, so a figure read from a cell carries evidence like any other. Rows are
rectangular: a merged cell appears in every position it covers (the same object), so a
column's header is simply the cells above it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Cell:
    """One cell: its text as printed and its ``[start, end)`` span in the original file.

    An empty cell has no span (``start == end``).
    """

    text: str
    start: int
    end: int
    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1

    @property
    def is_empty(self) -> bool:
        return not self.text.strip()


@dataclass(frozen=True)
class Table:
    """A rectangular grid of cells from one source (``pdf-ruled``, ``pdf-unruled``, ``html``,
    ``text-layout``)."""

    rows: tuple[tuple[Cell, ...], ...]
    source: str
    page: int | None = None
    start: int = 0
    end: int = 0
    continued: bool = False  # opens its page with a row of its body: carries on the last table
    repeats_header: bool = False  # opens its page, maybe with the last table's header again
    ends_page: bool = False  # nothing but page furniture follows it on its page
    pages: tuple[int, ...] = ()  # every page the table lies on, once joined across pages

    @property
    def n_rows(self) -> int:
        return len(self.rows)

    @property
    def n_cols(self) -> int:
        return max((len(row) for row in self.rows), default=0)

    def cell(self, row: int, col: int) -> Cell | None:
        if 0 <= row < len(self.rows) and 0 <= col < len(self.rows[row]):
            return self.rows[row][col]
        return None

    def column(self, col: int, rows: Sequence[int]) -> Iterator[Cell]:
        """The distinct cells of column ``col`` in ``rows`` (a merged cell once)."""
        seen: set[int] = set()
        for r in rows:
            cell = self.cell(r, col)
            if cell is not None and id(cell) not in seen:
                seen.add(id(cell))
                yield cell

    def shifted(self, offset: int) -> Table:
        """The same table with every span moved by ``offset`` (page → document text)."""

        def move(cell: Cell) -> Cell:
            if cell.end <= cell.start:
                return cell
            return replace(cell, start=cell.start + offset, end=cell.end + offset)

        return replace(
            self, rows=_mapped(self.rows, move), start=self.start + offset, end=self.end + offset
        )


def _mapped(
    rows: tuple[tuple[Cell, ...], ...], change: Callable[[Cell], Cell]
) -> tuple[tuple[Cell, ...], ...]:
    """``rows`` with each distinct cell changed once: a merged cell stays one object."""
    done: dict[int, Cell] = {}
    return tuple(tuple(done.setdefault(id(cell), change(cell)) for cell in row) for row in rows)


def grid_from_cells(
    cells: Sequence[Cell], n_rows: int, n_cols: int
) -> tuple[tuple[Cell, ...], ...]:
    """Rows of a grid from placed cells; positions no cell covers get an empty cell."""
    grid: list[list[Cell | None]] = [[None] * n_cols for _ in range(n_rows)]
    for cell in cells:
        for r in range(cell.row, min(n_rows, cell.row + cell.rowspan)):
            for c in range(cell.col, min(n_cols, cell.col + cell.colspan)):
                grid[r][c] = cell
    return tuple(
        tuple(cell or Cell("", 0, 0, r, c) for c, cell in enumerate(row))
        for r, row in enumerate(grid)
    )


def table_from_cells(cells: Sequence[Cell], source: str, page: int | None = None) -> Table:
    """A table around placed cells; its span covers every non-empty cell."""
    n_rows = max(c.row + c.rowspan for c in cells)
    n_cols = max(c.col + c.colspan for c in cells)
    spans = [(c.start, c.end) for c in cells if c.end > c.start]
    return Table(
        grid_from_cells(cells, n_rows, n_cols),
        source,
        page,
        min((s for s, _ in spans), default=0),
        max((e for _, e in spans), default=0),
        pages=(page,) if page is not None else (),
    )


def join_continued(tables: Sequence[Table]) -> list[Table]:
    """Tables split by a page break put back together.

    A table that opens its page, as many columns wide as the table ending the page before
    and from the same source, carries that table on when it opens with a row of its body
    (``continued``) or with a header row the first part printed too: statements run over
    several pages. A repeated header stays as a row of the whole.
    """
    joined: list[Table] = []
    for table in tables:
        previous = joined[-1] if joined else None
        if previous is not None and _carries_on(previous, table):
            offset = previous.n_rows

            def move(cell: Cell, offset: int = offset) -> Cell:
                return replace(cell, row=cell.row + offset)

            joined[-1] = replace(
                previous,
                rows=previous.rows + _mapped(table.rows, move),
                start=min(previous.start, table.start),
                end=max(previous.end, table.end),
                ends_page=table.ends_page,
                pages=previous.pages + table.pages,
            )
        else:
            joined.append(table)
    return joined


def _carries_on(previous: Table, table: Table) -> bool:
    last_page = previous.pages[-1] if previous.pages else previous.page
    opens_as_continuation = table.continued or (
        table.repeats_header and _texts(table.rows[0]) in {_texts(row) for row in previous.rows}
    )
    return (
        opens_as_continuation
        and previous.ends_page
        and last_page is not None
        and table.page == last_page + 1
        and table.n_cols == previous.n_cols
        and table.source == previous.source
    )


def _texts(row: Sequence[Cell]) -> tuple[str, ...]:
    return tuple("".join(cell.text.split()) for cell in row)

"""Tables as the model reads them: compact rows under their caption, whatever the input.

A table the loader saw as a grid (a PDF's geometry, HTML) goes to the model as one line per
row, cells joined by `` | `` (``营业收入 | 5,333,486,253.17 | 5,271,345,801.64 | 1.18``), under
the lines printed just above it (its heading and unit line). A merged header cell is repeated
over each column it covers, so every column keeps its header. A table too large for a
passage budget keeps its header rows and the rows whose labels the section is after, and
never half a row. Grounding is unchanged: the numbers a row shows are the numbers printed
in the table's span of the document.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ...core.table import Table
from ...load.document import Document
from ...load.html import visible_text
from ...load.normalise import normalise_text
from ...tables.roles import cell_text, header_rows, row_has_figures

_CAPTION_LINES = 2
_CAPTION_WIDTH = 160
# How many rows with figures a label alone may head (its parts and their total)
_ROWS_UNDER = 8


def caption(doc: Document, table: Table) -> str:
    """The last lines printed above the table (its heading, its unit line), normalised."""
    before = visible_text(doc.original[caption_start(table) : table.start], clipped=True)
    lines = [normalise_text(line).strip() for line in before.split("\n")]
    kept = [line for line in lines if line][-_CAPTION_LINES:]
    return "\n".join(line[-_CAPTION_WIDTH:] for line in kept)


def caption_start(table: Table) -> int:
    """Where, in the original, the text a table's caption is read from begins: a figure the
    model reads in the caption is printed there."""
    return max(0, table.start - _CAPTION_WIDTH * _CAPTION_LINES)


def row_line(table: Table, r: int) -> str:
    """One row: its cells' texts joined by `` | ``, empty cells at its end dropped; a cell
    merged across the whole row (a remark, a title) once."""
    cells = [cell_text(cell.text) for cell in table.rows[r]]
    while cells and not cells[-1]:
        cells.pop()
    if len(set(cells)) == 1:
        return cells[0]
    return " | ".join(cells)


def table_text(
    doc: Document,
    table: Table,
    budget: int | None = None,
    wanted: Callable[[str], bool] | None = None,
) -> str:
    """The table as rows under its caption; where ``wanted`` is given, only the header rows
    and the rows whose label it accepts; within ``budget`` characters where given."""
    lines = [caption(doc, table)] if caption(doc, table) else []
    rows = [row_line(table, r) for r in range(table.n_rows)]
    whole = "\n".join([*lines, *(row for row in rows if row)])
    if wanted is None and (budget is None or len(whole) <= budget):
        return whole
    keep = set(header_rows(table))
    if wanted is not None:
        for r in range(table.n_rows):
            wrapped = _wrapped_label_rows(table, r)
            if wanted(_label(table, r)):
                keep.update([r, *_rows_under(table, r)])
            elif len(wrapped) > 1 and wanted("".join(_label(table, i) for i in wrapped)):
                keep.update(wrapped)
    trimmed = [rows[r] for r in sorted(keep) if rows[r]]
    out: list[str] = []
    used = 0
    for line in [*lines, *trimmed]:
        if budget is not None and used + len(line) + 1 > budget:
            break  # whole rows only
        out.append(line)
        used += len(line) + 1
    return "\n".join(out)


def header_text(doc: Document, table: Table) -> str:
    """The table's caption and header rows alone (a statement's date line)."""
    return table_text(doc, table, wanted=lambda _: False)


def _wrapped_label_rows(table: Table, r: int) -> list[int]:
    """Row ``r`` and the rows its label may run on to: a label wrapped in its cell goes on
    in rows with nothing beside it (归属于上市公司股东的扣除 | 106,779,578.09 … then
    非经常性损益的净利润(元)); so does a sub-heading, hence read only where the row's own
    label names nothing."""
    rows = [r]
    while rows[-1] + 1 < table.n_rows and _label_alone(table, rows[-1] + 1):
        rows.append(rows[-1] + 1)
    return rows


def _rows_under(table: Table, r: int) -> list[int]:
    """The unlabelled rows a label alone heads: its total (Revenue, then — Remaining
    Business, — Affected Entities, and their total without a label of its own)."""
    if not _label_alone(table, r):
        return []
    block = range(r + 1, min(table.n_rows, r + 1 + _ROWS_UNDER))
    below = [i for i in block if row_has_figures(table, i)]
    below = [i for k, i in enumerate(below) if i == r + 1 + k]  # the rows right below it
    return [i for i in below if not _label(table, i)]


def _label_alone(table: Table, r: int) -> bool:
    return bool(_label(table, r)) and all(cell.is_empty for cell in table.rows[r][1:])


def _label(table: Table, r: int) -> str:
    return cell_text(table.rows[r][0].text)


def table_spans(doc: Document, tables: Sequence[Table]) -> list[tuple[int, int, Table]]:
    """Each table's span in ``Document.text`` (normalised), in document order."""
    spans = []
    for table in tables:
        if table.end <= table.start:
            continue
        span = doc.normalised_span(table.start, table.end)
        if span is not None:
            spans.append((span[0], span[1], table))
    return sorted(spans, key=lambda s: s[0])

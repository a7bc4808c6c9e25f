"""Key tables read as cells from a PDF's own table structure (pdfplumber), where it has one.

The text path re-parses rows flattened into lines; a PDF that draws its table lets
pdfplumber recover the cells instead. Only the pages where the text path located the table
are parsed (about 0.1 s a page), never the whole document. Every cell must still be found in
the document text near its label, so the values carry evidence spans like any other, and
a row's unit is read as the text reader reads it (:func:`~extract.tables.flat_text.row_multiplier`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from ..core.errors import InputError
from ..core.numbers import decimals_of, parse_number
from ..load.document import Document
from ..load.normalise import normalise_text
from .flat_text import Cell, Region, Row, row_multiplier

_NA = ("不适用", "不適用", "N/A", "-", "--")


def cell_rows(
    doc: Document, region: Region, labels: dict[str, Sequence[str]], unit_suffix: str
) -> dict[str, Row]:
    """Rows of the table in ``region`` as pdfplumber sees them; {} if not a PDF or no table."""
    if doc.encoding != "pdf" or not doc.page_starts:
        return {}
    pages = _pages_of(doc, region)
    try:
        from ..load.pdf import read_pdf_tables

        tables = read_pdf_tables(Path(doc.path), pages)
    except (InputError, ValueError):
        return {}
    rows: dict[str, Row] = {}
    cursor = region.start
    for page in pages:
        for table in tables.get(page, []):
            for raw in table:
                row = _row(doc, raw, labels, unit_suffix, cursor, region)
                if row is not None and row.metric not in rows:
                    rows[row.metric] = row
                    cursor = row.cells[-1].end
    return rows


def _pages_of(doc: Document, region: Region) -> list[int]:
    first = doc.original_span(region.start, region.start + 1)[0]
    last = doc.original_span(region.end - 1, region.end)[0]
    return sorted({p for p in (doc.page_of(first), doc.page_of(last)) if p})


def _row(
    doc: Document,
    raw: list[str],
    labels: dict[str, Sequence[str]],
    unit_suffix: str,
    cursor: int,
    region: Region,
) -> Row | None:
    if len(raw) < 2:
        return None
    label = normalise_text(raw[0]).replace("\n", "")
    metric = _metric_of(label, labels, unit_suffix)
    if metric is None:
        return None
    label_at = doc.text.find(label[:6], cursor, region.end)
    if label_at < 0:
        return None
    cells: list[Cell] = []
    position = label_at
    for text in raw[1:]:
        cell_text = normalise_text(text).replace("\n", "").strip()
        if not cell_text:
            continue
        cell = _cell(doc, cell_text, position, region.end)
        if cell is None:
            return None  # a cell we cannot find in the text cannot carry evidence
        cells.append(cell)
        position = cell.end
    if not cells:
        return None
    return Row(
        metric,
        label_at,
        label_at + len(label),
        cells,
        row_multiplier(doc.text, region, label, cells[0].start),
        region.name,
    )


def _metric_of(label: str, labels: dict[str, Sequence[str]], unit_suffix: str) -> str | None:
    """The metric whose label is the whole cell (longest pattern first, as in the text path)."""
    candidates = [
        (len(pattern), metric)
        for metric, patterns in labels.items()
        for pattern in patterns
        if re.fullmatch(f"(?:{pattern}){unit_suffix}", label)
    ]
    return max(candidates)[1] if candidates else None


def _cell(doc: Document, text: str, start: int, end: int) -> Cell | None:
    at = doc.text.find(text, start, end)
    if at < 0:
        return None
    if text in _NA:
        return Cell(None, at, at + len(text))
    percent = text.endswith("%")
    value = parse_number(text.rstrip("%"))
    if value is None:
        return None
    return Cell(value, at, at + len(text), percent=percent, decimals=decimals_of(text))

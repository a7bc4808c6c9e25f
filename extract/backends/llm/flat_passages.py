"""Passages of tables the loader saw no grid of (a report pdftotext collapsed onto one line),
read from the text as the rules read them (``tables/flat_tables.py``): a table as its
heading's line and the rows asked for, each from its label to its last figure::

    合并利润表2024年1—6月单位:元币种:人民币项目附注2024年半年度2023年半年度一、营业总收入…
    五、净利润(净亏损以“-”号填944,565,326.24 939,697,458.84

A passage spans the heading and the rows, so every figure shown grounds inside it.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from ...tables.flat_tables import FlatTable, read_flat_column_tables, read_flat_tables
from ...tables.flat_text import Row
from .passage import Passage
from .search import column_blocks

# A flattened table's heading line: the heading and the columns' header after it
HEADER_CHARS = 120


def flat_table_passages(
    text: str, kinds: Sequence[str], fields: Collection[str], room: float
) -> list[Passage]:
    """For each of ``kinds`` in order, its rows that give one of ``fields`` not given by a
    kind before it, under its heading's line, while they fit ``room`` characters. A table
    whose columns are metrics (净资产收益率及每股收益) counts as a kind of its own; a row
    inside a table printed column by column is never read so."""
    tables = read_flat_tables(text, kinds) | read_flat_column_tables(text, kinds)
    blocks = column_blocks(text)
    wanted = set(fields)
    passages = []
    for kind in kinds:
        table = tables.get(kind, FlatTable())
        rows = [
            row
            for key, row in table.rows.items()
            if wanted & set(table.gives[key]) and not _in_block(row, blocks)
        ]
        for start, group in _by_heading(table, rows).items():
            if len(shown := _flat_text(text, start, group)) <= room:
                passages.append(Passage(start, group[-1].cells[-1].end, shown))
                room -= len(shown)
                wanted -= {metric for row in group for metric in table.gives[row.metric]}
    return passages


def flat_heading_lines(text: str, kinds: Sequence[str]) -> list[Passage]:
    """The heading's line of each of ``kinds`` read from the text: a statement's date line
    (合并资产负债表2024年6月30日编制单位:…) names the period's end."""
    tables = read_flat_tables(text, kinds) if kinds else {}
    starts = [min(r.start for r in tables[k].regions.values()) for k in kinds if tables[k].rows]
    return [Passage(a, a + HEADER_CHARS, text[a : a + HEADER_CHARS]) for a in starts]


def _in_block(row: Row, blocks: Sequence[tuple[int, int]]) -> bool:
    """Is the row read inside a table printed column by column (all its labels, then each
    column's figures)? There a label is not followed by its own figures: the block is
    shown whole instead."""
    return any(a <= row.label_start < b for a, b in blocks)


def _by_heading(table: FlatTable, rows: Sequence[Row]) -> dict[int, list[Row]]:
    """``rows`` of a flattened table grouped by the heading they are read under, in order."""
    groups: dict[int, list[Row]] = {}
    for row in sorted(rows, key=lambda row: row.label_start):
        groups.setdefault(table.regions[row.metric].start, []).append(row)
    return groups


def _flat_text(text: str, start: int, rows: Sequence[Row]) -> str:
    """A flattened table as shown: its heading's line (the heading and the columns' header
    after it), then each row from its label to its last figure."""
    head = text[start : min(rows[0].label_start, start + HEADER_CHARS)].strip()
    return "\n".join([head] + [text[row.label_start : row.cells[-1].end] for row in rows])

"""The kinds' tables read from text the loader saw no grid in (a report flattened onto one
line, a layout without rules): for each kind of ``vocab/financials.yaml`` ``tables``, in
authority order, the rows its metrics' labels name at the fullest occurrence of its heading.
The rules read the figures from these rows; the LLM's passages show the text they stand in.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from ..core.units import LABEL_UNIT_SUFFIX
from ..vocab import load_vocab
from .flat_text import Region, Row, find_regions, read_rows

# Metrics whose label is generic (合计) and that only their own table may give.
OWN_TABLE = ("non_recurring_total",)


@dataclass
class FlatTable:
    """One kind's rows, and the occurrence (its heading onwards) each is read in. A row is
    keyed by its metric; in a table whose columns are metrics (净资产收益率及每股收益), by its
    name, and ``gives`` says which metrics its columns are."""

    rows: dict[str, Row] = field(default_factory=dict)
    regions: dict[str, Region] = field(default_factory=dict)
    gives: dict[str, list[str]] = field(default_factory=dict)


@cache
def _vocab() -> dict[str, Any]:
    return load_vocab("financials")


def read_flat_tables(text: str, kinds: Collection[str] | None = None) -> dict[str, FlatTable]:
    """Each table kind's rows (by metric) at its best occurrence, kinds in authority order
    (only ``kinds`` where given)."""
    vocab = _vocab()
    labels = {metric: spec["labels"] for metric, spec in vocab["metrics"].items()}
    tables = {}
    for table in vocab["tables"]:
        if kinds is not None and table["name"] not in kinds:
            continue
        wanted = table.get("metrics")
        if wanted is None:  # a table naming none may give every metric but the own-table ones
            wanted = [m for m in vocab["metrics"] if m not in OWN_TABLE]
        read = _read_table(text, table, labels, LABEL_UNIT_SUFFIX, wanted)
        read.gives = {metric: [metric] for metric in read.rows}
        tables[table["name"]] = read
    return tables


def read_flat_column_tables(
    text: str, kinds: Collection[str] | None = None
) -> dict[str, FlatTable]:
    """The tables whose columns are metrics (``column_tables``), rows by their name (only
    ``kinds`` where given)."""
    tables = {}
    for table in _vocab()["column_tables"]:
        if kinds is not None and table["name"] not in kinds:
            continue
        rows = table["rows"]
        read = _read_table(text, table, {name: row["labels"] for name, row in rows.items()})
        read.gives = {name: list(rows[name]["columns"]) for name in read.rows}
        tables[table["name"]] = read
    return tables


def _read_table(
    text: str,
    table: dict[str, Any],
    labels: dict[str, Any],
    unit_suffix: str = "",
    wanted: list[str] | None = None,
) -> FlatTable:
    regions = find_regions(text, table["name"], table["heading"], table["end"], table["span"])
    found = [(read_rows(text, r, labels, unit_suffix, wanted), r) for r in regions]
    # the fullest occurrence is the table itself; others (a table of contents, a mention in
    # prose) only add rows it lacks
    found.sort(key=lambda occurrence: len(occurrence[0]), reverse=True)
    merged = FlatTable()
    for rows, _ in found:
        for metric, row in rows.items():
            merged.rows.setdefault(metric, row)
    for metric, row in merged.rows.items():
        # the first heading that reads the row: the table's own (a row label may be a heading
        # too: 研发投入合计), or a mention just before it
        merged.regions[metric] = min(
            (region for rows, region in found if _same(rows.get(metric), row)),
            key=lambda region: region.start,
        )
    return merged


def _same(row: Row | None, other: Row) -> bool:
    return row is not None and row.label_start == other.label_start

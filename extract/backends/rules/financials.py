"""Financial metrics from the key-figures table, statements and notes; prose as a last resort."""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal
from functools import cache
from typing import Any

from ...core.numbers import change_consistent, normalise_decimal
from ...core.schema import METRIC_KINDS, MetricKind
from ...core.spans import Found
from ...load.document import Document
from ...tables.flat_tables import read_flat_tables
from ...tables.flat_text import Cell, Row, find_regions, read_rows
from ...vocab import load_vocab, spaced
from ..base import SectionResult
from .dated_balances import dated_balances
from .prose import confirmed_changes, confirmed_rd_ratio, prose_metrics
from .table_metrics import column_table_metrics, confirmed_row_changes, metrics_from_tables

# How close value − prior must be to a printed change for it to be a change in points.
_POINTS_TOLERANCE = Decimal("0.011")


@cache
def _vocab() -> dict[str, Any]:
    return load_vocab("financials")


def extract_financials(doc: Document) -> SectionResult:
    """Every metric of the contract the filing states: from the tables the loader saw as
    grids first, then from tables flattened into text, then from prose."""
    result = SectionResult()
    from_grids = metrics_from_tables(doc)
    _put_grid_metrics(result, from_grids)
    tables = [table.rows for table in read_flat_tables(doc.text).values()]
    _share_combined_rows(tables, doc.text)
    for metric in _vocab()["metrics"]:
        rows = [rows_by_metric[metric] for rows_by_metric in tables if metric in rows_by_metric]
        if rows and metric in from_grids:
            _complete(result, metric, metric_fields(rows[0], METRIC_KINDS[metric]))
        if not rows or metric in from_grids:
            continue
        fields = metric_fields(rows[0], METRIC_KINDS[metric], _min_cells(rows[0].table))
        if not fields:
            continue
        for path, found in fields.items():
            result.fields[f"{metric}.{path}"] = found
        result.warnings.extend(rows[0].warnings)
        result.warnings.extend(_disagreements(metric, fields, rows[1:], METRIC_KINDS[metric]))
    _put_dated_balances(result, doc)
    _fill_from_column_tables(doc.text, result)
    for metric, found in column_table_metrics(doc).items():
        if not any(path.startswith(metric + ".") for path in result.fields):
            result.fields[f"{metric}.value"] = found
    from_tables = {path.split(".")[0] for path in result.fields}
    for path, found in prose_metrics(doc.text).items():
        if path.split(".")[0] not in from_tables:
            result.fields[path] = found
    result.fields.update(confirmed_changes(doc.text, _without_change(result)))
    result.fields.update(confirmed_row_changes(doc, _without_change(result)))
    _put_rd_ratio_from_prose(result, doc.text)
    _drop_implausible_units(result)
    _check_non_recurring(result)
    result.applies = bool(result.fields)
    return result


def financials_from_grids(doc: Document) -> SectionResult:
    """Only the metrics of the tables the loader saw as grids: for a text layer whose lines
    run right to left, where flattened rows put each label after its figures."""
    result = SectionResult()
    _put_grid_metrics(result, metrics_from_tables(doc))
    _put_dated_balances(result, doc)
    _drop_implausible_units(result)
    _check_non_recurring(result)
    result.applies = bool(result.fields)
    return result


def _put_grid_metrics(result: SectionResult, from_grids: dict[str, dict[str, Found]]) -> None:
    for metric, fields in from_grids.items():
        for part, found in fields.items():
            result.fields[f"{metric}.{part}"] = found


def _put_dated_balances(result: SectionResult, doc: Document) -> None:
    """Balances no table gave, from rows naming them with their date (a segment note)."""
    for metric, fields in dated_balances(doc).items():
        if not any(path.startswith(metric + ".") for path in result.fields):
            for part, found in fields.items():
                result.fields[f"{metric}.{part}"] = found


def _complete(result: SectionResult, metric: str, flat: dict[str, Found]) -> None:
    """Parts a grid did not print (a change, a prior) from the flattened text's row of the
    same metric, when that row prints the same value: the same figure, the same period."""
    value = result.fields.get(f"{metric}.value")
    if value is None or "value" not in flat or not _same(value.value, flat["value"].value):
        return
    has_change = any(f"{metric}.{part}" in result.fields for part in ("change_pct", "change_pp"))
    for part, found in flat.items():
        if not (part.startswith("change") and has_change):
            result.fields.setdefault(f"{metric}.{part}", found)


def _put_rd_ratio_from_prose(result: SectionResult, text: str) -> None:
    """The R&D ratio no table gave, from a sentence, where R&D spending and revenue confirm it."""
    rd, revenue = result.fields.get("rd_investment.value"), result.fields.get("revenue.value")
    if "rd_ratio.value" in result.fields or rd is None or revenue is None:
        return
    found = confirmed_rd_ratio(text, Decimal(str(rd.value)), Decimal(str(revenue.value)))
    if found is not None:
        result.fields["rd_ratio.value"] = found


def _without_change(result: SectionResult) -> dict[str, tuple[Decimal, Decimal]]:
    """Money metrics with a value and a prior but no printed change: metric → both."""
    # a list, not a set: a set would order the evidence differently from run to run
    money = [m for m in _vocab()["metrics"] if METRIC_KINDS[m] == MetricKind.money]
    figures: dict[str, tuple[Decimal, Decimal]] = {}
    for metric in money:
        value, prior = (result.fields.get(f"{metric}.{part}") for part in ("value", "prior"))
        if value and prior and f"{metric}.change_pct" not in result.fields:
            figures[metric] = (Decimal(str(value.value)), Decimal(str(prior.value)))
    return figures


def _share_combined_rows(tables: list[dict[str, Row]], text: str) -> None:
    """A row labelled for two metrics (基本和稀释每股收益) gives both, in its own table."""
    for spec in _vocab()["combined_rows"]:
        for rows in tables:
            row = rows.get(spec["metric"])
            if row is None or spec["also"] in rows:
                continue
            if re.search(spaced(spec["label"]), text[row.label_start : row.label_end]):
                rows[spec["also"]] = replace(row, metric=spec["also"])


def _check_non_recurring(result: SectionResult) -> None:
    """Keep 非经常性损益合计 only where net profit − deducted net profit confirms it.

    The identity holds in every CSRC report, and ``合计`` is too common a label to trust on
    its own: a total that cannot be confirmed, or that breaks the identity, is dropped.
    """
    fields = result.fields
    for part in ("value", "prior"):
        total = fields.get(f"non_recurring_total.{part}")
        if total is None:
            continue
        profit = fields.get(f"net_profit_attributable.{part}")
        deducted = fields.get(f"net_profit_attributable_deducted.{part}")
        if profit is not None and deducted is not None:
            expected = profit.value - deducted.value
            if abs(total.value - expected) <= max(1.0, abs(expected) * 1e-6):
                continue
            result.warnings.append(
                f"non_recurring_total.{part}: {total.value} is not net profit minus its "
                f"deducted figure ({expected:.2f}); dropped"
            )
        del fields[f"non_recurring_total.{part}"]


def _drop_implausible_units(result: SectionResult) -> None:
    """Null a flow figure far larger than revenue: its table's unit header was wrong.

    Filings sometimes print yuan under a 单位:万元 header; taking the header literally makes
    a figure 10,000 times too large, and guessing the right unit is not ours to do.
    """
    revenue = result.fields.get("revenue.value")
    if revenue is None or not revenue.value:
        return
    limit = abs(revenue.value) * _vocab()["plausibility"]["max_flow_to_revenue"]
    for metric in _vocab()["plausibility"]["flow_metrics"]:
        value = result.fields.get(f"{metric}.value")
        if value is not None and abs(value.value) > limit:
            result.warnings.append(
                f"{metric}: {value.value} is implausible beside revenue {revenue.value} "
                "(unit header?); dropped"
            )
            for path in [p for p in result.fields if p.startswith(metric + ".")]:
                del result.fields[path]


def _fill_from_column_tables(text: str, result: SectionResult) -> None:
    """Values from tables whose columns are metrics (净资产收益率及每股收益)."""
    for table in _vocab()["column_tables"]:
        labels = {name: spec["labels"] for name, spec in table["rows"].items()}
        for region in find_regions(
            text, table["name"], table["heading"], table["end"], table["span"]
        ):
            rows = read_rows(text, region, labels)
            for name, row in rows.items():
                for metric, cell in zip(table["rows"][name]["columns"], row.cells, strict=False):
                    if cell.value is not None and not any(
                        p.startswith(metric + ".") for p in result.fields
                    ):
                        result.fields[f"{metric}.value"] = Found(
                            float(cell.value), cell.start, cell.end
                        )
            if rows:
                return


def _min_cells(table: str) -> int:
    spec: dict[str, Any] = next((t for t in _vocab()["tables"] if t["name"] == table), {})
    return int(spec.get("min_cells", 1))


def metric_fields(row: Row, kind: str, min_cells: int = 1) -> dict[str, Found]:
    """value / prior / change of one row, each with its cell's span.

    A row with fewer than ``min_cells`` cells is rejected: in a table that always prints
    comparatives, a lone number is probably not this row's.
    """
    cells = row.cells
    if len(cells) < min_cells or cells[0].is_na:
        return {}
    change_index = _change_index(cells, kind)
    if change_index is None and row.quarterly:
        return _year_to_date(row, cells, kind)
    if change_index is not None and row.quarterly and len(cells) > change_index + 1:
        # the quarter's group, then the year to date's: the contract reads the second, and
        # only when it has the first one's shape (else which cell is which is a guess)
        second = cells[change_index + 1 :]
        if len(second) != change_index + 1 or _change_index(second, kind) != change_index:
            return {}
        return metric_fields(replace(row, cells=second, quarterly=False), kind, min_cells)
    fields: dict[str, Found] = {"value": _found(cells[0], row, kind)}
    prior_index = (change_index - 1) if change_index else (1 if len(cells) > 1 else None)
    if prior_index and not cells[prior_index].is_na and not cells[prior_index].points:
        fields["prior"] = _found(cells[prior_index], row, kind)
    if change_index:
        change = cells[change_index]
        if change.value is not None:
            part = (
                "change_pp"
                if change.points or _is_points_change(cells, change_index, kind)
                else "change_pct"
            )
            fields[part] = Found(float(change.value), change.start, change.end)
    return fields


def _year_to_date(row: Row, cells: list[Cell], kind: str) -> dict[str, Found]:
    """A quarterly key table prints the quarter and its change, then the year to date and
    its change, and no comparative: the contract's value is the year to date."""
    if len(cells) < 3 or cells[2].is_na or cells[2].points:
        return {}
    fields = {"value": _found(cells[2], row, kind)}
    change = cells[3] if len(cells) > 3 else None
    if change is not None and change.value is not None:
        part = "change_pp" if change.points or kind == "percent" else "change_pct"
        fields[part] = Found(float(change.value), change.start, change.end)
    return fields


def _change_index(cells: list[Cell], kind: str) -> int | None:
    """Where the change column is: a 不适用, a 个百分点 cell, or a number that fits value/prior."""
    value = cells[0].value
    for i in range(2, len(cells)):
        cell, prior = cells[i], cells[i - 1].value
        if cell.points or (cell.is_na and prior is not None):
            return i
        if value is None or prior is None or cell.value is None:
            continue
        if kind == "percent" and _is_points_change(cells, i, kind):
            return i
        if change_consistent(value, prior, cell.value):
            return i
    return None


def _is_points_change(cells: list[Cell], index: int, kind: str) -> bool:
    if kind != "percent":
        return False
    value, prior, change = cells[0].value, cells[index - 1].value, cells[index].value
    if value is None or prior is None or change is None:
        return False
    return abs((value - prior) - change) <= _POINTS_TOLERANCE


def _found(cell: Cell, row: Row, kind: str) -> Found:
    assert cell.value is not None
    scaled = kind == "money" or (kind == "per_share" and row.multiplier < 1)  # cents
    value = cell.value * row.multiplier if scaled else cell.value
    return Found(float(normalise_decimal(value)), cell.start, cell.end)


def _disagreements(
    metric: str, fields: dict[str, Found], others: list[Row], kind: str
) -> list[str]:
    """Warn where a less authoritative table prints another figure for the same thing."""
    warnings = []
    for row in others:
        other = metric_fields(row, kind)
        for part in ("value", "prior"):
            if (
                part in fields
                and part in other
                and not _same(fields[part].value, other[part].value)
            ):
                warnings.append(
                    f"{metric}.{part}: {fields[part].value} in the main table, "
                    f"{other[part].value} in {row.table}"
                )
    return warnings


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= max(abs(a), abs(b)) * 1e-9 + 1e-9

"""Financial metrics from tables read as grids: (row label, column role) → figure.

Each table the loader saw (``Document.tables``) is named by the heading printed above it
(the key table, a statement, the non-recurring items…; ``vocab/financials.yaml``); a table
under another heading, or the parent company's own statements, gives nothing. In a named
table, a row whose label is a metric's gives the figures in the columns its header calls the
value, the prior and the change (``tables/roles.py``). The most authoritative table gives a
metric; a later one only adds a prior or a change the first did not print, and only when it
prints the same value (the same figure of the same period).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

from ...core.numbers import (
    CELL_CURRENCY_FIGURE,
    CELL_NOT_STATED,
    change_consistent,
    normalise_decimal,
    parse_number,
    parse_percent,
    parse_points,
)
from ...core.schema import METRIC_KINDS, MetricKind
from ...core.spans import Found
from ...core.table import Table
from ...core.units import UNITS, find_unit_headers, label_unit
from ...load.document import Document
from ...tables.kinds import classify_tables, headed_by, lines_before
from ...tables.roles import (
    Columns,
    cell_text,
    column_groups,
    groups_from_the_line_above,
    header_rows,
    header_shifted,
    is_subheader,
    reporting_columns,
    row_has_figures,
)
from ...vocab import load_vocab, spaced
from .row_labels import (
    ENUMERATOR,
    also_named,
    label_metric,
    row_label,
    sub_label_metric,
    under_a_part,
    wrapped_label,
)

# How close value − prior must be to a printed change for it to be a change in points.
_POINTS_TOLERANCE = Decimal("0.011")
_UNIT_WINDOW = 200


@cache
def _vocab() -> dict[str, Any]:
    return load_vocab("financials")


@dataclass(frozen=True)
class Candidate:
    """A metric's figures as one table prints them, with the table's kind and row label."""

    metric: str
    kind: str
    label: str
    fields: dict[str, Found]


def metrics_from_tables(doc: Document) -> dict[str, dict[str, Found]]:
    """metric → {value, prior, change_pct | change_pp} from the document's tables."""
    by_metric: dict[str, list[Candidate]] = {}
    for candidate in table_candidates(doc):
        by_metric.setdefault(candidate.metric, []).append(candidate)
    order = [spec["name"] for spec in _vocab()["tables"]]
    chosen: dict[str, dict[str, Found]] = {}
    for metric, candidates in by_metric.items():
        candidates.sort(key=lambda c: order.index(c.kind))
        fields = dict(candidates[0].fields)
        for other in candidates[1:]:
            if _same(other.fields["value"].value, fields["value"].value):
                for part, found in other.fields.items():
                    fields.setdefault(part, found)
        chosen[metric] = fields
    return chosen


def table_candidates(doc: Document) -> list[Candidate]:
    """Every metric row of every named table, in document order."""
    allowed = {spec["name"]: spec.get("metrics") for spec in _vocab()["tables"]}
    default = [m for m in _vocab()["metrics"] if m != "non_recurring_total"]
    candidates = []
    for table, kind in zip(doc.tables, classify_tables(doc), strict=True):
        if kind is None:
            continue
        permitted = default if allowed[kind] is None else allowed[kind]
        for metric, label, fields in table_rows(doc, table):
            if metric in permitted:
                candidates.append(Candidate(metric, kind, label, fields))
    return candidates


def quarter_figures(doc: Document) -> dict[str, list[Found]]:
    """metric → its four quarters, from the table of 分季度主要财务指标 (for the checks)."""
    quarters: dict[str, list[Found]] = {}
    for table, kind in zip(doc.tables, classify_tables(doc), strict=True):
        if kind != "quarters":
            continue
        header = header_rows(table)
        columns = [
            col
            for col in range(1, table.n_cols)
            if _QUARTER.search(" ".join(cell_text(c.text) for c in table.column(col, header)))
        ]
        if len(columns) != 4:
            continue
        unit = table_unit(doc, table, header)
        for r in range(len(header), table.n_rows):
            metric = label_metric(row_label(table, r))
            figures = [_read_figure(doc, table, r, col) for col in columns]
            if (
                metric
                and metric not in quarters
                and all(f and f.value is not None for f in figures)
            ):
                kind_of = METRIC_KINDS[metric]
                quarters[metric] = [_found(f, kind_of, unit) for f in figures if f]
    return quarters


_QUARTER = re.compile(r"第[一二三四]季度|[1-4]季度|Q[1-4]")


def column_table_metrics(doc: Document) -> dict[str, Found]:
    """metric → value from the tables whose columns, not rows, are the metrics
    (净资产收益率及每股收益, ``column_tables`` in the vocabulary), read as grids: the row
    whose whole label is one of the spec's gives its figures, left to right, to its metrics."""
    found: dict[str, Found] = {}
    for spec in _vocab()["column_tables"]:
        for table in doc.tables:
            if not headed_by(doc, table, spec["heading"]):
                continue
            for row_spec in spec["rows"].values():
                figures = _labelled_figures(doc, table, row_spec["labels"])
                for metric, figure in zip(row_spec["columns"], figures, strict=False):
                    if figure.value is not None and not figure.points:
                        found.setdefault(
                            metric, Found(float(figure.value), figure.start, figure.end)
                        )
            if found:
                return found
    return found


def _labelled_figures(doc: Document, table: Table, labels: list[str]) -> list[_Figure]:
    """The figures of the first row whose whole label is one of ``labels``."""
    for r in range(table.n_rows):
        label = ENUMERATOR.sub("", row_label(table, r)).strip()
        if any(re.fullmatch(spaced(pattern), label) for pattern in labels):
            figures = [_read_figure(doc, table, r, col) for col in range(1, table.n_cols)]
            return [f for f in figures if f is not None]
    return []


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= max(abs(a), abs(b)) * 1e-9 + 1e-9


def table_unit(doc: Document, table: Table, rows: Iterable[int]) -> Decimal:
    """The table's money unit: the last unit header above it or in its header rows."""
    texts = [lines_before(doc, table.start, _UNIT_WINDOW)]
    texts += [cell_text(cell.text) for r in rows for cell in table.rows[r]]
    multiplier = Decimal(1)
    for text in texts:
        headers = list(find_unit_headers(text))
        if headers:
            multiplier = headers[-1].multiplier
    return multiplier


# --- changes a row confirms ----------------------------------------------------------------

# The units a table may print a money figure in (元, 千元, 万元, 百万元, 亿元…)
_MONEY_UNITS = sorted({unit.multiplier for unit in UNITS if unit.kind == "money"})
# Figures this distinctive (significant digits) identify a metric's value and prior
_DISTINCT_DIGITS = 4


def confirmed_row_changes(
    doc: Document, figures: dict[str, tuple[Decimal, Decimal]]
) -> dict[str, Found]:
    """Changes no table read gave, from any table's row that prints a metric's value and
    prior (the same figures, in one unit) and a percentage they give at its printed
    precision: a discussion's table of changes (研发投入 | 34,852,812.61 | 41,721,209.59 |
    -16.46%), a highlights total under its label (| 2,263,747 | 1,792,728 | +471,019 |
    +26.3%). The row must be labelled as the metric: another item may print the same
    figures (研发费用 where all R&D is expensed). ``figures``: metric → (value, prior), each
    of four significant digits or more, so that a row printing both is the metric's."""
    wanted = {m: pair for m, pair in figures.items() if all(map(_distinct, pair))}
    found: dict[str, Found] = {}
    for table in doc.tables:
        for r in range(table.n_rows):
            amounts = _row_amounts(table, r)
            for metric, (value, prior) in wanted.items():
                path = f"{metric}.change_pct"
                if path in found or not _prints_both(amounts, value, prior):
                    continue
                if not _labelled_as(table, r, metric):
                    continue  # 研发费用 may print 研发投入's figures, but not its change
                change = _confirmed_percent(doc, table, r, value, prior)
                if change is not None:
                    found[path] = change
    return found


def _labelled_as(table: Table, r: int, metric: str) -> bool:
    """Is row ``r`` labelled as ``metric``, or an unlabelled total under a heading row (no
    figures) labelled so, its parts between (Revenue / — Remaining Business … / total)?"""
    label = cell_text(table.rows[r][0].text)
    if label:
        return label_metric(label) == metric
    for above in range(r - 1, -1, -1):
        if not row_has_figures(table, above):
            return label_metric(cell_text(table.rows[above][0].text)) == metric
    return False


def _distinct(value: Decimal) -> bool:
    return len(str(abs(value).normalize()).replace(".", "").strip("0")) >= _DISTINCT_DIGITS


def _row_amounts(table: Table, r: int) -> set[Decimal]:
    amounts = set()
    for cell in table.rows[r][1:]:
        number = parse_number(cell_text(cell.text))
        if number is not None:
            amounts.add(number)
    return amounts


def _prints_both(amounts: set[Decimal], value: Decimal, prior: Decimal) -> bool:
    return any(value / unit in amounts and prior / unit in amounts for unit in _MONEY_UNITS)


def _confirmed_percent(
    doc: Document, table: Table, r: int, value: Decimal, prior: Decimal
) -> Found | None:
    """The row's first percentage that value and prior give, with its span."""
    for cell in table.rows[r][1:]:
        change = parse_percent(cell_text(cell.text))
        span = doc.normalised_span(cell.start, cell.end) if cell.end > cell.start else None
        if change is not None and span is not None and change_consistent(value, prior, change):
            return Found(float(change), *span)
    return None


# --- reading the rows ----------------------------------------------------------------------


def table_rows(doc: Document, table: Table) -> list[tuple[str, str, dict[str, Found]]]:
    """(metric, label, fields) for every metric row of ``table``, first occurrence only."""
    header = header_rows(table)
    if header_shifted(table, header):
        return []
    groups = column_groups(table, header)
    if not header and not groups:
        groups = groups_from_the_line_above(doc, table)
    columns = reporting_columns(groups)
    unit = table_unit(doc, table, header)
    out: list[tuple[str, str, dict[str, Found]]] = []
    seen: set[str] = set()
    heading: str | None = None  # a label alone whose total comes after its items
    above = ""  # the last label alone: what a sub-label (Basic, 基本) stands under
    totalled = ""  # the label of the last row with figures before ``above`` (年內溢利)
    last_figures = ""
    alone: list[str] = []  # the run of labels alone above the row: a heading, maybe wrapped
    for r in range(len(header), table.n_rows):
        if is_subheader(table, r):
            columns = reporting_columns(column_groups(table, [r]))
            continue
        label = row_label(table, r)
        # a label opening in lower case ends a label wrapped from the rows above: read whole
        # first (…attributable to | equity holders of the Company is not "owners of")
        wrapped = not label or label[:1].islower()
        named = label_metric(wrapped_label(table, r)) if label and wrapped else None
        if named is None and label:
            named = label_metric(label)
        if named is None and not label:
            named = label_metric(wrapped_label(table, r))
        if named is None and label and r + 1 < table.n_rows and not row_has_figures(table, r + 1):
            # a label cut by a page break: its end opens the next page's part of the table
            named = label_metric(label + row_label(table, r + 1))
        if named is None and label:
            named = sub_label_metric(above, label, totalled)
        if not row_has_figures(table, r):
            if label:
                totalled = last_figures
                alone = [*alone, label] if r and not row_has_figures(table, r - 1) else [label]
            heading, above = named, label or above
            continue
        last_figures = label or last_figures
        if named is not None and under_a_part("".join(alone), named):
            continue
        if named is None and not label:
            named = heading  # Revenue 收入 | its items, labelled | their total, unlabelled
        if not label:
            heading = None
        if named is None or columns is None or named in seen:
            continue
        fields = _row_fields(doc, table, r, columns, named, label_unit(label) or unit)
        for metric in (named, *also_named(named, label)):
            if fields and metric not in seen:
                seen.add(metric)
                out.append((metric, label, fields))
    return out


@dataclass(frozen=True)
class _Figure:
    value: Decimal | None  # None: printed as not applicable
    start: int
    end: int
    points: bool = False
    cents: bool = False
    percent: bool = False  # printed with a % sign
    whole_currency: bool = False  # printed with its currency (人民幣0.002元): no table unit


def _read_figure(doc: Document, table: Table, r: int, col: int | None) -> _Figure | None:
    """The figure in a cell, with its span in the normalised text; None if the cell holds
    none."""
    cell = table.cell(r, col) if col is not None else None
    if cell is None or cell.end <= cell.start:
        return None
    span = doc.normalised_span(cell.start, cell.end)
    text = cell_text(cell.text)
    if span is None or not text:
        return None
    start, end = span
    if CELL_NOT_STATED.fullmatch(text):
        return _Figure(None, start, end)
    if "百分点" in text or "百分點" in text:
        points = parse_points(text)
        return _Figure(points, start, end, points=True) if points is not None else None
    cents = re.fullmatch(r"(?:HK|RMB|US)?\$?\s*(\(?[\d.,]+\)?)\s*(?:cents|仙)", text)
    if cents:
        value = parse_number(cents.group(1))
        return _Figure(value, start, end, cents=True) if value is not None else None
    stated = CELL_CURRENCY_FIGURE.fullmatch(text)
    if stated:
        value = parse_number(stated.group(1))
        return _Figure(value, start, end, whole_currency=True) if value is not None else None
    value = parse_number(text.rstrip("%").replace(" ", ""))
    percent = text.endswith("%")
    return _Figure(value, start, end, percent=percent) if value is not None else None


def read_amount(doc: Document, table: Table, r: int, col: int, unit: Decimal) -> Found | None:
    """The money figure in a cell, in the table's unit; None if the cell holds none (or a
    percentage, or points)."""
    figure = _read_figure(doc, table, r, col)
    if figure is None or figure.value is None or figure.percent or figure.points:
        return None
    return _found(figure, MetricKind.money, unit)


def _row_fields(
    doc: Document, table: Table, r: int, columns: Columns, metric: str, unit: Decimal
) -> dict[str, Found]:
    kind = METRIC_KINDS[metric]
    value = _read_figure(doc, table, r, columns.value)
    prior = _read_figure(doc, table, r, columns.prior)
    change = _read_figure(doc, table, r, columns.change)
    if value is None or value.value is None or value.points or _misplaced(kind, value):
        return {}
    if value.whole_currency and kind != "per_share":
        return {}  # 人民幣(0.005)元 is a per-share figure: a row of amounts does not print it
    fields = {"value": _found(value, kind, unit)}
    if prior is not None and _misplaced(kind, prior):
        prior = None  # a change printed under the comparative's header: columns astray
    if prior is not None and prior.value is not None and not prior.points:
        fields["prior"] = _found(prior, kind, unit)
    if change is not None and change.value is not None:
        part = _change_part(kind, value, prior, change)
        if part:
            fields[part] = Found(float(change.value), change.start, change.end)
    return fields


def _misplaced(kind: MetricKind, figure: _Figure) -> bool:
    """A percentage where an amount or a per-share figure belongs: the header's columns do
    not line up with the row's (a grid split differently in its header and its body)."""
    return kind != "percent" and figure.percent


def _change_part(
    kind: MetricKind, value: _Figure, prior: _Figure | None, change: _Figure
) -> str | None:
    """A percent metric's change is in points (as the CSRC template prints it) unless it
    is the relative change of value and prior; None when it is neither."""
    if change.points:
        return "change_pp"
    if kind != "percent":
        return "change_pct"
    if prior is None or prior.value is None or value.value is None or change.value is None:
        return "change_pp"
    if abs((value.value - prior.value) - change.value) <= _POINTS_TOLERANCE:
        return "change_pp"
    if change_consistent(value.value, prior.value, change.value):
        return "change_pct"
    return None


def _found(figure: _Figure, kind: MetricKind, unit: Decimal) -> Found:
    value = figure.value
    assert value is not None
    if figure.whole_currency:
        pass
    elif kind == "money":
        value = value * unit
    elif kind == "per_share" and (figure.cents or unit < 1):
        value = value * Decimal("0.01")
    return Found(float(normalise_decimal(value)), figure.start, figure.end)

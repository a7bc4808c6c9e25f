"""Balances printed with their date in the row's label, outside the statements.

An HKEX interim report's balance sheet may print no total-assets line; its segment note
does, once per date, in the reconciliation's total column::

    Total assets at
    30 June 2022 (Unaudited)                     51,958,391
    …
    於二零二二年十二月三十一日之
    總資產（經審核）                             55,229,834

The latest date is the period's value, the date before it the prior. Read only where no
statement, key table or summary gives the metric (``vocab/financials.yaml``,
``dated_balances``).
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

from ...core.dates import DATE_RE, date_from_match
from ...core.spans import Found
from ...core.table import Table
from ...load.document import Document
from ...tables.kinds import lines_before
from ...tables.roles import cell_text, header_rows, header_text, is_figure, row_has_figures
from ...vocab import load_vocab, spaced
from .table_metrics import read_amount, table_unit

# How much text before a statement its title and column group header may stand in.
_HEADING_WINDOW = 600
# Brackets and spaces a text layer scatters into a printed date (六月三(十日) or drops from it
_SCATTERED = re.compile(r"[()（）\s]")


@cache
def _vocab() -> dict[str, Any]:
    spec: dict[str, Any] = load_vocab("financials")["dated_balances"]
    return spec


def dated_balances(doc: Document) -> dict[str, dict[str, Found]]:
    """metric → {value, prior} from rows naming a balance and its date, where the dates
    give one figure each."""
    by_metric: dict[str, dict[date, list[Found]]] = {}
    for table in doc.tables:
        for metric, when, found in _dated_rows(doc, table) + _equity_rows(doc, table):
            by_metric.setdefault(metric, {}).setdefault(when, []).append(found)
    out: dict[str, dict[str, Found]] = {}
    for metric, by_date in by_metric.items():
        if any(len({f.value for f in figures}) > 1 for figures in by_date.values()):
            continue  # one date, two figures: not one balance
        dates = sorted(by_date, reverse=True)
        fields = {"value": by_date[dates[0]][0]}
        if len(dates) > 1:
            fields["prior"] = by_date[dates[1]][0]
        out[metric] = fields
    return out


def _dated_rows(doc: Document, table: Table) -> list[tuple[str, date, Found]]:
    """(metric, date, figure) for each row of ``table`` naming a balance and its date,
    the label maybe wrapped from the row above, and printing one figure."""
    unit: Decimal | None = None
    rows = []
    for r in range(table.n_rows):
        figures = [col for col in range(1, table.n_cols) if is_figure(table.rows[r][col].text)]
        if len(figures) != 1:
            continue
        label = cell_text(table.rows[r][0].text)
        wrapped = r > 0 and not row_has_figures(table, r - 1)
        above = cell_text(table.rows[r - 1][0].text) if wrapped else ""
        named = _balance_and_date(above + label) or _balance_and_date(label)
        if named is None:
            continue
        if unit is None:
            unit = table_unit(doc, table, header_rows(table))
        found = read_amount(doc, table, r, figures[0], unit)
        if found is not None:
            rows.append((*named, found))
    return rows


def _equity_rows(doc: Document, table: Table) -> list[tuple[str, date, Found]]:
    """(metric, date, figure) for each "At <date>" row of a statement of changes in equity
    printed under "Attributable to owners of the Company", in the owners' total column."""
    spec = _vocab()["changes_in_equity"]
    above = lines_before(doc, table.start, _HEADING_WINDOW)
    header = header_rows(table)
    heading = above + "\n" + " ".join(cell_text(c.text) for r in header for c in table.rows[r])
    if not (re.search(spec["heading"], heading) and re.search(spec["owners"], heading)):
        return []
    col = _owners_total_column(table, header, spec)
    if col is None:
        return []
    unit = table_unit(doc, table, header)
    rows = []
    for r in range(len(header), table.n_rows):
        label = cell_text(table.rows[r][0].text)
        dates = {d for m in DATE_RE.finditer(label) if (d := date_from_match(m))}
        if len(dates) != 1 or not re.search(spec["balance_row"], label):
            continue
        found = read_amount(doc, table, r, col, unit)
        if found is not None:
            rows.append((str(spec["metric"]), dates.pop(), found))
    return rows


def _owners_total_column(table: Table, header: list[int], spec: dict[str, Any]) -> int | None:
    """The column headed Total (總計) that is the last, or stands just before the
    non-controlling interests' column; None if the header does not say which."""
    texts = [header_text(table, col, header) for col in range(table.n_cols)]
    totals = [
        col
        for col, text in enumerate(texts)
        if any(re.fullmatch(spec["total"], word) for word in text.split())
    ]
    others = [col for col, text in enumerate(texts) if re.search(spec["others"], text)]
    if others:
        before = [col for col in totals if col == others[0] - 1]
        return before[0] if before else None
    return totals[-1] if totals and totals[-1] == table.n_cols - 1 else None


@cache
def _balance_and_date(label: str) -> tuple[str, date] | None:
    """The balance and the date a label names (Total assets at 30 June 2022 (Unaudited))."""
    text = _SCATTERED.sub("", label)
    dates = [d for m in DATE_RE.finditer(text) if (d := date_from_match(m))]
    if len(dates) != 1:
        return None
    rest = re.sub(_vocab()["marks"], "", DATE_RE.sub("", text))
    for metric, pattern in _vocab()["metrics"].items():
        if re.fullmatch(spaced(pattern, loose=True), rest):
            return str(metric), dates[0]
    return None

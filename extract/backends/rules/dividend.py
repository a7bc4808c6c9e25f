"""The profit distribution the filing proposes or decides for its period."""

from __future__ import annotations

import re
from decimal import Decimal
from functools import cache
from typing import Any

from ...core.numbers import change_consistent, normalise_decimal, parse_number
from ...core.spans import Found
from ...core.table import Table
from ...load.document import Document
from ...tables.flat_text import find_regions, read_rows
from ...tables.roles import cell_text, column_groups, header_rows, reporting_columns
from ...vocab import load_vocab
from ..base import SectionResult
from .filing import document_kind
from .sentences import compile_slot, find_number

NOTICE = "dividend_announcement"
_SHARE_FIELDS = ("total_shares", "share_base", "excluded_treasury_shares")


@cache
def _vocab() -> dict[str, Any]:
    return load_vocab("dividend")


def extract_dividend(doc: Document) -> SectionResult:
    vocab = _vocab()
    result = SectionResult()
    text = doc.text
    plan = compile_slot(vocab["plan"]).search(text)
    pattern, plan_kind = vocab["plan"], "number"
    for per_share_pattern in vocab["plan_per_share"]:
        per_share = compile_slot(per_share_pattern).search(text)
        if per_share and (plan is None or per_share.start() < plan.start()):
            plan, pattern, plan_kind = per_share, per_share_pattern, "per_share_to_10"
    refusal = _first_match(vocab["none"], text)
    # the first statement is the filing's own plan; later ones recall earlier years
    if refusal and (plan is None or refusal[0] < plan.start()):
        result.applies = True
        if _another_kind_declared(text, refusal):
            result.warnings.append(
                "the filing refuses one kind of dividend and declares another for the period; "
                "declared left null"
            )
        else:
            result.fields["declared"] = Found(False, *refusal)
        return result
    if plan is None:
        return result
    result.applies = True
    result.fields["declared"] = Found(True, plan.start(), plan.end())
    rate = find_number(pattern, text, plan.start(), plan.end(), kind=plan_kind)
    if rate is not None:
        result.fields["cash_per_10_shares"] = rate
    # a dividend notice is about its one distribution; elsewhere only the plan's surroundings
    windows = [(0, len(text))] if _is_notice(doc) else _plan_windows(text, pattern, plan_kind, rate)
    for name, patterns in vocab["fields"].items():
        found = _first_field(patterns, text, rate, windows)
        if found is not None:
            result.fields[name] = found
    _apply_plan_table(text, result)
    if payout := _payout_from_table(text) or _payout_from_grids(doc):
        result.fields.setdefault("payout_ratio", payout)
    result.fields = {k: v for k, v in result.fields.items() if v is not None}
    _check_total(result)
    return result


def _plan_windows(text: str, pattern: str, kind: str, rate: Found | None) -> list[tuple[int, int]]:
    """The surroundings of every statement of this plan, first to last.

    A periodic report states its plan in 重要提示 and again, with the share base and the
    payout ratio, in its section on profit distribution: both are this plan's if they state
    the same rate.
    """
    vocab = _vocab()
    windows: list[tuple[int, int]] = []
    for m in compile_slot(pattern).finditer(text):
        stated = find_number(pattern, text, m.start(), m.end(), kind=kind)
        if windows and (rate is None or stated is None or stated.value != rate.value):
            continue
        windows.append(
            (max(0, m.start() - vocab["window_before"]), m.end() + vocab["window_after"])
        )
    return windows


def _first_field(
    patterns: list[dict[str, Any]], text: str, rate: Found | None, windows: list[tuple[int, int]]
) -> Found | None:
    """The first statement of a field: the earliest window first, each pattern in order."""
    whole = (0, len(text))
    for window in windows:
        for spec in patterns:
            scope = whole if spec.get("anywhere") else window
            found = _in_a_sentence_of_this_plan(
                spec, text, rate, scope, strict=bool(spec.get("anywhere"))
            )
            if found is not None:
                return found
    return None


def _is_notice(doc: Document) -> bool:
    found = document_kind(doc)
    return found is not None and found.value == NOTICE


def _in_a_sentence_of_this_plan(
    spec: dict[str, Any], text: str, rate: Found | None, scope: tuple[int, int], strict: bool
) -> Found | None:
    """The first match in ``scope`` whose sentence is about this plan.

    An annual report recalls earlier plans in the same words (以…总股本548,130,398股为基数,
    每10股派发现金红利3.00元): a sentence stating another rate is about another plan. With
    ``strict`` (a match searched in the whole filing) the sentence must state this rate.
    """
    plan = compile_slot(_vocab()["plan"])
    for m in compile_slot(spec["pattern"]).finditer(text, *scope):
        start = text.rfind("。", 0, m.start()) + 1
        end = text.find("。", m.end())
        sentence = text[start : end if end >= 0 else len(text)]
        stated = plan.search(sentence)
        stated_rate = (
            find_number(_vocab()["plan"], sentence, stated.start(), stated.end())
            if stated
            else None
        )
        if stated_rate is not None and rate is not None and stated_rate.value != rate.value:
            continue
        if strict and (stated_rate is None or rate is None):
            continue
        return find_number(spec["pattern"], text, m.start(), m.end(), kind=spec["kind"])
    return None


def _another_kind_declared(text: str, refusal: tuple[int, int]) -> bool:
    """The refusal names one kind of dividend (final) and another kind is declared."""
    vocab = _vocab()
    if not re.search(vocab["one_kind_refused"], text[refusal[0] : refusal[1]]):
        return False
    return _first_match(vocab["other_kind_declared"], text) is not None


def _first_match(patterns: list[str], text: str) -> tuple[int, int] | None:
    hits = [m for p in patterns if (m := compile_slot(p).search(text))]
    if not hits:
        return None
    first = min(hits, key=lambda m: m.start())
    return first.start(), first.end()


def _apply_plan_table(text: str, result: SectionResult) -> None:
    """SZSE's plan table is authoritative for what it states."""
    spec = _vocab()["table"]
    for region in find_regions(text, "dividend_plan", spec["heading"], spec["end"], spec["span"]):
        rows = read_rows(text, region, spec["labels"])
        if not _table_agrees_with_plan(rows, result):
            result.warnings.append(
                "the plan table disagrees with the plan's wording; table ignored"
            )
            return
        for name, row in rows.items():
            cell = row.cells[0]
            if cell.value is None:
                continue
            value: float | int = int(cell.value) if name in _SHARE_FIELDS else float(cell.value)
            result.fields[name] = Found(value, cell.start, cell.end)
        if rows:
            return


def _table_agrees_with_plan(rows: dict[str, Any], result: SectionResult) -> bool:
    """The table's cash per 10 shares must be the plan sentence's (else rows are misaligned)."""
    row = rows.get("cash_per_10_shares")
    sentence = result.fields.get("cash_per_10_shares")
    if row is None or sentence is None or row.cells[0].value is None:
        return True
    return bool(abs(float(row.cells[0].value) - sentence.value) < 1e-9)


# (PDF text layers may print a space after the decimal point: 329,771,113. 20)
_YEAR_ROW = re.compile(
    r"(?:19|20)\d{2}年\s*(?P<cash>[\d,]+\. ?\d+)\s+(?P<profit>-?[\d,]+\. ?\d+)\s+"
    r"(?P<ratio>\d+(?:\.\d+)?)%"
)


def _payout_from_table(text: str) -> Found | None:
    """The first year row of the three-year table, when cash ÷ profit matches its ratio."""
    spec = _vocab()["payout_table"]
    for region in find_regions(text, "payout", spec["heading"], "", spec["span"]):
        m = _YEAR_ROW.search(text, region.start, region.end)
        if not m:
            continue
        cash, profit, ratio = (
            Decimal(re.sub(r"[, ]", "", m.group(g))) for g in ("cash", "profit", "ratio")
        )
        if profit > 0 and change_consistent(cash, profit, ratio - 100):
            return Found(float(normalise_decimal(ratio)), m.start("ratio"), m.end("ratio"))
    return None


def _payout_from_grids(doc: Document) -> Found | None:
    """The latest year's ratio in a three-year table read as a grid (years as columns),
    when that year's cash ÷ profit matches it."""
    for table in doc.tables:
        rows = _payout_rows(table)
        columns = reporting_columns(column_groups(table, header_rows(table)))
        if len(rows) < 3 or columns is None:
            continue
        cells = {role: table.cell(r, columns.value) for role, r in rows.items()}
        ratio, cash, profit = (
            parse_number(cell_text(cell.text).rstrip("%")) if cell else None
            for cell in (cells["ratio"], cells["cash"], cells["profit"])
        )
        ratio_cell = cells["ratio"]
        span = doc.normalised_span(ratio_cell.start, ratio_cell.end) if ratio_cell else None
        if ratio is None or cash is None or profit is None or span is None or profit <= 0:
            continue
        if change_consistent(cash, profit, ratio - 100):
            return Found(float(normalise_decimal(ratio)), *span)
    return None


def _payout_rows(table: Table) -> dict[str, int]:
    """The first row each of the ratio, the cash and the profit is printed on."""
    patterns = _vocab()["payout_grid"]
    rows: dict[str, int] = {}
    for r in range(table.n_rows):
        label = cell_text(table.rows[r][0].text)
        role = next((role for role, p in patterns.items() if re.search(p, label)), None)
        if role is not None:
            rows.setdefault(role, r)
    return rows


def _check_total(result: SectionResult) -> None:
    """Warn when total cash is far from rate × base ÷ 10."""
    fields = result.fields
    base = fields.get("share_base") or fields.get("total_shares")
    if not (base and "cash_per_10_shares" in fields and "total_cash" in fields):
        return
    expected = fields["cash_per_10_shares"].value * base.value / 10
    if "excluded_treasury_shares" in fields and "share_base" not in fields:
        expected = (
            fields["cash_per_10_shares"].value
            * (base.value - fields["excluded_treasury_shares"].value)
            / 10
        )
    actual = fields["total_cash"].value
    if expected and abs(actual - expected) / expected > 0.01:
        result.warnings.append(
            f"total_cash {actual} differs from cash_per_10_shares × base / 10 = {expected:.2f}"
        )

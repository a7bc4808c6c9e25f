"""Every contract field: how it is compared (money, number, bool, date, text) and its outcome."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Literal, get_args

from ..core.schema import (
    METRIC_KINDS,
    METRICS,
    SECTION_MODELS,
    SECTION_NAMES,
    Metric,
    MetricKind,
    flatten_record,
)

ComparisonKind = Literal["money", "number", "bool", "date", "text"]
Outcome = Literal["correct", "wrong", "missed", "spurious", "true_null"]

OUTCOMES: tuple[Outcome, ...] = ("correct", "wrong", "missed", "spurious", "true_null")
FAILURES: tuple[Outcome, ...] = ("wrong", "missed", "spurious")
# Metrics measured in money (base currency units); their value/prior/low/high are compared
# exactly (or within the gold tolerance). Per-share amounts and percentages are "number".
MONEY_METRICS: frozenset[str] = frozenset(
    metric for metric, kind in METRIC_KINDS.items() if kind == MetricKind.money
)
MONEY_METRIC_PARTS: frozenset[str] = frozenset({"value", "prior", "low", "high"})
MONEY_FIELDS: frozenset[str] = frozenset(
    {
        "dividend.total_cash",
        "buyback.plan_amount_min",
        "buyback.plan_amount_max",
        "buyback.amount_paid",
    }
)


def _kind_of_annotation(annotation: Any) -> ComparisonKind:
    """``date | None`` → date, ``bool | None`` → bool, int/float → number, str/enums → text."""
    args = [a for a in get_args(annotation) if a is not type(None)] or [annotation]
    base = args[0]
    if base is bool:
        return "bool"
    if base is date:
        return "date"
    if base in (int, float):
        return "number"
    return "text"


def _field_kinds() -> dict[str, ComparisonKind]:
    """Every contract field path → how it is compared (derived from the schema)."""
    kinds: dict[str, ComparisonKind] = {}
    for section in SECTION_NAMES:
        if section == "financials":
            for metric in METRICS:
                for part in Metric.model_fields:
                    money = metric in MONEY_METRICS and part in MONEY_METRIC_PARTS
                    kinds[f"financials.{metric}.{part}"] = "money" if money else "number"
            continue
        for name, info in SECTION_MODELS[section].model_fields.items():
            path = f"{section}.{name}"
            kinds[path] = "money" if path in MONEY_FIELDS else _kind_of_annotation(info.annotation)
    return kinds


FIELD_KINDS: dict[str, ComparisonKind] = _field_kinds()
# Every contract field path, in contract order (the order of ``flatten_record``).
FIELD_PATHS: tuple[str, ...] = tuple(flatten_record({}))


def section_of(path: str) -> str:
    """``financials.revenue.value`` → ``financials``."""
    return path.split(".", 1)[0]


def fold_text(value: str) -> str:
    """Full-width → half-width (NFKC) and all whitespace removed."""
    return "".join(unicodedata.normalize("NFKC", value).split())


def decimal_of(value: Any) -> Decimal | None:
    """A number as an exact Decimal of its shortest repr; None for non-numbers (and bools)."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def decimal_places(value: Any) -> int:
    """Decimal places of a number as written: 1.18 → 2, 1.2 (YAML for 1.20) → 1, 5160476 → 0."""
    number = decimal_of(value)
    if number is None:
        return 0
    exponent = number.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def iso_date(value: Any) -> str | None:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            return None
    return None


def numbers_match(gold: Any, pred: Any, tolerance: float | None, exact: bool) -> bool:
    """Equal within ``tolerance`` (absolute), else exactly (money) or at the gold's decimals."""
    g, p = decimal_of(gold), decimal_of(pred)
    if g is None or p is None:
        return False
    if tolerance is not None:
        return abs(p - g) <= Decimal(str(tolerance))
    if exact:
        return p == g
    step = Decimal(1).scaleb(-decimal_places(gold))
    return p.quantize(step, rounding=ROUND_HALF_UP) == g


def values_match(
    kind: ComparisonKind, gold: Any, pred: Any, tolerance: float | None = None
) -> bool:
    """Whether a non-null prediction equals a non-null gold value, compared as ``kind``."""
    if kind in ("money", "number"):
        return numbers_match(gold, pred, tolerance, exact=kind == "money")
    if kind == "bool":
        return isinstance(pred, bool) and pred is gold
    if kind == "date":
        return iso_date(gold) is not None and iso_date(gold) == iso_date(pred)
    return fold_text(str(gold)) == fold_text(str(pred))


def score_value(
    kind: ComparisonKind, gold: Any, pred: Any, tolerance: float | None = None
) -> Outcome:
    """The outcome of one field."""
    if gold is None:
        return "true_null" if pred is None else "spurious"
    if pred is None:
        return "missed"
    return "correct" if values_match(kind, gold, pred, tolerance) else "wrong"

"""What the LLM is asked to return: one pydantic model per contract section.

The models mirror ``extract.core.schema`` with every field optional and numbers normalised as
the contract says (money in base units, shares as integers, percentages as the percent
number). Each field carries its :class:`Kind` as ``Annotated`` metadata: grounding reads it
to decide how a value must appear in the filing, and it never reaches the JSON schema.

Validators raise messages a model can act on when instructor re-asks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from ...core.dates import parse_date
from ...core.numbers import parse_number
from ...core.schema import METRIC_KINDS, DocumentType, Exchange, MetricKind, SectionName
from ...core.units import UNIT_MULTIPLIERS


@dataclass(frozen=True)
class GroundingKind:
    """How a field's value appears in a filing (see ``ground``)."""

    name: str


MONEY, SHARES, COUNT = (GroundingKind(k) for k in ("money", "shares", "count"))
PERCENT, POINTS, PER_SHARE, RATE = (
    GroundingKind(k) for k in ("percent", "points", "per_share", "rate")
)
DATE, TEXT, CODE, FLAG = (GroundingKind(k) for k in ("date", "text", "code", "flag"))
# A period end read off the title (2019年年度报告 → 2019-12-31): printed somewhere in the
# document, not necessarily in the passages.
PERIOD = GroundingKind("period")


# --- lenient parsing with messages a model can act on ------------------------------------


def _number(value: Any) -> Any:
    """Accept numbers and plain numeric strings ("1,079,160", "(26,892)"); reject units."""
    if value is None or isinstance(value, bool) or not isinstance(value, str):
        return value
    text = value.strip()
    if text in ("", "null", "None", "不适用", "-", "—"):
        return None
    parsed = parse_number(text.rstrip("%％"))
    if parsed is not None:
        return float(parsed)
    if any(unit in text for unit in UNIT_MULTIPLIERS):
        raise ValueError(
            f"give a plain number in base units, not {text!r}: 53.33亿元 → 5333000000, "
            "374.19万股 → 3741900"
        )
    raise ValueError(f"expected a number or null, got {text!r}")


def _whole(value: Any) -> Any:
    """Share and people counts are integers."""
    value = _number(value)
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(
                f"shares must be integers (a count of shares or people), got {value}: "
                "convert units, e.g. 374.19万股 → 3741900"
            )
        return int(value)
    return value


def _iso_date(value: Any) -> Any:
    """ISO dates; a Chinese date as printed is converted rather than refused."""
    if isinstance(value, str) and value.strip() and not _looks_iso(value):
        parsed = parse_date(value)
        if parsed is None:
            raise ValueError(f"dates must be YYYY-MM-DD, got {value!r}")
        return parsed
    return value or None


def _looks_iso(text: str) -> bool:
    return len(text.strip()) == 10 and text.strip()[4] == "-"


def _text(value: Any) -> Any:
    """Text as printed, whitespace removed (the contract's text normalisation)."""
    if isinstance(value, str):
        return "".join(value.split()) or None
    return value


_Num = BeforeValidator(_number)
_Whole = BeforeValidator(_whole)

Money = Annotated[float | None, MONEY, _Num]
Shares = Annotated[int | None, SHARES, _Whole]
Count = Annotated[int | None, COUNT, _Whole]
Percent = Annotated[float | None, PERCENT, _Num]
Points = Annotated[float | None, POINTS, _Num]
PerShare = Annotated[float | None, PER_SHARE, _Num]
Rate = Annotated[float | None, RATE, _Num]
Day = Annotated[date | None, DATE, BeforeValidator(_iso_date)]
PeriodEnd = Annotated[date | None, PERIOD, BeforeValidator(_iso_date)]
Text = Annotated[str | None, TEXT, BeforeValidator(_text)]

Quotes = Annotated[
    dict[str, str] | None,
    Field(description='For each number returned: "field path" → short verbatim snippet.'),
]


# The answer models' docstrings are part of the JSON schema sent to the model and of the
# cache key: editing one is editing a prompt.
class Answer(BaseModel):
    """Base of every section answer."""

    model_config = ConfigDict(extra="ignore", use_enum_values=True)
    section: ClassVar[SectionName]

    quotes: Quotes = None


# --- sections ----------------------------------------------------------------------------


class FilingAnswer(Answer):
    """Identity of the filing."""

    section: ClassVar[SectionName] = "filing"

    company_name: Text = None
    stock_code: Text = None
    exchange: Annotated[Exchange | None, CODE] = None
    document_type: Annotated[DocumentType | None, CODE] = None
    title: Text = None
    period_end: PeriodEnd = None
    publication_date: Day = None
    announcement_no: Text = None
    currency: Annotated[str | None, CODE, Field(pattern=r"^[A-Z]{3}$")] = None


class MetricAnswer(BaseModel):
    """One metric. The kind of value/prior/low/high depends on the metric (METRIC_KINDS)."""

    model_config = ConfigDict(extra="ignore")

    value: Annotated[float | None, _Num] = None
    prior: Annotated[float | None, _Num] = None
    change_pct: Percent = None
    change_pp: Points = None
    low: Annotated[float | None, _Num] = None
    high: Annotated[float | None, _Num] = None

    @model_validator(mode="after")
    def _consistent(self) -> MetricAnswer:
        if self.value is not None and (self.low is not None or self.high is not None):
            raise ValueError(
                "value and low/high are exclusive: a range (预计…至…) goes to low and high "
                "with value null; a single figure goes to value"
            )
        if _looks_like_ratio(self.value, self.prior, self.change_pct):
            raise ValueError(
                f"change_pct must be a percent number like 1.18, not a ratio 0.0118 "
                f"(got {self.change_pct})"
            )
        return self


def _looks_like_ratio(value: float | None, prior: float | None, pct: float | None) -> bool:
    """Is ``pct`` the change as a ratio (0.0118) where the filing means 1.18%?"""
    if value is None or prior is None or pct is None or prior == 0:
        return False
    actual = (value - prior) / abs(prior) * 100
    if abs(actual) < 0.05:
        return False
    as_ratio = abs(pct * 100 - actual) <= max(abs(actual) * 0.01, 0.06)
    as_percent = abs(pct - actual) <= max(abs(actual) * 0.01, 0.06)
    return as_ratio and not as_percent


# How a metric's value/prior/low/high appear, by the metric's kind in the schema.
_KIND_OF_METRIC: dict[MetricKind, GroundingKind] = {
    MetricKind.money: MONEY,
    MetricKind.per_share: PER_SHARE,
    MetricKind.percent: PERCENT,
}
_PART_KINDS: dict[str, GroundingKind] = {"change_pct": PERCENT, "change_pp": POINTS}


class FinancialsAnswer(Answer):
    """The contract's metrics; a metric the passages do not state is null."""

    section: ClassVar[SectionName] = "financials"

    revenue: MetricAnswer | None = None
    gross_profit: MetricAnswer | None = None
    profit_for_period: MetricAnswer | None = None
    net_profit_attributable: MetricAnswer | None = None
    net_profit_attributable_deducted: MetricAnswer | None = None
    non_recurring_total: MetricAnswer | None = None
    operating_cash_flow: MetricAnswer | None = None
    total_assets: MetricAnswer | None = None
    equity_attributable: MetricAnswer | None = None
    basic_eps: MetricAnswer | None = None
    diluted_eps: MetricAnswer | None = None
    basic_eps_deducted: MetricAnswer | None = None
    weighted_roe: MetricAnswer | None = None
    weighted_roe_deducted: MetricAnswer | None = None
    rd_investment: MetricAnswer | None = None
    rd_ratio: MetricAnswer | None = None
    ebitda: MetricAnswer | None = None


class DividendAnswer(Answer):
    """The profit distribution proposed or decided for the period."""

    section: ClassVar[SectionName] = "dividend"

    declared: Annotated[bool | None, FLAG] = None
    cash_per_10_shares: Rate = None
    bonus_shares_per_10: Rate = None
    transfer_shares_per_10: Rate = None
    total_cash: Money = None
    total_shares: Shares = None
    excluded_treasury_shares: Shares = None
    share_base: Shares = None
    payout_ratio: Percent = None

    @model_validator(mode="after")
    def _none_means_none(self) -> DividendAnswer:
        if self.declared is False:
            stated = [k for k, v in self.values().items() if k != "declared" and v is not None]
            if stated:
                raise ValueError(
                    "declared is false, so every other dividend field must be null "
                    f"(got {', '.join(stated)})"
                )
        return self

    def values(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in type(self).model_fields if k != "quotes"}


class BuybackAnswer(Answer):
    """Share repurchase progress."""

    section: ClassVar[SectionName] = "buyback"

    plan_amount_min: Money = None
    plan_amount_max: Money = None
    plan_date: Day = None
    as_of: Day = None
    shares_repurchased: Shares = None
    pct_of_total_shares: Percent = None
    price_high: PerShare = None
    price_low: PerShare = None
    amount_paid: Money = None


class IncentiveAnswer(Answer):
    """Equity incentive vesting or grant."""

    section: ClassVar[SectionName] = "incentive"

    plan_name: Text = None
    tranche: Text = None
    grant_date: Day = None
    grant_price: PerShare = None
    grant_price_adjusted: PerShare = None
    shares_vesting: Shares = None
    participants_vesting: Count = None
    shares_forfeited: Shares = None
    vesting_start: Day = None
    vesting_end: Day = None
    share_source: Text = None
    performance_metric: Text = None
    performance_target: Percent = None
    performance_trigger: Percent = None
    performance_actual: Percent = None


ANSWERS: dict[str, type[Answer]] = {
    model.section: model
    for model in (FilingAnswer, FinancialsAnswer, DividendAnswer, BuybackAnswer, IncentiveAnswer)
}


# --- reading an answer -------------------------------------------------------------------


def answer_fields(answer: Answer) -> dict[str, Any]:
    """Every non-null field of an answer by contract path inside its section
    (``revenue.value``, ``declared``), in schema order; quotes excluded."""
    fields: dict[str, Any] = {}
    for name in type(answer).model_fields:
        if name == "quotes":
            continue
        value = getattr(answer, name)
        if isinstance(value, MetricAnswer):
            for part in MetricAnswer.model_fields:
                if (part_value := getattr(value, part)) is not None:
                    fields[f"{name}.{part}"] = part_value
        elif value is not None:
            fields[name] = value
    return fields


def kind_of(section: str, path: str) -> GroundingKind:
    """The kind of the field at ``path`` inside ``section``."""
    if section == "financials":
        metric, part = path.split(".", 1)
        return _PART_KINDS.get(part) or _KIND_OF_METRIC[METRIC_KINDS[metric]]
    info = ANSWERS[section].model_fields[path]
    for meta in info.metadata:
        if isinstance(meta, GroundingKind):
            return meta
    raise KeyError(f"{section}.{path} has no kind")


def answer_quotes(answer: Answer) -> dict[str, str]:
    """The model's quotes keyed by path inside the section (a ``section.`` prefix dropped)."""
    prefix = f"{answer.section}."
    return {k.removeprefix(prefix): v for k, v in (answer.quotes or {}).items() if v}


def as_decimal(value: float | int) -> Decimal:
    """A JSON number as the decimal it was written as (``repr`` is the shortest round-trip)."""
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)

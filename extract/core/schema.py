"""The output record: pydantic models for every section of the contract (docs/fields.md).

Field names are the contract; add new ones freely, never rename.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field


class Exchange(StrEnum):
    SSE = "SSE"
    SZSE = "SZSE"
    BSE = "BSE"
    HKEX = "HKEX"


class DocumentType(StrEnum):
    annual_report = "annual_report"
    interim_report = "interim_report"
    quarterly_report = "quarterly_report"
    results_announcement = "results_announcement"
    dividend_announcement = "dividend_announcement"
    buyback_announcement = "buyback_announcement"
    incentive_announcement = "incentive_announcement"
    results_forecast = "results_forecast"
    action_plan_review = "action_plan_review"
    other = "other"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", use_enum_values=True)

    def is_empty(self) -> bool:
        """True when no field of the section holds a value."""
        return all(v is None for v in self.model_dump().values())


class Source(BaseModel):
    path: str
    sha256: str
    chars: int
    encoding: str
    pages: int | None = None


class Filing(_Section):
    company_name: str | None = None
    stock_code: str | None = None
    exchange: Exchange | None = None
    document_type: DocumentType | None = None
    title: str | None = None
    period_end: date | None = None
    publication_date: date | None = None
    announcement_no: str | None = None
    currency: str | None = None


class Metric(_Section):
    value: float | None = None
    prior: float | None = None
    change_pct: float | None = None
    change_pp: float | None = None
    low: float | None = None
    high: float | None = None


class MetricKind(StrEnum):
    """What a metric's value, prior, low and high measure: how they are scaled, grounded and
    compared. The kind of each metric is stated once, on its field of :class:`Financials`."""

    money = "money"  # currency units; a table's unit (千元, 百万元) scales it
    per_share = "per_share"  # currency per share; scaled only from cents (分, 港仙)
    percent = "percent"  # a percent number; its change is in percentage points


MoneyMetric = Annotated[Metric | None, MetricKind.money]
PerShareMetric = Annotated[Metric | None, MetricKind.per_share]
PercentMetric = Annotated[Metric | None, MetricKind.percent]


class Financials(_Section):
    revenue: MoneyMetric = None
    gross_profit: MoneyMetric = None
    profit_for_period: MoneyMetric = None
    net_profit_attributable: MoneyMetric = None
    net_profit_attributable_deducted: MoneyMetric = None
    non_recurring_total: MoneyMetric = None
    operating_cash_flow: MoneyMetric = None
    total_assets: MoneyMetric = None
    equity_attributable: MoneyMetric = None
    basic_eps: PerShareMetric = None
    diluted_eps: PerShareMetric = None
    basic_eps_deducted: PerShareMetric = None
    weighted_roe: PercentMetric = None
    weighted_roe_deducted: PercentMetric = None
    rd_investment: MoneyMetric = None
    rd_ratio: PercentMetric = None
    ebitda: MoneyMetric = None


def _metric_kind(metric: str) -> MetricKind:
    return next(m for m in Financials.model_fields[metric].metadata if isinstance(m, MetricKind))


# The metrics of the contract in its order, and the kind of each: rules, prompts, grounding
# and scoring all read these.
METRICS: tuple[str, ...] = tuple(Financials.model_fields)
METRIC_KINDS: dict[str, MetricKind] = {metric: _metric_kind(metric) for metric in METRICS}


class Dividend(_Section):
    declared: bool | None = None
    cash_per_10_shares: float | None = None
    bonus_shares_per_10: float | None = None
    transfer_shares_per_10: float | None = None
    total_cash: float | None = None
    total_shares: int | None = None
    excluded_treasury_shares: int | None = None
    share_base: int | None = None
    payout_ratio: float | None = None


class Buyback(_Section):
    plan_amount_min: float | None = None
    plan_amount_max: float | None = None
    plan_date: date | None = None
    as_of: date | None = None
    shares_repurchased: int | None = None
    pct_of_total_shares: float | None = None
    price_high: float | None = None
    price_low: float | None = None
    amount_paid: float | None = None


class Incentive(_Section):
    plan_name: str | None = None
    tranche: str | None = None
    grant_date: date | None = None
    grant_price: float | None = None
    grant_price_adjusted: float | None = None
    shares_vesting: int | None = None
    participants_vesting: int | None = None
    shares_forfeited: int | None = None
    vesting_start: date | None = None
    vesting_end: date | None = None
    share_source: str | None = None
    performance_metric: str | None = None
    performance_target: float | None = None
    performance_trigger: float | None = None
    performance_actual: float | None = None


class Evidence(BaseModel):
    """Where a value came from: ``original_text[start:end] == quote``."""

    quote: str
    start: int
    end: int
    page: int | None = None


class Usage(BaseModel):
    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cache_hits: int = 0

    def add(self, other: Usage) -> None:
        self.calls += other.calls
        self.prompt_tokens += other.prompt_tokens
        self.completion_tokens += other.completion_tokens
        self.cache_hits += other.cache_hits


SectionName = Literal["filing", "financials", "dividend", "buyback", "incentive"]
"""The sections of the contract, in its order: the one list of their names."""
SECTION_NAMES: tuple[SectionName, ...] = get_args(SectionName)
# Every section but the filing's identity: each applies to a filing or is null.
CONTENT_SECTIONS: tuple[SectionName, ...] = tuple(s for s in SECTION_NAMES if s != "filing")


class Record(BaseModel):
    """One filing's extraction: the whole output contract."""

    model_config = ConfigDict(use_enum_values=True)

    source: Source
    filing: Filing = Field(default_factory=Filing)
    financials: Financials | None = None
    dividend: Dividend | None = None
    buyback: Buyback | None = None
    incentive: Incentive | None = None
    evidence: dict[str, Evidence] = Field(default_factory=dict)
    checks: dict[str, Literal["confirmed", "conflict"]] = Field(
        default_factory=dict,
        description="For every field an identity between printed figures covers: confirmed "
        "(it holds) or conflict (it fails; the warnings say which figures).",
    )
    warnings: list[str] = Field(default_factory=list)
    backend: str = "rules"
    model: str | None = None
    prompt_version: str | None = None
    usage: Usage = Field(default_factory=Usage)

    def to_json(self, indent: int | None = 2) -> str:
        """JSON with Chinese kept readable (not ``\\u`` escaped)."""
        return self.model_dump_json(indent=indent)

    def flat_fields(self) -> dict[str, Any]:
        """Every contract field as ``section.field[.part]`` → value (nulls included)."""
        return flatten_record(self.model_dump(mode="json"))


def _section_model(section: SectionName) -> type[_Section]:
    """The model of a section, as the record declares it."""
    annotation = Record.model_fields[section].annotation
    return next(t for t in (*get_args(annotation), annotation) if isinstance(t, type))


SECTION_MODELS: dict[SectionName, type[_Section]] = {s: _section_model(s) for s in SECTION_NAMES}


def flatten_record(data: dict[str, Any]) -> dict[str, Any]:
    """Flatten a record's JSON dict into contract field paths, in contract order."""
    flat: dict[str, Any] = {}
    for section in SECTION_NAMES:
        body = data.get(section) or {}
        if section == "financials":
            for metric in METRICS:
                for part in Metric.model_fields:
                    flat[f"financials.{metric}.{part}"] = (body.get(metric) or {}).get(part)
            continue
        for name in SECTION_MODELS[section].model_fields:
            flat[f"{section}.{name}"] = body.get(name)
    return flat


def record_json_schema() -> dict[str, Any]:
    """The JSON Schema of the record (``extract schema``)."""
    return Record.model_json_schema()

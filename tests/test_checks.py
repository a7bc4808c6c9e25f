"""The filing's own arithmetic: which figures it confirms, which are in conflict."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from extract.checks import check_record, printed_precision
from extract.config import Settings
from extract.core.schema import Evidence, Record, Source
from extract.pipeline import extract_file, extract_text

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("value", "quote", "precision"),
    [
        ("5333486253.17", "营业收入 5,333,486,253.17", "0.005"),
        ("5333000000", "实现营业收入53.33亿元", "500000"),  # 0.01亿元 / 2
        ("467049000", "收入467,049413,71312.9%", "500"),  # run together, in thousands
        ("1.18", "1.18", "0.005"),
        ("-0.0855", "HK(8.55) cents", "0.00005"),
        ("12.9", "", "0.05"),  # no quote: its own last decimal
    ],
)
def test_printed_precision(value: str, quote: str, precision: str) -> None:
    assert printed_precision(Decimal(value), quote) == Decimal(precision)


def record(values: dict[str, object], quotes: dict[str, str] | None = None) -> Record:
    """A record with ``values`` at their paths, each quoted as printed."""
    data: dict[str, dict[str, object]] = {}
    for path, value in values.items():
        section, rest = path.split(".", 1)
        if section == "financials":
            metric, part = rest.split(".")
            data.setdefault(section, {}).setdefault(metric, {})[part] = value  # type: ignore[index]
        else:
            data.setdefault(section, {})[rest] = value
    evidence = {
        path: Evidence(quote=(quotes or {}).get(path, str(value)), start=i, end=i + 1)
        for i, (path, value) in enumerate(values.items())
    }
    source = Source(path="x", sha256="0", chars=1, encoding="utf-8")
    return Record(source=source, evidence=evidence, **data)  # type: ignore[arg-type]


def test_value_prior_and_change_confirm_each_other() -> None:
    checks = check_record(
        record(
            {
                "financials.revenue.value": 5333486253.17,
                "financials.revenue.prior": 5271345801.64,
                "financials.revenue.change_pct": 1.18,
                "financials.weighted_roe.value": 6.09,
                "financials.weighted_roe.prior": 6.44,
                "financials.weighted_roe.change_pp": -0.35,
            }
        )
    )
    assert set(checks.status.values()) == {"confirmed"} and len(checks.status) == 6
    assert checks.warnings == []


def test_a_change_taken_from_the_wrong_column_is_a_conflict_with_a_warning() -> None:
    checks = check_record(
        record(
            {
                "financials.revenue.value": 1709371136.50,  # the quarter alone
                "financials.revenue.prior": 1940000000.00,
                "financials.revenue.change_pct": -10.32,  # the year to date's change
            }
        )
    )
    assert checks.status == dict.fromkeys(
        ("financials.revenue.value", "financials.revenue.prior", "financials.revenue.change_pct"),
        "conflict",
    )
    (warning,) = checks.warnings
    assert "financials.revenue.change_pct -10.32 ('-10.32')" in warning


def test_net_profit_minus_deducted_is_the_non_recurring_total() -> None:
    values = {
        "financials.net_profit_attributable.value": 26160244.60,
        "financials.net_profit_attributable_deducted.value": 17347160.22,
        "financials.non_recurring_total.value": 8813084.38,
    }
    assert set(check_record(record(values)).status.values()) == {"confirmed"}
    values["financials.non_recurring_total.value"] = 8813084.83  # two digits swapped
    assert set(check_record(record(values)).status.values()) == {"conflict"}


def test_dividend_total_and_base() -> None:
    values = {
        "dividend.cash_per_10_shares": 1.2,
        "dividend.total_shares": 824157988,
        "dividend.excluded_treasury_shares": 5205476,
        "dividend.share_base": 818952512,
        "dividend.total_cash": 98274301.44,
    }
    checks = check_record(record(values, {"dividend.cash_per_10_shares": "1.20"}))
    assert checks.status == dict.fromkeys(values, "confirmed")


def test_buyback_money_paid_lies_between_the_prices() -> None:
    values = {
        "buyback.shares_repurchased": 5205476,
        "buyback.price_low": 100.10,
        "buyback.price_high": 150.00,
        "buyback.amount_paid": 620000000.0,
    }
    quotes = {"buyback.amount_paid": "6.2亿元"}
    assert set(check_record(record(values, quotes)).status.values()) == {"confirmed"}
    values["buyback.amount_paid"] = 1180000000.0  # a plan ceiling, not what was paid
    quotes["buyback.amount_paid"] = "11.80亿元"
    assert set(check_record(record(values, quotes)).status.values()) == {"conflict"}


def test_an_inequality_can_only_fail() -> None:
    holds = {
        "financials.net_profit_attributable.value": 100.0,
        "financials.basic_eps.value": 0.21,
        "financials.diluted_eps.value": 0.20,
    }
    assert check_record(record(holds)).status == {}
    fails = {**holds, "financials.diluted_eps.value": 0.25}
    assert check_record(record(fails)).status == {
        "financials.basic_eps.value": "conflict",
        "financials.diluted_eps.value": "conflict",
    }


def test_a_failing_identity_is_data_naming_its_figures() -> None:
    """The re-ask names the identity and asks about its figures: both come from here."""
    values = {
        "dividend.cash_per_10_shares": 1.2,
        "dividend.share_base": 818952512,
        "dividend.total_cash": 98274301.44 * 2,
    }
    (conflict,) = check_record(record(values)).conflicts
    assert conflict.identity == (
        "dividend.total_cash = dividend.cash_per_10_shares × dividend.share_base / 10"
    )
    assert conflict.record_paths() == [
        "dividend.total_cash",
        "dividend.cash_per_10_shares",
        "dividend.share_base",
    ]
    assert [f.quote for f in conflict.figures] == ["196548602.88", "1.2", "818952512"]
    values["dividend.total_cash"] = 98274301.44
    assert check_record(record(values)).conflicts == []


def test_every_seed_record_is_free_of_conflicts() -> None:
    """A conflict on a correct record would be a bug in a check."""
    for seed in sorted((ROOT / "examples" / "filings").glob("*.txt")):
        result = extract_file(seed, Settings(backend="rules"))
        assert [w for w in result.warnings if w.startswith("checks")] == [], seed.name
        assert "conflict" not in result.checks.values()


def test_the_record_carries_its_checks() -> None:
    text = (
        "2024年半年度报告\n主要会计数据和财务指标\n单位:元币种:人民币\n"
        "主要会计数据 本报告期 上年同期 本报告期比上年同期增减(%)\n"
        "营业收入 5,333,486,253.17 5,271,345,801.64 1.18\n"
    )
    result = extract_text(text, Settings(backend="rules"))
    assert result.checks == {
        "financials.revenue.value": "confirmed",
        "financials.revenue.prior": "confirmed",
        "financials.revenue.change_pct": "confirmed",
    }

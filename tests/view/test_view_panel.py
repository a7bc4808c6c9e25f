"""extract.view.panel: the record's sections and fields as the side panel shows them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from extract.config import Settings
from extract.core.schema import METRICS, SECTION_NAMES, MetricKind
from extract.pipeline import extract_file
from extract.view.panel import Evidence, build_panel, check_status, format_number, format_value

ROOT = Path(__file__).resolve().parents[2]
SEED_003 = ROOT / "examples" / "filings" / "003_de5880db65f9c6a7.txt"  # HKEX interim results


def forecast_record() -> dict[str, Any]:
    """A 业绩预告 (a loss as a range) whose cross-checks have run."""
    return {
        "source": {"path": "x.txt", "sha256": "0", "chars": 100, "encoding": "utf-8"},
        "filing": {"company_name": "示例股份有限公司", "document_type": "results_forecast"},
        "financials": {
            "net_profit_attributable": {"low": -70000000.0, "high": -60000000.0},
            "weighted_roe": {"value": 5.2, "prior": 3.5, "change_pp": 1.7},
            "revenue": {"value": 5333486253.17, "prior": None, "change_pct": -1.18},
        },
        "dividend": {"declared": False},
        "buyback": None,
        "incentive": None,
        "checks": {
            "financials.net_profit_attributable": "confirmed",
            "financials.revenue.value": "conflict",
            "financials.weighted_roe.value": "something else",
        },
    }


def test_every_section_in_contract_order_with_its_stated_fields() -> None:
    record = extract_file(SEED_003, Settings(backend="rules")).model_dump(mode="json")
    evidence = {path: Evidence(f"e{i}", None) for i, path in enumerate(record["evidence"])}
    panel = build_panel(record, evidence)
    assert [s.name for s in panel] == list(SECTION_NAMES)
    filing, financials = panel[0], panel[1]
    assert filing.applies and "company_name" in [r.label for r in filing.rows]
    assert [c.text for c in filing.rows[0].columns[0]] == ["江西一脉阳光集团股份有限公司"]
    revenue = next(r for r in financials.rows if r.label == "revenue")
    assert [[c.text for c in cells] for cells in revenue.columns] == [
        ["467,049,000"],
        ["413,713,000"],
        ["+12.9%"],
    ]
    assert revenue.columns[0][0].mark == evidence["financials.revenue.value"].mark
    stated = {r.label for r in financials.rows}
    assert set(financials.not_stated) == set(METRICS) - stated
    buyback, incentive = panel[3], panel[4]
    assert [r.label for r in buyback.rows] == [
        "as_of",
        "shares_repurchased",
        "price_high",
        "price_low",
        "amount_paid",
    ]
    assert not incentive.applies and not incentive.rows


def test_ranges_changes_booleans_and_check_status() -> None:
    panel = {s.name: s for s in build_panel(forecast_record(), {})}
    rows = {r.label: r for r in panel["financials"].rows}
    loss = rows["net_profit_attributable"]
    assert [c.text for c in loss.columns[0]] == ["-70,000,000", "-60,000,000"]
    assert {c.status for c in loss.columns[0]} == {"confirmed"}  # checked as a metric
    roe = rows["weighted_roe"]
    assert [[c.text for c in cells] for cells in roe.columns] == [["5.2%"], ["3.5%"], ["+1.7 pp"]]
    assert roe.columns[0][0].status == ""  # an unknown status is no status
    revenue = rows["revenue"]
    assert revenue.columns[0][0].status == "conflict"
    assert revenue.columns[1] == ()  # no prior stated
    assert [c.text for c in revenue.columns[2]] == ["-1.18%"]
    assert revenue.columns[0][0].mark is None  # no evidence given, nothing to link to
    dividend = panel["dividend"]
    assert [(r.label, r.columns[0][0].text) for r in dividend.rows] == [("declared", "no")]
    assert "cash_per_10_shares" in dividend.not_stated


def test_a_record_without_checks_has_no_status() -> None:
    record = forecast_record()
    del record["checks"]
    cells = [c for s in build_panel(record, {}) for r in s.rows for col in r.columns for c in col]
    assert cells and {c.status for c in cells} == {""}


def test_check_status_falls_back_to_the_metric() -> None:
    checks = {"financials.revenue": "confirmed", "financials.revenue.prior": "conflict"}
    assert check_status("financials.revenue.value", checks) == "confirmed"
    assert check_status("financials.revenue.prior", checks) == "conflict"
    assert check_status("dividend.total_cash", checks) == ""


def test_numbers_read_as_people_read_them() -> None:
    assert format_number(5333486253.17) == "5,333,486,253.17"
    assert format_number(824157988) == "824,157,988"
    assert format_number(93000000.0) == "93,000,000"
    assert format_number(0.046) == "0.046"
    assert format_number(797934412.6, MetricKind.money) == "797,934,412.60"
    assert format_number(93000000.0, MetricKind.money) == "93,000,000"
    assert format_number(0.123456, MetricKind.money) == "0.123456"  # as stored, never rounded
    assert format_number(4.93, MetricKind.percent) == "4.93%"
    assert format_value(True) == "yes"
    assert format_value("2024年限制性股票\n激励计划") == "2024年限制性股票 激励计划"

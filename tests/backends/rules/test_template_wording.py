"""Wording the CSRC templates prescribe for announcements none of the example filings is.

The example filings hold no 业绩预告, 权益分派实施公告 or 回购进展公告; these sentences follow
the exchanges' announcement templates word for word (with invented figures), so that the
rules for those document types are exercised.
"""

from __future__ import annotations

from typing import Any

from extract.backends.rules.buyback import extract_buyback
from extract.backends.rules.dividend import extract_dividend
from extract.load.document import Document
from extract.pipeline import extract_text

FORECAST_PROFIT = (
    "证券代码:600000 证券简称:示例股份 公告编号:2025-003\n示例股份有限公司\n2024年年度业绩预告\n"
    "一、本期业绩预告情况\n(一)业绩预告期间\n2024年1月1日至2024年12月31日。\n(二)业绩预告情况\n"
    "1.经财务部门初步测算,预计2024年年度实现归属于母公司所有者的净利润为5,000万元到6,000万元,"
    "与上年同期相比,将增加2,000万元到3,000万元,同比增加66.67%到100.00%。\n"
)
FORECAST_LOSS_TABLE = (
    "项目 本报告期 上年同期\n归属于上市公司股东的净利润 亏损:6,000万元–8,000万元 盈利:3,000万元\n"
)
IMPLEMENTATION = (
    "本次利润分配以方案实施前的公司总股本824,157,988股为基数,每股派发现金红利0.12元(含税),"
    "共计派发现金红利98,898,958.56元。"
)
BUYBACK_PROGRESS = (
    "截至2024年9月30日,公司通过集中竞价交易方式已累计回购股份120.5万股,占公司总股本的比例为"
    "0.15%,回购成交的最高价为32.10元/股,最低价为28.05元/股,支付的资金总额为人民币36,512,345.00元"
    "(不含交易费用)。"
)


def financials_of(text: str) -> dict[str, Any]:
    record = extract_text(text)
    assert record.financials is not None
    return record.financials.model_dump()


def test_forecast_range_fills_low_and_high_and_leaves_value_null() -> None:
    metric = financials_of(FORECAST_PROFIT)["net_profit_attributable"]
    assert (metric["low"], metric["high"], metric["value"]) == (50_000_000, 60_000_000, None)
    assert extract_text(FORECAST_PROFIT).filing.document_type == "results_forecast"


def test_forecast_loss_range_is_negative_low_below_high() -> None:
    record = extract_text("2024年年度业绩预告\n" + FORECAST_LOSS_TABLE)
    assert record.financials is not None and record.financials.net_profit_attributable is not None
    metric = record.financials.net_profit_attributable
    assert (metric.low, metric.high, metric.value) == (-80_000_000, -60_000_000, None)


def test_dividend_stated_per_share_is_stored_per_ten_shares() -> None:
    result = extract_dividend(Document.from_text(IMPLEMENTATION))
    values = {k: v.value for k, v in result.fields.items()}
    assert values["cash_per_10_shares"] == 1.2
    assert values["share_base"] == 824157988
    assert values["total_cash"] == 98898958.56


def test_buyback_progress_in_wan_shares_and_paid_total() -> None:
    result = extract_buyback(Document.from_text(BUYBACK_PROGRESS))
    values = {k: v.value for k, v in result.fields.items()}
    assert values["shares_repurchased"] == 1_205_000
    assert values["pct_of_total_shares"] == 0.15
    assert (values["price_high"], values["price_low"]) == (32.10, 28.05)
    assert values["amount_paid"] == 36512345.00
    assert str(values["as_of"]) == "2024-09-30"


SZSE_BUYBACK_PROGRESS = (
    "截至2024年9月30日,公司通过回购专用证券账户以集中竞价交易方式累计回购公司股份1,234,567股,"
    "占公司目前总股本的0.56%,最高成交价为12.34元/股,最低成交价为10.00元/股,成交总金额为"
    "13,456,789.00元(不含交易费用)。"
)


def test_szse_buyback_progress_wording() -> None:
    result = extract_buyback(Document.from_text(SZSE_BUYBACK_PROGRESS))
    values = {k: v.value for k, v in result.fields.items()}
    assert values["shares_repurchased"] == 1_234_567
    assert values["pct_of_total_shares"] == 0.56
    assert (values["price_high"], values["price_low"]) == (12.34, 10.00)
    assert values["amount_paid"] == 13456789.00
    assert str(values["as_of"]) == "2024-09-30"


QUARTERLY_KEY_TABLE = (
    "2024年第三季度报告\n一、主要财务数据\n(一)主要会计数据和财务指标\n单位:元币种:人民币\n"
    "项目 本报告期 本报告期比上年同期增减变动幅度(%) 年初至报告期末 "
    "年初至报告期末比上年同期增减变动幅度(%)\n"
    "营业收入 2,345,678,901.23 12.34 6,789,012,345.67 8.90\n"
    "归属于上市公司股东的净利润 345,678,901.23 -5.67 901,234,567.89 3.21\n"
    "本报告期末 上年度末 本报告期末比上年度末增减变动幅度(%)\n"
    "总资产 30,000,000,000.00 28,000,000,000.00 7.14\n"
)


def test_quarterly_table_value_is_the_year_to_date() -> None:
    """The contract's value of a quarterly report is the year-to-date column (年初至报告期末),
    with its change; the quarter alone is not part of the contract."""
    record = extract_text(QUARTERLY_KEY_TABLE)
    assert record.filing.document_type == "quarterly_report"
    fin = financials_of(QUARTERLY_KEY_TABLE)
    assert fin["revenue"] == {
        "value": 6789012345.67,
        "prior": None,
        "change_pct": 8.9,
        "change_pp": None,
        "low": None,
        "high": None,
    }
    assert fin["net_profit_attributable"]["change_pct"] == 3.21
    assert fin["total_assets"]["prior"] == 28_000_000_000  # balances do print last year end


# SZSE third quarter with restated comparatives (上年同期 调整前 | 调整后), flattened: each row
# prints the quarter's group, then the year to date's (w025's rows as FinGLM renders them)
QUARTERLY_RESTATED = (
    "2025年第三季度报告\n一、主要财务数据\n(一)主要会计数据和财务指标\n"
    "本报告期 上年同期 本报告期比上年同期增减 "
    "年初至报告期末 上年同期 年初至报告期末比上年同期增减\n"
    "调整前 调整后 调整后 调整前 调整后 调整后\n"
    "加权平均净资产收益率 2.62% 2.84% 2.84% -0.22% 11.47% 14.99% 14.99% -3.52%\n"
    "营业收入(元) 6,500,000,000.00 6,000,000,000.00 6,100,000,000.00 6.56% "
    "20,000,000,000.00 18,000,000,000.00 18,500,000,000.00\n"
)


def test_quarterly_flattened_rows_read_the_year_to_date_group_or_nothing() -> None:
    fin = financials_of(QUARTERLY_RESTATED)
    roe = fin["weighted_roe"]
    assert (roe["value"], roe["prior"], roe["change_pp"]) == (11.47, 14.99, -3.52)
    # the year to date's group lacks its change: its cells cannot be told apart, so no figure
    assert fin["revenue"] is None or fin["revenue"]["value"] != 6_500_000_000


HKEX_PROFIT_WARNING = (
    "盈利預警\n本公司董事會謹此知會本公司股東及潛在投資者,根據對本集團未經審核綜合管理賬目的初步評估,"
    "本集團預期截至2025年6月30日止六個月錄得虧損介乎約60百萬港元至70百萬港元,而截至2024年6月30日"
    "止六個月則錄得溢利約15百萬港元。\n"
)


def test_hkex_profit_warning_loss_range() -> None:
    record = extract_text(HKEX_PROFIT_WARNING)
    assert record.filing.document_type == "results_forecast"
    fin = financials_of(HKEX_PROFIT_WARNING)
    assert (fin["profit_for_period"]["low"], fin["profit_for_period"]["high"]) == (
        -70_000_000,
        -60_000_000,
    )
    assert fin["profit_for_period"]["value"] is None


def forecast(body: str) -> dict[str, Any]:
    head = "证券代码:000000 证券简称:示例 公告编号:2025-001\n2024年度业绩预告\n"
    record = extract_text(head + body)
    assert record.financials is not None
    return {
        f"{metric}.{part}": value
        for metric, parts in record.financials.model_dump().items()
        if parts
        for part, value in parts.items()
        if value is not None
    }


def test_szse_forecast_table_labels_and_per_share_range() -> None:
    got = forecast(
        "项目 本报告期 上年同期\n"
        "归属于上市公司股东的净利润 盈利:12,000万元–15,000万元 盈利:9,876.54万元\n"
        "扣除非经常性损益后的净利润 盈利:11,000万元–14,000万元 盈利:9,000.12万元\n"
        "基本每股收益 盈利:0.11元/股–0.14元/股 盈利:0.09元/股\n"
    )
    assert got == {
        "net_profit_attributable.low": 120_000_000,
        "net_profit_attributable.high": 150_000_000,
        "net_profit_attributable_deducted.low": 110_000_000,
        "net_profit_attributable_deducted.high": 140_000_000,
        "basic_eps.low": 0.11,
        "basic_eps.high": 0.14,
    }


def test_forecast_labels_broken_around_their_row() -> None:
    # pdftotext: 归属于上市公司 / the row / 股东的净利润 (the line breaks go in normalising)
    got = forecast(
        "项目 本报告期 上年同期\n归属于上市公司\n"
        "亏损：17,000 万元–19,000 万元 盈利：1,806.98 万元\n"
        "股东的净利润\n扣除非经常性损\n亏损：14,700 万元–16,700 万元 亏损：3,579.94 万元\n"
        "益后的净利润\n营业收入 124,500 万元–127,500 万元 155,803.09 万元\n"
    )
    assert (got["net_profit_attributable.low"], got["net_profit_attributable.high"]) == (
        -190_000_000,
        -170_000_000,
    )
    assert got["net_profit_attributable_deducted.low"] == -167_000_000
    assert got["revenue.high"] == 1_275_000_000


def test_a_loss_named_by_its_label() -> None:
    got = forecast(
        "预计上半年归属于上市公司股东的净亏损6000万元-8500万元，而上年同期亏损7757.27万元。"
    )
    assert (got["net_profit_attributable.low"], got["net_profit_attributable.high"]) == (
        -85_000_000,
        -60_000_000,
    )


def test_last_years_figures_of_a_forecast_are_not_the_period() -> None:
    got = forecast(
        "1.预计2024年年度实现归属于母公司所有者的净利润为45,000万元到52,000万元。\n"
        "二、上年同期经营业绩和财务状况\n(一)营业收入:30,600.00万元。归属于母公司所有者的净利润:"
        "31,500.00万元。归属于母公司所有者的扣除非经常性损益的净利润:29,200.00万元。\n"
    )
    assert got == {
        "net_profit_attributable.low": 450_000_000,
        "net_profit_attributable.high": 520_000_000,
    }

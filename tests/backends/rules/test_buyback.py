"""Rules for ``buyback.*``: repurchase progress in SSE prose and HKEX 购回 tables.

Whole files are checked field by field against eval/gold (loaded here); snippets are
verbatim passages of the example filings.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import gold_support
import pytest
from gold_support import CORPUS, SEEDS, gold, same
from shared_files import assert_verbatim

from extract.backends.rules.buyback import extract_buyback
from extract.load.document import Document

SECTION = "buyback"


def extracted(stem: str) -> tuple[dict[str, Any], bool]:
    flat, present, _ = gold_support.extracted(SECTION, stem)
    return flat, present


def applicable(stems: list[str]) -> list[str]:
    return gold_support.applicable(SECTION, stems)


def gold_params(stems: list[str], known: dict[tuple[str, str], str]) -> list[Any]:
    return gold_support.gold_params(SECTION, stems, known)


KNOWN: dict[tuple[str, str], str] = {}


# --- whole files against the gold ---------------------------------------------------------------


@pytest.mark.parametrize(("stem", "path", "want", "tolerance"), gold_params(SEEDS + CORPUS, KNOWN))
def test_field_equals_gold(stem: str, path: str, want: Any, tolerance: float | None) -> None:
    flat, _ = extracted(stem)
    assert same(flat[path], want, tolerance), (flat[path], want)


@pytest.mark.parametrize("stem", applicable(SEEDS), ids=lambda s: s[:3])
def test_seed_fields_the_gold_does_not_list_are_null(stem: str) -> None:
    flat, _ = extracted(stem)
    listed = set(gold(stem)["fields"])
    assert {k: v for k, v in flat.items() if k not in listed and v is not None} == {}


@pytest.mark.parametrize("stem", SEEDS + CORPUS, ids=lambda s: s[:3])
def test_section_applies_as_in_gold(stem: str) -> None:
    """Includes d07: the stabilising manager's market purchases are not a repurchase."""
    _, present = extracted(stem)
    assert present is bool(gold(stem)["sections"][SECTION])


# --- snippets -------------------------------------------------------------------------------------

# 000: plan and progress in prose (full-width punctuation, pdftotext line breaks)
REVIEW_BUYBACK = (
    "股份回购方面，2023 年 8 月 22 日，基于对未来发展的信心和对公司价值的\n\n认可，为建立完善长效激"
    "励机制，"
    "公司发布回购方案，回购资金总额不低于 4亿\n\n元（含），不超过 8 亿元（含）。截至 2024 年 6 月 3"
    "0 日，"
    "公司已累计回购股份\n\n5,160,476 股，占公司总股本的比例为 0.63%，购买的最高价为 140.00 元/股，"
    "\n\n"
    "最低价为 102.20 元/股，已支付的总金额为 561,263,835.84 元（不含印花税、\n\n交易佣金等交易费用"
    "）。"
)
# 001 (notes, 三、公司基本情况): the cumulative progress
INTERIM_NOTE = (
    "2023 年 8 月 22 日,经本公司第一届董事会第二十二次会议,审议通过了《关于以集中竞价 交易方式回购"
    "公司股份"
    "方案的议案》。根据议案,截止 2024 年 6 月 30 日,公司已累计回购股份 5,160,476 股,占公司总股本的"
    "比例为 "
    "0.63%。购买的最高价为每股 140.00 元,最低价为每股 102.20 元,已支付的总金额为 561,263,835.84 元"
    "(不含印花税、交易佣金等交易费用)。"
)
# 001 (notes, 56、库存股): the period's purchases only
INTERIM_PERIOD_ONLY = (
    "截止至 2024 年 6 月 30 日,本公司本报告期内累计回购公司股份 649,064 股,支付总金额为 76,767,264."
    "23 元。"
)
# 003 (HKEX): prose total, then the monthly table run together
HKEX_REPURCHASE = (
    "于报告期内,本公司在联交所购回合共846,000股份(「已购回股份」),总代价\n\n(不包括费用)为14,217,04"
    "0港元。"
    "已购回股份的详情载列如下:\n\n已购回\n\n股份数目\n\n已付每股价格总代价\n\n月份最高最低(未计开支"
    ")\n\n"
    "(港元)(港元)(港元)\n\n2025年5月535,50019.8416.689,905,170\n\n2025年6月310,50014.5213.384,311,8"
    "70\n\n"
    "总计846,00019.8413.3814,217,040\n\n截至2025年6月30日,本公司持有846,000股库存股份,"
)

SNIPPETS = {
    "examples/filings/000_e5b525805bf4026b.txt": [REVIEW_BUYBACK],
    "examples/filings/001_815c9fc6d423563f.txt": [INTERIM_NOTE, INTERIM_PERIOD_ONLY],
    "examples/filings/003_de5880db65f9c6a7.txt": [HKEX_REPURCHASE],
}


def test_snippets_are_verbatim() -> None:
    assert_verbatim(SNIPPETS)


def values(text: str) -> tuple[dict[str, Any], bool, list[str]]:
    result = extract_buyback(Document.from_text(text))
    return {k: v.value for k, v in result.fields.items()}, result.applies, result.warnings


def test_progress_in_prose_with_the_plan() -> None:
    got, applies, warnings = values(REVIEW_BUYBACK)
    assert applies and warnings == []
    assert got == {
        "plan_date": date(2023, 8, 22),
        "plan_amount_min": 400000000,
        "plan_amount_max": 800000000,
        "as_of": date(2024, 6, 30),
        "shares_repurchased": 5160476,
        "pct_of_total_shares": 0.63,
        "price_high": 140.00,
        "price_low": 102.20,
        "amount_paid": 561263835.84,
    }


def test_progress_in_the_notes() -> None:
    got, applies, _ = values(INTERIM_NOTE)
    assert applies
    assert got["plan_date"] == date(2023, 8, 22)
    assert got["as_of"] == date(2024, 6, 30)
    assert got["shares_repurchased"] == 5160476
    assert got["price_high"] == 140.00 and got["price_low"] == 102.20
    assert got["amount_paid"] == 561263835.84
    assert "plan_amount_min" not in got


def test_hkex_repurchase_with_run_together_price_table() -> None:
    got, applies, warnings = values(HKEX_REPURCHASE)
    assert applies and warnings == []
    assert got["shares_repurchased"] == 846000
    assert got["amount_paid"] == 14217040  # 港元
    assert got["price_high"] == 19.84 and got["price_low"] == 13.38


def test_fuller_statement_wins_over_a_period_figure() -> None:
    # 001 prints both statements, far apart; the cumulative progress is the report's
    got, _, _ = values(
        INTERIM_NOTE + " 本财务报表由董事会于 2024 年 8 月 29 日批准报出。 " + INTERIM_PERIOD_ONLY
    )
    assert got["shares_repurchased"] == 5160476 and got["amount_paid"] == 561263835.84


def test_figures_of_one_record_come_from_one_statement() -> None:
    # 001's period sentence (649,064 股) printed just before the cumulative one: the record is
    # the cumulative statement, its figures all its own
    got, _, _ = values(INTERIM_PERIOD_ONLY + " " + INTERIM_NOTE)
    assert (got["shares_repurchased"], got["amount_paid"]) == (5160476, 561263835.84)
    assert got["pct_of_total_shares"] == 0.63


def test_plan_without_progress_does_not_apply() -> None:
    plan_only = REVIEW_BUYBACK.split("截至")[0]
    got, applies, _ = values(plan_only)
    assert not applies
    assert "shares_repurchased" not in got and "amount_paid" not in got


def test_no_repurchase_words_no_section() -> None:
    got, applies, _ = values("董事会不建议派付报告期内的任何中期股息。")
    assert not applies and got == {}


# --- the exchanges' wordings (invented figures) ---------------------------------------------------


def test_month_end_is_the_last_day_of_the_month() -> None:
    got, applies, _ = values(
        "截至2024年2月底，公司已累计通过股票回购专用账户以集中竞价方式回购股份5,630,404股，约占公司"
        "总股本0.32%，支付的总金额为30,489,026.56元（不含交易费用），最高成交价为5.99元/股，"
        "最低成交价为5.10元/股。"
    )
    assert applies and got["as_of"] == date(2024, 2, 29)
    assert (got["price_high"], got["price_low"]) == (5.99, 5.10)
    assert got["amount_paid"] == 30489026.56


def test_a_price_range_gives_both_prices() -> None:
    got, _, _ = values(
        "截至2024年7月19日，公司累计回购股份8,399,000股，占总股本0.7121%，成交价格区间为4.31元/股"
        "至7.56元/股，已使用资金总额为47,346,644.00元（不含交易费用）。"
    )
    assert (got["price_low"], got["price_high"]) == (4.31, 7.56)
    assert got["amount_paid"] == 47346644.00


def test_prices_in_the_wrong_order_are_dropped() -> None:
    got, _, warnings = values(
        "截至2024年7月19日，公司累计回购股份8,399,000股，最高成交价为4.31元/股，最低成交价为7.56元/股。"
    )
    assert "price_high" not in got and "price_low" not in got
    assert warnings == ["price_low is above price_high; both dropped"]


def test_a_plans_estimates_are_no_repurchase() -> None:
    got, applies, _ = values(
        "按回购金额上限2亿元、回购价格上限12.50元/股测算，预计可回购股份数量约为16,000,000股，约占公司"
        "目前总股本的3.20%。回购股份数量 166.67 万股~333.33 万股（依照回购价格上限测算）"
    )
    assert not applies and got == {}


def test_restricted_shares_repurchased_for_cancellation_are_no_repurchase() -> None:
    got, applies, _ = values(
        "公司决定回购注销24名激励对象所持有的已获授但尚未解除限售的限制性股票，回购股份1,139,154股，"
        "回购价格为5.12元/股。"
    )
    assert not applies and "shares_repurchased" not in got


def test_a_notice_dated_on_its_publication_takes_the_signature_date() -> None:
    got, _, _ = values(
        "截止到本公告披露日，公司通过回购专用证券账户以集中竞价交易方式累计回购公司股份1,856,300股，"
        "占公司总股本的0.93%。\n特此公告。\n示例医疗器械股份有限公司\n董事会\n2024年6月4日\n"
    )
    assert got["as_of"] == date(2024, 6, 4)


def test_the_months_purchases_and_the_cumulative_figures_in_one_sentence() -> None:
    got, _, _ = values(
        "2024年6月，公司通过集中竞价交易方式回购股份1,250,000股，支付的资金总额为人民币"
        "35,012,345.00元，截至2024年6月30日，公司已累计回购股份9,876,543股，占公司总股本的比例"
        "为0.16%，支付的资金总额为人民币271,234,567.89元（不含交易费用）。"
    )
    assert got["as_of"] == date(2024, 6, 30)
    assert (got["shares_repurchased"], got["amount_paid"]) == (9876543, 271234567.89)


def test_prices_stated_as_highest_and_lowest_of_the_trades() -> None:
    got, _, _ = values(
        "截至2024年9月30日，公司累计回购股份3,000,000股，成交价格最高为12.50元/股，最低为10.80元/股，"
        "成交总金额为35,000,000.00元。"
    )
    assert (got["price_high"], got["price_low"]) == (12.50, 10.80)


def test_an_hkex_repurchase_in_traditional_chinese() -> None:
    got, applies, _ = values(
        "於2024年5月20日，本公司於香港聯合交易所有限公司購回合共800,000股本公司股份，總代價約為"
        "8,016,000港元（未計開支），佔本公司已發行股份總數約0.04%。已付每股最高及最低價格分別為"
        "10.10港元及9.95港元。"
    )
    assert applies and got["as_of"] == date(2024, 5, 20)
    assert (got["shares_repurchased"], got["amount_paid"]) == (800000, 8016000)
    assert (got["price_high"], got["price_low"], got["pct_of_total_shares"]) == (10.10, 9.95, 0.04)

"""Grounding: every number an LLM returns must be printed in the passages it was shown."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from shared_files import gold_document
from table_documents import document

from extract.backends.llm.answers import (
    ANSWERS,
    Answer,
    BuybackAnswer,
    DividendAnswer,
    FilingAnswer,
    FinancialsAnswer,
    IncentiveAnswer,
)
from extract.backends.llm.ground import Dropped, Grounder
from extract.backends.llm.passage import Passage
from extract.load.document import Document, read_document

A_SHARE = """证券代码:688271 证券简称:联影医疗 公告编号:2024-061
上海联影医疗科技股份有限公司2024年半年度报告
报告期内,公司实现营业收入53.33亿元,同比增长1.18%。
主要会计数据 单位:元 币种:人民币
营业收入 5,333,486,253.17 5,271,345,801.64 1.18
经营活动产生的现金流量净额 -624,592,418.17 -511,459,688.40 不适用
加权平均净资产收益率(%) 4.93 5.22 降低0.29个百分点
每10股派发现金红利人民币1.20元(含税),合计拟派发现金红利98,274,301.44元(含税)。
首次授予 2023 年 8 月 31 日 78 元/股 374.19 万股 1,594 人
第一个归属期为2024年9月2日至2025年8
月29日。股票来源:公司回购的 A 股普通股股票。
上海联影医疗科技股份有限公司董事会
2024年8月29日
"""

HKEX = """江西一脉阳光集团股份有限公司 股份代號:2522
截至2025年6月30日止六個月 人民幣千元
收入 4 467,049413,713
期內虧損 (26,892) (12,001)
董事會建議派發中期股息每股0.12港元。
"""


def whole(doc: Document) -> list[Passage]:
    return [Passage(0, len(doc.text), doc.text)]


def ground(text: str, answer: Answer, passages: list[Passage] | None = None) -> Any:
    doc = Document.from_text(text)
    result = Grounder(doc).ground(answer, passages if passages is not None else whole(doc))
    quotes = {path: doc.text[f.start : f.end] for path, f in result.found.items()}
    return result, quotes


def fin(**metrics: dict[str, Any]) -> FinancialsAnswer:
    return FinancialsAnswer.model_validate(metrics)


def test_table_money_grounds_exactly() -> None:
    result, quotes = ground(A_SHARE, fin(revenue={"value": 5333486253.17, "prior": 5271345801.64}))
    assert not result.ungrounded
    assert quotes == {"revenue.value": "5,333,486,253.17", "revenue.prior": "5,271,345,801.64"}


# w025 (SZSE annual report): the PDF prints a figure of the key table across two lines of
# its cell; the model reads the cell whole
W025_KEY = """归属于上市公司股东的扣除非经常性损益的净利润
2,186,279
,898.42
2,752,277
,369.56
-20.56%
"""


def test_a_number_a_cell_prints_across_lines_grounds_at_the_cell() -> None:
    label = "归属于上市公司股东的扣除非经常性损益的净利润"
    doc = document(W025_KEY, [[label, "2,186,279\n,898.42", "2,752,277\n,369.56", "-20.56%"]])
    answer = fin(net_profit_attributable_deducted={"value": 2186279898.42, "prior": 2752277369.56})
    result = Grounder(doc).ground(answer, whole(doc))
    assert not result.ungrounded
    quotes = {path: doc.text[f.start : f.end] for path, f in result.found.items()}
    assert quotes["net_profit_attributable_deducted.value"] == "2,186,279\n,898.42"
    assert quotes["net_profit_attributable_deducted.prior"] == "2,752,277\n,369.56"
    # the same figures in text, not a cell: two numbers, neither of them the one asked for
    plain = Document.from_text(W025_KEY)
    assert Grounder(plain).ground(answer, whole(plain)).ungrounded


def test_a_loss_per_share_printed_in_cents_grounds_in_currency() -> None:
    """w030 (HKEX annual report): 每股虧損 printed in HK cents; the contract wants HK$."""
    text = "Loss per share 每股虧損\nBasic 基本 15 HK(8.55) cents 港仙 HK(10.23) cents 港仙\n"
    result, quotes = ground(text, fin(basic_eps={"value": -0.0855, "prior": -0.1023}))
    assert not result.ungrounded
    assert quotes == {"basic_eps.value": "(8.55)", "basic_eps.prior": "(10.23)"}
    # a per-share figure printed without a cents unit is not read as cents
    result, _ = ground("Basic 基本 15 HK$(8.55)\n", fin(basic_eps={"value": -0.0855}))
    assert result.ungrounded


def test_prose_money_grounds_at_its_printed_precision_only() -> None:
    result, quotes = ground(A_SHARE, fin(total_assets={"value": 5333000000}))
    assert quotes == {"total_assets.value": "53.33亿元"}
    # the same figure with invented digits, or left in 亿元, is not printed anywhere
    for invented in (5333400000, 53.33 * 10**7, 53.33):
        result, _ = ground(A_SHARE, fin(total_assets={"value": invented}))
        assert [d.path for d in result.ungrounded] == ["total_assets.value"], invented


def test_percentages_points_and_negative_numbers() -> None:
    answer = fin(
        revenue={"change_pct": 1.18},
        weighted_roe={"value": 4.93, "prior": 5.22, "change_pp": -0.29},
        operating_cash_flow={"value": -624592418.17},
    )
    result, quotes = ground(A_SHARE, answer)
    assert not result.ungrounded
    assert quotes["weighted_roe.change_pp"] == "0.29"
    assert quotes["operating_cash_flow.value"] == "-624,592,418.17"


def test_hkex_thousands_run_together_columns_and_parentheses() -> None:
    answer = fin(
        revenue={"value": 467049000, "prior": 413713000},
        profit_for_period={"value": -26892000, "prior": -12001000},
    )
    result, _ = ground(HKEX, answer)
    assert not result.ungrounded, result.ungrounded


def test_hkex_per_share_dividend_grounds_per_10_shares() -> None:
    result, quotes = ground(HKEX, DividendAnswer(declared=True, cash_per_10_shares=1.2))
    assert not result.ungrounded
    assert quotes["cash_per_10_shares"] == "0.12港元"


def test_shares_with_units_dates_and_text() -> None:
    answer = IncentiveAnswer(
        grant_date=date(2023, 8, 31),
        grant_price=78,
        vesting_start=date(2024, 9, 2),
        vesting_end=date(2025, 8, 29),
        share_source="公司回购的A股普通股股票",
        participants_vesting=1594,
    )
    result, quotes = ground(A_SHARE, answer)
    assert not result.ungrounded
    assert quotes["vesting_end"] == "2025年8\n月29日"
    assert quotes["share_source"] == "公司回购的A股普通股股票"
    shares, _ = ground(A_SHARE, IncentiveAnswer(shares_vesting=3741900))
    assert not shares.ungrounded


def test_identity_fields() -> None:
    answer = FilingAnswer.model_validate(
        {
            "company_name": "上海联影医疗科技股份有限公司",
            "stock_code": "688271",
            "exchange": "SSE",
            "title": "2024年半年度报告",
            "announcement_no": "2024-061",
            "publication_date": "2024-08-29",
            "currency": "CNY",
            "quotes": {"exchange": "证券代码:688271"},
        }
    )
    result, quotes = ground(A_SHARE, answer)
    assert not result.ungrounded
    assert quotes["exchange"] == "证券代码:688271"
    assert result.found["publication_date"].value == date(2024, 8, 29)


def test_invented_values_are_not_grounded() -> None:
    answer = IncentiveAnswer(
        shares_vesting=9999999, grant_date=date(2023, 9, 1), share_source="定向增发的股票"
    )
    result, _ = ground(A_SHARE, answer)
    assert not result.found
    assert {d.path for d in result.ungrounded} == {"shares_vesting", "grant_date", "share_source"}


def test_only_the_passages_shown_to_the_model_count() -> None:
    doc = Document.from_text(A_SHARE)
    start = doc.text.index("每10股")
    passages = [Passage(start, start + 40, doc.text[start : start + 40])]
    result = Grounder(doc).ground(fin(revenue={"value": 5333486253.17}), passages)
    assert [d.path for d in result.ungrounded] == ["revenue.value"]


def test_a_figure_inside_a_passage_that_holds_another_grounds() -> None:
    """Passages may nest: a table's rows read from flattened text span the lines between
    them, and a line of its own may stand inside that span."""
    doc = Document.from_text(A_SHARE)
    outer = (doc.text.index("主要会计数据"), doc.text.index("每10股"))
    label = doc.text.index("营业收入", outer[0])
    inner = label, label + len("营业收入")
    passages = [
        Passage(outer[0], outer[1], doc.text[outer[0] : outer[1]]),
        Passage(inner[0], inner[1], doc.text[inner[0] : inner[1]]),
    ]
    answer = fin(weighted_roe={"value": 4.93}, revenue={"value": 5333486253.17})
    assert not Grounder(doc).ground(answer, passages).ungrounded


def test_the_occurrence_nearest_the_quote_is_the_evidence() -> None:
    text = "A表 营业收入 1.18\n其他说明文字若干。\nB表 增长率 1.18%\n"
    answer = fin(revenue={"change_pct": 1.18})
    answer.quotes = {"revenue.change_pct": "增长率 1.18%"}
    result, quotes = ground(text, answer)
    doc = Document.from_text(text)
    assert result.found["revenue.change_pct"].start > doc.text.index("B表")
    assert quotes["revenue.change_pct"] == "1.18"


def test_dropped_warning_names_path_and_value() -> None:
    assert Dropped("revenue.value", 123.0).warning() == (
        "revenue.value: 123 not found in the source; dropped"
    )


def test_settle_keeps_a_corrected_value_and_drops_the_rest() -> None:
    doc = Document.from_text(A_SHARE)
    grounder = Grounder(doc)
    first = grounder.ground(
        IncentiveAnswer(grant_price=77.0, participants_vesting=4242), whole(doc)
    )
    retry = grounder.ground(IncentiveAnswer(grant_price=78.0), whole(doc))
    found, warnings = first.settle(retry)
    assert found["grant_price"].value == 78.0
    assert warnings == ["participants_vesting: 4242 not found in the source; dropped"]


def test_buyback_answer_grounds_in_prose() -> None:
    text = (
        "截至2024年6月30日,公司通过集中竞价交易方式已累计回购股份5,205,476股,占公司总股本的0.63%,"
        "回购成交的最高价为150.00元/股,最低价为100.10元/股,支付的资金总额为人民币6.2亿元。"
    )
    answer = BuybackAnswer(
        as_of=date(2024, 6, 30),
        shares_repurchased=5205476,
        pct_of_total_shares=0.63,
        price_high=150.0,
        price_low=100.1,
        amount_paid=620000000,
    )
    result, _ = ground(text, answer)
    assert not result.ungrounded


# --- no true value is ever dropped -------------------------------------------------------

ROOT = Path(__file__).resolve().parents[3]
GOLD = sorted((ROOT / "eval" / "gold").glob("*.yaml"))


def gold_answers(gold: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The gold values of one filing, shaped as the LLM's answers."""
    answers: dict[str, dict[str, Any]] = {}
    for path, spec in (gold.get("fields") or {}).items():
        value = spec.get("value") if isinstance(spec, dict) else spec
        if value is None:
            continue
        section, rest = path.split(".", 1)
        if section == "financials":
            metric, part = rest.split(".", 1)
            answers.setdefault(section, {}).setdefault(metric, {})[part] = value
        else:
            answers.setdefault(section, {})[rest] = value
    return answers


@pytest.mark.parametrize("gold_file", GOLD, ids=[path.stem for path in GOLD])
def test_every_gold_value_grounds_in_its_filing(gold_file: Path) -> None:
    """Answering exactly the gold labels, nothing may be dropped (prose 亿元, 千元 tables,
    HKEX run-together columns with notes, dates across line breaks, per-share dividends)."""
    gold = yaml.safe_load(gold_file.read_text(encoding="utf-8"))
    doc = read_document(gold_document(gold["document"]))
    grounder = Grounder(doc)
    for section, values in gold_answers(gold).items():
        answer = ANSWERS[section].model_validate(values)
        assert grounder.ground(answer, whole(doc)).ungrounded == [], section

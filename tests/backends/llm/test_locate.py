"""Passage location: chunks on boundaries, BM25 per section, budgets, offsets."""

from __future__ import annotations

import math
import re
from itertools import pairwise

import pytest
from llm_answers import SEED_001, SEED_004
from shared_files import WILD_DIR, need
from table_documents import COLUMN_PRINTED, document

from extract.backends.llm.answers import FinancialsAnswer
from extract.backends.llm.ground import Grounder
from extract.backends.llm.locate import Locator, _row_terms, locate
from extract.backends.llm.plan import Planner
from extract.backends.llm.query import section_budget
from extract.backends.llm.search import BM25, chunk_text, column_blocks, tokenize
from extract.config import Settings
from extract.load.document import Document, read_document

SECTIONS = ("filing", "financials", "dividend", "buyback", "incentive")


@pytest.fixture(scope="module")
def doc001() -> Document:
    return read_document(SEED_001)


@pytest.fixture(scope="module")
def locator001(doc001: Document) -> Locator:
    return Locator(doc001)


def test_tokens_are_cjk_bigrams_words_and_numbers() -> None:
    # a bag of tokens: BM25 counts them, their order does not matter
    assert sorted(tokenize("营业收入 Revenue 5,333.17 元")) == sorted(
        [
            "营业",
            "业收",
            "收入",
            "revenue",
            "5,333.17",
            "元",
        ]
    )


def test_chunks_cover_the_text_within_size_and_keep_numbers_whole(doc001: Document) -> None:
    text = doc001.text
    chunks = chunk_text(text, 400, 800)
    assert chunks[0][0] == 0 and chunks[-1][1] == len(text)
    assert all(a == prev_b for (_, prev_b), (a, _) in pairwise(chunks))
    assert max(b - a for a, b in chunks) <= 800
    sizes = sorted(b - a for a, b in chunks)
    assert sizes[len(sizes) // 2] >= 400  # most chunks are full
    for _, b in chunks[:-1]:
        assert not (re.match(r"[\d,.]", text[b - 1]) and re.match(r"[\d,.]", text[b])), text[
            b - 9 : b + 9
        ]


def test_chunks_end_on_lines_and_sentences() -> None:
    text = "第一句话。" * 100 + "\n" + "表格行 1,234 5,678\n" * 50
    for a, b in chunk_text(text, 400, 800)[:-1]:
        assert text[b - 1] in "。\n", text[a:b][-10:]


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        ("financials", "营业收入5,333,486,253.17"),
        ("financials", "基本每股收益(元/股) 1.16"),
        ("dividend", "每10股派发现金红利人民币1.20元(含税)"),
        ("filing", "公司代码:688271"),
    ],
)
def test_the_right_passages_are_found_in_a_274k_report(
    locator001: Locator, section: str, expected: str
) -> None:
    passages = locator001.passages(section, 4000)
    assert any(expected in p.text for p in passages), [p.text[:60] for p in passages]


@pytest.mark.parametrize("section", SECTIONS)
def test_passages_fit_the_budget_in_document_order_with_offsets(
    doc001: Document, locator001: Locator, section: str
) -> None:
    passages = locator001.passages(section, 3000)
    assert passages and sum(len(p.text) for p in passages) <= 3000
    assert [p.start for p in passages] == sorted(p.start for p in passages)
    text = [p for p in passages if doc001.text[p.start : p.end] == p.text]
    for p in passages:
        if p not in text:  # a table read from the flattened text: its lines, in its span
            assert all(line in doc001.text[p.start : p.end] for line in p.text.split("\n"))
    for before, after in pairwise(text):
        assert before.end < after.start  # adjacent chunks were merged


def test_filing_passages_are_the_first_and_last_lines(
    doc001: Document, locator001: Locator
) -> None:
    passages = locator001.passages("filing", 1500)
    assert passages[0].start == 0
    assert passages[-1].end == len(doc001.text)


# w011 (SZSE interim report): the code only in the company profile, the date only as the
# board's approval of the statements in the notes; pages of other text around them
W011_PROFILE = "第二节公司简介和主要财务指标一、公司简介股票简称凯莱英股票代码002821.SZ/6821.HK\n"
W011_APPROVAL = "本财务报表业经本公司董事会于2025年8月25日决议批准。\n"
FILLER = "公司严格按照相关法律法规的要求,不断完善公司治理结构,规范公司运作。\n" * 60


def test_filing_passages_show_the_line_of_a_code_or_a_date_the_ends_do_not_reach() -> None:
    cover = "凯莱英医药集团(天津)股份有限公司\n2025年半年度报告\n"
    doc = Document.from_text(cover + FILLER + W011_PROFILE + FILLER + W011_APPROVAL + FILLER)
    passages = locate(doc, "filing", 1200)
    shown = "".join(p.text for p in passages)
    assert W011_PROFILE.strip() in shown and W011_APPROVAL.strip() in shown
    assert all(p.text == doc.text[p.start : p.end] for p in passages)
    assert sum(len(p.text) for p in passages) <= 1200


# w052 (HKEX annual report): the date is printed only where the board approves the statements,
# an English sentence wrapped onto the next line
W052_APPROVAL = (
    "The consolidated financial statements on pages 50 to 135 were\n"
    "approved and authorised for issue by the board of directors on\n"
    "29 December 2021 and are signed on its behalf by:\n"
)


def test_an_english_line_term_shows_its_sentence_across_line_breaks() -> None:
    cover = "Annual Report\n2020/21\nCAPITAL VC LIMITED\n"
    filler = "The Company is an investment company listed under Chapter 21 of the Rules.\n" * 60
    doc = Document.from_text(cover + filler + W052_APPROVAL + filler)
    shown = "".join(p.text for p in locate(doc, "filing", 1200))
    assert "authorised for issue by the board of directors on\n29 December 2021" in shown


def test_filing_passages_end_with_the_closing_date_when_the_last_chunk_is_too_long() -> None:
    """002 (SSE incentive notice): the board's signature and date end a chunk longer than
    what the cover leaves the close; the close's share of the text's end is shown."""
    cover = "上海联影医疗科技股份有限公司关于2023年限制性股票激励计划\n首次授予部分第一个归属期\n"
    annexes = "(一)《上海联影医疗科技股份有限公司第二届董事会第十三次会议决议》;\n" * 4
    close = "特此公告。\n上海联影医疗科技股份有限公司董事会\n2024年10月15日"
    doc = Document.from_text(cover + FILLER + "八、上网公告附件\n" + annexes + close)
    passages = locate(doc, "filing", 600)
    assert passages[-1].text.endswith("董事会\n2024年10月15日")
    assert all(p.text == doc.text[p.start : p.end] for p in passages)
    assert sum(len(p.text) for p in passages) <= 600


def test_filing_passages_take_a_flattened_balance_sheets_date_line(locator001: Locator) -> None:
    """001 has no grid: its balance sheet's heading line, read from the text, names the end
    of the period (the cover prints only 2024年半年度报告)."""
    shown = [p.text for p in locator001.passages("filing", 1500)]
    assert any(text.startswith("合并资产负债表2024年6月30日编制单位:") for text in shown)


def test_a_short_document_is_one_passage() -> None:
    doc = Document.from_text("证券代码:600000 公告编号:2024-001\n每10股派发现金红利1.00元(含税)。")
    (passage,) = locate(doc, "dividend", 4000)
    assert passage.start == 0 and passage.text == doc.text


def test_a_section_the_document_never_mentions_gets_no_passage() -> None:
    doc = Document.from_text("今天天气很好,我们去公园散步。\n" * 200)
    assert locate(doc, "buyback", 1000) == []


def test_heading_chunks_are_boosted(locator001: Locator) -> None:
    scores = locator001.scores("financials")
    best = max(range(len(scores)), key=scores.__getitem__)
    a, b = locator001.chunks[best]
    assert "主要会计数据" in locator001.document.text[a:b]


def test_the_seed_incentive_passages_hold_every_gold_figure() -> None:
    """With the budget the LLM backend really gives the section."""
    doc = read_document(SEED_004)
    budget = Planner(Settings(model="m", base_url="http://x/v1")).passage_budget("incentive")
    text = "".join(p.text for p in locate(doc, "incentive", budget))
    for quote in (
        "1,079,160股",
        "77.63元/股",
        "78元/股",
        "20.00%",
        "2024年9月2日",
        "股票来源:公司",
    ):
        assert quote in text, quote


def test_section_budgets_keep_a_full_run_near_three_budgets() -> None:
    total = sum(section_budget(s, 6000) for s in SECTIONS)
    assert 15000 <= total < 20000


def test_a_focus_searches_only_the_labels_of_the_missing_fields(locator001: Locator) -> None:
    """Auto mode: the rules read the main table; the LLM gets the R&D table instead."""
    plain = "".join(p.text for p in locator001.passages("financials", 2000))
    focused = "".join(
        p.text for p in locator001.passages("financials", 2000, focus=["rd_investment"])
    )
    assert "营业收入5,333,486,253.17" in plain
    assert "研发投入合计1,017,049,362.82" in focused.replace(" ", "")


def test_a_flattened_report_shows_the_statement_rows_the_key_table_lacks(
    locator001: Locator,
) -> None:
    """001 is one 274,000-character line: no grid, so its tables are read from the text as
    the rules read them. The year's profit is printed only in the income statement, the R&D
    total only in the R&D table: each comes as its heading's line and that row."""
    budget = Planner(Settings(backend="llm")).passage_budget("financials", ())
    passages = locator001.passages("financials", budget)
    shown = {p.text.split("\n")[-1]: p for p in passages if "\n" in p.text}
    profit = shown["五、净利润(净亏损以“-”号填944,565,326.24 939,697,458.84"]
    assert profit.text.startswith("合并利润表2024年1—6月单位:元币种:人民币项目附注2024年半年度")
    assert shown["研发投入合计1,017,049,362.82 915,371,652.69 11.11"].text.startswith(
        "研发投入情况表"
    )
    text = locator001.document.text
    for passage in shown.values():  # every figure shown stands in the passage's span
        for line in passage.text.split("\n"):
            assert line in text[passage.start : passage.end]
    # the parent company's income statement prints the same labels with its own profit
    assert not any("983,874,696.73" in p.text for p in passages)
    assert sum(len(p.text) for p in passages) <= budget


def test_text_inside_the_parent_company_statements_is_never_chosen(locator001: Locator) -> None:
    text = locator001.document.text
    parent = text.index("983,874,696.73")  # 母公司利润表: 四、净利润
    group = text.index("944,565,326.24")  # 合并利润表: 五、净利润
    chunk_of = {a: i for i, (a, _) in enumerate(locator001.chunks)}
    at = sorted(chunk_of)
    inside = [chunk_of[max(a for a in at if a <= pos)] for pos in (parent, group)]
    assert [locator001._other[i] for i in inside] == [True, False]


def test_a_figure_in_a_tables_caption_grounds_within_the_tables_passage() -> None:
    """w036 (HKEX annual report, a text layer run right to left): the line above the balance
    sheet, shown as its caption, is the income statement's last row, the loss per share."""
    text = (
        "綜合損益及其他全面收益表(續)\n"
        "每股虧損-基本及攤薄 人民幣(0.007)元 人民幣(0.136)元\n"
        "綜合財務狀況表\n"
        "二零二二年 二零二一年\n"
        "資產總值 55,229,834 45,600,302\n"
    )
    doc = document(
        text, [["", "二零二二年", "二零二一年"], ["資產總值", "55,229,834", "45,600,302"]]
    )
    passages = Locator(doc).passages("financials", 2000)
    (table,) = [p for p in passages if "資產總值 | 55,229,834" in p.text]
    assert "人民幣(0.007)元" in table.text
    answer = FinancialsAnswer.model_validate({"basic_eps": {"value": -0.007, "prior": -0.136}})
    assert not Grounder(doc).ground(answer, [table]).ungrounded  # the table alone


# --- BM25 -----------------------------------------------------------------------------------


def test_bm25_score_of_a_single_occurrence_in_an_average_document_is_the_idf() -> None:
    # tf 1 and a document of average length: tf·(k1+1)/(tf + k1) = 1, so the score is the
    # idf, ln((N - df + 0.5)/(df + 0.5)) = ln(2.5/1.5) for a token in one of three documents
    bm25 = BM25([["营业", "收入"], ["净利", "润额"], ["总资", "产额"]])
    assert bm25.scores(["营业"]) == pytest.approx([math.log(2.5 / 1.5), 0.0, 0.0])


def test_bm25_counts_a_repeated_query_token_again_and_ignores_unknown_ones() -> None:
    bm25 = BM25([["营业", "收入"], ["净利", "润额"], ["总资", "产额"]])
    once = bm25.scores(["营业"])
    assert bm25.scores(["营业", "营业", "未知"]) == pytest.approx([2 * once[0], 0.0, 0.0])


def test_bm25_more_occurrences_score_higher_but_saturate() -> None:
    docs = [["营业"] * n + ["其他"] * (8 - n) for n in (1, 2, 4, 8)] + [["其他"] * 8] * 8
    scores = BM25(docs).scores(["营业"])
    assert scores[0] < scores[1] < scores[2] < scores[3]
    assert scores[3] - scores[2] < scores[1] - scores[0]  # term-frequency saturation
    assert scores[4:] == [0.0] * 8


def test_bm25_a_token_in_most_documents_keeps_a_small_positive_weight() -> None:
    # its raw idf is negative; it is raised to a quarter of the mean idf, never below zero
    docs = [["公司", f"t{i}"] for i in range(9)] + [[f"t{i}"] for i in range(9, 12)]
    bm25 = BM25(docs)
    common, rare = bm25.idf("公司"), bm25.idf("t0")
    assert 0 < common < rare
    assert bm25.scores(["公司"])[0] > 0 and bm25.scores(["公司"])[-1] == 0.0


# --- the statements first --------------------------------------------------------------------


def test_a_quarterly_reports_statements_give_the_year_to_date_priors() -> None:
    """w002 (SSE third quarter): the key table prints this year's year-to-date figures and
    their changes; last year's are only in the statements. The financials passages take the
    key table and the statements' rows of the section's fields first, within the budget."""
    doc = read_document(need(WILD_DIR / "w002_zhaoyanxinyao_603127_q3_2023Q3.pdf"))
    passages = Planner(Settings(backend="llm")).plan_all(doc, ["financials"])["financials"].passages
    shown = "\n".join(p.text for p in passages)
    for figure in ("1,276,392,981.45", "630,972,596.29"):  # revenue, net profit: 2022 Q1–Q3
        assert figure in shown
    income = next(p.text for p in passages if "1,276,392,981.45" in p.text)
    assert "利息收入" not in income  # a row naming no field of the section is left out


@pytest.mark.parametrize(
    ("label", "named"),
    [
        ("其中:营业收入", True),
        ("利息收入", False),  # 收入 is half of 营业收入, a third of 利息收入
        ("手续费及佣金收入", False),
        ("五、净利润(净亏损以“-”号填列)", True),  # the remark in brackets aside
        ("Revenue 收入", True),
        ("NET CASH USED IN OPERATING ACTIVITIES 經營活動所用之現金淨額", True),
    ],
)
def test_a_statement_row_is_kept_when_its_label_names_a_field(label: str, named: bool) -> None:
    assert _row_terms("financials", ())(label) is named


def test_chinese_broken_over_a_line_is_tokenized_whole() -> None:
    """A PDF line breaks inside a word (占营业收\\n入比例): the bigram across the break counts."""
    assert "收入" in tokenize("研发投入 2.86 亿元，占营业收\n入比例 8.96%")


def test_auto_mode_takes_first_only_the_tables_naming_a_missing_field() -> None:
    """Asked only for revenue, the statements that print no revenue row (the balance sheet,
    the cash flow statement) are not taken ahead of the search."""
    doc = read_document(need(WILD_DIR / "w002_zhaoyanxinyao_603127_q3_2023Q3.pdf"))
    planner = Planner(Settings(backend="auto"))
    budget = planner.passage_budget("financials", ("revenue",))
    shown = "\n".join(p.text for p in Locator(doc).passages("financials", budget, ("revenue",)))
    assert "1,276,392,981.45" in shown  # last year's year-to-date revenue: the statement
    assert "资产总计" not in shown and "经营活动现金流入小计" not in shown


STATEMENTS = """合并利润表
项目 2023年前三季度 2022年前三季度
营业总收入 1,587,079,779.38 1,276,392,981.45
营业成本 902,114,310.17 640,237,115.42
合并现金流量表
单位:元 币种:人民币
项目 2023年前三季度 2022年前三季度
销售商品、提供劳务收到的现金 1,402,358,671.93 1,536,115,202.27
经营活动产生的现金流量净额 448,440,218.42 778,262,613.66
"""


def test_a_table_naming_no_field_asked_for_is_not_taken_first() -> None:
    """Asked only for revenue: the income statement is taken ahead of the search, the cash
    flow statement (no revenue row) is not."""
    doc = document(
        STATEMENTS,
        [
            ["项目", "2023年前三季度", "2022年前三季度"],
            ["营业总收入", "1,587,079,779.38", "1,276,392,981.45"],
            ["营业成本", "902,114,310.17", "640,237,115.42"],
        ],
        [
            ["项目", "2023年前三季度", "2022年前三季度"],
            ["销售商品、提供劳务收到的现金", "1,402,358,671.93", "1,536,115,202.27"],
            ["经营活动产生的现金流量净额", "448,440,218.42", "778,262,613.66"],
        ],
    )
    shown = "\n".join(p.text for p in Locator(doc).passages("financials", 400, ("revenue",)))
    assert "1,276,392,981.45" in shown
    assert "448,440,218.42" not in shown


# w034 (HKEX interim report): the statement prints the gross profit and its comparative, the
# management discussion its change, in a sentence; other prose names it without a change
GROSS_PROFIT_CHANGE = (
    "中期簡明綜合損益及其他全面收益表\n"
    "截至六月三十日止六個月 二零二三年 二零二二年\n"
    "收入 11,551,515 9,980,131\n"
    "毛利 1,854,183 1,453,318\n"
    "期內溢利 170,012 206,096\n"
    + "本集團的毛利主要來自新能源板塊,新能源板塊的毛利率維持穩定。\n"
    * 3
    + "毛利及毛利率本集團來自持續經營業務的毛利由二零二二年同期約人民幣1,453,318,000元"
    "增加約人民幣400,865,000元或28%至回顧期約人民幣1,854,183,000元。\n"
)


def gross_profit_document() -> Document:
    return document(
        GROSS_PROFIT_CHANGE,
        [
            ["截至六月三十日止六個月", "二零二三年", "二零二二年"],
            ["收入", "11,551,515", "9,980,131"],
            ["毛利", "1,854,183", "1,453,318"],
            ["期內溢利", "170,012", "206,096"],
        ],
    )


def test_a_change_alone_wanted_is_looked_for_where_a_change_is_stated() -> None:
    """Auto mode, the rules having read the gross profit and its comparative: the statement
    (no change column) is not taken for it, the sentence stating its change is."""
    locator = Locator(gross_profit_document())
    shown = "\n".join(
        p.text for p in locator.passages("financials", 300, ("gross_profit",), ("gross_profit",))
    )
    assert "或28%" in shown
    assert "11,551,515" not in shown
    wanted = locator.passages("financials", 300, ("gross_profit",))
    figures_wanted = "\n".join(p.text for p in wanted)
    assert "毛利 | 1,854,183 | 1,453,318" in figures_wanted  # its figures wanted: the statement


def test_a_sentence_naming_a_field_without_a_change_is_not_a_change() -> None:
    locator = Locator(gross_profit_document())
    scores = locator._change_scores("financials", ("gross_profit",))
    stating = [locator._texts[i] for i, s in enumerate(scores) if s > 0]
    assert stating and all("或28%" in text for text in stating)


def test_a_table_printed_column_by_column_is_one_unit() -> None:
    text = "公司经营情况良好,各项业务稳步推进。" * 30 + "\n" + COLUMN_PRINTED
    (block,) = column_blocks(text)
    assert "□是√否\n2019年" in text[block[0] : block[1]]
    assert text[block[0] : block[1]].endswith("0.1593")
    chunks = chunk_text(text, 100, 200)  # smaller than the block: the block is not cut
    assert any(a <= block[0] and block[1] <= b for a, b in chunks)


def test_prose_with_figures_is_no_column_block() -> None:
    prose = (
        "报告期内,公司实现营业收入925,158,518.22元,较上年同期下降34.77%,主要系产品价格下降所致。\n"
    )
    assert column_blocks(prose * 6) == []


# --- tables of a kind, and tables naming several fields ---------------------------------------

# d01 (SZSE annual report 2019): the three years' cash dividends, a table whose fields are
# named in its header, after prose the search would rather take
DIVIDEND_HISTORY = """公司近三年(包括本报告期)普通股现金分红情况表
单位:元
分红年度 现金分红金额(含税) 现金分红金额占合并报表中归属于上市公司普通股股东的净利润的比率
2019年 64,350,000.00 16.00%
2018年 64,350,000.00 17.93%
"""


def test_the_dividend_history_table_is_taken_before_the_search() -> None:
    prose = "公司持续完善公司治理,董事会依法运作。\n" * 40 + 3 * (
        "公司2019年度利润分配预案为:以总股本429,000,000股为基数,向全体股东每10股派发现金红利"
        "1.50元(含税),现金分红64,350,000.00元(含税),不送红股,不以公积金转增股本。\n"
    )
    doc = document(
        prose + DIVIDEND_HISTORY,
        [
            [
                "分红年度",
                "现金分红金额(含税)",
                "现金分红金额占合并报表中归属于上市公司普通股股东的净利润的比率",
            ],
            ["2019年", "64,350,000.00", "16.00%"],
            ["2018年", "64,350,000.00", "17.93%"],
        ],
    )
    shown = "\n".join(p.text for p in Locator(doc).passages("dividend", 400))
    assert "2019年 | 64,350,000.00 | 16.00%" in shown


# d09 (a bank's annual report 2019, HTML): the key table's balances are a grid of their own,
# far below its heading (notes between), under no heading of a kind
BALANCES = """人民币百万元,另有标注除外
项目 2019年12月31日 2018年12月31日
报告期末数据
资产总额 10,216,706 9,516,211
客户贷款总额 4,974,186 4,276,865
归属于银行股东的权益 543,867 474,404
"""


def test_a_table_of_no_kind_naming_several_fields_is_taken_first() -> None:
    # a chunk of prose richer in the section's terms and figures: the search prefers it
    prose = "本行持续完善公司治理,董事会依法运作。\n" * 40 + 3 * (
        "报告期内,本行实现营业收入2,771.16亿元,同比增长6.06%;归属于银行股东的净利润609.33亿元,"
        "同比增长16.48%;基本每股收益0.70元,加权平均净资产收益率11.84%;总资产102,167.06亿元。\n"
    )
    rows = [
        ["项目", "2019年12月31日", "2018年12月31日"],
        ["资产总额", "10,216,706", "9,516,211"],
        ["客户贷款总额", "4,974,186", "4,276,865"],
        ["归属于银行股东的权益", "543,867", "474,404"],
    ]
    doc = document(prose + BALANCES, rows)
    shown = "\n".join(p.text for p in Locator(doc).passages("financials", 400))
    assert "归属于银行股东的权益 | 543,867 | 474,404" in shown
    # the same rows under the parent company's heading are not the group's: not taken
    parent = document(prose + "母公司资产负债表\n" + BALANCES, rows)
    shown = "\n".join(p.text for p in Locator(parent).passages("financials", 400))
    assert "归属于银行股东的权益 | 543,867 | 474,404" not in shown


# w018 (SZSE annual report 2024): the share capital and the repurchased shares the plan
# excludes are in the note printed right after the distribution table
PLAN_AND_NOTE = """本年度利润分配及资本公积金转增股本情况
每10股派息数(元)(含税) 6
分配预案的股本基数(股) 66,166,931.00
截至本报告出具日,公司总股本为66,519,431股,公司回购专用证券账户持有352,500股股份,分配预案的股本基数
66,166,931股为总股本剔除公司回购专用证券账户持有股份数量后的股份总数。
公司报告期内盈利且母公司可供股东分配利润为正但未提出现金红利分配预案
"""


def test_a_distribution_table_comes_with_the_note_after_it() -> None:
    prose = "公司持续完善公司治理,董事会依法运作。\n" * 40 + 3 * (
        "公司2024年度利润分配预案为:以总股本扣除回购专户股份后的股本为基数,向全体股东每10股派发"
        "现金红利6元(含税),送红股0股(含税),不以公积金转增股本。\n"
    )
    after = "公司重视投资者关系管理,与投资者保持顺畅有效的沟通。\n" * 30
    doc = document(
        prose + PLAN_AND_NOTE + after,
        [["每10股派息数(元)(含税)", "6"], ["分配预案的股本基数(股)", "66,166,931.00"]],
    )
    passages = Locator(doc).passages("dividend", 400)
    shown = "\n".join(p.text for p in passages)
    assert "分配预案的股本基数(股) | 66,166,931.00" in shown
    assert "公司总股本为66,519,431股,公司回购专用证券账户持有352,500股股份" in shown
    note = next(p for p in passages if "66,519,431" in p.text)
    assert doc.text[note.start : note.end] == note.text  # grounded where it is printed
    assert note.text.endswith("股份总数。\n")  # its first sentence, no further


# w018 (SZSE annual report 2024): the cover prints the year, not the period's end; the
# balance sheet's date line does
BALANCE_SHEET = """合并资产负债表
2024年12月31日
单位:元
项目 期末余额 期初余额
货币资金 289,466,207.55 248,016,523.62
资产总计 1,346,094,574.06 1,305,766,101.20
"""


def test_the_filing_passages_take_the_balance_sheets_date_line() -> None:
    cover = "广州迈普再生医学科技股份有限公司\n2024年年度报告公告编号:2025-016\n"
    body = "公司持续完善内部控制,各项业务稳步推进,经营情况良好。\n" * 200
    doc = document(
        cover + body + BALANCE_SHEET + body,
        [
            ["项目", "期末余额", "期初余额"],
            ["货币资金", "289,466,207.55", "248,016,523.62"],
            ["资产总计", "1,346,094,574.06", "1,305,766,101.20"],
        ],
    )
    budget = Planner(Settings(backend="llm")).passage_budget("filing")
    passages = Locator(doc).passages("filing", budget)
    texts = [p.text for p in passages]
    assert "2024年12月31日\n单位:元\n项目 | 期末余额 | 期初余额" in texts  # no row of figures

"""Metrics read from tables as grids: which table, which row, which column, which unit."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from table_documents import document, flat_values, highlights_document

from extract.backends.rules.table_metrics import confirmed_row_changes, metrics_from_tables
from extract.load.document import Document
from extract.tables.kinds import classify_tables


def values(doc: Document) -> dict[str, float]:
    return flat_values(metrics_from_tables(doc))


QUARTER = """（一） 主要会计数据和财务指标
单位：元 币种：人民币
项目 本报告期 本报告期比上年同期增减 年初至报告期末 年初至报告期末比上年同期增减
营业收入 1,709,371,136.50 -11.87% 5,067,615,359.89 -10.32%
加权平均净资产收益率 1.53% 减少 0.83 个百分点 3.85% 减少 5.36 个百分点
本报告期末 上年度末 本报告期末比上年度末增减
总资产 30,276,592,021.30 29,680,742,349.17 2.01%
"""


def test_a_quarterly_key_table_gives_the_year_to_date_and_the_balances() -> None:
    doc = document(
        QUARTER,
        [
            [
                "项目",
                "本报告期",
                "本报告期比上年同期增减",
                "年初至报告期末",
                "年初至报告期末比上年同期增减",
            ],
            ["营业收入", "1,709,371,136.50", "-11.87%", "5,067,615,359.89", "-10.32%"],
            ["加权平均净资产收益率", "1.53%", "减少 0.83 个百分点", "3.85%", "减少 5.36 个百分点"],
            ["", "本报告期末", "上年度末", "本报告期末比上年度末增减", ""],
            ["总资产", "30,276,592,021.30", "29,680,742,349.17", "2.01%", ""],
        ],
    )
    assert values(doc) == {
        "revenue.value": 5067615359.89,
        "revenue.change_pct": -10.32,
        "weighted_roe.value": 3.85,
        "weighted_roe.change_pp": -5.36,
        "total_assets.value": 30276592021.30,
        "total_assets.prior": 29680742349.17,
        "total_assets.change_pct": 2.01,
    }
    fields = metrics_from_tables(doc)["revenue"]
    start, end = doc.original_span(fields["value"].start, fields["value"].end)
    assert doc.original[start:end] == "5,067,615,359.89"


STATEMENTS = """会计机构负责人：闫富强
合并利润表
2024 年 1—12 月
单位：元 币种：人民币
项目 2024 年度 2023 年度
五、净利润（净亏损以“－”号填列） 232,093,825.73 501,009,182.39
母公司利润表
项目 2024 年度 2023 年度
四、净利润（净亏损以“－”号填列） 54,351,217.32 41,656,559.98
"""


def test_statement_labels_with_enumerators_and_the_parent_company_ignored() -> None:
    doc = document(
        STATEMENTS,
        [
            ["项目", "2024 年度", "2023 年度"],
            ["五、净利润（净亏损以“－”号填列）", "232,093,825.73", "501,009,182.39"],
        ],
        [
            ["项目", "2024 年度", "2023 年度"],
            ["四、净利润（净亏损以“－”号填列）", "54,351,217.32", "41,656,559.98"],
        ],
    )
    assert classify_tables(doc) == ["income_statement", None]
    assert values(doc) == {
        "profit_for_period.value": 232093825.73,
        "profit_for_period.prior": 501009182.39,
    }


def test_a_heading_inside_a_sentence_names_no_table() -> None:
    text = """报告期内，苏州昭衍主要财务数据如下：
单位：万元
项目 2022.12.31/2022 年 1-12 月 2021.12.31/2021 年 1-12 月
营业收入 154,912.17 98,148.82
"""
    doc = document(
        text,
        [
            ["项目", "2022.12.31/2022 年 1-12 月", "2021.12.31/2021 年 1-12 月"],
            ["营业收入", "154,912.17", "98,148.82"],
        ],
    )
    assert classify_tables(doc) == [None]
    assert values(doc) == {}


HKEX = """CONSOLIDATED STATEMENT OF PROFIT OR LOSS
For the year ended 30 September 2021
Notes 2021 2020
HK$'000 HK$'000
Revenue 收入
Commission and fee income 6 125,343 118,051
Interest income 6 551,469 799,356
676,812 917,407
Loss for the year attributable to owners of the Company (576,094) (689,747)
Loss per share 每股虧損
Basic 基本 15 HK(8.55) cents HK(10.23) cents
"""


def test_an_hkex_statement_in_thousands_with_a_revenue_total_under_its_items() -> None:
    doc = document(
        HKEX,
        [
            ["", "Notes", "2021", "2020"],
            ["", "", "HK$'000", "HK$'000"],
            ["Revenue 收入", "", "", ""],
            ["Commission and fee income", "6", "125,343", "118,051"],
            ["Interest income", "6", "551,469", "799,356"],
            ["", "", "676,812", "917,407"],
            [
                "Loss for the year attributable to owners of the Company",
                "",
                "(576,094)",
                "(689,747)",
            ],
            ["Loss per share 每股虧損", "", "", ""],
            ["Basic 基本", "15", "HK(8.55) cents", "HK(10.23) cents"],
        ],
    )
    assert values(doc) == {
        "revenue.value": 676812000,
        "revenue.prior": 917407000,
        "net_profit_attributable.value": -576094000,
        "net_profit_attributable.prior": -689747000,
        "basic_eps.value": -0.0855,
        "basic_eps.prior": -0.1023,
    }


def test_a_row_label_cut_by_a_page_break() -> None:
    """The key table's row ends a page with half its label; the rest opens the next page."""
    text = """一、主要财务数据
（一） 主要会计数据和财务指标
项目 本报告期 上年同期 本报告期比上年同期增减
归属于上市公司股东的扣除 106,779,578.09 142,734,454.06 -25.19%
上能电气股份有限公司 2025 年第三季度报告
非经常性损益的净利润（元）
"""
    doc = document(
        text,
        [
            ["项目", "本报告期", "上年同期", "本报告期比上年同期增减"],
            ["归属于上市公司股东的扣除", "106,779,578.09", "142,734,454.06", "-25.19%"],
            ["非经常性损益的净利润（元）", "", "", ""],
        ],
    )
    assert values(doc) == {
        "net_profit_attributable_deducted.value": 106779578.09,
        "net_profit_attributable_deducted.prior": 142734454.06,
        "net_profit_attributable_deducted.change_pct": -25.19,
    }


def test_a_wrapped_label_is_read_whole_before_its_last_line() -> None:
    """w052: "…attributable to | equity holders of the Company 權益總額" under the balance sheet
    is equity, though its last line alone reads like the profit's "owners of the Company"."""
    text = """CONSOLIDATED STATEMENT OF FINANCIAL POSITION
2021 2020
二零二一年 二零二零年
HK$ HK$
Reserves 儲備 440,405,067 379,798,657
Total equity attributable to 本公司股權持有人應佔
equity holders of the Company 權益總額 526,214,629 448,670,719
"""
    doc = document(
        text,
        [
            ["CONSOLIDATED STATEMENT OF FINANCIAL POSITION", "", ""],
            ["", "2021", "2020"],
            ["", "二零二一年", "二零二零年"],
            ["", "HK$", "HK$"],
            ["Reserves 儲備", "440,405,067", "379,798,657"],
            ["Total equity attributable to 本公司股權持有人應佔", "", ""],
            ["equity holders of the Company 權益總額", "526,214,629", "448,670,719"],
        ],
    )
    assert values(doc) == {
        "equity_attributable.value": 526214629,
        "equity_attributable.prior": 448670719,
    }


def test_a_five_year_summary_with_years_in_chinese_numerals() -> None:
    text = """FINANCIAL SUMMARY 財務概要
截至 截至
二零二一年 二零二零年
九月三十日 九月三十日
Total assets 資產總值 554,316,595 489,783,797
"""
    doc = document(
        text,
        [
            ["FINANCIAL SUMMARY 財務概要", "", ""],
            ["", "截至", "截至"],
            ["", "二零二一年", "二零二零年"],
            ["", "九月三十日", "九月三十日"],
            ["Total assets 資產總值", "554,316,595", "489,783,797"],
        ],
    )
    assert values(doc) == {"total_assets.value": 554316595, "total_assets.prior": 489783797}


def test_a_header_printed_as_a_line_at_the_foot_of_the_page_before() -> None:
    """w011 (SZSE interim, 主要财务数据同比变动情况): the header line ends page 14, the ruled
    grid of rows opens page 15 after the running header and the page number."""
    text = (
        "主要财务数据同比变动情况\n单位：元\n本报告期 上年同期 同比增减 变动原因\n\f\n"
        "某某股份有限公司 2025 年半年度报告全文\n15\n"
        "营业收入 3,188,306,524.43 2,697,352,097.00 18.20% 不适用\n"
        "研发投入 285,748,241.70 328,687,274.22 -13.06% 不适用\n"
    )
    doc = document(
        text,
        [
            ["营业收入", "3,188,306,524.43", "2,697,352,097.00", "18.20%", "不适用"],
            ["研发投入", "285,748,241.70", "328,687,274.22", "-13.06%", "不适用"],
        ],
    )
    page_start = text.index("某某")
    continued = replace(doc.tables[0], page=2, continued=True)
    doc = Document.from_text(text, page_starts=(0, page_start), tables=[continued])
    assert values(doc) == {
        "rd_investment.value": 285748241.70,
        "rd_investment.prior": 328687274.22,
        "rd_investment.change_pct": -13.06,
    }


def test_a_headerless_grid_with_no_header_line_above_reads_nothing() -> None:
    text = (
        "主要财务数据同比变动情况\n单位：元\n"
        "研发投入 285,748,241.70 328,687,274.22 -13.06% 不适用\n"
    )
    doc = document(text, [["研发投入", "285,748,241.70", "328,687,274.22", "-13.06%", "不适用"]])
    assert values(doc) == {}


# --- tables from HTML and Markdown: read like a PDF's ------------------------------------------

# d09's key table as its HTML prints it, the unit line above it written with a reference
HTML_BANK = (
    "<h>4.财务概要</h><br/><p>主要财务数据</p><br/><p>人民币&ensp;百万元，另有标注除外</p><br/>"
    '<table border="1"><tr>\n <td colspan="1" rowspan="1">项目\n</td> '
    '<td colspan="1" rowspan="1">2019 年\n</td> <td colspan="1" rowspan="1">2018 年\n</td> '
    '<td colspan="1" rowspan="1">2017 年\n</td></tr>\n<tr>\n <td colspan="1" rowspan="1">营业收入\n'
    '</td> <td colspan="1" rowspan="1">276,809\n</td> <td colspan="1" rowspan="1">260,995\n</td> '
    '<td colspan="1" rowspan="1">224,978\n</td></tr>\n</table>'
)

# an SZSE key table with a restated comparative: header cells merged over two rows
HTML_RESTATED = """<p>六、主要会计数据和财务指标</p>
<p>单位：万元</p>
<table>
<tr><td rowspan="2"></td><td rowspan="2">2019年</td><td colspan="2">2018年</td>
<td rowspan="2">本年比上年增减</td></tr>
<tr><td>调整前</td><td>调整后</td><td></td></tr>
<tr><td>营业收入&#65288;万元&#65289;</td><td>27,481.61</td><td>25,100.00</td><td>25,200.00</td>
<td>9.05%</td></tr>
</table>"""

MARKDOWN_KEY = """## 主要会计数据

单位：千元 币种：人民币

| 项目 | 2024年 | 2023年 | 本年比上年增减(%) |
| --- | --- | --- | --- |
| 营业收入 | 467,049 | 413,713 | 12.89 |
"""


def test_an_html_table_under_its_unit_line_is_scaled() -> None:
    doc = Document.from_text(HTML_BANK)
    assert [table.source for table in doc.tables] == ["html"]
    assert classify_tables(doc) == ["key_figures"]
    got = values(doc)
    assert got["revenue.value"] == 276809000000
    assert got["revenue.prior"] == 260995000000  # 2018, not 2017
    found = metrics_from_tables(doc)["revenue"]["value"]
    assert doc.quote(found.start, found.end) == "276,809"


def test_an_html_header_merged_over_two_rows_gives_the_restated_prior() -> None:
    doc = Document.from_text(HTML_RESTATED)
    got = values(doc)
    assert got["revenue.value"] == 274816100
    assert got["revenue.prior"] == 252000000  # 调整后
    assert got["revenue.change_pct"] == 9.05


def test_a_markdown_table_under_its_unit_line_is_scaled() -> None:
    doc = Document.from_text(MARKDOWN_KEY)
    assert [table.source for table in doc.tables] == ["markdown"]
    got = values(doc)
    assert got["revenue.value"] == 467049000
    assert got["revenue.prior"] == 413713000
    assert got["revenue.change_pct"] == 12.89


# d09: the 利润表分析 table prints the change the key table (years side by side) does not
HTML_INCOME_CHANGES = (
    "<h>7.2.1利润表分析</h><br/><p>利润表主要项目变动</p><br/><p>人民币百万元，百分比除外</p><br/>"
    "<table><tr><td>项目</td><td>2019 年</td><td>2018 年</td><td>增（减）额</td>"
    "<td>变动（%）</td></tr>"
    "<tr><td>营业收入</td><td>276,809</td><td>260,995</td><td>15,814</td><td>6.06</td></tr>"
    "<tr><td>归属于银行股东的净利润</td><td>60,933</td><td>52,311</td><td>8,622</td>"
    "<td>16.48</td></tr></table>"
)


def test_a_later_table_adds_the_change_in_percent_not_in_amount() -> None:
    doc = Document.from_text(HTML_BANK + HTML_INCOME_CHANGES)
    assert classify_tables(doc) == ["key_figures", "income_changes"]
    got = values(doc)
    assert got["revenue.value"] == 276809000000
    assert got["revenue.change_pct"] == 6.06  # the percent column, not 增（减）额
    found = metrics_from_tables(doc)["revenue"]["change_pct"]
    assert doc.quote(found.start, found.end) == "6.06"


def test_a_later_table_adds_nothing_to_a_metric_whose_value_differs() -> None:
    changes = HTML_INCOME_CHANGES.replace("276,809", "276,800")
    got = values(Document.from_text(HTML_BANK + changes))
    assert got["revenue.value"] == 276809000000
    assert "revenue.change_pct" not in got


# --- HKEX summaries and statements in Traditional Chinese (w034, w036) ---------------------

FIVE_YEARS = """五年財務概要
截至十二月三十一日止年度 二零二一年 二零二二年
人民幣千元 人民幣千元
收益 20,785,542 21,718,371
年內（虧損）╱溢利 (2,335,758) 408,696
應佔：
本公司權益股東 (2,685,344) (160,981)
非控股權益 349,586 569,677
資產及負債
資產總額 45,600,302 55,229,834
權益總額 17,995,855 18,120,248
應佔：
本公司權益股東 14,180,679 12,039,043
"""


def test_the_owners_share_under_attributable_to_follows_the_row_it_divides() -> None:
    """應佔： under the year's profit gives the owners' profit; under total equity their
    equity, though both rows are labelled 本公司權益股東."""
    rows = [
        line.rsplit(" ", 2) if line[-1].isdigit() or line[-1] == ")" else [line, "", ""]
        for line in FIVE_YEARS.splitlines()[3:]
    ]
    doc = document(
        FIVE_YEARS,
        [
            ["五年財務概要", "", ""],
            ["截至十二月三十一日止年度", "二零二一年", "二零二二年"],
            ["", "人民幣千元", "人民幣千元"],
            *rows,
        ],
    )
    found = values(doc)
    assert found["net_profit_attributable.value"] == -160981000
    assert found["net_profit_attributable.prior"] == -2685344000
    assert found["equity_attributable.value"] == 12039043000
    assert found["equity_attributable.prior"] == 14180679000
    assert found["profit_for_period.value"] == 408696000
    assert found["total_assets.value"] == 55229834000


EPS_AFTER_CONTINUING = """綜合損益及其他全面收益表
二零二三年 二零二二年
人民幣千元 人民幣千元
本公司權益股東應佔來
自持續經營業務虧損之每股虧損
每股基本及攤薄虧損 人民幣(0.013)元 人民幣(0.005)元
本公司權益股東應佔（虧損）╱溢利之
每股（虧損）╱盈利
每股基本及攤薄（虧損）╱盈利 人民幣(0.007)元 人民幣0.002元
"""


def test_eps_under_a_continuing_operations_heading_is_not_the_whole() -> None:
    """The first EPS row is the continuing operations' (its heading says so); the figures
    print their currency (人民幣(0.007)元) in a table in thousands: read as they are."""
    lines = EPS_AFTER_CONTINUING.splitlines()
    rows = [[lines[0], "", ""], ["", "二零二三年", "二零二二年"], ["", "人民幣千元", "人民幣千元"]]
    for line in lines[3:]:
        parts = line.split(" ")
        rows.append(parts if len(parts) == 3 else [line, "", ""])
    found = values(document(EPS_AFTER_CONTINUING, rows))
    assert found == {
        "basic_eps.value": -0.007,
        "basic_eps.prior": 0.002,
        "diluted_eps.value": -0.007,
        "diluted_eps.prior": 0.002,
    }


# --- changes a row confirms ----------------------------------------------------------------

# w018 (ChiNext annual report): 主营业务分析's table of changes, a table of no kind; R&D
# spending's figures come from its own table, its change only from here. d02: all R&D is
# expensed, so 研发费用 prints the same figures, and its change is not R&D spending's.
RD = {"rd_investment": (Decimal("34852812.61"), Decimal("41721209.59"))}


def changes_table(label: str, change: str = "-16.46%") -> Document:
    rows = [
        ["项目", "本报告期", "上年同期", "同比增减"],
        [label, "34,852,812.61", "41,721,209.59", change],
    ]
    return document("\n".join(" ".join(row) for row in rows) + "\n", *[rows])


def test_a_row_printing_a_metrics_figures_gives_the_change_they_confirm() -> None:
    found = confirmed_row_changes(changes_table("研发投入"), RD)
    assert found["rd_investment.change_pct"].value == -16.46


def test_a_row_of_another_item_with_the_same_figures_gives_nothing() -> None:
    assert confirmed_row_changes(changes_table("研发费用"), RD) == {}


def test_a_change_the_figures_do_not_give_is_not_taken() -> None:
    assert confirmed_row_changes(changes_table("研发投入", "-12.00%"), RD) == {}


def test_an_unlabelled_total_under_the_metrics_heading_gives_its_change() -> None:
    """w032's highlights (``table_documents.HIGHLIGHTS``): the total under Revenue."""
    revenue = {"revenue": (Decimal("2263747000"), Decimal("1792728000"))}
    found = confirmed_row_changes(highlights_document(), revenue)
    assert found["revenue.change_pct"].value == 26.3

"""Passages of tables read from text without a grid: a heading's line and the rows asked."""

from __future__ import annotations

from table_documents import COLUMN_PRINTED

from extract.backends.llm.flat_passages import flat_heading_lines, flat_table_passages
from extract.tables.flat_tables import read_flat_tables

# w011 (SZSE interim report, text layer): the supplement's ROE and EPS, columns that are
# metrics, printed across a page break; its key table has no deducted EPS or ROE
W011_ROE_EPS = (
    "2、净资产收益率及每股收益报告期利润加权平均净资产收益率每股收益"
    "凯莱英医药集团(天津)股份有限公司2025年半年度报告全文\n138\n"
    "基本每股收益(元/股)稀释每股收益(元/股)\n"
    "归属于公司普通股股东的净利润\n3.59% 1.68 1.68\n"
    "扣除非经常性损益后归属于公司普通股股东的净利润\n3.29% 1.54 1.54\n"
    "3、境内外会计准则下会计数据差异\n"
)


def test_a_table_of_metric_columns_shows_the_rows_of_the_fields_asked() -> None:
    (passage,) = flat_table_passages(W011_ROE_EPS, ["roe_eps"], {"basic_eps_deducted"}, 1000)
    assert passage.text.startswith("净资产收益率及每股收益报告期利润加权平均净资产收益率")
    deducted = "扣除非经常性损益后归属于公司普通股股东的净利润\n3.29% 1.54 1.54"
    assert deducted in passage.text
    span = W011_ROE_EPS[passage.start : passage.end]
    assert all(line in span for line in passage.text.split("\n"))


def test_nothing_is_shown_for_fields_a_table_taken_already_names() -> None:
    assert flat_table_passages(W011_ROE_EPS, ["roe_eps"], {"revenue"}, 1000) == []
    assert flat_table_passages(W011_ROE_EPS, ["roe_eps"], {"basic_eps_deducted"}, 20) == []


def test_a_flattened_balance_sheets_heading_line_names_the_period_end() -> None:
    text = (
        "公司负责人:张强主管会计工作负责人:王建保会计机构负责人:李萍合并资产负债表2024年6月30日"
        "编制单位:上海联影医疗科技股份有限公司单位:元币种:人民币项目附注2024年6月30日"
        "2023年12月31日流动资产:货币资金七(1) 7,593,614,421.41 8,960,234,542.92"
        "资产总计26,704,521,272.10 25,336,140,321.96"
    )
    (line,) = flat_heading_lines(text, ["balance_sheet"])
    assert line.text.startswith("合并资产负债表2024年6月30日编制单位:")
    assert line.text == text[line.start : line.end]


def test_a_row_inside_a_table_printed_column_by_column_is_not_shown_as_a_row() -> None:
    """d02 (pdftotext without -layout): the key table's labels, then each column's figures;
    the reader finds 基本每股收益 with four figures, but the block is shown whole instead."""
    assert "basic_eps" in read_flat_tables(COLUMN_PRINTED)["key_figures"].rows
    assert flat_table_passages(COLUMN_PRINTED, ["key_figures"], {"basic_eps"}, 1000) == []

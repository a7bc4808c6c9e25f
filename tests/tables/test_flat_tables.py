"""Tables read from flattened text: each kind's rows at its fullest occurrence."""

from __future__ import annotations

from extract.tables.flat_tables import read_flat_tables
from extract.tables.kinds import text_under_other_heading

# 001 (SSE semi-annual report, pdftotext collapsed onto one line): the R&D table, mentioned
# once in prose before it, and the group's then the parent's income statement
FLAT = (
    "公司研发投入10.17亿元,详见研发投入情况表。"
    "3.研发投入情况表单位:元本期数上年同期数变化幅度(%)费用化研发投入826,022,924.17 "
    "885,230,940.23 -6.69资本化研发投入191,026,438.65 30,140,712.46 533.78研发投入合计"
    "1,017,049,362.82 915,371,652.69 11.11研发投入总额占营业收入增加1.7个百分19.07 17.37"
    "比例(%)点 公司负责人:张强主管会计工作负责人:王建保会计机构负责人:李萍合并利润表"
    "2024年1—6月单位:元币种:人民币项目附注2024年半年度2023年半年度一、营业总收入"
    "5,333,486,253.17 5,271,345,801.64五、净利润(净亏损以“-”号填944,565,326.24 "
    "939,697,458.84列) 公司负责人:张强主管会计工作负责人:王建保会计机构负责人:李萍"
    "母公司利润表2024年1—6月单位:元币种:人民币项目附注2024年半年度2023年半年度一、营业收入"
    "3,906,122,389.63 3,908,893,118.60四、净利润(净亏损以“-”号填983,874,696.73 "
    "904,566,705.67列)"
)


def test_each_kind_is_read_at_its_fullest_occurrence() -> None:
    tables = read_flat_tables(FLAT)
    rd = tables["rd"]
    assert FLAT[rd.rows["rd_investment"].label_start :].startswith("研发投入合计1,017,049,362.82")
    # the row is read from the first heading before it: the mention just before the table
    # (the row's own label, 研发投入合计, matches the heading too)
    assert FLAT[rd.regions["rd_investment"].start :].startswith("研发投入10.17亿元,详见")
    income = tables["income_statement"]
    profit = income.rows["profit_for_period"]
    assert [str(c.value) for c in profit.cells] == ["944565326.24", "939697458.84"]
    assert FLAT[income.regions["profit_for_period"].start :].startswith("合并利润表2024年")


def test_text_under_the_parent_company_heading_run_into_the_signature() -> None:
    assert text_under_other_heading(FLAT, FLAT.index("983,874,696.73"))
    assert not text_under_other_heading(FLAT, FLAT.index("944,565,326.24"))
    assert not text_under_other_heading(FLAT, FLAT.index("1,017,049,362.82"))

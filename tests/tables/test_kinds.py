"""Which table is which: a table's kind from the heading printed above it."""

from __future__ import annotations

import pytest
from table_documents import document

from extract.tables.kinds import classify_tables


@pytest.mark.parametrize(
    ("heading", "kind"),
    [
        ("Operational and Financial Highlights", "key_figures"),  # w032, title case
        ("FINANCIAL HIGHLIGHTS", "key_figures"),
        ("公司近三年(包括本报告期)普通股现金分红情况表\n单位:元", "dividend_history"),  # d01
        ("(四)本报告期利润分配及资本公积金转增股本情况\n√适用□不适用", "dividend_plan"),  # w001
        ("本年度利润分配及资本公积金转增股本情况", "dividend_plan"),  # w018
        ("报告期内,公司利润分配及资本公积金转增股本情况如下", None),  # inside a sentence
        # w034: a statement's heading repeated on its next page, run into the page's header
        ("二零二三年中期報告中期簡明綜合損益及其他全面收益表(續)", "income_statement"),
        ("中期簡明綜合財務狀況表(續)", "balance_sheet"),
        ("合并利润表(续)", "income_statement"),
    ],
)
def test_a_tables_kind_is_named_by_the_heading_above_it(heading: str, kind: str | None) -> None:
    text = f"{heading}\n项目 2021 2020\n现金分红金额(含税) 64,350,000.00 64,350,000.00\n"
    doc = document(
        text,
        [
            ["项目", "2021", "2020"],
            ["现金分红金额(含税)", "64,350,000.00", "64,350,000.00"],
        ],
    )
    assert classify_tables(doc) == [kind]

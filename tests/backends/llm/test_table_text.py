"""Tables as the model reads them: rows under their caption, trimmed to the rows asked for."""

from __future__ import annotations

from table_documents import document, highlights_document

from extract.backends.llm.locate import _row_terms
from extract.backends.llm.table_text import table_text
from extract.core.table import Cell, table_from_cells
from extract.load.document import Document

# d01 (SZSE annual report 2019), 本报告期利润分配及资本公积金转增股本情况: the last row is one
# cell merged across the table, which the loader repeats in every column
PLAN = """二、本报告期利润分配及资本公积金转增股本情况
每10股派息数(元)(含税) 1.50
现金分红金额(元)(含税) 64,350,000.00
公司拟以2019年12月31日公司总股本429,000,000股为基数,向全体股东每10股派发现金红利1.50元(含税)。
"""
REMARK = (
    "公司拟以2019年12月31日公司总股本429,000,000股为基数,向全体股东每10股派发现金红利1.50元(含税)。"
)


def test_a_cell_merged_across_the_row_is_shown_once() -> None:
    def cell(text: str, row: int, col: int, colspan: int = 1) -> Cell:
        at = PLAN.index(text)
        return Cell(text, at, at + len(text), row, col, colspan=colspan)

    table = table_from_cells(
        [
            cell("每10股派息数(元)(含税)", 0, 0),
            cell("1.50", 0, 1),
            cell("现金分红金额(元)(含税)", 1, 0),
            cell("64,350,000.00", 1, 1),
            cell(REMARK, 2, 0, colspan=2),  # the grid holds it in both columns
        ],
        "test",
    )
    shown = table_text(Document.from_text(PLAN, tables=[table]), table)
    assert shown.count(REMARK) == 1
    assert "每10股派息数(元)(含税) | 1.50" in shown  # the cells of other rows stay apart


# w027 (SZSE third quarter 2025), 主要会计数据和财务指标: a label wrapped in its cell goes on in
# a row of its own; a statement's sub-heading follows its row the same way
KEY_TABLE = """项目 本报告期 上年同期
营业收入(元) 1,380,240,203.63 1,143,114,680.73
归属于上市公司股东的扣除 106,779,578.09 142,734,454.06
非经常性损益的净利润(元)
加权平均净资产收益率 4.75% 7.17%
五、净利润(净亏损以“-”号填列) 110,394,569.50 141,186,516.34
(一)按经营持续性分类
其他收益 3,722,094.18 1,545,903.20
"""


def test_trimmed_to_the_rows_naming_a_field_with_wrapped_labels_whole() -> None:
    doc = document(
        KEY_TABLE,
        [
            ["项目", "本报告期", "上年同期"],
            ["营业收入(元)", "1,380,240,203.63", "1,143,114,680.73"],
            ["归属于上市公司股东的扣除", "106,779,578.09", "142,734,454.06"],
            ["非经常性损益的净利润(元)", "", ""],
            ["加权平均净资产收益率", "4.75%", "7.17%"],
            ["五、净利润(净亏损以“-”号填列)", "110,394,569.50", "141,186,516.34"],
            ["(一)按经营持续性分类", "", ""],
            ["其他收益", "3,722,094.18", "1,545,903.20"],
        ],
    )
    asked = _row_terms(
        "financials", ("revenue", "net_profit_attributable_deducted", "profit_for_period")
    )
    lines = table_text(doc, doc.tables[0], 10_000, asked).split("\n")
    assert lines[0] == "项目 | 本报告期 | 上年同期"  # the header, whatever it names
    assert "归属于上市公司股东的扣除 | 106,779,578.09 | 142,734,454.06" in lines
    assert "非经常性损益的净利润(元)" in lines  # the rest of its label
    assert "五、净利润(净亏损以“-”号填列) | 110,394,569.50 | 141,186,516.34" in lines
    # not asked for, though the whole table would fit the budget; a sub-heading is no label's end
    assert not any(line.startswith(("加权平均", "(一)", "其他收益")) for line in lines)


def test_a_label_alone_brings_the_unlabelled_total_it_heads() -> None:
    """w032's highlights (``table_documents.HIGHLIGHTS``)."""
    doc = highlights_document()
    shown = table_text(doc, doc.tables[0], 10_000, _row_terms("financials", ("revenue",)))
    assert "Revenue\n | 2,263,747 | 1,792,728 | +471,019 | +26.3%" in shown
    assert "Remaining Business" not in shown and "teachers" not in shown

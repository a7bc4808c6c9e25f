"""extract.load.markdown: pipe tables as grids whose cells point into the original."""

from __future__ import annotations

from extract.backends.rules.financials import extract_financials
from extract.core.table import Table
from extract.load.document import Document
from extract.load.markdown import markdown_tables
from extract.load.offsets import OffsetMap

# OCR markdown of a half-year report's key table (figures of 001)
KEY_TABLE = """## （一）主要会计数据

单位：元 币种：人民币

| 主要会计数据 | 本报告期（1-6月） | 上年同期 | 本报告期比上年同期增减（%） |
|---|---|---|---|
| 营业收入 | 5,333,486,253.17 | 5,271,345,801.64 | 1.18 |
| 归属于上市公司股东的净利润 | 950,211,921.88 | 937,776,940.87 | 1.33 |
| 经营活动产生的现金流量净额 | -624,592,418.17 | -511,459,688.40 | 不适用 |

公司主要会计数据和财务指标的说明
"""


def _tables(text: str) -> list[Table]:
    return markdown_tables(text, OffsetMap.identity(len(text)))


def _texts(table: Table) -> list[list[str]]:
    return [[cell.text for cell in row] for row in table.rows]


def test_key_table_read_as_a_grid() -> None:
    (table,) = _tables(KEY_TABLE)
    assert table.source == "markdown"
    assert _texts(table)[0] == [
        "主要会计数据",
        "本报告期（1-6月）",
        "上年同期",
        "本报告期比上年同期增减（%）",
    ]
    assert _texts(table)[1] == ["营业收入", "5,333,486,253.17", "5,271,345,801.64", "1.18"]
    assert table.n_rows == 4  # the delimiter line is no row


def test_cells_point_into_the_original() -> None:
    (table,) = _tables(KEY_TABLE)
    for row in table.rows:
        for cell in row:
            assert KEY_TABLE[cell.start : cell.end] == cell.text
    assert KEY_TABLE[table.start :].startswith("主要会计数据 |")


def test_key_table_gives_value_prior_and_change_with_exact_quotes() -> None:
    doc = Document.from_text(KEY_TABLE)
    assert [table.source for table in doc.tables] == ["markdown"]
    fields = extract_financials(doc).fields
    assert fields["revenue.value"].value == 5333486253.17
    assert fields["revenue.prior"].value == 5271345801.64
    assert fields["revenue.change_pct"].value == 1.18
    assert fields["operating_cash_flow.value"].value == -624592418.17
    assert "operating_cash_flow.change_pct" not in fields  # 不适用
    found = fields["net_profit_attributable.prior"]
    assert doc.quote(found.start, found.end) == "937,776,940.87"


def test_pipes_at_the_edges_are_optional() -> None:
    (table,) = _tables("项目 | 2024年 | 2023年\n:--- | ---: | :---:\n营业收入 | 100 | 90\n")
    assert _texts(table) == [["项目", "2024年", "2023年"], ["营业收入", "100", "90"]]


def test_an_escaped_pipe_stays_in_its_cell() -> None:
    (table,) = _tables("| 项目 | 说明 |\n|---|---|\n| 甲 | A \\| B |\n")
    assert _texts(table)[1] == ["甲", "A | B"]


def test_rows_of_other_widths_padded_or_kept() -> None:
    (table,) = _tables("| 项目 | 2024年 |\n|---|---|\n| 营业收入 |\n| 净利润 | 50 | 40 |\n")
    assert _texts(table) == [
        ["项目", "2024年", ""],
        ["营业收入", "", ""],
        ["净利润", "50", "40"],
    ]


def test_the_table_ends_at_a_line_without_a_pipe() -> None:
    (table,) = _tables("| a | b |\n|---|---|\n| 1 | 2 |\n\n| 3 | 4 |\n")
    assert _texts(table) == [["a", "b"], ["1", "2"]]


def test_pipes_without_a_delimiter_line_are_no_table() -> None:
    assert _tables("| 营业收入 | 100 | 90 |\n| 净利润 | 50 | 40 |\n") == []
    assert _tables("第一段\n\n---\n\n第二段") == []


def test_a_table_below_html_points_into_the_original() -> None:
    # OCR markdown with an HTML paragraph above the pipe table: the map goes through both
    text = (
        "<p>单位：元&ensp;币种：人民币</p>\n\n| 项目 | 本期 |\n|---|---|\n| 营业收入 | 1,000.00 |\n"
    )
    doc = Document.from_text(text)
    (table,) = doc.tables
    cell = table.rows[1][1]
    assert (cell.text, text[cell.start : cell.end]) == ("1,000.00", "1,000.00")

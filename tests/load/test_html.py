"""extract.load.html: HTML read by its parser, text mapped to the source, tables as grids."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from shared_files import corpus_file

from extract.backends.rules.financials import extract_financials
from extract.core.table import Table
from extract.load.document import Document, read_document
from extract.load.html import has_markup, read_html, visible_text

# An SSE half-year report's key table as an HTML export writes it: the labels' full-width
# brackets as numeric references, the unit line above the table (figures of 001).
KEY_TABLE = """<html><head><meta charset="utf-8"><title>2024年半年度报告</title>
<style>td { border: 1px solid; }</style>
<script>var rows = "<tr><td>营业收入</td><td>1</td></tr>";</script></head>
<body>
<p>六、公司主要会计数据和财务指标</p>
<p>&#65288;一&#65289;主要会计数据</p>
<p>单位：元&ensp;币种：人民币</p>
<!-- exported table -->
<table border="1">
<tr><th rowspan="2">主要会计数据</th><th rowspan="2">本报告期&#65288;1-6月&#65289;</th>
<th rowspan="2">上年同期</th><th rowspan="2">本报告期比上年同期增减&#65288;%&#65289;</th></tr>
<tr></tr>
<tr><td>营业收入&#65288;元&#65289;</td><td>5,333,486,253.17</td><td>5,271,345,801.64</td>
<td>1.18</td></tr>
<tr><td>归属于上市公司股东的净利润&#65288;元&#65289;</td><td>950,211,921.88</td>
<td>937,776,940.87</td><td>1.33</td></tr>
</table>
</body></html>"""


def _table(source: str, index: int = 0) -> Table:
    return read_html(source).tables[index]


def _texts(table: Table) -> list[list[str]]:
    return [[cell.text for cell in row] for row in table.rows]


# --- the key table -------------------------------------------------------------------------


def test_key_table_with_numeric_references_gives_value_prior_and_change() -> None:
    doc = Document.from_text(KEY_TABLE)
    fields = extract_financials(doc).fields
    assert fields["revenue.value"].value == 5333486253.17
    assert fields["revenue.prior"].value == 5271345801.64
    assert fields["revenue.change_pct"].value == 1.18
    assert fields["net_profit_attributable.value"].value == 950211921.88
    assert fields["net_profit_attributable.prior"].value == 937776940.87


def test_key_table_evidence_quotes_the_source_exactly() -> None:
    doc = Document.from_text(KEY_TABLE)
    fields = extract_financials(doc).fields
    assert doc.quote(fields["revenue.value"].start, fields["revenue.value"].end) == (
        "5,333,486,253.17"
    )
    assert doc.quote(fields["revenue.prior"].start, fields["revenue.prior"].end) == (
        "5,271,345,801.64"
    )
    label = doc.text.index("营业收入(元)")
    assert doc.quote(label, label + len("营业收入(元)")) == "营业收入&#65288;元&#65289;"


def test_key_table_is_a_table_of_the_document_with_spans_into_the_source() -> None:
    doc = Document.from_text(KEY_TABLE)
    (table,) = doc.tables
    assert table.source == "html"
    assert doc.original[table.start :].startswith('<table border="1">')
    assert doc.original[: table.end].endswith("</table>")
    label = table.rows[2][0]
    assert label.text == "营业收入（元）"  # decoded, as printed
    assert doc.original[label.start : label.end] == "营业收入&#65288;元&#65289;"
    for row in table.rows:
        for cell in row:
            if not cell.is_empty:
                assert visible_text(doc.original[cell.start : cell.end]) == cell.text


def test_a_table_without_html_around_it_is_read_too() -> None:
    # an HTML fragment in a text file, no <html> or <body>: still HTML
    doc = Document.from_text(
        "单位：元\n<table><tr><td>营业收入</td><td>2024年</td><td>2023年</td></tr>"
        "<tr><td>营业收入</td><td>1,000.00</td><td>900.00</td></tr></table>"
    )
    assert [table.source for table in doc.tables] == ["html"]
    assert "<" not in doc.text


# --- character references ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "text"),
    [
        ("营业收入&#65288;元&#65289;", "营业收入（元）"),
        ("&#x4E00;季度", "一季度"),
        ("单位：元&ensp;币种：人民币", "单位：元\u2002币种：人民币"),
        ("&yen;12.50", "¥12.50"),
        ("2023年&mdash;2024年", "2023年—2024年"),
        ("A&amp;B&nbsp;&lt;1&gt;&quot;", 'A&B\xa0<1>"'),
        ("R&D 投入", "R&D 投入"),  # not a reference: as printed
        ("&copy 2024", "© 2024"),  # a legacy reference without its semicolon
        ("营业&shy;收入&#8203;", "营业收入"),  # references that print nothing
        ("&#8722;1,234.56", "\u22121,234.56"),  # the minus sign, made "-" by normalising
    ],
)
def test_references_decoded(source: str, text: str) -> None:
    assert read_html(f"<p>{source}</p>").text.strip() == text


def test_each_decoded_character_maps_to_its_reference() -> None:
    source = "<p>收入&#65288;元&#65289;&yen;5</p>"
    read = read_html(source)
    spans = {}
    for i, char in enumerate(read.text):
        if not char.isspace():
            start, end = read.offsets.original_span(i, i + 1)
            spans[char] = source[start:end]
    assert spans == {
        "收": "收",
        "入": "入",
        "（": "&#65288;",
        "元": "元",
        "）": "&#65289;",
        "¥": "&yen;",
        "5": "5",
    }


def test_normalised_text_decodes_and_folds_the_references() -> None:
    doc = Document.from_text("<p>单位：元&ensp;币种：人民币&#12288;营业收入&#65288;元&#65289;</p>")
    assert doc.text.strip() == "单位:元币种:人民币营业收入(元)"
    start = doc.text.index("(元)")
    assert doc.quote(start, start + 3) == "&#65288;元&#65289;"


# --- what no reader sees -------------------------------------------------------------------


def test_script_style_comments_and_head_dropped() -> None:
    text = read_html(KEY_TABLE).text
    assert "var rows" not in text and "border: 1px" not in text
    assert "exported table" not in text
    assert "2024年半年度报告" not in text  # the <title> is in the <head>
    assert text.count("营业收入") == 1  # the script's copy is gone
    assert "六、公司主要会计数据和财务指标" in text


def test_a_head_left_open_ends_where_the_body_begins() -> None:
    assert read_html("<head><title>x</title><body><p>正文</p></body>").text.strip() == "正文"


def test_a_table_inside_a_script_is_no_table() -> None:
    assert read_html(KEY_TABLE).tables[0].n_rows == 4


# --- lines ----------------------------------------------------------------------------------


def test_blocks_break_lines_and_inline_tags_do_not() -> None:
    text = read_html("<div>第一行<br>第二<span>行</span></div><p>第<b>三</b>行</p>").text
    assert text.split() == ["第一行", "第二行", "第三行"]


def test_a_table_row_is_one_line() -> None:
    # as the pdf_to_html export writes cells: each ends with a line break
    source = (
        '<table border="1"><tr>\n <td colspan="1" rowspan="1">'
        "扣除非经常性损益后归属于银行股东的净利\n润\n"
        '</td> <td colspan="1" rowspan="1">59,719\n</td> <td colspan="1" rowspan="1">53,966\n'
        "</td></tr>\n</table>"
    )
    read = read_html(source)
    lines = [line.split() for line in read.text.splitlines() if line.strip()]
    assert lines == [["扣除非经常性损益后归属于银行股东的净利", "润", "59,719", "53,966"]]
    assert read.tables[0].rows[0][0].text == "扣除非经常性损益后归属于银行股东的净利 润"


# --- the grid ------------------------------------------------------------------------------


def test_rowspan_and_colspan_fill_the_grid() -> None:
    table = _table(
        "<table>"
        "<tr><td rowspan='2'>项目</td><td colspan='2'>2023年</td><td rowspan='2'>增减</td></tr>"
        "<tr><td>调整后</td><td>调整前</td></tr>"
        "<tr><td>总资产</td><td>1,000</td><td>990</td><td>1.01</td></tr>"
        "</table>"
    )
    assert _texts(table) == [
        ["项目", "2023年", "2023年", "增减"],
        ["项目", "调整后", "调整前", "增减"],
        ["总资产", "1,000", "990", "1.01"],
    ]
    assert table.rows[0][1] is table.rows[0][2]  # one merged cell
    assert (table.rows[0][0].rowspan, table.rows[0][1].colspan) == (2, 2)


def test_a_rowspan_past_the_last_row_stops_there() -> None:
    table = _table("<table><tr><td rowspan='40'>a</td><td>b</td></tr><tr><td>c</td></tr></table>")
    assert _texts(table) == [["a", "b"], ["a", "c"]]
    assert table.rows[0][0].rowspan == 2


@pytest.mark.parametrize("value", ["0", "x", "-3", ""])
def test_a_span_that_is_no_count_is_one(value: str) -> None:
    table = _table(f"<table><tr><td colspan='{value}'>a</td><td>b</td></tr></table>")
    assert _texts(table) == [["a", "b"]]


def test_short_rows_padded_with_empty_cells() -> None:
    table = _table("<table><tr><td>a</td><td>b</td><td>c</td></tr><tr><td>d</td></tr></table>")
    assert _texts(table) == [["a", "b", "c"], ["d", "", ""]]


def test_header_body_and_foot_rows_in_order() -> None:
    table = _table(
        "<table><thead><tr><th>项目</th><th>2024年</th></tr></thead>"
        "<tbody><tr><td>营业收入</td><td>100</td></tr></tbody></table>"
    )
    assert _texts(table) == [["项目", "2024年"], ["营业收入", "100"]]


def test_a_nested_table_is_a_table_of_its_own() -> None:
    read = read_html(
        "<table><tr><td>说明</td><td>"
        "<table><tr><td>营业收入</td><td>100</td></tr></table>"
        "</td></tr><tr><td>合计</td><td>200</td></tr></table>"
    )
    inner, outer = read.tables  # the inner one ends first
    assert _texts(inner) == [["营业收入", "100"]]
    assert _texts(outer) == [["说明", ""], ["合计", "200"]]


def test_a_table_left_open_ends_with_the_source() -> None:
    table = _table("<table><tr><td>营业收入</td><td>100")
    assert _texts(table) == [["营业收入", "100"]]


def test_a_table_of_empty_cells_is_no_table() -> None:
    assert read_html("<table><tr><td> </td><td>&nbsp;</td></tr></table>").tables == ()


# --- what is read as HTML ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["<p>正文</p>", "第一行<br/>第二行", "<TABLE><TR><TD>1</TD></TR></TABLE>", "收入&#65288;"],
)
def test_markup_detected(text: str) -> None:
    assert has_markup(text)


@pytest.mark.parametrize(
    "text",
    ["营业收入 < 5% 且 > 1%", "R&D 投入", "<注1>", "x<y>z", "第 1 页"],
)
def test_plain_text_is_not_markup(text: str) -> None:
    assert not has_markup(text)
    assert Document.from_text(text).tables == ()


def test_plain_text_keeps_its_own_map() -> None:
    doc = Document.from_text("营业收入 < 5% 且 R&D 投入")
    assert doc.text == "营业收入< 5%且R&D投入"
    assert doc.quote(0, len(doc.text)) == doc.original


@pytest.mark.parametrize("name", ["report.html", "report.txt", "report.htm.bak"])
def test_html_detected_by_content_whatever_the_name(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text(KEY_TABLE, encoding="utf-8")
    doc = read_document(path)
    assert len(doc.tables) == 1
    assert "<" not in doc.text


def test_a_malformed_reference_does_not_swallow_the_rest() -> None:
    # Python 3.11's parser stops at "&#" followed by a letter; the reader goes on
    read = read_html("<p>编号&#x;1</p><p>第二段</p><table><tr><td>a</td></tr></table>")
    assert read.text.split() == ["编号&#x;1", "第二段", "a"]
    assert len(read.tables) == 1


def test_visible_text_of_a_window_cut_inside_a_tag() -> None:
    window = 'rowspan="1">主要财务数据</p><br/><p>单位：人民币百万元</p>'
    assert visible_text(window, clipped=True).split() == ["主要财务数据", "单位：人民币百万元"]
    assert visible_text("a > b") == "a > b"


# --- the corpus's HTML filing --------------------------------------------------------------


def test_corpus_html_every_copied_character_is_the_source_character() -> None:
    path = corpus_file("d09_psbc_601658_ar2019.html")
    source = path.read_text(encoding="utf-8")
    read = read_html(source)
    offsets = read.offsets
    for k, origin in enumerate(offsets.origins):
        start = offsets.starts[k]
        end = offsets.starts[k + 1] if k + 1 < len(offsets.starts) else offsets.length
        if offsets.widths[k] == 0:  # copied: the same characters, a row's breaks made spaces
            copied = source[origin : origin + end - start]
            assert read.text[start:end] in (copied, copied.translate({10: " "}))
        else:  # standing for a tag (a break) or a reference
            assert source[origin] in "<&"
    assert len(read.tables) == 98
    assert re.search("<[a-zA-Z/!]", read.text) is None  # no tag left (a "<" of the text is)


def test_corpus_html_key_table_read_as_a_grid() -> None:
    doc = read_document(corpus_file("d09_psbc_601658_ar2019.html"))
    fields = extract_financials(doc).fields
    assert fields["revenue.value"].value == 276809000000
    assert fields["revenue.prior"].value == 260995000000
    found = fields["revenue.value"]
    assert doc.quote(found.start, found.end) == "276,809"


def test_windows_line_ends_uppercase_tags_and_quoted_brackets() -> None:
    source = (
        '<P>单位：元</P>\r\n<TABLE>\r\n<TR><TD TITLE="a>b" ROWSPAN=2>营业收入</TD><TD>1,000.00</TD>'
        "</TR>\r\n<TR><TD>900.00</TD></TR>\r\n</TABLE>\r\n"
    )
    doc = Document.from_text(source)
    (table,) = doc.tables
    assert _texts(table) == [["营业收入", "1,000.00"], ["营业收入", "900.00"]]
    for row in table.rows:
        for cell in row:
            assert source[cell.start : cell.end] == cell.text
    lines = [line.split() for line in read_html(source).text.splitlines()]
    assert [line for line in lines if line] == [["单位：元"], ["营业收入", "1,000.00"], ["900.00"]]

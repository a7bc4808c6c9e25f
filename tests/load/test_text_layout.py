"""Tables in text laid out by ``pdftotext -layout``: columns by runs of spaces.

The fixtures are laid out as pdftotext prints the key tables of an annual report (years
over the columns, a change header over three lines, labels wrapped over two or three lines
with the figures on the first or the middle one) and of a quarterly report broken by a page
break (a form feed, a page number and the running header).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from shutil import which

import pytest
from shared_files import WILD_DIR, need

from extract import extract_text
from extract.backends.rules.table_metrics import table_rows
from extract.load.document import Document
from extract.load.text_layout import SOURCE, layout_tables
from extract.tables.kinds import classify_tables
from extract.tables.roles import column_groups, header_rows, reporting_columns

# The key table of an annual report (w001's layout): figures on a wrapped label's first line
ANNUAL = """\
七、 近三年主要会计数据和财务指标
(一) 主要会计数据
                                                                单位：元 币种：人民币
                                                          本期比上年
主要会计数据         2022年                   2021年               同期增减          2020年
                                                            (%)
营业收入      2,267,970,979.11      1,516,680,031.67              49.54 1,075,904,934.98
归属于上市公    1,074,257,178.93        557,459,609.09              92.71   315,013,896.31
司股东的净利
润
经营活动产生       971,066,113.56       685,655,427.10              41.63    428,385,736.49
的现金流量净
额
                                                          本期末比上
              2022年末                  2021年末              年同期末增          2020年末
                                                           减（%）
总资产      10,364,215,494.62    8,537,077,111.40                21.40   2,107,821,636.06



(二) 主要财务指标
"""

# A quarterly report's key table (w002's layout): figures on the middle line of a label,
# a "not stated" mark left of its column, and a page break inside the table
QUARTERLY = """\
(一)主要会计数据和财务指标
                                                         单位：元 币种：人民币
                                  本报告期比                               年初至报告
                                  上年同期增                               期末比上年
项目              本报告期                               年初至报告期末
                                  减变动幅度                               同期增减变
                                         (%)                          动幅度(%)
营业收入           575,002,491.20              15.11   1,587,079,779.38      24.34
归属于上市公司股东
               236,971,204.96              -9.18    327,598,359.05      -48.17
的净利润
                                1 / 14
\f                           2023 年第三季度报告



经营活动产生的现金
                         不适用                不适用       448,440,218.42      -42.38
流量净额
基本每股收益（元/股）                0.32             -8.57               0.44      -47.62
稀释每股收益（元/股）                0.32             -8.57               0.44      -47.62
加权平均净资产收益
                           2.88             -0.63               3.98       -4.51
率（%）

注:“本报告期”指本季度初至本季度末 3 个月期间，下同。
"""

# The table whose columns are the metrics (d01's layout): labels around their figures
ROE_EPS = """\
2、净资产收益率及每股收益


                                                   每股收益
       报告期利润       加权平均净资产收益率
                                         基本每股收益（元/股） 稀释每股收益（元/股）

归属于公司普通股股东的净利润                  14.08%             0.94        0.94

扣除非经常性损益后归属于公司
                                12.96%             0.86        0.86
普通股股东的净利润
"""

PROSE = """\
报告期内，公司实现营业收入 226,797.10 万元，同比增长 49.54%，实现归属于上市公司股东的
净利润 107,425.72 万元，同比增长 92.71%。公司总资产 1,036,421.55 万元。
"""


def _table(text: str) -> tuple[Document, list[list[str]]]:
    doc = Document.from_text(text)
    (table,) = doc.tables
    return doc, [[cell.text for cell in row] for row in table.rows]


def test_rows_and_columns_of_a_laid_out_table() -> None:
    doc, rows = _table(ANNUAL)
    assert doc.tables[0].source == SOURCE
    assert doc.tables[0].n_cols == 5
    body = [row for row in rows if row[0] in ("营业收入", "总资产")]
    assert body == [
        ["营业收入", "2,267,970,979.11", "1,516,680,031.67", "49.54", "1,075,904,934.98"],
        ["总资产", "10,364,215,494.62", "8,537,077,111.40", "21.40", "2,107,821,636.06"],
    ]


def test_wrapped_labels_are_joined() -> None:
    _, rows = _table(ANNUAL)
    labels = [row[0] for row in rows]
    assert "归属于上市公司股东的净利润" in labels
    assert "经营活动产生的现金流量净额" in labels
    profit = next(row for row in rows if row[0] == "归属于上市公司股东的净利润")
    assert profit[1:] == ["1,074,257,178.93", "557,459,609.09", "92.71", "315,013,896.31"]


def test_a_header_over_three_lines_gives_the_column_roles() -> None:
    doc, rows = _table(ANNUAL)
    table = doc.tables[0]
    header = header_rows(table)
    assert [rows[r][1] for r in header if rows[r][1]] == ["2022年"]
    assert [rows[r][3] for r in header if rows[r][3]] == ["本期比上年", "同期增减", "(%)"]
    columns = reporting_columns(column_groups(table, header))
    assert columns is not None
    assert (columns.value, columns.prior, columns.change) == (1, 2, 3)


def test_a_header_inside_the_table_is_one_row() -> None:
    _, rows = _table(ANNUAL)
    assert ["", "2022年末", "2021年末", "本期末比上年同期末增减（%）", "2020年末"] in rows


def test_cell_spans_quote_the_text() -> None:
    doc, _ = _table(ANNUAL)
    for row in doc.tables[0].rows:
        for cell in row:
            if cell.end > cell.start and "\n" not in doc.original[cell.start : cell.end]:
                assert doc.original[cell.start : cell.end] == cell.text


def test_the_key_table_is_read_through_the_rules() -> None:
    doc = Document.from_text(ANNUAL)
    assert classify_tables(doc) == ["key_figures"]
    rows = {metric: fields for metric, _, fields in table_rows(doc, doc.tables[0])}
    assert rows["revenue"]["value"].value == 2267970979.11
    assert rows["revenue"]["prior"].value == 1516680031.67
    assert rows["revenue"]["change_pct"].value == 49.54
    assert rows["total_assets"]["value"].value == 10364215494.62


def test_revenue_through_the_pipeline_with_exact_evidence() -> None:
    record = extract_text(ANNUAL)
    revenue = record.financials.revenue
    assert revenue is not None
    assert (revenue.value, revenue.prior, revenue.change_pct) == (
        2267970979.11,
        1516680031.67,
        49.54,
    )
    quotes = {path: ev.quote for path, ev in record.evidence.items()}
    assert quotes["financials.revenue.value"] == "2,267,970,979.11"
    assert quotes["financials.revenue.prior"] == "1,516,680,031.67"
    for path, quote in quotes.items():
        assert quote in ANNUAL, path


def test_a_table_broken_by_a_page_break_is_joined() -> None:
    doc, rows = _table(QUARTERLY)
    table = doc.tables[0]
    assert table.pages == (1, 2)
    labels = [row[0] for row in rows]
    assert "归属于上市公司股东的净利润" in labels  # figures on the label's middle line
    cash = next(row for row in rows if row[0] == "经营活动产生的现金流量净额")
    assert cash[1:] == ["不适用", "不适用", "448,440,218.42", "-42.38"]
    assert not any("1 / 14" in cell for row in rows for cell in row)


def test_quarterly_columns_read_the_year_to_date() -> None:
    record = extract_text(QUARTERLY)
    revenue = record.financials.revenue
    assert revenue is not None
    assert (revenue.value, revenue.change_pct) == (1587079779.38, 24.34)
    assert record.financials.operating_cash_flow is not None
    assert record.financials.operating_cash_flow.value == 448440218.42


def test_a_table_whose_columns_are_the_metrics() -> None:
    _, rows = _table(ROE_EPS)
    assert ["", "", "基本每股收益（元/股）", "稀释每股收益（元/股）"] in rows
    assert ["扣除非经常性损益后归属于公司普通股股东的净利润", "12.96%", "0.86", "0.86"] in rows
    financials = extract_text(ROE_EPS).financials
    assert financials.weighted_roe_deducted is not None
    assert financials.weighted_roe_deducted.value == 12.96
    assert financials.basic_eps_deducted is not None
    assert financials.basic_eps_deducted.value == 0.86
    assert financials.basic_eps is not None and financials.basic_eps.value == 0.94


def test_prose_and_plain_text_give_no_table() -> None:
    assert layout_tables(PROSE) == []
    # the same key table as pdftotext prints it without -layout: single spaces, no columns
    flat = "\n".join(" ".join(line.split()) for line in ANNUAL.splitlines())
    assert layout_tables(flat) == []
    assert layout_tables(flat.replace("\n", " ")) == []


def test_a_loader_s_own_tables_are_kept() -> None:
    assert Document.from_text(ANNUAL, tables=()).tables == ()


@pytest.mark.skipif(
    which("pdftotext") is None and not os.environ.get("CI"),
    reason="poppler's pdftotext is not installed: apt-get install -y poppler-utils "
    "(in CI, where CI is set, this test fails instead of skipping)",
)
def test_a_real_filing_laid_out_by_pdftotext(tmp_path: Path) -> None:
    assert which("pdftotext"), "CI is set but pdftotext is missing: apt-get install poppler-utils"
    pdf = need(WILD_DIR / "w001_zhaoyanxinyao_603127_ar_2022.pdf")
    out = tmp_path / "w001.txt"
    subprocess.run(["pdftotext", "-layout", str(pdf), str(out)], check=True)
    record = extract_text(out.read_text(encoding="utf-8"))
    financials = record.financials
    assert financials.revenue is not None and financials.revenue.value == 2267970979.11
    assert financials.total_assets is not None
    assert financials.total_assets.prior == 8537077111.40

"""extract.tables.flat_text: find a table by its heading, read label → row of number cells.

Every fixture is copied verbatim from an example filing (checked by
``test_fixtures_are_verbatim``) and read through Document, as the rules read them.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from pathlib import Path

from shared_files import assert_verbatim

from extract.core.units import LABEL_UNIT_SUFFIX
from extract.load.document import Document
from extract.tables.flat_text import Region, Row, find_regions, read_rows
from extract.vocab import load_vocab

D = Decimal
ROOT = Path(__file__).resolve().parents[2]

# 001 (one-line pdftotext of the 277-page interim report): 主要会计数据 and 主要财务指标
SSE_KEY_TABLE = (
    "六、 公司主要会计数据和财务指标 (一) 主要会计数据 单位:元币种:人民币 本报告期 本报告期比上年 "
    "主要会计数据 上年同期 (1-6月) 同期增减(%) 营业收入 5,333,486,253.17 5,271,345,801.64 1.18 "
    "归属于上市公司股东的净利润 950,211,921.88 937,776,940.87 1.33 归属于上市公司股东的扣除非 "
    "797,934,412.60 786,981,052.34 1.39 经常性损益的净利润 经营活动产生的现金流量净额 "
    "-624,592,418.17 -511,459,688.40 不适用 本报告期末比上 本报告期末 上年度末 年度末增减(%) "
    "归属于上市公司股东的净资产 19,587,828,435.84 18,866,353,649.67 3.82 总资产 "
    "26,704,521,272.10 25,336,140,321.96 5.40 (二) 主要财务指标 本报告期 本报告期比上年同 "
    "主要财务指标 上年同期 (1-6月) 期增减(%) 基本每股收益(元/股) 1.16 1.14 1.75 "
    "稀释每股收益(元/股) 1.16 1.14 1.75 扣除非经常性损益后的基本每股收 0.97 0.95 2.11 "
    "益(元/股) 加权平均净资产收益率(%) 4.93 5.22 降低0.29个百分点 扣除非经常性损益后的加权平均净 "
    "4.14 4.38 降低0.24个百分点 资产收益率(%) 研发投入占营业收入的比例(%) 19.07 17.37 增加1.70个百"
    "分点"
)

# 003 (HKEX interim results): the financial summary, columns run together
HKEX_SUMMARY = (
    "财务摘要\n\n截至6月30日止六个月\n\n2025年2024年同比变动\n\n未经审核未经审核\n\n"
    "人民币千元人民币千元\n\n收入467,049413,71312.9%\n\n毛利137,246159,659-14.0%\n\n"
    "期内溢利15,8349621,545.9%\n\n本公司拥有人应占期内溢利16,4433,836328.6%\n\n"
    "非国际财务报告准则计量*:\n\nEBITDA135,443114,13218.7%"
)

# 003: the income statement, with a 附注 column
HKEX_INCOME_STATEMENT = (
    "简明综合中期收益表\n\n截至2025年6月30日止六个月\n\n截至6月30日止六个月\n\n附注2025年2024年\n\n"
    "未经审核未经审核\n\n人民币千元人民币千元\n\n收入5467,049413,713\n\n"
    "销售成本(329,803)(254,054)\n\n毛利137,246159,659\n\n销售开支(26,892)(32,961)\n\n"
    "行政开支(74,986)(111,092)\n\n研发开支(7,604)(5,715)\n\n"
    "金融资产的减值亏损净额(4,108)(1,364)\n\n其他收入8,0155,152\n\n其他收益-净额5,6501,699\n\n"
    "经营溢利637,32115,378\n\n财务收益2,9311,143\n\n财务成本(14,403)(11,049)\n\n"
    "财务成本-净额(11,472)(9,906)\n\n使用权益法入账的投资亏损份额(1,359)(1,098)\n\n"
    "除所得税前溢利24,4904,374\n\n所得税开支7(8,656)(3,412)\n\n期内溢利15,834962"
)

# 003: the balance sheet; "–" (en dash) is HKEX's nil
HKEX_BALANCE_SHEET_NIL = (
    "按公允价值计入损益的金融资产70,21760,431\n\n长期贸易应收款项925,39732,277\n\n受限制现金–442"
)

# d09 (HTML by pdf_to_html): a footnote mark after the label
HTML_EPS_ROWS = """<tr>
 <td colspan="1" rowspan="1">基本和稀释每股收益(1)
</td> <td colspan="1" rowspan="1">0.72
</td> <td colspan="1" rowspan="1">0.62
</td> <td colspan="1" rowspan="1">0.59
</td></tr>
<tr>
 <td colspan="1" rowspan="1">扣除非经常性损益后基本每股收益(1)
</td> <td colspan="1" rowspan="1">0.70
</td> <td colspan="1" rowspan="1">0.64
</td> <td colspan="1" rowspan="1">0.65
</td></tr>"""

FIXTURES = {
    "examples/filings/001_815c9fc6d423563f.txt": [SSE_KEY_TABLE],
    "examples/filings/003_de5880db65f9c6a7.txt": [
        HKEX_SUMMARY,
        HKEX_INCOME_STATEMENT,
        HKEX_BALANCE_SHEET_NIL,
    ],
    "corpus/d09_psbc_601658_ar2019.html": [HTML_EPS_ROWS],
}


@cache
def _vocab() -> dict:  # type: ignore[type-arg]
    return load_vocab("financials")


def _labels() -> dict[str, list[str]]:
    return {metric: spec["labels"] for metric, spec in _vocab()["metrics"].items()}


def _table(name: str) -> dict:  # type: ignore[type-arg]
    return next(t for t in _vocab()["tables"] if t["name"] == name)


def _read(
    snippet: str,
    labels: dict[str, list[str]] | None = None,
    *,
    note: bool = False,
    suffix: str | None = None,
) -> tuple[Document, dict[str, Row]]:
    doc = Document.from_text(snippet)
    region = Region("test", 0, len(doc.text), has_note_column=note)
    rows = read_rows(
        doc.text,
        region,
        labels or _labels(),
        LABEL_UNIT_SUFFIX if suffix is None else suffix,
    )
    return doc, rows


def _values(row: Row) -> list[Decimal | None]:
    return [cell.value for cell in row.cells]


def test_fixtures_are_verbatim() -> None:
    assert_verbatim(FIXTURES)


# --- find_regions -----------------------------------------------------------------------------


def test_find_regions_key_table_bounded_by_its_end_marker() -> None:
    doc = Document.from_text(
        SSE_KEY_TABLE
        + " 公司主要会计数据和财务指标的说明 □适用 √不适用 七、 境内外会计准则下会计数据差异"
    )
    spec = _table("key_figures")
    regions = find_regions(doc.text, spec["name"], spec["heading"], spec["end"], spec["span"])
    assert regions
    first = regions[0]
    assert doc.text[first.start :].startswith("主要会计数据和财务指标")
    assert doc.text[first.end :].startswith("境内外会计准则下会计数据差异")
    assert not first.has_note_column


def test_find_regions_detects_a_note_column() -> None:
    doc = Document.from_text(HKEX_INCOME_STATEMENT)
    (region,) = find_regions(doc.text, "income", "简明综合中期收益表", "", 2000)
    assert region.has_note_column
    assert region.end == len(doc.text)  # no end marker: bounded by the text


def test_find_regions_span_limit() -> None:
    doc = Document.from_text(HKEX_SUMMARY)
    (region,) = find_regions(doc.text, "summary", "财务摘要", "不会出现", 30)
    assert region.end - region.start == len("财务摘要") + 30


# --- the SSE key table (001) ------------------------------------------------------------------


def test_sse_key_table_rows() -> None:
    _, rows = _read(SSE_KEY_TABLE)
    assert _values(rows["revenue"]) == [D("5333486253.17"), D("5271345801.64"), D("1.18")]
    assert _values(rows["net_profit_attributable"]) == [
        D("950211921.88"),
        D("937776940.87"),
        D("1.33"),
    ]
    assert _values(rows["equity_attributable"]) == [
        D("19587828435.84"),
        D("18866353649.67"),
        D("3.82"),
    ]
    assert _values(rows["total_assets"]) == [D("26704521272.10"), D("25336140321.96"), D("5.40")]
    assert _values(rows["basic_eps"]) == [D("1.16"), D("1.14"), D("1.75")]
    assert _values(rows["diluted_eps"]) == [D("1.16"), D("1.14"), D("1.75")]
    assert _values(rows["rd_ratio"]) == [D("19.07"), D("17.37"), D("1.70")]
    assert rows["rd_ratio"].cells[-1].points
    assert all(row.multiplier == 1 for row in rows.values())


def test_sse_label_broken_around_its_numbers() -> None:
    # "归属于上市公司股东的扣除非 797,934,412.60 786,981,052.34 1.39 经常性损益的净利润"
    doc, rows = _read(SSE_KEY_TABLE)
    row = rows["net_profit_attributable_deducted"]
    assert _values(row) == [D("797934412.60"), D("786981052.34"), D("1.39")]
    # the plain 净利润 inside the broken label is not a row of its own
    assert "profit_for_period" not in rows
    # the cells' spans point at the printed numbers
    assert doc.text[row.cells[0].start : row.cells[0].end] == "797,934,412.60"
    assert doc.quote(row.cells[1].start, row.cells[1].end) == "786,981,052.34"


def test_sse_broken_per_share_and_roe_labels() -> None:
    # "扣除非经常性损益后的基本每股收 0.97 0.95 2.11 益(元/股)"
    _, rows = _read(SSE_KEY_TABLE)
    assert _values(rows["basic_eps_deducted"]) == [D("0.97"), D("0.95"), D("2.11")]
    assert _values(rows["weighted_roe_deducted"]) == [D("4.14"), D("4.38"), D("-0.24")]


def test_change_in_points() -> None:
    _, rows = _read(SSE_KEY_TABLE)
    cells = rows["weighted_roe"].cells
    assert _values(rows["weighted_roe"]) == [D("4.93"), D("5.22"), D("-0.29")]
    assert [c.points for c in cells] == [False, False, True]


def test_not_applicable_change() -> None:
    # "经营活动产生的现金流量净额 -624,592,418.17 -511,459,688.40 不适用"
    _, rows = _read(SSE_KEY_TABLE)
    cells = rows["operating_cash_flow"].cells
    assert _values(rows["operating_cash_flow"]) == [D("-624592418.17"), D("-511459688.40"), None]
    assert cells[2].is_na and not cells[0].is_na


def test_sse_unit_header_applies() -> None:
    text = SSE_KEY_TABLE.replace("单位:元币种:人民币", "单位:万元")
    _, rows = _read(text)
    assert rows["revenue"].multiplier == 10_000


# --- the HKEX summary (003): run-together columns ------------------------------------------------


def test_hkex_summary_run_together_rows() -> None:
    _, rows = _read(HKEX_SUMMARY)
    assert _values(rows["revenue"]) == [D(467049), D(413713), D("12.9")]
    assert _values(rows["gross_profit"]) == [D(137246), D(159659), D("-14.0")]
    assert _values(rows["profit_for_period"]) == [D(15834), D(962), D("1545.9")]
    assert _values(rows["net_profit_attributable"]) == [D(16443), D(3836), D("328.6")]
    assert _values(rows["ebitda"]) == [D(135443), D(114132), D("18.7")]
    assert rows["revenue"].cells[-1].percent
    assert all(row.multiplier == 1000 for row in rows.values())  # 人民币千元
    assert all(row.warnings == [] for row in rows.values())


def test_hkex_label_inside_longer_label_is_not_read_twice() -> None:
    # 期内溢利 is inside 本公司拥有人应占期内溢利: each row keeps its own numbers
    doc, rows = _read(HKEX_SUMMARY)
    assert (
        doc.text[rows["profit_for_period"].label_start : rows["profit_for_period"].label_end]
        == "期内溢利"
    )
    assert rows["net_profit_attributable"].label_start > rows["profit_for_period"].label_end


# --- negatives, notes, footnotes ----------------------------------------------------------------


def test_parenthesised_negatives() -> None:
    labels = {"cost": ["销售成本"], "selling": ["销售开支"], "finance": ["财务成本"]}
    _, rows = _read(HKEX_INCOME_STATEMENT, labels, note=True)
    assert _values(rows["cost"]) == [D(-329803), D(-254054)]
    assert _values(rows["selling"]) == [D(-26892), D(-32961)]
    assert _values(rows["finance"]) == [D(-14403), D(-11049)]
    assert rows["cost"].multiplier == 1000


def test_run_together_row_with_note_is_split_or_dropped_never_wrong() -> None:
    # "收入5467,049413,713": note 5 (or 54?) — ambiguous, so no figure rather than a wrong one
    _, rows = _read(
        HKEX_INCOME_STATEMENT, {"revenue": ["(?<!其他)收入"], "gp": ["毛利"]}, note=True
    )
    for metric, truth in (("revenue", [D(467049), D(413713)]), ("gp", [D(137246), D(159659)])):
        if metric in rows:
            assert _values(rows[metric]) == truth


def test_separate_note_reference_is_not_a_value() -> None:
    _, rows = _read(HKEX_INCOME_STATEMENT, {"tax": ["所得税开支"]}, note=True)
    assert _values(rows["tax"]) == [D(-8656), D(-3412)]


def test_footnote_marker_after_label_is_not_minus_one() -> None:
    # d09: "基本和稀释每股收益(1)" then 0.72 / 0.62 / 0.59
    _, rows = _read(HTML_EPS_ROWS)
    assert _values(rows["basic_eps"]) == [D("0.72"), D("0.62"), D("0.59")]
    assert _values(rows["basic_eps_deducted"]) == [D("0.70"), D("0.64"), D("0.65")]
    for row in rows.values():
        assert all(c.value not in (D(1), D(-1)) for c in row.cells)


def test_footnote_marker_in_flat_text() -> None:
    _, rows = _read("基本和稀释每股收益(1) 0.72 0.62 0.59")
    assert _values(rows["basic_eps"]) == [D("0.72"), D("0.62"), D("0.59")]


def test_en_dash_nil_is_not_a_minus_sign() -> None:
    _, rows = _read(HKEX_BALANCE_SHEET_NIL, {"restricted_cash": ["受限制现金"]})
    values = _values(rows["restricted_cash"]) if "restricted_cash" in rows else []
    assert D(-442) not in values


def test_wanted_limits_the_rows_but_longer_labels_still_hide_shorter_ones() -> None:
    doc = Document.from_text(SSE_KEY_TABLE)
    region = Region("t", 0, len(doc.text))
    rows = read_rows(doc.text, region, _labels(), LABEL_UNIT_SUFFIX, wanted=["basic_eps"])
    assert list(rows) == ["basic_eps"]
    assert _values(rows["basic_eps"]) == [D("1.16"), D("1.14"), D("1.75")]


def test_per_share_figures_in_cents_are_stored_in_currency_per_share() -> None:
    """HKEX summaries print EPS in 分 / 港仙; the contract wants currency per share."""
    from extract.backends.rules.financials import _vocab, metric_fields

    text = "财务摘要\n人民币千元\n每股基本盈利(人民币分) 4.60 1.10 318.2%\n"
    vocab = _vocab()
    labels = {m: spec["labels"] for m, spec in vocab["metrics"].items()}
    rows = read_rows(text, Region("key_figures", 0, len(text)), labels, LABEL_UNIT_SUFFIX)
    fields = metric_fields(rows["basic_eps"], "per_share")
    assert (fields["value"].value, fields["prior"].value) == (0.046, 0.011)

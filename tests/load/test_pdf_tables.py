"""Tables from a page's geometry: ruled grids and unruled columns of figures."""

from __future__ import annotations

from shared_files import WILD_DIR, need

from extract.load.pdf import read_pdf
from extract.load.pdf_geometry import Glyph, Rule, merge_rules, rules_from_lines
from extract.load.pdf_tables import page_tables

HEIGHT = 10.0


def glyphs(text: str, x: float, y: float, offset: int, width: float = 6.0) -> list[Glyph]:
    """``text`` printed left to right from (x, y), one glyph per character (spaces skipped)."""
    out = []
    for k, char in enumerate(text):
        if not char.isspace():
            left = x + k * width
            out.append(Glyph.at(offset + k, char, left, left + width * 0.9, y, y + HEIGHT))
    return out


def test_collinear_pieces_are_one_rule() -> None:
    pieces = [Rule(100.0, 0.0, 50.0), Rule(100.4, 50.0, 120.0), Rule(300.0, 0.0, 50.0)]
    assert merge_rules(pieces) == [Rule(100.0, 0.0, 120.0), Rule(300.0, 0.0, 50.0)]


def test_thin_boxes_are_rules_and_boxes_are_not() -> None:
    horizontal, vertical = rules_from_lines(
        [(0, 100, 200, 100.5), (50, 0, 50.4, 100), (10, 10, 40, 40)]
    )
    assert [r.at for r in horizontal] == [100.25]
    assert [r.at for r in vertical] == [50.2]


def _grid(xs: list[float], ys: list[float]) -> tuple[list[Rule], list[Rule]]:
    return (
        [Rule(y, xs[0], xs[-1]) for y in ys],
        [Rule(x, ys[-1], ys[0]) for x in xs],
    )


def test_a_number_wrapped_in_its_cell_comes_out_whole() -> None:
    # 营业收入 | 2,186,279,898.42 printed as "2,186,279" over ",898.42" in a narrow cell
    horizontal, vertical = _grid([0, 100, 160], [200, 170, 120])
    page = (
        glyphs("本报告期", 105, 180, 0)
        + glyphs("营业收入", 5, 140, 10)
        + glyphs("2,186,279", 102, 150, 20)
        + glyphs(",898.42", 110, 138, 40)
    )
    (table,) = page_tables(page, horizontal, vertical, page=1)
    assert table.source == "pdf-ruled"
    assert [c.text for c in table.rows[1]] == ["营业收入", "2,186,279,898.42"]
    cell = table.rows[1][1]
    assert (cell.start, cell.end) == (20, 47)


def test_a_merged_header_covers_the_columns_below_it() -> None:
    # 上年同期 spans 调整前 | 调整后: no vertical rule between them in the header row
    horizontal = [Rule(200, 0, 300), Rule(180, 100, 300), Rule(160, 0, 300), Rule(130, 0, 300)]
    vertical = [Rule(0, 130, 200), Rule(100, 130, 200), Rule(200, 130, 180), Rule(300, 130, 200)]
    page = (
        glyphs("上年同期", 150, 185, 0)
        + glyphs("调整前", 110, 165, 10)
        + glyphs("调整后", 210, 165, 20)
        + glyphs("营业收入", 5, 140, 30)
        + glyphs("1.00", 110, 140, 40)
        + glyphs("2.00", 210, 140, 50)
    )
    (table,) = page_tables(page, horizontal, vertical, page=1)
    assert table.rows[0][1] is table.rows[0][2]
    assert table.rows[0][1].text == "上年同期"
    assert [c.text for c in table.rows[2]] == ["营业收入", "1.00", "2.00"]


def test_unruled_columns_come_from_the_figures_right_edges() -> None:
    page = (
        glyphs("2021", 300, 300, 0)
        + glyphs("2020", 380, 300, 10)
        + glyphs("Revenue", 10, 280, 20)
        + glyphs("676,812", 282, 280, 30)
        + glyphs("917,407", 362, 280, 40)
        + glyphs("Loss for the year", 10, 260, 50)
        + glyphs("(576,094)", 270, 260, 70)
        + glyphs("(689,747)", 350, 260, 80)
    )
    (table,) = page_tables(page, [], [], page=3)
    assert table.source == "pdf-unruled"
    rows = [[c.text for c in row] for row in table.rows]
    assert rows == [
        ["", "2021", "2020"],
        ["Revenue", "676,812", "917,407"],
        ["Loss for the year", "(576,094)", "(689,747)"],
    ]


def test_a_table_opening_a_page_with_figures_is_marked_continued() -> None:
    horizontal, vertical = _grid([0, 100, 160], [200, 170, 140])
    page = (
        glyphs("营业成本", 5, 180, 0)
        + glyphs("5.00", 110, 180, 10)
        + glyphs("基本每股收益", 5, 150, 20)
        + glyphs("0.12", 110, 150, 30)
    )
    (table,) = page_tables(page, horizontal, vertical, page=2)
    assert table.continued


# --- real filings ------------------------------------------------------------------------


def test_a_third_quarter_key_table_with_wrapped_cells() -> None:
    """The key table of an SZSE third-quarter report: two header rows (上年同期 over 调整前 |
    调整后), numbers wrapped in narrow cells, labels over three lines."""
    pdf = read_pdf(need(WILD_DIR / "w025_huarunsanjiu_000999_q3_2025Q3.pdf"))
    key = pdf.tables[0]
    assert [c.text for c in key.rows[1]][2:4] == ["调整前", "调整后"]
    revenue = next(row for row in key.rows if row[0].text.startswith("营业收入"))
    assert [c.text for c in revenue][5:] == [
        "21,986,403,962.07",
        "19,740,286,995.36",
        "19,740,286,995.36",
        "11.38%",
    ]
    cell = revenue[5]
    assert pdf.text[cell.start : cell.end].replace("\n", "") == "21,986,403,962.07"


def test_a_statement_over_three_pages_is_one_table() -> None:
    pdf = read_pdf(need(WILD_DIR / "w025_huarunsanjiu_000999_q3_2025Q3.pdf"))
    joined = [t for t in pdf.tables if len(t.pages) > 1]
    assert joined, "no table joined across a page break"
    labels = [row[0].text for row in max(joined, key=lambda t: t.n_rows).rows]
    assert labels.count("项目") <= 2  # a repeated header stays one row of the whole


def test_an_unruled_hkex_statement() -> None:
    pdf = read_pdf(need(WILD_DIR / "w030_emperorcapital_00717_ar_FY2021.pdf"))
    statement = next(
        t for t in pdf.tables if any("Loss for the year attributable" in r[0].text for r in t.rows)
    )
    assert statement.source == "pdf-unruled"
    row = next(r for r in statement.rows if "Loss for the year attributable" in r[0].text)
    assert [c.text for c in row[-2:]] == ["(576,094)", "(689,747)"]


def test_figures_in_mirrored_brackets_side_by_side_are_split() -> None:
    """A right-to-left text layer stores ``(3,542,028)`` as ``)3,542,028(``; two such
    figures printed close together are two cells, each read the right way round."""

    def right_aligned(text: str, right: float, y: float, offset: int) -> list[Glyph]:
        return glyphs(text, right - 5.0 * len(text), y, offset, width=5.0)

    page = (
        glyphs("收益", 10, 300, 0)
        + right_aligned("10,288,651", 210, 300, 10)
        + right_aligned("11,163,103", 270, 300, 30)
        + glyphs("除稅前虧損", 10, 286, 50)
        + right_aligned(")3,542,028(", 210, 286, 60)
        + right_aligned(")3,213,676(", 270, 286, 80)
    )
    (table,) = page_tables(page, [], [], page=1)
    assert [c.text for c in table.rows[-1]] == ["除稅前虧損", "(3,542,028)", "(3,213,676)"]


def test_a_year_header_wider_than_its_column_stays_over_it() -> None:
    """二零二三年 centred over a narrow column of figures starts left of the figures: it is
    still that column's header, not a label."""
    page = (
        glyphs("二零二三年", 141, 330, 0, width=9.0)
        + glyphs("二零二二年", 221, 330, 10, width=9.0)
        + glyphs("－本公司權益股東", 10, 300, 20, width=9.0)
        + glyphs("(172,544)", 150, 300, 40, width=5.0)
        + glyphs("46,723", 245, 300, 50, width=5.0)
        + glyphs("－非控股權益", 10, 286, 60, width=9.0)
        + glyphs("342,556", 155, 286, 70, width=5.0)
        + glyphs("159,373", 240, 286, 80, width=5.0)
    )
    (table,) = page_tables(page, [], [], page=1)
    assert [c.text for c in table.rows[0]] == ["", "二零二三年", "二零二二年"]


def test_header_lines_of_a_font_with_tall_boxes_stay_apart() -> None:
    """w036's five-year summary: its Chinese font declares boxes three times taller than
    its characters, so PDFium's boxes overlap the line below; the year and the unit under
    it are still two lines, not one interleaved (二人零民一幣…)."""
    pdf = read_pdf(need(WILD_DIR / "w036_fullshare_00607_ar_FY2022.pdf"))
    summary = next(t for t in pdf.tables if any(r[0].text == "資產總額" for r in t.rows))
    header = [[c.text for c in row] for row in summary.rows[:6]]
    assert ["二零二一年", "二零二二年"] in [row[-2:] for row in header]
    assert ["人民幣千元", "人民幣千元"] in [row[-2:] for row in header]
    profit = next(r for r in summary.rows if r[0].text == "年內（虧損）╱溢利")
    assert [c.text for c in profit[-2:]] == ["(2,335,758)", "408,696"]


def test_years_several_lines_above_the_first_figures_head_the_table() -> None:
    """w035: a statement's last page prints its EPS rows (figures with three decimals
    only) under years set seven lines above them (audit marks, a unit line and a wrapped
    label between): the page is read as tables, and the years head the columns."""
    pdf = read_pdf(need(WILD_DIR / "w035_fullshare_00607_h1_2022H1.pdf"))
    eps = next(
        t
        for t in pdf.tables
        if any(r[0].text.startswith("Basicanddilutedearnings") for r in t.rows)
    )
    texts = [[c.text for c in row] for row in eps.rows]
    assert ["2022", "2021"] in [row[-2:] for row in texts]
    assert texts[-1][-2:] == ["RMB0.002", "RMB(0.030)"]

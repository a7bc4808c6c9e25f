"""Column roles from header cells: value, prior (restated), change, year to date, years."""

from __future__ import annotations

from extract.core.table import Cell, Table, grid_from_cells
from extract.tables.roles import (
    Columns,
    column_groups,
    header_rows,
    header_shifted,
    reporting_columns,
)


def grid(*rows: list[str], merged: dict[tuple[int, int], int] | None = None) -> Table:
    """A table from rows of cell texts; ``merged[(r, c)] = n`` makes that cell span n columns."""
    merged = merged or {}
    cells, covered = [], set()
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            if (r, c) in covered:
                continue
            span = merged.get((r, c), 1)
            covered.update((r, c + k) for k in range(span))
            cells.append(Cell(text, 0, len(text), r, c, colspan=span))
    n_cols = max(len(row) for row in rows)
    return Table(grid_from_cells(cells, len(rows), n_cols), "test")


def columns_of(table: Table) -> Columns | None:
    return reporting_columns(column_groups(table, header_rows(table)))


def test_annual_key_table_years_and_change() -> None:
    table = grid(
        ["", "2024 年", "2023 年", "本年比上年增减", "2022 年"],
        ["营业收入（元）", "801,923,244.22", "1,017,448,123.50", "-21.18%", "607,410,539.16"],
    )
    assert columns_of(table) == Columns(value=1, prior=2, change=3)


def test_restated_prior_wins_over_the_unadjusted_one() -> None:
    table = grid(
        ["", "2019 年", "2018 年", "", "本年比上年增减", "2017 年", ""],
        ["", "2019 年", "调整前", "调整后", "调整后", "调整前", "调整后"],
        [
            "营业收入（元）",
            "39,608,340,979.04",
            "36,683,290,538.29",
            "37,036,329,015.10",
            "6.94%",
            "33,713,780,563.65",
            "33,713,780,563.65",
        ],
        merged={(0, 2): 2, (0, 5): 2},
    )
    assert columns_of(table) == Columns(value=1, prior=3, change=4)


def test_third_quarter_reads_the_year_to_date_group() -> None:
    table = grid(
        [
            "",
            "本报告期",
            "上年同期",
            "",
            "本报告期比上年同期增减",
            "年初至报告期末",
            "上年同期",
            "",
            "年初至报告期末比上年同期增减",
        ],
        [
            "",
            "本报告期",
            "调整前",
            "调整后",
            "调整后",
            "年初至报告期末",
            "调整前",
            "调整后",
            "调整后",
        ],
        [
            "营业收入（元）",
            "7,176,243,743.45",
            "5,634,274,230.28",
            "5,634,274,230.28",
            "27.37%",
            "21,986,403,962.07",
            "19,740,286,995.36",
            "19,740,286,995.36",
            "11.38%",
        ],
        merged={(0, 2): 2, (0, 6): 2},
    )
    assert columns_of(table) == Columns(value=5, prior=7, change=8)


def test_quarter_table_without_comparatives() -> None:
    table = grid(
        [
            "",
            "本报告期",
            "本报告期比上年同期增减",
            "年初至报告期末",
            "年初至报告期末比上年同期增减",
        ],
        ["营业收入（元）", "1,709,371,136.50", "-11.87%", "5,067,615,359.89", "-10.32%"],
    )
    assert columns_of(table) == Columns(value=3, prior=None, change=4)


def test_hkex_statement_with_a_notes_column_and_years_in_any_order() -> None:
    table = grid(
        ["", "Notes", "2020", "2021"],
        ["", "", "HK$'000", "HK$'000"],
        ["Revenue", "5", "917,407", "676,812"],
    )
    assert columns_of(table) == Columns(value=3, prior=2, change=None)


def test_years_in_chinese_numerals_beside_arabic_ones() -> None:
    # HKEX bilingual headers: 2021 over 二零二一年 (joined "2021 二零二一年" must stay two years)
    table = grid(
        ["", "Notes", "2021", "2020"],
        ["", "附註", "二零二一年", "二零二零年"],
        ["Turnover 營業額", "5,6", "76,705,162", "(52,399,474)"],
    )
    assert columns_of(table) == Columns(value=2, prior=3, change=None)
    numerals_only = grid(
        ["", "二零二一年", "二零二零年"],
        ["Turnover 營業額", "76,705,162", "(52,399,474)"],
    )
    assert columns_of(numerals_only) == Columns(value=1, prior=2, change=None)


def test_a_period_title_over_the_columns_does_not_name_the_column_it_sits_in() -> None:
    # w036: the title spanning both columns is drawn in the last one, above its own year
    table = grid(
        ["", "", "", "截至二零二二年十二月三十一日止年度"],
        ["", "", "二零二二年", "二零二一年"],
        ["", "附註", "人民幣千元", "人民幣千元"],
        ["", "", "", "（經重列）"],
        ["毛利", "", "3,314,344", "3,294,795"],
    )
    assert columns_of(table) == Columns(value=2, prior=3, change=None)


def test_segments_under_one_year_are_not_the_period_total() -> None:
    """Remaining Business | Affected Entities | total, for each year: only the column headed
    by the year alone is the period's figure."""
    table = grid(
        [
            "",
            "Remaining Business* 2021",
            "Affected Entities* 2021",
            "2021",
            "Remaining Business* 2020",
            "Affected Entities* 2020",
            "2020",
        ],
        ["Revenue", "219,666", "2,044,081", "2,263,747", "179,496", "1,613,232", "1,792,728"],
    )
    assert columns_of(table) == Columns(value=3, prior=6, change=None)


def test_two_columns_headed_the_same_year_alone_read_nothing() -> None:
    table = grid(["", "2021", "2021"], ["Revenue", "1", "2"])
    assert columns_of(table) is None


def test_a_header_shifted_against_its_body_is_recognised() -> None:
    # w025 as FinGLM renders it: the header row has an extra empty cell before 项目, so
    # 本报告期末 heads the column of last year's figures
    shifted = grid(
        ["", "项目", "本报告期末", "上年度末", "变动比率", "变动原因"],
        ["交易性金融资产", "2,951,880,246.72", "1,677,334,369.26", "75.99%", "并购导致。", ""],
    )
    assert header_shifted(shifted, header_rows(shifted))
    aligned = grid(
        ["项目", "本报告期末", "上年度末", "变动比率", "变动原因"],
        ["交易性金融资产", "2,951,880,246.72", "1,677,334,369.26", "75.99%", "并购导致。"],
    )
    assert not header_shifted(aligned, header_rows(aligned))


def test_the_periods_year_printed_over_the_labels_reads_nothing() -> None:
    # w034 (a right-to-left PDF): 二零二三年 landed in the label column, 二零二二年 over the
    # last column; taking 2022 as the period would read last year's figures as this year's
    table = grid(
        ["於二零二三年六月三十日", "", ""],
        ["二零二三年", "", "二零二二年"],
        ["附註 人民幣千元", "", "人民幣千元"],
        ["本公司權益股東應佔權益", "11,586,104", "12,039,043"],
    )
    assert columns_of(table) is None


def test_segments_with_a_total_and_the_period_title_drawn_in_the_last_column() -> None:
    # w032: Remaining Business | Affected Entities | total for each year; the title "For the
    # year ended 31 August 2021" spans the columns but is drawn over the last one
    table = grid(
        ["", "", "", "", "", "", "", "For theyear ended 31August2021"],
        ["", "", "Remaining", "Affected", "", "Remaining", "Affected", ""],
        ["", "", "Business*", "Entities*", "", "Business*", "Entities*", ""],
        ["", "", "2021", "2021", "2021", "2020", "2020", "2020"],
        ["Notes", "", "RMB’000", "RMB’000", "RMB’000", "RMB’000", "RMB’000", "RMB’000"],
        ["Revenue", "5", "219,666", "2,044,081", "2,263,747", "179,496", "1,613,232", "1,792,728"],
    )
    assert columns_of(table) == Columns(value=4, prior=7, change=None)

"""Column roles: which column of a table is the period's figure, its comparative, its change.

Read from the header cells, not from positions (``vocab/tables.yaml``)::

    项目 | 本报告期 | 上年同期 (调整前 | 调整后) | 增减 | 年初至报告期末 | 上年同期 | 增减
    项目 | 2024年 | 2023年 | 本年比上年增减 | 2022年
         | Notes | 2021 HK$'000 | 2020 HK$'000

Columns form groups: a period column (本报告期, 年初至报告期末) starts a group; a comparative
(上年同期) and a change (增减) join the group before them, a restated comparative (调整后)
winning over the unadjusted one. Where the header names years only, the latest year is the
value and the year before it the prior, whatever their order. The contract reads the
year-to-date group where a table has one (quarterly reports), else the first group.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from ..core.numbers import CELL_FIGURE
from ..core.table import Table
from ..load.document import Document
from ..load.normalise import normalise_text
from ..vocab import load_vocab

_YEAR_HEADING = re.compile(r"(?:19|20)\d{2}(?:年(?:度)?)?")
# HKEX Chinese headers write years in numerals: 二零二一年 is 2021年
_NUMERAL_YEAR = re.compile("[一二][零〇○一二三四五六七八九]{3}(?=年)")
_NUMERAL_DIGITS = str.maketrans("零〇○一二三四五六七八九", "000123456789")


@cache
def _vocab() -> dict[str, Any]:
    return load_vocab("tables")


@dataclass(frozen=True)
class Heading:
    """What one column's header says: its role, whether restated, its year."""

    role: str | None
    restated: bool = False
    year: int | None = None


@dataclass
class Group:
    """A period column with the comparative and the change printed beside it."""

    value: int
    ytd: bool = False
    prior: int | None = None
    prior_restated: bool = False
    change: int | None = None


@dataclass(frozen=True)
class Columns:
    """Where a row's figures are: the value, the prior, the change (None: not printed)."""

    value: int
    prior: int | None
    change: int | None


@lru_cache(maxsize=1 << 16)  # every rule reads the same cells again
def cell_text(text: str) -> str:
    """A cell's text as the rules match it: normalised, on one line."""
    return normalise_text(text).replace("\n", "").strip()


def is_figure(text: str) -> bool:
    """A cell holding a figure (a year heading such as 2024 or 2024年 is not one)."""
    compact = cell_text(text).replace(" ", "")
    return bool(CELL_FIGURE.fullmatch(compact)) and not _YEAR_HEADING.fullmatch(compact)


def row_has_figures(table: Table, row: int, first_col: int = 1) -> bool:
    return any(is_figure(cell.text) for cell in table.rows[row][first_col:])


def header_rows(table: Table) -> list[int]:
    """The rows above the first row with figures, but for a label alone just above it
    (``Revenue`` over its items: a row of the body, not of the header)."""
    rows = []
    for r in range(table.n_rows):
        if row_has_figures(table, r):
            break
        rows.append(r)
    while rows and not any(not cell.is_empty for cell in table.rows[rows[-1]][1:]):
        if rows[-1] == 0 or not table.rows[rows[-1]][0].text.strip():
            break
        rows.pop()
    return rows


def header_shifted(table: Table, rows: Sequence[int]) -> bool:
    """Is the label column's header (项目) printed over a column the body fills with figures?"""
    pattern = _vocab()["label_header"]
    named = [
        col
        for col in range(1, table.n_cols)
        if any(re.search(pattern, cell_text(c.text)) for c in table.column(col, rows))
    ]
    if not named:
        return False
    body = [r for r in range(table.n_rows) if r not in rows]
    return any(is_figure(table.rows[r][col].text) for r in body for col in range(named[0] + 1))


def is_subheader(table: Table, row: int) -> bool:
    """A row inside the body that names periods again (本报告期末 | 上年度末 | 增减)."""
    if row_has_figures(table, row):
        return False
    return any(
        heading(cell_text(cell.text)).role in ("value", "ytd", "prior")
        for cell in table.rows[row][1:]
        if not cell.is_empty
    )


def header_text(table: Table, col: int, rows: Sequence[int]) -> str:
    return " ".join(cell_text(c.text) for c in table.column(col, rows) if not c.is_empty)


def heading(text: str) -> Heading:
    """What a column's header text says about the column."""
    vocab = _vocab()
    compact = text.replace(" ", "")
    role = next(
        (name for name, pattern in vocab["roles"].items() if re.search(pattern, compact)), None
    )
    # (spaces kept: cells joined as "2021 二零二一年" must not run into one number)
    arabic = _NUMERAL_YEAR.sub(lambda m: m.group(0).translate(_NUMERAL_DIGITS), text)
    years = [int(y) for y in re.findall(vocab["year"], arabic)]
    return Heading(
        role,
        bool(re.search(vocab["restated"], compact)),
        years[-1] if years else None,  # the year nearest the body: titles above span columns
    )


def header_years(table: Table) -> set[int]:
    """The distinct years the header's columns name (a five-year summary names five)."""
    rows = header_rows(table)
    years = (heading(header_text(table, col, rows)).year for col in _distinct_columns(table, 1))
    return {year for year in years if year is not None}


def column_groups(table: Table, rows: Sequence[int], first_col: int = 1) -> list[Group]:
    """The period groups of a table's columns, left to right, from the header ``rows``."""
    headings = [
        (col, heading(header_text(table, col, rows))) for col in _distinct_columns(table, first_col)
    ]
    return _role_groups(headings) or _year_groups(table, rows, headings)


def groups_from_header_line(texts: Sequence[str], first_col: int = 1) -> list[Group]:
    """Period groups from a header printed as a line of text outside the grid, one text a
    column (本报告期 上年同期 同比增减 变动原因 at the foot of the page before the table's
    rows). Only roles count here: years alone, with no cells to compare, say too little."""
    return _role_groups([(first_col + i, heading(text)) for i, text in enumerate(texts)])


# A grid that opens with figures may have its header printed as a line of text just above
# it, often at the foot of the page before (only a page number and a running header between).
_HEADER_LINE_WINDOW = 400
_HEADER_LINE_LOOKBACK = 4


def groups_from_the_line_above(doc: Document, table: Table) -> list[Group]:
    """Column groups from a header line printed above a headerless grid: one word a figure
    column, at least two of them naming a period role; none if no such line is near."""
    end = table.start
    if table.continued and table.page and len(doc.page_starts) >= table.page:
        end = doc.page_starts[table.page - 1]  # above it on its page: the running header
    window = doc.original[max(0, end - _HEADER_LINE_WINDOW) : end]
    lines = [line.split() for line in window.split("\n") if line.strip()]
    for words in reversed(lines[-_HEADER_LINE_LOOKBACK:]):
        if any(is_figure(word) for word in words):
            return []  # the rows of something else stand between
        named = sum(heading(normalise_text(word)).role is not None for word in words)
        if len(words) == table.n_cols - 1 and named >= 2:
            return groups_from_header_line([normalise_text(word) for word in words])
    return []


def _role_groups(headings: Sequence[tuple[int, Heading]]) -> list[Group]:
    """Groups of columns named by their roles: a period starts one, a comparative and a
    change join the one before them."""
    groups: list[Group] = []
    for col, head in headings:
        if head.role == "change":
            if groups and groups[-1].change is None:
                groups[-1].change = col
        elif head.role in ("value", "ytd"):
            groups.append(Group(col, ytd=head.role == "ytd"))
        elif head.role == "prior" and groups:
            _add_prior(groups[-1], col, head)
        elif head.role is None and head.restated and groups and groups[-1].prior is not None:
            # 调整后 alone beside 上年同期调整前: the comparative's header lost its span over
            # both (a grid read without it, FinGLM's rows) and still heads the restated one
            _add_prior(groups[-1], col, head)
    return groups


def _add_prior(group: Group, col: int, head: Heading) -> None:
    """A comparative joins its group; a restated one (调整后) replaces an unadjusted one."""
    if group.prior is None or (head.restated and not group.prior_restated):
        group.prior, group.prior_restated = col, head.restated


def _distinct_columns(table: Table, first_col: int) -> list[int]:
    """Columns after ``first_col``, a column every cell of which merges with the one before
    it (an HTML ``colspan`` over the whole table) counted once."""
    columns = []
    for col in range(first_col, table.n_cols):
        same = col > first_col and all(
            table.cell(r, col) is table.cell(r, col - 1) for r in range(table.n_rows)
        )
        if not same:
            columns.append(col)
    return columns


def _year_groups(
    table: Table, rows: Sequence[int], headings: list[tuple[int, Heading]]
) -> list[Group]:
    """Columns headed by years: the latest year, the one before it, a change column.

    Where a year heads several columns (segments side by side: Remaining Business | Affected
    Entities | total), only the column headed by the year alone is the period's; if none or
    several are, the columns cannot be told apart and nothing is read.
    """
    years = {col: head.year for col, head in headings if head.year and head.role is None}
    if not years:
        return []
    latest = max(years.values())
    label_year = heading(header_text(table, 0, rows)).year
    if label_year is not None and label_year > latest:
        return []  # the period's own year printed over the labels: the header is misplaced
    value = _year_column(table, rows, [c for c, y in years.items() if y == latest])
    if value is None:
        return []
    prior = _year_column(table, rows, [c for c, y in years.items() if y == latest - 1])
    change = next((col for col, head in headings if head.role == "change"), None)
    return [Group(value, prior=prior, change=change)]


def _year_column(table: Table, rows: Sequence[int], columns: list[int]) -> int | None:
    """The one column of ``columns`` (all headed by the same year) that is the period's:
    the restated one (2018年 调整后), else the one headed by the year alone."""
    if len(columns) <= 1:
        return columns[0] if columns else None
    restated = [col for col in columns if heading(header_text(table, col, rows)).restated]
    if len(restated) == 1:
        return restated[0]
    vocab = _vocab()
    bare = [
        col
        for col in columns
        if not re.sub(
            vocab["year_header_extras"],
            "",
            re.sub(vocab["year"], "", header_text(table, col, rows)),
        )
    ]
    return bare[0] if len(bare) == 1 else None


def reporting_columns(groups: Sequence[Group]) -> Columns | None:
    """The group the contract reads: year to date where printed, else the first period."""
    if not groups:
        return None
    chosen = next((g for g in groups if g.ytd), groups[0])
    return Columns(chosen.value, chosen.prior, chosen.change)

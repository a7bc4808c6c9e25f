"""Documents with tables for tests: snippets of filings and the grids a loader makes of
them."""

from __future__ import annotations

from collections.abc import Mapping

from extract.core.spans import Found
from extract.core.table import Cell, Table, grid_from_cells
from extract.load.document import Document


def document(text: str, *tables: list[list[str]]) -> Document:
    """A document whose ``tables`` (rows of cell texts) are found in ``text`` in order, so
    every cell has its real span, as a loader gives it."""
    built, cursor = [], 0
    for rows in tables:
        cells = []
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if not value:
                    cells.append(Cell("", 0, 0, r, c))
                    continue
                at = text.index(value, cursor)
                cells.append(Cell(value, at, at + len(value), r, c))
                cursor = at + len(value)
        spans = [(c.start, c.end) for c in cells if c.end > c.start]
        start, end = min(s for s, _ in spans), max(e for _, e in spans)
        grid = grid_from_cells(cells, len(rows), max(len(row) for row in rows))
        built.append(Table(grid, "test", None, start, end))
    return Document.from_text(text, tables=built)


def flat_values(by_metric: Mapping[str, Mapping[str, Found]]) -> dict[str, float]:
    """``{metric: {part: Found}}`` as ``{"metric.part": value}``, for comparing in a test."""
    return {
        f"{metric}.{part}": found.value
        for metric, fields in by_metric.items()
        for part, found in fields.items()
    }


# d02's key table as pdftotext prints it without -layout: the years, then the figures one a
# line, the labels apart (verbatim, normalised)
COLUMN_PRINTED = """□适用√不适用五、主要会计数据和财务指标公司是否需追溯调整或重述以前年度会计数据
□是√否
2019年
2018年本年比上年增减
2017年
925,158,518.22
1,418,294,158.04
-34.77%
535,879,620.51
325,577,386.27
656,013,995.26
-50.37%
87,075,651.70
基本每股收益(元/股)
0.5932
1.1996
-50.55%
0.1593
"""


# w032 (HKEX annual report 2021), Operational and Financial Highlights: a label alone heads
# its parts, and their total is printed without a label (RMB'000, the change signed)
HIGHLIGHTS = """RMB'000 2021 2020 Change Percentage
Revenue
— Remaining Business 219,666 179,496 +40,170 +22.4%
— Affected Entities 2,044,081 1,613,232 +430,849 +26.7%
2,263,747 1,792,728 +471,019 +26.3%
Total number of teachers 4,877 3,818 +1,059 +27.7%
"""


def highlights_document() -> Document:
    return document(
        HIGHLIGHTS,
        [
            ["", "2021", "2020", "Change", "Percentage"],
            ["Revenue", "", "", "", ""],
            ["— Remaining Business", "219,666", "179,496", "+40,170", "+22.4%"],
            ["— Affected Entities", "2,044,081", "1,613,232", "+430,849", "+26.7%"],
            ["", "2,263,747", "1,792,728", "+471,019", "+26.3%"],
            ["Total number of teachers", "4,877", "3,818", "+1,059", "+27.7%"],
        ],
    )

"""Markdown pipe tables (as OCR tools write them) as :class:`~extract.core.table.Table` grids.

A pipe table is a header line, a delimiter line of dashes (``|---|:---:|``) and the body
lines after it, up to a line without a pipe::

    | 项目 | 2024年 | 2023年 |
    |---|---|---|
    | 营业收入 | 5,333,486,253.17 | 5,271,345,801.64 |

Cells are split at pipes (``\\|`` is a pipe inside a cell); the leading and trailing pipes
are optional. A row with fewer cells than the widest is padded with empty ones, and a row
with more keeps them (OCR drops a header cell more often than it invents a figure). Each
cell's span runs over its text without the spaces around it, through the offset map of the
text read, so it points into the original.
"""

from __future__ import annotations

import re
from itertools import pairwise

from ..core.table import Cell, Table, table_from_cells
from .offsets import OffsetMap

SOURCE = "markdown"

_DELIMITER = re.compile(
    r"^[ \t]*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)+\|?[ \t]*$"
    r"|^[ \t]*\|[ \t]*:?-+:?[ \t]*\|[ \t]*$",
    re.MULTILINE,
)
_SEPARATOR = re.compile(r"(?<!\\)\|")


def markdown_tables(text: str, offsets: OffsetMap) -> list[Table]:
    """The pipe tables of ``text``; ``offsets`` maps ``text`` to the original."""
    if "|" not in text:
        return []
    tables = []
    for delimiter in _DELIMITER.finditer(text):
        header = _line_before(text, delimiter.start())
        if header is None or "|" not in text[header[0] : header[1]]:
            continue
        lines = [header, *_body(text, delimiter.end())]
        cells = [cell for r, line in enumerate(lines) for cell in _cells(text, line, r, offsets)]
        if any(not cell.is_empty for cell in cells):
            tables.append(table_from_cells(cells, SOURCE))
    return tables


def _line_before(text: str, start: int) -> tuple[int, int] | None:
    """The span of the line before the one starting at ``start`` (None at the text's start)."""
    if start == 0:
        return None
    end = start - 1  # the line break ending it
    return text.rfind("\n", 0, end) + 1, end


def _body(text: str, end: int) -> list[tuple[int, int]]:
    """The body lines after the delimiter ending at ``end``: each line that has a pipe."""
    lines = []
    while end < len(text):
        start = end + 1
        stop = text.find("\n", start)
        stop = len(text) if stop < 0 else stop
        if "|" not in text[start:stop] or not text[start:stop].strip():
            break
        lines.append((start, stop))
        end = stop
    return lines


def _cells(text: str, line: tuple[int, int], row: int, offsets: OffsetMap) -> list[Cell]:
    """The cells of one line, their spans mapped to the original."""
    start, stop = line
    pipes = [m.start() for m in _SEPARATOR.finditer(text, start, stop)]
    bounds = [start - 1, *pipes, stop]
    if pipes and not text[start : pipes[0]].strip():
        bounds = bounds[1:]  # the leading pipe opens the first cell
    if pipes and len(bounds) > 2 and not text[pipes[-1] + 1 : stop].strip():
        bounds = bounds[:-1]  # the trailing pipe closes the last one
    cells = []
    for col, (left, right) in enumerate(pairwise(bounds)):
        a, b = left + 1, right
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        content = text[a:b].replace("\\|", "|")
        if a < b:
            first, last = offsets.original_span(a, b)
            cells.append(Cell(content, first, last, row, col))
        else:
            cells.append(Cell("", 0, 0, row, col))
    return cells

"""The units a section's passages are chosen from: each table the loader saw as a grid, the
note printed right after a table, the text between tables cut into chunks of roughly
400–800 characters on line and sentence boundaries, and the line around a term."""

from __future__ import annotations

import re

from ...core.table import Table
from ...load.document import Document
from .query import config
from .search import chunk_text
from .table_text import table_spans

# The end of a table's note: a sentence closing its line
_NOTE_END = re.compile(r"[。.]\n")


def units_of(document: Document) -> tuple[list[tuple[int, int]], list[Table | None]]:
    """The document's units in order: each table's span, and text chunks between them."""
    settings = config()
    low, high = int(settings["chunk_min_chars"]), int(settings["chunk_max_chars"])
    text = document.text
    units: list[tuple[int, int]] = []
    tables: list[Table | None] = []
    position = 0
    for start, end, table in table_spans(document, document.tables):
        if start < position:
            continue  # overlaps a table already taken
        units += [
            (position + a, position + b) for a, b in chunk_text(text[position:start], low, high)
        ]
        tables += [None] * (len(units) - len(tables))
        units.append((start, end))
        tables.append(table)
        position = end
    units += _offset(chunk_text(text[position:], low, high), position)
    tables += [None] * (len(units) - len(tables))
    return units, tables


def line_around(text: str, start: int, end: int, wraps: bool = False) -> tuple[int, int]:
    """The line holding ``text[start:end]``, at most ``line_term_chars`` on either side; an
    English sentence ``wraps`` onto the next lines (…authorised for issue by the Board of
    Directors on\n30 December 2021), so its window is not cut at a line break."""
    width = int(config()["line_term_chars"])
    if wraps:
        return max(0, start - width), min(len(text), end + width)
    a = max(text.rfind("\n", 0, start) + 1, start - width)
    b = text.find("\n", end)
    return a, min(len(text) if b < 0 else b, end + width)


def note_after(text: str, end: int) -> int:
    """Where the note printed right after a table ends: its first sentence, if it closes a
    line within ``table_note_chars`` (截至本报告出具日,公司总股本为…股。); else ``end``."""
    window = text[end : end + int(config()["table_note_chars"])]
    found = _NOTE_END.search(window)
    return end + found.end() if found else end


def _offset(spans: list[tuple[int, int]], by: int) -> list[tuple[int, int]]:
    return [(a + by, b + by) for a, b in spans]

"""Pages put together: the loaders that know a filing's pages (PDF, FinGLM) join their texts
with one separator, keep where each page starts, and move each page's tables to the joined
text, so tables running over a page break can be joined (``core.table.join_continued``).
"""

from __future__ import annotations

from collections.abc import Sequence

from ..core.table import Table

PAGE_SEPARATOR = "\n\f\n"
"""Put between the texts of consecutive pages: a form feed on a line of its own, like
pdftotext's page break, so a reader can split pages on ``"\\f"``."""

FURNITURE_CHARS = 60
"""Visible characters of page furniture (a running header, a page number) a table may have
between itself and its page's edge and still be the page's first or last thing."""


def pages_joined(
    pages: Sequence[tuple[str, Sequence[Table]]],
) -> tuple[str, tuple[int, ...], list[Table]]:
    """The pages' texts joined, where each page starts, and every page's tables (spans local
    to their page) moved into the joined text, in page order; not yet joined to each other."""
    starts: list[int] = []
    tables: list[Table] = []
    offset = 0
    for text, page_tables in pages:
        starts.append(offset)
        tables.extend(table.shifted(offset) for table in page_tables)
        offset += len(text) + len(PAGE_SEPARATOR)
    return PAGE_SEPARATOR.join(text for text, _ in pages), tuple(starts), tables

"""The filing's text cut into blocks, and each block into runs covered by the same evidence.

A browser lays out a block it cannot see only when it scrolls near it (``content-visibility:
auto``), so the text is drawn in blocks of a few thousand characters: one per PDF page
(split further when a page is long), or cut at line ends in a text file. A report printed
as one 274,000-character line is cut at a space or a full stop instead. Cuts never fall
inside an evidence span, except at a page's end.

A run is a stretch of text that the same evidence spans cover (none, one or several, as
when one quote gives two fields), so overlapping spans are drawn without nesting marks.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import pairwise

BLOCK_CHARS = 3000
"""About this many characters per block: a few screens of text, laid out in ~1 ms."""

# Where a block may end when no line end is near, best first: after a full stop, then
# after any space.
_SOFT_BREAKS: tuple[str, ...] = ("。", " ", "\u3000", "\t")
# Not drawn at a page's end: the blank lines and the form feed that join PDF pages.
_PAGE_END_BLANKS = "\n\f\r \t"


@dataclass(frozen=True)
class Highlight:
    """An evidence span to draw: ``original[start:end]`` is the quote of field ``key``."""

    start: int
    end: int
    key: str


@dataclass(frozen=True)
class Run:
    """Text covered by the same highlights (``keys``: none for plain text)."""

    text: str
    keys: tuple[str, ...] = ()


@dataclass(frozen=True)
class Block:
    """A stretch of text drawn as one unit; ``page`` is 1-based, None without pages."""

    start: int
    end: int
    page: int | None
    runs: tuple[Run, ...]


def page_ranges(original: str, page_starts: Sequence[int]) -> list[tuple[int, int, int | None]]:
    """``(start, end, page)`` of each page, without the blank lines that end it; the whole
    text as one unnumbered range when the loader knew no pages."""
    if not page_starts:
        return [(0, len(original), None)]
    bounds = [*page_starts, len(original)]
    ranges: list[tuple[int, int, int | None]] = []
    for page, (start, next_start) in enumerate(pairwise(bounds), 1):
        end = start + len(original[start:next_start].rstrip(_PAGE_END_BLANKS))
        ranges.append((start, end, page))
    return ranges


def cut_points(
    original: str,
    start: int,
    end: int,
    highlights: Sequence[Highlight],
    block_chars: int = BLOCK_CHARS,
) -> list[int]:
    """Offsets strictly inside ``start..end`` where a block ends: after the first line end
    past ``block_chars``, else at a soft break, else anywhere; never inside a highlight."""
    spans = sorted((h.start, h.end) for h in highlights)
    cuts: list[int] = []
    position = start
    while end - position > block_chars * 3 // 2:
        cut = _next_cut(original, position + block_chars, end, block_chars // 2)
        cut = _outside_spans(cut, spans)
        if cut >= end:
            break
        cuts.append(cut)
        position = cut
    return cuts


def _next_cut(original: str, target: int, end: int, slack: int) -> int:
    """The first good place to end a block at or after ``target``, looking ``slack`` ahead."""
    limit = min(end, target + slack)
    line_end = original.find("\n", target, limit)
    if line_end >= 0:
        return line_end + 1
    for mark in _SOFT_BREAKS:
        found = original.find(mark, target, limit)
        if found >= 0:
            return found + 1
    return target


def _outside_spans(cut: int, spans: Sequence[tuple[int, int]]) -> int:
    """``cut``, moved past the end of any span it would split."""
    moved = True
    while moved:
        moved = False
        for start, end in spans:
            if start < cut < end:
                cut, moved = end, True
    return cut


def layout_blocks(
    original: str,
    page_starts: Sequence[int],
    highlights: Sequence[Highlight],
    block_chars: int = BLOCK_CHARS,
) -> list[Block]:
    """The text to draw, in blocks of runs (see the module docstring)."""
    blocks: list[Block] = []
    for start, end, page in page_ranges(original, page_starts):
        bounds = [start, *cut_points(original, start, end, highlights, block_chars), end]
        for a, b in pairwise(bounds):
            blocks.append(Block(a, b, page, tuple(runs(original, a, b, highlights))))
    return blocks


def runs(original: str, start: int, end: int, highlights: Sequence[Highlight]) -> Iterator[Run]:
    """``original[start:end]`` as runs: a new run wherever a highlight begins or ends."""
    inside = [h for h in highlights if h.start < end and h.end > start]
    edges = sorted({start, end, *(h.start for h in inside), *(h.end for h in inside)})
    edges = edges[bisect_left(edges, start) : bisect_right(edges, end)]
    for a, b in pairwise(edges):
        keys = tuple(sorted({h.key for h in inside if h.start <= a and b <= h.end}))
        yield Run(original[a:b], keys)

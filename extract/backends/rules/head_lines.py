"""The first pages of a filing as lines: whitespace removed, full-width forms made
half-width, each character remembering where it is in the original.

A line is a text line, or the text between two HTML tags; the form feeds that separate a
PDF's (or pdftotext's) pages count the pages.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from ...load.normalise import halfwidth
from ...vocab import load_vocab

MAX_LINE_CHARS = 300  # a longer line is running text: never a title, a name or a header
MAX_HEAD_CHARS = 120_000  # the most of a document the lines are read from


@cache
def chinese_name() -> re.Pattern[str]:
    """A Chinese company's (or bank's) name ending a line (vocab/titles.yaml)."""
    return re.compile(load_vocab("titles")["chinese_name"])


@dataclass(frozen=True)
class Line:
    """A line of the original, whitespace removed and half-width; ``offsets[i]`` is where
    ``text[i]`` is in the original. ``page`` counts form feeds before it (0: the first)."""

    text: str
    offsets: tuple[int, ...]
    page: int

    def span(self, start: int = 0, end: int | None = None) -> tuple[int, int]:
        """Original span of ``text[start:end]``."""
        stop = len(self.text) if end is None else end
        return self.offsets[start], self.offsets[stop - 1] + 1


_LINE = re.compile(r"[^\n]+")
_HTML_TAG = re.compile(r"<[a-zA-Z/!][^<>]{0,400}>")
_NON_SPACE = re.compile(r"\S+")
_MARKDOWN_EDGES = "#>*|-"


def read_lines(original: str, pages: int) -> list[Line]:
    """The lines of the first ``pages`` pages (split at line breaks and HTML tags)."""
    end = _end_of_pages(original, pages)
    lines: list[Line] = []
    page = 0
    for m in _LINE.finditer(original, 0, end):
        page += m.group().count("\f")
        for start, stop in _untagged(original, m.start(), m.end()):
            line = _compact(original, start, stop, page)
            if line is not None:
                lines.append(line)
    return lines


def _end_of_pages(original: str, pages: int) -> int:
    end = -1
    for _ in range(pages):
        end = original.find("\f", end + 1, MAX_HEAD_CHARS)
        if end < 0:
            return min(len(original), MAX_HEAD_CHARS)
    return end


def _untagged(original: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """The pieces of a line between HTML tags."""
    pos = start
    for tag in _HTML_TAG.finditer(original, start, end):
        yield pos, tag.start()
        pos = tag.end()
    yield pos, end


def _compact(original: str, start: int, end: int, page: int) -> Line | None:
    if end - start > MAX_LINE_CHARS or end <= start:
        return None
    chars: list[str] = []
    offsets: list[int] = []
    for m in _NON_SPACE.finditer(original, start, end):
        chars.append(m.group())
        offsets.extend(range(m.start(), m.end()))
    text = halfwidth("".join(chars))
    lead = len(text) - len(text.lstrip(_MARKDOWN_EDGES))
    trail = len(text) - len(text.rstrip(_MARKDOWN_EDGES))
    text = text[lead : len(text) - trail]
    if not text:
        return None
    return Line(text, tuple(offsets[lead : len(offsets) - trail]), page)


Where = tuple[Line, int, int]
"""A part of a line: the line, and the start and end of the part in its text."""

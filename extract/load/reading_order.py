"""Lines a PDF draws from right to left, put back in reading order.

PDFium gives a page's characters in the order its content stream draws them. Some HKEX
reports draw each line's pieces from right to left, every piece left to right inside it: a
table row comes out as ``4% 932,829 20,785,542 21,718,371總收入`` and a sentence as
``。21.1%較上一年增加，億元552.30總資產人民幣；…``. On a page where many lines run so,
every line that jumps back leftwards is rebuilt from its characters' boxes, left to right
as a reader sees it (``總收入 21,718,371 20,785,542 932,829 4%``). Every other page is left
exactly as PDFium gave it.
"""

from __future__ import annotations

import re
from itertools import pairwise
from typing import Any

import pypdfium2.raw as pdfium_c

from .pdf_geometry import Glyph, glyph_at, text_lines, text_with_owners

RIGHT_TO_LEFT_SHARE = 0.25
"""A page is read right to left when at least this share of its lines end left of where
they start. On the pages of the wild and corpus PDFs the share is either at most 0.05 (a
header row drawn cell by cell, a table drawn column by column) or at least 0.39 (the
reports drawn right to left); a page of fewer than ``MIN_LINES`` lines (of two characters or
more) is never read so: one line drawn cell by cell would be all of it."""

MIN_LINES = 3

# A line is the text between PDFium's line breaks.
_LINE = re.compile(r"[^\r\n]+")
# How far (points) a character may start left of the one before it in the same piece
# (kerning, an overprinted accent) before it is a jump back to another piece.
_JUMP = 1.0


def in_reading_order(textpage: Any, raw: str) -> tuple[str, list[int] | None]:
    """The page's text with its right-to-left lines rebuilt, and where each of PDFium's
    characters went in it (-1: a space dropped between pieces); ``(raw, None)`` for a page
    that does not run right to left."""
    box = pdfium_c.FS_RECTF()
    lines = [span for span in map(_stripped, _LINE.finditer(raw)) if span[1] - span[0] >= 2]
    backwards = sum(_ends_left_of_start(textpage, span, box) for span in lines)
    if len(lines) < MIN_LINES or backwards < RIGHT_TO_LEFT_SHARE * len(lines):
        return raw, None
    moved = list(range(len(raw)))
    parts: list[str] = []
    length = done = 0  # characters written, and of raw consumed
    for start, end in lines:
        glyphs = _line_glyphs(textpage, raw, start, end, box)
        if glyphs is None or not _jumps_back(glyphs):
            continue
        parts.append(raw[done:start])
        for index in range(done, start):
            moved[index] = index - done + length
        length += start - done
        text = _rebuilt(glyphs, moved, length, start, end)
        parts.append(text)
        length += len(text)
        done = end
    parts.append(raw[done:])
    for index in range(done, len(raw)):
        moved[index] = index - done + length
    return "".join(parts), moved


def _stripped(match: re.Match[str]) -> tuple[int, int]:
    """A line's span without the spaces at its ends."""
    start, end = match.span()
    text = match.group()
    return start + len(text) - len(text.lstrip()), end - len(text) + len(text.rstrip())


def _ends_left_of_start(textpage: Any, span: tuple[int, int], box: Any) -> bool:
    first = _x_range(textpage, span[0], box)
    last = _x_range(textpage, span[1] - 1, box)
    return first is not None and last is not None and first[0] > last[1] + _JUMP


def _x_range(textpage: Any, index: int, box: Any) -> tuple[float, float] | None:
    if not pdfium_c.FPDFText_GetLooseCharBox(textpage, index, box):
        return None
    return box.left, box.right


def _line_glyphs(textpage: Any, raw: str, start: int, end: int, box: Any) -> list[Glyph] | None:
    """The line's visible characters as glyphs whose offset is their index in ``raw``;
    None when one has no box (the line cannot be placed, so it stays as it is)."""
    glyphs = []
    for index in range(start, end):
        if raw[index].isspace():
            continue
        glyph = glyph_at(textpage, index, raw[index], index, box)
        if glyph is None:
            return None
        glyphs.append(glyph)
    return glyphs


def _jumps_back(glyphs: list[Glyph]) -> bool:
    return any(b.x0 < a.x0 - _JUMP for a, b in pairwise(glyphs))


# Brackets set right to left carry their mirror's code. A negative figure is drawn "(" first,
# at the right, then the digits to its left, then ")" further left: left to right it reads
# ")87,006(". A closing bracket drawn as a piece of its own reads as an opening one at the end
# of its words: "（續(", "18(ii(", "(以人民幣列示(".
_FIGURE_MIRRORED = re.compile(r"[)）]([\d,.%]+)[(（]")
_CLOSER_MIRRORED = re.compile(r"([(（][^()（）\s]{1,30})\((?=\s|$)")


def _unmirrored(text: str) -> str:
    """``text`` with the brackets drawn right to left given back their own characters (the
    same length: no character moves)."""
    text = _FIGURE_MIRRORED.sub(lambda m: f"({m.group(1)})", text)
    return _CLOSER_MIRRORED.sub(lambda m: f"{m.group(1)})", text)


def _rebuilt(glyphs: list[Glyph], moved: list[int], at: int, start: int, end: int) -> str:
    """The line's glyphs left to right (one printed line per text line), recording in
    ``moved`` where each lands when the text is written at offset ``at``."""
    for index in range(start, end):
        moved[index] = -1  # the spaces PDFium put between pieces; glyphs are set below
    rows: list[str] = []
    for row in text_lines(glyphs):
        text, owners = text_with_owners(row)
        text = _unmirrored(text)
        base = at + sum(len(r) + 1 for r in rows)
        for k, char in enumerate(text):
            if char != " ":  # a space here is one put between two glyphs, not a glyph
                moved[row[owners[k]].offset] = base + k
        rows.append(text)
    return "\n".join(rows)

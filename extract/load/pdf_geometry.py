"""What a PDF page draws, as geometry: its characters' boxes and its ruling lines.

PDFium already decoded the page's text; here each visible character of that text gets its
box (``Glyph``, with its offset in the page text) and each thin line or thin filled box the
page draws becomes a ``Rule``. ``pdf_tables`` turns the two into tables. Reading goes through
PDFium's C API directly: a report has hundreds of thousands of characters and tens of
thousands of path objects, and the object wrappers of pypdfium2 cost more than the calls.
"""

from __future__ import annotations

import ctypes
import itertools
import re
import unicodedata
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import pypdfium2.raw as pdfium_c

# A line thinner than this (points) is a rule, not a box.
RULE_WIDTH = 2.0
# Positions closer than this (points) are the same rule or the same edge.
SNAP = 2.0
# Characters the loader drops from PDFium's text (a "\r" before "\n", NULs): a glyph's offset
# in the cleaned page text is its index minus the dropped characters before it.
_DROPPED = re.compile(r"\r(?=\n)|\x00")


class Glyph(NamedTuple):
    """One printed character: its offset in the page text and its box (y grows upwards).

    A named tuple, not a dataclass: a report has hundreds of thousands of them.
    """

    offset: int
    char: str
    x0: float
    x1: float
    y0: float
    y1: float
    cx: float
    cy: float
    height: float

    @classmethod
    def at(cls, offset: int, char: str, x0: float, x1: float, y0: float, y1: float) -> Glyph:
        """A glyph with its centre and height worked out once (they are read very often)."""
        return cls(offset, char, x0, x1, y0, y1, (x0 + x1) / 2, (y0 + y1) / 2, max(y1 - y0, 1.0))


@dataclass(frozen=True)
class Rule:
    """A ruling line: ``at`` is its y (horizontal) or x (vertical), ``lo``–``hi`` its extent."""

    at: float
    lo: float
    hi: float


Line = tuple[float, float, float, float]
"""A drawn line ``(x0, y0, x1, y1)`` in page coordinates."""


# --- reading a page ----------------------------------------------------------------------


def page_glyphs(textpage: Any, raw: str, moved: Sequence[int] | None = None) -> list[Glyph]:
    """Every visible character of the page with its box; offsets into the cleaned text.

    ``moved`` is where each of PDFium's characters went when the page's lines were put in
    reading order (``reading_order``): ``raw`` is then that reordered text.
    """
    dropped = [m.start() for m in _DROPPED.finditer(raw)]
    count = min(pdfium_c.FPDFText_CountChars(textpage), len(raw if moved is None else moved))
    box = pdfium_c.FS_RECTF()
    glyphs = []
    for index in range(count):
        at = index if moved is None else moved[index]
        if at < 0 or raw[at].isspace():
            continue
        glyph = glyph_at(textpage, index, raw[at], at - bisect_left(dropped, at), box)
        if glyph is not None:
            glyphs.append(glyph)
    return glyphs


def glyph_at(textpage: Any, index: int, char: str, offset: int, box: Any) -> Glyph | None:
    """PDFium's character ``index`` as a glyph at ``offset``; None if it has no box.

    ``box`` is an ``FS_RECTF`` to read into, made once by the caller (one per character
    would cost more than the read).
    """
    if not pdfium_c.FPDFText_GetLooseCharBox(textpage, index, box):
        return None
    bottom, top = box.bottom, box.top
    if top - bottom > _INFLATED * (box.right - box.left) and _square(char):
        bottom, top = _em_box(textpage, index, box.right - box.left)
    return Glyph.at(offset, char, box.left, box.right, bottom, top)


# A Chinese character's box is about as tall as it is wide. Some fonts declare a bounding box
# two or three times taller (seen in HKEX reports): PDFium's loose boxes then overlap the lines
# above and below, and a header's two lines (二零二二年 over 人民幣千元) read as one.
_INFLATED = 1.5
# Where the em box of a Chinese character stands against its baseline.
_EM_BELOW_BASELINE = 0.12


def _square(char: str) -> bool:
    """A full-width character (Chinese, full-width punctuation) or one the font could not
    decode (U+FFFD: in these reports, Chinese characters without a Unicode mapping)."""
    return char == "\ufffd" or unicodedata.east_asian_width(char) in "WF"


def _em_box(textpage: Any, index: int, width: float) -> tuple[float, float]:
    """A full-width character's bottom and top from its baseline and its width."""
    x, y = ctypes.c_double(), ctypes.c_double()
    pdfium_c.FPDFText_GetCharOrigin(textpage, index, ctypes.byref(x), ctypes.byref(y))
    bottom = y.value - _EM_BELOW_BASELINE * width
    return bottom, bottom + width


def page_lines(page: Any) -> list[Line]:
    """The lines a page draws: thin paths and thin sub-paths as their middle line, and the
    segments of stroked paths (Word draws table borders as thin filled boxes, often many
    in one path object)."""
    lines: list[Line] = []
    for obj in _path_objects(page, pdfium_c.FPDFPage_CountObjects, pdfium_c.FPDFPage_GetObject):
        lines.extend(_path_lines(obj))
    return lines


def _path_objects(container: Any, count: Any, get: Any, depth: int = 0) -> Iterator[Any]:
    """Path objects of a page, and of the form objects (XObjects) it holds."""
    for index in range(count(container)):
        obj = get(container, index)
        kind = pdfium_c.FPDFPageObj_GetType(obj)
        if kind == pdfium_c.FPDF_PAGEOBJ_PATH:
            yield obj
        elif kind == pdfium_c.FPDF_PAGEOBJ_FORM and depth < 3:
            yield from _path_objects(
                obj, pdfium_c.FPDFFormObj_CountObjects, pdfium_c.FPDFFormObj_GetObject, depth + 1
            )


def _path_lines(obj: Any) -> list[Line]:
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    if not pdfium_c.FPDFPageObj_GetBounds(obj, left, bottom, right, top):
        return []
    box = (left.value, bottom.value, right.value, top.value)
    if box[2] - box[0] <= RULE_WIDTH or box[3] - box[1] <= RULE_WIDTH:
        return [_middle_line(box)]
    fill, stroke = ctypes.c_int(), ctypes.c_int()
    pdfium_c.FPDFPath_GetDrawMode(obj, fill, stroke)
    lines: list[Line] = []
    for points in _subpaths(obj):
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        sub = (min(xs), min(ys), max(xs), max(ys))
        if sub[2] - sub[0] <= RULE_WIDTH or sub[3] - sub[1] <= RULE_WIDTH:
            lines.append(_middle_line(sub))
        elif stroke.value:
            lines.extend((*a, *b) for a, b in itertools.pairwise(points))
    return lines


def _middle_line(box: tuple[float, float, float, float]) -> Line:
    x0, y0, x1, y1 = box
    if x1 - x0 >= y1 - y0:
        return (x0, (y0 + y1) / 2, x1, (y0 + y1) / 2)
    return ((x0 + x1) / 2, y0, (x0 + x1) / 2, y1)


def _subpaths(obj: Any) -> list[list[tuple[float, float]]]:
    """The points of each sub-path (from one move-to to the next), in page coordinates."""
    matrix = pdfium_c.FS_MATRIX()
    pdfium_c.FPDFPageObj_GetMatrix(obj, matrix)
    x, y = ctypes.c_float(), ctypes.c_float()
    subpaths: list[list[tuple[float, float]]] = []
    for index in range(pdfium_c.FPDFPath_CountSegments(obj)):
        segment = pdfium_c.FPDFPath_GetPathSegment(obj, index)
        pdfium_c.FPDFPathSegment_GetPoint(segment, x, y)
        point = (
            matrix.a * x.value + matrix.c * y.value + matrix.e,
            matrix.b * x.value + matrix.d * y.value + matrix.f,
        )
        if pdfium_c.FPDFPathSegment_GetType(segment) == pdfium_c.FPDF_SEGMENT_MOVETO:
            subpaths.append([])
        if subpaths:
            subpaths[-1].append(point)
    return [points for points in subpaths if len(points) >= 2]


# --- rules -------------------------------------------------------------------------------


def rules_from_lines(lines: Iterable[Line]) -> tuple[list[Rule], list[Rule]]:
    """The horizontal and vertical rules among drawn lines (slanted ones are not rules)."""
    horizontal, vertical = [], []
    for x0, y0, x1, y1 in lines:
        if abs(y1 - y0) <= RULE_WIDTH < abs(x1 - x0):
            horizontal.append(Rule((y0 + y1) / 2, min(x0, x1), max(x0, x1)))
        elif abs(x1 - x0) <= RULE_WIDTH < abs(y1 - y0):
            vertical.append(Rule((x0 + x1) / 2, min(y0, y1), max(y0, y1)))
    return merge_rules(horizontal), merge_rules(vertical)


def merge_rules(rules: Iterable[Rule]) -> list[Rule]:
    """Join collinear pieces (a table's border is often drawn cell by cell)."""
    merged: list[Rule] = []
    for rule in sorted(rules, key=lambda r: (r.at, r.lo)):
        if not _extend_one(merged, rule):
            merged.append(rule)
    return merged


def _extend_one(merged: list[Rule], rule: Rule) -> bool:
    """Lengthen a merged rule on the same line that ``rule`` touches; False if none does."""
    for k in range(len(merged) - 1, -1, -1):
        other = merged[k]
        if rule.at - other.at > SNAP:
            return False
        if rule.lo <= other.hi + SNAP and rule.hi >= other.lo - SNAP:
            merged[k] = Rule(other.at, min(rule.lo, other.lo), max(rule.hi, other.hi))
            return True
    return False


# --- text of a group of glyphs ------------------------------------------------------------


def text_lines(glyphs: Iterable[Glyph]) -> list[list[Glyph]]:
    """Glyphs grouped into printed lines, top to bottom, each left to right."""
    lines: list[tuple[float, list[Glyph]]] = []
    for glyph in sorted(glyphs, key=lambda g: (-g.cy, g.x0)):
        if lines and abs(lines[-1][0] - glyph.cy) <= glyph.height * 0.45:
            lines[-1][1].append(glyph)
        else:
            lines.append((glyph.cy, [glyph]))
    return [sorted(line, key=lambda g: g.x0) for _, line in lines]


def line_text(line: Sequence[Glyph]) -> str:
    """The text of glyphs on one line, left to right; a wide gap is a space."""
    return text_with_owners(line)[0]


def text_with_owners(line: Sequence[Glyph]) -> tuple[str, list[int]]:
    """``line_text`` and, per character of it, the index of the glyph it comes from."""
    chars, owners = [line[0].char], [0]
    for k in range(1, len(line)):
        if line[k].x0 - line[k - 1].x1 > line[k].height * 0.2:
            chars.append(" ")
            owners.append(k)
        chars.append(line[k].char)
        owners.append(k)
    return "".join(chars), owners


def glyph_text(glyphs: Iterable[Glyph]) -> str:
    """A cell's text: its lines joined, with a space only between two Latin words
    (a number or a Chinese label wrapped in a narrow cell joins without one)."""
    parts: list[str] = []
    for line in text_lines(glyphs):
        text = line_text(line)
        if parts and _latin(parts[-1][-1]) and _latin(text[0]):
            parts.append(" ")
        parts.append(text)
    return "".join(parts)


def _latin(char: str) -> bool:
    return char.isascii() and char.isalpha()

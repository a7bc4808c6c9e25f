"""Normalise a filing's text for matching, keeping for every character the original it came from.

Full-width forms become half-width, LaTeX and Markdown markup and page furniture (``12 /
277`` and the running header beside it) are dropped, runs of spaces fold, and spaces next to
CJK characters go. :class:`MappedText` carries, per character, the span of the original it
came from, so a match in the normalised text maps back to the exact quote. HTML is not
handled here: it is read by its parser (``html``) before, and normalised as it reads.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from .offsets import OffsetMap


@dataclass
class MappedText:
    """Text plus, for every character, the span of the original it came from."""

    text: str
    offsets: OffsetMap

    @classmethod
    def identity(cls, text: str) -> MappedText:
        return cls(text, OffsetMap.identity(len(text)))

    def sub(self, pattern: re.Pattern[str], repl: Callable[[re.Match[str]], str]) -> MappedText:
        """Replace every non-empty match, in place, and return self. Replacement characters
        map to the whole matched span; characters a match leaves as they are keep their own.

        The old text is let go before the new one is joined, so a pass over a large filing
        holds two copies of it, not three.
        """
        if pattern.search(self.text) is None:
            return self  # most passes find nothing in most filings: skip the rebuild
        out = Joiner()
        mapping = self.offsets.empty_like()
        pos = 0
        for m in pattern.finditer(self.text):
            a, b = m.span()
            if a == b:
                continue
            out.append(self.text[pos:a])
            mapping.extend(self.offsets, pos, a)
            new = repl(m)
            out.append(new)
            if new == m.group(0):
                mapping.extend(self.offsets, a, b)
            else:
                mapping.stand_for(len(new), self.offsets, a, b)
            pos = b
        out.append(self.text[pos:])
        mapping.extend(self.offsets, pos, len(self.text))
        self.text, self.offsets = "", mapping
        self.text = out.joined()
        return self

    def translate(self, table: dict[int, str]) -> MappedText:
        """One-to-one character replacement (keeps offsets as they are)."""
        return MappedText(self.text.translate(table), self.offsets)


class Joiner:
    """Pieces of a string joined as they come, a few thousand at a time: a pass over a
    50 MB filing makes millions of small pieces, each an object several times its size."""

    _BATCH = 4096

    def __init__(self) -> None:
        self._chunks: list[str] = []
        self._pieces: list[str] = []

    def append(self, piece: str) -> None:
        self._pieces.append(piece)
        if len(self._pieces) >= self._BATCH:
            self._chunks.append("".join(self._pieces))
            self._pieces.clear()

    def joined(self) -> str:
        return "".join([*self._chunks, "".join(self._pieces)])


def _fullwidth_table() -> dict[int, str]:
    table = {cp: chr(cp - 0xFEE0) for cp in range(0xFF01, 0xFF5F)}
    table.update({0x3000: " ", 0x00A0: " ", 0x2002: " ", 0x2003: " ", 0x2009: " "})
    # "–" (en dash) stays: HKEX tables print it for nil, not as a minus sign
    table.update({ord("−"): "-", ord("﹣"): "-", ord("\r"): "\n"})
    return table


_FULLWIDTH = _fullwidth_table()


def halfwidth(text: str) -> str:
    """Full-width forms as half-width, one character for one (offsets stay as they are)."""
    return text.translate(_FULLWIDTH)


# LaTeX as OCR tools emit it around formulas: commands to symbols, markup dropped.
_LATEX_SYMBOLS = {
    r"\geq": "≥",
    r"\leq": "≤",
    r"\ge": "≥",
    r"\le": "≤",
    r"\times": "×",
    r"\%": "%",
    r"\{": "{",
    r"\}": "}",
    r"\cdot": "·",
    r"\div": "÷",
    r"\pm": "±",
    r"\neq": "≠",
}
_LATEX_SYMBOL = re.compile(
    "|".join(re.escape(k) + (r"(?![a-zA-Z])" if k[-1].isalpha() else "") for k in _LATEX_SYMBOLS)
)
# "$" is LaTeX math only when no currency letters precede it (HK$, US$, S$ are money)
_LATEX_MARKUP = re.compile(
    r"\\(?:mathrm|mathbf|text|textbf|mathit|operatorname)\s*|(?<![A-Z])\$|_\{|\^\{"
)
_MARKDOWN = re.compile(r"\*\*|__|(?<=\n)[ \t]*(?:#{1,6}|[-*+]|>)[ \t]|\|")

# Page furniture of pdftotext output: "12 / 277", and form feeds.
_PAGE_NUMBER = re.compile(r"(?<![\d,.])(\d{1,4}) ?/ ?(\d{1,4})(?![\d,.%])")
_CJK = r"\u3400-\u9fff\uf900-\ufaff"
_SPACE_NEAR_CJK = re.compile(rf"(?<=[{_CJK}])[ \t]+|[ \t]+(?=[{_CJK}])")
_NEWLINE_IN_LABEL = re.compile(rf"(?<=[{_CJK}])[ \t]*\n[ \t]*(?=[{_CJK}])")
_SPACES = re.compile(r"[ \t\f\v]*[\t\f\v][ \t\f\v]*| {2,}")  # single spaces stay as they are
_NEWLINES = re.compile(r"[ \t]*\n[\s]*")


@dataclass(frozen=True)
class Furniture:
    """Page furniture learned from a whole document: page-number totals and running headers."""

    page_totals: frozenset[str] = frozenset()
    headers: tuple[str, ...] = ()


def learn_furniture(text: str) -> Furniture:
    """Find page numbers ``N / TOTAL`` that recur with one total, and the headers beside them."""
    pages_seen: dict[str, set[str]] = {}
    for m in _PAGE_NUMBER.finditer(text):
        if 0 < int(m.group(1)) <= int(m.group(2)):
            pages_seen.setdefault(m.group(2), set()).add(m.group(1))
    # a real page counter shows most page numbers of its total, each once or so
    totals = Counter({t: len(seen) for t, seen in pages_seen.items()})
    page_totals = frozenset(
        t for t, n in totals.items() if int(t) >= 2 and n >= max(2, int(t) // 2)
    )
    if not page_totals:
        return Furniture()
    after: Counter[str] = Counter()
    for m in _PAGE_NUMBER.finditer(text):
        if m.group(2) in page_totals:
            following = text[m.end() : m.end() + 40].strip().split(" ")
            # a running header is a short phrase right after the page number
            for width in (1, 2, 3):
                after[" ".join(following[:width])] += 1
    pages = sum(totals[t] for t in page_totals)
    headers = tuple(h for h, n in after.most_common(3) if n >= pages * 0.6 and 2 <= len(h) <= 30)
    # keep only the longest header among those that prefix one another
    headers = tuple(h for h in headers if not any(o != h and o.startswith(h) for o in headers))
    return Furniture(page_totals, headers)


def _furniture_pattern(furniture: Furniture) -> re.Pattern[str] | None:
    if not furniture.page_totals:
        return None
    totals = "|".join(sorted(furniture.page_totals))
    headers = "|".join(re.escape(h).replace(r"\ ", r"\s*") for h in furniture.headers)
    header_part = rf"(?:\s*(?:{headers}))?" if headers else ""
    return re.compile(rf"(?<![\d,.])\d{{1,4}} ?/ ?(?:{totals})(?![\d,.%]){header_part}")


def normalise(
    text: str, furniture: Furniture | None = None, offsets: OffsetMap | None = None
) -> MappedText:
    """Normalise ``text`` for matching; see module docstring. ``offsets`` maps ``text`` to
    the original (HTML's visible text to its source); by default ``text`` is the original."""
    start = MappedText.identity(text) if offsets is None else MappedText(text, offsets)
    mapped = start.translate(_FULLWIDTH)
    mapped = mapped.sub(_LATEX_SYMBOL, lambda m: _LATEX_SYMBOLS[m.group(0)])
    mapped = mapped.sub(_LATEX_MARKUP, lambda m: "")
    mapped = mapped.sub(_MARKDOWN, lambda m: " ")
    pattern = _furniture_pattern(furniture) if furniture else None
    if pattern is not None:
        mapped = mapped.sub(pattern, lambda m: " ")
    mapped = mapped.sub(_SPACES, lambda m: " ")
    mapped = mapped.sub(_NEWLINES, lambda m: "\n")
    mapped = mapped.sub(_NEWLINE_IN_LABEL, lambda m: "")
    mapped = mapped.sub(_SPACE_NEAR_CJK, lambda m: "")
    return mapped


def normalise_text(text: str, furniture: Furniture | None = None) -> str:
    """The normalised string alone (for labels, quotes and tests)."""
    return normalise(text, furniture).text

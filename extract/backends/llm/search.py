"""Text search for the passages: CJK-aware tokens, chunks of text, and BM25.

Tokens are character bigrams of CJK runs (a lone character as itself), ASCII words
lower-cased and numbers whole; the text around tables is cut into chunks of roughly
400–800 characters on line and sentence boundaries, never inside a printed number; BM25
(Okapi) scores the chunks against a section's query (``locate``).
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from itertools import chain

CJK = "\u3400-\u9fff\uf900-\ufaff"
# A chunk ends after a line break or a sentence end; long sentences (flattened tables)
# are cut further at a space or a clause comma.
_BOUNDARY = re.compile(r"\n|(?<=[。;!?！？；])")
_SOFT_BREAKS = " ,、:;)"
_FIGURES_FULL = 4
# A table printed column by column stays one unit up to this many characters.
_BLOCK_MAX = 1600
_LABEL_LINE_MAX = 120
_FIGURE_LINE = re.compile(
    r"[-−(（]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?%?[)）]?|(?:19|20)\d{2}年(?:度|末|初)?"
)
_DIGITS_RUN = re.compile(r"\d{3}")
_YEAR = re.compile(r"(?:19|20)\d{2}年")  # a label line may name years (2018年本年比上年增减)


_WRAPPED = re.compile(rf"(?<=[{CJK}])\n(?=[{CJK}])")
_BIGRAM = re.compile(rf"(?=([{CJK}]{{2}}))")
_LONE_CJK = re.compile(rf"(?<![{CJK}])[{CJK}](?![{CJK}])")
_ASCII_WORD = re.compile(r"[A-Za-z]+")
_NUMBER_TOKEN = re.compile(r"\d+(?:[.,]\d+)*")


def tokenize(text: str) -> list[str]:
    """CJK runs as character bigrams (a lone character as itself), ASCII words lower-cased,
    numbers whole. A bag of tokens (BM25 ignores order), gathered by regex scans in C:
    on a 270,000-character report this is most of the cost of indexing."""
    return chunk_tokens(text)[0]


def chunk_tokens(text: str) -> tuple[list[str], float]:
    """A chunk's tokens (as :func:`tokenize`) and how full of figures it is: 0 without
    numbers, 1 from _FIGURES_FULL numbers."""
    numbers = _NUMBER_TOKEN.findall(text)
    # a PDF's lines break inside words (占营业收\n入比例): Chinese joins across them
    joined = _WRAPPED.sub("", text)
    tokens = [
        *_BIGRAM.findall(joined),
        *_LONE_CJK.findall(joined),
        *(word.lower() for word in _ASCII_WORD.findall(text)),
        *numbers,
    ]
    return tokens, min(1.0, len(numbers) / _FIGURES_FULL)


def chunk_text(text: str, min_chars: int = 400, max_chars: int = 800) -> list[tuple[int, int]]:
    """Cut ``text`` into ``(start, end)`` chunks of about ``min_chars``–``max_chars``."""
    chunks: list[tuple[int, int]] = []
    start = end = 0
    for unit_start, unit_end in _units(text, max_chars):
        if end > start and unit_end - start > max_chars:
            chunks.append((start, end))
            start = unit_start
        end = unit_end
        if end - start >= min_chars:
            chunks.append((start, end))
            start = end
    if end > start:
        chunks.append((start, end))
    return chunks


def _units(text: str, max_chars: int) -> Iterator[tuple[int, int]]:
    """Lines and sentences, none longer than ``max_chars``; a column block (see
    :func:`column_blocks`) is one unit, with the line it starts after."""
    blocks = [(a, b) for a, b in column_blocks(text) if b - a <= _BLOCK_MAX]
    starts = [a for a, _ in blocks]
    start = 0
    for cut in [m.end() for m in _BOUNDARY.finditer(text)] + [len(text)]:
        k = bisect_right(starts, cut) - 1
        if k >= 0 and blocks[k][0] < cut < blocks[k][1]:
            continue  # inside a block: no cut
        if cut > start:
            if k >= 0 and start <= blocks[k][0] < cut:
                yield start, cut
            else:
                yield from _split_long(text, start, cut, max_chars)
        start = cut


def column_blocks(text: str) -> list[tuple[int, int]]:
    """Stretches where a table was printed column by column (pdftotext without -layout):
    its labels line by line, then each column's figures line by line, blank lines between.
    A block has at least two label lines and four figure lines, and nothing else."""
    blocks: list[tuple[int, int]] = []
    start: int | None = None
    labels = figures = end = 0
    position = 0
    for line in text.splitlines(keepends=True):
        at, position = position, position + len(line)
        stripped = line.strip()
        if not stripped:
            continue
        kind = _line_kind(stripped)
        if kind is None:
            if start is not None and labels >= 2 and figures >= 4:
                blocks.append((start, end))
            start = None
            continue
        if start is None:
            start, labels, figures = at, 0, 0
        labels += kind == "label"
        figures += kind == "figure"
        end = at + len(line.rstrip("\r\n"))
    if start is not None and labels >= 2 and figures >= 4:
        blocks.append((start, end))
    return blocks


def holds_column_block(texts: Iterable[str]) -> bool:
    """Does one of ``texts`` hold a table printed column by column?"""
    return any(column_blocks(text) for text in texts)


def _line_kind(line: str) -> str | None:
    """A line of a column block: one figure (or a year heading), or a short label."""
    if _FIGURE_LINE.fullmatch(line.replace(" ", "")):
        return "figure"
    if len(line) <= _LABEL_LINE_MAX and not _DIGITS_RUN.search(_YEAR.sub("", line)):
        return "label"
    return None


def _split_long(text: str, start: int, end: int, max_chars: int) -> Iterator[tuple[int, int]]:
    while end - start > max_chars:
        cut = _soft_cut(text, start + max_chars // 2, start + max_chars)
        yield start, cut
        start = cut
    yield start, end


def _soft_cut(text: str, lo: int, hi: int) -> int:
    """The last soft break in ``(lo, hi]`` that does not split a number, else ``hi``
    moved back out of any number it would split."""
    for pos in range(hi, lo, -1):
        if text[pos - 1] in _SOFT_BREAKS and not _inside_number(text, pos):
            return pos
    pos = hi
    while pos > lo and _inside_number(text, pos):
        pos -= 1
    return pos if pos > lo else hi


def _inside_number(text: str, pos: int) -> bool:
    """Would cutting before ``text[pos]`` split a printed number like ``5,333.17``?"""
    if pos <= 0 or pos >= len(text):
        return False
    before, after = text[pos - 1], text[pos]
    return (before.isdigit() or before in ",.") and (after.isdigit() or after in ",.")


class BM25:
    """Okapi BM25 over bags of tokens: k1 1.5, b 0.75, and a negative idf (a token in more
    than half the chunks) raised to 0.25 × the mean idf, as in rank_bm25's ``BM25Okapi``,
    whose scores these equal to rounding. Counting runs in C (``Counter``) and a query
    token is scored only over the chunks holding it, which makes a 270,000-character report
    several times cheaper to index and query than rank_bm25's per-chunk Python loops."""

    k1 = 1.5
    b = 0.75
    epsilon = 0.25

    def __init__(self, documents: Sequence[Sequence[str]]) -> None:
        self._counts = [Counter(tokens) for tokens in documents]
        lengths = [len(tokens) for tokens in documents]
        average = sum(lengths) / len(lengths)
        # the document-length part of the denominator, per document
        self._length_norm = [self.k1 * (1 - self.b + self.b * n / average) for n in lengths]
        self._df = Counter(chain.from_iterable(self._counts))
        self._floor = self.epsilon * self._mean_idf()
        self._postings: dict[str, list[tuple[int, int]]] = {}

    def scores(self, query: Sequence[str]) -> list[float]:
        """Score of every document; a token repeated in ``query`` counts again."""
        scores = [0.0] * len(self._counts)
        for token in query:
            idf = self.idf(token)
            if idf == 0:
                continue
            for i, tf in self._postings_of(token):
                scores[i] += idf * (tf * (self.k1 + 1) / (tf + self._length_norm[i]))
        return scores

    def idf(self, token: str) -> float:
        df = self._df.get(token)
        if df is None:
            return 0.0
        idf = self._raw_idf(df)
        return idf if idf >= 0 else self._floor

    def _raw_idf(self, df: int) -> float:
        n = len(self._counts)
        return math.log(n - df + 0.5) - math.log(df + 0.5)

    def _mean_idf(self) -> float:
        if not self._df:
            return 0.0
        # tokens sharing a document frequency share an idf: one log per frequency
        tokens_per_df = Counter(self._df.values())
        total = sum(n * self._raw_idf(df) for df, n in tokens_per_df.items())
        return total / len(self._df)

    def _postings_of(self, token: str) -> list[tuple[int, int]]:
        postings = self._postings.get(token)
        if postings is None:
            postings = [(i, c[token]) for i, c in enumerate(self._counts) if token in c]
            self._postings[token] = postings
        return postings

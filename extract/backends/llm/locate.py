"""Find the passages of a filing that one LLM call needs; never send a whole filing.

A document is cut into units: each table the loader saw as a grid is one unit, shown to the
model as compact rows under its caption (``table_text``); the text around the tables is cut
into chunks of roughly 400–800 characters on line and sentence boundaries. Each section
scores the units with BM25 (Okapi, :class:`BM25`) over CJK-aware tokens (character bigrams of
CJK runs, ASCII words, numbers) against its query vocabulary in ``extract/vocab/locate.yaml``,
units holding a section heading get a boost, and the best whole units that fit the section's
character budget are returned in document order (a table larger than the budget keeps its
header rows and the rows the section is after). Every passage keeps its offsets into
``Document.text`` so that grounding can map values back.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import chain
from typing import Any

from ...core.table import Table
from ...load.document import Document
from ...vocab import load_vocab
from .table_text import table_spans, table_text

_CJK = "\u3400-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(rf"[{_CJK}]+|[A-Za-z]+|\d+(?:[.,]\d+)*")
_CJK_RUN = re.compile(rf"[{_CJK}]")
# A chunk ends after a line break or a sentence end; long sentences (flattened tables)
# are cut further at a space or a clause comma.
_BOUNDARY = re.compile(r"\n|(?<=[。;!?！？；])")
_SOFT_BREAKS = " ,、:;)"
_FIGURES_FULL = 4


@dataclass(frozen=True)
class Passage:
    """A stretch ``start:end`` of ``Document.text`` and what the model is shown of it: the
    text itself, or a table's rows (whose numbers are the ones printed in that stretch)."""

    start: int
    end: int
    text: str

    def __len__(self) -> int:
        return self.end - self.start


@dataclass(frozen=True)
class SectionQuery:
    """What locate.yaml says about one section."""

    share: float
    strategy: str = "bm25"
    terms: tuple[str, ...] = ()
    key_terms: tuple[str, ...] = ()
    headings: tuple[str, ...] = ()
    head_share: float = 0.7
    tail_share: float = 0.3


# --- configuration -----------------------------------------------------------------------


@cache
def _config() -> dict[str, Any]:
    return load_vocab("locate")


def section_query(section: str) -> SectionQuery:
    """The query vocabulary and budget share of ``section``."""
    raw = _config()["sections"][section]
    return SectionQuery(
        share=float(raw["share"]),
        strategy=str(raw.get("strategy", "bm25")),
        terms=tuple(str(raw.get("terms", "")).split()),
        key_terms=tuple(str(raw.get("key_terms", "")).split()),
        headings=tuple(raw.get("headings", ())),
        head_share=float(raw.get("head_share", 0.7)),
        tail_share=float(raw.get("tail_share", 0.3)),
    )


def section_budget(section: str, prompt_budget_chars: int) -> int:
    """Characters the whole prompt of one call for ``section`` may use."""
    return int(section_query(section).share * prompt_budget_chars)


# --- tokens and chunks -------------------------------------------------------------------


_BIGRAM = re.compile(rf"(?=([{_CJK}]{{2}}))")
_LONE_CJK = re.compile(rf"(?<![{_CJK}])[{_CJK}](?![{_CJK}])")
_ASCII_WORD = re.compile(r"[A-Za-z]+")
_NUMBER_TOKEN = re.compile(r"\d+(?:[.,]\d+)*")


def tokenize(text: str) -> list[str]:
    """CJK runs as character bigrams (a lone character as itself), ASCII words lower-cased,
    numbers whole. A bag of tokens (BM25 ignores order), gathered by regex scans in C:
    on a 270,000-character report this is most of the cost of indexing."""
    return _chunk_tokens(text)[0]


def _query_tokens(query: SectionQuery) -> list[str]:
    """Each token of the terms once, of the key terms twice (BM25 sums repeated tokens)."""
    tokens = list(dict.fromkeys(t for term in query.terms for t in tokenize(term)))
    keys = list(dict.fromkeys(t for term in query.key_terms for t in tokenize(term)))
    return tokens + keys


def _focus_tokens(section: str, focus: Sequence[str]) -> list[str]:
    """Query tokens for the labels of the ``focus`` fields (none if locate.yaml has none)."""
    labels = _config().get("field_terms", {}).get(section, {})
    terms = [term for field in focus for term in _terms(labels.get(field))]
    return list(dict.fromkeys(t for term in terms for t in tokenize(term)))


def _terms(entry: str | list[str] | None) -> list[str]:
    """A field's label terms: words of a string, or the items of a list (English labels are
    several words: ``owners of the Company``)."""
    if entry is None:
        return []
    return [str(term) for term in entry] if isinstance(entry, list) else str(entry).split()


def _chunk_tokens(text: str) -> tuple[list[str], float]:
    """A chunk's tokens (as :func:`tokenize`) and how full of figures it is: 0 without
    numbers, 1 from _FIGURES_FULL numbers."""
    numbers = _NUMBER_TOKEN.findall(text)
    tokens = [
        *_BIGRAM.findall(text),
        *_LONE_CJK.findall(text),
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
    """Lines and sentences, none longer than ``max_chars``."""
    start = 0
    for cut in [m.end() for m in _BOUNDARY.finditer(text)] + [len(text)]:
        if cut > start:
            yield from _split_long(text, start, cut, max_chars)
        start = cut


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


# --- scoring and selection ---------------------------------------------------------------


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


class Locator:
    """Chunks and a BM25 index of one document, built once and queried per section (from
    several threads at once: nothing is built lazily but the postings cache)."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self.chunks, self._tables = _units_of(document)
        self._texts = [
            table_text(document, table) if table is not None else document.text[a:b]
            for (a, b), table in zip(self.chunks, self._tables, strict=True)
        ]
        indexed = [_chunk_tokens(text) for text in self._texts]
        self._figures = [figures for _, figures in indexed]
        self._has_tokens = any(tokens for tokens, _ in indexed)
        # a chunk without tokens counts as one empty token (keeps every length non-zero)
        self._bm25 = BM25([tokens or [""] for tokens, _ in indexed])
        self._starts = [a for a, _ in self.chunks]

    def passages(self, section: str, budget_chars: int, focus: Sequence[str] = ()) -> list[Passage]:
        """The passages for ``section``, at most ``budget_chars`` characters in all.

        ``focus`` names the fields still wanted (auto mode: what the rules left null); where
        locate.yaml has their labels, only those labels are searched for. A document that
        fits the budget is one passage; a section none of whose terms occur gets no passage
        (the caller need not ask about it).
        """
        text = self.document.text
        if budget_chars <= 0 or not text:
            return []
        if len(text) <= budget_chars and not any(self._tables):
            return [Passage(0, len(text), text)]
        query = section_query(section)
        focused = _focus_tokens(section, focus)
        shown = self._shown_texts(section, focus)
        sizes = [len(text) for text in shown]
        if query.strategy == "ends":
            chosen = self._ends(section, query, budget_chars, sizes)
        elif focused:
            chosen = self._best(self._score(focused, ()), budget_chars, sizes)
        else:
            chosen = self._best(self.scores(section), budget_chars, sizes)
        wanted = focused or _query_tokens(query)
        return self._merge(chosen, budget_chars, shown, wanted)

    def scores(self, section: str) -> list[float]:
        """BM25 score of every chunk for ``section``, heading boost included."""
        query = section_query(section)
        return self._score(_query_tokens(query), query.headings)

    def _score(self, terms: Sequence[str], headings: Sequence[str]) -> list[float]:
        if not terms or not self._has_tokens:
            return [0.0] * len(self.chunks)
        # Every section asks for figures: a chunk without numbers cannot ground one.
        weight = float(_config()["figure_weight"])
        scores = [
            s * (1 - weight + weight * f)
            for s, f in zip(self._bm25.scores(terms), self._figures, strict=True)
        ]
        boost = float(_config()["heading_boost"]) * max(scores, default=0.0)
        if boost > 0:
            for i in self._chunks_with(headings):
                scores[i] += boost
        return scores

    def _chunks_with(self, headings: Sequence[str]) -> set[int]:
        """Indices of the units that contain one of ``headings`` whole (a table: in its
        caption or its rows)."""
        found: set[int] = set()
        text = self.document.text
        for heading in headings:
            start = text.find(heading)
            while start >= 0:
                i = bisect_right(self._starts, start) - 1
                if i >= 0 and start + len(heading) <= self.chunks[i][1]:
                    found.add(i)
                start = text.find(heading, start + 1)
            found.update(i for i, t in enumerate(self._texts) if self._tables[i] and heading in t)
        return found

    def _best(self, scores: Sequence[float], budget: int, sizes: Sequence[int]) -> list[int]:
        """The highest-scoring chunks that fit the budget (zero scores never)."""
        # best first; the sort is stable, so equal scores stay in document order
        ranked = sorted(range(len(self.chunks)), key=scores.__getitem__, reverse=True)
        chosen: list[int] = []
        used = 0
        for i in ranked:
            if scores[i] <= 0:
                break
            if used + sizes[i] <= budget:
                chosen.append(i)
                used += sizes[i]
        if not chosen and ranked and scores[ranked[0]] > 0:
            chosen = [ranked[0]]  # larger than the budget: _merge keeps its beginning
        return sorted(chosen)

    def _ends(
        self, section: str, query: SectionQuery, budget: int, sizes: Sequence[int]
    ) -> list[int]:
        """The first chunks (``head_share`` of the budget), the last ones (``tail_share``),
        then the best-scoring chunks in what is left."""
        chosen: list[int] = []
        used = 0
        head_limit = budget * query.head_share
        tail_limit = budget * (query.head_share + query.tail_share)
        for i in range(len(self.chunks)):
            if used + sizes[i] > head_limit:
                break
            chosen.append(i)
            used += sizes[i]
        for i in range(len(self.chunks) - 1, -1, -1):
            if i in chosen or used + sizes[i] > tail_limit:
                break
            chosen.append(i)
            used += sizes[i]
        if query.terms:
            scores = [0.0 if i in chosen else s for i, s in enumerate(self.scores(section))]
            chosen += self._best(scores, budget - used, sizes)
        return sorted(set(chosen)) or [0]

    def _shown_texts(self, section: str, focus: Sequence[str]) -> list[str]:
        """What each unit shows the model for ``section``: a large table only its header
        rows and the rows whose label the section names (its field labels)."""
        wanted = _row_terms(section, focus)
        limit = int(_config()["table_whole_chars"])
        return [
            table_text(self.document, table, limit, wanted)
            if table is not None and len(text) > limit
            else text
            for text, table in zip(self._texts, self._tables, strict=True)
        ]

    def _merge(
        self, indices: Sequence[int], budget: int, shown: Sequence[str], wanted: Sequence[str]
    ) -> list[Passage]:
        """Adjacent text chunks become one passage, a table is a passage of its own; the
        total is cut to the budget (a table by whole rows, keeping those ``wanted``)."""
        spans: list[list[int]] = []
        for i in indices:
            a, b = self.chunks[i]
            if (
                spans
                and spans[-1][1] == a
                and not self._tables[i]
                and not self._tables[spans[-1][2]]
            ):
                spans[-1][1] = b
            else:
                spans.append([a, b, i])
        text = self.document.text
        passages: list[Passage] = []
        left = budget
        tokens = set(wanted)
        for a, b, i in spans:
            table = self._tables[i]
            if table is not None:
                rows = shown[i]
                if len(rows) > left:
                    rows = table_text(self.document, table, left, _labelled(tokens))
                if rows:
                    passages.append(Passage(a, b, rows))
                    left -= len(rows)
                continue
            b = min(b, a + left)
            if b > a:
                passages.append(Passage(a, b, text[a:b]))
                left -= b - a
        return passages


def _units_of(document: Document) -> tuple[list[tuple[int, int]], list[Table | None]]:
    """The document's units in order: each table's span, and text chunks between them."""
    config = _config()
    low, high = int(config["chunk_min_chars"]), int(config["chunk_max_chars"])
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


def _offset(spans: list[tuple[int, int]], by: int) -> list[tuple[int, int]]:
    return [(a + by, b + by) for a, b in spans]


def _row_terms(section: str, focus: Sequence[str]) -> Callable[[str], bool]:
    """Does a row label name a field of the section (all the tokens of one of its labels)?"""
    labels = _config().get("field_terms", {}).get(section, {})
    fields = focus or list(labels)
    terms = [set(tokenize(term)) for f in fields for term in _terms(labels.get(f))]
    terms = [t for t in terms if t]
    if not terms:
        return _labelled(set(_query_tokens(section_query(section))))
    return lambda label: any(term <= set(tokenize(label)) for term in terms)


def _labelled(tokens: set[str]) -> Callable[[str], bool]:
    """Does a row label share a token with the section's query?"""
    return lambda label: bool(tokens & set(tokenize(label)))


def locate(document: Document, section: str, budget_chars: int) -> list[Passage]:
    """Passages of ``document`` for ``section`` within ``budget_chars`` (one-off use)."""
    return Locator(document).passages(section, budget_chars)

"""Grounding: every value an LLM returns must be found in the filing, or it is dropped.

The filing's printed numbers and dates are indexed once per document by normalised value.
A value is grounded when it appears inside the passages the model was shown:

- money and shares: some printed number × a unit it carries (``53.33亿元``), or, for a bare
  number, × 1 or × a table unit header of the document (``单位:千元``, ``人民币千元``), equals
  the value exactly, at the printed precision;
- percentages, points, per-share amounts and counts: the printed number itself;
- per-10-share rates: the printed number, or a per-share figure × 10 (HKEX 每股) or cents
  ÷ 10 (港仙);
- dates: a printed date; text: a substring of the passages once whitespace is removed;
- a period end (``2019年年度报告`` → 2019-12-31): a date printed anywhere in the document;
- codes (exchange, document type, currency) and flags are judgements, not figures: they
  are kept, with the model's quote (or the first passage) as evidence.

Signs are not compared (a loss of ``60百万港元`` is stored as -60000000). A grounded value
gets the span of its occurrence nearest the model's quote. Cross-checks only warn.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from ...core.dates import DATE_RE, date_from_match
from ...core.numbers import (
    find_amounts,
    normalise_decimal,
    parse_number,
    split_run_together,
)
from ...core.spans import Found, Span
from ...core.units import UNIT_MULTIPLIERS, find_unit_headers
from ...load.document import Document
from ...load.normalise import normalise_text
from .answers import (
    CODE,
    COUNT,
    DATE,
    FLAG,
    MONEY,
    PER_SHARE,
    PERCENT,
    PERIOD,
    POINTS,
    RATE,
    SHARES,
    TEXT,
    Answer,
    GroundingKind,
    answer_fields,
    answer_quotes,
    as_decimal,
    kind_of,
)
from .passage import Passage

# Kinds whose value is the printed number itself; the rest are scaled by units.
_PLAIN_KINDS = frozenset({PERCENT, POINTS, PER_SHARE, COUNT})
_SCALED_KINDS = frozenset({MONEY, SHARES})
# A rate per 10 shares may be printed per share (× 10) or in cents per share (÷ 10).
_RATE_FACTORS = (Decimal(1), Decimal("0.1"), Decimal(10))
# A per-share amount printed in cents: the unit right after the number
_CENTS_AFTER = re.compile(r"[)）]?\s?(?:HK\s?)?(?:cents|港仙|仙)")
# Digits and grouping run together without a separator (HKEX columns): "467,049413,713".
_RUN = re.compile(r"\d[\d,.]{6,60}\d")
_MAX_RUN_COLUMNS = 4
# Where a judgement's evidence is, when the model gave no usable quote for it.
_EVIDENCE_FROM: dict[str, tuple[str, ...]] = {
    "exchange": ("stock_code",),
    "document_type": ("title",),
    "declared": ("cash_per_10_shares", "total_cash", "bonus_shares_per_10"),
}


@dataclass(frozen=True)
class Dropped:
    """A value that is not in the filing."""

    path: str
    value: Any

    def warning(self) -> str:
        return f"{self.path}: {_show(self.value)} not found in the source; dropped"


@dataclass
class Grounding:
    """The grounded fields of one answer, and the values that could not be grounded."""

    found: dict[str, Found] = field(default_factory=dict)
    ungrounded: list[Dropped] = field(default_factory=list)

    def settle(self, retry: Grounding | None) -> tuple[dict[str, Found], list[str]]:
        """After a re-ask: a value first ungrounded is taken from the retry's grounded
        fields, else dropped with a warning. Values grounded the first time stay."""
        found = dict(self.found)
        warnings: list[str] = []
        for dropped in self.ungrounded:
            if retry is not None and dropped.path in retry.found:
                found[dropped.path] = retry.found[dropped.path]
            else:
                warnings.append(dropped.warning())
        return found, warnings


class SourceIndex:
    """Every printed number and date of a document, indexed by normalised value."""

    def __init__(self, document: Document) -> None:
        self.document = document
        text = document.text
        self.plain: dict[Decimal, list[Span]] = defaultdict(list)
        self.scaled: dict[Decimal, list[Span]] = defaultdict(list)
        self.dates: dict[date, list[Span]] = defaultdict(list)
        self.cents: dict[Decimal, list[Span]] = defaultdict(list)
        headers = {h.multiplier for h in find_unit_headers(text)}
        self._header_multipliers = sorted(headers | {Decimal(1)})
        self._index_numbers(text)
        self._index_runs(text)
        self._index_broken_cells(document)
        for m in DATE_RE.finditer(text):
            if (found := date_from_match(m)) is not None:
                self.dates[found].append(m.span())
        self._compact, self._compact_pos = _compact(text)

    def _index_numbers(self, text: str) -> None:
        for amount in find_amounts(text):
            span = _trimmed(text, amount.start, amount.end)
            raw = abs(amount.raw)
            self.plain[_key(raw)].append(span)
            if _CENTS_AFTER.match(text, amount.end):  # HK(8.55) cents: a per-share HK$0.0855
                self.cents[_key(raw / 100)].append(span)
            units = [UNIT_MULTIPLIERS[amount.unit]] if amount.unit else self._header_multipliers
            for multiplier in units:
                self.scaled[_key(raw * multiplier)].append(span)

    def _index_runs(self, text: str) -> None:
        """Columns printed together: every way to split a run is indexed (as plain and
        under the header units); a wrong split only adds numbers nobody asks for."""
        for m in _RUN.finditer(text):
            token = m.group(0)
            if parse_number(token) is not None:
                continue
            for columns in range(2, _MAX_RUN_COLUMNS + 1):
                for note in (False, True):
                    for split in split_run_together(token, columns, note=note, same_decimals=False):
                        for part in split[1:] if note else split:
                            self.plain[_key(part)].append(m.span())
                            for multiplier in self._header_multipliers:
                                self.scaled[_key(part * multiplier)].append(m.span())

    def _index_broken_cells(self, document: Document) -> None:
        """A table cell holding one number the PDF printed across lines (2,186,279\n,898.42):
        the model reads the cell whole, so its number is indexed at the cell's span."""
        cells = {id(c): c for table in document.tables for row in table.rows for c in row}
        for cell in cells.values():
            span = document.normalised_span(cell.start, cell.end)
            printed = document.text[span[0] : span[1]].split() if span else []
            number = parse_number("".join(printed)) if len(printed) > 1 else None
            if number is None or span is None:
                continue
            self.plain[_key(abs(number))].append(span)
            for multiplier in self._header_multipliers:
                self.scaled[_key(abs(number) * multiplier)].append(span)

    def number_spans(self, kind: GroundingKind, value: float | int) -> list[Span]:
        """Where a number of this kind is printed (any sign)."""
        try:
            target = abs(as_decimal(value))
        except InvalidOperation:
            return []
        if kind in _SCALED_KINDS:
            return self.scaled.get(_key(target), [])
        if kind == PER_SHARE:
            return self.plain.get(_key(target), []) + self.cents.get(_key(target), [])
        if kind == RATE:
            spans: list[Span] = []
            for factor in _RATE_FACTORS:
                spans.extend(self.plain.get(_key(target * factor), []))
            return spans
        return self.plain.get(_key(target), [])

    def text_spans(self, value: str) -> list[Span]:
        """Where ``value`` occurs once whitespace is ignored on both sides."""
        needle = "".join(normalise_text(value).split())
        if not needle:
            return []
        spans: list[Span] = []
        start = self._compact.find(needle)
        while start != -1:
            end = start + len(needle)
            spans.append((self._compact_pos[start], self._compact_pos[end - 1] + 1))
            start = self._compact.find(needle, start + 1)
        return spans


def _trimmed(text: str, start: int, end: int) -> Span:
    """The span without the whitespace a number pattern may take in at its ends."""
    while start < end - 1 and text[start].isspace():
        start += 1
    while end > start + 1 and text[end - 1].isspace():
        end -= 1
    return start, end


def _compact(text: str) -> tuple[str, list[int]]:
    """``text`` without whitespace, and for each kept character its offset in ``text``."""
    positions = [i for i, c in enumerate(text) if not c.isspace()]
    return "".join(text[i] for i in positions), positions


def _key(value: Decimal) -> Decimal:
    return normalise_decimal(value)


def _show(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# --- grounding an answer -----------------------------------------------------------------


class Grounder:
    """Grounds answers against one document (the index is built on first use)."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self._index: SourceIndex | None = None

    @property
    def index(self) -> SourceIndex:
        if self._index is None:
            self._index = SourceIndex(self.document)
        return self._index

    def ground(self, answer: Answer, passages: Sequence[Passage]) -> Grounding:
        """Ground every non-null field of ``answer`` within ``passages``."""
        quotes = answer_quotes(answer)
        result = Grounding()
        judgements: dict[str, Any] = {}
        for path, value in answer_fields(answer).items():
            kind = kind_of(answer.section, path)
            if kind in (CODE, FLAG):
                judgements[path] = value
                continue
            spans = self._spans(kind, value)
            if kind != PERIOD:
                spans = _inside(spans, passages)
            if not spans:
                result.ungrounded.append(Dropped(path, value))
                continue
            start, end = self._nearest(spans, quotes.get(path), passages)
            result.found[path] = Found(value, start, end)
        for path, value in judgements.items():
            span = self._judgement_span(path, quotes.get(path), result.found, passages)
            if span is None:
                result.ungrounded.append(Dropped(path, value))
            else:
                result.found[path] = Found(value, *span)
        return result

    def _spans(self, kind: GroundingKind, value: Any) -> list[Span]:
        index = self.index
        if kind in (DATE, PERIOD) and isinstance(value, date):
            return index.dates.get(value, [])
        if kind == TEXT and isinstance(value, str):
            return index.text_spans(value)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return index.number_spans(kind, value)
        return []

    def _judgement_span(
        self, path: str, quote: str | None, found: dict[str, Found], passages: Sequence[Passage]
    ) -> Span | None:
        """Evidence for a judgement (exchange, document type, currency, declared): the
        model's quote where it is real, else a related grounded field, else the passage
        start. Such a value is not a figure, so it is never dropped for want of one."""
        if quote and (spans := _inside(self.index.text_spans(quote), passages)):
            return spans[0]
        for related in _EVIDENCE_FROM.get(path, ()):
            if related in found:
                return found[related].start, found[related].end
        if not passages:
            return None
        return passages[0].start, min(passages[0].end, passages[0].start + 40)

    def _nearest(self, spans: list[Span], quote: str | None, passages: Sequence[Passage]) -> Span:
        """The occurrence nearest the model's quote; the first one without a quote."""
        anchors = _inside(self.index.text_spans(quote), passages) if quote else []
        if not anchors:
            return spans[0]
        return min(spans, key=lambda s: min(_distance(s, a) for a in anchors))


def _inside(spans: Iterable[Span], passages: Sequence[Passage]) -> list[Span]:
    """The spans lying within one of the passages (the model saw nothing else). Passages
    may overlap or nest (a table's rows read from text, a line inside a table's span)."""
    return sorted({(a, b) for a, b in spans if any(p.start <= a and b <= p.end for p in passages)})


def _distance(a: Span, b: Span) -> int:
    if a[1] <= b[0]:
        return b[0] - a[1]
    if b[1] <= a[0]:
        return a[0] - b[1]
    return 0

"""A perfect reader: answers each field with its gold value when that value is printed in the
prompt, and null otherwise.

It measures what the pipeline itself (locate → prompt → parse → ground → merge) loses when
the model makes no mistake: a field the oracle cannot answer was not in the passages sent; a
field it answers that does not reach the record was lost after the model. Used by
``tests/openai_server.py --oracle GOLD_DIR`` and ``bench/passage_recall.py``; a bench tool,
beside the all-null fake model the tests use.

"Printed" means: a number of the prompt times a unit (1, 千, 万, 百万, 亿, cents, per 10
shares) equals the value at its own precision; a date's year, month and day printed as a
date; a text (whitespace removed) inside the prompt. Codes and flags (exchange, document
type, currency, declared) are judgements, always answered.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from extract.core.dates import DATE_RE, date_from_match
from extract.core.numbers import parse_number, split_run_together
from extract.evaluation.gold import GoldDoc, load_gold_dir

# a run of digits, commas and points: one number, or several printed together
_NUMBER = re.compile(r"\d[\d,.]*\d|\d")
_UNITS = tuple(
    Decimal(u) for u in ("1", "1000", "10000", "1000000", "100000000", "0.01", "0.1", "10")
)
JUDGEMENTS = frozenset(
    {"filing.exchange", "filing.document_type", "filing.currency", "dividend.declared"}
)
TOOL_SECTIONS = {
    "FilingAnswer": "filing",
    "FinancialsAnswer": "financials",
    "DividendAnswer": "dividend",
    "BuybackAnswer": "buyback",
    "IncentiveAnswer": "incentive",
}


def _fold(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


class Printed:
    """What a text prints: its numbers, its dates, and itself folded for substrings."""

    def __init__(self, text: str) -> None:
        folded = unicodedata.normalize("NFKC", text)
        self.numbers: set[Decimal] = set()
        for m in _NUMBER.finditer(folded):
            token = m.group(0)
            if parse_number(token) is None:
                # columns printed together (467,049413,713; 846,00019.8413.3814,217,040):
                # every split, as the grounder does
                for columns in range(2, 5):
                    for split in split_run_together(token, columns, same_decimals=False):
                        self.numbers.update(split)
                continue
            try:
                self.numbers.add(Decimal(token.replace(",", "")))
            except InvalidOperation:
                continue
        self.dates: set[date] = set()
        for m in DATE_RE.finditer(folded):
            if (day := date_from_match(m)) is not None:
                self.dates.add(day)
        self.compact = _fold(text)

    def shows(self, path: str, value: Any) -> bool:
        """Is ``value`` (the gold of ``path``) printed in this text?"""
        if path in JUDGEMENTS or isinstance(value, bool):
            return True
        if isinstance(value, int | float):
            return self._shows_number(Decimal(str(value)))
        if isinstance(value, date):
            return value in self.dates
        if isinstance(value, str):
            try:
                return date.fromisoformat(value) in self.dates
            except ValueError:
                pass
            if value.isdigit():  # a code: a number of its own, not digits inside one
                return _shows_code(value, set(_NUMBER.findall(self.compact)))
            return _fold(value) in self.compact
        return False

    def reading(self, value: Any) -> Any:
        """``value`` as a reader of this text gives it: the gold itself where it is printed
        (in any unit), else the printed figure that rounds to it (4.5% printed, gold 4 to a
        whole percent: the reader answers 4.5, which the grounder finds and the scorer's
        tolerance accepts)."""
        if isinstance(value, bool) or not isinstance(value, int | float):
            return value
        target = abs(Decimal(str(value)))
        nearest: tuple[Decimal, Decimal] | None = None
        for unit in _UNITS:
            for number in self.numbers:
                gap = abs(number * unit - target)
                if nearest is None or gap < nearest[0]:
                    nearest = (gap, number * unit)
        if nearest is None or nearest[0] == 0 or not self._shows_number(target):
            return value
        read = float(nearest[1])
        return -read if value < 0 else read

    def _shows_number(self, value: Decimal) -> bool:
        target = abs(value)
        exponent = target.normalize().as_tuple().exponent
        places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
        for unit in _UNITS:
            printed = target / unit
            for number in self.numbers:
                if abs(number - printed) * unit <= Decimal(1).scaleb(-places) / 2:
                    return True
        return False


def _shows_code(code: str, numbers: set[str]) -> bool:
    """An A-share code as printed (002025, never the year 2025); an HKEX code with or
    without its leading zeros (2522, 02522; 717, 00717)."""
    if code in numbers:
        return True
    return len(code) <= 5 and any(
        len(n) <= 5 and n.lstrip("0") == code.lstrip("0") for n in numbers
    )


def golds(gold_dir: Path) -> list[GoldDoc]:
    return load_gold_dir(gold_dir, "*")


def numeric_fields(gold: GoldDoc) -> dict[str, Any]:
    """The gold's stated numbers (the figures passage recall counts)."""
    return {
        path: entry.value
        for path, entry in gold.fields.items()
        if isinstance(entry.value, int | float) and not isinstance(entry.value, bool)
    }


# The fields that name a filing: a prompt about its cover may print no figure at all, and a
# figure such as 0.60 is printed by many filings.
_IDENTITY = {"filing.stock_code": 5, "filing.company_name": 5, "filing.title": 3}


def best_gold(
    candidates: Iterable[GoldDoc], printed: Printed, section: str | None = None
) -> GoldDoc | None:
    """The gold document whose identity (code, name, title) and figures the prompt shows
    most: the asked section's distinctive figures first, then any section's, then the
    section's figures, then any (a prompt about a dividend in English may show none of its
    filing's names; small figures such as 0, 6 or 1.06 are printed by many, so a prompt
    about a filing that states no dividend is known by its other figures)."""
    scored = [(_score(g, printed, section), g.name, g) for g in candidates]
    scored = [s for s in scored if _evidence(s[0])]
    return max(scored, key=lambda s: (s[0], s[1]))[2] if scored else None


def _evidence(score: tuple[int, ...]) -> bool:
    """Enough to know the filing: its identity or a distinctive figure of the section asked
    (both count in the first component), or two distinctive figures of any section. One
    distinctive figure of another section is a coincidence the columns printed together
    make likely (every split of 462,566383,265 is a number); a prompt that shows nothing
    of its filing (a notice that no dividend is declared) gets no answer."""
    own_distinctive, any_distinctive = score[0], score[1]
    return own_distinctive > 0 or any_distinctive >= 2


def _score(gold: GoldDoc, printed: Printed, section: str | None) -> tuple[int, ...]:
    shown = {p: v for p, v in numeric_fields(gold).items() if printed.shows(p, v)}
    named = sum(
        weight
        for path, weight in _IDENTITY.items()
        if (entry := gold.fields.get(path)) is not None
        and entry.value is not None
        and printed.shows(path, entry.value)
    )
    own = [v for p, v in shown.items() if section is not None and p.startswith(section + ".")]
    # last, every stated field shown, dates and words too: the same filing in two
    # conversions prints the same figures, but one of them lost some lines
    stated = sum(
        printed.shows(path, entry.value)
        for path, entry in gold.fields.items()
        if entry.value is not None and not isinstance(entry.value, bool) and path not in JUDGEMENTS
    )
    return (
        named + sum(map(_distinctive, own)),
        named + sum(map(_distinctive, shown.values())),
        named + len(own),
        named + len(shown),
        stated,
    )


def _distinctive(value: float) -> bool:
    """A figure few other filings print: four significant digits or more."""
    digits = f"{abs(value):.6f}".replace(".", "").strip("0")
    return len(digits) >= 4


def oracle_arguments(gold: GoldDoc, section: str, printed: Printed) -> dict[str, Any]:
    """The answer a perfect reader gives for ``section``: gold values printed in the prompt,
    each with its gold quote; everything else null."""
    arguments: dict[str, Any] = {}
    quotes: dict[str, str] = {}
    for path, entry in gold.fields.items():
        if not path.startswith(section + ".") or entry.value is None:
            continue
        if not printed.shows(path, entry.value):
            continue
        rest = path.removeprefix(section + ".")
        value = entry.value.isoformat() if isinstance(entry.value, date) else entry.value
        value = printed.reading(value)
        if section == "financials":
            metric, part = rest.split(".")
            arguments.setdefault(metric, {})[part] = value
        else:
            arguments[rest] = value
        if entry.quote and not isinstance(entry.value, bool):
            quotes[path] = entry.quote
    if quotes:
        arguments["quotes"] = quotes
    return arguments


def prompt_text(request: Mapping[str, Any]) -> str:
    """What the prompt shows of the filing: the text from its first passage marker on (the
    instructions and examples before it print other figures, even a seed's stock code),
    without the markers (【片段4】 numbers a passage, it does not print a 4)."""
    text = "\n".join(str(m.get("content") or "") for m in request.get("messages") or [])
    first = text.find(PASSAGE_MARK)
    return _MARKER.sub("\n", text[first:] if first >= 0 else text)


# How prompts/_passages.j2 opens each passage
PASSAGE_MARK = "【片段"
_MARKER = re.compile(re.escape(PASSAGE_MARK) + r"\d+】")

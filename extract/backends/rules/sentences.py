"""What the rules that read figures from sentences share: vocabulary patterns with slots.

Slots: ``{N}`` a number, ``{D}`` a date, ``{MONEY}`` / ``{SHARES}`` a unit word of the unit
table (named group ``unit``), ``{MIN}`` / ``{MAX}`` an amount with its unit (a range).
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import cache
from typing import Any

from ...core.dates import DATE_PATTERN, DATE_RE, date_from_match
from ...core.numbers import NUMBER_PATTERN, normalise_decimal, parse_number
from ...core.spans import Found
from ...core.units import (
    CENT_WORDS,
    YUAN_OR_HKD_PATTERN,
    alternation,
    unit_multiplier,
    unit_words,
)
from ...vocab import spaced
from ..base import SectionResult

NUMBER_SLOT = "{N}"
_MAX_ANCHORS = 20
_SENTENCE_REACH = 2000  # no sentence is longer; a table without full stops is cut here
_SHARE_UNITS = alternation(unit_words(["shares"]))
_UNIT_SLOTS = {
    "{MONEY}": f"(?P<unit>{YUAN_OR_HKD_PATTERN})",
    "{SHARES}": f"(?P<unit>{_SHARE_UNITS})",
}


def expand_units(pattern: str) -> str:
    """A vocabulary pattern as matched: spaces as whitespace, unit slots as unit groups."""
    pattern = spaced(pattern)
    for slot, group in _UNIT_SLOTS.items():
        pattern = pattern.replace(slot, group)
    return pattern


@cache
def compile_slot(pattern: str) -> re.Pattern[str]:
    """Compile a vocabulary pattern, its ``{N}`` becoming a named number group."""
    return re.compile(expand_units(pattern).replace(NUMBER_SLOT, f"(?P<num>{NUMBER_PATTERN})"))


@cache
def compile_range(pattern: str) -> re.Pattern[str]:
    """Compile a pattern with ``{MIN}`` and ``{MAX}``: groups min/min_unit, max/max_unit
    (the unit of the lower bound may be left out, as in 5,000-10,000万元)."""
    regex = expand_units(pattern)
    for name, unit_optional in (("min", "?"), ("max", "")):
        amount = (
            f"(?P<{name}>{NUMBER_PATTERN}) ?(?P<{name}_unit>{YUAN_OR_HKD_PATTERN}){unit_optional}"
        )
        regex = regex.replace("{" + name.upper() + "}", spaced(amount))
    return re.compile(regex)


def range_amounts(m: re.Match[str]) -> tuple[Found, Found] | None:
    """The two amounts of a :func:`compile_range` match, each in the currency's base unit."""
    low, high = parse_number(m.group("min")), parse_number(m.group("max"))
    if low is None or high is None:
        return None
    high_unit = unit_multiplier(m.group("max_unit"))
    low_unit = unit_multiplier(m.group("min_unit")) if m.group("min_unit") else high_unit
    return (
        Found(_plain(normalise_decimal(low * low_unit)), m.start("min"), m.end("min")),
        Found(_plain(normalise_decimal(high * high_unit)), m.start("max"), m.end("max_unit")),
    )


@cache
def compile_sentence_end(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def sentence_around(text: str, pos: int, end_pattern: str) -> tuple[int, int]:
    """The span of the sentence holding ``text[pos]``; sentences end where ``end_pattern``
    matches (its match belongs to the sentence before)."""
    ends = compile_sentence_end(end_pattern)
    start = max(0, pos - _SENTENCE_REACH)
    for m in ends.finditer(text, start, pos):
        start = m.end()
    after = ends.search(text, pos)
    return start, after.end() if after else len(text)


def find_number(
    pattern: str, text: str, start: int = 0, end: int | None = None, kind: str = "number"
) -> Found | None:
    """First match of ``pattern`` in ``text[start:end]``, its number converted by ``kind``.

    kinds: number (as printed), money and shares (scaled by a ``unit`` group when the
    pattern has one: 亿元, 万股; shares must come out whole), per_share_to_10 (a per-share
    amount stated as 每股0.12元, stored per 10 shares as the contract wants), zero (the
    pattern states "none", e.g. 不送红股).
    """
    m = compile_slot(pattern).search(text, start, len(text) if end is None else end)
    if not m:
        return None
    if kind == "zero":
        return Found(0, m.start(), m.end())
    value = parse_number(m.group("num"))
    if value is None:
        return None
    unit = m.groupdict().get("unit")
    if kind in ("money", "shares") and unit:
        value = value * unit_multiplier(unit)
    if kind == "per_share_to_10":
        value = value * 10 * (Decimal("0.01") if unit in CENT_WORDS else 1)
    value = normalise_decimal(value)
    end_of_figure = m.end("unit") if unit else m.end("num")
    if kind == "shares":
        if value != value.to_integral_value():
            return None
        return Found(int(value), m.start("num"), end_of_figure)
    return Found(_plain(value), m.start("num"), m.end("num"))


def _plain(value: Decimal) -> float:
    return float(value)


def find_field(
    spec: dict[str, object], text: str, start: int = 0, end: int | None = None
) -> Found | None:
    """One vocabulary entry ``{pattern, kind}`` → a Found, for every kind sentences state.

    Beyond :func:`find_number`'s kinds: ``date`` (the pattern's ``{D}`` slot), ``text``
    (a ``(?P<text>…)`` group, whitespace removed), ``second`` (the number after the first
    ``{N}``: ``由78元/股调整为77.63元/股``).
    """
    pattern = expand_units(str(spec["pattern"]))
    kind = str(spec.get("kind", "number"))
    stop = len(text) if end is None else end
    if kind == "date":
        m = re.compile(pattern.replace("{D}", f"(?P<date>{DATE_PATTERN})")).search(
            text, start, stop
        )
        if not m:
            return None
        inner = DATE_RE.search(m.group("date"))
        day = date_from_match(inner) if inner else None
        return Found(day, m.start("date"), m.end("date")) if day else None
    if kind == "dates":  # a window: {D}至{D}
        regex = pattern.replace("{D}", f"(?:{DATE_PATTERN})", 1)
        m = re.compile(regex).search(text, start, stop)
        return Found(m.group(0), m.start(), m.end()) if m else None
    if kind == "text":
        m = re.compile(pattern).search(text, start, stop)
        if not m:
            return None
        return Found(re.sub(r"\s+", "", m.group("text")), m.start("text"), m.end("text"))
    if kind == "second":
        first, _, rest = pattern.partition(NUMBER_SLOT)
        m = re.compile(
            first + f"{NUMBER_PATTERN}" + rest.replace(NUMBER_SLOT, f"(?P<num>{NUMBER_PATTERN})")
        ).search(text, start, stop)
        if not m:
            return None
        value = parse_number(m.group("num"))
        return Found(float(value), m.start("num"), m.end("num")) if value is not None else None
    return find_number(pattern, text, start, end, kind=kind)


def find_first(
    specs: list[dict[str, object]], text: str, start: int = 0, end: int | None = None
) -> Found | None:
    """The first entry of ``specs`` that finds something (entries are in preference order)."""
    for spec in specs:
        found = find_field(spec, text, start, end)
        if found is not None:
            return found
    return None


def extract_by_vocab(text: str, vocab: dict[str, Any]) -> SectionResult:
    """A section stated in sentences: find its anchor, then each field near it.

    ``vocab`` has ``anchor`` (the section applies only if it occurs), optional
    ``window_before`` / ``window_after`` (characters around the anchor; the whole text
    otherwise) and ``fields`` (field → entries for :func:`find_first`).
    """
    best = SectionResult()
    for anchor in list(re.finditer(spaced(vocab["anchor"]), text))[:_MAX_ANCHORS]:
        if "window_before" in vocab:
            window = (
                max(0, anchor.start() - vocab["window_before"]),
                anchor.end() + vocab["window_after"],
            )
        else:
            window = (0, len(text))
        result = SectionResult()
        for name, specs in vocab["fields"].items():
            found = find_first(specs, text, *window)
            if found is not None:
                result.fields[name] = found
        # the statement that says the most is the progress report itself
        if len(result.fields) > len(best.fields):
            best = result
        if window == (0, len(text)):
            break
    best.applies = bool(best.fields)
    return best

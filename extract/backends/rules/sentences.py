"""Shared helper for rules that read figures from sentences: patterns with a ``{N}`` slot."""

from __future__ import annotations

import re
from decimal import Decimal
from functools import cache

from ...numbers import NUMBER_PATTERN, normalise_decimal, parse_number, unit_multiplier
from ..base import Found

NUMBER_SLOT = "{N}"


@cache
def compile_slot(pattern: str) -> re.Pattern[str]:
    """Compile a vocabulary pattern, its ``{N}`` becoming a named number group."""
    return re.compile(pattern.replace(NUMBER_SLOT, f"(?P<num>{NUMBER_PATTERN})"))


def find_number(pattern: str, text: str, start: int = 0, end: int | None = None,
                kind: str = "number") -> Found | None:
    """First match of ``pattern`` in ``text[start:end]``, its number converted by ``kind``.

    kinds: number (as printed), money (scaled by a ``unit`` group), shares (an integer),
    zero (the pattern states "none", e.g. 不送红股).
    """
    m = compile_slot(pattern).search(text, start, len(text) if end is None else end)
    if not m:
        return None
    if kind == "zero":
        return Found(0, m.start(), m.end())
    value = parse_number(m.group("num"))
    if value is None:
        return None
    if kind == "money":
        unit = m.groupdict().get("unit")
        value = value * unit_multiplier(unit)
    value = normalise_decimal(value)
    if kind == "shares":
        if value != value.to_integral_value():
            return None
        return Found(int(value), m.start("num"), m.end("num"))
    return Found(_plain(value), m.start("num"), m.end("num"))


def _plain(value: Decimal) -> float:
    return float(value)

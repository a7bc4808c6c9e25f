"""Dates as filings print them: 2024年8月29日, 二〇二〇年三月二十五日, May 19, 2025."""

from __future__ import annotations

import re
from datetime import date

from .numbers import CN_NUMERAL_CHARS, parse_chinese_int

_CN = f"[{CN_NUMERAL_CHARS}]"
DATE_PATTERN = (
    r"(?:(?P<y>(?:19|20)\d{2})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日"
    rf"|(?P<cy>{_CN}{{4}})\s*年\s*(?P<cm>{_CN}{{1,3}})\s*月\s*(?P<cd>{_CN}{{1,4}})\s*日"
    r"|(?P<ey>(?:19|20)\d{2})[-/.](?P<em>\d{1,2})[-/.](?P<ed>\d{1,2})(?!\d)"
    r"|(?P<mon>January|February|March|April|May|June|July|August|September|October"
    r"|November|December)\s+(?P<md>\d{1,2}),?\s+(?P<my>(?:19|20)\d{2})"
    r"|(?P<dd>\d{1,2})\s*(?P<dmon>January|February|March|April|May|June|July|August"
    r"|September|October|November|December)\s*(?P<dy>(?:19|20)\d{2}))"
)
DATE_RE = re.compile(DATE_PATTERN, re.IGNORECASE)
_MONTHS = {
    name.capitalize(): i + 1
    for i, name in enumerate(
        [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ]
    )
}


def date_from_match(m: re.Match[str]) -> date | None:
    """Build a date from a match of :data:`DATE_RE`; None if it is not a real date."""
    try:
        if m.group("y"):
            return date(int(m.group("y")), int(m.group("m")), int(m.group("d")))
        if m.group("cy"):
            parts = [parse_chinese_int(m.group(k)) for k in ("cy", "cm", "cd")]
            if None in parts:
                return None
            return date(*parts)  # type: ignore[arg-type]
        if m.group("ey"):
            return date(int(m.group("ey")), int(m.group("em")), int(m.group("ed")))
        if m.group("mon"):
            return date(
                int(m.group("my")), _MONTHS[m.group("mon").capitalize()], int(m.group("md"))
            )
        if m.group("dmon"):
            return date(
                int(m.group("dy")), _MONTHS[m.group("dmon").capitalize()], int(m.group("dd"))
            )
    except ValueError:
        return None
    return None


def parse_date(text: str) -> date | None:
    """The first date in ``text``."""
    for m in DATE_RE.finditer(text):
        found = date_from_match(m)
        if found:
            return found
    return None

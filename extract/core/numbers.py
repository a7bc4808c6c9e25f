"""Numbers as filings write them: numerals, signs, percentages, amounts, run-together columns.

Everything that turns text into a number lives here; the unit words it scales by are the
table in ``units``. Values are ``Decimal`` so that ``5,333,486,253.17`` survives exactly;
callers convert to float at the record boundary.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from .units import UNIT_MULTIPLIERS, UNIT_PATTERN

# --- Western numerals --------------------------------------------------------------------

_MINUS = "-−–﹣－"
# One number as printed: optional sign or opening parenthesis, digits with optional
# thousands grouping, optional decimals, optional closing parenthesis.
NUMBER_PATTERN = (
    r"(?:[(（]\s*)?[" + _MINUS + r"]?\s?"
    r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
    r"(?:\s*[)）])?"
)
_NUMBER = re.compile(NUMBER_PATTERN)


def parse_number(text: str) -> Decimal | None:
    """Parse one printed number: ``5,333,486,253.17``, ``(26,892)``, ``-1.5``, ``−0.29``.

    Returns None for anything that is not exactly one number.
    """
    s = text.strip().replace(" ", "")
    if not s:
        return None
    negative = False
    if s[0] in "(（" and s[-1] in ")）":
        negative, s = True, s[1:-1]
    if s and s[0] in _MINUS:
        negative, s = not negative, s[1:]
    if not re.fullmatch(r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?", s):
        return None
    try:
        value = Decimal(s.replace(",", ""))
    except InvalidOperation:
        return None
    return -value if negative else value


def decimals_of(text: str) -> int:
    """Number of decimal places as printed (``1.20`` → 2)."""
    m = re.search(r"\.(\d+)", text)
    return len(m.group(1)) if m else 0


def format_number(value: Decimal, decimals: int = 2, grouping: bool = True) -> str:
    """Print a number the way filings do (inverse of :func:`parse_number`)."""
    q = Decimal(1).scaleb(-decimals)
    text = f"{abs(value.quantize(q)):,.{decimals}f}" if grouping else f"{abs(value):.{decimals}f}"
    return f"-{text}" if value < 0 else text


# --- amounts with units ------------------------------------------------------------------

_AMOUNT = re.compile(r"(?P<num>" + NUMBER_PATTERN + r")\s*(?P<unit>" + UNIT_PATTERN + r")?")


@dataclass(frozen=True)
class Amount:
    """A number found in text, scaled by its unit word (if any)."""

    value: Decimal
    raw: Decimal
    unit: str | None
    decimals: int
    start: int
    end: int


def parse_amount(text: str, default_multiplier: Decimal = Decimal(1)) -> Amount | None:
    """Parse ``53.33亿元`` → 5333000000; ``374.19万股`` → 3741900; ``1,079,160 股``.

    The unit word, when present, overrides ``default_multiplier`` (a table header's unit).
    """
    m = _AMOUNT.fullmatch(text.strip())
    if not m:
        return None
    return _amount_from_match(m, default_multiplier)


def find_amounts(text: str, default_multiplier: Decimal = Decimal(1)) -> Iterator[Amount]:
    """Yield every number in ``text`` with its unit applied."""
    for m in _AMOUNT.finditer(text):
        amount = _amount_from_match(m, default_multiplier)
        if amount is not None:
            yield amount


def _amount_from_match(m: re.Match[str], default_multiplier: Decimal) -> Amount | None:
    raw = parse_number(m.group("num"))
    if raw is None:
        return None
    unit = m.group("unit")
    multiplier = UNIT_MULTIPLIERS[unit] if unit else default_multiplier
    return Amount(
        value=normalise_decimal(raw * multiplier),
        raw=raw,
        unit=unit,
        decimals=decimals_of(m.group("num")),
        start=m.start(),
        end=m.end(),
    )


def normalise_decimal(value: Decimal) -> Decimal:
    """Drop exponent noise: ``Decimal('5.333E+9')`` → ``Decimal('5333000000')``."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


# --- percentages -------------------------------------------------------------------------

_PERCENT = re.compile(r"(?P<num>" + NUMBER_PATTERN + r")\s*[%％]")
_POINTS = re.compile(
    r"(?P<dir>增加|增长|上升|提高|提升|减少|下降|降低|减少了|增加了)?\s*"
    r"(?P<num>" + NUMBER_PATTERN + r")\s*个?百分点"
)
_DOWN_WORDS = ("减少", "下降", "降低")


def parse_percent(text: str) -> Decimal | None:
    """``1.18%`` → 1.18; ``-14.0%`` → -14.0; ``+26.3%`` (a change printed with its sign) → 26.3."""
    m = _PERCENT.fullmatch(text.strip().removeprefix("+"))
    return parse_number(m.group("num")) if m else None


def parse_points(text: str) -> Decimal | None:
    """``增加1.70个百分点`` → 1.70; ``降低0.29个百分点`` → -0.29."""
    m = _POINTS.search(text)
    if not m:
        return None
    value = parse_number(m.group("num"))
    if value is None:
        return None
    direction = m.group("dir") or ""
    return -abs(value) if direction.startswith(_DOWN_WORDS) else value


# --- a table cell ----------------------------------------------------------------------

# A cell printing one figure: 1,234.56 / (26,892) / -8.70% / 12.3% / HK(8.55) cents, or a
# mark for "not stated" (不适用, –, N/A). Matched against the cell's text without spaces.
CELL_FIGURE = re.compile(
    r"[(（]?[-−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?%?[)）]?%?"
    r"|(?:HK|RMB|US)?\$?\(?[\d.]+\)?(?:cents|仙)"
    r"|(?:人民幣|人民币|港幣|港币|HK\$|RMB|US\$)\(?[\d.,]*\d\)?元?"  # per share: 人民幣(0.007)元
)
# A cell stating its currency (人民幣(0.007)元, RMB0.002): a figure in whole yuan or dollars,
# whatever the table's unit line says.
CELL_CURRENCY_FIGURE = re.compile(
    r"(?:人民幣|人民币|港幣|港币|HK\$|RMB|US\$)\s*(\(?[\d.,]*\d\)?)\s*元?"
)
CELL_NOT_STATED = re.compile(r"[-–—]{1,2}|——|不适用|不適用|N/A|/")


# --- Chinese numerals --------------------------------------------------------------------

_CN_DIGITS = {
    "〇": 0,
    "零": 0,
    "○": 0,
    "Ｏ": 0,
    "O": 0,
    "一": 1,
    "壹": 1,
    "二": 2,
    "贰": 2,
    "两": 2,
    "三": 3,
    "叁": 3,
    "四": 4,
    "肆": 4,
    "五": 5,
    "伍": 5,
    "六": 6,
    "陆": 6,
    "七": 7,
    "柒": 7,
    "八": 8,
    "捌": 8,
    "九": 9,
    "玖": 9,
}
_CN_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
CN_NUMERAL_CHARS = "".join(_CN_DIGITS) + "".join(_CN_UNITS) + "万萬亿億"


def parse_chinese_int(text: str) -> int | None:
    """``二十九`` → 29; ``二〇二四`` → 2024 (digit by digit); ``一万二千`` → 12000."""
    s = text.strip()
    if not s or any(c not in CN_NUMERAL_CHARS for c in s):
        return None
    if all(c in _CN_DIGITS for c in s):  # year style: 二〇二四
        return int("".join(str(_CN_DIGITS[c]) for c in s))
    total, section, digit = 0, 0, 0
    for c in s:
        if c in _CN_DIGITS:
            digit = _CN_DIGITS[c]
        elif c in _CN_UNITS:
            section += (digit or 1) * _CN_UNITS[c]
            digit = 0
        elif c in "万萬":
            total += (section + digit) * 10_000
            section, digit = 0, 0
        elif c in "亿億":
            total = (total + section + digit) * 100_000_000
            section, digit = 0, 0
    return total + section + digit


# --- run-together columns ----------------------------------------------------------------

_GROUPED = r"\d{1,3}(?:,\d{3})*"


def split_run_together(
    text: str,
    columns: int,
    *,
    note: bool = False,
    same_decimals: bool = True,
) -> list[tuple[Decimal, ...]]:
    """Every way to read ``text`` as ``columns`` numbers printed without separators.

    ``467,049413,713`` → [(467049, 413713)]. Each number must have valid thousands
    grouping (1–3 leading digits, then groups of exactly three). With ``note`` a leading
    note number (1–2 digits, as HKEX ``附註`` columns print) comes first and is returned
    as the first element. Parenthesised negatives are expected to be split by the caller.
    Returns all candidate splits; the caller decides and treats several as ambiguous.
    """
    s = text.replace(" ", "")
    pieces = (r"(\d{1,2})" if note else "") + "".join(
        rf"({_GROUPED}(?:\.\d+)?)" for _ in range(columns)
    )
    results: list[tuple[Decimal, ...]] = []
    for parts in _all_full_matches(pieces, s):
        numbers = parts[1:] if note else parts
        if any(_has_leading_zero(p) for p in numbers):
            continue
        if same_decimals and len({decimals_of(p) for p in numbers}) > 1:
            continue
        results.append(tuple(Decimal(p.replace(",", "")) for p in parts))
    return results


def _has_leading_zero(number: str) -> bool:
    return len(number) > 1 and number[0] == "0" and number[1] != "."


def _all_full_matches(pattern: str, text: str) -> list[tuple[str, ...]]:
    """All ways the groups of ``pattern`` can fully match ``text`` (regex finds only one)."""
    group_patterns = re.findall(r"\((?!\?)(?:[^()]|\((?:\?:)[^()]*\)[*+?]?)*\)", pattern)
    return _enumerate(group_patterns, text)


def _enumerate(groups: list[str], text: str) -> list[tuple[str, ...]]:
    if not groups:
        return [()] if text == "" else []
    head, rest = groups[0], groups[1:]
    out: list[tuple[str, ...]] = []
    for end in range(1, len(text) + 1):
        if re.fullmatch(head, text[:end]):
            out.extend((text[:end], *tail) for tail in _enumerate(rest, text[end:]))
    return out


def change_consistent(value: Decimal, prior: Decimal, change_pct: Decimal) -> bool:
    """Does a printed change (percent, rounded as printed) match value and prior?"""
    if prior == 0:
        return False
    return _as_printed((value - prior) / abs(prior) * 100, change_pct)


def share_consistent(part: Decimal, whole: Decimal, share_pct: Decimal) -> bool:
    """Does a printed share (percent, rounded as printed) match part / whole?"""
    if whole == 0:
        return False
    return _as_printed(part / whole * 100, share_pct)


def _as_printed(actual: Decimal, printed: Decimal) -> bool:
    """Is ``actual`` ``printed`` at its printed precision (six tenths of its last digit)?"""
    places = max(-printed.as_tuple().exponent, 0)  # type: ignore[operator]
    tolerance = Decimal(1).scaleb(-places) * Decimal("0.6")
    return abs(actual - printed) <= max(tolerance, Decimal("0.01"))

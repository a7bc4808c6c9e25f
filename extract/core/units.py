"""Unit and currency words: the one table of what a printed unit multiplies a number by.

Every reader takes its units from here: amounts in sentences (``53.33亿元``, ``374.19万股``,
``HK$12.3 million``), table unit headers (``单位:千元``, ``人民币千元``, ``RMB'000``), a unit
printed with a row label (``营业收入(万元)``, EPS in ``人民币分`` or ``港仙``), the PDF cell
reader and prose. A reader may accept fewer words than the table holds (prose states money
only), but none keeps words or multipliers of its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

UnitKind = Literal["money", "shares", "scale", "cents"]
"""money: a currency amount (元, 千港元); shares: a share count (万股); scale: a bare
magnitude (万, million); cents: a hundredth of a currency, for per-share amounts (分, 港仙)."""


@dataclass(frozen=True)
class Unit:
    """A unit word as filings print it, and what it means."""

    word: str
    multiplier: Decimal
    kind: UnitKind
    currency: str | None = None


def _units(kind: UnitKind, currency: str | None, words: dict[str, int | str]) -> list[Unit]:
    return [Unit(word, Decimal(m), kind, currency) for word, m in words.items()]


_K, _W, _M, _Y = 10**3, 10**4, 10**6, 10**8

UNITS: tuple[Unit, ...] = (
    *_units(
        "money",
        "CNY",
        {
            "元": 1,
            "千元": _K,
            "万元": _W,
            "萬元": _W,
            "百万元": _M,
            "百萬元": _M,
            "千万元": 10**7,
            "亿元": _Y,
            "億元": _Y,
        },
    ),
    *_units(
        "money",
        "HKD",
        {
            "港元": 1,
            "千港元": _K,
            "万港元": _W,
            "萬港元": _W,
            "百万港元": _M,
            "百萬港元": _M,
            "亿港元": _Y,
            "億港元": _Y,
        },
    ),
    *_units("money", "USD", {"美元": 1, "千美元": _K, "百万美元": _M}),
    *_units(
        "shares",
        None,
        {"股": 1, "千股": _K, "万股": _W, "萬股": _W, "百万股": _M, "亿股": _Y, "億股": _Y},
    ),
    *_units(
        "scale",
        None,
        {
            "千": _K,
            "万": _W,
            "萬": _W,
            "百万": _M,
            "百萬": _M,
            "亿": _Y,
            "億": _Y,
            "million": _M,  # HKEX English: HK$12.3 million
            "billion": 10**9,
        },
    ),
    # per-share amounts in cents (人民币分, 港仙, HK cents): the contract wants currency
    *_units("cents", "CNY", {"分": "0.01"}),
    *_units("cents", "HKD", {"仙": "0.01", "港仙": "0.01"}),
    *_units("cents", None, {"cents": "0.01"}),
)

_BY_WORD: dict[str, Unit] = {unit.word: unit for unit in UNITS}


def unit_words(kinds: Iterable[UnitKind], currency: str | None = None) -> tuple[str, ...]:
    """The words of the table of these kinds (and this currency, when given), in table order."""
    wanted = set(kinds)
    return tuple(
        u.word for u in UNITS if u.kind in wanted and (currency is None or u.currency == currency)
    )


def alternation(words: Iterable[str]) -> str:
    """A regex alternative of ``words``, longest first so that 百万元 wins over 万元."""
    return "|".join(sorted(map(re.escape, words), key=len, reverse=True))


# Every unit a printed amount may carry (cents are only ever read with a per-share label).
UNIT_MULTIPLIERS: dict[str, Decimal] = {
    u.word: u.multiplier for u in UNITS if u.kind in ("money", "shares", "scale")
}
UNIT_PATTERN = alternation(UNIT_MULTIPLIERS)
CENT_WORDS: tuple[str, ...] = unit_words(["cents"])
# Money in yuan (53.33亿元), and in yuan or Hong Kong dollars (60百万港元)
YUAN_PATTERN = alternation(unit_words(["money"], "CNY"))
YUAN_OR_HKD_PATTERN = alternation(unit_words(["money"], "HKD") + unit_words(["money"], "CNY"))


def unit_multiplier(unit: str | None) -> Decimal:
    """Multiplier of a unit word; an unknown or missing unit counts as 1."""
    if not unit:
        return Decimal(1)
    found = _BY_WORD.get(unit.strip())
    return found.multiplier if found else Decimal(1)


# --- currencies ------------------------------------------------------------------------

# Currency words → ISO code; where several occur in one header, the first listed wins.
CURRENCY_WORDS: dict[str, str] = {
    "人民币": "CNY",
    "人民幣": "CNY",
    "港元": "HKD",
    "港币": "HKD",
    "港幣": "HKD",
    "HK$": "HKD",
    "美元": "USD",
    "US$": "USD",
    "RMB": "CNY",
}
# Currency words Chinese prose prints before an amount: 人民币53.33亿元.
AMOUNT_CURRENCIES: tuple[str, ...] = ("人民币", "人民幣", "港币", "港幣")


def currency_pattern(code: str) -> str:
    """A regex alternative of the words that name currency ``code`` (``HKD``: 港元|港币|…)."""
    return "|".join(re.escape(word) for word, c in CURRENCY_WORDS.items() if c == code)


def _currency_in(text: str) -> str | None:
    for word, code in CURRENCY_WORDS.items():
        if word in text:
            return code
    return None


# --- table unit headers ----------------------------------------------------------------

_YUAN = unit_words(["money"], "CNY")
_FOREIGN_THOUSANDS_MILLIONS = (
    u.word for u in UNITS if u.kind == "money" and u.currency != "CNY" and u.multiplier in (_K, _M)
)
# A table unit header: 单位:元 / 单位：万元 币种：人民币 / 人民币千元 / (百万港元) / RMB'000.
# Standing alone, only thousands and millions of a foreign currency declare a table's unit:
# 1,234万港元 is a figure in a sentence.
_UNIT_HEADER = re.compile(
    rf"(?:单位|單位)\s*[:：]\s*(?:人民币|人民幣|港元|美元)?\s*(?P<u1>{alternation(_YUAN)})"
    r"(?:\s*(?:币种|幣種)\s*[:：]\s*(?:人民币|人民幣|港元|港币|美元))?"
    rf"|(?P<cur>人民币|人民幣|港币|港幣|美元)\s*"
    rf"(?P<u2>{alternation(w for w in _YUAN if _BY_WORD[w].multiplier > 1)})"
    rf"|(?P<u3>{alternation(_FOREIGN_THOUSANDS_MILLIONS)})"
    r"|(?P<en>RMB|HK\$|US\$)\s*[’']\s*(?P<eu>000|million)"
)


@dataclass(frozen=True)
class UnitHeader:
    """A table's declared unit: its multiplier, and its currency where stated."""

    multiplier: Decimal
    currency: str | None
    start: int
    end: int


def find_unit_headers(text: str) -> Iterator[UnitHeader]:
    """Yield every unit header in ``text`` (``单位:元``, ``人民币千元``, ``RMB'000`` …)."""
    for m in _UNIT_HEADER.finditer(text):
        if m.group("en"):
            mult = Decimal(_K) if m.group("eu") == "000" else UNIT_MULTIPLIERS["million"]
            yield UnitHeader(mult, CURRENCY_WORDS[m.group("en")], m.start(), m.end())
            continue
        unit = m.group("u1") or m.group("u2") or m.group("u3")
        currency = _currency_in(m.group(0))
        yield UnitHeader(UNIT_MULTIPLIERS[unit], currency, m.start(), m.end())


# --- units printed with a row label ----------------------------------------------------

# What may follow a metric's label in a table row: a footnote mark, then a unit in brackets
# (营业收入(元), 基本每股收益(元/股), 每股基本盈利(人民币分), Revenue (HK$)).
LABEL_UNIT_SUFFIX = (
    r"(?:\(\d\))?(?:\s?\((?:元|万元|千元|百万元|元/股|%|人民币元|人民币千元|人民币百万元"
    r"|人民币分|人民幣分|港仙|(?:HK|RMB|US) ?cents|cents|HK\$|RMB|US\$)\))?"
)
_LABEL_UNIT = re.compile(
    r"\((?:以每股)?(?:人民币|人民幣|港|港币|港幣|HK ?|RMB ?|US ?)?("
    + alternation((*CENT_WORDS, *_YUAN))
    + r")(?:列示)?\)\s*$"
)


def label_unit(label: str) -> Decimal | None:
    """The unit printed with a row label itself (营业收入(元), 研发投入金额(万元), EPS in
    分 or 港仙); None when the label carries none."""
    m = _LABEL_UNIT.search(label)
    return _BY_WORD[m.group(1)].multiplier if m else None

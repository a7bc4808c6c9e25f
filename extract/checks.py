"""Every figure says whether the filing's own arithmetic confirms it.

A filing prints the same quantities several times and in relations to each other. Each
identity of ``vocab/checks.yaml`` that can be evaluated on a record marks the figures it
involves ``confirmed`` (it holds) or ``conflict`` (it fails); a conflict is also a warning
naming the figures and their quotes. A figure in conflict under one identity is in conflict,
whatever others say. Tolerances come from each figure's printed precision: half a unit of its
last printed digit, in base units (``53.33亿元`` is exact to 50万元, ``1.18`` to 0.005).
Inequalities (basic EPS ≥ diluted EPS, low ≤ high) can only fail.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any, Literal

from .backends.rules.table_metrics import quarter_figures, table_candidates
from .core.schema import METRICS, SECTION_NAMES, Record
from .core.spans import Found
from .load.document import Document
from .vocab import load_vocab

Status = Literal["confirmed", "conflict"]

_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
# Slack for float arithmetic on top of the printed precision.
_EPSILON = Decimal("0.000001")


@cache
def _vocab() -> dict[str, Any]:
    return load_vocab("checks")


@dataclass(frozen=True)
class Figure:
    """A figure of the record: its value, how precisely it was printed, and its quote."""

    path: str
    value: Decimal
    precision: Decimal  # half a unit of the last printed digit, in base units
    quote: str = ""
    start: int | None = None  # where the quote is in the original text


@dataclass(frozen=True)
class Conflict:
    """An identity that fails: what it states, in words, and the figures it involves (the
    record's, and any the document prints elsewhere, such as the four quarters)."""

    identity: str
    figures: tuple[Figure, ...]

    def record_paths(self) -> list[str]:
        """The record's field paths among the figures (``section.field``)."""
        return [f.path for f in self.figures if f.path.split(".", 1)[0] in SECTION_NAMES]


@dataclass
class Checks:
    """Statuses by field path, the warnings of the identities that failed, and those
    identities as data (:class:`Conflict`)."""

    status: dict[str, Status] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)

    def confirm(self, figures: Iterable[Figure]) -> None:
        for figure in figures:
            self.status.setdefault(figure.path, "confirmed")

    def conflict(self, figures: Sequence[Figure], why: str, identity: str) -> None:
        for figure in figures:
            self.status[figure.path] = "conflict"
        named = "; ".join(f"{f.path} {_show(f.value)} ({f.quote!r})" for f in figures)
        self.warnings.append(f"checks: {why}: {named}")
        self.conflicts.append(Conflict(identity, tuple(figures)))

    def verdict(self, holds: bool, figures: Sequence[Figure], why: str, identity: str) -> None:
        if holds:
            self.confirm(figures)
        else:
            self.conflict(figures, why, identity)

    def failing(self) -> set[str]:
        """The identities that fail."""
        return {c.identity for c in self.conflicts}


def printed_precision(value: Decimal, quote: str) -> Decimal:
    """Half a unit of the last digit ``quote`` prints for ``value``, in base units.

    The printed number times its unit is the value, so the unit (1, 10,000 for 万元, 0.01
    for cents…) is the ratio of the two, and one unit of the last printed digit is the unit
    times 10^-decimals. Where no printed number fits (columns run together, ``467,049413,713``),
    the value's digits are looked for inside the quote; failing that, the value's own last
    decimal counts.
    """
    return _from_numbers(value, quote) or _from_digits(value, quote) or _own_decimals(value)


def _from_numbers(value: Decimal, quote: str) -> Decimal | None:
    best: Decimal | None = None
    for text in _NUMBER.findall(quote):
        digits = text.replace(",", "")
        try:
            printed = Decimal(digits)
        except InvalidOperation:
            continue
        if printed == 0 or value == 0:
            continue
        unit = _power_of_ten(abs(value) / printed)
        if unit is None:
            continue
        decimals = len(digits.split(".")[1]) if "." in digits else 0
        step = unit * Decimal(1).scaleb(-decimals) / 2
        best = step if best is None else min(best, step)
    return best


def _from_digits(value: Decimal, quote: str) -> Decimal | None:
    digits = quote.replace(",", "").replace(" ", "")
    for exponent in range(-2, 10):
        unit = Decimal(10) ** exponent
        printed = format(abs(value / unit).normalize(), "f")
        if printed != "0" and printed in digits:
            decimals = len(printed.split(".")[1]) if "." in printed else 0
            return unit * Decimal(1).scaleb(-decimals) / 2
    return None


def _own_decimals(value: Decimal) -> Decimal:
    exponent = value.normalize().as_tuple().exponent
    decimals = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return Decimal(1).scaleb(-decimals) / 2


def _power_of_ten(ratio: Decimal) -> Decimal | None:
    """The power of ten ``ratio`` is, allowing for the printed rounding; None if none."""
    for exponent in range(-2, 10):
        unit = Decimal(10) ** exponent
        if abs(ratio - unit) <= unit * Decimal("0.01"):
            return unit
    return None


def _show(value: Decimal) -> str:
    return format(value.normalize(), "f")


# --- the record's figures ----------------------------------------------------------------


def record_figures(record: Record) -> dict[str, Figure]:
    """The record's numeric fields as figures, with the precision their quotes print."""
    figures: dict[str, Figure] = {}
    for path, value in record.flat_fields().items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            continue
        number = Decimal(str(value))
        evidence = record.evidence.get(path)
        quote, start = (evidence.quote, evidence.start) if evidence else ("", None)
        figures[path] = Figure(path, number, printed_precision(number, quote), quote, start)
    return figures


def figure_of(doc: Document, path: str, found: Found) -> Figure:
    """A figure another table of the document prints, with its own quote."""
    start, end = doc.original_span(found.start, found.end)
    quote = doc.original[start:end]
    number = Decimal(str(found.value))
    return Figure(path, number, printed_precision(number, quote), quote, start)


@dataclass(frozen=True)
class Printed:
    """What a document's tables print besides the record's quotes: each metric's value or
    prior printed again, and the four quarters. Read once per document (it costs seconds on
    an annual report), however often its record is checked."""

    elsewhere: Mapping[str, list[Figure]]
    quarters: Mapping[str, list[Figure]]


def printed_in(doc: Document) -> Printed:
    """The figures ``doc`` prints elsewhere (none without tables)."""
    if not doc.tables:
        return Printed({}, {})
    return Printed(_elsewhere(doc), _quarter_parts(doc))


def check_record(
    record: Record, doc: Document | None = None, *, printed: Printed | None = None
) -> Checks:
    """Statuses for every field of ``record`` that at least one identity covers.

    With the ``doc`` the record was read from (or what it prints, ``printed``), figures it
    prints elsewhere (another table, the four quarters) are checked against the record's too.
    """
    figures = record_figures(record)
    checks = Checks()
    _changes(checks, figures)
    _sums(checks, figures)
    _products(checks, figures)
    _between(checks, figures)
    _at_least(checks, figures)
    if printed is None and doc is not None:
        printed = printed_in(doc)
    if printed is not None:
        _printed_again(checks, figures, printed.elsewhere)
        _quarters(checks, figures, printed.quarters)
    return checks


def _expand(template: str, parts: Sequence[str] | None) -> list[dict[str, str]]:
    """The substitutions a templated identity stands for: each part, or each metric."""
    if "{metric}" in template:
        return [{"metric": metric} for metric in METRICS]
    return [{"part": part} for part in parts] if parts else [{}]


def _paths(spec: Mapping[str, Any], keys: Sequence[str]) -> list[dict[str, Any]]:
    """Each instance of an identity: its keys with the templates filled in."""
    template = " ".join(str(spec[k]) for k in keys)
    instances = []
    for substitution in _expand(template, spec.get("parts")):
        instance: dict[str, Any] = {}
        for key in keys:
            value = spec[key]
            if isinstance(value, list):
                instance[key] = [v.format(**substitution) for v in value]
            else:
                instance[key] = str(value).format(**substitution)
        instances.append(instance)
    return instances


def _changes(checks: Checks, figures: Mapping[str, Figure]) -> None:
    spec = _vocab()["changes"]
    for paths in _paths(spec, ("value", "prior", "percent", "points")):
        value, prior = figures.get(paths["value"]), figures.get(paths["prior"])
        if value is None or prior is None:
            continue
        if (change := figures.get(paths["percent"])) is not None and prior.value != 0:
            actual = (value.value - prior.value) / abs(prior.value) * 100
            spread = (value.precision + abs(value.value / prior.value) * prior.precision) * 100
            tolerance = change.precision + spread / abs(prior.value) + _EPSILON
            holds = abs(actual - change.value) <= tolerance
            identity = f"{change.path} = ({value.path} − {prior.path}) / |{prior.path}| × 100"
            checks.verdict(holds, (value, prior, change), "the change does not follow", identity)
        if (change := figures.get(paths["points"])) is not None:
            tolerance = change.precision + value.precision + prior.precision + _EPSILON
            holds = abs(value.value - prior.value - change.value) <= tolerance
            identity = f"{change.path} = {value.path} − {prior.path} (in percentage points)"
            why = "the change in points does not follow"
            checks.verdict(holds, (value, prior, change), why, identity)


def _sums(checks: Checks, figures: Mapping[str, Figure]) -> None:
    for spec in _vocab()["sums"]:
        for paths in _paths(spec, ("total", "terms")):
            total = figures.get(paths["total"])
            terms = [(t.startswith("-"), figures.get(t.lstrip("-"))) for t in paths["terms"]]
            if total is None or any(f is None for _, f in terms):
                continue
            parts = [f for _, f in terms if f is not None]
            summed = sum((-f.value if minus else f.value for minus, f in terms if f), Decimal(0))
            tolerance = total.precision + sum((f.precision for f in parts), Decimal(0))
            holds = abs(summed - total.value) <= tolerance + _EPSILON
            terms_text = " ".join(
                f"{'−' if minus else '+'} {path.lstrip('-')}"
                for path, (minus, _) in zip(paths["terms"], terms, strict=True)
            ).removeprefix("+ ")
            identity = f"{total.path} = {terms_text}"
            why = f"{paths['total']} is not the sum of its terms"
            checks.verdict(holds, (total, *parts), why, identity)


def _products(checks: Checks, figures: Mapping[str, Figure]) -> None:
    for spec in _vocab()["products"]:
        total = figures.get(spec["total"])
        factors = [figures.get(path) for path in spec["factors"]]
        if total is None or any(f is None for f in factors):
            continue
        a, b = (f for f in factors if f is not None)
        divisor = Decimal(spec["divisor"])
        expected = a.value * b.value / divisor
        tolerance = total.precision + (a.precision * abs(b.value) + b.precision * abs(a.value))
        holds = abs(expected - total.value) <= tolerance / divisor + total.precision + _EPSILON
        identity = f"{total.path} = {a.path} × {b.path} / {spec['divisor']}"
        why = f"{spec['total']} is not the product it states"
        checks.verdict(holds, (total, a, b), why, identity)


def _between(checks: Checks, figures: Mapping[str, Figure]) -> None:
    for spec in _vocab()["between"]:
        found = [figures.get(spec[k]) for k in ("amount", "count", "low", "high")]
        if any(f is None for f in found):
            continue
        amount, count, low, high = (f for f in found if f is not None)
        slack = 1 + Decimal(spec["slack_pct"]) / 100
        lowest = count.value * (low.value - low.precision) - amount.precision
        highest = count.value * (high.value + high.precision) * slack + amount.precision
        holds = lowest <= amount.value <= highest
        identity = (
            f"{count.path} × {low.path} ≤ {amount.path} ≤ {count.path} × {high.path} "
            f"(up to {spec['slack_pct']}% more for fees)"
        )
        why = f"{spec['amount']} is out of range"
        checks.verdict(holds, (amount, count, low, high), why, identity)


def _at_least(checks: Checks, figures: Mapping[str, Figure]) -> None:
    for spec in _vocab()["at_least"]:
        keys = ("larger", "smaller", *(("when_positive",) if "when_positive" in spec else ()))
        for paths in _paths(spec, keys):
            larger, smaller = figures.get(paths["larger"]), figures.get(paths["smaller"])
            if larger is None or smaller is None:
                continue
            condition = figures.get(paths.get("when_positive", ""))
            if "when_positive" in paths and (condition is None or condition.value <= 0):
                continue
            if larger.value + larger.precision + smaller.precision < smaller.value:
                why = f"{paths['larger']} is below {paths['smaller']}"
                checks.conflict((larger, smaller), why, f"{larger.path} ≥ {smaller.path}")


def _elsewhere(doc: Document) -> dict[str, list[Figure]]:
    """Every figure the document's tables print for a metric's value or prior, by path."""
    wanted = set(_vocab()["printed_again"])
    printed: dict[str, list[Figure]] = {}
    for candidate in table_candidates(doc):
        if candidate.metric not in wanted:
            continue
        for part in ("value", "prior"):
            if part in candidate.fields:
                path = f"financials.{candidate.metric}.{part}"
                printed.setdefault(path, []).append(figure_of(doc, path, candidate.fields[part]))
    return printed


def _printed_again(
    checks: Checks, figures: Mapping[str, Figure], printed: Mapping[str, list[Figure]]
) -> None:
    """Confirmed when another place than its quote prints the record's figure again."""
    for path, others in printed.items():
        mine = figures.get(path)
        if mine is None:
            continue
        if any(
            other.start != mine.start
            and abs(other.value - mine.value) <= other.precision + mine.precision + _EPSILON
            for other in others
        ):
            checks.confirm((mine,))


def _quarter_parts(doc: Document) -> dict[str, list[Figure]]:
    """metric → the four quarters the document prints for it (the metrics checked)."""
    wanted = set(_vocab()["quarters"])
    return {
        metric: [figure_of(doc, f"quarter of {metric}", f) for f in found]
        for metric, found in quarter_figures(doc).items()
        if metric in wanted
    }


def _quarters(
    checks: Checks, figures: Mapping[str, Figure], quarters: Mapping[str, list[Figure]]
) -> None:
    for metric, parts in quarters.items():
        year = figures.get(f"financials.{metric}.value")
        if year is None:
            continue
        summed = sum((p.value for p in parts), Decimal(0))
        tolerance = year.precision + sum((p.precision for p in parts), Decimal(0)) + _EPSILON
        if abs(summed - year.value) <= tolerance:
            checks.confirm((year,))
        else:
            why = f"the four quarters of {metric} do not add up"
            identity = f"{year.path} = the sum of the four quarters printed for {metric}"
            checks.conflict((year, *parts), why, identity)

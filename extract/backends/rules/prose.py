"""Figures stated in sentences: ``实现营业收入53.33亿元,同比增长1.18%``.

Prose is the least authoritative source: it fills only metrics no table states. A money
figure needs its unit word (亿元, 万元, 元) so that stray numbers are never taken.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import cache
from typing import Any

from ...core.numbers import (
    NUMBER_PATTERN,
    change_consistent,
    normalise_decimal,
    parse_number,
)
from ...core.schema import METRIC_KINDS, MetricKind
from ...core.spans import Found
from ...core.units import AMOUNT_CURRENCIES, YUAN_OR_HKD_PATTERN, YUAN_PATTERN, unit_multiplier
from ...vocab import load_vocab, spaced

_MONEY_UNIT = YUAN_PATTERN
# ranges also come from HKEX profit warnings (虧損介乎約60百萬港元至70百萬港元)
_RANGE_UNIT = YUAN_OR_HKD_PATTERN


@cache
def _vocab() -> dict[str, Any]:
    return load_vocab("financials")


@cache
def _metric_patterns() -> list[tuple[str, MetricKind, re.Pattern[str]]]:
    prose = _vocab()["prose"]
    change = (
        rf"(?:{prose['change_lead']}(?P<dir>{prose['change_up']}|{prose['change_down']})"
        rf"(?P<chg>{NUMBER_PATTERN})(?P<chgunit>%|个百分点))?"
    )
    patterns: list[tuple[str, MetricKind, re.Pattern[str]]] = []
    for metric, spec in _vocab()["metrics"].items():
        kind = METRIC_KINDS[metric]
        if kind == MetricKind.per_share or metric == "non_recurring_total":
            continue
        unit = f"(?P<unit>{_MONEY_UNIT})" if kind == MetricKind.money else "(?P<unit>%)"
        amount = rf"(?P<num>{NUMBER_PATTERN})\s?{unit}"
        # one pattern per label, in the vocabulary's order of preference
        for label in spec.get("prose_labels", spec["labels"]):
            patterns.append(
                (metric, kind, re.compile(rf"(?:{label}){prose['link']}{amount}{change}"))
            )
    return patterns


@cache
def _range_patterns() -> list[tuple[str, re.Pattern[str]]]:
    prose = _vocab()["prose"]
    amount = rf"(?:{NUMBER_PATTERN})"
    patterns = []
    for metric in prose["range_metrics"]:
        spec = _vocab()["metrics"][metric]
        labels = "|".join(
            [*(spec.get("prose_labels") or spec["labels"]), *prose["range_labels"].get(metric, [])]
        )
        loss = f"(?P<loss>{prose['loss_words']})?{prose['range_lead']}"
        patterns.append(
            (
                metric,
                re.compile(
                    rf"(?:{labels}){prose['range_link']}{loss}"
                    rf"(?P<low>{amount})\s?(?P<lowunit>{_RANGE_UNIT})?\s?"
                    rf"(?:{prose['range_separator']})\s?(?:{prose['loss_words']})?:?[约約]?"
                    rf"(?P<high>{amount})\s?(?P<unit>{_RANGE_UNIT})"
                ),
            )
        )
    for metric, pattern in prose.get("english_ranges", {}).items():
        regex = spaced(pattern).replace("{LOW}", f"(?P<low>{amount})")
        patterns.append((metric, re.compile(regex.replace("{HIGH}", f"(?P<high>{amount})"))))
    return patterns


@cache
def _paired_patterns() -> list[tuple[str, re.Pattern[str]]]:
    paired = _vocab()["prose"]["paired_years"]
    amount = rf"(?:{NUMBER_PATTERN})"
    currency = f"(?:{'|'.join(AMOUNT_CURRENCIES)})?"
    figure = rf"[约約]?{currency}(?P<NAME>{amount})\s?(?P<NAMEunit>{_RANGE_UNIT})"
    return [
        (
            metric,
            re.compile(
                paired["lead"]
                + rf"(?:{'|'.join(labels)})(?:分别|分別)?[约約]?为?"
                + figure.replace("NAME", "first")
                + "及"
                + figure.replace("NAME", "second")
            ),
        )
        for metric, labels in paired["labels"].items()
    ]


def paired_years(text: str) -> dict[str, Found]:
    """Two periods' figures in one sentence (分别为…及…): the later year's is the value."""
    found: dict[str, Found] = {}
    for metric, pattern in _paired_patterns():
        m = pattern.search(text)
        if not m or m.group("y1") == m.group("y2"):
            continue
        figures: list[Found] = []
        for name in ("first", "second"):
            number = parse_number(m.group(name))
            if number is None:
                break
            amount = number * unit_multiplier(m.group(name + "unit"))
            figures.append(
                Found(float(normalise_decimal(amount)), m.start(name), m.end(name + "unit"))
            )
        if len(figures) != 2:
            continue
        later_first = int(m.group("y1")) > int(m.group("y2"))
        current, comparative = figures if later_first else figures[::-1]
        found[f"{metric}.value"], found[f"{metric}.prior"] = current, comparative
    return found


def prose_ranges(text: str) -> dict[str, Found]:
    """Figures stated only as a range (业绩预告): ``low`` and ``high``, a loss negative."""
    found: dict[str, Found] = {}
    for metric, pattern in _range_patterns():
        m = None if f"{metric}.low" in found else pattern.search(text)
        if not m:
            continue
        first, second = parse_number(m.group("low")), parse_number(m.group("high"))
        if first is None or second is None:
            continue
        low_unit = unit_multiplier(m.group("lowunit") or m.group("unit"))
        bounds = sorted([first * low_unit, second * unit_multiplier(m.group("unit"))])
        if m.group("loss"):
            bounds = sorted(-b for b in bounds)
        span = (m.start("low"), m.end("unit"))
        found[f"{metric}.low"] = Found(float(normalise_decimal(bounds[0])), *span)
        found[f"{metric}.high"] = Found(float(normalise_decimal(bounds[1])), *span)
    return found


# How far after a metric's name its change may be printed (same sentence).
_CHANGE_REACH = 80


def prose_metrics(text: str) -> dict[str, Found]:
    """The first prose statement of each metric: value and change, with spans."""
    found: dict[str, Found] = dict(prose_ranges(text)) | paired_years(text)
    ranged = {path.split(".")[0] for path in found}
    for metric, kind, pattern in _metric_patterns():
        if f"{metric}.value" in found or metric in ranged:
            continue
        m = pattern.search(text)
        if not m:
            continue
        number = parse_number(m.group("num"))
        if number is None:
            continue
        value = number * unit_multiplier(m.group("unit")) if kind == "money" else number
        found[f"{metric}.value"] = Found(
            float(normalise_decimal(value)), m.start("num"), m.end("unit")
        )
        if m.group("chg"):
            change = _signed(parse_number(m.group("chg")), m.group("dir"))
            part = "change_pp" if m.group("chgunit") == "个百分点" else "change_pct"
            if change is not None:
                found[f"{metric}.{part}"] = Found(float(change), m.start("dir"), m.end("chgunit"))
    return found


def confirmed_changes(text: str, figures: dict[str, tuple[Decimal, Decimal]]) -> dict[str, Found]:
    """Changes the tables do not print, from a sentence naming the metric (``净利润…较上年
    增加86.52亿元,增长16.52%``), kept only when the table's value and prior give that
    change at its printed precision. ``figures``: metric → (value, prior)."""
    prose = _vocab()["prose"]
    change = re.compile(
        rf"(?P<dir>{prose['change_up']}|{prose['change_down']})(?P<chg>\d+(?:\.\d+)?)%"
    )
    found: dict[str, Found] = {}
    for metric, (value, prior) in figures.items():
        spec = _vocab()["metrics"][metric]
        for label in spec.get("change_labels", spec["labels"]):
            hit = _confirmed_after(re.compile(spaced(label)), change, text, value, prior)
            if hit is not None:
                found[f"{metric}.change_pct"] = hit
                break
    return found


def _confirmed_after(
    label: re.Pattern[str], change: re.Pattern[str], text: str, value: Decimal, prior: Decimal
) -> Found | None:
    for m in label.finditer(text):
        end = min(len(text), m.end() + _CHANGE_REACH)
        stop = re.search("[。;\n]", text[m.end() : end])
        sentence_end = m.end() + stop.start() if stop else end
        for c in change.finditer(text, m.end(), sentence_end):
            signed = _signed(parse_number(c.group("chg")), c.group("dir"))
            if signed is not None and change_consistent(value, prior, signed):
                return Found(float(signed), c.start("dir"), c.end())
    return None


def _signed(value: Decimal | None, direction: str) -> Decimal | None:
    if value is None:
        return None
    down = re.fullmatch(_vocab()["prose"]["change_down"], direction)
    return -abs(value) if down else value

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
    share_consistent,
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


def _range_labels(metric: str) -> list[str]:
    prose = _vocab()["prose"]
    spec = _vocab()["metrics"][metric]
    return [*(spec.get("prose_labels") or spec["labels"]), *prose["range_labels"].get(metric, [])]


def _range_unit(metric: str) -> str:
    """Money ranges carry a money unit; per-share ranges 元/股 (read as printed)."""
    if METRIC_KINDS[metric] == MetricKind.per_share:
        return str(_vocab()["prose"]["per_share_range_unit"])
    return _RANGE_UNIT


@cache
def _range_patterns() -> list[tuple[str, re.Pattern[str]]]:
    prose = _vocab()["prose"]
    amount = rf"(?:{NUMBER_PATTERN})"
    patterns = []
    for metric in prose["range_metrics"]:
        labels = "|".join(_range_labels(metric))
        unit = _range_unit(metric)
        loss = f"(?P<loss>{prose['loss_words']})?{prose['range_lead']}"
        patterns.append(
            (
                metric,
                re.compile(
                    rf"(?:{labels}){prose['range_link']}{loss}"
                    rf"(?P<low>{amount})\s?(?P<lowunit>{unit})?\s?"
                    rf"(?:{prose['range_separator']})\s?(?:{prose['loss_words']})?:?[约約]?"
                    rf"(?P<high>{amount})\s?(?P<unit>{unit})"
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
        if m:
            found.update(_bounds(metric, m))
    for metric, m in _split_label_rows(text):
        if f"{metric}.low" not in found:
            found.update(_bounds(metric, m))
    return found


def _bounds(metric: str, m: re.Match[str]) -> dict[str, Found]:
    """``low`` and ``high`` of a range match, in base units, ordered, negative for a loss."""
    first, second = parse_number(m.group("low")), parse_number(m.group("high"))
    if first is None or second is None:
        return {}
    low_unit = unit_multiplier(m.group("lowunit") or m.group("unit"))
    bounds = sorted([first * low_unit, second * unit_multiplier(m.group("unit"))])
    if m.group("loss"):
        bounds = sorted(-b for b in bounds)
    span = (m.start("low"), m.end("unit"))
    return {
        f"{metric}.low": Found(float(normalise_decimal(bounds[0])), *span),
        f"{metric}.high": Found(float(normalise_decimal(bounds[1])), *span),
    }


@cache
def _split_label_row() -> re.Pattern[str]:
    prose = _vocab()["prose"]
    regex = (
        prose["split_label_row"]
        .replace("{LOSS}", f"(?:{prose['loss_words']})")
        .replace("{AMOUNT}", f"(?:{NUMBER_PATTERN})")
        .replace("{UNIT}", f"(?:{_RANGE_UNIT})")
        .replace("{SEPARATOR}", f"(?:{prose['range_separator']})")
    )
    return re.compile(regex)


@cache
def _range_hint() -> re.Pattern[str]:
    """Two figures around a range separator: where a split-label row may be."""
    prose = _vocab()["prose"]
    # every money unit ends in 元; between bare figures, a separator that is no hyphen
    return re.compile(rf"元\s?(?:{prose['range_separator']})|\d\s?(?:至|到|–|—|~|～)\s?\d")


# How far before and after its range separator a split-label row is looked for.
_ROW_BEFORE, _ROW_AFTER = 80, 120


def _split_label_rows(text: str) -> list[tuple[str, re.Match[str]]]:
    """Table rows whose label pdftotext broke around the figures, with the metric whose
    label the end of ``head`` and the start of ``tail`` make. Only the surroundings of a
    range separator are searched (a long report has few)."""
    rows = []
    done = 0
    for hint in _range_hint().finditer(text):
        if hint.start() < done:
            continue
        start = max(done, hint.start() - _ROW_BEFORE)
        m = _split_label_row().search(text, start, min(len(text), hint.end() + _ROW_AFTER))
        if m is None or m.start("low") > hint.end():
            continue
        metric = _split_label_metric(m.group("head"), m.group("tail"))
        if metric is not None:
            rows.append((metric, m))
        done = m.start("tail")
    return rows


def _split_label_metric(head: str, tail: str) -> str | None:
    money = [
        str(m) for m in _vocab()["prose"]["range_metrics"] if METRIC_KINDS[m] == MetricKind.money
    ]
    for start in range(len(head) - 1, -1, -1):
        for end in range(1, len(tail) + 1):
            label = head[start:] + tail[:end]
            for metric in money:
                if any(re.fullmatch(p, label) for p in _range_labels(metric)):
                    return metric
    return None


# How far after a metric's name its change may be printed (same sentence).
_CHANGE_REACH = 80


def prose_metrics(text: str) -> dict[str, Found]:
    """The first prose statement of each metric: value and change, with spans.

    A text that states its figures as ranges is a forecast (业绩预告): its single figures are
    last year's (二、上年同期经营业绩…: 归属于母公司所有者的净利润:3,000万元) or parts of
    one (非经常性损益的影响金额约为600万元), never the period's, so none is read.
    """
    ranges = prose_ranges(text)
    if ranges:
        return ranges
    found: dict[str, Found] = dict(paired_years(text))
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
    增加86.52亿元,增长16.52%``; ``毛利…增加約人民幣400,865,000元或28%``), kept only when the
    table's value and prior give that change at its printed precision. ``figures``: metric →
    (value, prior)."""
    prose = _vocab()["prose"]
    change = re.compile(
        rf"(?P<dir>{prose['change_up']}|{prose['change_down']})"
        rf"(?:{prose['change_by_amount']})?(?P<chg>\d+(?:\.\d+)?)%"
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


def confirmed_rd_ratio(text: str, rd: Decimal, revenue: Decimal) -> Found | None:
    """The R&D ratio a sentence states (``研发投入2.86亿元,占营业收入比例8.96%``), kept only when
    the R&D spending and revenue read give it at its printed precision."""
    for m in re.finditer(_vocab()["prose"]["rd_ratio_sentence"], text):
        ratio = parse_number(m.group("num"))
        if ratio is not None and share_consistent(rd, revenue, ratio):
            return Found(float(ratio), m.start("num"), m.end())
    return None


def _confirmed_after(
    label: re.Pattern[str], change: re.Pattern[str], text: str, value: Decimal, prior: Decimal
) -> Found | None:
    for m in label.finditer(text):
        end = min(len(text), m.end() + _CHANGE_REACH)
        stop = re.search("[。;\n]", text[m.end() : end])
        sentence_end = m.end() + stop.start() if stop else end
        # the change's word stands in the label's sentence; its amount may wrap onto the
        # next line (…增加約人民幣19,549,000\n元或1%)
        for c in change.finditer(text, m.end(), end):
            if c.start() >= sentence_end:
                break
            signed = _signed(parse_number(c.group("chg")), c.group("dir"))
            if signed is not None and change_consistent(value, prior, signed):
                return Found(float(signed), c.start("dir"), c.end())
    return None


def _signed(value: Decimal | None, direction: str) -> Decimal | None:
    if value is None:
        return None
    down = re.fullmatch(_vocab()["prose"]["change_down"], direction)
    return -abs(value) if down else value

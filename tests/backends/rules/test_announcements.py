"""Announcements in the exchanges' own formats, read field by field.

Each fixture in ``announcements/`` is a notice written in an SSE / SZSE / BSE / HKEX
announcement format (an invented company, invented figures), with a gold file in the format
of ``eval/gold`` listing the fields it states. Every stated field of the sections the rules
read must come out as labelled (compared as ``extract eval`` compares), and every other
field of those sections must be null. ``extract eval --gold tests/backends/rules/announcements
--docs tests/backends/rules/announcements`` scores the same files.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from extract.config import Settings
from extract.evaluation.fields import FIELD_KINDS, FIELD_PATHS, section_of, values_match
from extract.evaluation.gold import GoldDoc, load_gold_dir
from extract.pipeline import extract_file

FIXTURES = Path(__file__).parent / "announcements"
GOLDS = {gold.name: gold for gold in load_gold_dir(FIXTURES)}
# the announcement types of the contract, each with its fixtures (<type>_<n>.txt)
TYPES = (
    "buyback_plan",
    "buyback_first",
    "buyback_progress",
    "buyback_threshold",
    "buyback_result",
    "dividend_plan",
    "dividend_implementation",
    "incentive_grant",
    "incentive_vesting",
    "incentive_unlocking",
    "incentive_cancellation",
    "results_forecast",
    "results_flash",
)
CHECKED_SECTIONS = ("financials", "dividend", "buyback", "incentive")

# Fixtures the rules cannot read yet, and why (strict: the test fails once they can).
KNOWN: dict[str, str] = {}  # fixture name → why its stated fields do not come out yet


def _type_of(name: str) -> str:
    return re.sub(r"_\d+$", "", name)


def _fixtures() -> list[GoldDoc]:
    return [gold for name, gold in sorted(GOLDS.items()) if _type_of(name) in TYPES]


@cache
def predicted(name: str) -> dict[str, Any]:
    """The record's contract fields, as ``extract --backend rules`` prints them."""
    record = extract_file(FIXTURES / GOLDS[name].document, Settings(backend="rules"))
    return record.flat_fields()


def _marks(name: str) -> list[pytest.MarkDecorator]:
    return [pytest.mark.xfail(strict=True, reason=KNOWN[name])] if name in KNOWN else []


def _stated() -> list[Any]:
    return [
        pytest.param(gold.name, path, id=f"{gold.name}-{path}", marks=_marks(gold.name))
        for gold in _fixtures()
        for path, field in gold.fields.items()
        if field.value is not None
        and (section_of(path) in CHECKED_SECTIONS or path == "filing.document_type")
    ]


@pytest.mark.parametrize(("name", "path"), _stated())
def test_stated_field_comes_out(name: str, path: str) -> None:
    entry = GOLDS[name].fields[path]
    got = predicted(name)[path]
    assert got is not None, f"{path}: not read (want {entry.value!r})"
    assert values_match(FIELD_KINDS[path], entry.value, got, entry.tolerance), (got, entry.value)


@pytest.mark.parametrize("name", [g.name for g in _fixtures()])
def test_fields_not_stated_are_null(name: str) -> None:
    gold = GOLDS[name]
    unstated = [
        p for p in FIELD_PATHS if section_of(p) in CHECKED_SECTIONS and gold.value(p) is None
    ]
    assert {p: predicted(name)[p] for p in unstated if predicted(name)[p] is not None} == {}


def test_every_type_has_five_fixtures_or_more() -> None:
    counts = Counter(_type_of(name) for name in GOLDS)
    assert {t: counts[t] for t in TYPES if counts[t] < 5} == {}


@pytest.mark.parametrize("name", sorted(GOLDS))
def test_quotes_are_verbatim(name: str) -> None:
    gold = GOLDS[name]
    text = (FIXTURES / gold.document).read_text(encoding="utf-8")
    missing = {p: f.quote for p, f in gold.fields.items() if f.quote and f.quote not in text}
    assert missing == {}

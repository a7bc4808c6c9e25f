"""Equity incentive vesting or grant: plan, tranche, prices, shares, people, conditions."""

from __future__ import annotations

import re

from ...core.numbers import parse_number
from ...core.spans import Found
from ...load.document import Document
from ...vocab import load_vocab
from ..base import SectionResult
from .sentences import extract_by_vocab

# the fields that make a section worth reporting: a plan alone is only a mention
_SUBSTANTIVE = (
    "grant_price",
    "shares_vesting",
    "participants_vesting",
    "grant_date",
    "shares_forfeited",
)


def extract_incentive(doc: Document) -> SectionResult:
    vocab = load_vocab("incentive")
    result = extract_by_vocab(doc.text, vocab)
    tranche = result.fields.get("tranche")
    if tranche is not None and re.match(vocab["tranche_joined"], doc.text[tranche.end :]):
        # 首次授予部分第二个归属期及预留授予部分第一个归属期: no one tranche is the round's
        result.warnings.append(f"tranche: {tranche.value} is named with another; not kept")
        del result.fields["tranche"]
        tranche = None
    if tranche is not None:
        _performance_row(doc.text, vocab["performance_row"], tranche.value, result)
    result.applies = any(k in result.fields for k in _SUBSTANTIVE)
    return result


def _performance_row(text: str, row_pattern: str, tranche: str, result: SectionResult) -> None:
    """Target and trigger growth for the tranche's period, from the assessment table."""
    period = re.search(r"第[一二三四五]个(?:归属期|解除限售期|行权期)", tranche)
    if not period:
        return
    m = re.search(row_pattern.replace("{tranche}", re.escape(period.group(0))), text)
    if not m:
        return
    for name in ("target", "trigger"):
        value = parse_number(m.group(name))
        if value is not None:
            result.fields[f"performance_{name}"] = Found(float(value), m.start(name), m.end(name))

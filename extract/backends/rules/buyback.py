"""Share repurchase progress: shares bought, prices, money paid, as of when."""

from __future__ import annotations

import re

from ...core.numbers import split_run_together
from ...core.spans import Found
from ...load.document import Document
from ...vocab import load_vocab
from ..base import SectionResult
from .sentences import extract_by_vocab


def extract_buyback(doc: Document) -> SectionResult:
    vocab = load_vocab("buyback")
    result = extract_by_vocab(doc.text, vocab)
    fields = result.fields
    if "price_high" not in fields and "shares_repurchased" in fields and "amount_paid" in fields:
        _prices_from_total_row(doc.text, vocab["price_total_row"], result)
    if (
        "price_high" in fields
        and "price_low" in fields
        and fields["price_low"].value > fields["price_high"].value
    ):
        result.warnings.append("price_low is above price_high; check the filing")
    # a plan range without any progress figure is a plan announcement's, not progress
    result.applies = any(k in fields for k in ("shares_repurchased", "amount_paid"))
    return result


def _prices_from_total_row(text: str, row_pattern: str, result: SectionResult) -> None:
    """Highest and lowest price from a run-together total row, when the split is unique."""
    shares = f"{result.fields['shares_repurchased'].value:,}"
    total = result.fields["amount_paid"].value
    total_text = f"{total:,.2f}".removesuffix(".00")
    pattern = row_pattern.replace("{shares}", re.escape(shares)).replace(
        "{total}", re.escape(total_text)
    )
    m = re.search(pattern, text)
    if not m:
        return
    splits = [
        s
        for s in split_run_together(m.group("prices"), 2)
        if any(n != n.to_integral_value() for n in s)
    ]
    if len(splits) != 1:
        result.warnings.append(f"cannot split prices {m.group('prices')!r} unambiguously")
        return
    high, low = max(splits[0]), min(splits[0])
    start, end = m.start("prices"), m.end("prices")
    result.fields["price_high"] = Found(float(high), start, end)
    result.fields["price_low"] = Found(float(low), start, end)

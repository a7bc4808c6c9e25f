"""Share repurchase progress: shares bought, prices, money paid, as of when."""

from __future__ import annotations

from ...document import Document
from ...vocab import load_vocab
from ..base import SectionResult
from .sentences import extract_by_vocab


def extract_buyback(doc: Document) -> SectionResult:
    result = extract_by_vocab(doc.text, load_vocab("buyback"))
    fields = result.fields
    if "price_high" in fields and "price_low" in fields and fields["price_low"].value > fields["price_high"].value:
        result.warnings.append("price_low is above price_high; check the filing")
    # a plan range without any progress figure is a plan announcement's, not progress
    result.applies = any(k in fields for k in ("shares_repurchased", "amount_paid"))
    return result

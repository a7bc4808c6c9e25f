"""The same filing as a PDF and as its pdftotext rendering gives the same record.

The text rendering may lose fields (pdftotext prints some tables as a block of labels and a
block of numbers, which the rules refuse to pair), and where it keeps only a rounded prose
statement of a figure (``92,515.85万元``) that figure must agree at its own precision. It may
never give a different value.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from shared_files import corpus_file

from extract import extract_file
from extract.core.numbers import decimals_of, find_amounts

GOLD_DIR = Path(__file__).resolve().parents[2] / "eval" / "gold"
# corpus PDFs, named by their gold files; each has its pdftotext rendering beside it
PAIRS = sorted(p.stem for p in GOLD_DIR.glob("d[0-9][0-9]_*.yaml") if ".pdf" in p.read_text())


def _precision(quote: str) -> Decimal:
    """Half a unit of the last digit a quote states, in base units (0 for an exact figure)."""
    amounts = list(find_amounts(quote))
    if not amounts or amounts[-1].unit is None:
        return Decimal(0)
    amount = amounts[-1]
    step = amount.value / amount.raw if amount.raw else Decimal(1)
    return step * Decimal(1).scaleb(-decimals_of(quote)) / 2


@pytest.mark.parametrize("stem", PAIRS)
def test_pdf_and_pdftotext_rendering_agree(stem: str) -> None:
    from_pdf = extract_file(corpus_file(f"{stem}.pdf"))
    from_text = extract_file(corpus_file(f"{stem}.txt"))
    pdf_fields, text_fields = from_pdf.flat_fields(), from_text.flat_fields()
    assert sum(v is not None for v in pdf_fields.values()) >= 7  # the PDF gives a real record
    disagreements = []
    for path, text_value in text_fields.items():
        pdf_value = pdf_fields[path]
        if text_value is None or pdf_value is None or text_value == pdf_value:
            continue
        quote = from_text.evidence[path].quote if path in from_text.evidence else ""
        if isinstance(text_value, float) and abs(
            Decimal(str(text_value)) - Decimal(str(pdf_value))
        ) <= _precision(quote):
            continue
        disagreements.append((path, pdf_value, text_value, quote))
    assert disagreements == []

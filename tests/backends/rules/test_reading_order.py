"""A text layer that runs right to left is not read for figures (vocab/sections.yaml)."""

from __future__ import annotations

from extract.backends.rules import RulesBackend
from extract.backends.rules.reading_order import runs_right_to_left
from extract.load.document import Document

# A five-year summary as a right-to-left PDF's text layer gives it (written in the layout
# of an HKEX report): brackets reversed, each row's label after its figures.
MIRRORED_ROW = "21,718,371 20,785,542收益)經重列(\n714,729 (2,095,358)溢利)虧損(除稅前\n"
FORWARD_ROW = "收益(經重列) 21,718,371 20,785,542\n除稅前(虧損)溢利 714,729 (2,095,358)\n"
HEAD = "二零二二年年報\n截至二零二二年十二月三十一日止年度\n"


def test_reversed_brackets_outnumbering_well_formed_ones_mean_right_to_left() -> None:
    assert runs_right_to_left(MIRRORED_ROW * 12)
    assert not runs_right_to_left(FORWARD_ROW * 12)
    assert not runs_right_to_left(MIRRORED_ROW * 3)  # a few stray brackets prove nothing


def test_a_right_to_left_report_has_its_figures_left_null_with_a_warning() -> None:
    doc = Document.from_text(HEAD + MIRRORED_ROW * 12)
    result = RulesBackend().extract(doc, "financials")
    assert result.applies and result.fields == {}
    assert "runs right to left" in result.warnings[0]
    assert RulesBackend().extract(doc, "filing").fields["document_type"].value == "annual_report"

"""A text layer that runs right to left is read for figures only from its grids
(vocab/sections.yaml)."""

from __future__ import annotations

from extract.backends.rules import RulesBackend
from extract.backends.rules.mirrored_text import runs_right_to_left
from extract.core.table import Cell, table_from_cells
from extract.load.document import Document
from extract.load.pdf_tables import _unmirrored

# A five-year summary as a right-to-left PDF's text layer gives it (written in the layout
# of an HKEX report): brackets reversed, each row's label after its figures.
MIRRORED_ROW = "21,718,371 20,785,542收益)經重列(\n714,729 (2,095,358)溢利)虧損(除稅前\n"
FORWARD_ROW = "收益(經重列) 21,718,371 20,785,542\n除稅前(虧損)溢利 714,729 (2,095,358)\n"
HEAD = "二零二二年年報\n截至二零二二年十二月三十一日止年度\n"


def test_reversed_brackets_outnumbering_well_formed_ones_mean_right_to_left() -> None:
    assert runs_right_to_left(MIRRORED_ROW * 12)
    assert not runs_right_to_left(FORWARD_ROW * 12)
    assert not runs_right_to_left(MIRRORED_ROW * 3)  # a few stray brackets prove nothing


def test_a_right_to_left_report_without_grids_has_its_figures_left_null_with_a_warning() -> None:
    doc = Document.from_text(HEAD + MIRRORED_ROW * 12)
    result = RulesBackend().extract(doc, "financials")
    assert result.applies and result.fields == {}
    assert "runs right to left" in result.warnings[0]
    assert RulesBackend().extract(doc, "filing").fields["document_type"].value == "annual_report"


def test_a_right_to_left_report_is_read_from_its_grids_only() -> None:
    """The loader's grid keeps the page's order (label, figures), whatever the text layer's."""
    text = HEAD + "綜合損益及其他全面收益表\n二零二一年 二零二二年\n" + MIRRORED_ROW * 12
    cells = [
        ("二零二二年", 0, 1),
        ("二零二一年", 0, 2),
        ("收益", 1, 0),
        ("21,718,371", 1, 1),
        ("20,785,542", 1, 2),
    ]
    years = text.index("二零二一年 二零二二年")
    placed = []
    for value, row, col in cells:
        at = text.index(value, years)  # (after the heading, which has 收益 in it)
        placed.append(Cell(value, at, at + len(value), row, col))
    doc = Document.from_text(text, tables=[table_from_cells(placed, "pdf-unruled", 1)])
    result = RulesBackend().extract(doc, "financials")
    values = {path: found.value for path, found in result.fields.items()}
    assert values == {"revenue.value": 21718371, "revenue.prior": 20785542}
    assert "runs right to left" in result.warnings[-1]


def test_mirrored_brackets_of_a_negative_figure() -> None:
    assert _unmirrored(")9,697,332(") == "(9,697,332)"
    assert _unmirrored("(9,697,332)") == "(9,697,332)"
    assert _unmirrored("（經重列(") == "（經重列("  # words are left as printed

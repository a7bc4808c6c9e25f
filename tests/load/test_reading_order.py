"""Tests for extract.load.reading_order: pages whose lines are drawn right to left.

Small generated PDFs draw each line's pieces in a chosen order (the positions are what a
reader sees); the wild HKEX report that prompted this is checked as the loader reads it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
from shared_files import WILD_DIR, need

from extract.load.document import read_document
from extract.load.pdf import read_pdf
from extract.load.pdf_geometry import page_glyphs
from extract.load.reading_order import in_reading_order

Piece = tuple[float, str]
"""Where a piece of a line starts (x, points) and its text."""

# Helvetica at 10 points: digits are 5.56 points wide, a comma 2.78, brackets 3.33. The
# negative figure is coded as the real reports code it: ")" at the left, "(" at the right.
ROWS = [
    [(20, "Revenue"), (120, "21,718,371"), (200, "20,785,542"), (280, "4%")],
    [
        (20, "Property"),
        (120, "225,713"),
        (200, "312,719"),
        (271.7, ")"),
        (275, "87,006"),
        (305.6, "("),
    ],
    [(20, "Total assets"), (120, "55,229,834"), (200, "45,600,302"), (280, "21.1%")],
    [(20, "Net assets"), (120, "18,120,248"), (200, "17,995,855"), (280, "0.7%")],
]


# Helvetica's advance widths (thousandths of the font size) of the characters used here
_WIDTHS = {
    **dict.fromkeys("0123456789aenopu", 556),
    **dict.fromkeys(",. t", 278),
    **dict.fromkeys("svy", 500),
    **dict.fromkeys("()r", 333),
    "%": 889,
    "l": 222,
    "N": 722,
    "P": 667,
    "R": 722,
    "T": 611,
}
_SIZE = 10


def _width(text: str) -> float:
    return sum(_WIDTHS[c] for c in text) * _SIZE / 1000


def pieces_pdf(lines: list[list[Piece]], right_to_left: bool | list[bool]) -> bytes:
    """A one-page Helvetica PDF printing each line's pieces where they stand, one text
    object per line, drawn from the last piece to the first where ``right_to_left`` (for
    every line, or line by line): the pen moves back between pieces, as in the reports."""
    backwards = right_to_left if isinstance(right_to_left, list) else [right_to_left] * len(lines)
    shown = []
    for row, (pieces, reverse) in enumerate(zip(lines, backwards, strict=True)):
        ordered = list(reversed(pieces)) if reverse else pieces
        parts = []
        for k, (x, text) in enumerate(ordered):
            parts.append("(" + text.replace("(", "\\(").replace(")", "\\)") + ")")
            if k + 1 < len(ordered):  # move the pen from this piece's end to the next's start
                parts.append(f"{(x + _width(text) - ordered[k + 1][0]) * 1000 / _SIZE:.0f}")
        x0, y = ordered[0][0], 180 - 20 * row
        shown.append(f"1 0 0 1 {x0} {y} Tm [{' '.join(parts)}] TJ")
    content = (f"BT /F1 {_SIZE} Tf " + " ".join(shown) + " ET").encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 340 200] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def written(
    tmp_path: Path, right_to_left: bool | list[bool], rows: list[list[Piece]] = ROWS
) -> Path:
    path = tmp_path / "page.pdf"
    path.write_bytes(pieces_pdf(rows, right_to_left))
    return path


def page_text(tmp_path: Path, right_to_left: bool, rows: list[list[Piece]] = ROWS) -> str:
    return read_pdf(written(tmp_path, right_to_left, rows), tables=False).text


@contextmanager
def text_page(path: Path) -> Iterator[Any]:
    """The first page's PDFium text page, open while the block runs."""
    pdf = pdfium.PdfDocument(path)
    try:
        yield pdf[0].get_textpage()
    finally:
        pdf.close()


def test_lines_drawn_right_to_left_read_left_to_right(tmp_path: Path) -> None:
    lines = page_text(tmp_path, right_to_left=True).splitlines()
    assert lines[0] == "Revenue 21,718,371 20,785,542 4%"
    assert lines[2] == "Total assets 55,229,834 45,600,302 21.1%"


def test_a_bracketed_figure_drawn_right_to_left_keeps_its_brackets(tmp_path: Path) -> None:
    """The "(" is drawn first, at the right of the digits, and ")" last, at their left:
    left to right the characters as the PDF codes them read ")87,006("."""
    assert page_text(tmp_path, right_to_left=True).splitlines()[1] == (
        "Property 225,713 312,719 (87,006)"
    )


def test_a_page_drawn_left_to_right_is_left_as_pdfium_reads_it(tmp_path: Path) -> None:
    with text_page(written(tmp_path, right_to_left=False)) as textpage:
        raw = textpage.get_text_range()
        assert in_reading_order(textpage.raw, raw) == (raw, None)


def test_a_page_with_one_line_drawn_right_to_left_is_left_as_it_is(tmp_path: Path) -> None:
    """One such line among several (a header drawn cell by cell) does not make a page run
    right to left: the page stays in drawing order."""
    rows = [*ROWS, [(20, "Net"), (120, "1"), (200, "2")], [(20, "Total"), (120, "3"), (200, "4")]]
    path = written(tmp_path, [True] + [False] * (len(rows) - 1), rows)
    lines = read_pdf(path, tables=False).text.splitlines()
    assert lines[0].startswith("4%")  # as drawn
    assert lines[2] == "Total assets 55,229,834 45,600,302 21.1%"


def test_every_glyph_points_at_its_character_in_the_reordered_text(tmp_path: Path) -> None:
    """Table cells are read from the glyphs: each must land on its own character."""
    with text_page(written(tmp_path, right_to_left=True)) as textpage:
        text, moved = in_reading_order(textpage.raw, textpage.get_text_range())
        assert moved is not None
        glyphs = page_glyphs(textpage.raw, text, moved)
    cleaned = text.replace("\r\n", "\n")
    assert len(glyphs) == sum(not c.isspace() for c in cleaned)
    assert all(cleaned[g.offset] == g.char for g in glyphs)
    assert "".join(g.char for g in sorted(glyphs, key=lambda g: g.offset))[:16] == (
        "Revenue21,718,37"
    )


# --- the wild HKEX report drawn right to left --------------------------------------------

W036 = "w036_fullshare_00607_ar_FY2022.pdf"


@pytest.fixture(scope="module")
def w036_text() -> str:
    return read_document(need(WILD_DIR / W036)).text


def test_an_hkex_table_row_reads_label_first(w036_text: str) -> None:
    """MD&A's revenue table: the PDF draws 4% first and 總收入 last."""
    assert "總收入21,718,371 20,785,542 932,829 4%" in w036_text
    assert "物業225,713 312,719 (87,006) (28%)" in w036_text


def test_an_hkex_sentence_reads_in_order(w036_text: str) -> None:
    assert "總資產人民幤552.30億元,較上一年增加21.1%。" in w036_text


def test_a_continued_heading_closes_its_bracket(w036_text: str) -> None:
    """(續) drawn as its own piece is coded with the mirror of its closing bracket."""
    assert "主要會計政策摘要(續)" in w036_text
    assert "主要會計政策摘要(續(" not in w036_text

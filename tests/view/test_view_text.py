"""extract.view.text: blocks and runs that redraw the text exactly, spans never cut."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from extract.view.text import Block, Highlight, Run, cut_points, layout_blocks, page_ranges, runs

ROOT = Path(__file__).resolve().parents[2]
SEED_001 = ROOT / "examples" / "filings" / "001_815c9fc6d423563f.txt"  # one 274,000-char line

# Two pages of a PDF text layer, joined as the loader joins them ("\n\f\n").
PAGE_1 = "五、主要会计数据和财务指标\n营业收入（元） 925,158,518.22 1,418,294,158.04 -34.77%\n"
PAGE_2 = "归属于上市公司股东的净利润（元） 325,577,386.27 656,013,995.26 -50.37%"
PDF_TEXT = PAGE_1 + "\n\f\n" + PAGE_2
PAGE_STARTS = (0, len(PAGE_1) + 3)


def drawn(blocks: list[Block]) -> str:
    return "".join(run.text for block in blocks for run in block.runs)


def test_overlapping_spans_become_runs_naming_every_field() -> None:
    text = "基本和稀释每股收益（元/股） 0.5932"
    row = text.index("0.5932")
    both = [
        Highlight(row, row + 6, "e0"),  # basic_eps.value
        Highlight(row, row + 6, "e1"),  # diluted_eps.value: the same quote
        Highlight(0, 9, "e2"),  # a label overlapping nothing else
    ]
    assert list(runs(text, 0, len(text), both)) == [
        Run("基本和稀释每股收益", ("e2",)),
        Run("（元/股） "),
        Run("0.5932", ("e0", "e1")),
    ]


def test_nested_spans_split_where_each_begins_and_ends() -> None:
    text = "营业收入467,049413,71312.9%"
    outer = Highlight(4, len(text), "e0")
    inner = Highlight(11, 18, "e1")
    assert [(r.text, r.keys) for r in runs(text, 0, len(text), [outer, inner])] == [
        ("营业收入", ()),
        ("467,049", ("e0",)),
        ("413,713", ("e0", "e1")),
        ("12.9%", ("e0",)),
    ]


def test_pdf_pages_are_blocks_without_the_page_separator() -> None:
    assert page_ranges(PDF_TEXT, PAGE_STARTS) == [
        (0, len(PAGE_1.rstrip()), 1),
        (PAGE_STARTS[1], len(PDF_TEXT), 2),
    ]
    blocks = layout_blocks(PDF_TEXT, PAGE_STARTS, [])
    assert [b.page for b in blocks] == [1, 2]
    assert drawn(blocks) == PAGE_1.rstrip() + PAGE_2
    assert "\f" not in drawn(blocks)


def test_text_without_pages_is_one_unnumbered_range() -> None:
    assert page_ranges("abc\n", ()) == [(0, 4, None)]


def test_long_text_is_cut_at_line_ends() -> None:
    text = "".join(f"第{i}行 营业收入 1,000.00\n" for i in range(400))
    cuts = cut_points(text, 0, len(text), [], block_chars=500)
    assert cuts and all(text[c - 1] == "\n" for c in cuts)
    assert all(b - a >= 500 for a, b in zip([0, *cuts], cuts, strict=False))


def test_one_line_report_is_cut_after_full_stops_never_inside_a_span() -> None:
    text = SEED_001.read_text(encoding="utf-8")
    assert "\n" not in text
    spans = [Highlight(m, m + 12, f"e{i}") for i, m in enumerate(range(5000, len(text), 7919))]
    cuts = cut_points(text, 0, len(text), spans)
    assert len(cuts) > 50  # a 274,000-character line is drawn in many blocks
    assert all(text[c - 1] in "。 \u3000\t" for c in cuts)
    assert not [c for c in cuts for h in spans if h.start < c < h.end]
    assert drawn(layout_blocks(text, (), spans)) == text


@given(
    st.text(alphabet="营业收入 1,0.\n。元", min_size=1, max_size=400),
    st.lists(st.tuples(st.integers(0, 399), st.integers(1, 40)), max_size=12),
    st.integers(5, 60),
)
def test_blocks_redraw_the_text_and_every_span_is_marked(
    text: str, spans: list[tuple[int, int]], block_chars: int
) -> None:
    highlights = [
        Highlight(start, min(start + length, len(text)), f"e{i}")
        for i, (start, length) in enumerate(spans)
        if start < len(text)
    ]
    blocks = layout_blocks(text, (), highlights, block_chars)
    assert drawn(blocks) == text
    # every character of a span is in a run that names it, and no other run names it
    position = 0
    for block in blocks:
        assert block.start == position
        for run in block.runs:
            for offset in range(position, position + len(run.text)):
                covering = {h.key for h in highlights if h.start <= offset < h.end}
                assert set(run.keys) == covering
            position += len(run.text)
        assert block.end == position

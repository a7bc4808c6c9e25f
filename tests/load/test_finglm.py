"""extract.load.finglm: FinGLM JSON lines read by content, rows as tables, pages kept.

``finglm_annual_report.txt`` is cut from the FinGLM rendering (``bench/to_finglm.py``) of a
real annual report (w006, 成都先导 2024 年年度报告): its cover and the key table, whose
主要财务指标 part runs over the page break from page 10 to page 11 (the label 扣除非经常性
损益后的加权平均净资产收益率（%） cut by it, 研发投入占营业收入的比例 on page 11).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from shared_files import WILD_DIR, need

from extract import extract_file
from extract.backends.rules.table_metrics import metrics_from_tables
from extract.config import Settings
from extract.core.errors import InputError
from extract.load.document import document_from_bytes, read_document
from extract.load.finglm import looks_like_finglm, read_finglm
from extract.load.pages import PAGE_SEPARATOR
from extract.pipeline import extract_document
from extract.tables.kinds import classify_tables

FIXTURE = Path(__file__).with_name("finglm_annual_report.txt")
ROOT = Path(__file__).resolve().parents[2]


def _line(page: int, row: int, kind: str, inside: str) -> str:
    return json.dumps(
        {"page": page, "allrow": row, "type": kind, "inside": inside}, ensure_ascii=False
    )


def _rows(*cells: list[str], page: int = 1) -> list[str]:
    return [_line(page, r, "excel", str(row)) for r, row in enumerate(cells)]


KEY_ROWS = (
    ["主要会计数据", "2024年", "2023年", "本期比上年同期增减(%)"],
    ["营业收入", "426,986,937.69", "371,324,936.81", "14.99"],
)


@pytest.fixture(scope="module")
def record() -> dict[str, object]:
    result: dict[str, object] = json.loads(extract_file(FIXTURE).model_dump_json())
    return result


# --- detection -----------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".txt", ".json", ".jsonl"])
def test_detected_by_content_whatever_the_name(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"report{suffix}"
    path.write_bytes(FIXTURE.read_bytes())
    doc = read_document(path)
    assert doc.encoding == "finglm"
    assert "{" not in doc.original  # the lines rendered, not the JSON
    assert doc.tables


def test_plain_text_and_other_json_lines_are_not_finglm() -> None:
    assert not looks_like_finglm("营业收入 426,986,937.69 371,324,936.81\n")
    assert not looks_like_finglm('{"page": 1, "text": "营业收入"}\n')
    assert not looks_like_finglm("")
    # one good line and then prose: not FinGLM either
    assert not looks_like_finglm(_line(1, 0, "text", "目录") + "\n第一节 释义\n")
    doc = document_from_bytes("营业收入 1,234.00\n".encode(), "plain.txt")
    assert doc.encoding == "utf-8" and not doc.tables


# --- the fixture: a real key table over a page break ---------------------------------------


def test_document_type_and_company(record: dict[str, dict[str, object]]) -> None:
    assert record["filing"]["document_type"] == "annual_report"
    assert record["filing"]["stock_code"] == "688222"
    assert record["filing"]["period_end"] == "2024-12-31"
    assert record["source"]["encoding"] == "finglm"


def test_key_figures_read_from_the_table(record: dict[str, dict[str, dict[str, float]]]) -> None:
    financials = record["financials"]
    assert financials["revenue"]["value"] == 426986937.69
    assert financials["revenue"]["prior"] == 371324936.81
    assert financials["revenue"]["change_pct"] == 14.99
    assert financials["net_profit_attributable"]["value"] == 51357102.96
    assert financials["net_profit_attributable"]["prior"] == 40718459.76
    assert financials["basic_eps"]["value"] == 0.13
    assert financials["diluted_eps"]["prior"] == 0.10
    assert financials["weighted_roe_deducted"]["change_pp"] == 3.92


def test_the_part_after_the_page_break_is_read(
    record: dict[str, dict[str, dict[str, float]]],
) -> None:
    assert record["financials"]["rd_ratio"]["value"] == 15.77
    assert record["financials"]["rd_ratio"]["change_pp"] == -5.67
    assert record["evidence"]["financials.rd_ratio.value"]["page"] == 11  # type: ignore[index]


def test_evidence_quotes_exact_with_pages(record: dict[str, dict[str, dict[str, object]]]) -> None:
    doc = read_document(FIXTURE)
    evidence = record["evidence"]
    for path in ("financials.revenue.value", "financials.net_profit_attributable.prior"):
        quote = evidence[path]
        assert doc.original[quote["start"] : quote["end"]] == quote["quote"]  # type: ignore[misc]
    assert evidence["financials.revenue.value"]["quote"] == "426,986,937.69"
    assert evidence["financials.revenue.value"]["page"] == 10
    assert evidence["financials.basic_eps.value"]["page"] == 10
    assert evidence["filing.stock_code"]["page"] == 1


def test_pages_and_the_joined_table() -> None:
    doc = read_document(FIXTURE)
    assert len(doc.page_starts) == 11  # pages 3 to 9 carry no line, and are still pages
    assert doc.original.count(PAGE_SEPARATOR) == 10
    joined = [t for t in doc.tables if len(t.pages) > 1]
    assert [t.pages for t in joined] == [(10, 11)]
    table = joined[0]
    assert table.source == "finglm"
    assert [c.text for c in table.rows[-1]][:2] == ["研发投入占营业收入的比例（%）", "15.77"]
    for row in table.rows:
        for cell in row:
            assert doc.original[cell.start : cell.end] == cell.text


def test_rows_rendered_as_the_pdf_text_layer_prints_them() -> None:
    doc = read_document(FIXTURE)
    assert "营业收入 426,986,937.69 371,324,936.81 14.99 329,650,037.29\n" in doc.original
    # the running header is kept as a line of text, as a PDF's
    assert "成都先导药物开发股份有限公司2024年年度报告\n" in doc.original


def test_furniture_between_the_parts_does_not_split_a_table() -> None:
    lines = [
        _line(1, 0, "text", "主要会计数据和财务指标"),
        *_rows(*KEY_ROWS),
        _line(1, 3, "页脚", "1/2"),
        _line(2, 4, "页眉", "2024年年度报告"),
        _line(2, 5, "excel", str(["归属于上市公司股东的净利润", "51,357,102.96", "1.00", "2.00"])),
    ]
    rendered = read_finglm("\n".join(lines))
    assert [t.pages for t in rendered.tables] == [(1, 2)]


def test_prose_above_a_table_keeps_it_apart() -> None:
    lines = [
        *_rows(*KEY_ROWS),
        _line(2, 3, "text", "七、境内外会计准则下会计数据差异"),
        _line(
            2,
            4,
            "text",
            "(一)同时按照国际会计准则与按中国会计准则披露的财务报告中净利润和归属于上市公司股东的净资产差异情况",
        ),
        _line(2, 5, "excel", str(["归属于上市公司股东的净利润", "51,357,102.96", "1.00", "2.00"])),
    ]
    assert len(read_finglm("\n".join(lines)).tables) == 2


def test_a_column_split_under_a_merged_header_is_one() -> None:
    # pdfplumber's grid: 上年同期 over two columns, the change printed in the second
    lines = _rows(
        ["", "本报告期", "上年同期", "", "本报告期比上年同期增减（%）"],
        ["营业收入（元）", "1,399,808,311.93", "2,249,034,497.62", "-37.76%", ""],
    )
    (table,) = read_finglm("\n".join(lines)).tables
    assert [c.text for c in table.rows[0]] == [
        "",
        "本报告期",
        "上年同期",
        "本报告期比上年同期增减（%）",
    ]
    assert [c.text for c in table.rows[1]][3] == "-37.76%"


# --- bad lines -----------------------------------------------------------------------------


def test_bad_lines_are_skipped_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    good = FIXTURE.read_text(encoding="utf-8").splitlines()
    bad = [*good[:20], '{"page": 10, "allrow": 1, "type": "text", "ins', *good[20:], "{}"]
    with caplog.at_level(logging.WARNING):
        doc = document_from_bytes("\n".join(bad).encode(), "cut.txt")
    assert doc.encoding == "finglm"
    assert "cut.txt: skipped 2 unreadable FinGLM line(s), the first at line 21" in caplog.text
    record = extract_document(doc, Settings())
    assert record.financials.revenue is not None
    assert record.financials.revenue.value == 426986937.69


def test_cells_are_never_evaluated(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    code = f"__import__('pathlib').Path({str(marker)!r}).touch()"
    lines = [*_rows(*KEY_ROWS), _line(1, 2, "excel", code), _line(1, 3, "excel", "['a', ")]
    rendered = read_finglm("\n".join(lines))
    assert not marker.exists()
    assert rendered.skipped == (3, 4)


def test_python_repr_lines_with_page_objects() -> None:
    # some copies of the corpus hold Python dicts with pdfplumber's page object
    line = "{'page': <Page:3>, 'allrow': 0, 'type': 'text', 'inside': '营业收入'}"
    assert looks_like_finglm(line)
    rendered = read_finglm(line)
    assert len(rendered.page_starts) == 3 and rendered.text.endswith("营业收入")


def test_no_readable_line_is_an_input_error() -> None:
    with pytest.raises(InputError, match="no line reads as a FinGLM object"):
        read_finglm("{}\nnot json\n", "empty.jsonl")


# --- a real PDF rendered the way the corpus was --------------------------------------------


def test_rendering_of_a_real_pdf_gives_the_pdf_key_figures(tmp_path: Path) -> None:
    import importlib.util

    pdf = need(WILD_DIR / "w010_kailaiying_002821_q1_2024Q1.pdf")
    spec = importlib.util.spec_from_file_location("to_finglm", ROOT / "bench" / "to_finglm.py")
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    rendered = tmp_path / "w010.txt"
    rendered.write_text(bench.render(pdf), encoding="utf-8")
    ours, theirs = extract_file(rendered).financials, extract_file(pdf).financials
    for metric in ("revenue", "net_profit_attributable", "basic_eps", "total_assets"):
        assert getattr(ours, metric) == getattr(theirs, metric), metric


# --- the rules on rows as pdfplumber cut them ----------------------------------------------


def _key_table(*rows: list[str]) -> dict[str, dict[str, float | None]]:
    lines = [
        _line(1, 0, "text", "（一）主要会计数据和财务指标"),
        *(_line(1, r + 1, "excel", str(row)) for r, row in enumerate(rows)),
    ]
    doc = document_from_bytes("\n".join(lines).encode(), "q3.jsonl")
    record = json.loads(extract_document(doc, Settings()).model_dump_json())
    financials: dict[str, dict[str, float | None]] = record["financials"]
    return financials


def test_a_restated_mark_alone_heads_the_restated_comparative() -> None:
    # 上年同期 over 调整前 | 调整后, its two header rows folded into one (w027, third quarter)
    financials = _key_table(
        ["", "本报告期", "上年同期调整前", "调整后", "本报告期比上年同期增减调整后"],
        ["基本每股收益（元/股）", "0.22", "0.39", "0.28", "-21.43%"],
    )
    assert financials["basic_eps"] == {
        "value": 0.22,
        "prior": 0.28,
        "change_pct": -21.43,
        "change_pp": None,
        "low": None,
        "high": None,
    }


def test_a_percentage_is_never_read_from_a_table_as_an_amount() -> None:
    # the header's columns astray from the body's: the change under 上年同期
    lines = [
        _line(1, 0, "text", "（一）主要会计数据和财务指标"),
        _line(1, 1, "excel", str(["", "本报告期", "上年同期", "本报告期比上年同期增减"])),
        _line(1, 2, "excel", str(["营业收入（元）", "1,380,240,203.63", "20.74%", ""])),
    ]
    doc = document_from_bytes("\n".join(lines).encode(), "q3.jsonl")
    revenue = metrics_from_tables(doc)["revenue"]
    assert revenue["value"].value == 1380240203.63
    assert "prior" not in revenue


def test_a_heading_run_into_the_line_before_still_names_its_table() -> None:
    # the corpus runs a line reaching the margin into the next: the signatures and the title
    lines = [
        _line(
            9,
            0,
            "text",
            "公司负责人：冯宇霞主管会计工作负责人：于爱水会计机构负责人：于爱水合并利润表",
        ),
        _line(9, 1, "text", "2023年1—9月"),
        _line(9, 2, "text", "单位：元币种:人民币审计类型：未经审计"),
        _line(9, 3, "excel", str(["项目", "2023年前三季度（1-9月）", "2022年前三季度（1-9月）"])),
        _line(9, 4, "excel", str(["一、营业总收入", "1,587,079,779.38", "1,276,392,981.45"])),
    ]
    doc = document_from_bytes("\n".join(lines).encode(), "q3.jsonl")
    assert classify_tables(doc) == ["income_statement"]

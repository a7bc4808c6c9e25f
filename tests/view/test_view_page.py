"""extract.view.page: the HTML of a view — marks, pages, escaping, nothing to fetch."""

from __future__ import annotations

import base64
import hashlib
import html
import re
from pathlib import Path
from typing import Any

from extract.config import Settings
from extract.pipeline import extract_file, extract_text
from extract.view.page import render_view

ROOT = Path(__file__).resolve().parents[2]
SEED_004 = ROOT / "examples" / "filings" / "004_b26c4ee7e7963a95.txt"
XSS = "<script>alert(1)</script>"
IMG_XSS = '<img src=x onerror="alert(2)">'
# A dividend notice of the SSE template, with markup where a filing should have none.
NOTICE = (
    "证券代码:688271 证券简称:联影医疗 公告编号:2024-061\n"
    f"上海联影医疗科技股份有限公司\n2024年半年度利润分配方案公告\n{XSS}\n"
    f"每10股派发现金红利人民币1.20元(含税)。{IMG_XSS}\n"
    "上海联影医疗科技股份有限公司董事会\n2024年8月30日\n"
)


def view_of(text: str, **changes: Any) -> tuple[dict[str, Any], str]:
    record = extract_text(text, Settings(backend="rules")).model_dump(mode="json")
    record.update(changes)
    return record, render_view(record, text)


def sha256_source(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()


def test_every_evidence_span_is_marked_with_its_quote() -> None:
    record = extract_file(SEED_004, Settings(backend="rules")).model_dump(mode="json")
    text = SEED_004.read_text(encoding="utf-8")
    page = render_view(record, text)
    marks = re.findall(r'<mark data-f="([^"]+)"[^>]*>([^<]*)</mark>', page)
    assert len({key for keys, _ in marks for key in keys.split()}) == len(record["evidence"])
    links = dict(re.findall(r'href="#f=([^"]+)" data-mark="(e\d+)"', page))
    for path, evidence in record["evidence"].items():
        quote = "".join(t for keys, t in marks if links[path] in keys.split())
        assert quote == evidence["quote"].replace("&", "&amp;"), path


def test_filing_text_and_record_values_are_escaped() -> None:
    record, _ = view_of(NOTICE, warnings=[f"a warning with {XSS}"])
    record["filing"]["title"] = f"利润分配方案公告{XSS}"  # as a careless LLM might read it
    page = render_view(record, NOTICE)
    assert page.count("<script") == 1  # the view's own script, nothing else
    assert "<img" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=" in page
    head = page.split("<main", 1)[0]
    assert "<title>" in head and XSS not in head


def test_the_page_fetches_nothing_and_runs_only_its_own_script() -> None:
    _, page = view_of(NOTICE)
    assert not re.search(r"""\b(src|href)\s*=\s*["']?(https?:|//|file:)""", page)
    assert "<link" not in page and "@import" not in page and "url(" not in page
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)
    assert policy, "the view declares a content security policy"
    content = html.unescape(policy.group(1))
    rules = dict(rule.strip().split(" ", 1) for rule in content.split(";"))
    assert rules["default-src"] == "'none'"
    script = re.search(r"<script>(.*?)</script>", page, re.S)
    style = re.search(r"<style>(.*?)</style>", page, re.S)
    assert script and style
    assert rules["script-src"] == f"'{sha256_source(script.group(1))}'"
    assert rules["style-src"] == f"'{sha256_source(style.group(1))}'"


def test_pdf_text_is_drawn_page_by_page() -> None:
    pages = ["证券代码:688271\n营业收入 1,000.00", "归属于上市公司股东的净利润 200.00", "董事会"]
    text = "\n\f\n".join(pages)
    record = {
        "source": {"path": "x.pdf", "sha256": "0", "chars": len(text), "encoding": "pdf"},
        "evidence": {
            "financials.net_profit_attributable.value": {
                "quote": "200.00",
                "start": text.index("200.00"),
                "end": text.index("200.00") + 6,
                "page": 2,
            }
        },
    }
    starts = [0, len(pages[0]) + 3, len(pages[0]) + len(pages[1]) + 6]
    page = render_view(record, text, starts)
    assert re.findall(r'<section class="page" id="page-(\d+)"', page) == ["1", "2", "3"]
    second = page.split('id="page-2"', 1)[1].split("</section>", 1)[0]
    assert '<div class="pno">page 2</div>' in second
    assert '<mark data-f="e0">200.00</mark>' in second
    assert "\f" not in page


def test_marks_take_the_check_status_of_their_fields() -> None:
    record, _ = view_of(NOTICE)
    paths = list(record["evidence"])
    checks = {paths[0]: "confirmed", paths[1]: "conflict"}
    text = NOTICE
    page = render_view({**record, "checks": checks}, text)
    marks = dict(re.findall(r'<mark data-f="([^"]+)"(?: class="(\w+)")?>', page))
    assert marks["e0"] == "ok"  # confirmed
    assert any("e1" in keys.split() for keys in marks)
    assert all(css == "bad" for keys, css in marks.items() if "e1" in keys.split())
    assert all(css == "" for keys, css in marks.items() if not {"e0", "e1"} & set(keys.split()))
    assert 'class="v conflict"' in page and 'class="v confirmed"' in page
    assert "confirmed</mark>" in page  # the legend names the colours when checks exist
    assert "confirmed</mark>" not in render_view(record, text)


def test_evidence_that_does_not_fit_the_text_is_not_drawn_and_says_so() -> None:
    record, _ = view_of(NOTICE)
    path, first = next(iter(record["evidence"].items()))
    record["evidence"][path] = {**first, "start": first["start"] + 1, "end": first["end"] + 1}
    page = render_view(record, NOTICE)
    assert f"{path}: the quote is not the text at" in page
    assert f'href="#f={path}"' not in page  # its value is shown, without a link

"""extract.evaluation.render: the report files, ordering, escaping, the HTML in Chromium."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from extract.config import Settings
from extract.evaluation.render import (
    REPORT_FILES,
    ordered_fields,
    render_html,
    render_markdown,
    write_reports,
)
from extract.evaluation.report import EvalReport, load_report
from extract.evaluation.run import evaluate
from extract.evaluation.score import rescore

ROOT = Path(__file__).resolve().parents[2]
GOLD_DIR = ROOT / "eval" / "gold"
DOCS = [ROOT / "examples" / "filings"]
CHROMIUM = Path("/usr/bin/chromium")
XSS = "<script>alert(1)</script>"
XSS_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


@pytest.fixture(scope="module")
def seed_report() -> EvalReport:
    """A real run of the rules backend over the seed gold files."""
    return evaluate(
        GOLD_DIR, docs_dirs=DOCS, settings=Settings(backend="rules"), pattern="[0-9][0-9][0-9]_*"
    )


def poisoned(report: EvalReport) -> EvalReport:
    """A copy whose first document has a script tag in a prediction and in a gold quote."""
    copy = report.model_copy(deep=True)
    doc = copy.documents[0]
    shown = [f for f in doc.fields if f.outcome != "true_null"]
    shown[0].prediction = XSS
    shown[0].evidence_quote = XSS
    shown[1].gold_quote = f"营业收入 {XSS}"
    doc.document = f"{XSS}.txt"
    return rescore(copy)


def test_write_reports_writes_three_files(tmp_path: Path, seed_report: EvalReport) -> None:
    paths = write_reports(seed_report, tmp_path / "out")
    assert [p.name for p in paths] == list(REPORT_FILES)
    assert all(p.stat().st_size > 0 for p in paths)
    assert not list((tmp_path / "out").glob(".*.tmp"))  # atomic writes leave no temp files
    again = load_report(tmp_path / "out" / "report.json")
    assert again == seed_report
    data = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert set(data) >= {"meta", "overall", "by_section", "by_document", "by_field", "documents"}
    assert data["meta"]["backend"] == "rules"
    assert "上海联影医疗科技股份有限公司" in (tmp_path / "out" / "report.json").read_text("utf-8")


def test_report_json_keeps_gold_prediction_and_evidence(seed_report: EvalReport) -> None:
    fields = [f for d in seed_report.documents for f in d.fields if f.outcome == "correct"]
    assert fields, "the rules backend should get some field right"
    with_evidence = [f for f in fields if f.evidence_quote]
    assert with_evidence, "correct predictions carry the record's evidence quote"
    assert all(f.gold is not None and f.prediction is not None for f in fields)


def test_failures_come_first(seed_report: EvalReport) -> None:
    rank = {"wrong": 0, "missed": 1, "spurious": 2, "correct": 3}
    for doc in seed_report.documents:
        order = [rank[f.outcome] for f in ordered_fields(doc)]
        assert order == sorted(order), doc.name
        assert all(f.outcome != "true_null" for f in ordered_fields(doc))


def test_markdown_has_summary_and_document_tables(seed_report: EvalReport) -> None:
    text = render_markdown(seed_report)
    assert "| **overall** |" in text
    for doc in seed_report.documents:
        assert f"## {doc.name}" in text
    section = text.split("## 000_e5b525805bf4026b", 1)[1].split("\n## ", 1)[0]
    outcomes = re.findall(r"^\| (wrong|missed|spurious|correct) \|", section, flags=re.M)
    rank = {"wrong": 0, "missed": 1, "spurious": 2, "correct": 3}
    assert outcomes and [rank[o] for o in outcomes] == sorted(rank[o] for o in outcomes)


def test_markdown_and_html_escape_document_text(seed_report: EvalReport) -> None:
    report = poisoned(seed_report)
    for text in (render_markdown(report), render_html(report)):
        assert XSS not in text
        assert "<script" not in text.lower()
        assert XSS_ESCAPED in text


def test_html_is_self_contained(seed_report: EvalReport) -> None:
    page = render_html(seed_report)
    assert "<style>" in page
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "<link" not in page and "<script" not in page


needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists() and not os.environ.get("CI"),
    reason="headless Chromium (/usr/bin/chromium) is not installed: apt-get install -y chromium "
    "(in CI, where CI is set, this test fails instead of skipping)",
)


def dump_dom(page: Path, profile: Path) -> str:
    """The DOM of ``page`` after Chromium has parsed (and would have run) it."""
    assert CHROMIUM.exists(), "CI is set but /usr/bin/chromium is missing: apt-get install chromium"
    command = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--dump-dom",
        page.as_uri(),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@needs_chromium
def test_html_report_in_headless_chromium(tmp_path: Path, seed_report: EvalReport) -> None:
    report = poisoned(seed_report)
    write_reports(report, tmp_path / "out")
    page = tmp_path / "out" / "report.html"
    source = page.read_text(encoding="utf-8")
    assert XSS_ESCAPED in source and XSS not in source

    dom = dump_dom(page, tmp_path / "profile")

    assert "<html" in dom and "Evaluation report" in dom
    tables = re.findall(r'<table class="doc-fields" data-document="([^"]+)"', dom)
    assert tables == [d.name for d in report.documents]
    for doc in report.documents:
        assert f'id="doc-{doc.name}"' in dom
    # The injected text is inert: no script element was created, the text shows escaped.
    assert "<script" not in dom.lower()
    assert XSS_ESCAPED in dom
    # Failures before correct rows inside the first document's table.
    first = dom.split('<table class="doc-fields"', 2)[1]
    rows = re.findall(r'<tr class="(wrong|missed|spurious|correct)"', first)
    rank = {"wrong": 0, "missed": 1, "spurious": 2, "correct": 3}
    assert rows and [rank[r] for r in rows] == sorted(rank[r] for r in rows)

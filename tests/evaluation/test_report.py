"""extract.evaluation.render: the report files, ordering, escaping, the HTML in Chromium."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from chromium import CHROMIUM, chromium, needs_chromium, open_page, settle

from extract.config import Settings
from extract.evaluation.render import (
    REPORT_FILES,
    VIEWS_FOLDER,
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


# --- links from failing fields to their document's view -----------------------------------


@pytest.fixture(scope="module")
def reports_with_views(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed run written as ``extract eval -o OUT`` writes it: reports and views, with one
    field added to the first seed's gold that the rules leave null (the seeds' own gold is
    scored in full), so the run has a missed field to link."""
    out = tmp_path_factory.mktemp("eval")
    gold = tmp_path_factory.mktemp("gold")
    for path in GOLD_DIR.glob("[0-9][0-9][0-9]_*.yaml"):
        (gold / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    first = sorted(gold.glob("*.yaml"))[0]
    text = first.read_text(encoding="utf-8")
    assert "financials.ebitda" not in text and "  financials.revenue.value:" in text
    missed = (
        "  financials.ebitda.value:\n"
        "    value: 5333000000\n"
        '    quote: "现营业收入 53.33亿元，同比增长 1.18%"\n'
    )
    first.write_text(
        text.replace("  financials.revenue.value:", missed + "  financials.revenue.value:", 1),
        encoding="utf-8",
    )
    report = evaluate(
        gold,
        docs_dirs=DOCS,
        settings=Settings(backend="rules"),
        pattern="[0-9][0-9][0-9]_*",
        views_dir=out / VIEWS_FOLDER,
    )
    write_reports(report, out)
    return out


def field_links(page: str) -> dict[tuple[str, str], str]:
    """(document, field) → the href of its link, for every linked row of the report."""
    links = {}
    for section in page.split('<section class="document" id="doc-')[1:]:
        name = section.split('"', 1)[0]
        for outcome, href, path in re.findall(
            r'<tr class="(\w+)">.*?<a class="view" href="([^"]+)">([^<]+)</a>', section, re.S
        ):
            assert outcome in ("wrong", "missed", "spurious"), (name, path, outcome)
            links[(name, path)] = href.replace("&amp;", "&")
    return links


def test_failing_fields_link_to_their_view(reports_with_views: Path) -> None:
    report = load_report(reports_with_views / "report.json")
    links = field_links((reports_with_views / "report.html").read_text(encoding="utf-8"))
    failing = {
        (doc.name, f.path): f
        for doc in report.documents
        for f in doc.fields
        if f.outcome in ("wrong", "missed", "spurious")
    }
    assert failing and set(links) == set(failing)
    for (name, path), href in links.items():
        url = urlsplit(href)
        assert url.path == f"{VIEWS_FOLDER}/{name}.html"
        assert (reports_with_views / url.path).is_file()
        params = parse_qs(url.fragment)
        assert params["f"] == [path]
        if failing[(name, path)].gold_quote:
            assert params["q"] == [failing[(name, path)].gold_quote]


@needs_chromium
def test_a_failing_fields_link_opens_its_view_at_the_gold_quote(
    reports_with_views: Path,
) -> None:
    report_page = reports_with_views / "report.html"
    links = field_links(report_page.read_text(encoding="utf-8"))
    (name, path), href = next(iter(links.items()))
    quote = parse_qs(urlsplit(href).fragment)["q"][0]
    with chromium() as browser:
        page = open_page(browser, report_page)
        page.click(f'#doc-{name} a.view[href="{href}"]')
        page.wait_for_load_state("load")
        page.evaluate("() => document.fonts.ready")
        settle(page)
        assert unquote(page.url).startswith((reports_with_views / VIEWS_FOLDER).as_uri())
        # the seeds' failures are all missed fields: with no quote of its own to show, the
        # view searched the filing for the gold quote and scrolled to it
        assert report_outcome(reports_with_views, name, path) == "missed"
        assert page.input_value("#search") == quote
        assert page.inner_text("#count").startswith("1 / ")
        assert page.evaluate(
            """() => {
                const hit = [...CSS.highlights.get("search-current")][0].getBoundingClientRect();
                const pane = document.getElementById("text").getBoundingClientRect();
                return hit.height > 0 && hit.top >= pane.top && hit.bottom <= pane.bottom;
            }"""
        )


def report_outcome(out: Path, name: str, path: str) -> str:
    doc = next(d for d in load_report(out / "report.json").documents if d.name == name)
    return next(f.outcome for f in doc.fields if f.path == path)

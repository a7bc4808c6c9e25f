"""Render an evaluation run: terminal tables, ``report.json``, ``report.md``, ``report.html``.

Every text that comes from a document, a gold file or a prediction is escaped: the HTML is
rendered by jinja2 with autoescape, Markdown cells go through ``html.escape``.
"""

from __future__ import annotations

import html
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from jinja2 import Environment
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..core.atomic import write_atomic
from .compare import Comparison, FieldChange
from .floor import FloorCheck
from .report import DocumentResult, EvalReport, FieldResult, Scores

REPORT_FILES: tuple[str, ...] = ("report.json", "report.md", "report.html")
VIEWS_FOLDER = "views"  # beside the reports: one view per document (``extract view``)
# Per-document tables: failures first, then correct; true nulls are only counted.
OUTCOME_ORDER: dict[str, int] = {"wrong": 0, "missed": 1, "spurious": 2, "correct": 3}
FAILURES: frozenset[str] = frozenset(o for o, rank in OUTCOME_ORDER.items() if rank < 3)
SCORE_COLUMNS: tuple[str, ...] = ("correct", "wrong", "missed", "spurious", "true_null")
METRIC_COLUMNS: tuple[str, ...] = ("accuracy", "precision", "recall", "f1")
METRICS_NOTE = (
    "accuracy = correct / (correct + wrong + missed + spurious), over fields where gold or "
    "prediction has a value; precision = correct / (correct + wrong + spurious); "
    "recall = correct / (correct + wrong + missed); true nulls (both null) are counted only."
)


# ============================================================================ shared helpers


def fmt_metric(value: float | None) -> str:
    """A ratio with 3 decimals; ``—`` when undefined (nothing to score)."""
    return "—" if value is None else f"{value:.3f}"


def fmt_value(value: Any) -> str:
    """A gold or predicted value as one line of text (``null`` for None)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return " ".join(str(value).split())


def score_cells(scores: Scores) -> list[str]:
    """The counts and metrics of one row, as text."""
    counts = [str(getattr(scores, c)) for c in SCORE_COLUMNS]
    return counts + [fmt_metric(getattr(scores, m)) for m in METRIC_COLUMNS]


def ordered_fields(doc: DocumentResult) -> list[FieldResult]:
    """The fields worth showing (true nulls left out): failures first, then correct."""
    shown = [f for f in doc.fields if f.outcome in OUTCOME_ORDER]
    return sorted(shown, key=lambda f: OUTCOME_ORDER[f.outcome])  # stable: contract order


def scored_fields(report: EvalReport) -> dict[str, Scores]:
    """Per-field scores for paths that had a value somewhere (gold or prediction)."""
    return {p: s for p, s in report.by_field.items() if s.accuracy is not None}


def meta_rows(report: EvalReport) -> list[tuple[str, str]]:
    """Run metadata as (label, value) pairs."""
    meta = report.meta
    rows = [
        ("backend", meta.backend),
        ("model", meta.model or "—"),
        ("prompt version", meta.prompt_version or "—"),
        ("timestamp", meta.timestamp),
        ("gold", f"{meta.gold_dir} ({meta.gold_pattern})"),
        ("documents", str(len(report.documents))),
    ]
    if meta.predictions_dir:
        rows.append(("predictions", meta.predictions_dir))
    else:
        rows.append(("docs", ", ".join(meta.docs_dirs)))
    return rows


# ============================================================================ JSON


def report_json(report: EvalReport) -> str:
    """``report.json``: the whole run (loadable again with ``report.load_report``)."""
    return report.model_dump_json(indent=1) + "\n"


# ============================================================================ Markdown


def _md(value: Any) -> str:
    """Text safe inside a Markdown table cell (no HTML, no pipes, one line)."""
    return html.escape(fmt_value(value), quote=False).replace("|", "\\|")


def _md_table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return [*lines, ""]


def render_markdown(report: EvalReport) -> str:
    """``report.md``: summary tables, then one table per document."""
    header = ["", *SCORE_COLUMNS, *METRIC_COLUMNS]
    out = ["# Evaluation report", ""]
    out += [f"- **{label}**: {_md(value)}" for label, value in meta_rows(report)]
    out += ["", f"_{METRICS_NOTE}_", "", "## Overall and per section", ""]
    rows = [["**overall**", *score_cells(report.overall)]]
    rows += [[name, *score_cells(s)] for name, s in report.by_section.items()]
    out += _md_table(header, rows)
    out += ["## By the record's own checks", ""]
    out += _md_table(header, [[name, *score_cells(s)] for name, s in report.by_check.items()])
    out += ["## Per document", ""]
    out += _md_table(header, [[_md(n), *score_cells(s)] for n, s in report.by_document.items()])
    out += ["## Per field", ""]
    out += _md_table(header, [[p, *score_cells(s)] for p, s in scored_fields(report).items()])
    for doc in report.documents:
        out += _md_document(doc)
    return "\n".join(out)


def _md_document(doc: DocumentResult) -> list[str]:
    out = [
        f"## {_md(doc.name)}",
        "",
        f"Document {_md(doc.document)}; "
        f"accuracy {fmt_metric(doc.scores.accuracy)}; {doc.scores.true_null} true nulls.",
        "",
    ]
    if doc.error:
        out += [f"**Error:** {_md(doc.error)}", ""]
    rows = [
        [
            f.outcome,
            f.path,
            _md(f.gold),
            _md(f.prediction),
            _md(f.evidence_quote or ""),
            _md(f.gold_quote or ""),
        ]
        for f in ordered_fields(doc)
    ]
    header = ["outcome", "field", "gold", "prediction", "evidence quote", "gold quote"]
    return out + _md_table(header, rows)


# ============================================================================ HTML

HTML_TEMPLATE = """<!DOCTYPE html>
<html lang="zh">
<head>
<meta charset="utf-8">
<title>Evaluation report — {{ meta.backend }}</title>
<style>
body { font-family: system-ui, "Noto Sans CJK SC", sans-serif; margin: 2rem; color: #222; }
table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; font-size: 0.9rem; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.quote { max-width: 28rem; color: #555; }
tr.wrong td.outcome { background: #f8d0d0; }
tr.missed td.outcome { background: #fbe3c0; }
tr.spurious td.outcome { background: #f3d0f0; }
tr.correct td.outcome { background: #d3f0d3; }
.note { color: #666; font-size: 0.85rem; }
.error { color: #a00; }
</style>
</head>
<body>
<h1>Evaluation report</h1>
<table class="meta">
{% for label, value in meta_rows %}<tr><th>{{ label }}</th><td>{{ value }}</td></tr>
{% endfor %}</table>
<p class="note">{{ note }}</p>

{% macro score_table(css, rows, link=False) %}
<table class="{{ css }}">
<tr><th></th>{% for c in columns %}<th>{{ c }}</th>{% endfor %}</tr>
{% for name, cells in rows %}<tr>
<td>{% if link %}<a href="#doc-{{ name }}">{{ name }}</a>{% else %}{{ name }}{% endif %}</td>
{%- for c in cells %}<td class="num">{{ c }}</td>{% endfor %}</tr>
{% endfor %}</table>
{% endmacro %}

<h2>Overall and per section</h2>
{{ score_table("summary", summary_rows) }}
<h2>Per document</h2>
{{ score_table("documents", document_rows, link=True) }}
<h2>Per field</h2>
{{ score_table("by-field", field_rows) }}

{% for doc in documents %}
<section class="document" id="doc-{{ doc.name }}">
<h2>{{ doc.name }}</h2>
<p>Document <code>{{ doc.document }}</code>
{%- if doc.view %} (<a class="view" href="{{ doc.view }}">view</a>){% endif %};
accuracy {{ doc.accuracy }};
{{ doc.true_null }} true nulls (both null) not listed.</p>
{% if doc.error %}<p class="error">{{ doc.error }}</p>{% endif %}
<table class="doc-fields" data-document="{{ doc.name }}">
<tr><th>outcome</th><th>field</th><th>gold</th><th>prediction</th><th>evidence quote</th>
<th>gold quote</th></tr>
{% for f in doc.rows %}<tr class="{{ f.outcome }}"><td class="outcome">{{ f.outcome }}</td>
<td>{% if f.href %}<a class="view" href="{{ f.href }}">{{ f.path }}</a>
{%- else %}{{ f.path }}{% endif %}</td><td>{{ f.gold }}</td><td>{{ f.prediction }}</td>
<td class="quote">{{ f.evidence_quote }}</td><td class="quote">{{ f.gold_quote }}</td></tr>
{% endfor %}</table>
</section>
{% endfor %}
</body>
</html>
"""

_ENV = Environment(autoescape=True, keep_trailing_newline=True)


def _view_href(doc: DocumentResult, base: Path | None) -> str | None:
    """The link from the report to a document's view (relative to the report's folder)."""
    if not doc.view:
        return None
    target = Path(doc.view)
    if base is not None:
        target = Path(os.path.relpath(target, base))
    return quote(target.as_posix())


def _field_href(view: str | None, field: FieldResult) -> str | None:
    """A failing field's place in the view: its quote (``f``), else the gold quote (``q``)."""
    if view is None or field.outcome not in FAILURES:
        return None
    params = {"f": field.path, **({"q": field.gold_quote} if field.gold_quote else {})}
    return f"{view}#{urlencode(params, quote_via=quote)}"


def _html_document(doc: DocumentResult, base: Path | None) -> dict[str, Any]:
    view = _view_href(doc, base)
    rows = [
        {
            "outcome": f.outcome,
            "path": f.path,
            "href": _field_href(view, f),
            "gold": fmt_value(f.gold),
            "prediction": fmt_value(f.prediction),
            "evidence_quote": f.evidence_quote or "",
            "gold_quote": f.gold_quote or "",
        }
        for f in ordered_fields(doc)
    ]
    return {
        "name": doc.name,
        "document": doc.document,
        "error": doc.error,
        "view": view,
        "rows": rows,
        "accuracy": fmt_metric(doc.scores.accuracy),
        "true_null": doc.scores.true_null,
    }


def render_html(report: EvalReport, base: Path | None = None) -> str:
    """``report.html``: self-contained (inline CSS, no scripts, no external assets), escaped.
    Failing fields link to their document's view, relative to ``base`` (the report's folder)."""
    return _ENV.from_string(HTML_TEMPLATE).render(
        meta=report.meta,
        meta_rows=meta_rows(report),
        note=METRICS_NOTE,
        columns=[*SCORE_COLUMNS, *METRIC_COLUMNS],
        summary_rows=[("overall", score_cells(report.overall))]
        + [(n, score_cells(s)) for n, s in report.by_section.items()]
        + [(f"checks: {n}", score_cells(s)) for n, s in report.by_check.items()],
        document_rows=[(n, score_cells(s)) for n, s in report.by_document.items()],
        field_rows=[(p, score_cells(s)) for p, s in scored_fields(report).items()],
        documents=[_html_document(d, base) for d in report.documents],
    )


# ============================================================================ files


def write_reports(report: EvalReport, out_dir: Path) -> list[Path]:
    """Write report.json, report.md and report.html into ``out_dir`` (atomically)."""
    renderers: dict[str, Callable[[EvalReport], str]] = {
        "report.json": report_json,
        "report.md": render_markdown,
        "report.html": lambda r: render_html(r, base=out_dir),
    }
    paths = []
    for name in REPORT_FILES:
        path = out_dir / name
        write_atomic(path, renderers[name](report))
        paths.append(path)
    return paths


# ============================================================================ terminal


# Terminal columns: (header, Scores attribute); the files carry every column.
DOCUMENT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("ok", "correct"),
    ("wrong", "wrong"),
    ("missed", "missed"),
    ("spur.", "spurious"),
    ("acc.", "accuracy"),
    ("F1", "f1"),
)
SECTION_COLUMNS: tuple[tuple[str, str], ...] = (
    ("ok", "correct"),
    ("wrong", "wrong"),
    ("missed", "missed"),
    ("spur.", "spurious"),
    ("null", "true_null"),
    ("acc.", "accuracy"),
    ("prec.", "precision"),
    ("recall", "recall"),
    ("F1", "f1"),
)


def _cell(scores: Scores, attribute: str) -> str:
    value = getattr(scores, attribute)
    return str(value) if isinstance(value, int) else fmt_metric(value)


def _score_table(
    title: str, first: str, rows: list[tuple[str, Scores]], columns: tuple[tuple[str, str], ...]
) -> Table:
    table = Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False)
    longest = max([len(first), *(len(name) for name, _ in rows)])
    table.add_column(first, overflow="fold", min_width=min(longest, 26))
    for header, _ in columns:
        table.add_column(header, justify="right", no_wrap=True, min_width=max(len(header), 5))
    for name, scores in rows:
        table.add_row(Text(name), *(_cell(scores, attribute) for _, attribute in columns))
    return table


def print_report(report: EvalReport, console: Console) -> None:
    """Per-document and per-section tables, with the overall row last."""
    meta = report.meta
    title = f"{len(report.documents)} documents, backend {meta.backend}"
    if meta.model:
        title += f", model {meta.model}"
    rows = [*report.by_document.items(), ("overall", report.overall)]
    console.print(_score_table(title, "document", rows, DOCUMENT_COLUMNS))
    sections = [*report.by_section.items(), ("overall", report.overall)]
    console.print(_score_table("per section", "section", sections, SECTION_COLUMNS))
    statuses = list(report.by_check.items())
    console.print(_score_table("by the record's own checks", "check", statuses, SECTION_COLUMNS))
    for doc in report.documents:
        if doc.error:
            console.print(Text.assemble((doc.name, "red"), f": {doc.error}"))
    console.print(METRICS_NOTE, style="dim", highlight=False)


def print_floor(checks: list[FloorCheck], backend: str, console: Console) -> None:
    """One line per floored gold set: accuracy vs. floor."""
    if not checks:
        console.print(f"no floor applies to backend {backend} and these gold files")
    for check in checks:
        verdict = "ok" if check.passed else "BELOW FLOOR"
        console.print(
            f"floor {check.backend}/{check.gold_set} ({check.documents} documents): "
            f"accuracy {fmt_metric(check.accuracy)} vs floor {check.floor:.2f}: "
            f"{verdict}",
            highlight=False,
        )


def print_comparison(comparison: Comparison, console: Console) -> None:
    """The fields that got better or worse, then the net change and both accuracies."""
    table = Table(
        title=f"A = {comparison.a}\nB = {comparison.b}", box=box.SIMPLE_HEAD, show_lines=True
    )
    changes: list[FieldChange] = [*comparison.worse, *comparison.better, *comparison.changed]
    longest = max([5, *(len(c.path) for c in changes), *(len(c.document) for c in changes)])
    table.add_column("change", no_wrap=True)
    table.add_column("document / field", no_wrap=True, min_width=min(longest, 54))
    table.add_column("A → B", no_wrap=True)
    table.add_column("gold / prediction A / prediction B", overflow="fold")
    for c in changes:
        style = {"worse": "red", "better": "green"}.get(c.change, "")
        values = (
            f"gold {fmt_value(c.gold)}\nA    {fmt_value(c.prediction_a)}\n"
            f"B    {fmt_value(c.prediction_b)}"
        )
        cells = (c.change, f"{c.document}\n{c.path}", f"{c.a}\n→ {c.b}", values)
        table.add_row(*(Text(cell) for cell in cells), style=style)
    console.print(table)
    console.print(
        f"better {len(comparison.better)}, worse {len(comparison.worse)}, "
        f"net change {comparison.net:+d}; other changes {len(comparison.changed)}",
        highlight=False,
    )
    console.print(
        f"overall accuracy: A {fmt_metric(comparison.accuracy_a)} → "
        f"B {fmt_metric(comparison.accuracy_b)}",
        highlight=False,
    )
    for label, names in (("only in A", comparison.only_in_a), ("only in B", comparison.only_in_b)):
        if names:
            console.print(f"{label}: {', '.join(names)}", highlight=False)


def comparison_json(comparison: Comparison) -> str:
    """The comparison for machines (``extract eval compare --json``)."""
    return json.dumps(comparison.model_dump(mode="json"), ensure_ascii=False, indent=2)

"""Render a view: one self-contained HTML page, the filing's text beside its record.

Every text taken from the filing or the record is escaped (``html.escape`` for the text,
jinja2's autoescape for the rest), and the page carries a Content-Security-Policy that
lets it fetch nothing and run no script but its own (named by its hash): a filing whose
text holds ``<script>`` shows the tag as text, and even a slip in escaping could not run it.
"""

from __future__ import annotations

import base64
import hashlib
import html
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, Template
from markupsafe import Markup

from .panel import Evidence, build_panel, check_status, format_value, record_checks
from .text import BLOCK_CHARS, Block, Highlight, layout_blocks

ASSETS = Path(__file__).parent / "assets"
# A run covered by several fields takes the gravest status: one conflict is a conflict,
# all confirmed is confirmed, anything else is neither.
STATUS_CLASS: dict[str, str] = {"conflict": "bad", "confirmed": "ok"}


@dataclass(frozen=True)
class Marks:
    """The record's evidence as drawn: highlight ids, and what could not be drawn."""

    highlights: tuple[Highlight, ...]
    evidence: dict[str, Evidence]
    status: dict[str, str]  # highlight id → check status of its field
    problems: tuple[str, ...]


def evidence_marks(record: Mapping[str, Any], original: str) -> Marks:
    """A highlight for every evidence span whose quote is the text at its offsets."""
    checks = record_checks(record)
    highlights: list[Highlight] = []
    evidence: dict[str, Evidence] = {}
    status: dict[str, str] = {}
    problems: list[str] = []
    for path, item in (record.get("evidence") or {}).items():
        start, end = item.get("start"), item.get("end")
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end):
            problems.append(f"{path}: evidence without a span; not drawn")
        elif original[start:end] != item.get("quote"):
            problems.append(f"{path}: the quote is not the text at {start}:{end}; not drawn")
        else:
            mark = f"e{len(highlights)}"
            highlights.append(Highlight(start, end, mark))
            evidence[path] = Evidence(mark, item.get("page"))
            status[mark] = check_status(path, checks)
    return Marks(tuple(highlights), evidence, status, tuple(problems))


def render_view(
    record: Mapping[str, Any],
    original: str,
    page_starts: Sequence[int] = (),
    *,
    block_chars: int = BLOCK_CHARS,
) -> str:
    """The view of ``record`` (as JSON) over ``original``, the text its evidence points
    into; ``page_starts``: where each page of a PDF begins in it."""
    marks = evidence_marks(record, original)
    blocks = layout_blocks(original, page_starts, marks.highlights, block_chars)
    sections = build_panel(record, marks.evidence)
    script, style = _asset("view.js"), _asset("view.css")
    return _template().render(
        title=_title(record),
        facts=_facts(record),
        warnings=[*(record.get("warnings") or []), *marks.problems],
        checked=bool(record_checks(record)),
        sections=sections,
        drawn=len(marks.highlights),
        body=Markup(text_html(blocks, marks.status)),
        style=Markup(style),
        script=Markup(script),
        csp=content_security_policy(script, style),
    )


def text_html(blocks: Iterable[Block], status: Mapping[str, str]) -> str:
    """The filing's text as HTML: pages (when known) of blocks of escaped runs."""
    out: list[str] = []
    page: int | None = None
    for block in blocks:
        if block.page is not None and block.page != page:
            if page is not None:
                out.append("</section>")
            page = block.page
            out.append(f'<section class="page" id="page-{page}" data-page="{page}">')
            out.append(f'<div class="pno">page {page}</div>')
        out.append(f'<div class="b" data-start="{block.start}">')
        for run in block.runs:
            text = html.escape(run.text, quote=False)
            if run.keys:
                css = _run_class(run.keys, status)
                out.append(f'<mark data-f="{" ".join(run.keys)}"{css}>{text}</mark>')
            else:
                out.append(text)
        out.append("</div>")
    if page is not None:
        out.append("</section>")
    return "".join(out)


def _run_class(keys: Sequence[str], status: Mapping[str, str]) -> str:
    found = {status.get(key, "") for key in keys}
    if "conflict" in found:
        return f' class="{STATUS_CLASS["conflict"]}"'
    if found == {"confirmed"}:
        return f' class="{STATUS_CLASS["confirmed"]}"'
    return ""


def content_security_policy(script: str, style: str) -> str:
    """Nothing may be fetched; only this page's own script and style may apply."""
    return (
        "default-src 'none'; "
        f"script-src '{_sha256(script)}'; style-src '{_sha256(style)}'; "
        "base-uri 'none'; form-action 'none'"
    )


def _sha256(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "sha256-" + base64.b64encode(digest).decode("ascii")


def _title(record: Mapping[str, Any]) -> str:
    filing = record.get("filing") or {}
    source = record.get("source") or {}
    return str(filing.get("title") or Path(str(source.get("path") or "filing")).name)


def _facts(record: Mapping[str, Any]) -> list[tuple[str, str]]:
    """What the header says of the filing and of the run that made the record."""
    filing = record.get("filing") or {}
    source = record.get("source") or {}
    facts = [
        ("company", " ".join(str(filing.get(k) or "") for k in ("company_name", "stock_code"))),
        ("type", filing.get("document_type")),
        ("file", source.get("path")),
        ("characters", source.get("chars")),
        ("pages", source.get("pages")),
        ("backend", " ".join(str(record.get(k) or "") for k in ("backend", "model"))),
    ]
    return [(label, format_value(value)) for label, value in facts if str(value or "").strip()]


@cache
def _asset(name: str) -> str:
    return (ASSETS / name).read_text(encoding="utf-8")


@cache
def _template() -> Template:
    env = Environment(loader=FileSystemLoader(ASSETS), autoescape=True)
    env.filters["breakable"] = breakable
    return env.get_template("view.html.j2")


def breakable(name: str) -> Markup:
    """A field name that may wrap after its underscores in a narrow column."""
    return Markup("_<wbr>").join(name.split("_"))

"""load → normalise → locate → extract (backend) → ground & validate → check → re-ask → record."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .backends.base import SectionResult
from .backends.llm.plan import Ask, Planner, Reask, can_state, merge_results
from .backends.rules import RulesBackend
from .checks import Checks, Printed, check_record, printed_in
from .config import Settings
from .core.schema import (
    CONTENT_SECTIONS,
    SECTION_MODELS,
    SECTION_NAMES,
    Evidence,
    Filing,
    Financials,
    Metric,
    Record,
    Source,
    Usage,
)
from .core.spans import Found
from .load.document import Document, document_from_bytes, read_document
from .reask import plan_reasks, settle


def extract_file(path: str | Path, settings: Settings | None = None) -> Record:
    """Extract one filing from disk (``.txt``, ``.md``, ``.html``, ``.pdf``, FinGLM JSON lines)."""
    settings = settings or Settings()
    return extract_document(_read(Path(path), settings), settings)


def extract_text(text: str, settings: Settings | None = None, *, name: str = "<text>") -> Record:
    """Extract from a string already decoded."""
    return extract_document(Document.from_text(text, path=name), settings or Settings())


def extract_bytes(
    data: bytes, settings: Settings | None = None, *, name: str = "<stdin>"
) -> Record:
    """Extract from raw bytes (stdin); decoding as for files."""
    settings = settings or Settings()
    return extract_document(document_from_bytes(data, name, settings.encoding), settings)


def extract_document(doc: Document, settings: Settings) -> Record:
    """Run the backend(s) the settings choose over every section and build the record."""
    if not settings.runs_llm:
        return build_record(doc, run_rules(doc), settings)
    from .backends.llm.backend import LLMBackend  # the LLM stack loads only when used

    llm = LLMBackend(settings)
    prepared = prepare_document(doc, settings, llm.planner)
    results = prepared.with_answers(llm.answer(doc, prepared.asks))
    review = review_answers(prepared, results, settings, llm.planner)
    return review.record(llm.answer(doc, review.reasks), prompt_version=llm.prompt_version)


@dataclass
class PreparedFiling:
    """A filing read and planned for the LLM: everything CPU-bound before its first call."""

    document: Document
    asks: dict[str, Ask]
    rule_results: dict[str, SectionResult] | None = None  # auto mode: the answers merge in

    def with_answers(self, answers: dict[str, SectionResult]) -> dict[str, SectionResult]:
        """Every section's result: the LLM's answers, merged into the rules' in auto mode
        (where both read a field the rules' value stays)."""
        if self.rule_results is None:
            return answers
        return merge_results(self.rule_results, answers)

    def rules_paths(self) -> set[str]:
        """The record paths of the figures the rules read (auto mode; none in llm mode)."""
        rules = self.rule_results or {}
        return {f"{section}.{path}" for section, result in rules.items() for path in result.fields}


@dataclass
class Review:
    """A filing's merged first answers, checked: the re-asks its failing identities need
    (none when all hold), and how their answers settle into the record."""

    prepared: PreparedFiling
    results: dict[str, SectionResult]
    settings: Settings
    printed: Printed
    checks: Checks
    reasks: dict[str, Reask]

    def record(
        self, answers: dict[str, SectionResult], *, prompt_version: str | None = None
    ) -> Record:
        """The record, the re-asks' ``answers`` settled in (:func:`reask.settle`)."""
        doc, settings = self.prepared.document, self.settings
        if not self.reasks:
            return build_record(
                doc, self.results, settings, prompt_version=prompt_version, checks=self.checks
            )
        settled = settle(
            self.results, answers, self.checks, self.prepared.rules_paths(), self.recheck
        )
        record = build_record(
            doc, settled.results, settings, prompt_version=prompt_version, printed=self.printed
        )
        stated = record.flat_fields()
        for path, status in settled.flagged.items():
            if stated.get(path) is not None:
                record.checks[path] = status
        return record

    def recheck(self, results: Mapping[str, SectionResult]) -> Checks:
        """The checks of the record these results make."""
        record = assemble_record(self.prepared.document, results, self.settings)
        return check_record(record, printed=self.printed)


def review_answers(
    prepared: PreparedFiling,
    results: dict[str, SectionResult],
    settings: Settings,
    planner: Planner | None = None,
) -> Review:
    """Check the merged first answers and plan a re-ask per section whose figures break an
    identity (CPU-bound: the document's printed figures are read once, here)."""
    doc = prepared.document
    printed = printed_in(doc)
    checks = check_record(assemble_record(doc, results, settings), printed=printed)
    reasks: dict[str, Reask] = {}
    if checks.conflicts:
        planner = planner or _planner(settings)
        reasks = plan_reasks(doc, planner, checks, results, prepared.asks)
    return Review(prepared, results, settings, printed, checks, reasks)


def prepare_filing(
    path: Path, settings: Settings, planner: Planner | None = None
) -> PreparedFiling:
    """Read a filing and prepare it (:func:`prepare_document`).

    Runs in a worker process in batches, so it takes and returns picklable values and
    imports nothing of the LLM client; ``planner`` defaults to one per process.
    """
    return prepare_document(_read(path, settings), settings, planner)


def _read(path: Path, settings: Settings) -> Document:
    return read_document(path, max_bytes=settings.max_bytes, encoding=settings.encoding)


def prepare_document(
    doc: Document, settings: Settings, planner: Planner | None = None
) -> PreparedFiling:
    """Run the rules (auto mode) and plan the asks (locate passages)."""
    planner = planner or _planner(settings)
    if settings.backend == "llm":
        return PreparedFiling(doc, planner.plan_all(doc, sections_it_can_state(doc)))
    rule_results = run_rules(doc)
    return PreparedFiling(doc, planner.plan_gaps(doc, rule_results), rule_results)


def sections_it_can_state(doc: Document) -> list[str]:
    """The sections the document's type carries (vocab/sections.yaml), its type read by the
    rules from its title: the LLM is not asked about a buyback in an interim report."""
    identified = RulesBackend().extract(doc, "filing").fields.get("document_type")
    kind = str(identified.value) if identified is not None else None
    return [section for section in SECTION_NAMES if can_state(section, kind)]


def run_rules(doc: Document) -> dict[str, SectionResult]:
    rules = RulesBackend()
    return {section: rules.extract(doc, section) for section in SECTION_NAMES}


@functools.lru_cache(maxsize=4)
def _planner(settings: Settings) -> Planner:
    return Planner(settings)


def warm_up(settings: Settings) -> None:
    """A new worker's first call: imports, vocabularies, templates and compiled patterns
    are loaded by preparing a one-line filing, before any real file arrives."""
    doc = Document.from_text("证券代码:000000 证券简称:示例 公告编号:2025-001\n", path="<warm-up>")
    _planner(settings).plan_all(doc, SECTION_NAMES)
    run_rules(doc)


def build_record(
    doc: Document,
    results: Mapping[str, SectionResult],
    settings: Settings,
    *,
    prompt_version: str | None = None,
    printed: Printed | None = None,
    checks: Checks | None = None,
) -> Record:
    """Turn section results into the contract record, with evidence in original offsets,
    and check it. ``prompt_version``: of the templates the LLM was asked with (recorded
    when it was); ``printed``: what the document prints elsewhere, if read already;
    ``checks``: of these very results, if run already."""
    record = assemble_record(doc, results, settings, prompt_version=prompt_version)
    if checks is None:
        checks = check_record(record, doc, printed=printed)
    record.checks = checks.status
    record.warnings.extend(checks.warnings)
    return record


def assemble_record(
    doc: Document,
    results: Mapping[str, SectionResult],
    settings: Settings,
    *,
    prompt_version: str | None = None,
) -> Record:
    """The record of section results, unchecked."""
    record = Record(
        source=Source(
            path=doc.path,
            sha256=doc.sha256,
            chars=len(doc.original),
            encoding=doc.encoding,
            pages=len(doc.page_starts) or None,
        ),
        backend=_backend_label(settings, results),
        model=settings.model if settings.runs_llm else None,
    )
    if record.backend != "rules":
        record.prompt_version = prompt_version
    usage = Usage()
    for section, result in results.items():
        record.warnings.extend(f"{section}: {w}" for w in result.warnings)
        usage.add(result.usage)
        if section != "filing" and not result.applies:
            continue  # a section that does not apply has no values, so no evidence
        for path, found in result.fields.items():
            record.evidence[f"{section}.{path}"] = evidence_for(doc, found)
    record.usage = usage
    record.filing = Filing(**_values(results.get("filing")))
    for name in CONTENT_SECTIONS:
        res = results.get(name)
        if res and res.applies:
            content = (
                _financials(res) if name == "financials" else SECTION_MODELS[name](**_values(res))
            )
            setattr(record, name, content)
    if record.filing.is_empty():
        record.warnings.append("not recognised as a listed-company filing")
    return record


def _backend_label(settings: Settings, results: Mapping[str, SectionResult]) -> str:
    if settings.backend == "llm":
        return "llm"
    if settings.runs_llm:
        used_llm = any(r.usage.calls or r.usage.cache_hits for r in results.values())
        return "rules+llm" if used_llm else "rules"
    return "rules"


def _values(result: SectionResult | None) -> dict[str, Any]:
    return result.values() if result else {}


def _financials(result: SectionResult) -> Financials:
    metrics: dict[str, dict[str, Any]] = {}
    for path, found in result.fields.items():
        metric, part = path.split(".", 1)
        metrics.setdefault(metric, {})[part] = found.value
    return Financials(**{m: Metric(**parts) for m, parts in metrics.items()})


def evidence_for(doc: Document, found: Found) -> Evidence:
    """Map a normalised span to the exact original quote."""
    start, end = doc.original_span(found.start, found.end)
    return Evidence(quote=doc.original[start:end], start=start, end=end, page=doc.page_of(start))

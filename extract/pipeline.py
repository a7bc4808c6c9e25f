"""load → normalise → locate → extract (backend) → ground & validate → record."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from .backends.base import Found, SectionResult
from .backends.rules import RulesBackend
from .config import Settings
from .document import Document, document_from_bytes, read_document
from .limits import CallLimiter
from .schema import (
    SECTIONS,
    Evidence,
    Filing,
    Financials,
    Metric,
    Record,
    SectionName,
    Source,
    Usage,
)

CONTENT_SECTIONS: tuple[SectionName, ...] = ("financials", "dividend", "buyback", "incentive")


def extract_file(path: str | Path, settings: Settings | None = None) -> Record:
    """Extract one filing from disk (``.txt``, ``.md``, ``.html`` or ``.pdf``)."""
    settings = settings or Settings()
    return extract_document(read_document(Path(path), max_bytes=settings.max_bytes), settings)


def extract_text(text: str, settings: Settings | None = None, *, name: str = "<text>") -> Record:
    """Extract from a string already decoded."""
    return extract_document(Document.from_text(text, path=name), settings or Settings())


def extract_bytes(
    data: bytes, settings: Settings | None = None, *, name: str = "<stdin>"
) -> Record:
    """Extract from raw bytes (stdin); decoding as for files."""
    return extract_document(document_from_bytes(data, name), settings or Settings())


def extract_document(doc: Document, settings: Settings) -> Record:
    """Run the backend(s) the settings choose over every section and build the record."""
    results = run_sections(doc, settings)
    return build_record(doc, results, settings)


def run_sections(doc: Document, settings: Settings) -> dict[str, SectionResult]:
    rules = RulesBackend()
    sections: tuple[SectionName, ...] = ("filing", *CONTENT_SECTIONS)
    if not settings.runs_llm:
        return {s: rules.extract(doc, s) for s in sections}
    from .backends.llm import LLMBackend  # the LLM stack loads only when used

    llm = LLMBackend(settings)
    if settings.backend == "llm":
        return llm.extract_all(doc, sections)
    rule_results = {s: rules.extract(doc, s) for s in sections}
    return llm.fill_gaps(doc, rule_results)


async def aextract_document(
    doc: Document, settings: Settings, *, limiter: CallLimiter | None = None
) -> Record:
    """As :func:`extract_document`, for an event loop: LLM calls are awaited (sections
    concurrently, each within ``limiter``'s budgets), the rules run in a worker thread."""
    results = await arun_sections(doc, settings, limiter)
    return build_record(doc, results, settings)


async def arun_sections(
    doc: Document, settings: Settings, limiter: CallLimiter | None = None
) -> dict[str, SectionResult]:
    rules = RulesBackend()
    sections: tuple[SectionName, ...] = ("filing", *CONTENT_SECTIONS)

    def run_rules() -> dict[str, SectionResult]:
        return {s: rules.extract(doc, s) for s in sections}

    if not settings.runs_llm:
        return await asyncio.to_thread(run_rules)
    from .backends.llm import LLMBackend

    llm = LLMBackend(settings, limiter)
    if settings.backend == "llm":
        return await llm.aextract_all(doc, sections)
    return await llm.afill_gaps(doc, await asyncio.to_thread(run_rules))


def build_record(doc: Document, results: dict[str, SectionResult], settings: Settings) -> Record:
    """Turn section results into the contract record, with evidence in original offsets."""
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
        from .templates import prompt_version

        record.prompt_version = prompt_version(settings)
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
    if (fin := results.get("financials")) and fin.applies:
        record.financials = _financials(fin)
    for name in ("dividend", "buyback", "incentive"):
        res = results.get(name)
        if res and res.applies:
            setattr(record, name, SECTIONS[name](**_values(res)))
    if record.filing.is_empty():
        record.warnings.append("not recognised as a listed-company filing")
    return record


def _backend_label(settings: Settings, results: dict[str, SectionResult]) -> str:
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

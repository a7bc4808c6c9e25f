"""load → normalise → locate → extract (backend) → ground & validate → record."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from .backends.base import SectionResult
from .backends.llm.limits import CallLimiter
from .backends.llm.plan import Ask, Planner, merge_results
from .backends.rules import RulesBackend
from .config import Settings
from .core.errors import ConfigError, InputError
from .core.schema import (
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
from .core.spans import Found
from .load.document import Document, document_from_bytes, read_document
from .workers import WorkerPool

if TYPE_CHECKING:
    from .backends.llm.backend import LLMBackend

T = TypeVar("T")

CONTENT_SECTIONS: tuple[SectionName, ...] = ("financials", "dividend", "buyback", "incentive")
SECTION_ORDER: tuple[SectionName, ...] = ("filing", *CONTENT_SECTIONS)
# Filings under this size are prepared in a thread: a few milliseconds of work, less than
# the round trip to a worker process (and no wait for one to start).
SMALL_FILING_BYTES = 64 * 1024


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
    if not settings.runs_llm:
        return build_record(doc, run_rules(doc), settings)
    from .backends.llm.backend import LLMBackend  # the LLM stack loads only when used

    llm = LLMBackend(settings)
    prepared = prepare_document(doc, settings, llm.planner)
    results = prepared.with_answers(llm.answer(doc, prepared.asks))
    return build_record(doc, results, settings, prompt_version=llm.prompt_version)


async def aextract_document(
    doc: Document, settings: Settings, *, limiter: CallLimiter | None = None
) -> Record:
    """As :func:`extract_document`, for an event loop (see :class:`AsyncPipeline`)."""
    async with AsyncPipeline(settings, limiter) as pipeline:
        return await pipeline.extract(doc)


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


def prepare_filing(
    path: Path, settings: Settings, planner: Planner | None = None
) -> PreparedFiling:
    """Read a filing and prepare it (:func:`prepare_document`).

    Runs in a worker process in batches, so it takes and returns picklable values and
    imports nothing of the LLM client; ``planner`` defaults to one per process.
    """
    return prepare_document(read_document(path, max_bytes=settings.max_bytes), settings, planner)


def prepare_document(
    doc: Document, settings: Settings, planner: Planner | None = None
) -> PreparedFiling:
    """Run the rules (auto mode) and plan the asks (locate passages)."""
    planner = planner or _planner(settings)
    if settings.backend == "llm":
        return PreparedFiling(doc, planner.plan_all(doc, SECTION_ORDER))
    rule_results = run_rules(doc)
    return PreparedFiling(doc, planner.plan_gaps(doc, rule_results), rule_results)


def run_rules(doc: Document) -> dict[str, SectionResult]:
    rules = RulesBackend()
    return {section: rules.extract(doc, section) for section in SECTION_ORDER}


def _is_small(path: Path) -> bool:
    """Quick enough to prepare in this process (a thread) than to send to a worker."""
    try:
        return path.stat().st_size < SMALL_FILING_BYTES
    except OSError:
        return True  # reading it will say what is wrong


@functools.lru_cache(maxsize=4)
def _planner(settings: Settings) -> Planner:
    return Planner(settings)


def _warm_up(settings: Settings) -> None:
    """A new worker's first call: imports, vocabularies, templates and compiled patterns
    are loaded by preparing a one-line filing, before any real file arrives."""
    doc = Document.from_text("证券代码:000000 证券简称:示例 公告编号:2025-001\n", path="<warm-up>")
    _planner(settings).plan_all(doc, SECTION_ORDER)
    run_rules(doc)


class AsyncPipeline:
    """Extracts any number of filings on one event loop (a batch).

    What the filings can share is built once: the compiled prompts and, inside
    ``async with``, one HTTP connection pool, one open response cache and ``workers``
    worker processes. With the LLM, each filing is prepared (:func:`prepare_filing`) in a
    worker process, then its sections are asked concurrently, each call within
    ``limiter``'s budgets. With the rules alone, a filing is extracted whole in a worker
    (the workers start with the first large filing). Small filings, and every filing when
    ``workers`` is 0, use a thread instead. The event loop itself only awaits, renders
    prompts and grounds answers.
    """

    def __init__(
        self, settings: Settings, limiter: CallLimiter | None = None, *, workers: int = 0
    ) -> None:
        self.settings = settings
        self.llm: LLMBackend | None = None
        if settings.runs_llm:
            from .backends.llm.backend import LLMBackend  # the LLM stack loads only when used

            self.llm = LLMBackend(settings, limiter)  # a broken template fails here
        # what a worker process needs to know: never the API key
        self.worker_settings = settings.with_(api_key=None)
        self._workers = workers
        self._pool: WorkerPool | None = None
        self._open = AsyncExitStack()

    async def __aenter__(self) -> AsyncPipeline:
        try:
            if self.llm is not None:
                await self._open.enter_async_context(self.llm.connected())
            if self._workers and self.llm is not None:
                # the LLM's clock is running once the batch starts: warm the workers first
                await self._start_pool().start(functools.partial(_warm_up, self.worker_settings))
        except BaseException as err:
            await self._open.aclose()
            if isinstance(err, BrokenProcessPool):
                raise ConfigError(
                    "worker processes could not start; use --workers 0 (a script that "
                    "runs a batch must guard its entry point: if __name__ == '__main__')"
                ) from err
            raise
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self._pool = None
        await self._open.aclose()

    async def extract_path(self, path: Path) -> Record:
        """Read and extract one filing from disk (raises ExtractError for a bad one)."""
        if self.llm is None:
            if not self._workers or _is_small(path):
                return await asyncio.to_thread(extract_file, path, self.settings)
            return await self._in_worker(extract_file, path)
        prepared = await self._prepare(path)
        return await self._answer(prepared)

    async def extract(self, doc: Document) -> Record:
        """Extract a document already read."""
        if self.llm is None:
            return await asyncio.to_thread(extract_document, doc, self.settings)
        prepare = functools.partial(prepare_document, doc, self.settings, self.llm.planner)
        return await self._answer(await asyncio.to_thread(prepare))

    async def _prepare(self, path: Path) -> PreparedFiling:
        assert self.llm is not None
        if not self._workers or _is_small(path):
            return await asyncio.to_thread(prepare_filing, path, self.settings, self.llm.planner)
        return await self._in_worker(prepare_filing, path)

    async def _in_worker(self, step: Callable[[Path, Settings], T], path: Path) -> T:
        """``step(path, settings)`` in a worker process, without the API key."""
        pool = self._pool or self._start_pool()
        try:
            return await pool.run(step, path, self.worker_settings)
        except BrokenProcessPool as err:
            raise InputError(
                f"{path}: the worker process reading it died twice (a crash in a native "
                "library; or a script that runs a batch without if __name__ == '__main__')"
            ) from err

    def _start_pool(self) -> WorkerPool:
        self._pool = WorkerPool(self._workers)
        self._open.callback(self._pool.close)
        return self._pool

    async def _answer(self, prepared: PreparedFiling) -> Record:
        assert self.llm is not None
        doc = prepared.document
        results = prepared.with_answers(await self.llm.aanswer(doc, prepared.asks))
        version = self.llm.prompt_version
        return await asyncio.to_thread(
            build_record, doc, results, self.settings, prompt_version=version
        )


def build_record(
    doc: Document,
    results: dict[str, SectionResult],
    settings: Settings,
    *,
    prompt_version: str | None = None,
) -> Record:
    """Turn section results into the contract record, with evidence in original offsets.
    ``prompt_version``: of the templates the LLM was asked with (recorded when it was)."""
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

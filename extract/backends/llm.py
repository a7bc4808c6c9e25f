"""The LLM backend: located passages in, grounded fields out.

For one section: locate the passages (extract/locate.py), render the section's prompt
(extract/templates.py), ask the endpoint for the section's answer model
(extract/llm_client.py: structure, retries, cache), then ground every value in the passages
(extract/ground.py). Values not found are re-asked once with the reason, then dropped with
a warning: an invented number never reaches the record. A failed call leaves the section
null with a warning; the run goes on.

Each section is a small generator that yields requests and receives replies, so the same
logic runs synchronously (``extract_all``, ``fill_gaps``) and concurrently
(``aextract_all``, ``afill_gaps``).
"""

from __future__ import annotations

import asyncio
from collections.abc import (
    AsyncIterator,
    Awaitable,
    Callable,
    Generator,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
)
from contextlib import asynccontextmanager, contextmanager
from functools import cache
from typing import Any, cast

from ..config import Settings
from ..document import Document
from ..ground import Grounder, cross_check
from ..limits import CallLimiter
from ..llm_client import AsyncLLMClient, LLMClient, LLMReply, LLMRequest
from ..llm_models import ANSWERS, Answer
from ..locate import Locator, section_budget
from ..schema import METRICS, Usage
from ..templates import PromptSet, load_prompts
from ..vocab import load_vocab
from .base import Found, SectionResult

Flow = Generator[LLMRequest[Answer], LLMReply[Answer], SectionResult]
# Characters kept free for the 【片段N】 labels around the passages.
_PASSAGE_LABELS = 60
SyncCall = Callable[[LLMRequest[Answer]], LLMReply[Answer]]
AsyncCall = Callable[[LLMRequest[Answer]], Awaitable[LLMReply[Answer]]]


class LLMBackend:
    """Extracts contract sections with any OpenAI-compatible model."""

    name = "llm"

    def __init__(self, settings: Settings, limiter: CallLimiter | None = None) -> None:
        self.settings = settings
        self.limiter = limiter  # requests/tokens per minute, shared with a batch
        self.prompts: PromptSet = load_prompts(settings)  # a broken template fails here
        self._documents: dict[int, tuple[Document, Locator, Grounder]] = {}
        self._overheads: dict[tuple[str, tuple[str, ...]], int] = {}

    @property
    def prompt_version(self) -> str:
        return self.prompts.version

    # --- synchronous -----------------------------------------------------------------

    def extract(self, document: Document, section: str) -> SectionResult:
        """One section, one call over its located passages (two if a value is re-asked)."""
        with self._client() as client:
            return drive(self.flow(document, section), client.complete)

    def extract_all(self, doc: Document, sections: Iterable[str]) -> dict[str, SectionResult]:
        """Every section, in order."""
        with self._client() as client:
            return {s: drive(self.flow(doc, s), client.complete) for s in sections}

    def fill_gaps(
        self, doc: Document, rule_results: Mapping[Any, SectionResult]
    ) -> dict[str, SectionResult]:
        """Auto mode: ask only about sections the rules left incomplete; merge only the
        fields the rules left null (the rules' values win)."""
        gaps = sections_to_ask(rule_results)
        if not gaps:
            return dict(rule_results)
        with self._client() as client:
            answers = {
                s: drive(self.flow(doc, s, missing_fields(s, rule_results[s])), client.complete)
                for s in gaps
            }
        return merge_results(rule_results, answers)

    # --- asynchronous ----------------------------------------------------------------

    async def aextract_all(
        self, doc: Document, sections: Iterable[str]
    ) -> dict[str, SectionResult]:
        """As :meth:`extract_all`, the sections asked concurrently."""
        names = list(sections)
        async with self._aclient() as client:
            flows = (adrive(self.flow(doc, s), client.complete) for s in names)
            results = await asyncio.gather(*flows)
        return dict(zip(names, results, strict=True))

    async def afill_gaps(
        self, doc: Document, rule_results: Mapping[Any, SectionResult]
    ) -> dict[str, SectionResult]:
        """As :meth:`fill_gaps`, the gaps asked concurrently."""
        gaps = sections_to_ask(rule_results)
        if not gaps:
            return dict(rule_results)
        async with self._aclient() as client:
            flows = (
                adrive(self.flow(doc, s, missing_fields(s, rule_results[s])), client.complete)
                for s in gaps
            )
            results = await asyncio.gather(*flows)
        return merge_results(rule_results, dict(zip(gaps, results, strict=True)))

    # --- one section -----------------------------------------------------------------

    def flow(self, doc: Document, section: str, focus: Sequence[str] = ()) -> Flow:
        """Locate, ask, ground, re-ask what is not grounded, cross-check. ``focus``: the
        fields still wanted (auto mode), which steers location and the prompt."""
        _, locator, grounder = self._state(doc)
        passages = locator.passages(section, self.passage_budget(section, focus), focus)
        if not passages:  # no passage mentions the section: nothing to ask
            return SectionResult()
        model = ANSWERS[section]
        messages = self.prompts.messages(section, passages, focus)
        usage = Usage()
        reply = yield LLMRequest(messages, model)
        usage.add(reply.usage)
        if reply.answer is None:
            return _failed(reply.error, usage)
        first = grounder.ground(reply.answer, passages)
        retry = None
        if first.ungrounded:
            followup = [
                *messages,
                {"role": "assistant", "content": reply.answer.model_dump_json(exclude_none=True)},
                {"role": "user", "content": self.prompts.reask_ground(first.ungrounded)},
            ]
            second = yield LLMRequest(followup, model)
            usage.add(second.usage)
            if second.answer is not None:
                retry = grounder.ground(second.answer, passages)
        found, warnings = first.settle(retry)
        warnings += cross_check(section, {path: f.value for path, f in found.items()})
        applies = section == "filing" or bool(found)
        return SectionResult(applies=applies, fields=found, warnings=warnings, usage=usage)

    def passage_budget(self, section: str, focus: Sequence[str] = ()) -> int:
        """Characters of passages one call for ``section`` may carry (its share of the
        prompt budget, less the prompt's own text)."""
        key = (section, tuple(focus))
        if key not in self._overheads:
            self._overheads[key] = self.prompts.overhead(section, focus)
        overhead = self._overheads[key] + _PASSAGE_LABELS
        return max(section_budget(section, self.settings.prompt_budget_chars) - overhead, 0)

    def requests_for(
        self, doc: Document, section: str, focus: Sequence[str] = ()
    ) -> list[LLMRequest[Answer]]:
        """The first request of a section, as it would be sent (for the bench)."""
        flow = self.flow(doc, section, focus)
        try:
            return [next(flow)]
        except StopIteration:
            return []
        finally:
            flow.close()

    def _state(self, doc: Document) -> tuple[Document, Locator, Grounder]:
        # keyed by id, with the document held so the id cannot be reused meanwhile
        state = self._documents.get(id(doc))
        if state is None:
            state = self._documents[id(doc)] = (doc, Locator(doc), Grounder(doc))
        return state

    @contextmanager
    def _client(self) -> Iterator[LLMClient]:
        client = LLMClient(self.settings, self.prompts.version)
        try:
            yield client
        finally:
            client.close()

    @asynccontextmanager
    async def _aclient(self) -> AsyncIterator[AsyncLLMClient]:
        client = AsyncLLMClient(self.settings, self.prompts.version, self.limiter)
        try:
            yield client
        finally:
            await client.close()


def _failed(error: str | None, usage: Usage) -> SectionResult:
    reason = error or "the LLM gave no answer"
    return SectionResult(warnings=[f"{reason}; section left null"], usage=usage)


# --- drivers -----------------------------------------------------------------------------


def drive(flow: Flow, call: SyncCall) -> SectionResult:
    """Run a section flow, answering its requests with ``call``."""
    try:
        request = next(flow)
        while True:
            request = flow.send(call(request))
    except StopIteration as done:
        return cast(SectionResult, done.value)


async def adrive(flow: Flow, call: AsyncCall) -> SectionResult:
    """Run a section flow, answering its requests with an awaited ``call``."""
    try:
        request = next(flow)
        while True:
            request = flow.send(await call(request))
    except StopIteration as done:
        return cast(SectionResult, done.value)


# --- auto mode: which gaps, and merging ----------------------------------------------------


def sections_to_ask(rule_results: Mapping[str, SectionResult]) -> list[str]:
    """Sections the rules left incomplete and the document type can state."""
    filing = rule_results.get("filing")
    doc_type = filing.fields.get("document_type") if filing else None
    kind = str(doc_type.value) if doc_type is not None else None
    return [
        section
        for section, result in rule_results.items()
        if not is_complete(section, result) and can_state(section, kind)
    ]


def missing_fields(section: str, result: SectionResult) -> list[str]:
    """Contract fields (metrics, for financials) of which the rules found nothing."""
    found = {path.split(".", 1)[0] for path in result.fields}
    names = METRICS if section == "financials" else tuple(ANSWERS[section].model_fields)
    return [name for name in names if name not in found and name != "quotes"]


def is_complete(section: str, result: SectionResult) -> bool:
    """Does the rules result satisfy one of the section's ``complete_when`` field sets?"""
    return any(
        all(_satisfied(result, term) for term in terms)
        for terms in _llm_vocab()["complete_when"].get(section, [])
    )


def _satisfied(result: SectionResult, term: str) -> bool:
    path, _, expected = term.partition("=")
    found = result.fields.get(path)
    if found is None:
        return False
    return not expected or str(found.value).lower() == expected.lower()


def can_state(section: str, document_type: str | None) -> bool:
    """Can a document of this type state this section (vocab/sections.yaml)?"""
    kinds = load_vocab("sections")["applies_to"].get(section)
    return document_type is None or kinds is None or document_type in kinds


def merge_results(
    rules: Mapping[str, SectionResult], answers: Mapping[str, SectionResult]
) -> dict[str, SectionResult]:
    """Rules results with the LLM's answers merged into the sections it was asked about."""
    return {s: merge(r, answers[s]) if s in answers else r for s, r in rules.items()}


def merge(rules: SectionResult, llm: SectionResult) -> SectionResult:
    """Fields the rules left null come from the LLM; where both read a field, the rules'
    value stays and a disagreement is a warning."""
    fields: dict[str, Found] = dict(rules.fields)
    warnings = [*rules.warnings, *llm.warnings]
    for path, found in llm.fields.items():
        kept = fields.get(path)
        if kept is None:
            fields[path] = found
        elif not _same(kept.value, found.value):
            warnings.append(
                f"{path}: the LLM read {found.value}, the rules {kept.value}; kept the rules' value"
            )
    usage = Usage()
    usage.add(rules.usage)
    usage.add(llm.usage)
    return SectionResult(
        applies=rules.applies or bool(llm.fields), fields=fields, warnings=warnings, usage=usage
    )


def _same(a: Any, b: Any) -> bool:
    numbers = (int, float)
    if all(isinstance(x, numbers) and not isinstance(x, bool) for x in (a, b)):
        return abs(float(a) - float(b)) <= 1e-9 * max(abs(float(a)), abs(float(b)), 1.0)
    return str(a).replace(" ", "") == str(b).replace(" ", "")


@cache
def _llm_vocab() -> dict[str, Any]:
    return load_vocab("llm")

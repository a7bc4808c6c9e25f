"""The LLM backend: located passages in, grounded fields out.

For one section: locate the passages (planned in ``plan``), render the section's prompt
(``prompts``), ask the endpoint for the section's answer model (``client``: structure,
retries, cache), then ground every value in the passages (``ground``). Values not found
are re-asked once with the reason, then dropped with a warning: an invented number never
reaches the record. A failed call leaves the section null with a warning; the run goes on.
A :class:`~.plan.Reask` (figures that break an identity of the checks) is one more call,
grounded the same way; what it returns is only about the figures it names.

Planning (which sections, which fields, which passages) is ``plan``; this module asks what
was planned. Each section is a small generator that yields requests and receives replies,
so the same logic runs synchronously (``answer``) and concurrently (``aanswer``, whose
plans may come from a worker process). Inside :meth:`LLMBackend.connected` every document
shares one HTTP connection pool and one open response cache.
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
)
from contextlib import asynccontextmanager, contextmanager
from typing import cast

from ...config import Settings
from ...core.schema import Usage
from ...load.document import Document
from ..base import SectionResult
from .answers import ANSWERS, Answer
from .client import AsyncLLMClient, LLMClient
from .ground import Grounder
from .limits import CallLimiter
from .plan import Ask, Planner, Reask
from .prompts import PromptSet
from .request import LLMReply, LLMRequest

Flow = Generator[LLMRequest[Answer], LLMReply[Answer], SectionResult]
SyncCall = Callable[[LLMRequest[Answer]], LLMReply[Answer]]
AsyncCall = Callable[[LLMRequest[Answer]], Awaitable[LLMReply[Answer]]]


class LLMBackend:
    """Extracts contract sections with any OpenAI-compatible model."""

    name = "llm"

    def __init__(self, settings: Settings, limiter: CallLimiter | None = None) -> None:
        self.settings = settings
        self.limiter = limiter  # requests/tokens per minute, shared with a batch
        self.planner = Planner(settings)  # a broken template fails here
        self.prompts: PromptSet = self.planner.prompts
        self._shared_client: AsyncLLMClient | None = None  # set inside connected()

    @property
    def prompt_version(self) -> str:
        return self.prompts.version

    # --- synchronous -----------------------------------------------------------------

    def extract(self, document: Document, section: str) -> SectionResult:
        """One section, one call over its located passages (two if a value is re-asked)."""
        return self.extract_all(document, [section])[section]

    def extract_all(self, doc: Document, sections: Iterable[str]) -> dict[str, SectionResult]:
        """Every section, in order."""
        return self.answer(doc, self.planner.plan_all(doc, sections))

    def answer(self, doc: Document, asks: Mapping[str, Ask | Reask]) -> dict[str, SectionResult]:
        """Ask what was planned (first asks or re-asks), section by section."""
        if not asks:
            return {}
        grounder = Grounder(doc)
        with self._client() as client:
            return {s: drive(self.any_flow(grounder, a), client.complete) for s, a in asks.items()}

    # --- asynchronous ----------------------------------------------------------------

    async def aanswer(
        self, doc: Document, asks: Mapping[str, Ask | Reask]
    ) -> dict[str, SectionResult]:
        """As :meth:`answer`, the sections asked concurrently (``asks`` may come from a
        worker process)."""
        if not asks:
            return {}
        grounder = Grounder(doc)
        async with self._aclient() as client:
            flows = (adrive(self.any_flow(grounder, a), client.complete) for a in asks.values())
            results = await asyncio.gather(*flows)
        return dict(zip(asks, results, strict=True))

    @asynccontextmanager
    async def connected(self) -> AsyncIterator[LLMBackend]:
        """Inside, every asynchronous call shares one client: one HTTP connection pool and
        one open response cache, instead of one per document."""
        async with self._aclient() as client:
            self._shared_client = client
            try:
                yield self
            finally:
                self._shared_client = None

    # --- one section -----------------------------------------------------------------

    def flow(self, grounder: Grounder, ask: Ask) -> Flow:
        """Ask, ground, re-ask what is not grounded, cross-check. ``ask.focus``: the fields
        still wanted (auto mode), which steers the prompt."""
        section, passages = ask.section, list(ask.passages)
        if not passages:  # no passage mentions the section: nothing to ask
            return SectionResult()
        model = ANSWERS[section]
        messages = self.prompts.messages(section, passages, ask.focus)
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
        applies = section == "filing" or bool(found)
        return SectionResult(applies=applies, fields=found, warnings=warnings, usage=usage)

    def reask_flow(self, grounder: Grounder, reask: Reask) -> Flow:
        """Ask again about figures that break identities; the result holds the figures named
        (``reask.focus``) that the answer gives and the passages print, nothing else."""
        messages = self.prompts.reask_check(
            reask.section, reask.passages, reask.focus, reask.doubts
        )
        reply = yield LLMRequest(messages, ANSWERS[reask.section])
        if reply.answer is None:
            reason = reply.error or "the LLM gave no answer"
            return SectionResult(warnings=[f"re-ask failed: {reason}"], usage=reply.usage)
        grounded = grounder.ground(reply.answer, reask.passages)
        found = {p: f for p, f in grounded.found.items() if p in reask.focus}
        warnings = [
            f"re-asked {d.path}: {d.value} not found in the source; not used"
            for d in grounded.ungrounded
            if d.path in reask.focus
        ]
        return SectionResult(
            applies=bool(found), fields=found, warnings=warnings, usage=reply.usage
        )

    def any_flow(self, grounder: Grounder, ask: Ask | Reask) -> Flow:
        """The flow of a first ask or of a re-ask."""
        if isinstance(ask, Reask):
            return self.reask_flow(grounder, ask)
        return self.flow(grounder, ask)

    def requests_for(
        self, doc: Document, section: str, focus: tuple[str, ...] = ()
    ) -> list[LLMRequest[Answer]]:
        """The first request of a section, as it would be sent (for the bench)."""
        asks = self.planner.plan(doc, {section: focus})
        flow = self.flow(Grounder(doc), asks[section])
        try:
            return [next(flow)]
        except StopIteration:
            return []
        finally:
            flow.close()

    @contextmanager
    def _client(self) -> Iterator[LLMClient]:
        client = LLMClient(self.settings, self.prompts.version)
        try:
            yield client
        finally:
            client.close()

    @asynccontextmanager
    async def _aclient(self) -> AsyncIterator[AsyncLLMClient]:
        if self._shared_client is not None:
            yield self._shared_client
            return
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
    step = advance(flow, None)
    while not isinstance(step, SectionResult):
        step = advance(flow, call(step))
    return step


async def adrive(flow: Flow, call: AsyncCall) -> SectionResult:
    """Run a section flow, answering its requests with an awaited ``call``. The flow's own
    steps (rendering a prompt, grounding an answer in its passages) are short and run on
    the loop; moving them to threads was measured slower (GIL hand-offs)."""
    step = advance(flow, None)
    while not isinstance(step, SectionResult):
        step = advance(flow, await call(step))
    return step


def advance(flow: Flow, reply: LLMReply[Answer] | None) -> LLMRequest[Answer] | SectionResult:
    """One step of ``flow``: its next request, or its result once it has finished (never
    StopIteration, which cannot cross into an asyncio future)."""
    try:
        return next(flow) if reply is None else flow.send(reply)
    except StopIteration as done:
        return cast(SectionResult, done.value)

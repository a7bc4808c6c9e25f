"""The batch's engine: many filings on one event loop, their CPU-bound half in worker processes.

What the filings can share is built once: the compiled prompts, one HTTP connection pool,
one open response cache, and the worker processes.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from contextlib import AsyncExitStack
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from ..backends.llm.limits import CallLimiter
from ..config import Settings
from ..core.errors import ConfigError, InputError
from ..core.schema import Record
from ..load.document import Document
from ..pipeline import (
    PreparedFiling,
    extract_document,
    prepare_document,
    review_answers,
    warm_up,
)
from .remote import extract_location, prepare_location
from .walk import Location, is_url
from .workers import WorkerPool

if TYPE_CHECKING:
    from ..backends.llm.backend import LLMBackend

T = TypeVar("T")

# Filings under this size are prepared in a thread: a few milliseconds of work, less than
# the round trip to a worker process (and no wait for one to start).
SMALL_FILING_BYTES = 64 * 1024


async def aextract_document(
    doc: Document, settings: Settings, *, limiter: CallLimiter | None = None
) -> Record:
    """As :func:`extract_document`, for an event loop (see :class:`AsyncPipeline`)."""
    async with AsyncPipeline(settings, limiter) as pipeline:
        return await pipeline.extract(doc)


class AsyncPipeline:
    """Extracts any number of filings on one event loop (a batch).

    What the filings can share is built once: the compiled prompts and, inside
    ``async with``, one HTTP connection pool, one open response cache and ``workers``
    worker processes. With the LLM, each filing is prepared (:func:`prepare_filing`) in a
    worker process, then its sections are asked concurrently, each call within
    ``limiter``'s budgets; figures that break an identity of the checks are then asked
    about once more, concurrently too. With the rules alone, a filing is extracted whole in
    a worker (the workers start with the first large filing). Small filings, and every
    filing when ``workers`` is 0, use a thread instead. The event loop itself only awaits,
    renders prompts and grounds answers.
    """

    def __init__(
        self, settings: Settings, limiter: CallLimiter | None = None, *, workers: int = 0
    ) -> None:
        self.settings = settings
        self.llm: LLMBackend | None = None
        if settings.runs_llm:
            from ..backends.llm.backend import LLMBackend  # the LLM stack loads only when used

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
                await self._start_pool().start(functools.partial(warm_up, self.worker_settings))
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

    async def extract_path(self, path: Location) -> Record:
        """Read and extract one filing from disk or a URL (raises ExtractError for a bad one)."""
        if self.llm is None:
            if not self._workers or _is_small(path):
                return await asyncio.to_thread(extract_location, path, self.settings)
            return await self._in_worker(extract_location, path)
        prepared = await self._prepare(path)
        return await self._answer(prepared)

    async def extract(self, doc: Document) -> Record:
        """Extract a document already read."""
        if self.llm is None:
            return await asyncio.to_thread(extract_document, doc, self.settings)
        prepare = functools.partial(prepare_document, doc, self.settings, self.llm.planner)
        return await self._answer(await asyncio.to_thread(prepare))

    async def _prepare(self, path: Location) -> PreparedFiling:
        assert self.llm is not None
        if not self._workers or _is_small(path):
            planner = self.llm.planner
            return await asyncio.to_thread(prepare_location, path, self.settings, planner)
        return await self._in_worker(prepare_location, path)

    async def _in_worker(self, step: Callable[[Location, Settings], T], path: Location) -> T:
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
        review = await asyncio.to_thread(
            review_answers, prepared, results, self.settings, self.llm.planner
        )
        answers = await self.llm.aanswer(doc, review.reasks)
        return await asyncio.to_thread(
            review.record, answers, prompt_version=self.llm.prompt_version
        )


def _is_small(path: Location) -> bool:
    """Quick enough to prepare in this process (a thread) than to send to a worker (a URL
    never is: it is fetched first)."""
    if is_url(path):
        return False
    try:
        return Path(path).stat().st_size < SMALL_FILING_BYTES
    except OSError:
        return True  # reading it will say what is wrong

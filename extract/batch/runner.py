"""The runner: at most ``concurrency`` filings in flight, each skipped, extracted or failed.

Test hook: ``EXTRACT_BATCH_TEST_DELAY=SECONDS`` adds an asynchronous pause before each
extraction, so tests can interrupt or kill a run part-way. It is read here and nowhere else.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from ..backends.llm.limits import CallLimiter
from ..config import Settings
from ..core.errors import ExtractError, InputError
from ..core.schema import Record
from .engine import AsyncPipeline
from .progress import QuietReporter, Reporter
from .store import OutputFolder, settings_fingerprint
from .summary import BatchSummary, FileResult
from .walk import DEFAULT_GLOBS, InputFile, file_sha256, iter_filings

TEST_DELAY_ENV = "EXTRACT_BATCH_TEST_DELAY"


@dataclass(frozen=True)
class BatchOptions:
    """How a batch runs (what is extracted is decided by :class:`Settings`)."""

    out: Path
    globs: tuple[str, ...] = DEFAULT_GLOBS
    concurrency: int = 4
    rpm: float | None = None  # LLM requests per minute, shared by all workers
    tpm: float | None = None  # LLM tokens per minute, shared by all workers
    workers: int | None = None  # processes preparing filings for the LLM; None: one per CPU
    force: bool = False  # re-extract even records that are up to date

    def worker_processes(self) -> int:
        return self.workers if self.workers is not None else os.cpu_count() or 1


ExtractOne = Callable[[Path], Awaitable[Record]]
"""``async (path) -> Record``; raises ExtractError for a bad filing. By default
:meth:`AsyncPipeline.extract_path` of one pipeline shared by the whole batch: the LLM
connection, response cache and compiled prompts are opened once, and blocking work runs in
worker threads."""


class _Runner:
    """Feeds filings to at most ``concurrency`` tasks and records what becomes of each."""

    def __init__(
        self,
        root: Path,
        options: BatchOptions,
        settings: Settings,
        out: OutputFolder,
        reporter: Reporter,
        extract: ExtractOne,
    ) -> None:
        self.root = root
        self.options = options
        self.settings = settings
        self.out = out
        self.reporter = reporter
        self.extract = extract
        self.fingerprint = settings_fingerprint(settings)
        self.summary = BatchSummary(out=str(options.out))
        self.test_delay = float(os.environ.get(TEST_DELAY_ENV) or 0)
        self.stopping = False
        self.in_flight: set[asyncio.Task[None]] = set()

    def filings(self) -> Iterator[InputFile]:
        return iter_filings(self.root, self.options.globs, exclude=self.options.out)

    # -- scheduling --------------------------------------------------------------------------

    async def run(self) -> None:
        """Schedule every filing, then wait for the last ones to finish."""
        slots = asyncio.Semaphore(self.options.concurrency)
        filings = self.filings()
        while not self.stopping:
            filing = await asyncio.to_thread(next, filings, None)
            if filing is None:
                break
            await slots.acquire()
            if self.stopping:
                break
            self.summary.found += 1
            task = asyncio.create_task(self._handle(filing))
            self.in_flight.add(task)
            task.add_done_callback(self.in_flight.discard)
            task.add_done_callback(lambda _: slots.release())
        await asyncio.gather(*self.in_flight, return_exceptions=True)

    def interrupt(self) -> None:
        """First Ctrl-C: schedule nothing more, let running files finish. Second: abandon them."""
        if not self.stopping:
            self.stopping = True
            self.summary.interrupted = True
            self.reporter.note(
                f"interrupted: finishing {len(self.in_flight)} file(s) in progress "
                "(Ctrl-C again to abandon them)"
            )
            return
        self.reporter.note("abandoning files in progress; they will be redone next run")
        for task in self.in_flight:
            task.cancel()

    async def count_total(self) -> None:
        """Count the filings (a second, cheap walk) so the progress bar can show an ETA."""
        total = await asyncio.to_thread(lambda: sum(1 for _ in self.filings()))
        self.reporter.set_total(total)

    # -- one filing --------------------------------------------------------------------------

    async def _handle(self, filing: InputFile) -> None:
        result = await self._process(filing)
        if result.status == "ok":
            self.summary.done += 1
            self.summary.add_usage(result.usage)
        elif result.status == "skipped":
            self.summary.skipped += 1
        else:
            self.summary.failed += 1
        self.reporter.file_done(result, self.summary)

    async def _process(self, filing: InputFile) -> FileResult:
        """Skip, extract and commit, or fail: never raises (except when cancelled)."""
        sha256: str | None = None
        try:
            sha256 = await asyncio.to_thread(file_sha256, filing.path)
            if (
                sha256
                and not self.options.force
                and await asyncio.to_thread(self.out.is_current, filing, sha256, self.fingerprint)
            ):
                return FileResult(filing, "skipped")
            if self.test_delay:
                await asyncio.sleep(self.test_delay)
            record = await self.extract(filing.path)
            await asyncio.to_thread(self.out.commit, filing, record, self.fingerprint)
            return FileResult(filing, "ok", usage=record.usage)
        except ExtractError as err:
            result = FileResult(filing, "error", kind=type(err).__name__, message=str(err))
        except Exception as err:  # a bug on one file must not stop the batch
            message = f"{type(err).__name__}: {err}"
            result = FileResult(filing, "error", kind="internal", message=message)
        await asyncio.to_thread(self._record_failure, result, sha256)
        return result

    def _record_failure(self, result: FileResult, sha256: str | None) -> None:
        self.out.invalidate_if_changed(result.filing, sha256)
        self.out.log_error(result)


@contextmanager
def _on_sigint(callback: Callable[[], None]) -> Iterator[None]:
    """Route Ctrl-C to ``callback`` while inside (only possible in the main thread)."""
    loop = asyncio.get_running_loop()
    try:
        loop.add_signal_handler(signal.SIGINT, callback)
    except (NotImplementedError, RuntimeError, ValueError):  # Windows, or not the main thread
        yield
        return
    try:
        yield
    finally:
        loop.remove_signal_handler(signal.SIGINT)


async def arun_batch(
    root: Path,
    options: BatchOptions,
    settings: Settings,
    *,
    reporter: Reporter | None = None,
    extract: ExtractOne | None = None,
) -> BatchSummary:
    """Run a batch inside a running event loop; see the module docstring."""
    check_input_folder(root)
    limiter = CallLimiter(options.rpm, options.tpm, max_in_flight=options.concurrency)
    # Start-up, before the clock and before any file is touched: import the LLM stack
    # (openai builds ~1,900 pydantic models), compile the templates (a broken one fails
    # here), open the LLM client and start the worker processes.
    async with AsyncPipeline(settings, limiter, workers=options.worker_processes()) as pipeline:
        return await _run(root, options, settings, reporter, extract or pipeline.extract_path)


async def _run(
    root: Path,
    options: BatchOptions,
    settings: Settings,
    reporter: Reporter | None,
    extract: ExtractOne,
) -> BatchSummary:
    started = time.perf_counter()
    reporter = reporter or QuietReporter()
    out = OutputFolder(options.out)
    out.open()
    runner = _Runner(root, options, settings, out, reporter, extract)
    counting: asyncio.Task[None] | None = None
    reporter.start()
    try:
        if reporter.wants_total:
            counting = asyncio.create_task(runner.count_total())
        with _on_sigint(runner.interrupt):
            await runner.run()
            types = await asyncio.to_thread(
                out.rebuild_results, runner.filings(), runner.fingerprint
            )
            runner.summary.document_types = dict(sorted(types.items()))
    finally:
        if counting is not None:
            counting.cancel()
            with suppress(asyncio.CancelledError):
                await counting
        reporter.stop()
        runner.summary.wall_s = time.perf_counter() - started
        with suppress(OSError):
            out.write_summary(runner.summary)
        out.close()
    return runner.summary


def run_batch(
    root: Path,
    options: BatchOptions,
    settings: Settings,
    *,
    reporter: Reporter | None = None,
    extract: ExtractOne | None = None,
) -> BatchSummary:
    """Run a batch to the end (or Ctrl-C) and return its counts.

    Worker threads are sized to ``concurrency`` so blocking per-file work is never queued
    behind Python's default thread limit. With the LLM, ``options.workers`` processes are
    spawned: a script calling this must guard its entry point with
    ``if __name__ == "__main__":`` (or set ``workers=0``).
    """
    from concurrent.futures import ThreadPoolExecutor

    async def main() -> BatchSummary:
        executor = ThreadPoolExecutor(options.concurrency + 2, thread_name_prefix="extract-batch")
        asyncio.get_running_loop().set_default_executor(executor)
        return await arun_batch(root, options, settings, reporter=reporter, extract=extract)

    return asyncio.run(main())


def check_input_folder(root: Path) -> None:
    if not root.exists():
        raise InputError(f"{root}: no such folder")
    if not root.is_dir():
        raise InputError(f"{root} is a file; use `extract {root}` for a single filing")

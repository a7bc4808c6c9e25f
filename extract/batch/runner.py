"""The runner: at most ``concurrency`` filings in flight, each skipped, extracted or failed.

Test hook: ``EXTRACT_BATCH_TEST_DELAY=SECONDS`` adds an asynchronous pause before each
extraction, so tests can interrupt or kill a run part-way. It is read here and nowhere else.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ..backends.llm.limits import CallLimiter
from ..config import Settings
from ..core.errors import ExtractError
from ..core.schema import Record
from ..view.make import view_of_record
from .engine import AsyncPipeline
from .progress import QuietReporter, Reporter
from .remote import check_located_folder, iter_located_filings, output_folder, url_sha256
from .store import OutputFolder, settings_fingerprint
from .summary import BatchSummary, FileResult
from .walk import DEFAULT_GLOBS, InputFile, Location, file_sha256, is_url

TEST_DELAY_ENV = "EXTRACT_BATCH_TEST_DELAY"

EngineName = Literal["local", "ray"]  # the CLI's --engine choices
LOCAL_CONCURRENCY = 4  # filings in flight on this machine unless --concurrency says otherwise
# With Ray this process only hashes, checks and commits filings: a few threads do that.
RAY_DRIVER_THREADS = 8


@dataclass(frozen=True)
class BatchOptions:
    """How a batch runs (what is extracted is decided by :class:`Settings`)."""

    out: Location  # a folder, or an fsspec URL (remote.py)
    globs: tuple[str, ...] = DEFAULT_GLOBS
    # filings in flight (and LLM requests in flight, locally); None: the engine's default,
    # LOCAL_CONCURRENCY here, twice the task slots of a Ray cluster
    concurrency: int | None = None
    rpm: float | None = None  # LLM requests per minute, shared by all workers
    tpm: float | None = None  # LLM tokens per minute, shared by all workers
    workers: int | None = None  # processes preparing filings for the LLM; None: one per CPU
    force: bool = False  # re-extract even records that are up to date
    html: bool = False  # also write each record's view (records/<name>.html)
    engine: EngineName = "local"  # where filings are extracted: here, or on a Ray cluster
    address: str | None = None  # Ray's: auto, local, ray://HOST:PORT; None: Ray's default

    def worker_processes(self) -> int:
        return self.workers if self.workers is not None else os.cpu_count() or 1

    def driver_threads(self) -> int:
        """Threads for the blocking per-file work of this process."""
        if self.engine == "ray":
            return min(self.concurrency or RAY_DRIVER_THREADS, RAY_DRIVER_THREADS) + 2
        return (self.concurrency or LOCAL_CONCURRENCY) + 2


ExtractOne = Callable[[Location], Awaitable[Record]]
"""``async (path) -> Record``; raises ExtractError for a bad filing. By default
:meth:`AsyncPipeline.extract_path` of one pipeline shared by the whole batch: the LLM
connection, response cache and compiled prompts are opened once, and blocking work runs in
worker threads."""


class _Runner:
    """Feeds filings to at most ``concurrency`` tasks and records what becomes of each."""

    def __init__(
        self,
        root: Location,
        options: BatchOptions,
        settings: Settings,
        out: OutputFolder,
        reporter: Reporter,
        extract: ExtractOne,
        concurrency: int,
    ) -> None:
        self.root = root
        self.options = options
        self.settings = settings
        self.out = out
        self.reporter = reporter
        self.extract = extract
        self.concurrency = concurrency
        self.fingerprint = settings_fingerprint(settings)
        self.summary = BatchSummary(out=str(options.out))
        self.test_delay = float(os.environ.get(TEST_DELAY_ENV) or 0)
        self.stopping = False
        self.in_flight: set[asyncio.Task[None]] = set()

    def filings(self) -> Iterator[InputFile]:
        return iter_located_filings(self.root, self.options.globs, exclude=self.options.out)

    # -- scheduling --------------------------------------------------------------------------

    async def run(self) -> None:
        """Schedule every filing, then wait for the last ones to finish."""
        slots = asyncio.Semaphore(self.concurrency)
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
            sha256 = await asyncio.to_thread(_sha256, filing.path)
            if (
                sha256
                and not self.options.force
                and await asyncio.to_thread(self.out.is_current, filing, sha256, self.fingerprint)
            ):
                if self.options.html and not self.out.has_view(filing):
                    await asyncio.to_thread(self._write_view, filing, None)
                return FileResult(filing, "skipped")
            if self.test_delay:
                await asyncio.sleep(self.test_delay)
            record = await self.extract(filing.path)
            await asyncio.to_thread(self.out.commit, filing, record, self.fingerprint)
            if self.options.html:
                await asyncio.to_thread(self._write_view, filing, record)
            return FileResult(filing, "ok", usage=record.usage)
        except ExtractError as err:
            result = FileResult(filing, "error", kind=type(err).__name__, message=str(err))
        except Exception as err:  # a bug on one file must not stop the batch
            message = f"{type(err).__name__}: {err}"
            result = FileResult(filing, "error", kind="internal", message=message)
        await asyncio.to_thread(self._record_failure, result, sha256)
        return result

    def _write_view(self, filing: InputFile, record: Record | None) -> None:
        """Write the view of a record just made, or (``None``) of the committed one."""
        data = record.model_dump(mode="json") if record else self.out.read_record(filing)
        page = view_of_record(data, max_bytes=self.settings.max_bytes)
        self.out.write_view(filing, page)

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
    root: Location,
    options: BatchOptions,
    settings: Settings,
    *,
    reporter: Reporter | None = None,
    extract: ExtractOne | None = None,
) -> BatchSummary:
    """Run a batch inside a running event loop; see the module docstring."""
    check_located_folder(root)
    # Start-up, before the clock and before any file is touched: import the LLM stack
    # (openai builds ~1,900 pydantic models), compile the templates (a broken one fails
    # here), open the LLM client and start the worker processes, or connect to Ray.
    async with open_engine(options, settings) as (engine_extract, concurrency):
        extract = extract or engine_extract
        return await _run(root, options, settings, reporter, extract, concurrency)


@asynccontextmanager
async def open_engine(
    options: BatchOptions, settings: Settings
) -> AsyncIterator[tuple[ExtractOne, int]]:
    """The engine that extracts the filings, and how many filings it wants in flight."""
    if options.engine == "ray":
        from .ray_engine import RayEngine  # Ray is optional: imported only when asked for

        ray_engine = RayEngine(settings, address=options.address, rpm=options.rpm, tpm=options.tpm)
        async with ray_engine:
            yield ray_engine.extract_path, options.concurrency or ray_engine.concurrency
        return
    concurrency = options.concurrency or LOCAL_CONCURRENCY
    limiter = CallLimiter(options.rpm, options.tpm, max_in_flight=concurrency)
    async with AsyncPipeline(settings, limiter, workers=options.worker_processes()) as pipeline:
        yield pipeline.extract_path, concurrency


async def _run(
    root: Location,
    options: BatchOptions,
    settings: Settings,
    reporter: Reporter | None,
    extract: ExtractOne,
    concurrency: int,
) -> BatchSummary:
    started = time.perf_counter()
    reporter = reporter or QuietReporter()
    out = output_folder(options.out)
    out.open()
    runner = _Runner(root, options, settings, out, reporter, extract, concurrency)
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
    root: Location,
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
        executor = ThreadPoolExecutor(options.driver_threads(), thread_name_prefix="extract-batch")
        asyncio.get_running_loop().set_default_executor(executor)
        return await arun_batch(root, options, settings, reporter=reporter, extract=extract)

    return asyncio.run(main())


def _sha256(location: Location) -> str | None:
    return url_sha256(str(location)) if is_url(location) else file_sha256(Path(location))

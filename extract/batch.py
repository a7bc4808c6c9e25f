"""``extract batch DIR -o OUT``: extract every filing in a folder, resumably and concurrently.

How a run works:

1. :func:`iter_filings` walks ``DIR`` lazily (sorted within each directory), yielding one
   :class:`Filing` at a time; nothing is collected for the whole folder.
2. An asyncio runner keeps at most ``concurrency`` filings in flight. Each filing is hashed
   (sha256 of its bytes) and skipped when ``OUT/manifest/<name>.json`` says it was already
   extracted from the same bytes with the same settings. Otherwise the batch's
   :class:`~extract.pipeline.AsyncPipeline` (the per-file seam, :data:`ExtractOne`) produces
   its record; blocking work runs in threads.
3. :class:`OutputFolder` commits a record in three atomic steps: drop the old manifest, write
   ``records/<name>.json``, write ``manifest/<name>.json``. The manifest is the commit marker,
   so a crash at any point leaves either a committed record or one that is redone next run.
4. At the end (also after Ctrl-C) ``results.jsonl`` and ``results.csv`` are rebuilt from the
   committed records, one line/row per filing, and ``summary.json`` is written.

Outputs in ``OUT``: ``records/``, ``manifest/``, ``results.jsonl`` (also appended line by line
during the run, for tailing), ``results.csv`` (UTF-8 with BOM), ``errors.jsonl`` (this run's
failures only) and ``summary.json``.

Test hook: ``EXTRACT_BATCH_TEST_DELAY=SECONDS`` adds an asynchronous pause before each
extraction, so tests can interrupt or kill a run part-way. It is read here and nowhere else.
"""

from __future__ import annotations

import asyncio
import csv
import fnmatch
import hashlib
import json
import os
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import IO, Any, Literal, Protocol

from rich import box
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from .backends.llm.limits import CallLimiter
from .backends.llm.prompts import prompt_version
from .config import Settings
from .core.atomic import write_atomic
from .core.errors import ExtractError, InputError
from .core.schema import Record, Usage, flatten_record
from .pipeline import AsyncPipeline
from .vocab import vocab_digest

DEFAULT_GLOBS: tuple[str, ...] = ("*.txt", "*.md", "*.html", "*.pdf")
TEST_DELAY_ENV = "EXTRACT_BATCH_TEST_DELAY"
CSV_LEAD_COLUMNS: tuple[str, ...] = ("path", "sha256", "backend", "warnings")

# ==========================================================================================
# Options and results
# ==========================================================================================


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


@dataclass
class BatchSummary:
    """Counts for one run; ``exit_code`` is what ``extract batch`` exits with."""

    found: int = 0
    done: int = 0
    skipped: int = 0
    failed: int = 0
    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cache_hits: int = 0
    wall_s: float = 0.0
    interrupted: bool = False
    out: str = ""

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    @property
    def exit_code(self) -> int:
        if self.interrupted:
            return 130
        return 1 if self.failed else 0

    def add_usage(self, usage: Usage) -> None:
        self.calls += usage.calls
        self.prompt_tokens += usage.prompt_tokens
        self.completion_tokens += usage.completion_tokens
        self.cache_hits += usage.cache_hits

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "tokens": self.tokens, "exit_code": self.exit_code}


Status = Literal["ok", "skipped", "error"]


@dataclass(frozen=True)
class Outcome:
    """What happened to one filing."""

    filing: Filing
    status: Status
    usage: Usage = field(default_factory=Usage)
    kind: str = ""  # exception class name, or "internal" for a bug
    message: str = ""


# ==========================================================================================
# Finding filings
# ==========================================================================================


@dataclass(frozen=True)
class Filing:
    """One input: its path (as the user can open it), path inside DIR, and record name."""

    path: Path
    rel: str
    name: str


def iter_filings(
    root: Path, globs: Iterable[str] = DEFAULT_GLOBS, exclude: Path | None = None
) -> Iterator[Filing]:
    """Yield the filings under ``root`` depth-first, each directory's entries sorted by name.

    A pattern without ``/`` matches the file name, one with ``/`` the path inside ``root``;
    matching ignores case (``*.pdf`` finds ``年报.PDF``). A directory whose name matches is
    yielded too (it then fails with a clear error) and is still searched. ``exclude`` (the
    output folder, when it lies inside ``root``) is not searched. Symlinked directories
    are not followed.
    """
    patterns = tuple(g.lower() for g in globs)
    excluded = exclude.resolve() if exclude is not None else None
    yield from _walk(root, PurePosixPath(), patterns, excluded)


def _walk(
    folder: Path, rel: PurePosixPath, patterns: tuple[str, ...], excluded: Path | None
) -> Iterator[Filing]:
    try:
        with os.scandir(folder) as scan:
            entries = sorted(scan, key=lambda e: e.name)
    except OSError:
        return  # unreadable or vanished directory: nothing to find there
    for entry in entries:
        entry_rel = rel / entry.name
        if _matches(entry.name, entry_rel, patterns):
            yield Filing(Path(entry.path), entry_rel.as_posix(), record_name(entry_rel))
        if entry.is_dir(follow_symlinks=False):
            if excluded is not None and Path(entry.path).resolve() == excluded:
                continue
            yield from _walk(Path(entry.path), entry_rel, patterns, excluded)


def _matches(name: str, rel: PurePosixPath, patterns: tuple[str, ...]) -> bool:
    lowered = name.lower()
    rel_lowered = rel.as_posix().lower()
    return any(fnmatch.fnmatchcase(rel_lowered if "/" in p else lowered, p) for p in patterns)


_MAX_NAME_BYTES = 200  # file names are limited to 255 bytes; keep room for ".json" and temps


def record_name(rel: PurePosixPath | str) -> str:
    """A unique, readable file name for a filing: ``sub/a.txt`` → ``sub__a.txt``.

    Parts are joined with ``__``; a part that would make that ambiguous (it contains
    ``__`` or starts/ends with ``_``) has its ``_`` written ``%5F`` (and ``%`` is always
    ``%25``), so two different paths never share a name. Names too long for the file
    system are cut and end with a hash of the whole path.
    """
    name = "__".join(_escape_part(part) for part in PurePosixPath(rel).parts)
    if len(name.encode()) <= _MAX_NAME_BYTES:
        return name
    digest = hashlib.sha256(str(rel).encode()).hexdigest()[:16]
    head = name.encode()[: _MAX_NAME_BYTES - 17].decode(errors="ignore")
    return f"{head}~{digest}"


def _escape_part(part: str) -> str:
    part = part.replace("%", "%25")
    if "__" in part or part.startswith("_") or part.endswith("_"):
        part = part.replace("_", "%5F")
    return part


def file_sha256(path: Path) -> str | None:
    """sha256 of a regular file's bytes, or None when it is not a readable regular file."""
    digest = hashlib.sha256()
    try:
        if not path.is_file():
            return None
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
    except OSError:
        return None
    return digest.hexdigest()


# ==========================================================================================
# The output folder
# ==========================================================================================


class OutputFolder:
    """Everything written under ``OUT``; see the module docstring for the layout."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.records = root / "records"
        self.manifests = root / "manifest"
        self.results_jsonl = root / "results.jsonl"
        self.results_csv = root / "results.csv"
        self.errors_jsonl = root / "errors.jsonl"
        self.summary_json = root / "summary.json"
        self._lock_fd: int | None = None
        self._results_fd: int | None = None
        self._errors_fd: int | None = None
        self._append_lock = threading.Lock()  # a thread abandoned on Ctrl-C may still append

    # -- lifecycle -------------------------------------------------------------------------

    def open(self) -> None:
        """Lock ``OUT``, remove temp files a killed run left, and open the two logs."""
        self.records.mkdir(parents=True, exist_ok=True)
        self.manifests.mkdir(exist_ok=True)
        self._lock()
        for folder in (self.root, self.records, self.manifests):
            remove_stale_temps(folder)
        _drop_torn_last_line(self.results_jsonl)
        append = os.O_WRONLY | os.O_CREAT | os.O_APPEND
        self._results_fd = os.open(self.results_jsonl, append, 0o644)
        self._errors_fd = os.open(self.errors_jsonl, append | os.O_TRUNC, 0o644)

    def close(self) -> None:
        with self._append_lock:
            for fd in (self._results_fd, self._errors_fd, self._lock_fd):
                if fd is not None:
                    os.close(fd)
            self._results_fd = self._errors_fd = self._lock_fd = None

    def _lock(self) -> None:
        """One batch per OUT at a time (it deletes temp files it did not write)."""
        self._lock_fd = os.open(self.root / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
        if sys.platform == "win32":
            return
        import fcntl

        try:
            fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as err:
            os.close(self._lock_fd)
            self._lock_fd = None
            raise InputError(f"{self.root} is in use by another `extract batch` run") from err

    # -- per filing (called from worker threads) --------------------------------------------

    def record_path(self, filing: Filing) -> Path:
        return self.records / f"{filing.name}.json"

    def manifest_path(self, filing: Filing) -> Path:
        return self.manifests / f"{filing.name}.json"

    def read_manifest(self, filing: Filing) -> dict[str, Any] | None:
        try:
            data = json.loads(self.manifest_path(filing).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def is_current(self, filing: Filing, sha256: str, fingerprint: str) -> bool:
        """True when a committed record exists for these input bytes and settings."""
        manifest = self.read_manifest(filing)
        return (
            manifest is not None
            and manifest.get("input_sha256") == sha256
            and manifest.get("settings") == fingerprint
            and self.record_path(filing).exists()
        )

    def commit(self, filing: Filing, record: Record, fingerprint: str) -> None:
        """Write the record, then its manifest (the commit marker), then a results line."""
        self.manifest_path(filing).unlink(missing_ok=True)  # the old record is no longer valid
        write_atomic(self.record_path(filing), record.to_json() + "\n")
        manifest = {
            "path": filing.rel,
            "input_sha256": record.source.sha256,
            "settings": fingerprint,
        }
        write_atomic(self.manifest_path(filing), json.dumps(manifest, ensure_ascii=False) + "\n")
        self._append("results", record.to_json(indent=None))

    def invalidate_if_changed(self, filing: Filing, sha256: str | None) -> None:
        """After a failure: forget an old record made from other bytes than the input's now."""
        manifest = self.read_manifest(filing)
        if manifest is not None and manifest.get("input_sha256") != sha256:
            self.manifest_path(filing).unlink(missing_ok=True)

    def log_error(self, outcome: Outcome) -> None:
        line = {"path": str(outcome.filing.path), "error": outcome.message, "kind": outcome.kind}
        self._append("errors", json.dumps(line, ensure_ascii=False))

    def _append(self, log: Literal["results", "errors"], line: str) -> None:
        """Append one line with one ``write`` on an O_APPEND descriptor.

        After ``close`` (a run abandoned with a second Ctrl-C) the line is dropped: the
        results log is rebuilt from the records next run anyway.
        """
        data = (line + "\n").encode("utf-8")
        with self._append_lock:
            fd = self._results_fd if log == "results" else self._errors_fd
            while fd is not None and data:
                data = data[os.write(fd, data) :]

    # -- at the end --------------------------------------------------------------------------

    def rebuild_results(self, filings: Iterable[Filing], fingerprint: str) -> int:
        """Rewrite results.jsonl and results.csv: one entry per filing with a current record.

        Streams: one record is in memory at a time. Returns the number of records written.
        """
        header = [*CSV_LEAD_COLUMNS, *flatten_record({})]
        count = 0
        with (
            atomic_text(self.results_jsonl) as jsonl,
            atomic_text(self.results_csv, encoding="utf-8-sig", newline="") as csv_file,
        ):
            writer = csv.writer(csv_file)
            writer.writerow(header)
            for filing in filings:
                data = self._committed_record(filing, fingerprint)
                if data is None:
                    continue
                jsonl.write(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n")
                writer.writerow(csv_row(data))
                count += 1
        return count

    def _committed_record(self, filing: Filing, fingerprint: str) -> dict[str, Any] | None:
        manifest = self.read_manifest(filing)
        if manifest is None or manifest.get("settings") != fingerprint:
            return None
        try:
            data = json.loads(self.record_path(filing).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def write_summary(self, summary: BatchSummary) -> None:
        write_atomic(self.summary_json, json.dumps(summary.to_dict(), indent=2) + "\n")


def csv_row(data: dict[str, Any]) -> list[Any]:
    """One CSV row: path, sha256, backend, number of warnings, then every contract field."""
    source = data.get("source") or {}
    lead = [
        source.get("path"),
        source.get("sha256"),
        data.get("backend"),
        len(data.get("warnings") or []),
    ]
    return [*lead, *flatten_record(data).values()]


@contextmanager
def atomic_text(
    path: Path, *, encoding: str = "utf-8", newline: str | None = None
) -> Iterator[IO[str]]:
    """Like :func:`write_atomic`, for a file written piece by piece (temp file, then rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding=encoding, newline=newline) as handle:
            yield handle
            handle.flush()
            os.fchmod(handle.fileno(), 0o666 & ~_umask())  # mkstemp makes it 0600
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def remove_stale_temps(folder: Path) -> int:
    """Delete ``.<name>.<random>.tmp`` files an interrupted writer left behind."""
    removed = 0
    with os.scandir(folder) as scan:
        for entry in scan:
            if entry.name.startswith(".") and entry.name.endswith(".tmp") and entry.is_file():
                Path(entry.path).unlink(missing_ok=True)
                removed += 1
    return removed


def _drop_torn_last_line(path: Path) -> None:
    """Cut an unfinished last line (a run killed mid-append) so new lines start clean."""
    try:
        with path.open("r+b") as handle:
            size = handle.seek(0, os.SEEK_END)
            if size == 0:
                return
            handle.seek(size - 1)
            if handle.read(1) == b"\n":
                return
            keep = _last_newline_end(handle, size)
            handle.truncate(keep)
    except FileNotFoundError:
        return


def _last_newline_end(handle: IO[bytes], size: int) -> int:
    """Offset just after the last ``\\n`` in the file, or 0."""
    end = size
    while end > 0:
        start = max(0, end - 65536)
        handle.seek(start)
        chunk = handle.read(end - start)
        index = chunk.rfind(b"\n")
        if index >= 0:
            return start + index + 1
        end = start
    return 0


# ==========================================================================================
# Rate limits
# ==========================================================================================


# ==========================================================================================
# The per-file seam
# ==========================================================================================

ExtractOne = Callable[[Path], Awaitable[Record]]
"""``async (path) -> Record``; raises ExtractError for a bad filing. By default
:meth:`AsyncPipeline.extract_path` of one pipeline shared by the whole batch: the LLM
connection, response cache and compiled prompts are opened once, and blocking work runs in
worker threads."""


# ==========================================================================================
# Progress
# ==========================================================================================


class Reporter(Protocol):
    """Receives progress events; the runner calls these from the event loop."""

    wants_total: bool  # True: the runner counts the filings first (for an ETA)

    def start(self) -> None: ...

    def set_total(self, total: int) -> None: ...

    def file_done(self, outcome: Outcome, summary: BatchSummary) -> None: ...

    def note(self, message: str) -> None: ...

    def stop(self) -> None: ...


class QuietReporter:
    """Prints nothing (``--quiet``: only the summary is shown)."""

    wants_total = False

    def start(self) -> None:
        pass

    def set_total(self, total: int) -> None:
        pass

    def file_done(self, outcome: Outcome, summary: BatchSummary) -> None:
        pass

    def note(self, message: str) -> None:
        pass

    def stop(self) -> None:
        pass


class LineReporter(QuietReporter):
    """One plain line per file (``ok PATH``, ``skip PATH``, ``error PATH: REASON``): logs, CI."""

    def __init__(self, stream: IO[str] | None = None) -> None:
        self.stream = stream

    def _print(self, text: str) -> None:
        print(text, file=self.stream or sys.stdout, flush=True)

    def file_done(self, outcome: Outcome, summary: BatchSummary) -> None:
        self._print(outcome_line(outcome))

    def note(self, message: str) -> None:
        self._print(message)


class RichReporter:
    """A live progress bar with counts and ETA; failures are printed above it."""

    wants_total = True

    def __init__(self, console: Console) -> None:
        self.progress = Progress(
            SpinnerColumn(),
            BarColumn(bar_width=20),
            MofNCompleteColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            TextColumn("{task.fields[stats]}"),
            console=console,
        )
        self.task: TaskID | None = None

    def start(self) -> None:
        self.progress.start()
        self.task = self.progress.add_task("files", total=None, stats=_stats(BatchSummary()))

    def set_total(self, total: int) -> None:
        if self.task is not None:
            self.progress.update(self.task, total=total)

    def file_done(self, outcome: Outcome, summary: BatchSummary) -> None:
        if outcome.status == "error":
            self.progress.console.print(outcome_line(outcome), markup=False, highlight=False)
        if self.task is not None:
            self.progress.update(self.task, advance=1, stats=_stats(summary))

    def note(self, message: str) -> None:
        self.progress.console.print(message, markup=False, highlight=False)

    def stop(self) -> None:
        self.progress.stop()


def _stats(s: BatchSummary) -> str:
    """Two short lines, so the bar fits an 80-column terminal."""
    return (
        f"done {s.done} · skipped {s.skipped} · failed {s.failed}\n"
        f"calls {s.calls} · tokens {s.tokens} · cache hits {s.cache_hits}"
    )


def outcome_line(outcome: Outcome) -> str:
    path = str(outcome.filing.path)
    if outcome.status == "ok":
        return f"ok {path}"
    if outcome.status == "skipped":
        return f"skip {path}"
    return f"error {path}: {_reason(outcome.message, path)}"


def _reason(message: str, path: str) -> str:
    """The message without a leading copy of the path (InputError messages start with it)."""
    if message.startswith(path):
        return message[len(path) :].lstrip(": ") or message
    return message


def make_reporter(console: Console, *, quiet: bool = False) -> Reporter:
    """Quiet, a live bar on a terminal, else plain lines."""
    if quiet:
        return QuietReporter()
    if console.is_terminal:
        return RichReporter(console)
    return LineReporter()


def summary_table(summary: BatchSummary) -> Table:
    """The end-of-run table."""
    title = "extract batch: interrupted" if summary.interrupted else "extract batch"
    table = Table(title=title, box=box.SIMPLE_HEAD, show_header=False, title_justify="left")
    table.add_column("what")
    table.add_column("count", justify="right")
    handled = summary.done + summary.skipped + summary.failed
    rate = handled / summary.wall_s if summary.wall_s else 0.0
    rows = [
        ("files found", f"{summary.found}"),
        ("extracted", f"{summary.done}"),
        ("skipped (up to date)", f"{summary.skipped}"),
        ("failed", f"{summary.failed}"),
        ("LLM calls", f"{summary.calls}"),
        ("tokens (prompt + completion)", f"{summary.tokens}"),
        ("cache hits", f"{summary.cache_hits}"),
        ("wall time", f"{summary.wall_s:.1f} s ({rate:.1f} files/s)"),
        ("output", summary.out),
    ]
    if summary.failed:
        rows.append(("errors", str(Path(summary.out) / "errors.jsonl")))
    for what, count in rows:
        table.add_row(what, count)
    return table


def print_summary(summary: BatchSummary, console: Console | None = None) -> None:
    (console or Console()).print(summary_table(summary))


# ==========================================================================================
# The runner
# ==========================================================================================


def settings_fingerprint(settings: Settings) -> str:
    """What a batch compares to decide whether an old record is still valid.

    The backend that will really run (``auto`` without an endpoint is ``rules``), the
    endpoint and model when an LLM runs, and the toolkit's version with a hash of its
    rule vocabularies, so that upgrading the extractor re-extracts old records.
    """
    parts = ["rules" if not settings.runs_llm else settings.backend, _toolkit_version()]
    if settings.runs_llm:  # edited prompts re-extract too
        parts += [
            settings.model or "",
            settings.base_url or "",
            settings.mode,
            prompt_version(settings),
        ]
    return "|".join(parts)


def _toolkit_version() -> str:
    """Package version plus a digest of the vocabularies the rules read."""
    try:
        version = metadata.version("filing-extract")
    except metadata.PackageNotFoundError:
        version = "dev"
    return f"{version}+{vocab_digest()}"


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

    def filings(self) -> Iterator[Filing]:
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

    async def _handle(self, filing: Filing) -> None:
        outcome = await self._process(filing)
        if outcome.status == "ok":
            self.summary.done += 1
            self.summary.add_usage(outcome.usage)
        elif outcome.status == "skipped":
            self.summary.skipped += 1
        else:
            self.summary.failed += 1
        self.reporter.file_done(outcome, self.summary)

    async def _process(self, filing: Filing) -> Outcome:
        """Skip, extract and commit, or fail: never raises (except when cancelled)."""
        sha256: str | None = None
        try:
            sha256 = await asyncio.to_thread(file_sha256, filing.path)
            if (
                sha256
                and not self.options.force
                and await asyncio.to_thread(self.out.is_current, filing, sha256, self.fingerprint)
            ):
                return Outcome(filing, "skipped")
            if self.test_delay:
                await asyncio.sleep(self.test_delay)
            record = await self.extract(filing.path)
            await asyncio.to_thread(self.out.commit, filing, record, self.fingerprint)
            return Outcome(filing, "ok", usage=record.usage)
        except ExtractError as err:
            outcome = Outcome(filing, "error", kind=type(err).__name__, message=str(err))
        except Exception as err:  # a bug on one file must not stop the batch
            message = f"{type(err).__name__}: {err}"
            outcome = Outcome(filing, "error", kind="internal", message=message)
        await asyncio.to_thread(self._record_failure, outcome, sha256)
        return outcome

    def _record_failure(self, outcome: Outcome, sha256: str | None) -> None:
        self.out.invalidate_if_changed(outcome.filing, sha256)
        self.out.log_error(outcome)


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
            await asyncio.to_thread(out.rebuild_results, runner.filings(), runner.fingerprint)
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

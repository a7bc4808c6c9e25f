"""Progress of a run: nothing, plain lines, or a live bar; and the end-of-run table."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import IO, Protocol

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

from .summary import BatchSummary, FileResult


class Reporter(Protocol):
    """Receives progress events; the runner calls these from the event loop."""

    wants_total: bool  # True: the runner counts the filings first (for an ETA)

    def start(self) -> None: ...

    def set_total(self, total: int) -> None: ...

    def file_done(self, result: FileResult, summary: BatchSummary) -> None: ...

    def note(self, message: str) -> None: ...

    def stop(self) -> None: ...


class QuietReporter:
    """Prints nothing (``--quiet``: only the summary is shown)."""

    wants_total = False

    def start(self) -> None:
        pass

    def set_total(self, total: int) -> None:
        pass

    def file_done(self, result: FileResult, summary: BatchSummary) -> None:
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

    def file_done(self, result: FileResult, summary: BatchSummary) -> None:
        self._print(result_line(result))

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

    def file_done(self, result: FileResult, summary: BatchSummary) -> None:
        if result.status == "error":
            self.progress.console.print(result_line(result), markup=False, highlight=False)
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


def result_line(result: FileResult) -> str:
    path = str(result.filing.path)
    if result.status == "ok":
        return f"ok {path}"
    if result.status == "skipped":
        return f"skip {path}"
    return f"error {path}: {_reason(result.message, path)}"


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
    """The end-of-run table: the counts, then the records in the output per document type."""
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
    rows += [(f"type {kind}", f"{count}") for kind, count in summary.document_types.items()]
    for what, count in rows:
        table.add_row(what, count)
    return table


def print_summary(summary: BatchSummary, console: Console | None = None) -> None:
    (console or Console()).print(summary_table(summary))

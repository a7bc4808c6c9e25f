"""The output folder: records committed atomically behind their manifests, one run at a time.

A record is committed in three atomic steps: drop the old manifest, write
``records/<name>.json``, write ``manifest/<name>.json``. The manifest is the commit marker,
so a crash at any point leaves either a committed record or one that is redone next run.
A manifest holds the input's sha256 and the settings' fingerprint: a record is current
while both match. ``results.jsonl`` is appended line by line during the run (for tailing)
and, like ``results.csv``, rebuilt from the committed records at the end.
"""

from __future__ import annotations

import csv
import json
import os
import sys
import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path
from typing import IO, Any, Literal

from ..backends.llm.prompts import prompt_version
from ..config import Settings
from ..core.atomic import atomic_text, remove_stale_temps, write_atomic
from ..core.errors import InputError
from ..core.schema import Record, flatten_record
from ..vocab import vocab_digest
from .summary import BatchSummary, FileResult
from .walk import InputFile

CSV_LEAD_COLUMNS: tuple[str, ...] = (
    "path",
    "sha256",
    "backend",
    "warnings",
    "confirmed",
    "conflicts",
)
RESULTS_JSONL = "results.jsonl"
RESULTS_CSV = "results.csv"
ERRORS_JSONL = "errors.jsonl"
SUMMARY_JSON = "summary.json"


class OutputFolder:
    """Everything written under ``OUT`` (all of it: the ``extract.batch`` docstring)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.records = root / "records"
        self.manifests = root / "manifest"
        self.results_jsonl = root / RESULTS_JSONL
        self.errors_jsonl = root / ERRORS_JSONL
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

    # -- where things are (a subclass keeps them elsewhere: remote.RemoteOutputFolder) ---------

    def _read(self, rel: str) -> str | None:
        """The text of ``OUT/rel``, or None when it cannot be read."""
        try:
            return (self.root / rel).read_text(encoding="utf-8")
        except OSError:
            return None

    def _write(self, rel: str, text: str) -> None:
        write_atomic(self.root / rel, text)

    def _remove(self, rel: str) -> None:
        (self.root / rel).unlink(missing_ok=True)

    def _exists(self, rel: str) -> bool:
        return (self.root / rel).exists()

    @contextmanager
    def _writing(self, rel: str, **options: Any) -> Iterator[IO[str]]:
        """``OUT/rel`` written piece by piece, in place whole at the end."""
        with atomic_text(self.root / rel, **options) as handle:
            yield handle

    # -- per filing (called from worker threads) --------------------------------------------

    def record_path(self, filing: InputFile) -> Path:
        return self.root / _record_rel(filing)

    def view_path(self, filing: InputFile) -> Path:
        """``records/<name>.html``: the record's view, next to it (``--html``)."""
        return self.root / _view_rel(filing)

    def manifest_path(self, filing: InputFile) -> Path:
        return self.root / _manifest_rel(filing)

    def committed_records(self) -> Iterator[Path]:
        """Every ``records/*.json`` a manifest commits, in name order (every one, in a folder
        without ``manifest/``): the others were being redone when a run stopped."""
        committed_only = self.manifests.is_dir()
        for path in sorted(self.records.glob("*.json")):
            if not committed_only or (self.manifests / path.name).is_file():
                yield path

    def read_manifest(self, filing: InputFile) -> dict[str, Any] | None:
        text = self._read(_manifest_rel(filing))
        try:
            data = json.loads(text) if text is not None else None
        except ValueError:
            return None
        return data if isinstance(data, dict) else None

    def is_current(self, filing: InputFile, sha256: str, fingerprint: str) -> bool:
        """True when a committed record exists for these input bytes and settings."""
        manifest = self.read_manifest(filing)
        return (
            manifest is not None
            and manifest.get("input_sha256") == sha256
            and manifest.get("settings") == fingerprint
            and self._exists(_record_rel(filing))
        )

    def commit(self, filing: InputFile, record: Record, fingerprint: str) -> None:
        """Write the record, then its manifest (the commit marker), then a results line."""
        self._remove(_manifest_rel(filing))  # the old record is no longer valid
        self._remove(_view_rel(filing))  # nor is its view (--html redraws it)
        self._write(_record_rel(filing), record.to_json() + "\n")
        manifest = {
            "path": filing.rel,
            "input_sha256": record.source.sha256,
            "settings": fingerprint,
        }
        self._write(_manifest_rel(filing), json.dumps(manifest, ensure_ascii=False) + "\n")
        self._append("results", record.to_json(indent=None))

    def read_record(self, filing: InputFile) -> dict[str, Any]:
        """The committed record of a filing, as JSON."""
        text = self._read(_record_rel(filing))
        data: dict[str, Any] = json.loads(text) if text is not None else {}
        return data

    def write_view(self, filing: InputFile, page: str) -> None:
        """Write a record's view; it is made from the record, so it comes after it."""
        self._write(_view_rel(filing), page)

    def has_view(self, filing: InputFile) -> bool:
        return self._exists(_view_rel(filing))

    def invalidate_if_changed(self, filing: InputFile, sha256: str | None) -> None:
        """After a failure: forget an old record made from other bytes than the input's now."""
        manifest = self.read_manifest(filing)
        if manifest is not None and manifest.get("input_sha256") != sha256:
            self._remove(_manifest_rel(filing))

    def log_error(self, result: FileResult) -> None:
        line = {"path": str(result.filing.path), "error": result.message, "kind": result.kind}
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

    def rebuild_results(self, filings: Iterable[InputFile], fingerprint: str) -> Counter[str]:
        """Rewrite results.jsonl and results.csv: one entry per filing with a current record.

        Streams: one record is in memory at a time. Returns how many records were written
        of each document type (``none``: a text that is no filing has no type).
        """
        header = [*CSV_LEAD_COLUMNS, *flatten_record({})]
        types: Counter[str] = Counter()
        with (
            self._writing(RESULTS_JSONL) as jsonl,
            self._writing(RESULTS_CSV, encoding="utf-8-sig", newline="") as csv_file,
        ):
            writer = csv.writer(csv_file)
            writer.writerow(header)
            for filing in filings:
                data = self._committed_record(filing, fingerprint)
                if data is None:
                    continue
                jsonl.write(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n")
                writer.writerow(csv_row(data))
                types[str((data.get("filing") or {}).get("document_type") or "none")] += 1
        return types

    def _committed_record(self, filing: InputFile, fingerprint: str) -> dict[str, Any] | None:
        manifest = self.read_manifest(filing)
        if manifest is None or manifest.get("settings") != fingerprint:
            return None
        text = self._read(_record_rel(filing))
        try:
            data = json.loads(text) if text is not None else None
        except ValueError:
            return None
        return data if isinstance(data, dict) else None

    def write_summary(self, summary: BatchSummary) -> None:
        self._write(SUMMARY_JSON, json.dumps(summary.to_dict(), indent=2) + "\n")


def _record_rel(filing: InputFile) -> str:
    return f"records/{filing.name}.json"


def _manifest_rel(filing: InputFile) -> str:
    return f"manifest/{filing.name}.json"


def _view_rel(filing: InputFile) -> str:
    return f"records/{filing.name}.html"


def csv_row(data: dict[str, Any]) -> list[Any]:
    """One CSV row: path, sha256, backend, number of warnings, figures the record's own
    arithmetic confirms and those in conflict, then every contract field."""
    source = data.get("source") or {}
    statuses = list((data.get("checks") or {}).values())
    lead = [
        source.get("path"),
        source.get("sha256"),
        data.get("backend"),
        len(data.get("warnings") or []),
        statuses.count("confirmed"),
        statuses.count("conflict"),
    ]
    return [*lead, *flatten_record(data).values()]


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

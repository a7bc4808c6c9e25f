"""Folders given as fsspec URLs (``s3://bucket/filings``, ``gs://…``, ``memory://…``).

Inputs are walked like a local folder (each directory in name order, the same patterns)
and read by copying each filing to a temporary local file for the time of its extraction,
so every loader (PDF cells included) works as on a local file; the record's ``source.path``
is the URL. An output folder on an object store gets the same files as a local one, each
put whole (an object store shows an object whole or not at all; the manifest still goes
last), but no lock, and ``results.jsonl`` and ``errors.jsonl`` are written once, at the end.

Needs fsspec (``pip install 'filing-extract[fsspec]'``) and the file system's own package
(``s3fs`` for ``s3://``). A ``file://`` URL goes this way too (every node can read it
when it names shared storage); a plain path is a local folder.
"""

from __future__ import annotations

import hashlib
import tempfile
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path, PurePosixPath
from typing import IO, Any, Literal

from ..backends.llm.plan import Planner
from ..config import Settings
from ..core.errors import ConfigError, InputError
from ..core.schema import Record
from ..pipeline import PreparedFiling, extract_file, prepare_filing
from .store import ERRORS_JSONL, OutputFolder
from .walk import (
    DEFAULT_GLOBS,
    InputFile,
    Location,
    is_url,
    iter_filings,
    lowered_patterns,
    matches,
    record_name,
)

INSTALL_HINT = "pip install 'filing-extract[fsspec]'"


def filesystem(url: str) -> tuple[Any, str]:
    """The fsspec file system of ``url`` and the path inside it."""
    try:
        import fsspec
    except ImportError as err:
        raise ConfigError(f"{url}: URLs need fsspec: {INSTALL_HINT}") from err
    try:
        fs, path = fsspec.core.url_to_fs(url)
    except (ImportError, ValueError) as err:  # "Install s3fs to access S3", an unknown scheme
        raise ConfigError(f"{url}: {err}") from err
    return fs, str(path)


# -- inputs --------------------------------------------------------------------------------------


def iter_located_filings(
    root: Location, globs: Iterable[str] = DEFAULT_GLOBS, exclude: Location | None = None
) -> Iterator[InputFile]:
    """:func:`walk.iter_filings`, for a folder that may be a URL."""
    if not is_url(root):
        local_out = exclude if isinstance(exclude, Path) else None
        yield from iter_filings(Path(root), globs, exclude=local_out)
        return
    url = str(root).rstrip("/")
    fs, base = filesystem(url)
    excluded = filesystem(str(exclude))[1].rstrip("/") if is_url(exclude or "") else None
    yield from _walk(fs, base.rstrip("/"), url, PurePosixPath(), lowered_patterns(globs), excluded)


def _walk(
    fs: Any,
    folder: str,
    url: str,
    rel: PurePosixPath,
    patterns: tuple[str, ...],
    excluded: str | None,
) -> Iterator[InputFile]:
    try:
        entries = sorted(fs.ls(folder, detail=True), key=lambda e: str(e["name"]))
    except OSError:
        return  # unreadable or vanished: nothing to find there
    for entry in entries:
        path = str(entry["name"]).rstrip("/")
        name = path.rsplit("/", 1)[-1]
        if not name or path == folder:
            continue
        entry_rel = rel / name
        if matches(name, entry_rel, patterns):
            yield InputFile(
                f"{url}/{entry_rel.as_posix()}", entry_rel.as_posix(), record_name(entry_rel)
            )
        if entry.get("type") == "directory" and path != excluded:
            yield from _walk(fs, path, url, entry_rel, patterns, excluded)


def check_located_folder(root: Location) -> None:
    """A clear error for a missing folder, or a file given where a folder is wanted."""
    if is_url(root):
        fs, path = filesystem(str(root))
        if not fs.isdir(path):
            raise InputError(f"{root}: no such folder")
        return
    root = Path(root)
    if not root.exists():
        raise InputError(f"{root}: no such folder")
    if not root.is_dir():
        raise InputError(f"{root} is a file; use `extract {root}` for a single filing")


def url_sha256(url: str) -> str | None:
    """sha256 of the object's bytes, or None when it is not a readable file."""
    fs, path = filesystem(url)
    digest = hashlib.sha256()
    try:
        if not fs.isfile(path):
            return None
        with fs.open(path, "rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
    except OSError:
        return None
    return digest.hexdigest()


@contextmanager
def local_copy(url: str) -> Iterator[Path]:
    """The filing at ``url`` as a temporary local file of the same name; errors about that
    file name the URL."""
    fs, path = filesystem(url)
    with tempfile.TemporaryDirectory(prefix="extract-") as folder:
        local = Path(folder) / (PurePosixPath(path).name or "filing")
        try:
            if fs.isdir(path):
                raise InputError(f"{url} is a directory, not a filing")
            fs.get_file(path, str(local))
        except FileNotFoundError as err:
            raise InputError(f"{url}: no such file") from err
        except OSError as err:
            raise InputError(f"{url}: cannot read ({err})") from err
        try:
            yield local
        except InputError as err:
            raise InputError(str(err).replace(str(local), url)) from err


def extract_location(location: Location, settings: Settings) -> Record:
    """:func:`pipeline.extract_file` for a path or a URL (``source.path`` is the URL)."""
    if not is_url(location):
        return extract_file(location, settings)
    with local_copy(str(location)) as path:
        record = extract_file(path, settings)  # PDF cells are read from the file: keep it
    record.source.path = str(location)
    return record


def prepare_location(
    location: Location, settings: Settings, planner: Planner | None = None
) -> PreparedFiling:
    """:func:`pipeline.prepare_filing` for a path or a URL."""
    if not is_url(location):
        return prepare_filing(Path(location), settings, planner)
    with local_copy(str(location)) as path:
        prepared = prepare_filing(path, settings, planner)
    prepared.document.path = str(location)
    return prepared


# -- outputs -------------------------------------------------------------------------------------


def output_folder(location: Location) -> OutputFolder:
    return RemoteOutputFolder(str(location)) if is_url(location) else OutputFolder(Path(location))


class RemoteOutputFolder(OutputFolder):
    """``OUT`` on an object store (see the module docstring). Only the storage differs from
    :class:`OutputFolder`; ``root``, ``records`` and ``committed_records`` are local-only."""

    def __init__(self, url: str) -> None:
        # not OutputFolder.__init__: the local folder's paths, lock and logs do not apply
        self.url = url.rstrip("/")
        self._fs, base = filesystem(self.url)
        self._base = base.rstrip("/")
        self._append_lock = threading.Lock()
        self._errors: list[str] | None = None

    def open(self) -> None:
        for folder in ("records", "manifest"):  # object stores have none; file:// needs them
            self._fs.makedirs(self._path(folder), exist_ok=True)
        self._errors = []

    def close(self) -> None:
        with self._append_lock:
            errors, self._errors = self._errors, None
        if errors is not None:
            self._write(ERRORS_JSONL, "".join(line + "\n" for line in errors))

    def _append(self, log: Literal["results", "errors"], line: str) -> None:
        """Errors are kept until :meth:`close`; results lines are rebuilt at the end."""
        with self._append_lock:
            if log == "errors" and self._errors is not None:
                self._errors.append(line)

    def _path(self, rel: str) -> str:
        return f"{self._base}/{rel}"

    def _read(self, rel: str) -> str | None:
        try:
            data: bytes = self._fs.cat_file(self._path(rel))
        except OSError:
            return None
        return data.decode("utf-8")

    def _write(self, rel: str, text: str) -> None:
        self._fs.pipe_file(self._path(rel), text.encode("utf-8"))

    def _remove(self, rel: str) -> None:
        with suppress(FileNotFoundError):
            self._fs.rm_file(self._path(rel))

    def _exists(self, rel: str) -> bool:
        return bool(self._fs.exists(self._path(rel)))

    @contextmanager
    def _writing(self, rel: str, **options: Any) -> Iterator[IO[str]]:
        """Written under a temporary name, then moved into place whole."""
        temp = self._path(f".{rel}.tmp")
        options.setdefault("encoding", "utf-8")  # never the machine's locale
        try:
            with self._fs.open(temp, "w", **options) as handle:
                yield handle
            self._fs.mv(temp, self._path(rel))
        except BaseException:
            self._remove(f".{rel}.tmp")
            raise

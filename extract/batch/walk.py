"""Finding the filings of a folder: a lazy, sorted walk, and a unique record name for each.

A folder (and an output folder) is a local path or, with fsspec installed, a URL such as
``s3://bucket/filings``: see ``remote`` for those.
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

DEFAULT_GLOBS: tuple[str, ...] = ("*.txt", "*.md", "*.html", "*.pdf")

Location = Path | str
"""A local path, or (a ``str``) an fsspec URL such as ``s3://bucket/key``."""

_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]+://")


def is_url(location: Location) -> bool:
    """``s3://…``, ``memory://…``: a location only fsspec can open."""
    return isinstance(location, str) and bool(_URL.match(location))


def as_location(text: str) -> Location:
    """What a user typed: a URL stays a URL (``file://`` too: fsspec reads it), anything
    else is a path."""
    return text if is_url(text) else Path(text)


@dataclass(frozen=True)
class InputFile:
    """One input: its path or URL (as the user can open it), path inside DIR, record name."""

    path: Location
    rel: str
    name: str


def iter_filings(
    root: Path, globs: Iterable[str] = DEFAULT_GLOBS, exclude: Path | None = None
) -> Iterator[InputFile]:
    """Yield the filings under ``root`` depth-first, each directory's entries sorted by name.

    A pattern without ``/`` matches the file name, one with ``/`` the path inside ``root``;
    matching ignores case (``*.pdf`` finds ``年报.PDF``). A directory whose name matches is
    yielded too (it then fails with a clear error) and is still searched. ``exclude`` (the
    output folder, when it lies inside ``root``) is not searched. Symlinked directories
    are not followed.
    """
    patterns = lowered_patterns(globs)
    excluded = exclude.resolve() if exclude is not None else None
    yield from _walk(root, PurePosixPath(), patterns, excluded)


def _walk(
    folder: Path, rel: PurePosixPath, patterns: tuple[str, ...], excluded: Path | None
) -> Iterator[InputFile]:
    try:
        with os.scandir(folder) as scan:
            entries = sorted(scan, key=lambda e: e.name)
    except OSError:
        return  # unreadable or vanished directory: nothing to find there
    for entry in entries:
        entry_rel = rel / entry.name
        if matches(entry.name, entry_rel, patterns):
            yield InputFile(Path(entry.path), entry_rel.as_posix(), record_name(entry_rel))
        if entry.is_dir(follow_symlinks=False):
            if excluded is not None and Path(entry.path).resolve() == excluded:
                continue
            yield from _walk(Path(entry.path), entry_rel, patterns, excluded)


def lowered_patterns(globs: Iterable[str]) -> tuple[str, ...]:
    return tuple(g.lower() for g in globs)


def matches(name: str, rel: PurePosixPath, patterns: tuple[str, ...]) -> bool:
    """Whether a file is a filing: a pattern with ``/`` matches the path inside the folder,
    one without it the name; case is ignored."""
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

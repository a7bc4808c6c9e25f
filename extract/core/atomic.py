"""Writing files so that nothing is ever half-written: temp file in the same folder, then rename.

A temp file is named ``.<name>.<random>.tmp`` beside its target; a writer killed before the
rename leaves one behind, which :func:`remove_stale_temps` deletes.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

TEMP_SUFFIX = ".tmp"


def write_atomic(path: Path, data: str | bytes, encoding: str = "utf-8") -> None:
    """Write ``data`` to ``path`` atomically (readers see the old file or the new, never a part)."""
    payload = data.encode(encoding) if isinstance(data, str) else data
    with _replacing(path, "wb") as handle:
        handle.write(payload)


@contextmanager
def atomic_text(
    path: Path, *, encoding: str = "utf-8", newline: str | None = None
) -> Iterator[IO[str]]:
    """Like :func:`write_atomic`, for a file written piece by piece (temp file, then rename)."""
    with _replacing(path, "w", encoding=encoding, newline=newline) as handle:
        yield handle


def remove_stale_temps(folder: Path) -> int:
    """Delete ``.<name>.<random>.tmp`` files an interrupted writer left behind."""
    removed = 0
    with os.scandir(folder) as scan:
        for entry in scan:
            if entry.name.startswith(".") and entry.name.endswith(TEMP_SUFFIX) and entry.is_file():
                Path(entry.path).unlink(missing_ok=True)
                removed += 1
    return removed


@contextmanager
def _replacing(path: Path, mode: str, **options: Any) -> Iterator[IO[Any]]:
    """A handle on a temp file beside ``path``; on a clean exit it is flushed, synced and
    renamed onto ``path``, on an error removed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TEMP_SUFFIX)
    try:
        os.fchmod(fd, _default_mode())  # mkstemp makes 0600; outputs are ordinary files
        with os.fdopen(fd, mode, **options) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _default_mode() -> int:
    """0666 less the process umask, as ``open()`` would create the file."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask

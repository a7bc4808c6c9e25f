"""Make a view: of a filing (extracting it first), or of a record already made.

A record's evidence offsets point into its filing as decoded, so a view needs the filing
itself: the record's ``source.path``, read again and checked against ``source.sha256``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..config import Settings
from ..core.errors import InputError
from ..core.schema import Record
from ..load.document import DEFAULT_MAX_BYTES, Document, read_document
from ..pipeline import extract_document
from .page import render_view

RECORD_SUFFIX = ".json"
VIEW_SUFFIX = ".html"


def make_view(path: Path, settings: Settings | None = None) -> str:
    """The view of ``path``: a record file (``.json``) over its source, or a filing
    extracted with ``settings`` (the usual backend options)."""
    settings = settings or Settings()
    if path.suffix.lower() == RECORD_SUFFIX:
        return view_of_record(read_record_file(path), max_bytes=settings.max_bytes)
    document = read_document(path, max_bytes=settings.max_bytes)
    return view_of_document(extract_document(document, settings), document)


def default_view_path(path: Path) -> Path:
    """Where ``extract view PATH`` writes without ``-o``: the filing's name plus ``.html``
    in the current folder (``a.txt`` → ``a.txt.html``; record ``a.txt.json`` → ``a.txt.html``)."""
    name = path.name
    if path.suffix.lower() == RECORD_SUFFIX:
        name = path.stem
    return Path(name + VIEW_SUFFIX)


def view_of_document(record: Record, document: Document) -> str:
    """The view of a record made from ``document`` in this process."""
    return render_view(record.model_dump(mode="json"), document.original, document.page_starts)


def view_of_record(record: dict[str, Any], *, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """The view of a record (as JSON), its source read from ``source.path``."""
    document = read_source(record, max_bytes=max_bytes)
    return render_view(record, document.original, document.page_starts)


def read_record_file(path: Path) -> dict[str, Any]:
    """A record file as JSON, checked against the contract (unknown keys are kept)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as err:
        raise InputError(f"{path}: no such file") from err
    except (OSError, UnicodeDecodeError, ValueError) as err:
        raise InputError(f"{path} is not a readable JSON record: {err}") from err
    try:
        Record.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "record"
        raise InputError(f"{path} is not an extract record: {where}: {first['msg']}") from err
    return dict(data)


def read_source(record: dict[str, Any], *, max_bytes: int = DEFAULT_MAX_BYTES) -> Document:
    """The filing a record was made from, as it was then (same sha256)."""
    source = record.get("source") or {}
    path = Path(str(source.get("path")))
    if not path.is_file():
        raise InputError(
            f"the record's source {path} is not found; a view needs the filing itself "
            "(run from the folder the record was made in)"
        )
    document = read_document(path, max_bytes=max_bytes)
    if source.get("sha256") and document.sha256 != source["sha256"]:
        raise InputError(
            f"{path} has changed since the record was made (sha256 differs), so its "
            f"evidence offsets no longer fit; extract it again: extract view {path}"
        )
    return document

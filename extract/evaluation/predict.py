"""Predictions for gold documents: by running the extractor, or from a batch's records."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any

from pydantic import ValidationError

from ..batch.store import OutputFolder
from ..config import Settings
from ..core.atomic import write_atomic
from ..core.errors import ExtractError
from ..core.schema import Record
from ..load.document import read_document
from ..pipeline import extract_document
from ..view.make import VIEW_SUFFIX, view_of_document, view_of_record
from .documents import find_document
from .gold import GoldDoc, describe_errors


@dataclass(frozen=True)
class Prediction:
    """A record for one gold document (as its JSON dict), or why there is none."""

    record: dict[str, Any] | None
    source_path: str | None = None
    error: str | None = None
    view: str | None = None  # where the record's view was written, if it was


Predictor = Callable[[GoldDoc], Prediction]


def predict_by_extracting(
    docs_dirs: Sequence[Path], settings: Settings, views_dir: Path | None = None
) -> Predictor:
    """Predict by running the extractor on each gold document; with ``views_dir``, also
    write the view of each record there (``<gold name>.html``), from the text just read."""

    def predict(gold: GoldDoc) -> Prediction:
        path = find_document(gold.document, docs_dirs)
        try:
            document = read_document(path, max_bytes=settings.max_bytes)
            record = extract_document(document, settings)
        except ExtractError as err:
            return Prediction(None, str(path), f"extraction failed: {err}")
        view = None
        if views_dir is not None:
            view = _write_view(views_dir, gold, view_of_document(record, document))
        return Prediction(record.model_dump(mode="json"), str(path), view=view)

    return predict


def _write_view(views_dir: Path, gold: GoldDoc, page: str) -> str:
    path = views_dir / f"{gold.name}{VIEW_SUFFIX}"
    write_atomic(path, page)
    return str(path)


def load_batch_records(out_dir: Path) -> dict[str, tuple[Path, dict[str, Any]]]:
    """The committed records of a batch output folder (``OUT/records/*.json``), indexed by
    the basename of each record's ``source.path``."""
    folder = OutputFolder(out_dir)
    if not folder.records.is_dir():
        raise ExtractError(f"{out_dir} has no records/ folder; is it a batch output directory?")
    index: dict[str, tuple[Path, dict[str, Any]]] = {}
    for path in folder.committed_records():
        data = _read_record(path)
        name = PurePath(data["source"]["path"].replace("\\", "/")).name
        if name in index:
            raise ExtractError(
                f"two records for documents named {name}: {index[name][0]} and {path}"
            )
        index[name] = (path, data)
    return index


def _read_record(path: Path) -> dict[str, Any]:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return Record.model_validate(raw).model_dump(mode="json")
    except ValidationError as err:
        raise ExtractError(f"{path} is not a record: {describe_errors(err)}") from err
    except (OSError, ValueError) as err:  # unreadable file, or not JSON
        raise ExtractError(f"{path} is not a readable record: {err}") from err


def predictions_from_batch(out_dir: Path, views_dir: Path | None = None) -> Predictor:
    """Predict from the records a batch run wrote to ``OUT/records``; with ``views_dir``,
    also write the view of each record whose filing is still where it was read, unchanged
    (else the report has no link to it)."""
    index = load_batch_records(out_dir)

    def predict(gold: GoldDoc) -> Prediction:
        if gold.document not in index:
            return Prediction(None, None, f"no record for {gold.document} in {out_dir}/records")
        data = index[gold.document][1]
        view = None
        if views_dir is not None:
            with suppress(ExtractError):
                view = _write_view(views_dir, gold, view_of_record(data))
        return Prediction(data, str(data["source"]["path"]), view=view)

    return predict

"""Predictions for gold documents: by running the extractor, or from a batch's records."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any

from pydantic import ValidationError

from ..batch.store import OutputFolder
from ..config import Settings
from ..core.errors import ExtractError
from ..core.schema import Record
from ..pipeline import extract_file
from .documents import find_document
from .gold import GoldDoc, describe_errors


@dataclass(frozen=True)
class Prediction:
    """A record for one gold document (as its JSON dict), or why there is none."""

    record: dict[str, Any] | None
    source_path: str | None = None
    error: str | None = None


Predictor = Callable[[GoldDoc], Prediction]


def predict_by_extracting(docs_dirs: Sequence[Path], settings: Settings) -> Predictor:
    """Predict by running the extractor on each gold document."""

    def predict(gold: GoldDoc) -> Prediction:
        path = find_document(gold.document, docs_dirs)
        try:
            record = extract_file(path, settings)
        except ExtractError as err:
            return Prediction(None, str(path), f"extraction failed: {err}")
        return Prediction(record.model_dump(mode="json"), str(path))

    return predict


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


def predictions_from_batch(out_dir: Path) -> Predictor:
    """Predict from the records a batch run wrote to ``OUT/records``."""
    index = load_batch_records(out_dir)

    def predict(gold: GoldDoc) -> Prediction:
        if gold.document not in index:
            return Prediction(None, None, f"no record for {gold.document} in {out_dir}/records")
        data = index[gold.document][1]
        return Prediction(data, str(data["source"]["path"]))

    return predict

"""``extract eval``: score the extractor, or a batch output folder, against the gold files."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..config import Settings
from .documents import default_docs_dirs, find_document
from .gold import load_gold_dir
from .predict import predict_by_extracting, predictions_from_batch
from .report import EvalReport, RunMeta
from .score import build_report, score_gold


def evaluate(
    gold_dir: Path,
    *,
    docs_dirs: Sequence[Path] | None = None,
    settings: Settings | None = None,
    predictions_dir: Path | None = None,
    pattern: str = "*",
    views_dir: Path | None = None,
) -> EvalReport:
    """Score the extractor (or a batch output folder) against the gold files in ``gold_dir``.

    Documents are looked up in ``docs_dirs``, by default the seeds and the shared folders.
    Without ``settings`` the rules are scored (eval/floor.json holds the rules' floors).
    With ``views_dir``, the view of each document's record is written there
    (``<gold name>.html``) and the HTML report links failing fields to it.
    """
    settings = settings or Settings(backend="rules")
    docs_dirs = docs_dirs or default_docs_dirs()
    golds = load_gold_dir(gold_dir, pattern)
    if predictions_dir is not None:
        predict = predictions_from_batch(predictions_dir, views_dir)
    else:
        for gold in golds:  # fail early, before any extraction, on a missing document
            find_document(gold.document, docs_dirs)
        predict = predict_by_extracting(docs_dirs, settings, views_dir)
    predictions = [(gold, predict(gold)) for gold in golds]
    documents = [score_gold(gold, prediction) for gold, prediction in predictions]
    records = [p.record for _, p in predictions if p.record]
    meta = RunMeta(
        backend=_joined(r.get("backend") for r in records) or settings.backend,
        model=_joined(r.get("model") for r in records),
        prompt_version=_joined(r.get("prompt_version") for r in records),
        timestamp=datetime.now(UTC).isoformat(timespec="seconds"),
        gold_dir=str(gold_dir),
        gold_pattern=pattern,
        docs_dirs=[] if predictions_dir else [str(d) for d in docs_dirs],
        predictions_dir=str(predictions_dir) if predictions_dir else None,
    )
    return build_report(meta, documents)


def _joined(values: Iterable[Any]) -> str | None:
    """The distinct non-null values, comma-joined (None when there are none)."""
    distinct = sorted({str(v) for v in values if v is not None})
    return ", ".join(distinct) or None

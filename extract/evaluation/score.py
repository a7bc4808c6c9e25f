"""Scoring: outcomes counted into accuracy, precision, recall and F1, per field, section,
document and overall."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..core.schema import SECTION_NAMES, flatten_record
from .fields import (
    FIELD_KINDS,
    FIELD_PATHS,
    OUTCOMES,
    Outcome,
    score_value,
    section_of,
)
from .gold import GoldDoc
from .predict import Prediction
from .report import DocumentResult, EvalReport, FieldResult, RunMeta, Scores, SectionFlag

# How the scores split by the prediction's own check status (record.checks).
CHECK_STATUSES = ("confirmed", "conflict", "unchecked")


def tally(outcomes: Iterable[Outcome]) -> Scores:
    """Count outcomes and compute accuracy, precision, recall and F1."""
    counts = dict.fromkeys(OUTCOMES, 0)
    for outcome in outcomes:
        counts[outcome] += 1
    c, w, m, s = counts["correct"], counts["wrong"], counts["missed"], counts["spurious"]
    precision = _ratio(c, c + w + s)
    recall = _ratio(c, c + w + m)
    f1 = None
    if precision is not None and recall is not None:
        f1 = 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)
    return Scores(
        **counts, accuracy=_ratio(c, c + w + m + s), precision=precision, recall=recall, f1=f1
    )


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def score_document(gold: GoldDoc, record: Mapping[str, Any] | None) -> list[FieldResult]:
    """Score every contract field of one document (all of them; unlisted gold fields are null)."""
    record = record or {}
    predicted = flatten_record(dict(record))
    evidence = record.get("evidence") or {}
    checks = record.get("checks") or {}
    results = []
    for path in FIELD_PATHS:
        entry = gold.fields.get(path)
        tolerance = entry.tolerance if entry else None
        pred = predicted.get(path)
        results.append(
            FieldResult(
                path=path,
                kind=FIELD_KINDS[path],
                outcome=score_value(FIELD_KINDS[path], gold.value(path), pred, tolerance),
                gold=gold.value(path),
                prediction=pred,
                tolerance=tolerance,
                gold_quote=entry.quote if entry else None,
                evidence_quote=(evidence.get(path) or {}).get("quote"),
                check=checks.get(path),
            )
        )
    return results


def section_flags(gold: GoldDoc, record: Mapping[str, Any] | None) -> dict[str, SectionFlag]:
    """Per section: applies per gold vs. present (non-null) in the prediction."""
    record = record or {}
    return {
        name: SectionFlag(gold=gold.sections[name], predicted=record.get(name) is not None)
        for name in SECTION_NAMES
    }


def score_gold(gold: GoldDoc, prediction: Prediction) -> DocumentResult:
    """One document's result from its gold and its prediction."""
    fields = score_document(gold, prediction.record)
    return DocumentResult(
        name=gold.name,
        document=gold.document,
        gold_file=str(gold.path),
        source_path=prediction.source_path,
        error=prediction.error,
        view=prediction.view,
        sections=section_flags(gold, prediction.record),
        scores=tally(f.outcome for f in fields),
        fields=fields,
    )


def build_report(meta: RunMeta, documents: list[DocumentResult]) -> EvalReport:
    """Aggregate document results per field path, section, document and overall."""
    every = [f for doc in documents for f in doc.fields]
    return EvalReport(
        meta=meta,
        overall=tally(f.outcome for f in every),
        by_section={
            s: tally(f.outcome for f in every if section_of(f.path) == s) for s in SECTION_NAMES
        },
        by_check={
            status: tally(f.outcome for f in every if (f.check or "unchecked") == status)
            for status in CHECK_STATUSES
        },
        by_document={doc.name: tally(f.outcome for f in doc.fields) for doc in documents},
        by_field={p: tally(f.outcome for f in every if f.path == p) for p in FIELD_PATHS},
        documents=documents,
    )


def rescore(report: EvalReport) -> EvalReport:
    """Recompute every outcome and metric from the gold and predictions stored in a report.

    Use it after editing predictions in a saved report (e.g. to see what ``compare`` says).
    """
    documents = []
    for doc in report.documents:
        fields = [
            f.model_copy(update={"outcome": score_value(f.kind, f.gold, f.prediction, f.tolerance)})
            for f in doc.fields
        ]
        scores = tally(f.outcome for f in fields)
        documents.append(doc.model_copy(update={"fields": fields, "scores": scores}))
    return build_report(report.meta, documents)

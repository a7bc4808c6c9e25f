"""Two runs side by side: the fields that got better or worse from report A to report B."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from .fields import Outcome
from .report import EvalReport, load_report

Change = Literal["better", "worse", "changed"]
# Outcomes that mean "right" (the field is what the gold says, value or null).
RIGHT: frozenset[str] = frozenset({"correct", "true_null"})


class FieldChange(BaseModel):
    """A field whose outcome differs between run A and run B."""

    document: str
    path: str
    change: Change
    a: Outcome
    b: Outcome
    gold: Any = None
    prediction_a: Any = None
    prediction_b: Any = None


class Comparison(BaseModel):
    """What changed from report A to report B."""

    a: str
    b: str
    accuracy_a: float | None
    accuracy_b: float | None
    better: list[FieldChange]
    worse: list[FieldChange]
    changed: list[FieldChange]  # another failure (missed → wrong): neither better nor worse
    net: int  # len(better) - len(worse)
    only_in_a: list[str]
    only_in_b: list[str]


def classify_change(a: Outcome, b: Outcome) -> Change | None:
    """better: not right → right; worse: right → not right; changed: another failure; else None."""
    if a == b:
        return None
    if (a in RIGHT) != (b in RIGHT):
        return "better" if b in RIGHT else "worse"
    return "changed"


def compare_reports(
    a: EvalReport, b: EvalReport, *, a_name: str = "A", b_name: str = "B"
) -> Comparison:
    """Field-by-field changes from report ``a`` to report ``b`` (documents in both)."""
    docs_a = {d.name: d for d in a.documents}
    docs_b = {d.name: d for d in b.documents}
    changes: list[FieldChange] = []
    for name in (n for n in docs_a if n in docs_b):
        fields_b = {f.path: f for f in docs_b[name].fields}
        for fa in docs_a[name].fields:
            fb = fields_b.get(fa.path)
            change = classify_change(fa.outcome, fb.outcome) if fb else None
            if fb and change:
                changes.append(
                    FieldChange(
                        document=name,
                        path=fa.path,
                        change=change,
                        a=fa.outcome,
                        b=fb.outcome,
                        gold=fb.gold,
                        prediction_a=fa.prediction,
                        prediction_b=fb.prediction,
                    )
                )
    better = [c for c in changes if c.change == "better"]
    worse = [c for c in changes if c.change == "worse"]
    return Comparison(
        a=a_name,
        b=b_name,
        accuracy_a=a.overall.accuracy,
        accuracy_b=b.overall.accuracy,
        better=better,
        worse=worse,
        changed=[c for c in changes if c.change == "changed"],
        net=len(better) - len(worse),
        only_in_a=[n for n in docs_a if n not in docs_b],
        only_in_b=[n for n in docs_b if n not in docs_a],
    )


def compare_files(a: Path, b: Path) -> Comparison:
    """Compare two ``report.json`` files (A the baseline, B the new run)."""
    return compare_reports(load_report(a), load_report(b), a_name=str(a), b_name=str(b))

"""The report of an evaluation run: what ``report.json`` holds, and reading it back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from ..core.errors import ExtractError
from .fields import ComparisonKind, Outcome
from .gold import describe_errors


class FieldResult(BaseModel):
    """One scored field of one document."""

    path: str
    kind: ComparisonKind
    outcome: Outcome
    gold: Any = None
    prediction: Any = None
    tolerance: float | None = None
    gold_quote: str | None = None
    evidence_quote: str | None = None
    check: str | None = None  # the prediction's check status: confirmed, conflict or None


class Scores(BaseModel):
    """Outcome counts and the metrics derived from them."""

    correct: int = 0
    wrong: int = 0
    missed: int = 0
    spurious: int = 0
    true_null: int = 0
    accuracy: float | None = None
    precision: float | None = None
    recall: float | None = None
    f1: float | None = None


class SectionFlag(BaseModel):
    """Whether a section applies per gold, and whether the prediction filled it."""

    gold: bool
    predicted: bool


class DocumentResult(BaseModel):
    """Everything scored for one gold document."""

    name: str
    document: str
    gold_file: str
    source_path: str | None = None
    error: str | None = None
    view: str | None = None  # the view of its record (``extract view``), when one was drawn
    sections: dict[str, SectionFlag] = Field(default_factory=dict)
    scores: Scores = Field(default_factory=Scores)
    fields: list[FieldResult] = Field(default_factory=list)


class RunMeta(BaseModel):
    """How the run was made."""

    backend: str
    model: str | None = None
    prompt_version: str | None = None
    timestamp: str
    gold_dir: str
    gold_pattern: str = "*"
    docs_dirs: list[str] = Field(default_factory=list)
    predictions_dir: str | None = None


class EvalReport(BaseModel):
    """A whole evaluation run: what ``report.json`` holds."""

    meta: RunMeta
    overall: Scores
    by_section: dict[str, Scores]
    by_check: dict[str, Scores] = Field(default_factory=dict)
    by_document: dict[str, Scores]
    by_field: dict[str, Scores]
    documents: list[DocumentResult]


def load_report(path: Path) -> EvalReport:
    """Read a ``report.json`` written by ``extract eval``."""
    try:
        return EvalReport.model_validate_json(path.read_bytes())
    except OSError as err:
        raise ExtractError(f"cannot read report {path}: {err.strerror or err}") from err
    except ValidationError as err:
        raise ExtractError(
            f"{path} is not an extract eval report.json: {describe_errors(err)}"
        ) from err

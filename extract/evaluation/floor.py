"""The accuracy floor (``eval/floor.json``): the least accuracy each gold set may fall to."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from pathlib import Path, PurePath

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from ..core.errors import ExtractError
from .gold import describe_errors
from .report import EvalReport, Scores
from .score import tally


@dataclass(frozen=True)
class Floor:
    """``eval/floor.json``: minimum overall accuracy per backend and gold set.

    ``sets`` maps a set name to a pattern of gold file names (``0*.yaml``); ``minimums``
    maps a backend (``rules``) to ``{set name: accuracy}``.
    """

    sets: dict[str, str]
    minimums: dict[str, dict[str, float]]


class _FloorFile(BaseModel):
    model_config = ConfigDict(extra="allow")

    sets: dict[str, str]

    @model_validator(mode="after")
    def _check(self) -> _FloorFile:
        for backend, floors in (self.model_extra or {}).items():
            if not isinstance(floors, dict):
                raise ValueError(f"{backend}: expected {{set name: accuracy}}")
            for name, value in floors.items():
                if name not in self.sets:
                    raise ValueError(f"{backend}.{name}: no pattern for set {name!r} in sets")
                if (
                    isinstance(value, bool)
                    or not isinstance(value, int | float)
                    or not 0 <= value <= 1
                ):
                    raise ValueError(f"{backend}.{name}: {value!r} is not an accuracy in 0..1")
        return self


def read_floor(path: Path) -> Floor:
    """Read and check a floor file."""
    try:
        data = _FloorFile.model_validate_json(path.read_bytes())
    except OSError as err:
        raise ExtractError(f"cannot read floor file {path}: {err.strerror or err}") from err
    except ValidationError as err:
        raise ExtractError(f"bad floor file {path}: {describe_errors(err)}") from err
    minimums = {
        backend: {name: float(v) for name, v in floors.items()}
        for backend, floors in (data.model_extra or {}).items()
    }
    return Floor(sets=data.sets, minimums=minimums)


class FloorCheck(BaseModel):
    """One gold set's accuracy against its floor."""

    backend: str
    gold_set: str
    documents: int
    accuracy: float | None
    floor: float
    passed: bool


def set_scores(report: EvalReport, pattern: str) -> tuple[int, Scores]:
    """Number of documents whose gold file name matches ``pattern``, and their pooled scores."""
    docs = [d for d in report.documents if fnmatch.fnmatch(PurePath(d.gold_file).name, pattern)]
    return len(docs), tally(f.outcome for d in docs for f in d.fields)


def check_floor(report: EvalReport, floor: Floor) -> list[FloorCheck]:
    """Each floored set of the run's backend that has documents in the run."""
    checks = []
    for name, minimum in floor.minimums.get(report.meta.backend, {}).items():
        count, scores = set_scores(report, floor.sets[name])
        if count:
            accuracy = scores.accuracy
            passed = accuracy is not None and accuracy >= minimum
            checks.append(
                FloorCheck(
                    backend=report.meta.backend,
                    gold_set=name,
                    documents=count,
                    accuracy=accuracy,
                    floor=minimum,
                    passed=passed,
                )
            )
    return checks

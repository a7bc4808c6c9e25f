"""Gold files (``eval/gold/*.yaml``, format in eval/gold/README.md): read and checked."""

from __future__ import annotations

import difflib
import fnmatch
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..core.errors import ExtractError
from .fields import FIELD_KINDS, FIELD_PATHS, ComparisonKind, decimal_of, iso_date, section_of


class GoldField(BaseModel):
    """One labelled field: its value, where it was read, and an optional tolerance."""

    model_config = ConfigDict(extra="forbid")

    value: Any
    quote: str | None = None
    tolerance: float | None = Field(default=None, ge=0)


class GoldSections(BaseModel):
    """Which contract sections apply to the filing (``filing`` always does)."""

    model_config = ConfigDict(extra="forbid")

    financials: bool
    dividend: bool
    buyback: bool
    incentive: bool


class GoldFile(BaseModel):
    """The YAML structure of one gold file."""

    model_config = ConfigDict(extra="forbid")

    document: str = Field(min_length=1)
    sections: GoldSections
    fields: dict[str, GoldField] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check_fields(self) -> GoldFile:
        problems: list[str] = []
        for path, entry in self.fields.items():
            problem = _field_problem(path, entry, self.sections)
            if problem:
                problems.append(f"fields.{path}: {problem}")
            elif FIELD_KINDS[path] == "date" and entry.value is not None:
                entry.value = iso_date(entry.value)  # YAML date objects → ISO strings
        if problems:
            raise ValueError("; ".join(problems))
        return self


_EXPECTED_TYPE: dict[ComparisonKind, str] = {
    "money": "a number",
    "number": "a number",
    "bool": "true or false",
    "date": "a date YYYY-MM-DD",
    "text": 'a string (quote codes such as "002025")',
}


def _field_problem(path: str, entry: GoldField, sections: GoldSections) -> str | None:
    """What is wrong with one labelled field, or None."""
    if path not in FIELD_KINDS:
        close = difflib.get_close_matches(path, FIELD_PATHS, n=1)
        return "unknown field path" + (f" (did you mean {close[0]}?)" if close else "")
    section = section_of(path)
    if entry.value is not None and section != "filing" and not getattr(sections, section):
        return f"has a value but sections.{section} is false"
    kind = FIELD_KINDS[path]
    if entry.tolerance is not None and kind not in ("money", "number"):
        return "tolerance is only for numbers"
    if entry.value is not None and not _has_kind(kind, entry.value):
        return f"value {entry.value!r} should be {_EXPECTED_TYPE[kind]}"
    return None


def _has_kind(kind: ComparisonKind, value: Any) -> bool:
    if kind in ("money", "number"):
        return decimal_of(value) is not None and not isinstance(value, str)
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "date":
        return not isinstance(value, datetime) and iso_date(value) is not None
    return isinstance(value, str)


@dataclass(frozen=True)
class GoldDoc:
    """A validated gold file."""

    name: str  # the gold file's stem
    path: Path
    document: str
    sections: dict[str, bool]  # includes "filing": True
    fields: dict[str, GoldField]

    def value(self, path: str) -> Any:
        """The gold value of a contract field (unlisted fields are null)."""
        entry = self.fields.get(path)
        return entry.value if entry else None


def load_gold(path: Path) -> GoldDoc:
    """Read and validate one gold YAML file; ExtractError names the file and the problem."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise ExtractError(f"cannot read gold file {path}: {err.strerror or err}") from err
    except yaml.YAMLError as err:
        raise ExtractError(f"gold file {path} is not valid YAML: {err}") from err
    if not isinstance(data, dict):
        raise ExtractError(f"gold file {path} must be a mapping with document, sections, fields")
    try:
        gold = GoldFile.model_validate(data)
    except ValidationError as err:
        raise ExtractError(f"bad gold file {path}: {describe_errors(err)}") from err
    sections = {"filing": True, **gold.sections.model_dump()}
    return GoldDoc(path.stem, path, gold.document, sections, gold.fields)


def describe_errors(err: ValidationError) -> str:
    """Pydantic errors as ``where: what`` on one line."""
    parts = []
    for item in err.errors():
        where = ".".join(str(p) for p in item["loc"])
        message = item["msg"].removeprefix("Value error, ")
        parts.append(f"{where}: {message}" if where else message)
    return "; ".join(parts)


GOLD_SUFFIXES: tuple[str, ...] = (".yaml", ".yml")


def load_gold_dir(gold_dir: Path, pattern: str = "*") -> list[GoldDoc]:
    """Every gold file in ``gold_dir`` whose name matches ``pattern``, sorted by name."""
    if not gold_dir.is_dir():
        raise ExtractError(f"gold directory {gold_dir} does not exist")
    paths = sorted(
        p
        for p in gold_dir.iterdir()
        if p.suffix in GOLD_SUFFIXES and p.is_file() and fnmatch.fnmatch(p.name, pattern)
    )
    if not paths:
        raise ExtractError(f"no gold files (*.yaml) matching {pattern!r} in {gold_dir}")
    return [load_gold(p) for p in paths]

"""Score extractions against the gold labels in ``eval/gold`` (format: eval/gold/README.md).

The flow, each step a small function:

1. ``load_gold_dir`` reads and validates every gold YAML file (``GoldDoc``).
2. Predictions come from running ``extract_file`` on each gold document
   (``predict_by_extracting``) or from a batch output folder (``predictions_from_batch``).
3. ``score_document`` compares every contract field; ``score_value`` decides one field.
4. ``build_report`` adds the counts and metrics per field path, section, document and overall.

Outcomes per field: ``correct``, ``wrong`` (both have values, they differ), ``missed`` (gold
value, prediction null), ``spurious`` (prediction value, gold null) and ``true_null`` (both
null; counted but left out of the metrics).

Metrics, over fields where gold or prediction has a value:
accuracy = correct / (correct + wrong + missed + spurious),
precision = correct / (correct + wrong + spurious), recall = correct / (correct + wrong + missed),
F1 = 2PR / (P + R). A metric whose denominator is 0 is ``None``.
"""

from __future__ import annotations

import difflib
import fnmatch
import json
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path, PurePath
from typing import Any, Literal, get_args

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .config import Settings
from .core.errors import ExtractError
from .core.schema import METRICS, SECTIONS, Filing, Metric, Record, flatten_record
from .pipeline import extract_file
from .shared import default_docs_dirs

# ============================================================================ field kinds

Kind = Literal["money", "number", "bool", "date", "text"]
Outcome = Literal["correct", "wrong", "missed", "spurious", "true_null"]

OUTCOMES: tuple[Outcome, ...] = ("correct", "wrong", "missed", "spurious", "true_null")
FAILURES: tuple[Outcome, ...] = ("wrong", "missed", "spurious")
SECTION_NAMES: tuple[str, ...] = ("filing", *SECTIONS)

# Metrics measured in money (base currency units); their value/prior/low/high are compared
# exactly (or within the gold tolerance). Per-share amounts and percentages are "number".
MONEY_METRICS: frozenset[str] = frozenset(
    {
        "revenue",
        "gross_profit",
        "profit_for_period",
        "net_profit_attributable",
        "net_profit_attributable_deducted",
        "non_recurring_total",
        "operating_cash_flow",
        "total_assets",
        "equity_attributable",
        "rd_investment",
        "ebitda",
    }
)
MONEY_METRIC_PARTS: frozenset[str] = frozenset({"value", "prior", "low", "high"})
MONEY_FIELDS: frozenset[str] = frozenset(
    {
        "dividend.total_cash",
        "buyback.plan_amount_min",
        "buyback.plan_amount_max",
        "buyback.amount_paid",
    }
)


def _kind_of_annotation(annotation: Any) -> Kind:
    """``date | None`` → date, ``bool | None`` → bool, int/float → number, str/enums → text."""
    args = [a for a in get_args(annotation) if a is not type(None)] or [annotation]
    base = args[0]
    if base is bool:
        return "bool"
    if base is date:
        return "date"
    if base in (int, float):
        return "number"
    return "text"


def _field_kinds() -> dict[str, Kind]:
    """Every contract field path → how it is compared (derived from the schema)."""
    kinds: dict[str, Kind] = {}
    for name, info in Filing.model_fields.items():
        kinds[f"filing.{name}"] = _kind_of_annotation(info.annotation)
    for metric in METRICS:
        for part in Metric.model_fields:
            money = metric in MONEY_METRICS and part in MONEY_METRIC_PARTS
            kinds[f"financials.{metric}.{part}"] = "money" if money else "number"
    for section in ("dividend", "buyback", "incentive"):
        for name, info in SECTIONS[section].model_fields.items():
            path = f"{section}.{name}"
            kinds[path] = "money" if path in MONEY_FIELDS else _kind_of_annotation(info.annotation)
    return kinds


FIELD_KINDS: dict[str, Kind] = _field_kinds()
# Every contract field path, in contract order (the order of ``flatten_record``).
FIELD_PATHS: tuple[str, ...] = tuple(flatten_record({}))


def section_of(path: str) -> str:
    """``financials.revenue.value`` → ``financials``."""
    return path.split(".", 1)[0]


# ============================================================================ comparing values


def normalise_text(value: str) -> str:
    """Full-width → half-width (NFKC) and all whitespace removed."""
    return "".join(unicodedata.normalize("NFKC", value).split())


def _decimal(value: Any) -> Decimal | None:
    """A number as an exact Decimal of its shortest repr; None for non-numbers (and bools)."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def decimal_places(value: Any) -> int:
    """Decimal places of a number as written: 1.18 → 2, 1.2 (YAML for 1.20) → 1, 5160476 → 0."""
    number = _decimal(value)
    if number is None:
        return 0
    exponent = number.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _iso_date(value: Any) -> str | None:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            return None
    return None


def numbers_match(gold: Any, pred: Any, tolerance: float | None, exact: bool) -> bool:
    """Equal within ``tolerance`` (absolute), else exactly (money) or at the gold's decimals."""
    g, p = _decimal(gold), _decimal(pred)
    if g is None or p is None:
        return False
    if tolerance is not None:
        return abs(p - g) <= Decimal(str(tolerance))
    if exact:
        return p == g
    step = Decimal(1).scaleb(-decimal_places(gold))
    return p.quantize(step, rounding=ROUND_HALF_UP) == g


def values_match(kind: Kind, gold: Any, pred: Any, tolerance: float | None = None) -> bool:
    """Whether a non-null prediction equals a non-null gold value, compared as ``kind``."""
    if kind in ("money", "number"):
        return numbers_match(gold, pred, tolerance, exact=kind == "money")
    if kind == "bool":
        return isinstance(pred, bool) and pred is gold
    if kind == "date":
        return _iso_date(gold) is not None and _iso_date(gold) == _iso_date(pred)
    return normalise_text(str(gold)) == normalise_text(str(pred))


def score_value(kind: Kind, gold: Any, pred: Any, tolerance: float | None = None) -> Outcome:
    """The outcome of one field."""
    if gold is None:
        return "true_null" if pred is None else "spurious"
    if pred is None:
        return "missed"
    return "correct" if values_match(kind, gold, pred, tolerance) else "wrong"


# ============================================================================ gold files


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
                entry.value = _iso_date(entry.value)  # YAML date objects → ISO strings
        if problems:
            raise ValueError("; ".join(problems))
        return self


_EXPECTED_TYPE: dict[Kind, str] = {
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


def _has_kind(kind: Kind, value: Any) -> bool:
    if kind in ("money", "number"):
        return _decimal(value) is not None and not isinstance(value, str)
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "date":
        return not isinstance(value, datetime) and _iso_date(value) is not None
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
        raise ExtractError(f"bad gold file {path}: {_describe(err)}") from err
    sections = {"filing": True, **gold.sections.model_dump()}
    return GoldDoc(path.stem, path, gold.document, sections, gold.fields)


def _describe(err: ValidationError) -> str:
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


# ============================================================================ predictions


@dataclass(frozen=True)
class Prediction:
    """A record for one gold document (as its JSON dict), or why there is none."""

    record: dict[str, Any] | None
    source_path: str | None = None
    error: str | None = None


Predictor = Callable[[GoldDoc], Prediction]


def find_document(name: str, docs_dirs: Sequence[Path]) -> Path:
    """The first ``dir/name`` that exists, in the order of ``docs_dirs``."""
    for folder in docs_dirs:
        candidate = folder / name
        if candidate.is_file():
            return candidate
    searched = ", ".join(str(d) for d in docs_dirs) or "(no --docs directories)"
    raise ExtractError(f"document {name} not found in {searched}; pass its folder with --docs")


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
    """``OUT/records/*.json`` indexed by the basename of each record's ``source.path``.

    Where ``OUT/manifest/`` exists (``extract batch`` writes it), only committed records
    (those with a ``manifest/<name>.json``) count.
    """
    folder = out_dir / "records"
    if not folder.is_dir():
        raise ExtractError(f"{out_dir} has no records/ folder; is it a batch output directory?")
    manifests = out_dir / "manifest"
    index: dict[str, tuple[Path, dict[str, Any]]] = {}
    for path in sorted(folder.glob("*.json")):
        if manifests.is_dir() and not (manifests / path.name).is_file():
            continue  # not committed: the batch run was interrupted while redoing it
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
        raise ExtractError(f"{path} is not a record: {_describe(err)}") from err
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


# ============================================================================ results


class FieldResult(BaseModel):
    """One scored field of one document."""

    path: str
    kind: Kind
    outcome: Outcome
    gold: Any = None
    prediction: Any = None
    tolerance: float | None = None
    gold_quote: str | None = None
    evidence_quote: str | None = None


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
    by_document: dict[str, Scores]
    by_field: dict[str, Scores]
    documents: list[DocumentResult]


# ============================================================================ scoring


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


# ============================================================================ running


def evaluate(
    gold_dir: Path,
    *,
    docs_dirs: Sequence[Path] | None = None,
    settings: Settings | None = None,
    predictions_dir: Path | None = None,
    pattern: str = "*",
) -> EvalReport:
    """Score the extractor (or a batch output folder) against the gold files in ``gold_dir``.

    Documents are looked up in ``docs_dirs``, by default the seeds and the shared folders.
    """
    settings = settings or Settings()
    docs_dirs = docs_dirs or default_docs_dirs()
    golds = load_gold_dir(gold_dir, pattern)
    if predictions_dir is not None:
        predict = predictions_from_batch(predictions_dir)
    else:
        for gold in golds:  # fail early, before any extraction, on a missing document
            find_document(gold.document, docs_dirs)
        predict = predict_by_extracting(docs_dirs, settings)
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


def load_report(path: Path) -> EvalReport:
    """Read a ``report.json`` written by ``extract eval``."""
    try:
        return EvalReport.model_validate_json(path.read_bytes())
    except OSError as err:
        raise ExtractError(f"cannot read report {path}: {err.strerror or err}") from err
    except ValidationError as err:
        raise ExtractError(f"{path} is not an extract eval report.json: {_describe(err)}") from err


# ============================================================================ comparing runs

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


# ============================================================================ the floor


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
        raise ExtractError(f"bad floor file {path}: {_describe(err)}") from err
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

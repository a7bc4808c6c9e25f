"""The side panel: the record's sections and fields, each value tied to its highlight.

Built from the record as JSON (``Record.model_dump(mode="json")`` or a record file), so a
record from another version of the toolkit, or one with fields this version does not know
yet (``checks``), is drawn as it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from ..core.schema import (
    METRIC_KINDS,
    METRICS,
    SECTION_MODELS,
    SECTION_NAMES,
    MetricKind,
    SectionName,
)

CheckStatus = Literal["confirmed", "conflict"]
"""What the cross-checks say of a field (``record.checks``); a field they do not name has
neither status."""
CHECK_STATUSES: tuple[CheckStatus, ...] = ("confirmed", "conflict")
# The headers of a section's table: the metrics have three figures, the others one.
METRIC_COLUMNS: tuple[str, ...] = ("value", "prior", "change")
FIELD_COLUMNS: tuple[str, ...] = ("value",)


@dataclass(frozen=True)
class Cell:
    """One value of the record: ``path`` its field, ``mark`` the id of its highlight
    (None when there is no evidence to draw), ``status`` its check status or ``""``."""

    text: str
    path: str
    mark: str | None = None
    status: str = ""
    page: int | None = None


@dataclass(frozen=True)
class Row:
    """A field (or a metric) with a value: one tuple of cells per column."""

    label: str
    path: str
    columns: tuple[tuple[Cell, ...], ...]

    @property
    def page(self) -> int | None:
        """The page of its first value that has one."""
        return next((c.page for cells in self.columns for c in cells if c.page), None)


@dataclass(frozen=True)
class PanelSection:
    """A section of the record: its rows, and the fields it leaves null."""

    name: str
    applies: bool
    headers: tuple[str, ...]
    rows: tuple[Row, ...]
    not_stated: tuple[str, ...]


@dataclass(frozen=True)
class Evidence:
    """What the panel needs of the record's evidence for a field."""

    mark: str | None
    page: int | None


def record_checks(record: Mapping[str, Any]) -> Mapping[str, Any]:
    """The record's ``checks`` (field path → status); empty for a record made before the
    cross-checks wrote them."""
    checks = record.get("checks")
    return checks if isinstance(checks, Mapping) else {}


def check_status(path: str, checks: Mapping[str, Any]) -> str:
    """The check status of a field, or of the metric it belongs to; ``""`` for neither."""
    metric = path.rsplit(".", 1)[0]
    for key in (path, metric):
        status = checks.get(key)
        if status in CHECK_STATUSES:
            return str(status)
    return ""


def format_number(value: float | int, kind: MetricKind | None = None) -> str:
    """A figure as people read it: thousands separated, money with its fen (797,934,412.60),
    a percent metric with ``%``."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        value = int(value)
    if kind == MetricKind.money and isinstance(value, float) and round(value, 2) == value:
        return f"{value:,.2f}"
    text = f"{value:,}"
    return text + "%" if kind == MetricKind.percent else text


def format_value(value: Any) -> str:
    """Any contract value as one line of text."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return format_number(value)
    return " ".join(str(value).split())


def build_panel(record: Mapping[str, Any], evidence: Mapping[str, Evidence]) -> list[PanelSection]:
    """Every section of the contract, in its order."""
    checks = record_checks(record)
    sections = []
    for name in SECTION_NAMES:
        body = record.get(name)
        if name == "financials":
            sections.append(_financials(body, evidence, checks))
        else:
            sections.append(_plain_section(name, body, evidence, checks))
    return sections


def _cell(
    text: str, path: str, evidence: Mapping[str, Evidence], checks: Mapping[str, Any]
) -> Cell:
    found = evidence.get(path)
    return Cell(
        text,
        path,
        mark=found.mark if found else None,
        status=check_status(path, checks),
        page=found.page if found else None,
    )


def _plain_section(
    name: SectionName, body: Any, evidence: Mapping[str, Evidence], checks: Mapping[str, Any]
) -> PanelSection:
    fields = tuple(SECTION_MODELS[name].model_fields)
    if not isinstance(body, Mapping):
        return PanelSection(name, False, FIELD_COLUMNS, (), fields)
    rows = []
    for field in fields:
        value = body.get(field)
        if value is not None:
            path = f"{name}.{field}"
            cell = _cell(format_value(value), path, evidence, checks)
            rows.append(Row(field, path, ((cell,),)))
    not_stated = tuple(f for f in fields if body.get(f) is None)
    return PanelSection(name, True, FIELD_COLUMNS, tuple(rows), not_stated)


def _financials(
    body: Any, evidence: Mapping[str, Evidence], checks: Mapping[str, Any]
) -> PanelSection:
    if not isinstance(body, Mapping):
        return PanelSection("financials", False, METRIC_COLUMNS, (), METRICS)
    rows = []
    for metric in METRICS:
        parts = body.get(metric)
        if isinstance(parts, Mapping) and any(v is not None for v in parts.values()):
            rows.append(_metric_row(metric, parts, evidence, checks))
    stated = {row.label for row in rows}
    not_stated = tuple(m for m in METRICS if m not in stated)
    return PanelSection("financials", True, METRIC_COLUMNS, tuple(rows), not_stated)


def _metric_row(
    metric: str,
    parts: Mapping[str, Any],
    evidence: Mapping[str, Evidence],
    checks: Mapping[str, Any],
) -> Row:
    """value (or low and high, for a range), prior, and the stated change."""
    path = f"financials.{metric}"

    def cells(*names: str) -> tuple[Cell, ...]:
        stated = [(part, parts.get(part)) for part in names]
        return tuple(
            _cell(
                _metric_text(part, value, METRIC_KINDS[metric]), f"{path}.{part}", evidence, checks
            )
            for part, value in stated
            if isinstance(value, int | float)
        )

    value = cells("value") or cells("low", "high")
    return Row(metric, path, (value, cells("prior"), cells("change_pct", "change_pp")))


def _metric_text(part: str, value: float, kind: MetricKind) -> str:
    """A metric's figure; a change signed, in percent or percentage points."""
    if part.startswith("change_"):
        signed = ("+" if value > 0 else "") + format_number(value)
        return signed + ("%" if part == "change_pct" else " pp")
    return format_number(value, kind)

"""``extract check``: how a folder of records stands, without gold.

For each record: the fields its document type must state (``vocab/must_state.yaml``) and
which are present, the figures its own arithmetic confirms and those in conflict. Per
document type, the totals; per file, the worst first (conflicts, then missing must-state
fields). Reads a batch output folder (``OUT/records/*.json``) or a folder of records.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from ..core.errors import InputError
from ..core.schema import flatten_record
from ..vocab import load_vocab


@cache
def _must_state() -> dict[str, Any]:
    return load_vocab("must_state")


def must_state(document_type: str | None, exchange: str | None) -> list[str]:
    """The fields a filing of this type (and exchange) must state."""
    vocab = _must_state()
    fields = list(vocab.get(document_type or "other") or [])
    dropped = set((vocab.get("not_carried") or {}).get(exchange or "", []))
    return [f for f in fields if f not in dropped]


@dataclass
class FileCheck:
    """One record's standing."""

    name: str
    document_type: str
    must: int = 0
    present: int = 0
    missing: list[str] = field(default_factory=list)
    confirmed: int = 0
    conflicts: list[str] = field(default_factory=list)
    numeric: int = 0


@dataclass
class TypeTotals:
    files: int = 0
    must: int = 0
    present: int = 0
    numeric: int = 0
    confirmed: int = 0
    conflicts: int = 0


def check_record_data(name: str, data: dict[str, Any]) -> FileCheck:
    """A record's JSON (as written by ``extract`` or ``extract batch``) → its standing."""
    filing = data.get("filing") or {}
    flat = flatten_record(data)
    result = FileCheck(name, filing.get("document_type") or "other")
    wanted = must_state(filing.get("document_type"), filing.get("exchange"))
    result.must = len(wanted)
    result.missing = [path for path in wanted if flat.get(path) is None]
    result.present = result.must - len(result.missing)
    checks: dict[str, str] = data.get("checks") or {}
    result.confirmed = sum(status == "confirmed" for status in checks.values())
    result.conflicts = [path for path, status in checks.items() if status == "conflict"]
    result.numeric = sum(
        isinstance(v, int | float) and not isinstance(v, bool) for v in flat.values()
    )
    return result


def record_files(folder: Path) -> list[Path]:
    """The record files of a batch output folder or of a folder of records."""
    if not folder.is_dir():
        raise InputError(f"{folder}: not a folder of records")
    records = folder / "records"
    files = sorted((records if records.is_dir() else folder).glob("*.json"))
    if not files:
        raise InputError(f"{folder}: no records (*.json) found")
    return files


def check_folder(folder: Path) -> list[FileCheck]:
    """Every record's standing, worst first."""
    results = []
    for path in record_files(folder):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            raise InputError(f"{path}: not a record ({err})") from err
        if not isinstance(data, dict) or "filing" not in data:
            continue  # summary.json and other files beside the records
        results.append(check_record_data(path.name.removesuffix(".json"), data))
    return sorted(results, key=_worst_first)


def _worst_first(result: FileCheck) -> tuple[int, float, str]:
    share = result.present / result.must if result.must else 1.0
    return (-len(result.conflicts), share, result.name)


def totals_by_type(results: Iterable[FileCheck]) -> dict[str, TypeTotals]:
    totals: dict[str, TypeTotals] = {}
    for result in results:
        total = totals.setdefault(result.document_type, TypeTotals())
        total.files += 1
        total.must += result.must
        total.present += result.present
        total.numeric += result.numeric
        total.confirmed += result.confirmed
        total.conflicts += len(result.conflicts)
    return dict(sorted(totals.items()))


def checkup_json(results: list[FileCheck]) -> dict[str, Any]:
    """What ``extract check --json`` prints."""
    return {
        "by_type": {t: vars(total) for t, total in totals_by_type(results).items()},
        "files": [vars(result) for result in results],
    }


def print_checkup(results: list[FileCheck], console: Any, top: int = 20) -> None:
    """Per document type, then the worst files first."""
    from rich.table import Table

    by_type = Table(title=f"{len(results)} records", title_justify="left")
    for column in ("document type", "files", "must-state present", "confirmed", "conflicts"):
        by_type.add_column(column, justify="left" if column == "document type" else "right")
    for name, total in totals_by_type(results).items():
        present = f"{total.present}/{total.must}" + (
            f" ({total.present / total.must:.0%})" if total.must else ""
        )
        confirmed = f"{total.confirmed}/{total.numeric}"
        by_type.add_row(name, str(total.files), present, confirmed, str(total.conflicts))
    console.print(by_type)
    worst = Table(title="worst files first", title_justify="left")
    for column in ("file", "type", "present", "confirmed", "conflicts", "missing"):
        worst.add_column(column)
    for result in results[:top]:
        worst.add_row(
            result.name,
            result.document_type,
            f"{result.present}/{result.must}",
            str(result.confirmed),
            ", ".join(result.conflicts) or "0",
            ", ".join(path.removeprefix("financials.") for path in result.missing) or "–",
        )
    console.print(worst)

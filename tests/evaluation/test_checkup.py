"""`extract check`: a folder of records stood up without gold."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from extract.cli import cli
from extract.config import Settings
from extract.evaluation.checkup import check_folder, must_state, totals_by_type
from extract.pipeline import extract_file

SEEDS = Path(__file__).resolve().parents[2] / "examples" / "filings"


@pytest.fixture(scope="module")
def records(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("records")
    for seed in sorted(SEEDS.glob("*.txt")):
        record = extract_file(seed, Settings(backend="rules"))
        (folder / f"{seed.stem}.json").write_text(record.to_json(), encoding="utf-8")
    return folder


def test_hkex_reports_are_not_asked_for_what_they_never_print() -> None:
    assert "financials.weighted_roe.value" in must_state("annual_report", "SSE")
    assert "financials.weighted_roe.value" not in must_state("annual_report", "HKEX")
    assert must_state(None, None) == []


def test_each_record_counts_its_must_state_fields_and_checks(records: Path) -> None:
    results = {r.name: r for r in check_folder(records)}
    interim = results["001_815c9fc6d423563f"]  # the 277-page semi-annual report
    assert interim.document_type == "interim_report"
    assert (interim.present, interim.must) == (18, 18)
    assert interim.confirmed > 30 and interim.conflicts == []
    totals = totals_by_type(results.values())
    assert sum(t.files for t in totals.values()) == 5


def test_the_command_prints_json_and_refuses_a_folder_without_records(
    records: Path, tmp_path: Path
) -> None:
    result = CliRunner().invoke(cli, ["check", str(records), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["by_type"]["interim_report"]["files"] == 1
    assert data["files"][0]["name"]  # worst first
    empty = CliRunner().invoke(cli, ["check", str(tmp_path)])
    assert empty.exit_code == 1
    assert "no records" in empty.output

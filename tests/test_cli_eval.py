"""Tests for `extract eval` and `extract eval compare` (click's CliRunner on extract.cli.cli)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result
from shared_files import CORPUS_DIR, corpus_file, need

from extract.cli import cli
from extract.evaluation.render import report_json
from extract.evaluation.report import load_report
from extract.evaluation.score import rescore

ROOT = Path(__file__).resolve().parent.parent
GOLD_DIR = ROOT / "eval" / "gold"
FILINGS = ROOT / "examples" / "filings"
# Small, quick documents: one seed (text) and one corpus PDF.
SUBSET = ("004_b26c4ee7e7963a95.yaml", "d07_haitian_03288_stabilisation_end_2025.yaml")


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def gold_subset(tmp_path: Path) -> Path:
    folder = tmp_path / "gold"
    folder.mkdir()
    for name in SUBSET:
        shutil.copy(GOLD_DIR / name, folder / name)
    return folder


def eval_args(gold: Path, out: Path, *extra: str) -> list[str]:
    return [
        "eval",
        "--gold",
        str(gold),
        "--docs",
        str(FILINGS),
        "--docs",
        str(need(CORPUS_DIR)),
        "-o",
        str(out),
        "--backend",
        "rules",
        *extra,
    ]


def test_eval_writes_three_reports_and_prints_table(tmp_path: Path, gold_subset: Path) -> None:
    out = tmp_path / "report"
    result = run(*eval_args(gold_subset, out))
    assert result.exit_code == 0, result.output
    for name in ("report.json", "report.md", "report.html"):
        assert (out / name).is_file(), name
    assert "004_b26c4ee7e7963a95" in result.output
    assert "overall" in result.output
    assert "per section" in result.output
    report = load_report(out / "report.json")
    assert [d.name for d in report.documents] == [Path(n).stem for n in SUBSET]
    accuracy = f"{report.overall.accuracy:.3f}"
    assert accuracy in result.output
    views = sorted(p.name for p in (out / "views").iterdir())
    assert views == [f"{Path(n).stem}.html" for n in SUBSET]
    assert [d.view for d in report.documents] == [str(out / "views" / v) for v in views]


def test_eval_from_batch_predictions_matches_extracting(tmp_path: Path, gold_subset: Path) -> None:
    """Records written by `extract batch` (OUT/records) score like a direct run."""
    inbox = tmp_path / "in"
    inbox.mkdir()
    shutil.copy(FILINGS / "004_b26c4ee7e7963a95.txt", inbox)
    shutil.copy(corpus_file("d07_haitian_03288_stabilisation_end_2025.pdf"), inbox)
    batch = tmp_path / "batch"
    made = run("batch", str(inbox), "-o", str(batch), "--backend", "rules", "--quiet")
    assert made.exit_code == 0, made.output
    direct = run(*eval_args(gold_subset, tmp_path / "a"))
    from_batch = run(
        "eval", "--gold", str(gold_subset), "--predictions", str(batch), "-o", str(tmp_path / "b")
    )
    assert direct.exit_code == 0 and from_batch.exit_code == 0, from_batch.output
    a, b = load_report(tmp_path / "a" / "report.json"), load_report(tmp_path / "b" / "report.json")
    assert a.overall == b.overall
    assert all(d.error is None for d in b.documents)
    assert b.meta.predictions_dir == str(batch)
    # the batch's filings are where it read them, so the report has their views too
    assert all(d.view and Path(d.view).is_file() for d in b.documents)


def test_compare_shows_a_deliberately_broken_field_as_worse(
    tmp_path: Path, gold_subset: Path
) -> None:
    result = run(*eval_args(gold_subset, tmp_path / "a"))
    assert result.exit_code == 0, result.output
    path_a = tmp_path / "a" / "report.json"
    report = load_report(path_a)

    broken = report.model_copy(deep=True)
    doc = next(d for d in broken.documents if any(f.outcome == "correct" for f in d.fields))
    field = next(f for f in doc.fields if f.outcome == "correct")
    field.prediction = "totally wrong" if field.kind in ("text", "date") else -123456789.5
    if field.kind == "bool":
        field.prediction = not field.gold
    broken = rescore(broken)
    path_b = tmp_path / "b.json"
    path_b.write_text(report_json(broken), encoding="utf-8")
    assert broken.overall.accuracy is not None and report.overall.accuracy is not None
    assert broken.overall.accuracy < report.overall.accuracy

    shown = run("eval", "compare", str(path_a), str(path_b))
    assert shown.exit_code == 0, shown.output
    assert field.path in shown.output and "worse" in shown.output
    assert "net change -1" in shown.output
    assert f"{report.overall.accuracy:.3f}" in shown.output
    assert f"{broken.overall.accuracy:.3f}" in shown.output

    machine = run("eval", "compare", str(path_a), str(path_b), "--json")
    assert machine.exit_code == 0
    data = json.loads(machine.output)
    assert [(c["document"], c["path"], c["a"]) for c in data["worse"]] == [
        (doc.name, field.path, "correct")
    ]
    assert data["better"] == [] and data["net"] == -1
    assert data["accuracy_b"] < data["accuracy_a"]

    # the other way round, the field got better
    reverse = json.loads(run("eval", "compare", str(path_b), str(path_a), "--json").output)
    assert reverse["net"] == 1 and reverse["better"][0]["path"] == field.path


def test_compare_rejects_a_file_that_is_not_a_report(tmp_path: Path) -> None:
    bogus = tmp_path / "x.json"
    bogus.write_text('{"hello": 1}')
    result = CliRunner().invoke(cli, ["eval", "compare", str(bogus), str(bogus)])
    assert result.exit_code == 1
    assert "Error:" in result.output
    assert "x.json is not an extract eval report.json" in result.output


def test_floor_pass_and_fail(tmp_path: Path, gold_subset: Path) -> None:
    floor = tmp_path / "floor.json"
    floor.write_text(json.dumps({"sets": {"all": "*"}, "rules": {"all": 0.0}}))
    ok = run(*eval_args(gold_subset, tmp_path / "a", "--floor", str(floor)))
    assert ok.exit_code == 0, ok.output
    assert "floor rules/all" in ok.output and ": ok" in ok.output
    # a gold label the extractor cannot match makes the run imperfect, so a floor of 1.0 fails
    first = sorted(gold_subset.glob("*.yaml"))[0]
    gold = yaml.safe_load(first.read_text(encoding="utf-8"))
    gold["fields"]["filing.company_name"]["value"] = "不存在的公司"
    first.write_text(yaml.safe_dump(gold, allow_unicode=True), encoding="utf-8")
    floor.write_text(json.dumps({"sets": {"all": "*"}, "rules": {"all": 1.0}}))
    failing = CliRunner().invoke(cli, eval_args(gold_subset, tmp_path / "b", "--floor", str(floor)))
    assert failing.exit_code == 1, failing.output
    assert "BELOW FLOOR" in failing.output


def test_bad_gold_file_reports_error(tmp_path: Path) -> None:
    gold = tmp_path / "gold"
    gold.mkdir()
    (gold / "broken.yaml").write_text("document: a.txt\nsections: {financials: yes}\n")
    result = CliRunner().invoke(cli, ["eval", "--gold", str(gold), "-o", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert "Error: bad gold file" in result.output and "broken.yaml" in result.output
    assert not (tmp_path / "o").exists()


def test_missing_document_reports_error(tmp_path: Path, gold_subset: Path) -> None:
    result = CliRunner().invoke(
        cli,
        ["eval", "--gold", str(gold_subset), "--docs", str(tmp_path), "-o", str(tmp_path / "o")],
    )
    assert result.exit_code == 1
    assert "not found in" in result.output and "--docs" in result.output


def test_eval_help_lists_compare() -> None:
    result = run("eval", "--help")
    assert result.exit_code == 0
    assert "compare" in result.output and "--predictions" in result.output
    assert "--backend" in result.output

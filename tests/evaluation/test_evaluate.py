"""extract.evaluation: field comparison, gold validation, predictions, metrics, compare."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from extract.core.errors import ExtractError
from extract.core.schema import Dividend, Filing, Record, Source
from extract.evaluation.compare import classify_change, compare_reports
from extract.evaluation.fields import (
    FIELD_KINDS,
    FIELD_PATHS,
    decimal_places,
    fold_text,
    score_value,
)
from extract.evaluation.floor import check_floor, read_floor
from extract.evaluation.gold import GoldDoc, GoldField, load_gold, load_gold_dir
from extract.evaluation.predict import Prediction as Pred
from extract.evaluation.report import RunMeta
from extract.evaluation.run import evaluate
from extract.evaluation.score import build_report, rescore, score_document, score_gold, tally

ROOT = Path(__file__).resolve().parents[2]
GOLD_DIR = ROOT / "eval" / "gold"

SECTIONS_ALL = {
    "filing": True,
    "financials": True,
    "dividend": True,
    "buyback": True,
    "incentive": True,
}


def gold_doc(fields: dict[str, Any], name: str = "tiny", **sections: bool) -> GoldDoc:
    """A GoldDoc from ``{path: value}`` or ``{path: GoldField}``."""
    entries = {p: v if isinstance(v, GoldField) else GoldField(value=v) for p, v in fields.items()}
    return GoldDoc(name, Path(f"{name}.yaml"), f"{name}.txt", {**SECTIONS_ALL, **sections}, entries)


def outcomes(gold: GoldDoc, record: dict[str, Any] | None) -> dict[str, str]:
    """Outcomes of fields that are not true nulls."""
    return {f.path: f.outcome for f in score_document(gold, record) if f.outcome != "true_null"}


def write_gold(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------------- field kinds


def test_field_kinds_cover_every_contract_path() -> None:
    assert set(FIELD_KINDS) == set(FIELD_PATHS)
    assert FIELD_KINDS["financials.revenue.value"] == "money"
    assert FIELD_KINDS["financials.revenue.change_pct"] == "number"
    assert FIELD_KINDS["financials.basic_eps.value"] == "number"  # per share, not money
    assert FIELD_KINDS["dividend.total_cash"] == "money"
    assert FIELD_KINDS["dividend.declared"] == "bool"
    assert FIELD_KINDS["filing.period_end"] == "date"
    assert FIELD_KINDS["filing.exchange"] == "text"
    assert FIELD_KINDS["incentive.vesting_end"] == "date"
    assert FIELD_KINDS["incentive.shares_vesting"] == "number"


# ---------------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    ("value", "places"),
    [
        (1.18, 2),
        (1.2, 1),
        (140.0, 1),
        (5160476, 0),
        (0, 0),
        (0.046, 3),
        (-0.29, 2),
    ],
)
def test_decimal_places_as_written(value: float, places: int) -> None:
    assert decimal_places(value) == places


@pytest.mark.parametrize(
    ("pred", "outcome"),
    [
        (1.18, "correct"),
        (1.184, "correct"),
        (1.175, "correct"),  # rounds half up to 1.18
        (1.185, "wrong"),
        (1.17, "wrong"),
        (-1.18, "wrong"),
    ],
)
def test_number_compared_at_gold_decimals(pred: float, outcome: str) -> None:
    assert score_value("number", 1.18, pred) == outcome


def test_yaml_trailing_zero_lost_compares_at_one_decimal(tmp_path: Path) -> None:
    path = write_gold(
        tmp_path,
        "g.yaml",
        """\
document: x.txt
sections: {financials: false, dividend: true, buyback: false, incentive: false}
fields:
  dividend.cash_per_10_shares:
    value: 1.20
""",
    )
    gold = load_gold(path)
    assert gold.value("dividend.cash_per_10_shares") == 1.2
    for pred, outcome in [(1.2, "correct"), (1.20, "correct"), (1.24, "correct"), (1.26, "wrong")]:
        assert score_value("number", gold.value("dividend.cash_per_10_shares"), pred) == outcome


@pytest.mark.parametrize(
    ("pred", "outcome"),
    [
        (5333486253.17, "correct"),
        (5333000000, "correct"),
        (5332500000, "correct"),
        (5333500000, "correct"),
        (5333500001, "wrong"),
        (5330000000, "wrong"),
    ],
)
def test_tolerance_is_absolute(pred: float, outcome: str) -> None:
    assert score_value("money", 5333000000, pred, tolerance=500000) == outcome


@pytest.mark.parametrize(
    ("pred", "outcome"),
    [
        (98274301.44, "correct"),
        (98274301.440, "correct"),
        (98274301.4, "wrong"),
        (98274301.444, "wrong"),
        (98274301, "wrong"),
    ],
)
def test_money_is_exact_without_tolerance(pred: float, outcome: str) -> None:
    assert score_value("money", 98274301.44, pred) == outcome


def test_money_integer_gold_matches_float_prediction() -> None:
    assert score_value("money", 467049000, 467049000.0) == "correct"
    assert score_value("money", -26892000, -26892000.0) == "correct"


def test_shares_zero_label_matches_zero_prediction() -> None:
    assert score_value("number", 0, 0.0) == "correct"
    assert score_value("number", 0, 1.0) == "wrong"


def test_number_against_non_number_prediction_is_wrong() -> None:
    assert score_value("number", 1.2, "1.2元") == "wrong"
    assert score_value("number", 1, True) == "wrong"


# ---------------------------------------------------------------------- text, dates, booleans


def test_text_ignores_whitespace_and_width() -> None:
    assert fold_text(" ２０２３年 限制性\n股票 ") == "2023年限制性股票"
    gold = "2023年限制性股票激励计划"
    assert score_value("text", gold, "２０２３年 限制性股票\u3000激励计划") == "correct"
    assert score_value("text", "派发现金红利(含税)", "派发现金红利（含税）") == "correct"
    assert score_value("text", gold, "2024年限制性股票激励计划") == "wrong"
    assert score_value("text", "688271", "688271") == "correct"


def test_dates_compare_as_iso_strings() -> None:
    assert score_value("date", "2024-06-30", "2024-06-30") == "correct"
    assert score_value("date", "2024-06-30", date(2024, 6, 30)) == "correct"
    assert score_value("date", date(2024, 6, 30), "2024-06-30") == "correct"
    assert score_value("date", "2024-06-30", "2024-06-29") == "wrong"
    assert score_value("date", "2024-06-30", "2024年6月30日") == "wrong"


def test_yaml_date_objects_are_accepted(tmp_path: Path) -> None:
    path = write_gold(
        tmp_path,
        "g.yaml",
        """\
document: x.txt
sections: {financials: false, dividend: false, buyback: false, incentive: false}
fields:
  filing.period_end:
    value: 2024-06-30
  filing.publication_date:
    value: "2024-08-29"
""",
    )
    gold = load_gold(path)
    assert gold.value("filing.period_end") == "2024-06-30"
    assert gold.value("filing.publication_date") == "2024-08-29"


def test_booleans_are_exact() -> None:
    assert score_value("bool", True, True) == "correct"
    assert score_value("bool", False, False) == "correct"
    assert score_value("bool", False, True) == "wrong"
    assert score_value("bool", True, 1) == "wrong"


# ---------------------------------------------------------------------- missed, spurious, sections


def test_missed_spurious_and_true_null() -> None:
    assert score_value("number", 1.2, None) == "missed"
    assert score_value("number", None, 1.2) == "spurious"
    assert score_value("number", None, None) == "true_null"
    assert score_value("bool", False, None) == "missed"  # false is a value, not a null


def record_dict(**sections: Any) -> dict[str, Any]:
    """A record as JSON with the given sections."""
    record = Record(source=Source(path="x.txt", sha256="0", chars=1, encoding="utf-8"), **sections)
    return record.model_dump(mode="json")


def test_unlisted_field_of_applicable_section_is_gold_null() -> None:
    gold = gold_doc({"dividend.declared": True}, buyback=False, incentive=False)
    pred = record_dict(dividend=Dividend(declared=True, cash_per_10_shares=1.2))
    assert outcomes(gold, pred) == {
        "dividend.declared": "correct",
        "dividend.cash_per_10_shares": "spurious",
    }


def test_false_section_every_predicted_value_is_spurious() -> None:
    gold = gold_doc({}, buyback=False)
    pred = record_dict(buyback={"shares_repurchased": 846000, "price_high": 19.84})
    assert outcomes(gold, pred) == {
        "buyback.shares_repurchased": "spurious",
        "buyback.price_high": "spurious",
    }


def test_filing_section_always_applies() -> None:
    gold = gold_doc({"filing.company_name": "上海联影医疗科技股份有限公司"})
    pred = record_dict(
        filing=Filing(company_name="上海联影医疗科技股份有限公司", announcement_no="2024-061")
    )
    assert outcomes(gold, pred) == {
        "filing.company_name": "correct",
        "filing.announcement_no": "spurious",
    }


def test_every_contract_field_is_scored_and_no_prediction_means_missed() -> None:
    gold = gold_doc({"filing.stock_code": "688271", "financials.revenue.value": 5.0})
    results = score_document(gold, None)
    assert [f.path for f in results] == list(FIELD_PATHS)
    assert outcomes(gold, None) == {
        "filing.stock_code": "missed",
        "financials.revenue.value": "missed",
    }


def test_scored_field_carries_gold_prediction_and_quotes() -> None:
    gold = gold_doc({"filing.stock_code": GoldField(value="688271", quote="公司代码:688271")})
    pred = record_dict(filing=Filing(stock_code="688272"))
    pred["evidence"] = {"filing.stock_code": {"quote": "代码 688272", "start": 0, "end": 9}}
    (result,) = [f for f in score_document(gold, pred) if f.path == "filing.stock_code"]
    assert (result.outcome, result.gold, result.prediction) == ("wrong", "688271", "688272")
    assert (result.gold_quote, result.evidence_quote) == ("公司代码:688271", "代码 688272")


# ---------------------------------------------------------------------- metrics


def test_tally_metrics_definition() -> None:
    scores = tally(["correct"] * 6 + ["wrong"] + ["missed"] * 2 + ["spurious"] + ["true_null"] * 5)
    assert (scores.correct, scores.wrong, scores.missed, scores.spurious, scores.true_null) == (
        6,
        1,
        2,
        1,
        5,
    )
    assert scores.accuracy == pytest.approx(6 / 10)
    assert scores.precision == pytest.approx(6 / 8)
    assert scores.recall == pytest.approx(6 / 9)
    p, r = 6 / 8, 6 / 9
    assert scores.f1 == pytest.approx(2 * p * r / (p + r))


def test_tally_undefined_metrics_are_none() -> None:
    scores = tally(["true_null", "true_null"])
    assert scores.accuracy is None and scores.precision is None and scores.f1 is None
    only_missed = tally(["missed"])
    assert only_missed.accuracy == 0.0 and only_missed.recall == 0.0
    assert only_missed.precision is None


def test_build_report_aggregates_per_section_document_and_field() -> None:
    gold_a = gold_doc({"filing.stock_code": "1", "dividend.declared": True})
    gold_b = gold_doc({"filing.stock_code": "2"}, name="other")
    docs = [
        score_gold(gold_a, Pred(record_dict(filing=Filing(stock_code="1")))),
        score_gold(gold_b, Pred(record_dict(filing=Filing(stock_code="3")))),
    ]
    report = build_report(RunMeta(backend="rules", timestamp="t", gold_dir="g"), docs)
    assert report.by_field["filing.stock_code"].correct == 1
    assert report.by_field["filing.stock_code"].wrong == 1
    assert report.by_section["dividend"].missed == 1
    assert report.by_document["tiny"].accuracy == pytest.approx(0.5)
    assert report.by_document["other"].accuracy == 0.0
    assert report.overall.accuracy == pytest.approx(1 / 3)


# ---------------------------------------------------------------------- gold validation


GOOD_HEADER = """\
document: x.txt
sections: {financials: true, dividend: false, buyback: false, incentive: false}
"""


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "fields:\n  financials.revenue.valeu:\n    value: 1\n",
            "unknown field path (did you mean financials.revenue.value?)",
        ),
        ("fields:\n  dividend.declared:\n    value: true\n", "sections.dividend is false"),
        ("fields:\n  filing.stock_code:\n    value: 688271\n", "should be a string"),
        ("fields:\n  filing.period_end:\n    value: 30/06/2024\n", "should be a date"),
        ("fields:\n  financials.revenue.value:\n    value: 五亿\n", "should be a number"),
        (
            "fields:\n  filing.title:\n    value: x\n    tolerance: 1\n",
            "tolerance is only for numbers",
        ),
        ("fields:\n  financials.revenue.value:\n    value: 1\n    tolerance: -1\n", "tolerance"),
        ("fields:\n  financials.revenue.value:\n    quote: x\n", "value"),
        ("fields:\n  financials.revenue.value:\n    value: 1\n    qoute: x\n", "qoute"),
    ],
)
def test_bad_gold_file_names_file_and_problem(tmp_path: Path, body: str, message: str) -> None:
    path = write_gold(tmp_path, "bad.yaml", GOOD_HEADER + body)
    with pytest.raises(ExtractError) as info:
        load_gold(path)
    assert str(path) in str(info.value)
    assert message in str(info.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("document: x.txt\nfields: {}\n", "sections"),
        ("document: x.txt\nsections: {financials: true}\n", "sections.dividend"),
        (
            "sections: {financials: true, dividend: true, buyback: true, incentive: true}\n",
            "document",
        ),
        ("- just\n- a list\n", "must be a mapping"),
        ("document: [unclosed\n", "not valid YAML"),
    ],
)
def test_bad_gold_structure(tmp_path: Path, text: str, message: str) -> None:
    path = write_gold(tmp_path, "bad.yaml", text)
    with pytest.raises(ExtractError, match=r"bad\.yaml") as info:
        load_gold(path)
    assert message in str(info.value)


def test_gold_dir_errors(tmp_path: Path) -> None:
    with pytest.raises(ExtractError, match="does not exist"):
        load_gold_dir(tmp_path / "nope")
    with pytest.raises(ExtractError, match="no gold files"):
        load_gold_dir(tmp_path)


def test_all_shipped_gold_files_are_valid() -> None:
    golds = load_gold_dir(GOLD_DIR)
    assert len(golds) >= 14
    for gold in golds:
        assert gold.document.startswith(gold.name)
        assert any(gold.fields), gold.name


# ---------------------------------------------------------------------- predictions


def write_batch(out: Path, records: dict[str, dict[str, Any]]) -> None:
    (out / "records").mkdir(parents=True)
    for name, data in records.items():
        (out / "records" / f"{name}.json").write_text(json.dumps(data, ensure_ascii=False))


def test_predictions_from_batch_match_by_source_basename(tmp_path: Path) -> None:
    gold_dir = tmp_path / "gold"
    gold_dir.mkdir()
    write_gold(
        gold_dir,
        "a.yaml",
        """\
document: a.txt
sections: {financials: false, dividend: false, buyback: false, incentive: false}
fields:
  filing.stock_code: {value: "688271"}
""",
    )
    write_gold(
        gold_dir,
        "b.yaml",
        """\
document: b.txt
sections: {financials: false, dividend: false, buyback: false, incentive: false}
fields:
  filing.stock_code: {value: "2522"}
""",
    )
    source = Source(path="/elsewhere/in/a.txt", sha256="0", chars=1, encoding="utf-8")
    record = Record(source=source, filing=Filing(stock_code="688271"), backend="llm", model="qwen")
    write_batch(tmp_path / "out", {"whatever": record.model_dump(mode="json")})
    report = evaluate(gold_dir, predictions_dir=tmp_path / "out")
    by_name = {d.name: d for d in report.documents}
    assert by_name["a"].scores.correct == 1
    assert by_name["a"].source_path == "/elsewhere/in/a.txt"
    assert by_name["b"].scores.missed == 1
    assert by_name["b"].error is not None and "b.txt" in by_name["b"].error
    assert (report.meta.backend, report.meta.model) == ("llm", "qwen")
    assert report.meta.predictions_dir == str(tmp_path / "out")


def test_batch_uncommitted_records_are_ignored(tmp_path: Path) -> None:
    """With a manifest/ folder, a record without its manifest (interrupted redo) is skipped."""
    gold_dir = tmp_path / "gold"
    gold_dir.mkdir()
    write_gold(
        gold_dir,
        "a.yaml",
        """\
document: a.txt
sections: {financials: false, dividend: false, buyback: false, incentive: false}
fields:
  filing.stock_code: {value: "688271"}
""",
    )
    source = Source(path="a.txt", sha256="0", chars=1, encoding="utf-8")
    record = Record(source=source, filing=Filing(stock_code="688271"))
    write_batch(tmp_path / "out", {"a.txt": record.model_dump(mode="json")})
    (tmp_path / "out" / "manifest").mkdir()
    report = evaluate(gold_dir, predictions_dir=tmp_path / "out")
    assert report.documents[0].error is not None and report.overall.missed == 1
    (tmp_path / "out" / "manifest" / "a.txt.json").write_text("{}")
    assert evaluate(gold_dir, predictions_dir=tmp_path / "out").overall.correct == 1


def test_batch_errors(tmp_path: Path) -> None:
    gold_dir = tmp_path / "gold"
    gold_dir.mkdir()
    write_gold(gold_dir, "a.yaml", GOOD_HEADER)
    with pytest.raises(ExtractError, match="no records/ folder"):
        evaluate(gold_dir, predictions_dir=tmp_path / "missing")
    write_batch(tmp_path / "out", {"broken": {"filing": {}}})
    with pytest.raises(ExtractError, match=r"broken\.json is not a record"):
        evaluate(gold_dir, predictions_dir=tmp_path / "out")


def test_missing_document_is_an_error_before_extracting(tmp_path: Path) -> None:
    gold_dir = tmp_path / "gold"
    gold_dir.mkdir()
    write_gold(gold_dir, "a.yaml", GOOD_HEADER)
    with pytest.raises(ExtractError, match=r"document x\.txt not found in .*docs"):
        evaluate(gold_dir, docs_dirs=[tmp_path / "docs"])


def test_extracting_real_seed_document(tmp_path: Path) -> None:
    """End to end on one real seed filing; the outcome counts add up to every contract field."""
    report = evaluate(GOLD_DIR, pattern="004_*", docs_dirs=[ROOT / "examples" / "filings"])
    (doc,) = report.documents
    c = doc.scores
    assert c.correct + c.wrong + c.missed + c.spurious + c.true_null == len(FIELD_PATHS)
    assert doc.source_path is not None and doc.source_path.endswith("004_b26c4ee7e7963a95.txt")
    assert report.meta.backend == "rules"


# ---------------------------------------------------------------------- rescore and compare


def small_report() -> Any:
    gold = gold_doc(
        {"filing.stock_code": "688271", "filing.exchange": "SSE", "dividend.declared": True}
    )
    pred = record_dict(filing=Filing(stock_code="688271", currency="CNY"))
    return build_report(
        RunMeta(backend="rules", timestamp="t", gold_dir="g"), [score_gold(gold, Pred(pred))]
    )


def _with_prediction(report: Any, path: str, value: Any) -> Any:
    copy = report.model_copy(deep=True)
    for field in copy.documents[0].fields:
        if field.path == path:
            field.prediction = value
    return rescore(copy)


def test_rescore_recomputes_outcomes_and_metrics() -> None:
    report = small_report()
    assert report.overall.correct == 1
    broken = _with_prediction(report, "filing.stock_code", "688270")
    assert broken.overall.correct == 0 and broken.overall.wrong == 1
    assert broken.by_field["filing.stock_code"].wrong == 1
    assert report.overall.correct == 1  # the original is untouched


@pytest.mark.parametrize(
    ("a", "b", "change"),
    [
        ("wrong", "correct", "better"),
        ("missed", "correct", "better"),
        ("spurious", "true_null", "better"),
        ("correct", "wrong", "worse"),
        ("correct", "missed", "worse"),
        ("true_null", "spurious", "worse"),
        ("missed", "wrong", "changed"),
        ("correct", "correct", None),
    ],
)
def test_classify_change(a: Any, b: Any, change: str | None) -> None:
    assert classify_change(a, b) == change


def test_compare_reports_better_worse_and_net() -> None:
    a = small_report()
    b = _with_prediction(a, "filing.stock_code", "000000")  # correct → wrong
    b = _with_prediction(b, "filing.exchange", "SSE")  # missed → correct
    b = _with_prediction(b, "filing.currency", None)  # spurious → true null
    comparison = compare_reports(a, b)
    assert [(c.path, c.a, c.b) for c in comparison.worse] == [
        ("filing.stock_code", "correct", "wrong")
    ]
    assert {c.path for c in comparison.better} == {"filing.exchange", "filing.currency"}
    assert comparison.net == 1
    assert comparison.accuracy_a == a.overall.accuracy
    assert comparison.accuracy_b == b.overall.accuracy


# ---------------------------------------------------------------------- floor


def test_read_floor_and_check(tmp_path: Path) -> None:
    path = tmp_path / "floor.json"
    path.write_text(
        json.dumps({"sets": {"all": "*", "none": "zzz*"}, "rules": {"all": 0.5, "none": 0.9}})
    )
    floor = read_floor(path)
    assert floor.minimums == {"rules": {"all": 0.5, "none": 0.9}}
    report = small_report()  # accuracy 1/4 (1 correct, 2 missed, 1 spurious)
    (check,) = check_floor(report, floor)  # "none" matches no document: not checked
    assert (check.gold_set, check.documents, check.passed) == ("all", 1, False)
    assert check.accuracy == pytest.approx(report.overall.accuracy)
    lower = read_floor(_write(tmp_path / "f2.json", {"sets": {"all": "*"}, "rules": {"all": 0.2}}))
    assert [c.passed for c in check_floor(report, lower)] == [True]
    other = read_floor(_write(tmp_path / "f3.json", {"sets": {"all": "*"}, "llm": {"all": 0.9}}))
    assert check_floor(report, other) == []


def _write(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data))
    return path


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"rules": {"seeds": 0.5}}, "sets"),
        ({"sets": {"a": "*"}, "rules": {"b": 0.5}}, "no pattern for set 'b'"),
        ({"sets": {"a": "*"}, "rules": {"a": 1.5}}, "not an accuracy"),
        ({"sets": {"a": "*"}, "rules": 0.5}, "expected"),
    ],
)
def test_bad_floor_file(tmp_path: Path, data: Any, message: str) -> None:
    path = _write(tmp_path / "floor.json", data)
    with pytest.raises(ExtractError, match=r"floor\.json") as info:
        read_floor(path)
    assert message in str(info.value)

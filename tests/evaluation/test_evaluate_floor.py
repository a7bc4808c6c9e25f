"""The accuracy floor: the rules backend must not fall below eval/floor.json on the gold sets.

How to raise the floor (do it whenever the extractor improves, so a regression fails CI):

1. Measure:  extract eval --backend rules -o reports/latest
   (or run this file with -s: each test prints the accuracy it measured).
2. In eval/floor.json set ``rules.seeds`` / ``rules.corpus`` to the measured overall accuracy
   of that set minus 0.02, rounded down to 2 decimals (0.9489 → 0.92). The 0.02 margin keeps the
   test stable against a one-field wobble; never raise a floor above what you measured.
3. ``sets`` in the same file says which gold files form each set (patterns of file names).
Lowering a floor needs a reason in the commit message (e.g. a gold label was corrected).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from shared_files import CORPUS_DIR, WILD_DIR, need

from extract.config import Settings
from extract.evaluation.floor import read_floor
from extract.evaluation.report import EvalReport
from extract.evaluation.run import evaluate

ROOT = Path(__file__).resolve().parents[2]
GOLD_DIR = ROOT / "eval" / "gold"
DOCS = [ROOT / "examples" / "filings", CORPUS_DIR, WILD_DIR]
FLOOR = read_floor(ROOT / "eval" / "floor.json")
# Documents each set must contain, so a renamed gold file cannot silently shrink a set.
EXPECTED_DOCUMENTS = {"seeds": 5, "corpus": 9, "wild": 26}


@cache
def _report(gold_set: str) -> EvalReport:
    return evaluate(
        GOLD_DIR, docs_dirs=DOCS, settings=Settings(backend="rules"), pattern=FLOOR.sets[gold_set]
    )


def rules_report(gold_set: str) -> EvalReport:
    """The rules' evaluation of a gold set (once per test session)."""
    if gold_set != "seeds":
        need(CORPUS_DIR if gold_set == "corpus" else WILD_DIR)
    return _report(gold_set)


@pytest.mark.parametrize("gold_set", sorted(EXPECTED_DOCUMENTS))
def test_rules_accuracy_is_at_least_the_floor(gold_set: str) -> None:
    report = rules_report(gold_set)
    assert len(report.documents) == EXPECTED_DOCUMENTS[gold_set]
    assert report.meta.backend == "rules"
    accuracy = report.overall.accuracy
    floor = FLOOR.minimums["rules"][gold_set]
    sections = {name: s.accuracy for name, s in report.by_section.items()}
    print(f"rules/{gold_set}: accuracy {accuracy:.4f} (floor {floor}); per section {sections}")
    assert accuracy is not None and accuracy >= floor, (
        f"rules accuracy on {gold_set} fell to {accuracy} below the floor {floor}; "
        f"per section: {sections}. Run `extract eval --backend rules` and read reports/latest."
    )


@pytest.mark.parametrize("gold_set", sorted(EXPECTED_DOCUMENTS))
def test_every_confirmed_figure_is_right(gold_set: str) -> None:
    """A figure the filing's own arithmetic confirms is never wrong; and on the seeds and the
    corpus, whose records are right, no check finds a conflict (that would be a bug in it)."""
    report = rules_report(gold_set)
    confirmed = report.by_check["confirmed"]
    assert confirmed.correct > 0
    assert (confirmed.wrong, confirmed.spurious) == (0, 0)
    if gold_set in ("seeds", "corpus"):
        conflicts = [
            (doc.name, f.path)
            for doc in report.documents
            for f in doc.fields
            if f.check == "conflict"
        ]
        assert conflicts == []

"""Passage recall: of the gold numbers, how many the LLM is shown at all.

For every gold set (seeds, corpus, wild) and document: the share of its labelled numbers whose
printed form appears in the passages sent for their section,
  (a) with ``--backend llm``: every section asked, every field counted;
  (b) in auto mode: only the fields the rules left null, in the asks auto mode makes;
  (c) the filing's names and dates (code, name, title, period end, publication date) in the
      filing section's passages, with ``--backend llm``.
A number the passages do not show cannot come back from any model; this is the ceiling of
the LLM path before the model. Also prints the prompt characters of the whole contract.

    python bench/passage_recall.py                  # every gold set
    python bench/passage_recall.py --set wild -v    # one set, the numbers not shown
    python bench/passage_recall.py --set corpus --renderings   # the corpus' pdftotext text
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))  # the oracle's notion of "printed"

from oracle import Printed, golds, numeric_fields  # noqa: E402

from extract.backends.llm.plan import Planner  # noqa: E402
from extract.config import Settings  # noqa: E402
from extract.evaluation.documents import default_docs_dirs  # noqa: E402
from extract.evaluation.predict import find_document  # noqa: E402
from extract.load.document import read_document  # noqa: E402
from extract.pipeline import prepare_document  # noqa: E402

SETS = {"seeds": r"^\d{3}_", "corpus": r"^d\d\d_", "wild": r"^w\d{3}_"}
IDENTITY = (
    "filing.stock_code",
    "filing.company_name",
    "filing.title",
    "filing.period_end",
    "filing.publication_date",
)


def section_texts(asks: dict[str, object]) -> dict[str, str]:
    return {
        section: "\n".join(p.text for p in ask.passages)  # type: ignore[attr-defined]
        for section, ask in asks.items()
    }


def _shown(seen: dict[str, Printed], path: str, value: object) -> bool:
    section = path.split(".")[0]
    return section in seen and seen[section].shows(path, value)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", choices=sorted(SETS), action="append", help="gold set(s)")
    parser.add_argument("-v", "--verbose", action="store_true", help="list numbers not shown")
    parser.add_argument(
        "--renderings",
        action="store_true",
        help="read the text rendering beside a PDF (the corpus' pdftotext .txt) instead",
    )
    args = parser.parse_args(argv)
    llm = Settings(backend="llm", model="bench")
    auto = Settings(backend="auto", model="bench")
    planner = Planner(llm)
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0, 0])
    print(
        "| document | (a) shown | (a) recall | (b) rules left null | (b) shown "
        "| (c) names, dates | prompt chars |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for gold in golds(ROOT / "eval" / "gold"):
        name = next((s for s, p in SETS.items() if re.match(p, gold.name)), None)
        if name is None or (args.set and name not in args.set):
            continue
        try:
            path = find_document(gold.document, default_docs_dirs())
            if args.renderings and path.with_suffix(".txt").is_file():
                path = path.with_suffix(".txt")
            doc = read_document(path)
        except Exception as err:  # a missing shared folder: say so and go on
            print(f"| {gold.name} | {err} |")
            continue
        numbers = numeric_fields(gold)
        shown_all = section_texts(prepare_document(doc, llm, planner).asks)
        seen = {p: Printed(t) for p, t in shown_all.items()}
        a_hits = [
            p
            for p, v in numbers.items()
            if p.split(".")[0] in seen and seen[p.split(".")[0]].shows(p, v)
        ]
        prepared = prepare_document(doc, auto, planner)
        rules = prepared.rule_results or {}
        found = {f"{s}.{path}" for s, r in rules.items() for path in r.fields}
        gaps = {p: v for p, v in numbers.items() if p not in found}
        shown_gaps = {s: Printed(t) for s, t in section_texts(prepared.asks).items()}
        b_hits = [
            p
            for p, v in gaps.items()
            if p.split(".")[0] in shown_gaps and shown_gaps[p.split(".")[0]].shows(p, v)
        ]
        names = {
            p: e.value for p, e in gold.fields.items() if p in IDENTITY and e.value is not None
        }
        c_hits = [p for p, v in names.items() if _shown(seen, p, v)]
        chars = sum(len(t) for t in shown_all.values())
        row = totals[name]
        row[0] += len(a_hits)
        row[1] += len(numbers)
        row[2] += len(b_hits)
        row[3] += len(gaps)
        row[4] += len(c_hits)
        row[5] += len(names)
        recall = len(a_hits) / len(numbers) if numbers else 1.0
        print(
            f"| {gold.name[:28]} | {len(a_hits)}/{len(numbers)} | {recall:.1%} "
            f"| {len(gaps)} | {len(b_hits)} | {len(c_hits)}/{len(names)} | {chars:,} |"
        )
        if args.verbose:
            for path in sorted(set(numbers) - set(a_hits)):
                print(f"    (a) not shown: {path} = {numbers[path]}")
            for path in sorted(set(gaps) - set(b_hits)):
                print(f"    (b) not shown: {path} = {gaps[path]}")
            for path in sorted(set(names) - set(c_hits)):
                print(f"    (c) not shown: {path} = {names[path]}")
    print()
    print("| set | (a) recall, llm | (b) recall, auto gaps | (c) filing names, dates |")
    print("|---|---:|---:|---:|")
    for name, (a, a_all, b, b_all, c, c_all) in totals.items():
        print(f"| {name} | {_share(a, a_all)} | {_share(b, b_all)} | {_share(c, c_all)} |")
    return 0


def _share(part: int, whole: int) -> str:
    return f"{part / whole:.1%} ({part}/{whole})" if whole else "–"


if __name__ == "__main__":
    raise SystemExit(main())

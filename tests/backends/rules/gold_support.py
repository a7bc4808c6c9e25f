"""What the rule tests share: the gold labels, the example filings, and how to compare.

The tests check the rules field by field against ``eval/gold`` (verified by hand) on the
text versions of the example filings (a corpus PDF is read through its pdftotext .txt
here; the PDF path is covered by ``tests/load/test_pdf_text_agreement.py`` and the eval floor).
"""

from __future__ import annotations

import math
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from shared_files import corpus_file

from extract.backends.rules import RulesBackend
from extract.config import Settings
from extract.load.document import Document, read_document
from extract.pipeline import build_record

ROOT = Path(__file__).resolve().parents[3]
GOLD_DIR = ROOT / "eval" / "gold"
SEEDS = sorted(p.stem for p in (ROOT / "examples" / "filings").glob("*.txt"))
# the corpus documents, named by their gold files (the filings are in the shared folder)
CORPUS = sorted(p.stem for p in GOLD_DIR.glob("d[0-9][0-9]_*.yaml"))


@cache
def gold(stem: str) -> dict[str, Any]:
    return yaml.safe_load((GOLD_DIR / f"{stem}.yaml").read_text(encoding="utf-8"))


def source_of(stem: str) -> Path:
    """The text version of a gold document (a corpus PDF's pdftotext .txt beside it).

    Corpus documents come from the shared folder: without it the test skips (fails in CI).
    """
    seed = ROOT / "examples" / "filings" / f"{stem}.txt"
    if seed.exists():
        return seed
    document = gold(stem)["document"]
    name = document if not document.endswith(".pdf") else f"{stem}.txt"
    return corpus_file(name)


@cache
def document(stem: str) -> Document:
    return read_document(source_of(stem))


@cache
def extracted(section: str, stem: str) -> tuple[dict[str, Any], bool, tuple[str, ...]]:
    """(flat contract fields of the section, section present, warnings) as the record has them."""
    doc = document(stem)
    result = RulesBackend().extract(doc, section)  # type: ignore[arg-type]
    record = build_record(doc, {section: result}, Settings(backend="rules"))
    flat = {k: v for k, v in record.flat_fields().items() if k.startswith(section + ".")}
    return flat, getattr(record, section) is not None, tuple(result.warnings)


def same(got: Any, want: Any, tolerance: float | None = None) -> bool:
    """Gold equality: numbers within the gold's tolerance, the rest exactly."""
    if got is None or want is None or isinstance(want, bool) or isinstance(got, bool):
        return got is want
    if isinstance(want, (int, float)) and isinstance(got, (int, float)):
        return math.isclose(got, want, rel_tol=1e-12, abs_tol=tolerance or 1e-9)
    return str(got) == str(want)


def applicable(section: str, stems: list[str]) -> list[str]:
    """The documents whose gold says ``section`` applies."""
    return [s for s in stems if gold(s)["sections"].get(section)]


def gold_params(section: str, stems: list[str], known: dict[tuple[str, str], str]) -> list[Any]:
    """One pytest param per gold field of ``section``; ``known`` failures are strict xfails."""
    params = []
    for stem in applicable(section, stems):
        for path, spec in gold(stem)["fields"].items():
            if not path.startswith(section + "."):
                continue
            reason = known.get((stem, path))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            params.append(
                pytest.param(
                    stem,
                    path,
                    spec.get("value"),
                    spec.get("tolerance"),
                    id=f"{stem[:3]}-{path.removeprefix(section + '.')}",
                    marks=marks,
                )
            )
    return params

"""One home per concept: unit words, section names and metric kinds are each defined once.

- Unit words and their multipliers: the table in extract/core/units.py. Other modules may
  use unit words in messages and docstrings, and the vocabulary's sentence patterns may name
  the units a sentence takes, but no module keeps a table of unit words, a list of them or a
  regex alternation of them.
- Section names: ``SectionName`` in extract/core/schema.py. No other module lists them;
  what is keyed by section (the record, gold files, answer models, the rules, the
  vocabularies) has exactly those sections.
- Metric kinds: the annotation of each metric on ``Financials`` in extract/core/schema.py.
  No vocabulary states a kind and no module lists metrics by kind.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from extract.core.schema import (
    CONTENT_SECTIONS,
    METRIC_KINDS,
    METRICS,
    SECTION_NAMES,
    Record,
)
from extract.core.units import UNITS

PACKAGE = Path(__file__).resolve().parents[2] / "extract"
UNIT_HOME = PACKAGE / "core" / "units.py"
SCHEMA = PACKAGE / "core" / "schema.py"
# single characters (元, 股, 万, 分…) stand in ordinary words too often to be told apart
UNIT_WORDS = {unit.word for unit in UNITS if len(unit.word) > 1}


def _modules() -> Iterator[Path]:
    yield from sorted(PACKAGE.rglob("*.py"))


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def _listed_strings(tree: ast.AST) -> Iterator[ast.Constant]:
    """String constants that are keys of a dict or elements of a tuple, list or set."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            items = [k for k in node.keys if k is not None]
        elif isinstance(node, ast.Tuple | ast.List | ast.Set):
            items = list(node.elts)
        else:
            continue
        yield from (i for i in items if isinstance(i, ast.Constant) and isinstance(i.value, str))


def _unit_definitions(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = _docstrings(tree)
    where = f"{path.relative_to(PACKAGE.parent)}"
    problems = [
        f"{where}:{c.lineno}: {c.value!r} listed"
        for c in _listed_strings(tree)
        if any(word in c.value for word in UNIT_WORDS)
    ]
    for node in ast.walk(tree):
        if not isinstance(node, ast.Constant) or not isinstance(node.value, str):
            continue
        if id(node) in docstrings or "|" not in node.value:
            continue
        alternatives = [part.strip("()?:") for part in node.value.split("|")]
        if sum(part in UNIT_WORDS for part in alternatives) >= 2:
            problems.append(f"{where}:{node.lineno}: an alternation of unit words")
    return problems


def test_unit_words_are_defined_once() -> None:
    problems = [p for path in _modules() if path != UNIT_HOME for p in _unit_definitions(path)]
    assert problems == []


def test_the_check_sees_a_unit_table() -> None:
    assert _unit_definitions(UNIT_HOME)  # the one home is found by the same check


def test_no_vocabulary_defines_label_units() -> None:
    import yaml

    financials = yaml.safe_load((PACKAGE / "vocab" / "financials.yaml").read_text("utf-8"))
    assert "label_unit_suffix" not in financials


# --- section names and metric kinds --------------------------------------------------------


def _collections_of(names: set[str], path: Path, *, dicts: bool = True) -> list[str]:
    """Tuples (``Literal[...]`` included), lists, sets and, with ``dicts``, dict literals
    naming two or more of ``names``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            items = node.elts
        elif isinstance(node, ast.Dict) and dicts:
            items = [k for k in node.keys if k is not None]
        else:
            continue
        named = [i.value for i in items if isinstance(i, ast.Constant) and i.value in names]
        if len(named) >= 2:
            found.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}: {named}")
    return found


def test_section_names_are_listed_once() -> None:
    """A registry keyed by section (the rules' extractors) is checked by the next test."""
    listed = {p: _collections_of(set(SECTION_NAMES), p, dicts=False) for p in _modules()}
    assert [problem for path, found in listed.items() if path != SCHEMA for problem in found] == []
    assert len(listed[SCHEMA]) == 1  # SectionName


def test_what_is_keyed_by_section_has_the_schema_sections() -> None:
    import yaml

    from extract.backends.llm.answers import ANSWERS
    from extract.backends.rules import _EXTRACTORS
    from extract.evaluation.gold import GoldSections

    record_sections = [n for n in Record.model_fields if n in SECTION_NAMES]
    assert tuple(record_sections) == SECTION_NAMES
    assert tuple(GoldSections.model_fields) == CONTENT_SECTIONS
    assert tuple(ANSWERS) == SECTION_NAMES
    assert tuple(_EXTRACTORS) == SECTION_NAMES
    vocab = {
        name: yaml.safe_load((PACKAGE / "vocab" / f"{name}.yaml").read_text("utf-8"))
        for name in ("sections", "llm", "locate")
    }
    keyed = [
        *vocab["sections"]["applies_to"],
        *vocab["llm"]["complete_when"],
        *vocab["locate"]["sections"],
    ]
    assert set(keyed) <= set(SECTION_NAMES)


def test_metric_kinds_are_stated_once() -> None:
    import yaml

    financials = yaml.safe_load((PACKAGE / "vocab" / "financials.yaml").read_text("utf-8"))
    assert [m for m, spec in financials["metrics"].items() if "kind" in spec] == []
    assert set(financials["metrics"]) == set(METRICS) == set(METRIC_KINDS)
    listed = [p for path in _modules() for p in _collections_of(set(METRICS), path)]
    assert listed == []

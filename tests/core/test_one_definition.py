"""One home per concept: unit words are defined once, in extract/core/units.py.

Other modules may use unit words in messages and docstrings, and the vocabulary's sentence
patterns may name the units a sentence takes, but no module keeps a table of unit words,
a list of them or a regex alternation of them: those derive from the one table.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from extract.core.units import UNITS

PACKAGE = Path(__file__).resolve().parents[2] / "extract"
UNIT_HOME = PACKAGE / "core" / "units.py"
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

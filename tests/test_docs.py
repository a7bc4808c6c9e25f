"""Docs kept honest: CI runs README's test command, every CLI command is documented, and
README's layout names every package and module."""

from __future__ import annotations

import re
from pathlib import Path

import click

from extract.cli import cli

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _readme_test_command() -> str:
    blocks = re.findall(r"```(?:bash|sh)?\n(.*?)```", README, re.S)
    return blocks[1].strip()


def test_ci_runs_exactly_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    commands = [
        line.strip()
        for line in ci.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    assert commands[-1] == _readme_test_command()


def _command_paths(group: click.Group, prefix: str = "extract") -> list[str]:
    paths = []
    for name, command in group.commands.items():
        if name == "file":  # the default command: `extract FILE`
            continue
        path = f"{prefix} {name}"
        paths.append(path)
        if isinstance(command, click.Group):
            paths += _command_paths(command, path)
    return paths


def test_every_command_is_in_the_readme() -> None:
    missing = [path for path in _command_paths(cli) if f"`{path}" not in README]
    assert missing == []


def test_every_vocabulary_file_is_valid_yaml() -> None:
    import yaml

    for path in sorted((ROOT / "extract" / "vocab").glob("*.yaml")):
        assert isinstance(yaml.safe_load(path.read_text(encoding="utf-8")), dict), path


def test_the_readme_layout_names_every_module() -> None:
    layout = README[README.index("## Layout") :]
    layout = layout[: layout.index("\n## ")]
    package = ROOT / "extract"
    modules = [p for p in package.rglob("*.py") if p.name != "__init__.py"]
    packages = [p for p in package.rglob("*") if p.is_dir() and p.name != "__pycache__"]
    named = [*modules, *packages]
    missing = [
        str(p.relative_to(ROOT))
        for p in named
        if not re.search(rf"(?<![\w.]){re.escape(p.name)}{'/' if p.is_dir() else ''}", layout)
    ]
    assert missing == []


def test_docs_fields_carries_the_shared_contract() -> None:
    """docs/fields.md is the contract handed over in ../shared/spec/fields.md, line for line
    (it may add to it: fields are added freely, never renamed)."""
    from shared_files import need

    from extract.evaluation.documents import shared_dir

    contract = need(shared_dir() / "spec" / "fields.md").read_text(encoding="utf-8")
    ours = set((ROOT / "docs" / "fields.md").read_text(encoding="utf-8").splitlines())
    missing = [line for line in contract.splitlines() if line.strip() and line not in ours]
    assert missing == []

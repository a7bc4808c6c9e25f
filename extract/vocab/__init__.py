"""Label vocabularies and section headings: data the rules read, kept in YAML beside this file."""

from __future__ import annotations

import hashlib
from functools import cache
from importlib import resources
from typing import Any

import yaml


@cache
def load_vocab(name: str) -> dict[str, Any]:
    """Load ``extract/vocab/<name>.yaml`` (cached; the files are read-only data)."""
    text = resources.files(__package__).joinpath(f"{name}.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise ValueError(f"vocabulary {name}.yaml must be a mapping")
    return data


def vocab_digest() -> str:
    """The first 8 hex digits of a SHA-256 over every vocabulary file, in name order: a
    change to any of them changes it."""
    digest = hashlib.sha256()
    for item in sorted(resources.files(__package__).iterdir(), key=lambda p: p.name):
        if item.name.endswith(".yaml"):
            digest.update(item.read_bytes())
    return digest.hexdigest()[:8]


@cache
def spaced(pattern: str, *, loose: bool = False) -> str:
    r"""A vocabulary pattern as it is matched: a literal space stands for any run of
    whitespace, since pdftotext wraps long English labels and sentences across lines
    (``Profit for the year attributable to\nowners of the Company``); an optional space
    (`` ?``, `` *``) for optional whitespace. Spaces inside a character class stay.

    ``loose`` makes every space optional: a whole table cell matched as a label may have
    lost one (PDF text layers print ``Cost ofsales``, ``ofthe Company``)."""
    out: list[str] = []
    in_class = escaped = False
    i = 0
    while i < len(pattern):
        char = pattern[i]
        i += 1
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "[":
            in_class = True
        elif char == "]":
            in_class = False
        elif char == " " and not in_class:
            optional = pattern[i : i + 1] in ("?", "*")
            out.append(r"\s*" if optional or loose else r"\s+")
            i += 1 if pattern[i : i + 1] in ("?", "*", "+") else 0
            continue
        out.append(char)
    return "".join(out)

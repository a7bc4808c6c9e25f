"""Label vocabularies and section headings: data the rules read, kept in YAML beside this file."""

from __future__ import annotations

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

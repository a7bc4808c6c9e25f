"""Where gold documents are: the seeds, and the public filings handed over beside the repository.

Public filings (the development corpus, the wild set) are never committed: they come in a
folder next to the repository, ``../shared`` by default, or wherever ``$EXTRACT_SHARED_DIR``
points. Evaluation, tests and benches find them here and nowhere else.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from ..core.errors import ExtractError

SHARED_ENV = "EXTRACT_SHARED_DIR"
REPOSITORY_ROOT = Path(__file__).resolve().parents[2]


def shared_dir(env: Mapping[str, str] = os.environ) -> Path:
    """``$EXTRACT_SHARED_DIR``, else ``../shared`` beside the repository root."""
    if env.get(SHARED_ENV):
        return Path(env[SHARED_ENV])
    return REPOSITORY_ROOT.parent / "shared"


def corpus_dir(env: Mapping[str, str] = os.environ) -> Path:
    """The labelled development corpus (``<shared>/corpus``)."""
    return shared_dir(env) / "corpus"


def wild_dir(env: Mapping[str, str] = os.environ) -> Path:
    """Real filings no rule was written for (``<shared>/wild``)."""
    return shared_dir(env) / "wild"


def default_docs_dirs(env: Mapping[str, str] = os.environ) -> tuple[Path, ...]:
    """Where ``extract eval`` looks gold documents up: the seeds, then the shared folders."""
    return (Path("examples/filings"), corpus_dir(env), wild_dir(env))


def find_document(name: str, docs_dirs: Sequence[Path]) -> Path:
    """The first ``dir/name`` that exists, in the order of ``docs_dirs``."""
    for folder in docs_dirs:
        candidate = folder / name
        if candidate.is_file():
            return candidate
    searched = ", ".join(str(d) for d in docs_dirs) or "(no --docs directories)"
    raise ExtractError(f"document {name} not found in {searched}; pass its folder with --docs")

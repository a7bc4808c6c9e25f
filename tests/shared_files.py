"""Public filings for tests: read from the shared folder, never from the repository.

A test that needs one calls :func:`need`. Without the shared folder the test is skipped,
saying which folder is missing, except under ``CI=true``, where CI always has it and a
missing file is a failure.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from extract.evaluation.documents import REPOSITORY_ROOT, corpus_dir, shared_dir, wild_dir

CORPUS_DIR = corpus_dir()
WILD_DIR = wild_dir()


def need(path: Path) -> Path:
    """``path`` if it exists; otherwise skip (fail under CI) naming the shared folder."""
    if path.exists():
        return path
    reason = (
        f"{path} is absent: public filings are read from {shared_dir()} "
        "(set EXTRACT_SHARED_DIR to point elsewhere)"
    )
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(reason + "; CI must have the shared folder")
    pytest.skip(reason)


def corpus_file(name: str) -> Path:
    """A file of the development corpus (skips or fails as :func:`need` says)."""
    return need(CORPUS_DIR / name)


def gold_document(name: str) -> Path:
    """A gold file's document: a seed in the repository, else from the shared folders."""
    seed = REPOSITORY_ROOT / "examples" / "filings" / name
    if seed.exists():
        return seed
    shared = [folder / name for folder in (CORPUS_DIR, WILD_DIR)]
    return next((path for path in shared if path.exists()), None) or need(shared[0])


def fixture_source(path: str) -> Path:
    """Where a fixture snippet comes from: ``corpus/…`` in the shared folder, else the
    repository path (``examples/filings/…``)."""
    if path.startswith("corpus/"):
        return corpus_file(path.removeprefix("corpus/"))
    return REPOSITORY_ROOT / path


def assert_verbatim(snippets: dict[str, list[str]]) -> None:
    """Every fixture snippet really occurs in the filing it is said to come from."""
    for path, texts in snippets.items():
        source = fixture_source(path).read_text(encoding="utf-8")
        for snippet in texts:
            assert snippet in source, snippet[:30]

"""The repository carries only the seed filings: public filings stay in the shared folder."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

from shared_files import CORPUS_DIR, WILD_DIR, need

from extract.evaluation.documents import REPOSITORY_ROOT


def _digests(paths: list[Path]) -> dict[str, Path]:
    return {hashlib.sha256(path.read_bytes()).hexdigest(): path for path in paths}


def test_no_shared_filing_is_committed() -> None:
    shared = [
        path
        for folder in (need(CORPUS_DIR), need(WILD_DIR))
        for path in folder.iterdir()
        if path.is_file() and path.name != "MANIFEST.md"
    ]
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPOSITORY_ROOT, capture_output=True, check=True
    ).stdout.decode()
    tracked = [REPOSITORY_ROOT / name for name in listed.split("\0") if name]
    committed = _digests([path for path in tracked if path.is_file()])
    assert shared, "the shared folders hold no filings"
    assert [str(path) for digest, path in _digests(shared).items() if digest in committed] == []

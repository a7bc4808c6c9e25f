"""``extract batch`` over fsspec URLs: fsspec's in-memory file system stands for an object
store (no network), ``file://`` for shared storage every process can read."""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from extract.batch.runner import BatchOptions, run_batch
from extract.batch.walk import as_location
from extract.cli import cli
from extract.config import Settings
from extract.core.schema import Record
from extract.pipeline import extract_file

ROOT = Path(__file__).resolve().parents[2]
SEEDS = sorted((ROOT / "examples" / "filings").glob("*.txt"))
RULES = Settings(backend="rules")


def _fsspec() -> Any:
    """fsspec, or a skip naming the extra (a failure under CI, which installs it)."""
    try:
        import fsspec
    except ImportError:
        reason = "needs fsspec: pip install -e '.[dev,fsspec]'"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(reason + "; CI must install it")
        pytest.skip(reason)
    return fsspec


@pytest.fixture
def bucket() -> Iterator[Any]:
    """An in-memory "bucket": the five seeds (one in a sub-folder), an empty file and a
    folder named like a filing. Emptied after the test."""
    fs = _fsspec().filesystem("memory")
    for seed in SEEDS[:4]:
        fs.pipe_file(f"/bucket/in/{seed.name}", seed.read_bytes())
    fs.pipe_file(f"/bucket/in/sub/{SEEDS[4].name}", SEEDS[4].read_bytes())
    fs.pipe_file("/bucket/in/empty.txt", b"")
    fs.pipe_file("/bucket/in/notes.json", b"{}")
    fs.makedirs("/bucket/in/x.txt")
    yield fs
    fs.rm("/bucket", recursive=True)


def memory_batch(out: str = "memory://bucket/out") -> Any:
    # memory:// lives in this process only: no worker processes
    return run_batch("memory://bucket/in", BatchOptions(out=out, workers=0), RULES)


def test_an_object_store_folder_gives_the_local_records_and_outputs(
    bucket: Any, tmp_path: Path
) -> None:
    summary = memory_batch()
    assert (summary.found, summary.done, summary.failed) == (7, 5, 2)

    errors = [json.loads(line) for line in bucket.cat_file("/bucket/out/errors.jsonl").splitlines()]
    assert sorted((e["path"], e["error"]) for e in errors) == [
        ("memory://bucket/in/empty.txt", "memory://bucket/in/empty.txt is empty"),
        ("memory://bucket/in/x.txt", "memory://bucket/in/x.txt is a directory, not a filing"),
    ]
    local = tmp_path / SEEDS[4].name
    shutil.copy(SEEDS[4], local)
    stored = Record.model_validate_json(
        bucket.cat_file(f"/bucket/out/records/sub__{SEEDS[4].name}.json")
    )
    assert stored.source.path == f"memory://bucket/in/sub/{SEEDS[4].name}"
    assert stored.model_dump(exclude={"source"}) == extract_file(local, RULES).model_dump(
        exclude={"source"}
    )
    lines = bucket.cat_file("/bucket/out/results.jsonl").decode().splitlines()
    assert len(lines) == 5
    assert bucket.cat_file("/bucket/out/results.csv").startswith(b"\xef\xbb\xbfpath,sha256,")
    assert not [p for p in bucket.find("/bucket/out") if p.endswith(".tmp")]


def test_an_object_store_run_resumes(bucket: Any) -> None:
    memory_batch()
    again = memory_batch()
    assert (again.done, again.skipped, again.failed) == (0, 5, 2)
    bucket.pipe_file(f"/bucket/in/{SEEDS[1].name}", "上海证券交易所 公告\n".encode())
    third = memory_batch()
    assert (third.done, third.skipped) == (1, 4)


def test_file_urls_in_worker_processes_give_the_path_records(tmp_path: Path) -> None:
    _fsspec()
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEEDS[1], folder / "report.txt")  # large: read in a worker process
    shutil.copy(SEEDS[4], folder / "notice.txt")
    by_url = run_batch(f"file://{folder}", BatchOptions(out=f"file://{tmp_path}/out"), RULES)
    assert (by_url.done, by_url.failed) == (2, 0)
    for name in ("report.txt", "notice.txt"):
        record = Record.model_validate_json((tmp_path / f"out/records/{name}.json").read_bytes())
        assert record.source.path == f"file://{folder}/{name}"
        expected = extract_file(folder / name, RULES)
        assert record.model_dump(exclude={"source"}) == expected.model_dump(exclude={"source"})


def test_a_url_stays_a_url_and_a_path_a_path() -> None:
    assert as_location("s3://bucket/filings") == "s3://bucket/filings"
    assert as_location("file:///srv/filings") == "file:///srv/filings"
    assert as_location("filings/2024") == Path("filings/2024")
    assert as_location("C:/filings") == Path("C:/filings")


def test_a_missing_bucket_folder_is_a_clear_error(bucket: Any, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["batch", "memory://bucket/nope", "-o", str(tmp_path)])
    assert result.exit_code == 1
    assert result.output == "Error: memory://bucket/nope: no such folder\n"


def test_without_fsspec_a_url_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "fsspec", None)  # as if it were not installed
    result = CliRunner().invoke(cli, ["batch", "s3://bucket/filings", "-o", str(tmp_path)])
    assert result.exit_code == 1
    assert result.output == (
        "Error: s3://bucket/filings: URLs need fsspec: pip install 'filing-extract[fsspec]'\n"
    )

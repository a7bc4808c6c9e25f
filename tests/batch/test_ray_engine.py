"""``extract batch --engine ray`` against a local Ray (two CPUs, started once for the module):
the same outputs as the local engine, resume, a killed worker, the LLM from the workers."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from llm_answers import GOLD_004, SEED_001, SEED_004, by_section
from openai_server import FakeOpenAI

from extract.batch.runner import BatchOptions, run_batch
from extract.batch.summary import BatchSummary
from extract.cli import cli
from extract.config import Settings, resolve_settings
from extract.core.schema import Record
from extract.pipeline import extract_file

ROOT = Path(__file__).resolve().parents[2]
SEEDS = sorted((ROOT / "examples" / "filings").glob("*.txt"))
RULES = Settings(backend="rules")


def _ray() -> Any:
    """Ray, or a skip naming the extra (a failure under CI, which installs it)."""
    try:
        import ray
    except ImportError:
        reason = "needs Ray: pip install -e '.[dev,ray]'"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(reason + "; CI must install it")
        pytest.skip(reason)
    return ray


@pytest.fixture(scope="module")
def local_ray() -> Iterator[Any]:
    """One local Ray of two CPUs for the whole module (starting one takes seconds)."""
    ray = _ray()
    # address="local": a new Ray of its own, even where a cluster runs on this machine
    ray.init(address="local", num_cpus=2, include_dashboard=False, logging_level="WARNING")
    try:
        yield ray
    finally:
        ray.shutdown()


def make_folder(folder: Path) -> Path:
    """The five seeds (one in a sub-folder) and three bad inputs."""
    (folder / "sub").mkdir(parents=True)
    for seed in SEEDS[:4]:
        shutil.copy(seed, folder / seed.name)
    shutil.copy(SEEDS[4], folder / "sub" / SEEDS[4].name)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (folder / "bad.pdf").write_bytes(b"%PDF-1.4 not really a PDF\n" + bytes(512))
    return folder


def batch(folder: Path, out: Path, engine: str, settings: Settings | None = None) -> BatchSummary:
    options = BatchOptions(out=out, engine=engine)  # type: ignore[arg-type]
    return run_batch(folder, options, settings or Settings(backend="rules"))


def outputs(out: Path) -> dict[str, bytes]:
    """Every output file but the run's own counts, by path inside ``out``."""
    return {
        str(path.relative_to(out)): path.read_bytes()
        for path in sorted(out.rglob("*"))
        if path.is_file() and path.name not in ("summary.json", ".lock")
    }


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# --- the same outputs as the local engine ---------------------------------------------------


def test_ray_writes_what_the_local_engine_writes(local_ray: Any, tmp_path: Path) -> None:
    folder = make_folder(tmp_path / "in")
    local = batch(folder, tmp_path / "local", "local")
    on_ray = batch(folder, tmp_path / "ray", "ray")

    assert (on_ray.found, on_ray.done, on_ray.failed) == (local.found, local.done, local.failed)
    assert (on_ray.done, on_ray.failed) == (5, 3)
    mine, theirs = outputs(tmp_path / "ray"), outputs(tmp_path / "local")
    errors_ray = sorted(read_jsonl(tmp_path / "ray" / "errors.jsonl"), key=str)
    errors_local = sorted(read_jsonl(tmp_path / "local" / "errors.jsonl"), key=str)
    assert errors_ray == errors_local  # the task's own error kind and message, not Ray's
    assert {e["kind"] for e in errors_ray} == {"InputError"}
    del mine["errors.jsonl"], theirs["errors.jsonl"]  # lines in the order files failed
    del mine["results.jsonl"], theirs["results.jsonl"]
    records = [name for name in theirs if name.startswith("records/")]
    assert [json.loads(mine.pop(n)) for n in records] == [
        json.loads(theirs.pop(n)) for n in records
    ]
    assert mine == theirs  # manifests and results.csv, byte for byte
    lines = read_jsonl(tmp_path / "ray" / "results.jsonl")
    assert lines == read_jsonl(tmp_path / "local" / "results.jsonl")


def test_ray_resumes_a_run_of_either_engine(local_ray: Any, tmp_path: Path) -> None:
    folder = make_folder(tmp_path / "in")
    out = tmp_path / "out"
    batch(folder, out, "local")
    again = batch(folder, out, "ray")
    assert (again.done, again.skipped, again.failed) == (0, 5, 3)

    (folder / SEEDS[1].name).write_text(
        "上海证券交易所 公告\n营业收入 1,000 元\n", encoding="utf-8"
    )
    (folder / "empty.txt").unlink()
    third = batch(folder, out, "ray")
    assert (third.done, third.skipped, third.failed) == (1, 4, 2)
    assert len(read_jsonl(out / "results.jsonl")) == 5
    changed = Record.model_validate_json((out / "records" / f"{SEEDS[1].name}.json").read_bytes())
    assert changed == extract_file(folder / SEEDS[1].name, Settings(backend="rules"))


def test_ray_tasks_read_urls_and_the_records_name_them(local_ray: Any, tmp_path: Path) -> None:
    pytest.importorskip("fsspec")  # test_remote.py fails under CI when it is missing
    folder = make_folder(tmp_path / "in")
    url = f"file://{folder}"
    by_url = run_batch(url, BatchOptions(out=f"file://{tmp_path}/out", engine="ray"), RULES)
    local = batch(folder, tmp_path / "local", "local")
    assert (by_url.done, by_url.failed) == (local.done, local.failed) == (5, 3)
    for path in sorted((tmp_path / "local" / "records").glob("*.json")):
        theirs = Record.model_validate_json(path.read_bytes())
        mine = Record.model_validate_json((tmp_path / "out" / "records" / path.name).read_bytes())
        assert mine.source.path == theirs.source.path.replace(str(folder), url)
        assert mine.model_dump(exclude={"source"}) == theirs.model_dump(exclude={"source"})
    errors = read_jsonl(tmp_path / "out" / "errors.jsonl")
    assert sorted(e["error"] for e in errors) == sorted(
        e["error"].replace(str(folder), url)
        for e in read_jsonl(tmp_path / "local" / "errors.jsonl")
    )


# --- a worker killed mid-run ------------------------------------------------------------------


def task_workers() -> list[int]:
    """Ray worker processes running a filing now (Ray titles them ``ray::<task>``)."""
    pids = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            title = cmdline.read_bytes()
        except OSError:
            continue
        if title.startswith(b"ray::extract_on_worker"):
            pids.append(int(cmdline.parent.name))
    return pids


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_worker_killed_mid_run_has_its_filing_redone_once(local_ray: Any, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    copies = [folder / f"report{i:02d}.txt" for i in range(12)]  # 0.2 s of work each
    for copy in copies:
        shutil.copy(SEED_001, copy)
    killed: list[int] = []

    def kill_one_worker() -> None:
        deadline = time.monotonic() + 60
        while not killed and time.monotonic() < deadline:
            for pid in task_workers():
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
                break
            time.sleep(0.005)

    killer = threading.Thread(target=kill_one_worker)
    killer.start()
    try:
        summary = batch(folder, tmp_path / "out", "ray")
    finally:
        killer.join()

    assert killed, "no worker was caught running a filing"
    assert (summary.found, summary.done, summary.failed) == (12, 12, 0)
    lines = read_jsonl(tmp_path / "out" / "results.jsonl")
    assert sorted(line["source"]["path"] for line in lines) == [str(c) for c in copies]
    expected = extract_file(copies[0], Settings(backend="rules")).model_dump(exclude={"source"})
    for copy in copies:
        record = Record.model_validate_json(
            (tmp_path / "out" / "records" / f"{copy.name}.json").read_bytes()
        )
        assert record.model_dump(exclude={"source"}) == expected


# --- the LLM, asked from the workers -----------------------------------------------------------


@pytest.fixture
def llm_on_ray(
    openai_server: FakeOpenAI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Settings:
    """LLM settings as the CLI resolves them: the key and a shared cache from the environment."""
    openai_server.handler = by_section(GOLD_004)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-cluster-test")
    monkeypatch.setenv("EXTRACT_CACHE_DIR", str(tmp_path / "shared-cache"))
    return resolve_settings(backend="llm", model="m", base_url=openai_server.base_url)


def test_llm_records_on_ray_equal_the_local_ones(
    local_ray: Any, openai_server: FakeOpenAI, llm_on_ray: Settings, tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for seed in (SEED_004, SEED_001):
        shutil.copy(seed, folder / seed.name)
    local = batch(folder, tmp_path / "local", "local", llm_on_ray.with_(use_cache=False))
    on_ray = batch(folder, tmp_path / "ray", "ray", llm_on_ray.with_(use_cache=False))

    assert (on_ray.done, on_ray.failed) == (local.done, local.failed) == (2, 0)
    assert on_ray.calls == local.calls > 0
    for name in (SEED_004.name, SEED_001.name):
        path = f"records/{name}.json"
        mine = json.loads((tmp_path / "ray" / path).read_bytes())
        assert mine == json.loads((tmp_path / "local" / path).read_bytes())
    keys = {r.headers.get("authorization") for r in openai_server.chat_requests}
    assert keys == {"Bearer sk-cluster-test"}  # the workers had the key, from their env


def test_a_rerun_with_a_shared_cache_makes_no_call(
    local_ray: Any, openai_server: FakeOpenAI, llm_on_ray: Settings, tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEED_004, folder / "a.txt")
    shutil.copy(SEED_004, folder / "b.txt")  # the same questions: one worker's answers serve both
    first = batch(folder, tmp_path / "first", "ray", llm_on_ray)
    # an incentive notice is asked about its filing and its incentive: 2 sections each
    assert first.calls + first.cache_hits == 4 and first.calls >= 2
    sent = len(openai_server.chat_requests)

    second = batch(folder, tmp_path / "second", "ray", llm_on_ray)
    assert (second.done, second.calls, second.cache_hits) == (2, 0, 4)
    assert len(openai_server.chat_requests) == sent


def test_every_request_of_every_worker_draws_on_one_budget(
    local_ray: Any, openai_server: FakeOpenAI, llm_on_ray: Settings
) -> None:
    from extract.batch.ray_engine import RayEngine

    settings = llm_on_ray.with_(use_cache=False)

    async def run() -> tuple[list[Record], tuple[int, int], RayEngine]:
        async with RayEngine(settings, rpm=6000, tpm=10_000_000) as engine:
            paths = [SEED_004, SEED_001, SEED_004, SEED_001]
            records = await asyncio.gather(*(engine.extract_path(p) for p in paths))
            assert engine.budget is not None
            usage = await engine.budget.usage.remote()
            return list(records), usage, engine

    records, (requests, tokens), engine = asyncio.run(run())
    assert engine.task_settings.api_key is None  # never in a task's arguments
    assert requests == len(openai_server.chat_requests) == sum(r.usage.calls for r in records)
    assert tokens == sum(r.usage.prompt_tokens + r.usage.completion_tokens for r in records)


# --- without Ray ----------------------------------------------------------------------------------


def test_without_ray_the_engine_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # as if it were not installed
    folder = make_folder(tmp_path / "in")
    result = CliRunner().invoke(
        cli, ["batch", str(folder), "-o", str(tmp_path / "out"), "--engine", "ray"]
    )
    assert result.exit_code == 1
    assert result.output == "Error: --engine ray needs Ray: pip install 'filing-extract[ray]'\n"

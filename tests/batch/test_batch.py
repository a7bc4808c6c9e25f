"""Tests for ``extract batch``: outputs, failures, resume, crash safety and Ctrl-C."""

from __future__ import annotations

import asyncio
import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from openai_server import FakeOpenAI, auto_tool_reply, null_arguments

from extract.backends.llm.limits import CallLimiter
from extract.batch.runner import TEST_DELAY_ENV, BatchOptions, run_batch
from extract.batch.summary import BatchSummary
from extract.batch.walk import iter_filings, record_name
from extract.cli import cli
from extract.config import Settings, resolve_settings
from extract.core.errors import InputError
from extract.core.schema import Record, flatten_record
from extract.pipeline import extract_file

ROOT = Path(__file__).resolve().parents[2]
SEEDS = sorted((ROOT / "examples" / "filings").glob("*.txt"))
BAD_FILES = ("bad.pdf", "binary.txt", "empty.txt", "x.txt")


# --- helpers ------------------------------------------------------------------------------


def make_mixed_folder(folder: Path) -> Path:
    """The five seeds (one in a sub-folder), a GB18030 copy, and four bad inputs."""
    (folder / "sub").mkdir(parents=True)
    for seed in SEEDS[:4]:
        shutil.copy(seed, folder / seed.name)
    shutil.copy(SEEDS[4], folder / "sub" / SEEDS[4].name)
    text = SEEDS[0].read_text(encoding="utf-8")
    (folder / "sub" / "gbk.txt").write_bytes(text.encode("gb18030"))
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (folder / "x.txt").mkdir()
    (folder / "bad.pdf").write_bytes(b"%PDF-1.4 this is not really a PDF\n" + os.urandom(512))
    return folder


def make_small_filings(folder: Path, count: int) -> list[Path]:
    """``count`` small filings: the first 3 KB of a seed, each made unique by a trailer."""
    folder.mkdir(parents=True, exist_ok=True)
    heads = [seed.read_bytes()[:3000].decode("utf-8", errors="ignore") for seed in SEEDS]
    paths = []
    for i in range(count):
        path = folder / f"{i // 20:02d}" / f"f{i:03d}.txt"
        path.parent.mkdir(exist_ok=True)
        path.write_text(f"{heads[i % len(heads)]}\n第{i}号\n", encoding="utf-8")
        paths.append(path)
    return paths


def batch(folder: Path, out: Path, *, force: bool = False) -> BatchSummary:
    return run_batch(folder, BatchOptions(out=out, force=force), Settings(backend="rules"))


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def temp_files(out: Path) -> list[Path]:
    return [p for p in out.rglob(".*.tmp")]


def assert_every_output_parses(out: Path) -> None:
    for folder in ("records", "manifest"):
        for path in (out / folder).glob("*.json"):
            json.loads(path.read_text(encoding="utf-8"))  # raises on a partial file


def start_batch(
    folder: Path, out: Path, delay: float, *extra: str, env_extra: dict[str, str] | None = None
) -> subprocess.Popen[str]:
    """``extract batch`` in a subprocess, rules only (no LLM is configured) unless ``extra``
    says otherwise."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EXTRACT_", "OPENAI_"))}
    env[TEST_DELAY_ENV] = str(delay)
    env.update(env_extra or {})
    command = [
        sys.executable,
        "-m",
        "extract.cli",
        "batch",
        str(folder),
        "-o",
        str(out),
        "--backend",
        "rules",
        *extra,
    ]
    return subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def wait_for(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.02)


def committed(out: Path) -> int:
    folder = out / "manifest"
    return sum(1 for _ in folder.glob("*.json")) if folder.exists() else 0


# --- finding filings -----------------------------------------------------------------------


def test_record_names_are_readable_and_unique() -> None:
    assert record_name("a.txt") == "a.txt"
    assert record_name("sub/a.txt") == "sub__a.txt"
    assert record_name("000_x.txt") == "000_x.txt"
    tricky = ["a/b.txt", "a__b.txt", "a_/b.txt", "a/_b.txt", "a%5F/b.txt", "a___b.txt"]
    assert len({record_name(p) for p in tricky}) == len(tricky)
    long = record_name("/".join(["年度报告目录"] * 30) + "/a.txt")
    assert len(long.encode()) <= 200


def test_iter_filings_recursive_sorted_case_insensitive(tmp_path: Path) -> None:
    for rel in ("b.txt", "a.PDF", "sub/c.md", "sub/z.html", "notes.json", "out/records/r.txt"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x", encoding="utf-8")
    found = [f.rel for f in iter_filings(tmp_path, exclude=tmp_path / "out")]
    assert found == ["a.PDF", "b.txt", "sub/c.md", "sub/z.html"]
    assert [f.rel for f in iter_filings(tmp_path, ["sub/*.md"])] == ["sub/c.md"]


# --- one run over good and bad files ----------------------------------------------------------


def test_mixed_folder_records_errors_csv_and_exit_code(tmp_path: Path) -> None:
    folder = make_mixed_folder(tmp_path / "in")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["batch", str(folder), "-o", str(out)])

    assert result.exit_code == 1, result.output
    good = 6  # five seeds and the GB18030 copy (the loader decodes GB18030)
    assert len(list((out / "records").glob("*.json"))) == good
    assert (out / "records" / "sub__gbk.txt.json").exists()
    errors = read_jsonl(out / "errors.jsonl")
    assert sorted(Path(e["path"]).name for e in errors) == sorted(BAD_FILES)
    assert {e["kind"] for e in errors} == {"InputError"}
    assert f"error {folder / 'empty.txt'}: is empty" in result.output
    assert f"ok {folder / 'sub' / 'gbk.txt'}" in result.output

    results = read_jsonl(out / "results.jsonl")
    assert len({r["source"]["path"] for r in results}) == len(results) == good

    raw = (out / "results.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with (out / "results.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == good
    lead = ["path", "sha256", "backend", "warnings", "confirmed", "conflicts"]
    assert list(rows[0])[:6] == lead
    assert list(rows[0])[6:] == list(flatten_record({}))
    assert int(next(r for r in rows if r["path"].endswith("001_815c9fc6d423563f.txt"))["confirmed"])
    gbk_row = next(r for r in rows if r["path"].endswith("gbk.txt"))
    seed_row = next(r for r in rows if r["path"].endswith(SEEDS[0].name))
    assert gbk_row["filing.company_name"] == seed_row["filing.company_name"] != ""
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert (summary["found"], summary["done"], summary["failed"]) == (10, good, 4)


SEED_TYPES = {  # the seeds in the mixed folder, 000 twice (its GB18030 copy)
    "action_plan_review": 2,
    "incentive_announcement": 2,
    "interim_report": 1,
    "results_announcement": 1,
}


def test_the_summary_counts_the_records_per_document_type(tmp_path: Path) -> None:
    folder = make_mixed_folder(tmp_path / "in")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["batch", str(folder), "-o", str(out), "--quiet"])
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["document_types"] == SEED_TYPES
    assert "type interim_report" in result.output and "type action_plan_review" in result.output
    again = batch(folder, out)  # every record up to date: still counted
    assert (again.skipped, again.document_types) == (6, SEED_TYPES)


# A company's announcement stream in miniature (made-up company, the exchanges' layouts):
# the report, and documents that name it without being it; a failed download.
HEADER = "证券代码：688999 证券简称：示例科技 公告编号：2024-0{n}\n示例科技股份有限公司\n"
GUARANTEE = "本公司董事会及全体董事保证本公告内容不存在任何虚假记载、误导性陈述或者重大遗漏。\n"
STREAM = {
    "2023_annual_report.txt": "\n\f\n".join(
        f"示例科技股份有限公司 2023 年年度报告\n{page}\n" for page in range(1, 5)
    ),
    "agm_notice.txt": HEADER.format(n=21)
    + "关于召开 2023 年年度股东大会的通知\n"
    + GUARANTEE
    + "1\n2023 年年度报告\n2\n2023 年度利润分配方案\n",
    "agm_opinion.txt": "上海市某某律师事务所\n关于示例科技股份有限公司\n2023 年年度股东大会的\n"
    "法律意见书\n致：示例科技股份有限公司\n",
    "inquiry_reply.txt": HEADER.format(n=35)
    + "关于 2023 年年度报告的信息披露监管问询函的回复公告\n"
    + GUARANTEE,
    "buyback_progress.txt": HEADER.format(n=40)
    + "关于以集中竞价交易方式回购公司股份的进展公告\n"
    + GUARANTEE,
    "dividend.txt": HEADER.format(n=44) + "2023 年年度权益分派实施公告\n" + GUARANTEE,
    "failed_download.pdf": "<!DOCTYPE html>\n<html><head><title>404</title></head></html>\n",
}


def test_a_stream_of_announcements_is_typed_and_a_failed_download_named(tmp_path: Path) -> None:
    folder = tmp_path / "stream"
    folder.mkdir()
    for name, text in STREAM.items():
        (folder / name).write_text(text, encoding="utf-8")
    summary = batch(folder, tmp_path / "out")
    assert summary.document_types == {
        "annual_report": 1,
        "buyback_announcement": 1,
        "dividend_announcement": 1,
        "other": 3,
    }
    (error,) = read_jsonl(tmp_path / "out" / "errors.jsonl")
    assert error["path"].endswith("failed_download.pdf")
    assert "an HTML page saved as .pdf (a failed download?), not a PDF" in error["error"]


def test_record_is_the_pipeline_record_unchanged(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEEDS[0], folder / "a.txt")
    batch(folder, tmp_path / "out")
    stored = Record.model_validate_json((tmp_path / "out/records/a.txt.json").read_bytes())
    assert stored == extract_file(folder / "a.txt", Settings(backend="rules"))


def test_html_writes_each_records_view_beside_it(tmp_path: Path) -> None:
    folder = make_mixed_folder(tmp_path / "in")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli, ["batch", str(folder), "-o", str(out), "--backend", "rules", "--quiet", "--html"]
    )
    assert result.exit_code == 1  # the four bad inputs
    records = sorted(p.name.removesuffix(".json") for p in (out / "records").glob("*.json"))
    views = sorted(p.name.removesuffix(".html") for p in (out / "records").glob("*.html"))
    assert views == records and len(views) == 6
    page = (out / "records" / f"{SEEDS[0].name}.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<mark data-f=" in page
    results = read_jsonl(out / "results.jsonl")  # views are not records
    assert len(results) == 6


def test_html_draws_missing_views_of_records_up_to_date(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEEDS[0], folder / "a.txt")
    out = tmp_path / "out"
    batch(folder, out)
    view = out / "records" / "a.txt.html"
    assert not view.exists()  # only with --html
    options = BatchOptions(out=out, html=True)
    again = run_batch(folder, options, Settings(backend="rules"))
    assert (again.done, again.skipped) == (0, 1)
    assert view.is_file()
    # re-extracting drops the old view before the record changes, then draws the new one
    (folder / "a.txt").write_text(SEEDS[2].read_text(encoding="utf-8"), encoding="utf-8")
    third = run_batch(folder, options, Settings(backend="rules"))
    assert third.done == 1
    assert "2023年限制性股票激励计划" in view.read_text(encoding="utf-8")


# --- resume ------------------------------------------------------------------------------------


def test_second_run_skips_everything_up_to_date(tmp_path: Path) -> None:
    folder = make_mixed_folder(tmp_path / "in")
    out = tmp_path / "out"
    first = batch(folder, out)
    assert (first.done, first.skipped, first.failed) == (6, 0, 4)

    second = batch(folder, out)
    assert (second.found, second.done, second.skipped, second.failed) == (10, 0, 6, 4)
    assert second.exit_code == 1
    assert len(read_jsonl(out / "results.jsonl")) == 6
    assert len(read_jsonl(out / "errors.jsonl")) == 4  # this run's failures only

    changed = "上海证券交易所 公告\n营业收入 1,000 元\n"
    (folder / SEEDS[1].name).write_text(changed, encoding="utf-8")
    (folder / "empty.txt").unlink()
    third = batch(folder, out)
    assert (third.done, third.skipped, third.failed) == (1, 5, 3)
    assert len(read_jsonl(out / "results.jsonl")) == 6
    assert len(read_jsonl(out / "errors.jsonl")) == 3

    forced = batch(folder, out, force=True)
    assert (forced.done, forced.skipped) == (6, 0)


def test_file_that_now_fails_drops_its_old_record_from_results(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEEDS[0], folder / "a.txt")
    shutil.copy(SEEDS[2], folder / "b.txt")
    out = tmp_path / "out"
    batch(folder, out)
    (folder / "a.txt").write_bytes(b"")
    summary = batch(folder, out)
    assert (summary.done, summary.skipped, summary.failed) == (0, 1, 1)
    names = [Path(r["source"]["path"]).name for r in read_jsonl(out / "results.jsonl")]
    assert names == ["b.txt"]


def test_start_removes_stale_temps_and_torn_result_line(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    make_small_filings(folder, 3)
    out = tmp_path / "out"
    batch(folder, out)
    (out / "records" / ".00__f000.txt.json.k2j4.tmp").write_text('{"sour', encoding="utf-8")
    (out / ".results.csv.abc.tmp").write_text("x", encoding="utf-8")
    with (out / "results.jsonl").open("a", encoding="utf-8") as handle:
        handle.write('{"source": {"pa')  # as if killed in the middle of a line

    summary = batch(folder, out)
    assert summary.skipped == 3
    assert temp_files(out) == []
    assert len(read_jsonl(out / "results.jsonl")) == 3


# --- robustness -----------------------------------------------------------------------------


def test_unexpected_exception_is_recorded_as_internal_and_batch_goes_on(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    make_small_filings(folder, 4)

    async def flaky(path: Path) -> Record:
        if path.name == "f001.txt":
            raise ZeroDivisionError("boom")
        return await asyncio.to_thread(extract_file, path, Settings(backend="rules"))

    out = tmp_path / "out"
    summary = run_batch(folder, BatchOptions(out=out), Settings(backend="rules"), extract=flaky)
    assert (summary.done, summary.failed) == (3, 1)
    [error] = read_jsonl(out / "errors.jsonl")
    assert error["kind"] == "internal"
    assert error["error"] == "ZeroDivisionError: boom"


def test_missing_folder_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such folder"):
        batch(tmp_path / "nope", tmp_path / "out")
    result = CliRunner().invoke(cli, ["batch", str(tmp_path / "nope"), "-o", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert "no such folder" in result.output


def test_call_limiter_without_limits_never_waits_and_clamps_big_charges() -> None:
    async def scenario() -> float:
        started = time.perf_counter()
        free = CallLimiter()
        for _ in range(1000):
            await free.before_call(10_000)
        limited = CallLimiter(rpm=600, tpm=100)
        await limited.before_call()
        await limited.after_call(10_000)  # more than a minute's budget: clamped, not an error
        return time.perf_counter() - started

    assert asyncio.run(scenario()) < 1.0


def test_llm_backend_through_batch_counts_usage_and_uses_the_cache(
    tmp_path: Path, openai_server: FakeOpenAI
) -> None:
    openai_server.handler = auto_tool_reply(null_arguments)
    folder = tmp_path / "in"
    folder.mkdir()
    for seed in (SEEDS[0], SEEDS[2]):
        shutil.copy(seed, folder / seed.name)
    env = {"OPENAI_API_KEY": "sk-test", "EXTRACT_CACHE_DIR": str(tmp_path / "cache")}
    settings = resolve_settings(
        backend="llm", model="fake-model", base_url=openai_server.base_url, env=env
    )
    openai_server.latency = 0.02
    cold = run_batch(folder, BatchOptions(out=tmp_path / "cold", concurrency=4), settings)
    assert openai_server.peak_in_flight <= 4  # --concurrency caps requests in flight too
    records = [json.loads(p.read_text()) for p in (tmp_path / "cold/records").glob("*.json")]
    assert (cold.done, cold.failed) == (2, 0)
    assert cold.calls == sum(r["usage"]["calls"] for r in records) == len(openai_server.requests)
    assert cold.calls > 0 and cold.tokens > 0
    assert {r["backend"] for r in records} == {"llm"}

    warm = run_batch(folder, BatchOptions(out=tmp_path / "warm", concurrency=4), settings)
    assert warm.calls == 0
    assert warm.cache_hits == cold.calls + cold.cache_hits


# --- crash safety (subprocesses) -------------------------------------------------------------


def test_kill_9_mid_run_then_restart_gives_every_record_once(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    filings = make_small_filings(folder, 60)
    out = tmp_path / "out"
    process = start_batch(folder, out, 0.05, "--concurrency", "4")
    try:
        wait_for(lambda: committed(out) >= 10)
    finally:
        process.kill()
        process.wait(timeout=10)
    assert process.returncode == -signal.SIGKILL
    assert 10 <= committed(out) < 60
    assert_every_output_parses(out)

    summary = batch(folder, out)
    assert summary.skipped >= 10
    assert (summary.done + summary.skipped, summary.failed) == (60, 0)
    assert temp_files(out) == []
    assert len(list((out / "records").glob("*.json"))) == 60
    paths = [r["source"]["path"] for r in read_jsonl(out / "results.jsonl")]
    assert sorted(paths) == sorted(str(p) for p in filings)
    with (out / "results.csv").open(encoding="utf-8-sig", newline="") as handle:
        assert len(list(csv.DictReader(handle))) == 60


def child_pids(pid: int) -> set[int]:
    """Processes whose parent is ``pid`` (from /proc)."""
    children = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            children.add(int(stat.parent.name))
    return children


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_kill_9_of_an_llm_batch_leaves_no_worker_behind_and_restarts(
    tmp_path: Path, openai_server: FakeOpenAI
) -> None:
    openai_server.handler = auto_tool_reply(null_arguments)
    folder = tmp_path / "in"
    filings = make_small_filings(folder, 30)
    out = tmp_path / "out"
    llm = ["--backend", "llm", "--model", "m", "--base-url", openai_server.base_url]
    env = {"OPENAI_API_KEY": "sk-test", "EXTRACT_CACHE_DIR": str(tmp_path / "cache")}
    process = start_batch(
        folder, out, 0.05, *llm, "--concurrency", "2", "--workers", "2", env_extra=env
    )
    try:
        wait_for(lambda: committed(out) >= 3)
        workers = child_pids(process.pid)
    finally:
        process.kill()
        process.wait(timeout=10)
    assert len(workers) >= 2  # the worker processes (and multiprocessing's tracker)
    wait_for(lambda: not any(Path(f"/proc/{pid}").exists() for pid in workers), timeout=10)

    settings = resolve_settings(backend="llm", model="m", base_url=openai_server.base_url, env=env)
    summary = run_batch(folder, BatchOptions(out=out, workers=1), settings)
    assert summary.skipped >= 3
    assert (summary.done + summary.skipped, summary.failed) == (30, 0)
    paths = [r["source"]["path"] for r in read_jsonl(out / "results.jsonl")]
    assert sorted(paths) == sorted(str(p) for p in filings)


def test_a_script_that_cannot_spawn_workers_gets_a_clear_error(tmp_path: Path) -> None:
    """Without ``if __name__ == "__main__":`` a spawned worker re-runs the script and
    fails; the batch then says what to do instead of hanging or printing a traceback."""
    folder = tmp_path / "in"
    make_small_filings(folder, 2)
    script = tmp_path / "unguarded.py"
    script.write_text(
        "from pathlib import Path\n"
        "from extract.batch.runner import BatchOptions, run_batch\n"
        "from extract.config import Settings\n"
        "from extract.core.errors import ConfigError\n"
        "settings = Settings(backend='llm', model='m', base_url='http://127.0.0.1:9/v1', "
        "api_key='k')\n"
        "try:\n"
        f"    run_batch(Path({str(folder)!r}), BatchOptions(out=Path({str(tmp_path / 'out')!r}), "
        "workers=1), settings)\n"
        "except ConfigError as err:\n"
        "    print('ConfigError:', err)\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=60, cwd=tmp_path
    )
    assert "ConfigError: worker processes could not start; use --workers 0" in done.stdout
    assert not (tmp_path / "out" / "records").exists()  # nothing was extracted


def test_sigint_stops_cleanly_with_exit_130(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    make_small_filings(folder, 30)
    out = tmp_path / "out"
    process = start_batch(folder, out, 0.2, "--concurrency", "2")
    try:
        wait_for(lambda: committed(out) >= 2)
        process.send_signal(signal.SIGINT)
        stdout, _ = process.communicate(timeout=20)
    finally:
        process.kill()
    assert process.returncode == 130
    assert "interrupted" in stdout
    assert temp_files(out) == []
    assert_every_output_parses(out)
    done = committed(out)
    assert 2 <= done < 30
    assert len(read_jsonl(out / "results.jsonl")) == done
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["interrupted"] is True and summary["done"] == done

"""`extract --backend llm|auto` and `extract cache` over real HTTP to FakeOpenAI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from llm_answers import (
    BUYBACK_000,
    BUYBACK_IDENTITY,
    GOLD_004,
    INCENTIVE_000,
    SEED_000,
    SEED_004,
    by_section,
    names_identity,
    sections_asked,
)
from openai_server import FakeOpenAI, JsonDict, Reply, reply_in_requested_form

from extract.cli import cli

SECRET = "sk-test-SECRET"


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def llm_args(server: FakeOpenAI, *extra: str, seed: Path = SEED_004) -> list[str]:
    return ["--backend", "llm", "--model", "m", "--base-url", server.base_url, *extra, str(seed)]


def record_of(result: Result) -> dict[str, Any]:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture(autouse=True)
def _quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EXTRACT_RETRY_WAIT", "0.01")


def test_llm_backend_fills_the_record_from_the_answers(openai_server: FakeOpenAI) -> None:
    openai_server.handler = by_section(GOLD_004)
    record = record_of(run(*llm_args(openai_server)))
    assert record["backend"] == "llm" and record["model"] == "m"
    assert len(record["prompt_version"]) == 12
    assert record["incentive"]["shares_vesting"] == 1079160
    assert record["incentive"]["vesting_end"] == "2025-08-29"
    assert record["filing"]["announcement_no"] == "2024-061"
    assert record["evidence"]["incentive.grant_price_adjusted"]["quote"] == "77.63 元"
    # an incentive notice carries filing and incentive only: two calls, not five
    assert record["usage"]["calls"] == 2 and record["usage"]["cache_hits"] == 0
    assert record["buyback"] is None and record["warnings"] == []


def test_a_second_run_is_served_from_the_cache_and_no_cache_asks_again(
    openai_server: FakeOpenAI,
) -> None:
    openai_server.handler = by_section(GOLD_004)
    first = record_of(run(*llm_args(openai_server)))
    assert len(openai_server.chat_requests) == 2  # filing and incentive
    second = record_of(run(*llm_args(openai_server)))
    assert len(openai_server.chat_requests) == 2  # zero HTTP calls
    assert second["usage"] == {
        "calls": 0,
        "prompt_tokens": 0,
        "completion_tokens": 0,
        "cache_hits": 2,
    }
    assert {k: v for k, v in second.items() if k != "usage"} == {
        k: v for k, v in first.items() if k != "usage"
    }
    third = record_of(run(*llm_args(openai_server, "--no-cache")))
    assert len(openai_server.chat_requests) == 4 and third["usage"]["calls"] == 2


@pytest.mark.parametrize("mode", ["json", "md_json", "json_schema"])
def test_json_modes(openai_server: FakeOpenAI, mode: str) -> None:
    openai_server.handler = by_section(GOLD_004)
    record = record_of(run(*llm_args(openai_server, "--mode", mode)))
    assert record["incentive"]["participants_vesting"] == 1526
    assert all("tools" not in r.json for r in openai_server.chat_requests)


def test_schema_invalid_json_is_reasked_then_correct(openai_server: FakeOpenAI) -> None:
    answers = iter([Reply.content('{"shares_vesting": "many'), None])

    def incentive(request: dict[str, Any]) -> Reply:
        reply = next(answers)
        return reply or Reply.json(GOLD_004["incentive"])

    openai_server.handler = by_section({**GOLD_004, "incentive": incentive})
    record = record_of(run(*llm_args(openai_server, "--mode", "json")))
    assert sections_asked(openai_server.chat_requests).count("incentive") == 2
    assert record["incentive"]["shares_vesting"] == 1079160


def test_an_invented_number_never_reaches_the_record(openai_server: FakeOpenAI) -> None:
    invented = {**GOLD_004["incentive"], "grant_price_adjusted": 66.66, "quotes": {}}
    openai_server.handler = by_section({**GOLD_004, "incentive": invented})
    result = run(*llm_args(openai_server))
    record = record_of(result)
    assert sections_asked(openai_server.chat_requests).count("incentive") == 2  # re-asked once
    assert record["incentive"]["grant_price_adjusted"] is None
    assert (
        "incentive: grant_price_adjusted: 66.66 not found in the source; dropped"
        in record["warnings"]
    )
    assert "66.66" not in json.dumps({k: v for k, v in record.items() if k != "warnings"})


def test_429_with_retry_after_then_success(openai_server: FakeOpenAI) -> None:
    openai_server.enqueue(Reply.error(429, headers={"Retry-After": "1"}))
    openai_server.handler = by_section(GOLD_004)
    record = record_of(run(*llm_args(openai_server)))
    assert record["usage"]["calls"] == 3 and record["warnings"] == []  # 2 answers + the 429
    assert openai_server.chat_requests[0].status == 429


def test_500s_then_success(openai_server: FakeOpenAI) -> None:
    openai_server.enqueue(Reply.error(500), Reply.error(502))
    openai_server.handler = by_section(GOLD_004)
    record = record_of(run(*llm_args(openai_server)))
    assert record["incentive"]["shares_vesting"] == 1079160 and record["warnings"] == []


def test_persistent_500_nulls_the_section_and_the_run_goes_on(openai_server: FakeOpenAI) -> None:
    openai_server.handler = by_section(
        {**GOLD_004, "incentive": lambda request: Reply.error(500, "down")}
    )
    result = run(*llm_args(openai_server), env={"EXTRACT_MAX_RETRIES": "2"})
    record = record_of(result)
    assert record["incentive"] is None
    assert record["filing"]["stock_code"] == "688271"
    assert record["warnings"] == [
        "incentive: LLM call failed after 3 attempts: HTTP 500: down; section left null"
    ]
    assert sections_asked(openai_server.chat_requests).count("incentive") == 3


def test_a_hang_past_the_timeout_is_bounded(openai_server: FakeOpenAI) -> None:
    openai_server.handler = by_section({**GOLD_004, "incentive": lambda request: Reply.hang(10)})
    result = run(*llm_args(openai_server, "--timeout", "1"), env={"EXTRACT_MAX_RETRIES": "1"})
    record = record_of(result)
    assert record["incentive"] is None
    assert record["warnings"] == [
        "incentive: LLM call failed after 2 attempts: timed out after 1s; section left null"
    ]


def test_the_api_key_is_sent_but_never_stored_or_printed(
    openai_server: FakeOpenAI, tmp_path: Path
) -> None:
    openai_server.handler = by_section(
        {**GOLD_004, "dividend": lambda request: Reply.error(503, "bad key sk-test-SECRET")}
    )
    env = {
        **os.environ,
        "OPENAI_API_KEY": SECRET,
        "EXTRACT_MAX_RETRIES": "1",
        "EXTRACT_RETRY_WAIT": "0.01",
    }
    out = tmp_path / "record.json"
    command = [sys.executable, "-m", "extract.cli", *llm_args(openai_server), "-o", str(out)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert all(
        r.headers["authorization"] == f"Bearer {SECRET}" for r in openai_server.chat_requests
    )
    assert "SECRET" not in done.stderr and "SECRET" not in done.stdout
    assert "SECRET" not in out.read_text(encoding="utf-8")
    cache_dir = Path(env["EXTRACT_CACHE_DIR"])
    files = [p for p in cache_dir.rglob("*") if p.is_file()]
    assert files
    for file in files:
        assert b"SECRET" not in file.read_bytes(), file


def test_auto_mode_runs_rules_first_and_asks_only_for_gaps(openai_server: FakeOpenAI) -> None:
    openai_server.handler = by_section({"incentive": INCENTIVE_000})
    args = ["--model", "m", "--base-url", openai_server.base_url, str(SEED_000)]
    record = record_of(run(*args))
    assert record["backend"] == "rules+llm"
    assert 0 < len(openai_server.chat_requests) < 5
    assert record["incentive"]["tranche"] == "预留部分"


def test_a_figure_in_conflict_is_reasked_and_dropped_if_it_still_conflicts(
    openai_server: FakeOpenAI,
) -> None:
    misread = {**BUYBACK_000, "price_high": 1.2}  # the dividend's rate, printed nearby

    def buyback(request: JsonDict) -> Reply:
        reasked = names_identity(request, BUYBACK_IDENTITY)
        return reply_in_requested_form(request, BUYBACK_000 if reasked else misread)

    openai_server.handler = by_section({"buyback": buyback})
    record = record_of(run(*llm_args(openai_server, seed=SEED_000)))
    assert sections_asked(openai_server.chat_requests).count("buyback") == 2
    assert record["buyback"]["price_high"] == 140.0
    assert record["checks"]["buyback.price_high"] == "confirmed"
    assert record["usage"]["calls"] == 6

    openai_server.handler = by_section({"buyback": misread})
    record = record_of(run(*llm_args(openai_server, "--no-cache", seed=SEED_000)))
    assert record["buyback"]["price_high"] is None
    assert any(
        w.startswith("buyback: price_high: 1.2 dropped: ") and "fails, also after a re-ask" in w
        for w in record["warnings"]
    )


def test_a_broken_template_dir_is_an_error(openai_server: FakeOpenAI, tmp_path: Path) -> None:
    broken = tmp_path / "prompts"
    broken.mkdir()
    (broken / "filing.system.j2").write_text("{% for %}", encoding="utf-8")
    result = run(*llm_args(openai_server), env={"EXTRACT_PROMPTS_DIR": str(broken)})
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: prompt template {broken}/")
    assert openai_server.chat_requests == []


def test_cache_stats_and_clear(openai_server: FakeOpenAI) -> None:
    empty = run("cache", "stats")
    assert "entries:  0" in empty.stdout
    openai_server.handler = by_section(GOLD_004)
    record_of(run(*llm_args(openai_server)))
    stats = run("cache", "stats")
    assert "entries:  2" in stats.stdout  # filing and incentive
    assert f"location: {os.environ['EXTRACT_CACHE_DIR']}" in stats.stdout
    cleared = run("cache", "clear")
    assert cleared.stdout.startswith("removed 2 entries")
    assert "entries:  0" in run("cache", "stats").stdout

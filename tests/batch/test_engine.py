"""The batch's engine: filings prepared in worker processes, one LLM connection and one
set of budgets for many filings."""

from __future__ import annotations

import asyncio
import pickle
import subprocess
import sys
from pathlib import Path

import pytest
from llm_answers import GOLD_004, INCENTIVE_000, SEED_000, SEED_001, SEED_004, by_section
from openai_server import FakeOpenAI, auto_tool_reply, null_arguments

from extract.backends.llm.limits import CallLimiter
from extract.batch.engine import AsyncPipeline
from extract.batch.workers import WorkerPool
from extract.config import Settings
from extract.core.errors import InputError
from extract.core.schema import Record
from extract.load.document import read_document
from extract.pipeline import extract_document, extract_file, prepare_filing, sections_it_can_state

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def settings(llm_settings: Settings) -> Settings:
    return llm_settings.with_(api_key="sk-secret-test-key", use_cache=False)


def extract_paths(settings: Settings, paths: list[Path], **options: object) -> list[Record]:
    async def main() -> list[Record]:
        async with AsyncPipeline(settings, **options) as pipeline:  # type: ignore[arg-type]
            return list(await asyncio.gather(*(pipeline.extract_path(p) for p in paths)))

    return asyncio.run(main())


def test_a_prepared_filing_travels_between_processes_intact(settings: Settings) -> None:
    prepared = prepare_filing(SEED_001, settings)
    carried = set(sections_it_can_state(prepared.document))  # an interim report: three
    assert set(prepared.asks) == carried and prepared.rule_results is None
    copy = pickle.loads(pickle.dumps(prepared))
    assert copy.asks == prepared.asks
    assert copy.document.text == prepared.document.text
    span = prepared.asks["financials"].passages[0]
    assert copy.document.original_span(span.start, span.end) == prepared.document.original_span(
        span.start, span.end
    )
    text = prepared.document.text
    for ask in prepared.asks.values():  # passages show the document's own text, line by line
        assert all(
            line in text[p.start : p.end] for p in ask.passages for line in p.text.split("\n")
        )


def test_preparing_imports_nothing_of_the_llm_client() -> None:
    """Workers import only what preparing needs: not openai or instructor (~1 s each)."""
    code = (
        "import sys; from pathlib import Path; from extract.config import Settings; "
        "from extract.pipeline import prepare_filing; "
        f"prepare_filing(Path({str(SEED_004)!r}), Settings(backend='auto', model='m')); "
        "print(sorted(m for m in ('openai', 'instructor', 'httpx') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_filings_prepared_in_worker_processes_give_the_same_records(
    openai_server: FakeOpenAI, settings: Settings
) -> None:
    openai_server.handler = by_section(GOLD_004)
    paths = [SEED_004, SEED_001]
    in_process = extract_paths(settings, paths, workers=0)
    in_workers = extract_paths(settings, paths, workers=2)
    for a, b, path in zip(in_process, in_workers, paths, strict=True):
        assert b.model_dump(exclude={"usage"}) == a.model_dump(exclude={"usage"})
        assert b == extract_document(read_document(path), settings).model_copy(
            update={"usage": b.usage}
        )
    assert in_workers[0].incentive is not None  # the gold answers went through


def test_worker_processes_never_receive_the_api_key(settings: Settings) -> None:
    pipeline = AsyncPipeline(settings, workers=1)
    assert pipeline.worker_settings.api_key is None
    assert pipeline.worker_settings == settings.with_(api_key=None)


def test_auto_mode_in_workers_merges_the_answers_into_the_rules(
    openai_server: FakeOpenAI, settings: Settings
) -> None:
    openai_server.handler = by_section({"incentive": INCENTIVE_000})
    auto = settings.with_(backend="auto")
    [record] = extract_paths(auto, [SEED_000], workers=1)
    assert record == extract_document(read_document(SEED_000), auto).model_copy(
        update={"usage": record.usage}
    )
    assert record.backend == "rules+llm" and record.incentive is not None


def test_many_filings_share_one_limiter_which_caps_requests_in_flight(
    openai_server: FakeOpenAI, settings: Settings
) -> None:
    openai_server.handler = auto_tool_reply(null_arguments)
    openai_server.latency = 0.05
    limiter = CallLimiter(max_in_flight=3)
    records = extract_paths(settings, [SEED_000, SEED_004, SEED_001], limiter=limiter, workers=1)
    calls = sum(r.usage.calls for r in records)
    # one call per section each filing's type carries (an incentive notice: two)
    asked = sum(
        len(sections_it_can_state(read_document(p))) for p in (SEED_000, SEED_004, SEED_001)
    )
    assert calls == len(openai_server.chat_requests) == asked
    assert 2 <= openai_server.peak_in_flight <= 3  # concurrent, within the cap


def test_rules_alone_extract_large_filings_in_workers_and_small_ones_here(
    tmp_path: Path,
) -> None:
    binary = tmp_path / "large.txt"  # large enough for a worker, and not text
    binary.write_bytes(bytes(range(256)) * 400)
    rules = Settings(backend="rules")

    async def main() -> tuple[Record, Record, str, WorkerPool | None]:
        async with AsyncPipeline(rules, workers=1) as pipeline:
            small = await pipeline.extract_path(SEED_004)
            assert pipeline._pool is None  # nothing large yet: no worker started
            large = await pipeline.extract_path(SEED_001)
            with pytest.raises(InputError) as failed:
                await pipeline.extract_path(binary)
            return small, large, str(failed.value), pipeline._pool

    small, large, error, pool = asyncio.run(main())
    assert small == extract_file(SEED_004, rules)
    assert large == extract_file(SEED_001, rules)
    assert error == f"{binary} looks binary (NUL bytes), not a text filing"
    assert pool is not None and pool.restarts == 0  # the worker reported it and lived on

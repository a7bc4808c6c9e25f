"""The LLM client over real HTTP to FakeOpenAI: modes, re-asks, retries, cache, usage."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import openai
import pytest
from openai_server import FakeOpenAI, Reply, auto_tool_reply

from extract.backends.llm.answers import IncentiveAnswer
from extract.backends.llm.cache import ResponseCache, cache_clear, cache_stats
from extract.backends.llm.client import AsyncLLMClient, LLMClient
from extract.backends.llm.request import LLMRequest
from extract.backends.llm.transport import endpoint_host, scrub
from extract.config import Settings
from extract.core.errors import ConfigError

MESSAGES = [
    {"role": "system", "content": "Fill the incentive fields."},
    {"role": "user", "content": "本次归属数量:1,079,160股。归属人数:1,526人。"},
]
GOOD = {"shares_vesting": 1079160, "participants_vesting": 1526}
REQUEST = LLMRequest(MESSAGES, IncentiveAnswer)


@pytest.fixture
def settings(openai_server: FakeOpenAI, tmp_path: Path) -> Settings:
    return Settings(
        backend="llm",
        model="m",
        base_url=openai_server.base_url,
        cache_dir=tmp_path / "cache",
        retry_wait_s=0.01,
        max_retries=3,
        timeout_s=5,
    )


def complete(settings: Settings, request: LLMRequest[Any] = REQUEST) -> Any:
    client = LLMClient(settings, "v1")
    try:
        return client.complete(request)
    finally:
        client.close()


@pytest.mark.parametrize(
    ("mode", "has_tools", "response_format"),
    [
        ("tools", True, None),
        ("json", False, "json_object"),
        ("json_schema", False, "json_schema"),
        ("md_json", False, None),
    ],
)
def test_every_mode_returns_the_answer(
    openai_server: FakeOpenAI,
    settings: Settings,
    mode: str,
    has_tools: bool,
    response_format: str | None,
) -> None:
    openai_server.handler = auto_tool_reply(lambda request: GOOD)
    reply = complete(settings.with_(mode=mode))
    assert reply.error is None
    assert reply.answer.shares_vesting == 1079160
    (request,) = openai_server.chat_requests
    assert ("tools" in request.json) is has_tools
    assert (request.json.get("response_format") or {}).get("type") == response_format
    assert request.json["model"] == "m" and request.json["temperature"] == 0.0


def test_usage_counts_calls_and_tokens_from_the_raw_response(
    openai_server: FakeOpenAI, settings: Settings
) -> None:
    openai_server.enqueue(Reply.tool_call(GOOD))
    reply = complete(settings)
    (request,) = openai_server.chat_requests
    assert reply.usage.calls == 1
    assert reply.usage.prompt_tokens == request.usage["prompt_tokens"]
    assert reply.usage.completion_tokens == request.usage["completion_tokens"]


def test_schema_invalid_answer_is_reasked_then_correct(
    openai_server: FakeOpenAI, settings: Settings
) -> None:
    openai_server.enqueue(Reply.tool_call({"shares_vesting": 374.19}), Reply.tool_call(GOOD))
    reply = complete(settings)
    assert reply.answer.shares_vesting == 1079160
    _, second = openai_server.chat_requests
    assert "shares must be integers" in str(second.json["messages"])
    assert reply.usage.calls == 2


def test_an_answer_that_never_validates_is_an_error_not_a_crash(
    openai_server: FakeOpenAI, settings: Settings
) -> None:
    openai_server.handler = lambda request: Reply.tool_call("{not json")
    reply = complete(settings.with_(max_reasks=1))
    assert reply.answer is None
    assert "did not validate after 2 attempt(s)" in reply.error
    assert len(openai_server.chat_requests) == 2


def test_429_retry_after_is_honoured(openai_server: FakeOpenAI, settings: Settings) -> None:
    openai_server.enqueue(Reply.error(429, headers={"Retry-After": "1"}), Reply.tool_call(GOOD))
    started = time.monotonic()
    reply = complete(settings)
    assert reply.answer is not None and reply.usage.calls == 2
    assert time.monotonic() - started >= 0.95  # the header, not retry_wait_s (0.01)


def test_retry_after_is_capped(openai_server: FakeOpenAI, settings: Settings) -> None:
    openai_server.enqueue(Reply.error(429, headers={"Retry-After": "30"}), Reply.tool_call(GOOD))
    started = time.monotonic()
    reply = complete(settings.with_(retry_after_cap_s=0.05))
    assert reply.answer is not None
    assert time.monotonic() - started < 5


def test_server_errors_are_retried(openai_server: FakeOpenAI, settings: Settings) -> None:
    openai_server.enqueue(Reply.error(500), Reply.error(503), Reply.tool_call(GOOD))
    reply = complete(settings)
    assert reply.answer.participants_vesting == 1526
    assert reply.usage.calls == 3


def test_persistent_server_errors_end_in_an_error_after_the_bound(
    openai_server: FakeOpenAI, settings: Settings
) -> None:
    openai_server.handler = lambda request: Reply.error(500, "boom")
    reply = complete(settings.with_(max_retries=2))
    assert reply.answer is None
    assert reply.error == "LLM call failed after 3 attempts: HTTP 500: boom"
    assert len(openai_server.chat_requests) == 3 and reply.usage.calls == 3


def test_a_hanging_server_times_out_and_is_retried(
    openai_server: FakeOpenAI, settings: Settings
) -> None:
    openai_server.enqueue(Reply.hang(5), Reply.tool_call(GOOD))
    reply = complete(settings.with_(timeout_s=0.5))
    assert reply.answer is not None
    assert reply.usage.calls == 2


def test_a_hang_past_every_retry_is_bounded(openai_server: FakeOpenAI, settings: Settings) -> None:
    openai_server.handler = lambda request: Reply.hang(5)
    started = time.monotonic()
    reply = complete(settings.with_(timeout_s=0.3, max_retries=1))
    assert reply.error == "LLM call failed after 2 attempts: timed out after 0.3s"
    assert time.monotonic() - started < 3


def test_a_bad_request_is_not_retried(openai_server: FakeOpenAI, settings: Settings) -> None:
    openai_server.handler = lambda request: Reply.error(400, "tools are not supported")
    reply = complete(settings)
    assert len(openai_server.chat_requests) == 1
    assert reply.error.endswith("(if the model cannot call tools, try --mode json)")


def test_a_model_refusing_temperature_is_asked_again_without_it(
    openai_server: FakeOpenAI, settings: Settings
) -> None:
    openai_server.enqueue(
        Reply.error(400, "Unsupported value: 'temperature' does not support 0.0 with this model."),
        Reply.tool_call(GOOD),
    )
    client = LLMClient(settings, "v1")
    try:
        assert client.complete(REQUEST).answer is not None
        openai_server.enqueue(Reply.tool_call(GOOD))
        client.complete(
            LLMRequest([*MESSAGES, {"role": "user", "content": "again"}], IncentiveAnswer)
        )
    finally:
        client.close()
    first, second, third = openai_server.chat_requests
    assert "temperature" in first.json
    assert "temperature" not in second.json and "temperature" not in third.json


@pytest.mark.parametrize("status", [401, 403, 404])
def test_a_refusing_endpoint_is_a_config_error(
    openai_server: FakeOpenAI, settings: Settings, status: int
) -> None:
    openai_server.handler = lambda request: Reply.error(
        status, "Incorrect API key provided: sk-test-SECRET"
    )
    with pytest.raises(ConfigError) as err:
        complete(settings.with_(api_key="sk-test-SECRET"))
    assert "SECRET" not in str(err.value)
    assert len(openai_server.chat_requests) == 1


def test_cache_hit_makes_no_call_and_no_cache_bypasses(
    openai_server: FakeOpenAI, settings: Settings
) -> None:
    openai_server.handler = auto_tool_reply(lambda request: GOOD)
    assert complete(settings).usage.calls == 1
    again = complete(settings)
    assert again.usage.calls == 0 and again.usage.cache_hits == 1
    assert again.answer.shares_vesting == 1079160
    assert len(openai_server.chat_requests) == 1
    fresh = complete(settings.with_(use_cache=False))
    assert fresh.usage.calls == 1 and len(openai_server.chat_requests) == 2


def test_failures_are_not_cached(openai_server: FakeOpenAI, settings: Settings) -> None:
    openai_server.enqueue(Reply.error(400))
    assert complete(settings).answer is None
    openai_server.enqueue(Reply.tool_call(GOOD))
    assert complete(settings).answer is not None


def test_cache_key_covers_what_shapes_the_answer_and_never_the_key(settings: Settings) -> None:
    key = ResponseCache(settings, "v1").key(REQUEST)
    assert ResponseCache(settings.with_(api_key="sk-other"), "v1").key(REQUEST) == key
    for changed in (
        ResponseCache(settings.with_(model="m2"), "v1"),
        ResponseCache(settings.with_(mode="json"), "v1"),
        ResponseCache(settings.with_(temperature=0.5), "v1"),
        ResponseCache(settings, "v2"),
    ):
        assert changed.key(REQUEST) != key
    other_messages = LLMRequest([*MESSAGES, {"role": "user", "content": "?"}], IncentiveAnswer)
    assert ResponseCache(settings, "v1").key(other_messages) != key


def test_a_stale_cache_value_is_ignored(openai_server: FakeOpenAI, settings: Settings) -> None:
    cache = ResponseCache(settings, "v1")
    cache._open().set(cache.key(REQUEST), '{"shares_vesting": "many"}')
    cache.close()
    openai_server.enqueue(Reply.tool_call(GOOD))
    reply = complete(settings)
    assert reply.answer.shares_vesting == 1079160 and reply.usage.calls == 1


def test_cache_stats_and_clear(openai_server: FakeOpenAI, settings: Settings) -> None:
    assert cache_stats(settings.cache_dir).entries == 0
    assert not settings.cache_dir.exists()  # stats creates nothing
    openai_server.handler = auto_tool_reply(lambda request: GOOD)
    complete(settings)
    stats = cache_stats(settings.cache_dir)
    assert stats.entries == 1 and stats.size_bytes > 0 and stats.location == settings.cache_dir
    assert cache_clear(settings.cache_dir) == 1
    assert cache_stats(settings.cache_dir).entries == 0


def test_async_client(openai_server: FakeOpenAI, settings: Settings) -> None:
    openai_server.enqueue(Reply.error(500), Reply.tool_call(GOOD))

    async def run() -> Any:
        client = AsyncLLMClient(settings, "v1")
        try:
            return await client.complete(REQUEST)
        finally:
            await client.close()

    reply = asyncio.run(run())
    assert reply.answer.shares_vesting == 1079160 and reply.usage.calls == 2


def test_endpoint_host_drops_credentials_and_query() -> None:
    assert (
        endpoint_host("https://user:pw@API.example.com:8443/v1/?key=abc")
        == "api.example.com:8443/v1"
    )
    assert endpoint_host(None) == "api.openai.com/v1"


def test_scrub_removes_keys(settings: Settings) -> None:
    keyed = settings.with_(api_key="sk-test-SECRET")
    assert "SECRET" not in scrub("bad key sk-test-SECRET and sk-proj-abcdef123", keyed)


def test_retry_after_forms() -> None:
    import httpx2  # the transport openai 3 uses

    from extract.backends.llm.transport import retry_after

    def error(headers: dict[str, str]) -> openai.RateLimitError:
        request = httpx2.Request("POST", "http://x/v1/chat/completions")
        response = httpx2.Response(429, headers=headers, request=request)
        return openai.RateLimitError("slow down", response=response, body=None)

    assert retry_after(error({"Retry-After": "2"})) == 2.0
    assert retry_after(error({"retry-after-ms": "1500"})) == 1.5
    assert retry_after(error({"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"})) == 0.0
    assert retry_after(error({"Retry-After": "soon"})) is None
    assert retry_after(error({})) is None
    assert retry_after(ValueError()) is None

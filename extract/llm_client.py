"""Calls to any OpenAI-compatible endpoint: structure, retries, cache and usage.

- ``openai.OpenAI`` / ``AsyncOpenAI`` wrapped by ``instructor`` in the chosen mode
  (tools, json, json_schema, md_json). Instructor re-asks an answer that fails validation,
  at most ``settings.max_reasks`` times.
- Transport faults (429, 408/409, 5xx, timeouts, connection errors) are retried here with
  tenacity: exponential backoff with jitter from ``settings.retry_wait_s``, a server's
  ``Retry-After`` honoured up to ``settings.retry_after_cap_s``, at most
  ``settings.max_retries`` retries; the openai client itself never retries. When the bound
  is reached the call fails with a reason and the caller leaves that section null. An
  endpoint that refuses us (401, 403, 404: key, model or URL wrong) is a ConfigError.
- Answers are cached on disk (diskcache under ``settings.cache_dir``) by a SHA-256 of the
  endpoint's host, model, mode, messages, answer schema, prompt version and parameters;
  the value is the answer's JSON, validated again when read. The API key is in neither.
- Usage counts HTTP calls, prompt and completion tokens (from each raw response) and
  cache hits.
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import logging
import os
import random
import re
import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Generic, TypeVar, cast
from urllib.parse import urlsplit

import instructor
import openai
from instructor.core import (
    AsyncInstructor,
    Hooks,
    Instructor,
    InstructorError,
    InstructorRetryException,
)
from pydantic import BaseModel, ValidationError
from tenacity import AsyncRetrying, RetryCallState, Retrying, retry_if_exception, stop_after_attempt

from .config import Settings
from .core.errors import ConfigError, LLMError
from .core.schema import Usage
from .limits import CallLimiter

# instructor logs every failed attempt at ERROR; with no handler Python would print those to
# stderr. Our warnings say the same thing once, in the record.
logging.getLogger("instructor").addHandler(logging.NullHandler())

PLACEHOLDER_KEY = "sk-no-key"  # keyless local servers (vLLM, Ollama, llama.cpp) ignore it
DEFAULT_ENDPOINT = "https://api.openai.com/v1"
CACHE_FORMAT = 1  # bump when the cached value's meaning changes

_MODES: dict[str, str] = {
    "tools": "TOOLS",
    "json": "JSON",
    "json_schema": "JSON_SCHEMA",
    "md_json": "MD_JSON",
}
_RETRY_STATUSES = frozenset({408, 409, 429})
_FATAL_STATUSES = {
    401: "the endpoint rejected the API key (set OPENAI_API_KEY)",
    403: "the endpoint refused access (check OPENAI_API_KEY and the model's permissions)",
    404: "the endpoint does not know this model or URL (check --model and --base-url)",
}
_KEYLIKE = re.compile(r"\b(?:sk|key|api)[-_][A-Za-z0-9_\-*]{6,}")

M = TypeVar("M", bound=BaseModel)
Message = dict[str, str]


@dataclass(frozen=True)
class LLMRequest(Generic[M]):
    """One structured call: the messages and the model the answer must validate against."""

    messages: list[Message]
    response_model: type[M]


@dataclass
class LLMReply(Generic[M]):
    """The validated answer, or ``None`` and why; usage either way."""

    answer: M | None
    usage: Usage = field(default_factory=Usage)
    error: str | None = None


# --- construction ------------------------------------------------------------------------


def instructor_mode(mode: str) -> instructor.Mode:
    """The instructor mode for a user-facing mode name (JSON if this instructor lacks one)."""
    name = _MODES.get(mode)
    if name is None:
        raise ConfigError(f"unknown LLM mode {mode!r}; choose one of {', '.join(_MODES)}")
    return cast(instructor.Mode, getattr(instructor.Mode, name, instructor.Mode.JSON))


def client_options(settings: Settings) -> dict[str, Any]:
    """Arguments of ``openai.OpenAI``: no client-side retries (tenacity owns them)."""
    return {
        "api_key": settings.api_key or PLACEHOLDER_KEY,
        "base_url": settings.base_url or None,
        "timeout": settings.timeout_s,
        "max_retries": 0,
    }


def _estimated_tokens(request: LLMRequest[Any]) -> int:
    """A request's tokens before the endpoint counts them: about one per two characters."""
    return len(json.dumps(request.messages, ensure_ascii=False)) // 2


@cache
def _tls_context() -> ssl.SSLContext:
    """One TLS context per process: loading the CA store costs ~15 ms, per client otherwise."""
    return ssl.create_default_context()


@cache
def _tool_model(model: type[M]) -> type[M]:
    """``model`` as instructor's tool schema class, built once per model: instructor wraps
    a plain model in a new class on every call, and a new class misses its schema cache
    (~5 ms of pydantic schema generation per call)."""
    return cast(type[M], instructor.openai_schema(model))


@cache
def _schema_of(model: type[BaseModel]) -> dict[str, Any]:
    """A response model's JSON Schema, built once (pydantic rebuilds it on every call)."""
    return model.model_json_schema()


def endpoint_host(base_url: str | None) -> str:
    """``host[:port]/path`` of the endpoint: no scheme, credentials or query."""
    parts = urlsplit(base_url or DEFAULT_ENDPOINT)
    host = (parts.hostname or "").lower()
    port = f":{parts.port}" if parts.port else ""
    return f"{host}{port}{parts.path.rstrip('/')}"


def scrub(text: str, settings: Settings) -> str:
    """Remove the API key (and anything shaped like one) from a message."""
    if settings.api_key:
        text = text.replace(settings.api_key, "***")
    return _KEYLIKE.sub("***", text)


# --- cache -------------------------------------------------------------------------------


class ResponseCache:
    """Validated answers on disk, keyed by everything that shapes them (never the key)."""

    def __init__(self, settings: Settings, prompt_version: str) -> None:
        self.settings = settings
        self.prompt_version = prompt_version
        self._cache: Any = None

    @property
    def enabled(self) -> bool:
        return self.settings.use_cache

    def key(self, request: LLMRequest[Any]) -> str:
        payload = {
            "format": CACHE_FORMAT,
            "endpoint": endpoint_host(self.settings.base_url),
            "model": self.settings.model,
            "mode": self.settings.mode,
            "temperature": self.settings.temperature,
            "max_reasks": self.settings.max_reasks,
            "prompt_version": self.prompt_version,
            "schema": _schema_of(cast(type[BaseModel], request.response_model)),
            "messages": request.messages,
        }
        text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()

    def get(self, key: str, model: type[M]) -> M | None:
        """The cached answer, or None (also when it no longer validates)."""
        if not self.enabled:
            return None
        raw = self._open().get(key)
        if not isinstance(raw, str):
            return None
        try:
            return model.model_validate_json(raw)
        except ValidationError:
            return None

    def put(self, key: str, answer: BaseModel) -> None:
        if self.enabled:
            self._open().set(key, answer.model_dump_json())

    def close(self) -> None:
        if self._cache is not None:
            self._cache.close()
            self._cache = None

    def _open(self) -> Any:
        if self._cache is None:
            import diskcache

            self._cache = diskcache.Cache(str(self.settings.cache_dir))
        return self._cache


@dataclass(frozen=True)
class CacheStats:
    location: Path
    entries: int
    size_bytes: int


def cache_stats(cache_dir: Path) -> CacheStats:
    """Entries and bytes on disk of the response cache (nothing is created)."""
    if not cache_dir.is_dir():
        return CacheStats(cache_dir, 0, 0)
    import diskcache

    with diskcache.Cache(str(cache_dir)) as cache:
        entries = len(cache)
    return CacheStats(cache_dir, entries, _disk_size(cache_dir))


def cache_clear(cache_dir: Path) -> int:
    """Remove every cached answer; returns how many there were."""
    if not cache_dir.is_dir():
        return 0
    import diskcache

    with diskcache.Cache(str(cache_dir)) as cache:
        return int(cache.clear())


def _disk_size(directory: Path) -> int:
    total = 0
    for root, _dirs, files in os.walk(directory):
        for name in files:
            try:
                total += (Path(root) / name).stat().st_size
            except OSError:
                continue
    return total


# --- retries -----------------------------------------------------------------------------


def is_transient(error: BaseException) -> bool:
    """Worth retrying: rate limits, server errors, timeouts, lost connections."""
    if isinstance(error, openai.APIConnectionError):  # includes APITimeoutError
        return True
    if isinstance(error, openai.APIStatusError):
        return error.status_code in _RETRY_STATUSES or error.status_code >= 500
    return False


def retry_after(error: BaseException | None) -> float | None:
    """Seconds the server asked us to wait (``retry-after-ms`` or ``Retry-After``)."""
    if not isinstance(error, openai.APIStatusError):
        return None
    headers = error.response.headers
    if ms := headers.get("retry-after-ms"):
        try:
            return max(float(ms) / 1000, 0.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:  # an HTTP date
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(when.timestamp() - time.time(), 0.0)


class Backoff:
    """Tenacity wait: the server's Retry-After (capped), else exponential with jitter."""

    def __init__(self, settings: Settings) -> None:
        self.base = settings.retry_wait_s
        self.cap = settings.retry_after_cap_s

    def __call__(self, state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        asked = retry_after(error)
        if asked is not None:
            return min(asked, self.cap)
        exponential: float = self.base * 2 ** (state.attempt_number - 1)
        jitter: float = random.uniform(0, self.base)
        return min(exponential, self.base * 32) + jitter


def _retry_policy(settings: Settings) -> dict[str, Any]:
    return {
        "stop": stop_after_attempt(max(settings.max_retries, 0) + 1),
        "wait": Backoff(settings),
        "retry": retry_if_exception(is_transient),
        "reraise": True,
    }


def describe(error: BaseException, settings: Settings) -> str:
    """One line about a transport error, without secrets."""
    if isinstance(error, openai.APITimeoutError):
        text = f"timed out after {settings.timeout_s:g}s"
    elif isinstance(error, openai.APIConnectionError):
        text = f"cannot connect to {endpoint_host(settings.base_url)}"
    elif isinstance(error, openai.APIStatusError):
        text = f"HTTP {error.status_code}: {_error_message(error)}"
    else:
        text = f"{type(error).__name__}: {error}"
    return scrub(text, settings)


def _error_message(error: openai.APIStatusError) -> str:
    body = error.body
    if isinstance(body, Mapping):
        inner = body.get("error", body)
        message = inner.get("message") if isinstance(inner, Mapping) else None
        if message:
            return str(message)[:200]
    return str(error.message)[:200]


ExtractFailure = ConfigError | LLMError


def _failure(error: openai.APIError, settings: Settings) -> ExtractFailure:
    """What a transport error becomes once retrying is over."""
    if isinstance(error, openai.APIStatusError) and error.status_code in _FATAL_STATUSES:
        reason = _FATAL_STATUSES[error.status_code]
        return ConfigError(f"{reason}: {describe(error, settings)}")
    attempts = max(settings.max_retries, 0) + 1 if is_transient(error) else 1
    hint = ""
    if isinstance(error, openai.BadRequestError) and settings.mode == "tools":
        hint = " (if the model cannot call tools, try --mode json)"
    plural = "s" if attempts > 1 else ""
    return LLMError(
        f"LLM call failed after {attempts} attempt{plural}: {describe(error, settings)}{hint}"
    )


def _unwrap(error: InstructorError, usage: Usage, settings: Settings) -> Exception:
    """Instructor wraps transport errors; give tenacity the openai error to judge."""
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, openai.APIError):
            usage.calls += 1  # a request that got no usable response: hooks did not see it
            return cause
        cause = cause.__cause__ or cause.__context__
    if isinstance(error, InstructorRetryException):
        first = str(error).strip().splitlines()[0] if str(error).strip() else "invalid answer"
        return LLMError(
            f"the answer did not validate after {error.n_attempts} attempt(s): "
            f"{scrub(first, settings)[:300]}"
        )
    return LLMError(scrub(f"{type(error).__name__}: {error}", settings)[:300])


def _counting_hooks(usage: Usage) -> Hooks:
    """Per-call hooks adding every raw response's token usage to ``usage``."""

    def on_response(response: Any) -> None:
        usage.calls += 1
        counted = getattr(response, "usage", None)
        if counted is not None:
            usage.prompt_tokens += int(getattr(counted, "prompt_tokens", 0) or 0)
            usage.completion_tokens += int(getattr(counted, "completion_tokens", 0) or 0)

    hooks = Hooks()
    hooks.on("completion:response", on_response)
    return hooks


# --- clients -----------------------------------------------------------------------------


class _Base:
    def __init__(self, settings: Settings, prompt_version: str) -> None:
        if not settings.model:
            raise ConfigError("the LLM backend needs a model: pass --model or set EXTRACT_MODEL")
        self.settings = settings
        self.cache = ResponseCache(settings, prompt_version)
        # Reasoning models refuse a temperature; after one such refusal we stop sending it.
        self.send_temperature = True

    def _kwargs(self, request: LLMRequest[M], usage: Usage) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "model": self.settings.model,
            "messages": list(request.messages),
            "response_model": _tool_model(request.response_model),
            "max_retries": max(self.settings.max_reasks, 0),
            "strict": False,  # lenient parsing; our validators carry the actionable messages
            "hooks": _counting_hooks(usage),
        }
        if self.send_temperature:
            kwargs["temperature"] = self.settings.temperature
        return kwargs

    def _drop_temperature(self, error: openai.APIError) -> bool:
        """Is this the first refusal of our temperature? Then retry without it."""
        refused = isinstance(error, openai.BadRequestError) and "temperature" in str(error.message)
        if refused and self.send_temperature:
            self.send_temperature = False
            return True
        return False

    def _cached(self, request: LLMRequest[M]) -> tuple[str, LLMReply[M] | None]:
        if not self.cache.enabled:
            return "", None
        key = self.cache.key(request)
        hit = self.cache.get(key, request.response_model)
        return key, (LLMReply(hit, Usage(cache_hits=1)) if hit is not None else None)


class LLMClient(_Base):
    """Synchronous client (the CLI and the thread-based batch)."""

    def __init__(self, settings: Settings, prompt_version: str) -> None:
        super().__init__(settings, prompt_version)
        self._openai = openai.OpenAI(
            **client_options(settings), http_client=openai.DefaultHttpxClient(verify=_tls_context())
        )
        self._client: Instructor = instructor.from_openai(
            self._openai, mode=instructor_mode(settings.mode)
        )

    def complete(self, request: LLMRequest[M]) -> LLMReply[M]:
        """The validated answer (cached, or asked with retries); a failure is a reply with
        ``error`` set. Raises ConfigError when the endpoint refuses us outright."""
        key, hit = self._cached(request)
        if hit is not None:
            return hit
        usage = Usage()
        try:
            answer = self._with_retries(request, usage)
        except LLMError as err:
            return LLMReply(None, usage, str(err))
        self.cache.put(key, answer)
        return LLMReply(answer, usage)

    def close(self) -> None:
        self.cache.close()
        self._openai.close()

    def _with_retries(self, request: LLMRequest[M], usage: Usage) -> M:
        try:
            for attempt in Retrying(**_retry_policy(self.settings)):
                with attempt:
                    return self._once(request, usage)
        except openai.APIError as err:
            if self._drop_temperature(err):
                return self._with_retries(request, usage)
            raise _failure(err, self.settings) from err
        raise LLMError("LLM call made no attempt")  # unreachable: tenacity tries once at least

    def _once(self, request: LLMRequest[M], usage: Usage) -> M:
        try:
            answer = self._client.chat.completions.create(**self._kwargs(request, usage))
        except openai.APIError:
            usage.calls += 1
            raise
        except InstructorError as err:
            raise _unwrap(err, usage, self.settings) from err
        return cast(M, answer)


class AsyncLLMClient(_Base):
    """Asynchronous twin for concurrent batches (one event loop, many filings)."""

    def __init__(
        self, settings: Settings, prompt_version: str, limiter: CallLimiter | None = None
    ) -> None:
        super().__init__(settings, prompt_version)
        self._limiter = limiter
        self._openai = openai.AsyncOpenAI(
            **client_options(settings),
            http_client=openai.DefaultAsyncHttpxClient(verify=_tls_context()),
        )
        self._client: AsyncInstructor = instructor.from_openai(
            self._openai, mode=instructor_mode(settings.mode)
        )

    async def complete(self, request: LLMRequest[M]) -> LLMReply[M]:
        """As :meth:`LLMClient.complete`."""
        key, hit = self._cached(request)
        if hit is not None:
            return hit
        usage = Usage()
        try:
            answer = await self._with_retries(request, usage)
        except LLMError as err:
            return LLMReply(None, usage, str(err))
        self.cache.put(key, answer)
        return LLMReply(answer, usage)

    async def close(self) -> None:
        self.cache.close()
        await self._openai.close()

    async def _with_retries(self, request: LLMRequest[M], usage: Usage) -> M:
        try:
            async for attempt in AsyncRetrying(**_retry_policy(self.settings)):
                with attempt:
                    return await self._once(request, usage)
        except openai.APIError as err:
            if self._drop_temperature(err):
                return await self._with_retries(request, usage)
            raise _failure(err, self.settings) from err
        raise LLMError("LLM call made no attempt")

    async def _once(self, request: LLMRequest[M], usage: Usage) -> M:
        estimate = _estimated_tokens(request)
        spent = usage.prompt_tokens + usage.completion_tokens
        if self._limiter is not None:
            await self._limiter.before_call(estimate)
        try:
            answer = await self._client.chat.completions.create(**self._kwargs(request, usage))
        except openai.APIError:
            usage.calls += 1
            raise
        except InstructorError as err:
            raise _unwrap(err, usage, self.settings) from err
        finally:
            if self._limiter is not None:
                used = usage.prompt_tokens + usage.completion_tokens - spent
                await self._limiter.after_call(used - estimate)
        return cast(M, answer)

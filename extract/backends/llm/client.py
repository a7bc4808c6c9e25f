"""Calls to any OpenAI-compatible endpoint: structure, retries, cache and usage.

- ``openai.OpenAI`` / ``AsyncOpenAI`` wrapped by ``instructor`` in the chosen mode
  (tools, json, json_schema, md_json). Instructor re-asks an answer that fails validation,
  at most ``settings.max_reasks`` times.
- Transport faults are retried with tenacity (``transport``: which, how long, and what a
  failure says); answers are cached on disk (``cache``).
- Usage counts HTTP calls, prompt and completion tokens (from each raw response) and
  cache hits.
"""

from __future__ import annotations

import json
import logging
from functools import cache
from typing import Any, cast

import instructor
import openai
from instructor.core import AsyncInstructor, Hooks, Instructor, InstructorError
from tenacity import AsyncRetrying, Retrying

from ...config import LLM_MODES, Settings
from ...core.errors import ConfigError, LLMError
from ...core.schema import Usage
from .cache import ResponseCache
from .limits import CallLimiter
from .request import LLMReply, LLMRequest, M
from .transport import client_options, failure, retry_policy, tls_context, unwrap

# instructor logs every failed attempt at ERROR; with no handler Python would print those to
# stderr. Our warnings say the same thing once, in the record.
logging.getLogger("instructor").addHandler(logging.NullHandler())

# instructor's mode for each mode users type (tools → TOOLS, json_schema → JSON_SCHEMA…)
_MODES: dict[str, str] = {mode: mode.upper() for mode in LLM_MODES}


def instructor_mode(mode: str) -> instructor.Mode:
    """The instructor mode for a user-facing mode name (JSON if this instructor lacks one)."""
    name = _MODES.get(mode)
    if name is None:
        raise ConfigError(f"unknown LLM mode {mode!r}; choose one of {', '.join(_MODES)}")
    return cast(instructor.Mode, getattr(instructor.Mode, name, instructor.Mode.JSON))


def _estimated_tokens(request: LLMRequest[Any]) -> int:
    """A request's tokens before the endpoint counts them: about one per two characters."""
    return len(json.dumps(request.messages, ensure_ascii=False)) // 2


@cache
def _tool_model(model: type[M]) -> type[M]:
    """``model`` as instructor's tool schema class, built once per model: instructor wraps
    a plain model in a new class on every call, and a new class misses its schema cache
    (~5 ms of pydantic schema generation per call)."""
    return cast(type[M], instructor.openai_schema(model))


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
            **client_options(settings), http_client=openai.DefaultHttpxClient(verify=tls_context())
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
            for attempt in Retrying(**retry_policy(self.settings)):
                with attempt:
                    return self._once(request, usage)
        except openai.APIError as err:
            if self._drop_temperature(err):
                return self._with_retries(request, usage)
            raise failure(err, self.settings) from err
        raise LLMError("LLM call made no attempt")  # unreachable: tenacity tries once at least

    def _once(self, request: LLMRequest[M], usage: Usage) -> M:
        try:
            answer = self._client.chat.completions.create(**self._kwargs(request, usage))
        except openai.APIError:
            usage.calls += 1
            raise
        except InstructorError as err:
            raise unwrap(err, usage, self.settings) from err
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
            http_client=openai.DefaultAsyncHttpxClient(verify=tls_context()),
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
            async for attempt in AsyncRetrying(**retry_policy(self.settings)):
                with attempt:
                    return await self._once(request, usage)
        except openai.APIError as err:
            if self._drop_temperature(err):
                return await self._with_retries(request, usage)
            raise failure(err, self.settings) from err
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
            raise unwrap(err, usage, self.settings) from err
        finally:
            if self._limiter is not None:
                used = usage.prompt_tokens + usage.completion_tokens - spent
                await self._limiter.after_call(used - estimate)
        return cast(M, answer)

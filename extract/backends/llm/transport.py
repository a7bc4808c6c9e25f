"""The endpoint: how to reach it, what may be said about it, and which failures are retried.

Transport faults (429, 408/409, 5xx, timeouts, connection errors) are retried with tenacity:
exponential backoff with jitter from ``settings.retry_wait_s``, a server's ``Retry-After``
honoured up to ``settings.retry_after_cap_s``, at most ``settings.max_retries`` retries; the
openai client itself never retries. When the bound is reached the call fails with a reason
and the caller leaves that section null. An endpoint that refuses us (401, 403, 404: key,
model or URL wrong) is a ConfigError. The API key never appears in a message.
"""

from __future__ import annotations

import email.utils
import random
import re
import ssl
import time
from collections.abc import Mapping
from functools import cache
from typing import Any
from urllib.parse import urlsplit

import openai
from instructor.core import InstructorError, InstructorRetryException
from tenacity import RetryCallState, retry_if_exception, stop_after_attempt

from ...config import Settings
from ...core.errors import ConfigError, LLMError
from ...core.schema import Usage

PLACEHOLDER_KEY = "sk-no-key"  # keyless local servers (vLLM, Ollama, llama.cpp) ignore it
DEFAULT_ENDPOINT = "https://api.openai.com/v1"

_RETRY_STATUSES = frozenset({408, 409, 429})
_FATAL_STATUSES = {
    401: "the endpoint rejected the API key (set OPENAI_API_KEY)",
    403: "the endpoint refused access (check OPENAI_API_KEY and the model's permissions)",
    404: "the endpoint does not know this model or URL (check --model and --base-url)",
}
_KEYLIKE = re.compile(r"\b(?:sk|key|api)[-_][A-Za-z0-9_\-*]{6,}")


def client_options(settings: Settings) -> dict[str, Any]:
    """Arguments of ``openai.OpenAI``: no client-side retries (tenacity owns them)."""
    return {
        "api_key": settings.api_key or PLACEHOLDER_KEY,
        "base_url": settings.base_url or None,
        "timeout": settings.timeout_s,
        "max_retries": 0,
    }


@cache
def tls_context() -> ssl.SSLContext:
    """One TLS context per process: loading the CA store costs ~15 ms, per client otherwise."""
    return ssl.create_default_context()


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


def retry_policy(settings: Settings) -> dict[str, Any]:
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


def failure(error: openai.APIError, settings: Settings) -> ExtractFailure:
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


def unwrap(error: InstructorError, usage: Usage, settings: Settings) -> Exception:
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

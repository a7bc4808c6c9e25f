"""Settings, resolved in one place: CLI flag → environment → default.

Nothing is read at import time; ``resolve_settings`` is the only reader of the environment.
"""

from __future__ import annotations

import codecs
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal, get_args

from .core.errors import ConfigError

BackendName = Literal["auto", "rules", "llm"]
BACKENDS: tuple[BackendName, ...] = get_args(BackendName)
# The library's and the CLI's: the rules, then the LLM for gaps when one is configured.
DEFAULT_BACKEND: BackendName = "auto"
# instructor modes we offer, by the names users type.
LLM_MODES: tuple[str, ...] = ("tools", "json", "json_schema", "md_json")

DEFAULT_MAX_MB = 50.0


def default_cache_dir(env: Mapping[str, str]) -> Path:
    """``$EXTRACT_CACHE_DIR``, else ``$XDG_CACHE_HOME/filing-extract``, else ``~/.cache/…``."""
    if env.get("EXTRACT_CACHE_DIR"):
        return Path(env["EXTRACT_CACHE_DIR"])
    base = Path(env["XDG_CACHE_HOME"]) if env.get("XDG_CACHE_HOME") else Path.home() / ".cache"
    return base / "filing-extract"


@dataclass(frozen=True)
class Settings:
    """Everything that changes how a filing is extracted."""

    backend: BackendName = DEFAULT_BACKEND
    model: str | None = None
    base_url: str | None = None
    api_key: str | None = field(default=None, repr=False)  # never printed, cached or logged
    mode: str = "tools"
    cache_dir: Path = Path(".cache/filing-extract")
    use_cache: bool = True
    max_bytes: int = int(DEFAULT_MAX_MB * 1024 * 1024)
    encoding: str | None = None  # text files' encoding; None: found per file
    timeout_s: float = 60.0
    max_retries: int = 4
    max_reasks: int = 1
    prompt_budget_chars: int = 6000
    temperature: float = 0.0
    prompts_dir: Path | None = None
    retry_wait_s: float = 1.0  # base of the exponential backoff between transport retries
    retry_after_cap_s: float = 60.0  # a server's Retry-After is honoured up to this

    @property
    def llm_configured(self) -> bool:
        return bool(self.model and (self.base_url or self.api_key))

    @property
    def runs_llm(self) -> bool:
        return self.backend == "llm" or (self.backend == "auto" and self.llm_configured)

    def with_(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]


def resolve_settings(
    *,
    backend: str | None = None,
    model: str | None = None,
    base_url: str | None = None,
    mode: str | None = None,
    use_cache: bool = True,
    max_mb: float | None = None,
    timeout_s: float | None = None,
    encoding: str | None = None,
    env: Mapping[str, str] | None = None,
) -> Settings:
    """Combine flags and environment.

    Reads ``OPENAI_API_KEY``, ``OPENAI_BASE_URL``, ``EXTRACT_MODEL``, ``EXTRACT_BACKEND``,
    ``EXTRACT_LLM_MODE``, ``EXTRACT_CACHE_DIR``, ``EXTRACT_NO_CACHE``, ``EXTRACT_TIMEOUT``,
    ``EXTRACT_MAX_RETRIES``, ``EXTRACT_RETRY_WAIT`` and ``EXTRACT_PROMPTS_DIR``.
    """
    env = os.environ if env is None else env
    chosen = backend or env.get("EXTRACT_BACKEND") or DEFAULT_BACKEND
    if chosen not in BACKENDS:
        raise ConfigError(f"unknown backend {chosen!r}; choose one of {', '.join(BACKENDS)}")
    mode = mode or env.get("EXTRACT_LLM_MODE") or "tools"
    if mode not in LLM_MODES:
        raise ConfigError(f"unknown LLM mode {mode!r}; choose one of {', '.join(LLM_MODES)}")
    settings = Settings(
        backend=chosen,
        model=model or env.get("EXTRACT_MODEL") or None,
        base_url=base_url or env.get("OPENAI_BASE_URL") or None,
        api_key=env.get("OPENAI_API_KEY") or None,
        mode=mode,
        cache_dir=default_cache_dir(env),
        use_cache=use_cache and not env.get("EXTRACT_NO_CACHE"),
        max_bytes=round((max_mb or DEFAULT_MAX_MB) * 1024 * 1024),
        encoding=_codec(encoding) if encoding else None,
        timeout_s=timeout_s or float(env.get("EXTRACT_TIMEOUT", "60")),
        max_retries=int(env.get("EXTRACT_MAX_RETRIES", "4")),
        retry_wait_s=float(env.get("EXTRACT_RETRY_WAIT", "1.0")),
        prompts_dir=Path(env["EXTRACT_PROMPTS_DIR"]) if env.get("EXTRACT_PROMPTS_DIR") else None,
    )
    if settings.backend == "llm":
        _require_llm(settings)
    return settings


def _codec(encoding: str) -> str:
    """The canonical name of a text encoding the user forces (``GBK`` → ``gbk``)."""
    try:
        return codecs.lookup(encoding).name
    except LookupError as err:
        raise ConfigError(
            f"unknown encoding {encoding!r}; give one such as utf-8, gb18030, big5, big5hkscs, "
            "utf-16-le or utf-16-be"
        ) from err


def _require_llm(settings: Settings) -> None:
    if not settings.model:
        raise ConfigError("--backend llm needs a model: pass --model or set EXTRACT_MODEL")
    if not settings.base_url and not settings.api_key:
        raise ConfigError(
            "--backend llm needs an endpoint: set OPENAI_API_KEY (OpenAI) or pass --base-url / "
            "set OPENAI_BASE_URL (DeepSeek, Qwen, vLLM, Ollama, llama.cpp)"
        )


def worker_environment(settings: Settings, env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The variables a cluster's workers get from this process (see :func:`settings_on_worker`).

    The API key travels here, in the workers' environment, never in a task's arguments.
    ``EXTRACT_CACHE_DIR``, when set, names one response cache for the whole cluster (a
    folder every node mounts); unset, each node caches in its own default folder. The rules
    need neither.
    """
    env = os.environ if env is None else env
    passed: dict[str, str] = {}
    if not settings.runs_llm:
        return passed
    if settings.api_key:
        passed["OPENAI_API_KEY"] = settings.api_key
    if env.get("EXTRACT_CACHE_DIR"):
        passed["EXTRACT_CACHE_DIR"] = env["EXTRACT_CACHE_DIR"]
    return passed


def settings_on_worker(settings: Settings, env: Mapping[str, str] | None = None) -> Settings:
    """A cluster worker's copy of the driver's settings: the API key and the response cache
    folder are the worker's own (its environment, as :func:`worker_environment` set it)."""
    env = os.environ if env is None else env
    return settings.with_(
        api_key=env.get("OPENAI_API_KEY") or None, cache_dir=default_cache_dir(env)
    )

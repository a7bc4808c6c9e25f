"""Answers on disk: diskcache under ``settings.cache_dir``, keyed by a SHA-256 of the endpoint's
host, model, mode, messages, answer schema, prompt version and parameters (never the API
key); the value is the answer's JSON, validated again when read."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, cast

from pydantic import BaseModel, ValidationError

from ...config import Settings
from .request import LLMRequest, M
from .transport import endpoint_host

CACHE_FORMAT = 1  # bump when the cached value's meaning changes


@cache
def _schema_of(model: type[BaseModel]) -> dict[str, Any]:
    """A response model's JSON Schema, built once (pydantic rebuilds it on every call)."""
    return model.model_json_schema()


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

"""Shared pytest fixtures."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from openai_server import FakeOpenAI

from extract.config import Settings


@pytest.fixture(autouse=True)
def _isolated_llm_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Every test starts without OPENAI_* / EXTRACT_* settings from the outside, and with
    its own LLM response cache under tmp_path (never the user's). EXTRACT_SHARED_DIR stays:
    it says where the public filings are, not how to extract."""
    for name in list(os.environ):
        if name.startswith(("OPENAI_", "EXTRACT_")) and name != "EXTRACT_SHARED_DIR":
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("EXTRACT_CACHE_DIR", str(tmp_path / "llm-cache"))


# ==========================================================================
# Fake OpenAI-compatible server (see tests/openai_server.py)
# ==========================================================================


@pytest.fixture
def openai_server() -> Iterator[FakeOpenAI]:
    """A started ``FakeOpenAI`` on 127.0.0.1 (script it with ``enqueue`` or
    ``handler``); stopped after the test."""
    with FakeOpenAI() as server:
        yield server


@pytest.fixture
def llm_settings(openai_server: FakeOpenAI, tmp_path: Path) -> Settings:
    """The LLM backend pointed at ``openai_server``, its cache under tmp_path, quick retries."""
    return Settings(
        backend="llm",
        model="m",
        base_url=openai_server.base_url,
        cache_dir=tmp_path / "cache",
        retry_wait_s=0.01,
        max_retries=1,
    )


# ==========================================================================
# End of fake OpenAI server fixtures
# ==========================================================================

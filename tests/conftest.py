"""Shared pytest fixtures."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from openai_server import FakeOpenAI

# ==========================================================================
# Fake OpenAI-compatible server (see tests/openai_server.py)
# ==========================================================================


@pytest.fixture
def openai_server() -> Iterator[FakeOpenAI]:
    """A started ``FakeOpenAI`` on 127.0.0.1 (script it with ``enqueue`` or
    ``handler``); stopped after the test."""
    with FakeOpenAI() as server:
        yield server


# ==========================================================================
# End of fake OpenAI server fixtures
# ==========================================================================

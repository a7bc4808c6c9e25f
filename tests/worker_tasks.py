"""Functions the worker-pool tests run in worker processes (importable by name there)."""

from __future__ import annotations

import os
import signal
from pathlib import Path


def square(x: int) -> int:
    return x * x


def fail(message: str) -> None:
    raise ValueError(message)


def die_once(marker: str) -> str:
    """Kill this worker the first time (no marker yet), answer the second time."""
    path = Path(marker)
    if not path.exists():
        path.write_text("died once")
        os._exit(1)
    return "answered"


def die() -> None:
    os._exit(1)


def interrupt_self() -> str:
    """A Ctrl-C reaching the worker (the terminal signals the whole process group)."""
    os.kill(os.getpid(), signal.SIGINT)
    return "still here"

"""A value and where it was read: the span of normalised text every reader reports."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Span = tuple[int, int]
"""``(start, end)`` offsets into a text."""


@dataclass(frozen=True)
class Found:
    """A value and the span of normalised text it was read from."""

    value: Any
    start: int
    end: int

"""A passage: a stretch of ``Document.text`` and what the model is shown of it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Passage:
    """A stretch ``start:end`` of ``Document.text`` and what the model is shown of it: the
    text itself, or a table's rows (whose numbers are the ones printed in that stretch)."""

    start: int
    end: int
    text: str

    def __len__(self) -> int:
        return self.end - self.start

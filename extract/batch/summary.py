"""What a run counts, and what became of each filing."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from ..core.schema import Usage
from .walk import InputFile


@dataclass
class BatchSummary:
    """Counts for one run; ``exit_code`` is what ``extract batch`` exits with.
    ``document_types`` counts the records the output holds at the end, per type."""

    found: int = 0
    done: int = 0
    skipped: int = 0
    failed: int = 0
    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cache_hits: int = 0
    wall_s: float = 0.0
    interrupted: bool = False
    out: str = ""
    # every record in OUT by filing.document_type (extracted in this run or up to date)
    document_types: dict[str, int] = field(default_factory=dict)

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    @property
    def exit_code(self) -> int:
        if self.interrupted:
            return 130
        return 1 if self.failed else 0

    def add_usage(self, usage: Usage) -> None:
        self.calls += usage.calls
        self.prompt_tokens += usage.prompt_tokens
        self.completion_tokens += usage.completion_tokens
        self.cache_hits += usage.cache_hits

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "tokens": self.tokens, "exit_code": self.exit_code}


Status = Literal["ok", "skipped", "error"]


@dataclass(frozen=True)
class FileResult:
    """What happened to one filing."""

    filing: InputFile
    status: Status
    usage: Usage = field(default_factory=Usage)
    kind: str = ""  # exception class name, or "internal" for a bug
    message: str = ""

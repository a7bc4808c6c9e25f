"""One structured call to the LLM: the messages and answer model sent, the answer and usage back."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

from pydantic import BaseModel

from ...core.schema import Usage

M = TypeVar("M", bound=BaseModel)
Message = dict[str, str]


@dataclass(frozen=True)
class LLMRequest(Generic[M]):
    """One structured call: the messages and the model the answer must validate against."""

    messages: list[Message]
    response_model: type[M]


@dataclass
class LLMReply(Generic[M]):
    """The validated answer, or ``None`` and why; usage either way."""

    answer: M | None
    usage: Usage = field(default_factory=Usage)
    error: str | None = None

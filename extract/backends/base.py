"""The interface every backend implements, and the result it returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from ..core.schema import SectionName, Usage
from ..core.spans import Found
from ..load.document import Document


@dataclass
class SectionResult:
    """One section's fields (``None``: the section does not apply to this document).

    ``fields`` maps a field path inside the section (``revenue.value``, ``declared``) to
    what was found. Spans are into ``Document.text``; the pipeline maps them back.
    """

    applies: bool = False
    fields: dict[str, Found] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)

    def values(self) -> dict[str, Any]:
        return {path: found.value for path, found in self.fields.items()}


class Backend(Protocol):
    """Extracts one contract section from a document."""

    name: str

    def extract(self, document: Document, section: SectionName) -> SectionResult: ...

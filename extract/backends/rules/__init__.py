"""The deterministic backend: CSRC/HKEX template wording, tables and prose, no network."""

from __future__ import annotations

from collections.abc import Callable

from ...document import Document
from ...schema import SectionName
from ..base import SectionResult
from .filing import identify_filing
from .dividend import extract_dividend
from .financials import extract_financials

_EXTRACTORS: dict[str, Callable[[Document], SectionResult]] = {
    "filing": identify_filing,
    "financials": extract_financials,
    "dividend": extract_dividend,
}


def register(section: str) -> Callable[[Callable[[Document], SectionResult]], Callable[[Document], SectionResult]]:
    """Decorator the section modules use to offer their extractor."""

    def wrap(fn: Callable[[Document], SectionResult]) -> Callable[[Document], SectionResult]:
        _EXTRACTORS[section] = fn
        return fn

    return wrap


class RulesBackend:
    """Reads every section with rules; a section it finds nothing for does not apply."""

    name = "rules"

    def extract(self, document: Document, section: SectionName) -> SectionResult:
        extractor = _EXTRACTORS.get(section)
        return extractor(document) if extractor else SectionResult()

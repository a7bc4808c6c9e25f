"""The deterministic backend: CSRC/HKEX template wording, tables and prose, no network."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...core.schema import SectionName
from ...load.document import Document
from ...vocab import load_vocab
from ..base import SectionResult
from .buyback import extract_buyback
from .dividend import extract_dividend
from .doctype import document_type
from .filing import identify_filing
from .financials import extract_financials, financials_from_grids
from .incentive import extract_incentive
from .mirrored_text import runs_right_to_left
from .title import read_title

_EXTRACTORS: dict[SectionName, Callable[[Document], SectionResult]] = {
    "filing": identify_filing,
    "financials": extract_financials,
    "dividend": extract_dividend,
    "buyback": extract_buyback,
    "incentive": extract_incentive,
}
# For a text layer that runs right to left: only what the tables seen as grids state.
_FROM_GRIDS: dict[SectionName, Callable[[Document], SectionResult]] = {
    "financials": financials_from_grids,
}


class RulesBackend:
    """Reads every section with rules; a section it finds nothing for does not apply."""

    name = "rules"

    def extract(self, document: Document, section: SectionName) -> SectionResult:
        extractor = _EXTRACTORS.get(section)
        if extractor is None or not section_applies(document, section):
            return SectionResult()
        mirrored: dict[str, Any] = load_vocab("sections")["mirrored_text"]
        if section in mirrored["grids_only"] and runs_right_to_left(document.text):
            result = _FROM_GRIDS[section](document)
            result.applies = True
            result.warnings.append(mirrored["warning"])
            return result
        return extractor(document)


def section_applies(document: Document, section: str) -> bool:
    """Do the rules read this section for this kind of document? (vocab/sections.yaml)
    A document whose title is not found is read for every section."""
    vocab = load_vocab("sections")
    kinds = vocab["applies_to"].get(section)
    title = read_title(document).title
    if title is None:
        return True
    return kinds is None or document_type(title.value) in kinds

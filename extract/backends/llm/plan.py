"""What the LLM backend asks about one document, decided without the LLM client.

Planning is the CPU-bound half of the LLM backend: which sections to ask (every one, or in
auto mode those the rules left incomplete), which fields each ask is about, and the
passages its prompt carries (located within the section's share of the prompt budget).
Auto mode's merging of the answers into the rules' results is here too.
Nothing here imports openai or instructor, so a batch can plan in worker processes and
send the plans, which are small and picklable, to the process that talks to the endpoint.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from ...config import Settings
from ...core.schema import METRICS, Usage
from ...core.spans import Found
from ...load.document import Document
from ...vocab import load_vocab
from ..base import SectionResult
from .answers import ANSWERS
from .locate import Locator, Passage, section_budget
from .prompts import PromptSet, load_prompts

# Characters kept free for the 【片段N】 labels around the passages.
_PASSAGE_LABELS = 60


@dataclass(frozen=True)
class Ask:
    """One section to ask about: the fields wanted (empty: all) and the passages to send.
    No passages means no passage mentions the section, so nothing is asked."""

    section: str
    focus: tuple[str, ...]
    passages: tuple[Passage, ...]


class Planner:
    """Plans the asks of documents with one set of prompt templates."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.prompts: PromptSet = load_prompts(settings)  # a broken template fails here
        self._overheads: dict[tuple[str, tuple[str, ...]], int] = {}

    def plan_all(self, doc: Document, sections: Iterable[str]) -> dict[str, Ask]:
        """``--backend llm``: every section, every field."""
        return self.plan(doc, {section: () for section in sections})

    def plan_gaps(self, doc: Document, rule_results: Mapping[str, SectionResult]) -> dict[str, Ask]:
        """Auto mode: the sections the rules left incomplete, each about the fields they
        left null (no ask, and no index built, when the rules read everything)."""
        gaps = sections_to_ask(rule_results)
        return self.plan(doc, {s: tuple(missing_fields(s, rule_results[s])) for s in gaps})

    def passage_budget(self, section: str, focus: Sequence[str] = ()) -> int:
        """Characters of passages one call for ``section`` may carry (its share of the
        prompt budget, less the prompt's own text)."""
        key = (section, tuple(focus))
        if key not in self._overheads:
            self._overheads[key] = self.prompts.overhead(section, focus)
        overhead = self._overheads[key] + _PASSAGE_LABELS
        return max(section_budget(section, self.settings.prompt_budget_chars) - overhead, 0)

    def plan(self, doc: Document, wanted: Mapping[str, tuple[str, ...]]) -> dict[str, Ask]:
        """An ask per section of ``wanted`` (section → focus fields, empty for all)."""
        if not wanted:
            return {}
        locator = Locator(doc)
        return {
            section: Ask(
                section,
                focus,
                tuple(locator.passages(section, self.passage_budget(section, focus), focus)),
            )
            for section, focus in wanted.items()
        }


# --- auto mode: which gaps ---------------------------------------------------------------


def sections_to_ask(rule_results: Mapping[str, SectionResult]) -> list[str]:
    """Sections the document type can state and the rules left incomplete, or in which a
    field every filing of its type states (vocab/must_state.yaml) is still null."""
    filing = rule_results.get("filing")
    doc_type = filing.fields.get("document_type") if filing else None
    exchange = filing.fields.get("exchange") if filing else None
    kind = str(doc_type.value) if doc_type is not None else None
    unstated = must_state_missing(rule_results, kind, str(exchange.value) if exchange else None)
    return [
        section
        for section, result in rule_results.items()
        if can_state(section, kind)
        and (not is_complete(section, result) or any(p.startswith(section + ".") for p in unstated))
    ]


def must_state_missing(
    rule_results: Mapping[str, SectionResult], document_type: str | None, exchange: str | None
) -> list[str]:
    """The must-state fields of the document type that the rules left null."""
    vocab = load_vocab("must_state")
    dropped = set((vocab.get("not_carried") or {}).get(exchange or "", []))
    wanted = [f for f in vocab.get(document_type or "other") or [] if f not in dropped]
    missing = []
    for path in wanted:
        section, rest = path.split(".", 1)
        result = rule_results.get(section)
        if result is None or rest not in result.fields:
            missing.append(path)
    return missing


def missing_fields(section: str, result: SectionResult) -> list[str]:
    """Contract fields (metrics, for financials) of which the rules found nothing."""
    found = {path.split(".", 1)[0] for path in result.fields}
    names = METRICS if section == "financials" else tuple(ANSWERS[section].model_fields)
    return [name for name in names if name not in found and name != "quotes"]


def is_complete(section: str, result: SectionResult) -> bool:
    """Does the rules result satisfy one of the section's ``complete_when`` field sets?"""
    return any(
        all(_satisfied(result, term) for term in terms)
        for terms in _llm_vocab()["complete_when"].get(section, [])
    )


def _satisfied(result: SectionResult, term: str) -> bool:
    path, _, expected = term.partition("=")
    found = result.fields.get(path)
    if found is None:
        return False
    return not expected or str(found.value).lower() == expected.lower()


def can_state(section: str, document_type: str | None) -> bool:
    """Can a document of this type state this section (vocab/sections.yaml)?"""
    kinds = load_vocab("sections")["applies_to"].get(section)
    return document_type is None or kinds is None or document_type in kinds


@cache
def _llm_vocab() -> dict[str, Any]:
    return load_vocab("llm")


# --- auto mode: merging the answers -----------------------------------------------------


def merge_results(
    rules: Mapping[str, SectionResult], answers: Mapping[str, SectionResult]
) -> dict[str, SectionResult]:
    """Rules results with the LLM's answers merged into the sections it was asked about."""
    return {s: merge(r, answers[s]) if s in answers else r for s, r in rules.items()}


def merge(rules: SectionResult, llm: SectionResult) -> SectionResult:
    """Fields the rules left null come from the LLM; where both read a field, the rules'
    value stays and a disagreement is a warning."""
    fields: dict[str, Found] = dict(rules.fields)
    warnings = [*rules.warnings, *llm.warnings]
    for path, found in llm.fields.items():
        kept = fields.get(path)
        if kept is None:
            fields[path] = found
        elif not _same(kept.value, found.value):
            warnings.append(
                f"{path}: the LLM read {found.value}, the rules {kept.value}; kept the rules' value"
            )
    usage = Usage()
    usage.add(rules.usage)
    usage.add(llm.usage)
    return SectionResult(
        applies=rules.applies or bool(llm.fields), fields=fields, warnings=warnings, usage=usage
    )


def _same(a: Any, b: Any) -> bool:
    numbers = (int, float)
    if all(isinstance(x, numbers) and not isinstance(x, bool) for x in (a, b)):
        return abs(float(a) - float(b)) <= 1e-9 * max(abs(float(a)), abs(float(b)), 1.0)
    return str(a).replace(" ", "") == str(b).replace(" ", "")

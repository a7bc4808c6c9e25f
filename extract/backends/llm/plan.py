"""What the LLM backend asks about one document, decided without the LLM client.

Planning is the CPU-bound half of the LLM backend: which sections to ask (every one, or in
auto mode those the rules left incomplete), which fields each ask is about, and the
passages its prompt carries (located within the section's share of the prompt budget).
Auto mode's merging of the answers into the rules' results is here too, and the re-asks
of figures that break an identity of the checks (:class:`Reask`).
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
from .locate import Locator
from .passage import Passage
from .prompts import PromptSet, load_prompts
from .query import section_budget
from .search import holds_column_block

# The parts of a metric that print its change against the comparative period.
_CHANGE_PARTS = {"change_pct", "change_pp"}
# Characters kept free for the 【片段N】 labels around the passages.
_PASSAGE_LABELS = 60
# A re-ask shows this many characters either side of each figure's quote, cut to whole lines.
_AROUND_QUOTE = 200


@dataclass(frozen=True)
class Ask:
    """One section to ask about: the fields wanted (empty: all) and the passages to send.
    No passages means no passage mentions the section, so nothing is asked."""

    section: str
    focus: tuple[str, ...]
    passages: tuple[Passage, ...]


@dataclass(frozen=True)
class Doubted:
    """A figure of a failing identity: its path inside the section, value and quote."""

    path: str
    value: Any
    quote: str


@dataclass(frozen=True)
class Doubt:
    """An identity between printed figures (in words) that the figures read break."""

    identity: str
    figures: tuple[Doubted, ...]


@dataclass(frozen=True)
class Reask:
    """A section asked again about figures in conflict: the fields (``focus``), the passages
    (the first ask's and those around the quotes) and the identities they break."""

    section: str
    focus: tuple[str, ...]
    passages: tuple[Passage, ...]
    doubts: tuple[Doubt, ...]


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
        return self.plan(doc, gaps_to_ask(rule_results), changes_only(rule_results))

    def passage_budget(self, section: str, focus: Sequence[str] = ()) -> int:
        """Characters of passages one call for ``section`` may carry (its share of the
        prompt budget, less the prompt's own text)."""
        key = (section, tuple(focus))
        if key not in self._overheads:
            self._overheads[key] = self.prompts.overhead(section, focus)
        overhead = self._overheads[key] + _PASSAGE_LABELS
        return max(section_budget(section, self.settings.prompt_budget_chars) - overhead, 0)

    def plan_reask(
        self,
        doc: Document,
        section: str,
        doubts: Sequence[Doubt],
        quoted: Iterable[tuple[int, int]],
        asked: Ask | None = None,
    ) -> Reask:
        """One re-ask of ``section`` about the figures of ``doubts``: the passages ``asked``
        used (located afresh when the section was not asked) and those around ``quoted``,
        the figures' spans in ``doc.text``."""
        focus = tuple(dict.fromkeys(f.path for d in doubts for f in d.figures))
        if asked is None:
            metrics = tuple(dict.fromkeys(path.split(".", 1)[0] for path in focus))
            asked = self.plan(doc, {section: metrics})[section]
        passages = with_windows(doc.text, asked.passages, quoted, _AROUND_QUOTE)
        return Reask(section, focus, passages, tuple(doubts))

    def plan(
        self,
        doc: Document,
        wanted: Mapping[str, tuple[str, ...]],
        changes: Mapping[str, tuple[str, ...]] | None = None,
    ) -> dict[str, Ask]:
        """An ask per section of ``wanted`` (section → focus fields, empty for all);
        ``changes``: the focus fields of which only the change is wanted."""
        if not wanted:
            return {}
        locator = Locator(doc)
        changes = changes or {}
        return {
            section: Ask(
                section, focus, self._passages(locator, section, focus, changes.get(section, ()))
            )
            for section, focus in wanted.items()
        }

    def _passages(
        self, locator: Locator, section: str, focus: tuple[str, ...], changes: tuple[str, ...]
    ) -> tuple[Passage, ...]:
        """The section's passages within its budget; where they hold a table printed column
        by column, located again within a budget less the example of reading one."""
        budget = self.passage_budget(section, focus)
        passages = locator.passages(section, budget, focus, changes)
        if holds_column_block(p.text for p in passages):
            example = self.prompts.column_example_chars(section, focus)
            if example:
                passages = locator.passages(section, max(budget - example, 0), focus, changes)
        return tuple(passages)


def with_windows(
    text: str, passages: Sequence[Passage], spans: Iterable[tuple[int, int]], radius: int
) -> tuple[Passage, ...]:
    """``passages`` and, in document order, the text within ``radius`` of each span (cut to
    whole lines) that no passage covers already."""
    windows: list[list[int]] = []
    for start, end in sorted(_window(text, start, end, radius) for start, end in spans):
        if windows and start <= windows[-1][1]:
            windows[-1][1] = max(windows[-1][1], end)
        else:
            windows.append([start, end])
    added = [
        Passage(a, b, text[a:b])
        for start, end in windows
        for a, b in _uncovered(start, end, passages)
        if text[a:b].strip()
    ]
    return tuple(sorted((*passages, *added), key=lambda p: p.start))


def _window(text: str, start: int, end: int, radius: int) -> tuple[int, int]:
    """``start:end`` widened by ``radius`` either side, trimmed back to line boundaries."""
    low, high = max(0, start - radius), min(len(text), end + radius)
    first_break = text.find("\n", low, start)
    last_break = text.rfind("\n", end, high)
    return (first_break + 1 if first_break >= 0 else low), (
        last_break + 1 if last_break >= 0 else high
    )


def _uncovered(start: int, end: int, passages: Sequence[Passage]) -> list[tuple[int, int]]:
    """The parts of ``start:end`` outside every passage."""
    parts = [(start, end)]
    for passage in passages:
        parts = [
            piece
            for a, b in parts
            for piece in ((a, min(b, passage.start)), (max(a, passage.end), b))
            if piece[0] < piece[1]
        ]
    return parts


# --- auto mode: which gaps ---------------------------------------------------------------


def gaps_to_ask(rule_results: Mapping[str, SectionResult]) -> dict[str, tuple[str, ...]]:
    """Auto mode's asks: each section to ask, with the fields (metrics, for financials) the
    rules found nothing of or left a wanted part of null."""
    wanted = fields_to_ask(rule_results)
    never = _not_carried(_field_value(rule_results, "exchange"))
    asks = {}
    for section in sections_to_ask(rule_results):
        fields = [*missing_fields(section, rule_results[section]), *_named(section, wanted)]
        dropped = _named(section, never)
        asks[section] = tuple(f for f in dict.fromkeys(fields) if f not in dropped)
    return asks


def changes_only(rule_results: Mapping[str, SectionResult]) -> dict[str, tuple[str, ...]]:
    """Per section, the fields asked of which only the change is wanted: the rules read
    their figures, and the change a type of report states (must_state.yaml) is null."""
    parts: dict[tuple[str, str], set[str]] = {}
    for path in fields_to_ask(rule_results):
        section, field, *part = path.split(".", 2)
        parts.setdefault((section, field), set()).update(part or [""])
    changes: dict[str, tuple[str, ...]] = {}
    for (section, field), wanted in parts.items():
        result = rule_results.get(section)
        read = result is not None and any(p.split(".", 1)[0] == field for p in result.fields)
        if read and wanted <= _CHANGE_PARTS:
            changes[section] = (*changes.get(section, ()), field)
    return changes


def sections_to_ask(rule_results: Mapping[str, SectionResult]) -> list[str]:
    """Sections the document type can state and the rules left incomplete, or in which a
    field every filing of its type states (vocab/must_state.yaml), or prints as a rule
    (vocab/llm.yaml ``ask_when_null``), is still null."""
    kind = _field_value(rule_results, "document_type")
    unstated = fields_to_ask(rule_results)
    occasional = _llm_vocab().get("asked_only_if_read") or {}
    return [
        section
        for section, result in rule_results.items()
        if can_state(section, kind)
        and (result.fields or kind not in occasional.get(section, ()))
        and (not is_complete(section, result) or any(p.startswith(section + ".") for p in unstated))
    ]


def fields_to_ask(rule_results: Mapping[str, SectionResult]) -> list[str]:
    """The fields the document type states, or prints as a rule, that the rules left null."""
    kind = _field_value(rule_results, "document_type")
    exchange = _field_value(rule_results, "exchange")
    vocab = _llm_vocab()
    by_exchange = (vocab.get("ask_when_null_by_exchange") or {}).get(exchange or "") or {}
    usual = [
        *((vocab.get("ask_when_null") or {}).get(kind or "other") or []),
        *(by_exchange.get(kind or "other") or []),
    ]
    return must_state_missing(rule_results, kind, exchange) + _left_null(
        rule_results, usual, exchange
    )


def _field_value(rule_results: Mapping[str, SectionResult], field: str) -> str | None:
    filing = rule_results.get("filing")
    found = filing.fields.get(field) if filing else None
    return str(found.value) if found is not None else None


def _named(section: str, paths: Sequence[str]) -> list[str]:
    """The fields (metrics, for financials) of ``section`` that ``paths`` name."""
    inside = [p.split(".", 2)[1] for p in paths if p.startswith(section + ".")]
    return list(dict.fromkeys(inside))


def must_state_missing(
    rule_results: Mapping[str, SectionResult], document_type: str | None, exchange: str | None
) -> list[str]:
    """The must-state fields of the document type that the rules left null."""
    wanted = load_vocab("must_state").get(document_type or "other") or []
    return _left_null(rule_results, wanted, exchange)


def _left_null(
    rule_results: Mapping[str, SectionResult], wanted: Sequence[str], exchange: str | None
) -> list[str]:
    """The paths of ``wanted`` that the rules left null, but those the exchange's reports
    never carry (vocab/must_state.yaml ``not_carried``)."""
    dropped = set(_not_carried(exchange))
    missing = []
    for path in (f for f in wanted if f not in dropped):
        section, rest = path.split(".", 1)
        result = rule_results.get(section)
        if result is None or rest not in result.fields:
            missing.append(path)
    return missing


def _not_carried(exchange: str | None) -> list[str]:
    """The paths an exchange's reports never print (vocab/must_state.yaml)."""
    return list((load_vocab("must_state").get("not_carried") or {}).get(exchange or "", []))


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

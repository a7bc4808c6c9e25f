"""Figures that break an identity of the checks are asked about once more.

After the first answers the checks say which identities fail (:class:`~.checks.Conflict`).
Each section with one is asked again, once (:func:`plan_reasks`): the identities in words,
the figures and their quotes, the passages the first ask used and those around the quotes.
The answer is grounded like a first answer. :func:`settle` then goes identity by identity,
re-running the checks: figures the answer gives (and the source prints) replace the ones in
conflict only if the identity then holds and no other fails. Otherwise the LLM's figures of
the identity are dropped with a warning naming it (a wrong figure is worse than a missing
one), and the rules' figures are kept and flagged (auto mode).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal

from .backends.base import SectionResult
from .backends.llm.plan import Ask, Doubt, Doubted, Planner, Reask
from .checks import Checks, Conflict, Status
from .core.spans import Found
from .load.document import Document

Recheck = Callable[[Mapping[str, SectionResult]], Checks]
"""The checks of a record built from these section results."""


def plan_reasks(
    doc: Document,
    planner: Planner,
    checks: Checks,
    results: Mapping[str, SectionResult],
    asks: Mapping[str, Ask],
) -> dict[str, Reask]:
    """One re-ask per section with an identity that fails (none when all hold)."""
    by_section: dict[str, list[Conflict]] = {}
    for conflict in checks.conflicts:
        if paths := conflict.record_paths():
            by_section.setdefault(_section(paths[0]), []).append(conflict)
    reasks: dict[str, Reask] = {}
    for section, conflicts in by_section.items():
        result = results.get(section)
        if result is None:
            continue
        doubts = [_doubt(section, conflict) for conflict in conflicts]
        spans = [
            (found.start, found.end)
            for conflict in conflicts
            for path in conflict.record_paths()
            if (found := result.fields.get(_inside(path))) is not None
        ]
        reasks[section] = planner.plan_reask(doc, section, doubts, spans, asks.get(section))
    return reasks


def _doubt(section: str, conflict: Conflict) -> Doubt:
    """The conflict as the re-ask names it: paths inside the section."""
    prefix = f"{section}."
    figures = tuple(
        Doubted(_inside(f.path), _show(f.value), f.quote)
        for f in conflict.figures
        if f.path.startswith(prefix)
    )
    return Doubt(conflict.identity.replace(prefix, ""), figures)


@dataclass
class Settled:
    """Section results after the re-asks, and the statuses the final checks cannot see:
    rules figures kept in conflict whose partners in the identity were dropped."""

    results: dict[str, SectionResult]
    flagged: dict[str, Status] = field(default_factory=dict)


def settle(
    results: Mapping[str, SectionResult],
    answers: Mapping[str, SectionResult],
    checks: Checks,
    rules_paths: Iterable[str],
    recheck: Recheck,
) -> Settled:
    """Apply the re-asks' answers identity by identity (see the module docstring).
    ``rules_paths``: the record paths whose figure the rules read (auto mode)."""
    from_rules = set(rules_paths)
    current = {s: _with_answer(r, answers.get(s)) for s, r in results.items()}
    settled = Settled(current)
    for conflict in checks.conflicts:
        paths = conflict.record_paths()
        if not paths or conflict.identity not in checks.failing():
            continue  # no figure of the record, or mended by an earlier replacement
        section = _section(paths[0])
        answer = answers.get(section)
        fixed = _replacements(current[section], answer, paths) if answer else {}
        if fixed:
            candidate = _replaced(current, section, fixed, conflict, from_rules)
            rechecked = recheck(candidate)
            failing = rechecked.failing()
            if conflict.identity not in failing and failing <= checks.failing():
                current, checks = candidate, rechecked
                continue
        stated = current[section].fields
        dropped = [p for p in paths if p not in from_rules and _inside(p) in stated]
        if dropped:
            current = _dropped(current, section, dropped, conflict)
            settled.flagged.update({p: "conflict" for p in paths if p in from_rules})
            checks = recheck(current)
    settled.results = current
    return settled


def _with_answer(result: SectionResult, answer: SectionResult | None) -> SectionResult:
    """A copy of ``result`` that also counts the re-ask's usage and warnings."""
    copy = replace(result, fields=dict(result.fields), warnings=list(result.warnings))
    copy.usage = result.usage.model_copy()
    if answer is not None:
        copy.usage.add(answer.usage)
        copy.warnings.extend(answer.warnings)
    return copy


def _replacements(
    result: SectionResult, answer: SectionResult, paths: Iterable[str]
) -> dict[str, Found]:
    """The re-ask's grounded figures that differ from those of the identity."""
    fixed: dict[str, Found] = {}
    for path in paths:
        new, old = answer.fields.get(_inside(path)), result.fields.get(_inside(path))
        if new is not None and old is not None and _number(new.value) != _number(old.value):
            fixed[path] = new
    return fixed


def _replaced(
    results: Mapping[str, SectionResult],
    section: str,
    fixed: Mapping[str, Found],
    conflict: Conflict,
    from_rules: set[str],
) -> dict[str, SectionResult]:
    """``results`` with the figures of ``fixed`` replaced; a rules figure replaced is said."""
    result = replace(results[section], fields=dict(results[section].fields))
    result.warnings = list(result.warnings)
    for path, found in fixed.items():
        name = _inside(path)
        if path in from_rules:
            result.warnings.append(
                f"{name}: the rules read {_show(result.fields[name].value)}, which breaks "
                f"{conflict.identity}; the LLM re-read {_show(found.value)}, printed in the "
                "source, which satisfies it"
            )
        result.fields[name] = found
    return {**results, section: result}


def _dropped(
    results: Mapping[str, SectionResult], section: str, paths: Iterable[str], conflict: Conflict
) -> dict[str, SectionResult]:
    """``results`` without the figures of ``paths``, each dropped with a warning."""
    result = replace(results[section], fields=dict(results[section].fields))
    result.warnings = list(result.warnings)
    for path in paths:
        found = result.fields.pop(_inside(path))
        result.warnings.append(
            f"{_inside(path)}: {_show(found.value)} dropped: {conflict.identity} fails, "
            "also after a re-ask"
        )
    return {**results, section: result}


def _section(path: str) -> str:
    return path.split(".", 1)[0]


def _inside(path: str) -> str:
    """A record path inside its section (``financials.revenue.value`` → ``revenue.value``)."""
    return path.split(".", 1)[1]


def _number(value: object) -> object:
    """Numbers compared as decimals (``5.0`` and ``5`` are one figure)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return Decimal(str(value)).normalize()
    return value


def _show(value: object) -> str:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)

"""Share repurchases: the plan (its money range and date) and the figures of one progress
statement (shares bought, percent of the share capital, highest and lowest price, money
paid) with the date they are stated at."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from ...core.dates import DATE_PATTERN, DATE_RE, date_from_match
from ...core.numbers import NUMBER_PATTERN, parse_number, split_run_together
from ...core.spans import Found
from ...load.document import Document
from ...vocab import load_vocab
from ..base import SectionResult
from .filing import document_kind, find_publication_date
from .sentences import (
    compile_range,
    compile_slot,
    expand_units,
    extract_by_vocab,
    find_first,
    find_number,
    range_amounts,
    sentence_around,
)

NOTICE = "buyback_announcement"
PLAN_FIELDS = ("plan_amount_min", "plan_amount_max", "plan_date")
_MAX_STATEMENTS = 40
_RANGE_CONTEXT_CHARS = 60  # how far before a 不低于…不超过… range its 资金总额 may be
_CONTEXT_AFTER_CHARS = 8  # or how far after it (…的自有资金)
_ADJUSTMENT_CHARS = 8  # how far before a range its 调整为 / 由 is


@cache
def _vocab() -> dict[str, Any]:
    return load_vocab("buyback")


@dataclass(frozen=True)
class Statement:
    """A sentence stating shares repurchased, and the figures read from it and the next."""

    sentence: tuple[int, int]
    start: int  # where its clause begins: a sentence may hold two (本月…;截至…累计…)
    fields: dict[str, Found]
    rank: int  # 3 cumulative, 2 a first purchase, 1 other, 0 a period's purchases


def extract_buyback(doc: Document) -> SectionResult:
    """The buyback section: a progress statement's figures and the plan they belong to."""
    kind = document_kind(doc)
    notice = kind is not None and kind.value == NOTICE
    periodic = _vocab()["periodic_report"]
    if kind is not None and kind.value in periodic["kinds"]:
        result = extract_by_vocab(doc.text, periodic)
    else:
        result = _from_sentences(doc.text, notice)
    fields = result.fields
    if "price_high" not in fields and "shares_repurchased" in fields and "amount_paid" in fields:
        _prices_from_total_row(doc.text, _vocab()["price_total_row"], result)
    _check_prices(result)
    progress = any(k in fields for k in ("shares_repurchased", "amount_paid"))
    # outside a repurchase notice, a plan without progress is only a mention
    result.applies = progress or (notice and any(k in fields for k in PLAN_FIELDS))
    return result


def _from_sentences(text: str, notice: bool) -> SectionResult:
    """A repurchase notice (or a text of another or unknown kind) in the exchanges' wordings;
    outside a ``notice`` the plan is read only near the statement."""
    result = SectionResult()
    statement = best_statement(text)
    if statement is not None:
        result.fields.update(statement.fields)
        as_of = statement_date(text, statement)
        if as_of is not None:
            result.fields["as_of"] = as_of
    _fill_from_table(text, result)
    if notice or statement is not None:
        scope = (0, len(text)) if notice or statement is None else _window(text, statement)
        for name, found in read_plan(text, scope).items():
            result.fields.setdefault(name, found)
    return result


# --- the progress statement ------------------------------------------------------------------


def best_statement(text: str) -> Statement | None:
    """The statement that is the record: cumulative over a first purchase over a period's
    purchases, then the one stating the most figures, then the first."""
    candidates = statements(text)
    if not candidates:
        return None
    return max(candidates, key=lambda s: (s.rank, len(s.fields), -s.start))


def statements(text: str) -> list[Statement]:
    """Every sentence stating shares repurchased (not a plan's estimate, not restricted
    shares), with the figures it and the next sentence state."""
    found: list[Statement] = []
    for spec in _vocab()["statement_shares"]:
        for m in compile_slot(spec["pattern"]).finditer(text):
            shares = find_number(spec["pattern"], text, m.start(), m.end(), kind="shares")
            statement = _statement(text, m, shares) if shares is not None else None
            if statement is not None:
                found.append(statement)
            if len(found) >= _MAX_STATEMENTS:
                return found
    return found


def _statement(text: str, m: re.Match[str], shares: Found) -> Statement | None:
    """The statement whose shares figure ``m`` found, read from its clause on; None when
    its sentence is a plan's estimate or about restricted shares."""
    vocab = _vocab()
    sentence = sentence_around(text, m.start(), vocab["sentence_end"])
    start = _clause_start(text, sentence[0], m.start())
    lead = text[start : m.start()]
    if re.search(vocab["not_a_statement"], lead) or _a_range_follows(text, m.end()):
        return None
    region = (start, _region_end(text, sentence, m.end()))
    fields = {"shares_repurchased": shares}
    for name, specs in vocab["fields"].items():
        figure = find_first(specs, text, *region)
        if figure is not None:
            fields[name] = figure
    for pair in vocab["price_pairs"]:
        fields = _with_pair(pair, text, region, fields)
    return Statement(sentence, start, fields, _rank(text[start : m.end()]))


def _a_range_follows(text: str, end: int) -> bool:
    """A share count followed by another (166.67万股~333.33万股) is a plan's estimate."""
    return re.match(r"\s?(?:至|~|～|-|—)\s?\d", text[end : end + 4]) is not None


def _clause_start(text: str, sentence_start: int, pos: int) -> int:
    """Where the clause holding ``pos`` begins within its sentence."""
    ends = list(re.finditer(_vocab()["clause_end"], text[sentence_start:pos]))
    return sentence_start + ends[-1].end() if ends else sentence_start


def _region_end(text: str, sentence: tuple[int, int], figure_end: int) -> int:
    """The end of the statement's sentence and of the next one (this near), cut where
    another statement begins: its clause in this sentence, or the next sentence."""
    vocab = _vocab()
    limit = sentence[1] + int(vocab["next_sentence_chars"])
    end = min(sentence_around(text, sentence[1], vocab["sentence_end"])[1], limit)
    following = [
        m.start()
        for spec in vocab["statement_shares"]
        if (m := compile_slot(spec["pattern"]).search(text, figure_end, end))
    ]
    if not following:
        return end
    if min(following) < sentence[1]:
        return max(figure_end, _clause_start(text, sentence[0], min(following)))
    return sentence[1]


def _rank(lead: str) -> int:
    kinds = _vocab()["statement_kinds"]
    if re.search(kinds["period"], lead):
        return 0
    if re.search(kinds["cumulative"], lead):
        return 3
    return 2 if re.search(kinds["first"], lead) else 1


def _with_pair(
    pair: dict[str, str], text: str, region: tuple[int, int], fields: dict[str, Found]
) -> dict[str, Found]:
    """Two prices in one phrase, for the fields not yet read."""
    if pair["first"] in fields and pair["second"] in fields:
        return fields
    m = _pair_pattern(pair["pattern"]).search(text, *region)
    if not m:
        return fields
    figures = {}
    for name, group in ((pair["first"], "first"), (pair["second"], "second")):
        value = _number(m.group(group))
        if value is None:
            return fields
        figures[name] = Found(value, m.start(group), m.end(group))
    return {**figures, **fields}


@cache
def _pair_pattern(pattern: str) -> re.Pattern[str]:
    regex = expand_units(pattern).replace("{N}", f"(?P<first>{NUMBER_PATTERN})", 1)
    return re.compile(regex.replace("{N}", f"(?P<second>{NUMBER_PATTERN})", 1))


def _number(printed: str) -> float | None:
    value = parse_number(printed)
    return float(value) if value is not None else None


# --- the date of the statement ---------------------------------------------------------------


def statement_date(text: str, statement: Statement) -> Found | None:
    """When the figures are stated: the last date before the shares figure in the sentence
    (截至2024年4月30日; a first purchase's day), else a 截至 date that ends the sentence
    before; 截至本公告披露日 is the signature's date."""
    figure = statement.fields["shares_repurchased"].start
    specs = _vocab()["as_of"]
    dated = _last_date(text, (statement.start, figure), specs)
    if dated is not None or statement.start > statement.sentence[0]:
        return dated
    before = sentence_around(text, max(0, statement.sentence[0] - 1), _vocab()["sentence_end"])
    if before[1] > statement.sentence[0] or _states_shares(text, before):
        return None
    return _last_date(text, before, [s for s in specs if not s.get("same_sentence_only")])


def _states_shares(text: str, span: tuple[int, int]) -> bool:
    return any(
        compile_slot(spec["pattern"]).search(text, *span) for spec in _vocab()["statement_shares"]
    )


def _last_date(text: str, span: tuple[int, int], specs: list[dict[str, Any]]) -> Found | None:
    for spec in specs:
        hits = list(_date_pattern(spec["pattern"]).finditer(text, *span))
        for m in reversed(hits):
            found = _date_of(text, m, spec["kind"])
            if found is not None:
                return found
    return None


@cache
def _date_pattern(pattern: str) -> re.Pattern[str]:
    return re.compile(expand_units(pattern).replace("{D}", f"(?P<date>{DATE_PATTERN})"))


def _date_of(text: str, m: re.Match[str], kind: str) -> Found | None:
    if kind == "signature":
        return find_publication_date(text)
    if kind == "month_end":
        year, month = int(m.group("year")), int(m.group("month"))
        if not 1 <= month <= 12:
            return None
        last = calendar.monthrange(year, month)[1]
        return Found(date(year, month, last), m.start(), m.end())
    inner = DATE_RE.search(m.group("date"))
    day = date_from_match(inner) if inner else None
    return Found(day, m.start("date"), m.end("date")) if day else None


# --- the key-facts table ---------------------------------------------------------------------


def _fill_from_table(text: str, result: SectionResult) -> None:
    """The SSE key-facts table, for what the sentences did not state."""
    vocab = _vocab()
    for name, specs in vocab["table"].items():
        if name not in result.fields and (found := find_first(specs, text)) is not None:
            result.fields[name] = found
    for pair in vocab["table_price_pairs"]:
        result.fields = _with_pair(pair, text, (0, len(text)), result.fields)


# --- the plan --------------------------------------------------------------------------------


def read_plan(text: str, scope: tuple[int, int]) -> dict[str, Found]:
    """The plan's money range (as last changed) and the date it was approved."""
    plan = _vocab()["plan"]
    fields: dict[str, Found] = {}
    amounts = plan_range(text, scope)
    if amounts is not None:
        fields["plan_amount_min"], fields["plan_amount_max"] = amounts
    elif (cap := find_first(plan["max_only"], text, *scope)) is not None:
        fields["plan_amount_max"] = cap
    if (approved := find_first(plan["date"], text, *scope)) is not None:
        fields["plan_date"] = approved
    return fields


def plan_range(text: str, scope: tuple[int, int]) -> tuple[Found, Found] | None:
    """The first range the plan was changed to (调整为…); else the first one stated, unless
    it is only the range a change replaced (由…)."""
    plan = _vocab()["plan"]
    plain: list[tuple[int, tuple[Found, Found]]] = []
    adjusted: list[tuple[int, tuple[Found, Found]]] = []
    for pattern in plan["ranges"]:
        for m in compile_range(pattern).finditer(text, *scope):
            context = (
                text[max(0, m.start() - _RANGE_CONTEXT_CHARS) : m.start("min")]
                + text[m.end() : m.end() + _CONTEXT_AFTER_CHARS]
            )
            amounts = range_amounts(m)
            if amounts is None or not re.search(plan["range_context"], context):
                continue
            before = text[max(0, m.start() - _ADJUSTMENT_CHARS) : m.start()]
            if re.search(plan["adjusted_before"], before):
                adjusted.append((m.start(), amounts))
            elif not re.search(plan["replaced_before"], before):
                plain.append((m.start(), amounts))
    for found in (adjusted, plain):
        if found:
            return min(found, key=lambda f: f[0])[1]
    return None


def _window(text: str, statement: Statement) -> tuple[int, int]:
    """Outside a repurchase notice, the plan is read only this near the statement."""
    reach = _vocab()["plan"]["reach"]
    start, end = statement.sentence
    return max(0, start - reach), min(len(text), end + reach)


# --- checks ----------------------------------------------------------------------------------


def _check_prices(result: SectionResult) -> None:
    """A lowest price above the highest means the two were misread: neither is kept."""
    high, low = result.fields.get("price_high"), result.fields.get("price_low")
    if high is not None and low is not None and low.value > high.value:
        result.warnings.append("price_low is above price_high; both dropped")
        del result.fields["price_high"], result.fields["price_low"]


def _prices_from_total_row(text: str, row_pattern: str, result: SectionResult) -> None:
    """Highest and lowest price from a run-together total row, when the split is unique."""
    shares = f"{result.fields['shares_repurchased'].value:,}"
    total = result.fields["amount_paid"].value
    total_text = f"{total:,.2f}".removesuffix(".00")
    pattern = row_pattern.replace("{shares}", re.escape(shares)).replace(
        "{total}", re.escape(total_text)
    )
    m = re.search(pattern, text)
    if not m:
        return
    splits = [
        s
        for s in split_run_together(m.group("prices"), 2)
        if any(n != n.to_integral_value() for n in s)
    ]
    if len(splits) != 1:
        result.warnings.append(f"cannot split prices {m.group('prices')!r} unambiguously")
        return
    high, low = max(splits[0]), min(splits[0])
    start, end = m.start("prices"), m.end("prices")
    result.fields["price_high"] = Found(float(high), start, end)
    result.fields["price_low"] = Found(float(low), start, end)

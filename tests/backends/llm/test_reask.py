"""Figures that break an identity of the checks are re-asked once, over HTTP to FakeOpenAI.

Seed 000 prints a buyback's progress: 5,160,476 shares at 102.20–140.00 元, 561,263,835.84 元
paid, and nearby the interim dividend's total, 98,274,301.44 元. Reading that total as the
amount paid is a plausible misreading, printed in the filing (so it is grounded), that the
identity shares × lowest price ≤ amount paid ≤ shares × highest price rejects.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from llm_answers import (
    BUYBACK_000,
    BUYBACK_IDENTITY,
    SEED_000,
    by_section,
    names_identity,
    section_of,
    sections_asked,
)
from openai_server import FakeOpenAI, JsonDict, Reply, reply_in_requested_form

import extract.pipeline as pipeline
from extract.backends.base import SectionResult
from extract.batch.engine import aextract_document
from extract.batch.runner import BatchOptions, run_batch
from extract.config import Settings
from extract.core.schema import Record
from extract.core.spans import Found
from extract.load.document import Document, read_document
from extract.pipeline import extract_document

DIVIDEND_TOTAL = 98274301.44  # printed in 000, beside the buyback
BUYBACK_FIGURES = ("amount_paid", "shares_repurchased", "price_low", "price_high")


def buyback_reader(first: dict[str, Any], again: dict[str, Any]) -> Any:
    """Answers the buyback with ``first``, and with ``again`` when the prompt names the
    identity (a re-ask)."""

    def answer(request: JsonDict) -> Reply:
        reasked = names_identity(request, BUYBACK_IDENTITY)
        return reply_in_requested_form(request, again if reasked else first)

    return by_section({"buyback": answer})


MISREAD = {**BUYBACK_000, "amount_paid": DIVIDEND_TOTAL}


def buyback_requests(server: FakeOpenAI) -> list[Any]:
    return [r for r in server.chat_requests if section_of(r.json) == "buyback"]


def buyback_checks(record: Record) -> dict[str, str]:
    return {p: s for p, s in record.checks.items() if p.startswith("buyback.")}


# --- llm mode --------------------------------------------------------------------------------


def test_an_llm_figure_in_conflict_is_reasked_with_the_identity_and_fixed(
    openai_server: FakeOpenAI, llm_settings: Settings
) -> None:
    openai_server.handler = buyback_reader(MISREAD, BUYBACK_000)
    record = extract_document(read_document(SEED_000), llm_settings)
    first, again = buyback_requests(openai_server)
    prompt = again.json["messages"][-1]["content"]
    assert BUYBACK_IDENTITY not in first.json["messages"][-1]["content"]
    assert BUYBACK_IDENTITY in prompt
    assert 'amount_paid = 98274301.44, printed as "98,274,301.44 元"' in prompt
    assert "已支付的总金额为561,263,835.84元" in prompt  # the passage around the quotes
    assert record.buyback is not None and record.buyback.amount_paid == 561263835.84
    assert record.evidence["buyback.amount_paid"].quote == "561,263,835.84 元"
    assert set(buyback_checks(record).values()) == {"confirmed"}
    assert not [w for w in record.warnings if w.startswith(("checks:", "buyback:"))]
    assert record.usage.calls == len(openai_server.chat_requests) == 6  # 5 sections + 1 re-ask

    cached = extract_document(read_document(SEED_000), llm_settings)
    assert len(openai_server.chat_requests) == 6  # the re-ask is cached like the others
    assert cached.usage.calls == 0 and cached.usage.cache_hits == 6
    assert cached.buyback == record.buyback


def test_a_figure_still_in_conflict_after_the_reask_is_dropped_with_a_warning(
    openai_server: FakeOpenAI, llm_settings: Settings
) -> None:
    openai_server.handler = buyback_reader(MISREAD, MISREAD)
    record = extract_document(read_document(SEED_000), llm_settings)
    assert len(buyback_requests(openai_server)) == 2  # one re-ask round, no more
    assert record.buyback is not None
    # which of the four is wrong the identity cannot say: none of them is kept
    assert all(getattr(record.buyback, name) is None for name in BUYBACK_FIGURES)
    assert record.buyback.as_of is not None and record.buyback.pct_of_total_shares == 0.63
    assert buyback_checks(record) == {}
    assert (
        "buyback: amount_paid: 98274301.44 dropped: buyback.shares_repurchased × "
        "buyback.price_low ≤ buyback.amount_paid ≤ buyback.shares_repurchased × "
        "buyback.price_high (up to 1% more for fees) fails, also after a re-ask"
    ) in record.warnings
    assert "98274301.44" not in record.model_dump_json(exclude={"warnings"})


def test_nothing_is_reasked_when_every_identity_holds(
    openai_server: FakeOpenAI, llm_settings: Settings
) -> None:
    openai_server.handler = by_section({"buyback": BUYBACK_000})
    record = extract_document(read_document(SEED_000), llm_settings)
    assert sections_asked(openai_server.chat_requests).count("buyback") == 1
    assert record.usage.calls == len(openai_server.chat_requests) == 5
    assert set(buyback_checks(record).values()) == {"confirmed"}


def test_a_failed_reask_drops_the_llm_figures_in_conflict(
    openai_server: FakeOpenAI, llm_settings: Settings
) -> None:
    def answer(request: JsonDict) -> Reply:
        if names_identity(request, BUYBACK_IDENTITY):
            return Reply.error(500, "down")
        return reply_in_requested_form(request, MISREAD)

    openai_server.handler = by_section({"buyback": answer})
    record = extract_document(read_document(SEED_000), llm_settings)
    assert record.buyback is not None and record.buyback.amount_paid is None
    assert any(w.startswith("buyback: re-ask failed:") for w in record.warnings)


# --- auto mode -------------------------------------------------------------------------------


def misreading_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    """The rules read 000's buyback as they do, except the amount paid: the dividend total
    printed beside it (the kind of neighbour a pattern can catch)."""
    real = pipeline.run_rules

    def run_rules(doc: Document) -> dict[str, SectionResult]:
        results = real(doc)
        start = doc.text.index("98,274,301.44")
        wrong = Found(DIVIDEND_TOTAL, start, start + len("98,274,301.44"))
        results["buyback"].fields["amount_paid"] = wrong
        return results

    monkeypatch.setattr(pipeline, "run_rules", run_rules)


@pytest.fixture
def auto(llm_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    misreading_rules(monkeypatch)
    return llm_settings.with_(backend="auto")


def test_auto_mode_replaces_a_rules_figure_by_a_grounded_answer_that_satisfies_the_identity(
    openai_server: FakeOpenAI, auto: Settings
) -> None:
    openai_server.handler = buyback_reader(BUYBACK_000, BUYBACK_000)
    record = extract_document(read_document(SEED_000), auto)
    # the rules read the buyback whole, so it was not asked: the conflict sends it
    (again,) = buyback_requests(openai_server)
    assert BUYBACK_IDENTITY in again.json["messages"][-1]["content"]
    assert record.backend == "rules+llm"
    assert record.buyback is not None and record.buyback.amount_paid == 561263835.84
    assert set(buyback_checks(record).values()) == {"confirmed"}
    assert any(
        w.startswith("buyback: amount_paid: the rules read 98274301.44, which breaks")
        and "the LLM re-read 561263835.84" in w
        for w in record.warnings
    )
    assert record.usage.calls == len(openai_server.chat_requests)


def test_auto_mode_never_replaces_by_an_answer_not_in_the_source(
    openai_server: FakeOpenAI, auto: Settings
) -> None:
    invented = {**BUYBACK_000, "amount_paid": 561263835.85}  # fits the identity, not printed
    openai_server.handler = buyback_reader(BUYBACK_000, invented)
    record = extract_document(read_document(SEED_000), auto)
    assert len(buyback_requests(openai_server)) == 1
    assert record.buyback is not None and record.buyback.amount_paid == DIVIDEND_TOTAL
    assert buyback_checks(record)["buyback.amount_paid"] == "conflict"  # kept and flagged
    assert "buyback: re-asked amount_paid: 561263835.85 not found in the source; not used" in (
        record.warnings
    )
    assert any(w.startswith("checks: buyback.amount_paid is out of range") for w in record.warnings)


def test_auto_mode_keeps_the_rules_figure_when_the_answer_breaks_the_identity_too(
    openai_server: FakeOpenAI, auto: Settings
) -> None:
    still_wrong = {**BUYBACK_000, "amount_paid": 400000000}  # 4亿元, printed, still too small
    openai_server.handler = buyback_reader(BUYBACK_000, still_wrong)
    record = extract_document(read_document(SEED_000), auto)
    assert record.buyback is not None and record.buyback.amount_paid == DIVIDEND_TOTAL
    assert set(buyback_checks(record).values()) == {"conflict"}


def test_rules_mode_is_unchanged(auto: Settings, openai_server: FakeOpenAI) -> None:
    record = extract_document(read_document(SEED_000), auto.with_(backend="rules"))
    assert openai_server.chat_requests == []
    assert record.buyback is not None and record.buyback.amount_paid == DIVIDEND_TOTAL
    assert set(buyback_checks(record).values()) == {"conflict"}


# --- the concurrent path -----------------------------------------------------------------------


def test_the_concurrent_path_reasks_too(openai_server: FakeOpenAI, llm_settings: Settings) -> None:
    openai_server.handler = buyback_reader(MISREAD, BUYBACK_000)
    record = asyncio.run(aextract_document(read_document(SEED_000), llm_settings))
    assert len(buyback_requests(openai_server)) == 2
    assert record.buyback is not None and record.buyback.amount_paid == 561263835.84
    assert record.usage.calls == 6


def test_a_batch_reasks_too(
    openai_server: FakeOpenAI, llm_settings: Settings, tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / SEED_000.name).write_bytes(SEED_000.read_bytes())
    openai_server.handler = buyback_reader(MISREAD, BUYBACK_000)
    out = tmp_path / "out"
    summary = run_batch(folder, BatchOptions(out=out, workers=0), llm_settings)
    assert (summary.done, summary.failed) == (1, 0)
    record = Record.model_validate_json(
        (out / "records" / f"{SEED_000.name}.json").read_text(encoding="utf-8")
    )
    assert len(buyback_requests(openai_server)) == 2
    assert record.buyback is not None and record.buyback.amount_paid == 561263835.84
    assert summary.calls == record.usage.calls == 6

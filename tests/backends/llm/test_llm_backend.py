"""The LLM backend end to end over HTTP: locate → prompt → answer → ground → record."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from llm_answers import (
    GOLD_004,
    INCENTIVE_000,
    SEED_000,
    SEED_001,
    SEED_004,
    by_section,
    section_of,
    sections_asked,
)
from openai_server import FakeOpenAI, Reply, reply_in_requested_form
from table_documents import COLUMN_PRINTED

from extract.backends.base import SectionResult
from extract.backends.llm.backend import LLMBackend
from extract.backends.llm.limits import CallLimiter
from extract.backends.llm.plan import (
    Planner,
    changes_only,
    gaps_to_ask,
    is_complete,
    merge,
    sections_to_ask,
)
from extract.backends.llm.prompts import load_prompts
from extract.backends.llm.query import section_budget
from extract.batch.engine import aextract_document
from extract.config import Settings
from extract.core.errors import ConfigError
from extract.core.schema import Usage
from extract.core.spans import Found
from extract.load.document import Document, read_document
from extract.pipeline import extract_document

SECTIONS = ("filing", "financials", "dividend", "buyback", "incentive")


@pytest.fixture
def settings(llm_settings: Settings) -> Settings:
    return llm_settings


def test_every_section_its_type_carries_is_one_call_and_the_record_holds_the_gold(
    openai_server: FakeOpenAI, settings: Settings
) -> None:
    """An incentive notice is asked about its filing and its incentive, nothing else."""
    openai_server.handler = by_section(GOLD_004)
    record = extract_document(read_document(SEED_004), settings)
    assert sorted(sections_asked(openai_server.chat_requests)) == ["filing", "incentive"]
    assert record.backend == "llm" and record.model == "m"
    assert record.prompt_version == load_prompts(settings).version
    assert record.warnings == []
    flat = record.flat_fields()
    for section, answer in GOLD_004.items():
        for name, value in answer.items():
            if name != "quotes":
                assert flat[f"{section}.{name}"] == value, name
    assert record.financials is None and record.dividend is None and record.buyback is None
    assert record.usage.calls == 2 and record.usage.prompt_tokens > 0


def test_evidence_quotes_are_the_original_text(
    openai_server: FakeOpenAI, settings: Settings
) -> None:
    openai_server.handler = by_section(GOLD_004)
    doc = read_document(SEED_004)
    record = extract_document(doc, settings)
    shares = record.evidence["incentive.shares_vesting"]
    assert shares.quote == "1,079,160 股"
    assert doc.original[shares.start : shares.end] == shares.quote
    # the quote the model gave points at section 三's line, not the first mention
    assert doc.original.rfind("(二)归属数量", 0, shares.start) > shares.start - 20
    assert record.evidence["incentive.vesting_end"].quote == "2025 年 8\n月 29 日"


def test_no_prompt_is_ever_the_whole_filing(openai_server: FakeOpenAI, settings: Settings) -> None:
    openai_server.handler = by_section({})
    extract_document(read_document(SEED_004), settings.with_(prompt_budget_chars=3000))
    for request in openai_server.chat_requests:
        sent = sum(len(m["content"]) for m in request.json["messages"])
        assert sent <= 3000


def test_an_invented_number_is_reasked_once_then_dropped(
    openai_server: FakeOpenAI, settings: Settings
) -> None:
    invented = {**GOLD_004["incentive"], "shares_vesting": 1234567, "quotes": {}}
    openai_server.handler = by_section({"incentive": invented})
    record = extract_document(read_document(SEED_004), settings)
    incentive = [r for r in openai_server.chat_requests if section_of(r.json) == "incentive"]
    assert len(incentive) == 2
    reask = incentive[1].json["messages"][-1]["content"]
    assert "shares_vesting = 1234567" in reask and "return null" in reask
    assert record.incentive is not None and record.incentive.shares_vesting is None
    assert record.incentive.participants_vesting == 1526  # grounded values stay
    assert "incentive: shares_vesting: 1234567 not found in the source; dropped" in record.warnings
    assert "1234567" not in record.model_dump_json(exclude={"warnings"})


def test_a_corrected_number_after_the_reask_is_kept(
    openai_server: FakeOpenAI, settings: Settings
) -> None:
    wrong = {**GOLD_004["incentive"], "shares_vesting": 1234567}
    replies = iter([wrong, GOLD_004["incentive"]])
    openai_server.handler = by_section(
        {"incentive": lambda request: reply_in_requested_form(request, next(replies))}
    )
    record = extract_document(read_document(SEED_004), settings)
    assert record.incentive is not None and record.incentive.shares_vesting == 1079160
    assert not [w for w in record.warnings if "dropped" in w]


def test_a_value_outside_the_passages_is_not_grounded(
    openai_server: FakeOpenAI, settings: Settings
) -> None:
    """Last year's main-business revenue is printed in 001's notes, near its end, but not in
    the financials passages of a small budget."""
    answer = {"revenue": {"value": 4577991120.48}}
    openai_server.handler = by_section({"financials": answer})
    record = extract_document(read_document(SEED_001), settings.with_(prompt_budget_chars=2500))
    assert record.financials is None
    assert any("revenue.value: 4577991120.48 not found" in w for w in record.warnings)


def test_a_failing_section_is_null_with_a_warning_and_the_rest_goes_on(
    openai_server: FakeOpenAI, settings: Settings
) -> None:
    openai_server.handler = by_section(
        {**GOLD_004, "incentive": lambda request: Reply.error(500, "overloaded")}
    )
    record = extract_document(read_document(SEED_004), settings)
    assert record.incentive is None
    assert record.filing.stock_code == "688271"
    assert (
        "incentive: LLM call failed after 2 attempts: HTTP 500: overloaded; section left null"
        in (record.warnings)
    )


def test_all_null_answers_leave_sections_not_applicable(
    openai_server: FakeOpenAI, settings: Settings
) -> None:
    openai_server.handler = by_section({})
    record = extract_document(read_document(SEED_004), settings)
    assert record.financials is None and record.incentive is None
    assert record.warnings == ["not recognised as a listed-company filing"]


def test_async_twin_gives_the_same_record(openai_server: FakeOpenAI, settings: Settings) -> None:
    openai_server.handler = by_section(GOLD_004)
    doc = read_document(SEED_004)
    synced = extract_document(doc, settings.with_(use_cache=False))
    asynced = asyncio.run(aextract_document(doc, settings.with_(use_cache=False)))
    assert asynced.model_dump(exclude={"usage"}) == synced.model_dump(exclude={"usage"})
    assert asynced.usage.calls == synced.usage.calls == 2  # filing and incentive


class CountingLimiter(CallLimiter):
    """A real limiter (600 requests a minute) that also counts what it was asked."""

    def __init__(self) -> None:
        super().__init__(rpm=600, tpm=1_000_000)
        self.requests = 0
        self.charged = 0

    async def before_call(self, estimated_tokens: int = 0) -> None:
        self.requests += 1
        self.charged += estimated_tokens
        await super().before_call(estimated_tokens)

    async def after_call(self, extra_tokens: int) -> None:
        self.charged += extra_tokens
        await super().after_call(extra_tokens)


def test_every_http_request_waits_for_the_shared_limiter(
    openai_server: FakeOpenAI, settings: Settings
) -> None:
    openai_server.handler = by_section(GOLD_004)
    limiter = CountingLimiter()
    record = asyncio.run(
        aextract_document(read_document(SEED_004), settings.with_(use_cache=False), limiter=limiter)
    )
    assert limiter.requests == len(openai_server.chat_requests) == record.usage.calls == 2
    # after the call the limiter is charged what the endpoint reported, not the estimate
    assert limiter.charged == record.usage.prompt_tokens + record.usage.completion_tokens


def test_auto_mode_asks_only_about_gaps(openai_server: FakeOpenAI, settings: Settings) -> None:
    openai_server.handler = by_section({"incentive": INCENTIVE_000})
    doc = read_document(SEED_000)
    rules_only = extract_document(doc, settings.with_(backend="rules"))
    record = extract_document(doc, settings.with_(backend="auto"))
    asked = sections_asked(openai_server.chat_requests)
    assert 0 < len(asked) < len(SECTIONS) and "incentive" in asked
    assert "dividend" not in asked and "buyback" not in asked  # the rules read them fully
    assert record.backend == "rules+llm" and record.usage.calls == len(asked)
    # the rules read the grant's plan, tranche and price; no vesting figures, so they ask
    assert rules_only.incentive is not None and rules_only.incentive.tranche == "预留部分"
    assert record.incentive == rules_only.incentive  # the LLM agreed: nothing to change
    assert not any("disagree" in w for w in record.warnings)
    assert record.dividend == rules_only.dividend and record.buyback == rules_only.buyback
    (incentive,) = [r for r in openai_server.chat_requests if section_of(r.json) == "incentive"]
    prompt = incentive.json["messages"][-1]["content"]
    wanted = prompt.split("fill these if the passages state them:")[1].split("\n")[0]
    assert "grant_date" in wanted and "shares_vesting" in wanted
    assert "tranche" not in wanted and "plan_name" not in wanted  # the rules have them


def test_auto_mode_asks_nothing_when_the_rules_read_everything(
    openai_server: FakeOpenAI, settings: Settings
) -> None:
    record = extract_document(read_document(SEED_004), settings.with_(backend="auto"))
    assert openai_server.chat_requests == []
    assert record.backend == "rules" and record.prompt_version is None


def test_async_auto_mode(openai_server: FakeOpenAI, settings: Settings) -> None:
    openai_server.handler = by_section({"incentive": INCENTIVE_000})
    doc = read_document(SEED_000)
    synced = extract_document(doc, settings.with_(backend="auto", use_cache=False))
    asynced = asyncio.run(aextract_document(doc, settings.with_(backend="auto", use_cache=False)))
    assert asynced.backend == "rules+llm"
    assert asynced.model_dump(exclude={"usage"}) == synced.model_dump(exclude={"usage"})


# --- merging (auto mode) -------------------------------------------------------------------


def result(fields: dict[str, Any], *, applies: bool = True, calls: int = 0) -> SectionResult:
    return SectionResult(
        applies=applies,
        fields={path: Found(value, 0, 1) for path, value in fields.items()},
        usage=Usage(calls=calls),
    )


def test_merge_fills_only_what_the_rules_left_null() -> None:
    rules = result({"revenue.value": 100.0})
    llm = result({"revenue.value": 101.0, "revenue.prior": 90.0}, calls=1)
    merged = merge(rules, llm)
    assert merged.values() == {"revenue.value": 100.0, "revenue.prior": 90.0}
    assert merged.warnings == [
        "revenue.value: the LLM read 101.0, the rules 100.0; kept the rules' value"
    ]
    assert merged.usage.calls == 1


def test_merge_of_nothing_and_all_null_stays_not_applicable() -> None:
    merged = merge(SectionResult(), SectionResult(usage=Usage(calls=1)))
    assert not merged.applies and not merged.fields


def test_complete_sections_and_impossible_sections_are_not_asked() -> None:
    filing = result(
        {
            "company_name": "x",
            "stock_code": "1",
            "exchange": "SSE",
            "document_type": "incentive_announcement",
            "title": "t",
            "currency": "CNY",
        }
    )
    rules = {
        "filing": filing,
        "financials": SectionResult(),
        "dividend": result({"declared": False}),
        "buyback": SectionResult(),
        "incentive": result({"plan_name": "p"}),
    }
    assert is_complete("filing", filing) and is_complete("dividend", rules["dividend"])
    assert sections_to_ask(rules) == ["incentive"]
    unknown = {**rules, "filing": result({"company_name": "x"})}
    assert sections_to_ask(unknown) == ["filing", "financials", "buyback", "incentive"]


def test_a_quarterly_reports_dividend_is_asked_only_if_the_rules_read_one() -> None:
    """A quarterly report recounts last year's distribution; asked about a dividend the
    rules found none of, a model would most likely answer with that other period's."""
    filing = result({"company_name": "x", "document_type": "quarterly_report"})
    rules = {"filing": filing, "financials": SectionResult(), "dividend": SectionResult()}
    assert "dividend" not in sections_to_ask(rules)
    read = {**rules, "dividend": result({"declared": True})}
    assert "dividend" in sections_to_ask(read)  # a quarterly distribution: its details asked
    annual = {**rules, "filing": result({"company_name": "x", "document_type": "annual_report"})}
    assert "dividend" in sections_to_ask(annual)


KEY_TABLE = {
    f"{metric}.{part}": 1.0
    for metric in (
        "revenue",
        "net_profit_attributable",
        "net_profit_attributable_deducted",
        "operating_cash_flow",
        "basic_eps",
        "diluted_eps",
        "weighted_roe",
        "total_assets",
        "equity_attributable",
    )
    for part in ("value", "prior")
}


def test_auto_mode_asks_for_what_a_report_prints_as_a_rule() -> None:
    """The key table read whole (every must-state field), but R&D and the changes not: an
    A-share annual report prints them as a rule, so financials is asked about those
    metrics; an HKEX report prints its gross profit and never the CSRC R&D table."""
    filing = {"company_name": "x", "stock_code": "1", "title": "t", "currency": "CNY"}
    a_share = result({**filing, "document_type": "annual_report", "exchange": "SZSE"})
    read = result(
        {
            **KEY_TABLE,
            **{f"{m}.change_pct": 1.0 for m in ("revenue", "net_profit_attributable")},
            "net_profit_attributable_deducted.change_pct": 1.0,
            "operating_cash_flow.change_pct": 1.0,
            "basic_eps.change_pct": 1.0,
            "total_assets.change_pct": 1.0,
            "equity_attributable.change_pct": 1.0,
            "profit_for_period.value": 1.0,
            "profit_for_period.prior": 1.0,
            "non_recurring_total.value": 1.0,
        }
    )
    asks = gaps_to_ask({"filing": a_share, "financials": read})
    assert set(asks) == {"financials"}
    assert {"rd_investment", "rd_ratio"} <= set(asks["financials"])
    assert "revenue" not in asks["financials"]  # read whole
    hkex = result({**filing, "document_type": "annual_report", "exchange": "HKEX"})
    hkex_asks = gaps_to_ask({"filing": hkex, "financials": read})["financials"]
    assert {"gross_profit", "profit_for_period"} <= set(hkex_asks)  # HKEX prints them
    assert "rd_ratio" not in hkex_asks and "rd_investment" not in hkex_asks
    changeless = result({k: v for k, v in read.fields.items() if k != "revenue.change_pct"})
    assert "revenue" in gaps_to_ask({"filing": a_share, "financials": changeless})["financials"]


def test_auto_mode_knows_which_fields_it_wants_only_the_change_of() -> None:
    """An HKEX annual report whose statements were read: the changes it prints as a rule
    are wanted, the figures are not; a metric the rules read nothing of is not change-only."""
    filing = {"company_name": "x", "stock_code": "1", "title": "t", "currency": "CNY"}
    hkex = result({**filing, "document_type": "annual_report", "exchange": "HKEX"})
    read = result({k: v for k, v in KEY_TABLE.items() if not k.startswith("basic_eps")})
    changes = changes_only({"filing": hkex, "financials": read})["financials"]
    assert {"revenue", "total_assets", "net_profit_attributable"} <= set(changes)
    assert "basic_eps" not in changes  # nothing of it read: its figures are wanted too
    assert "basic_eps" in gaps_to_ask({"filing": hkex, "financials": read})["financials"]


# --- templates ---------------------------------------------------------------------------


def copy_prompts(tmp_path: Path) -> Path:
    source = Path(__file__).resolve().parents[3] / "prompts"
    target = tmp_path / "prompts"
    target.mkdir()
    for file in source.glob("*.j2"):
        (target / file.name).write_text(file.read_text(encoding="utf-8"), encoding="utf-8")
    return target


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda d: (d / "dividend.user.j2").unlink(), "dividend.user.j2 is missing"),
        (lambda d: (d / "buyback.system.j2").write_text("{% if %}"), "buyback.system.j2: "),
        (
            lambda d: (d / "filing.user.j2").write_text("{{ passagez }}"),
            "filing.user.j2: 'passagez' is undefined",
        ),
        (lambda d: (d / "_rules.j2").unlink(), "_rules.j2"),
    ],
)
def test_a_broken_template_is_a_config_error_naming_the_file(
    tmp_path: Path, damage: Any, message: str
) -> None:
    prompts = copy_prompts(tmp_path)
    damage(prompts)
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")):
        LLMBackend(Settings(model="m", base_url="http://x/v1", prompts_dir=prompts))


def test_prompt_version_is_the_hash_of_the_templates(tmp_path: Path) -> None:
    prompts = copy_prompts(tmp_path)
    settings = Settings(model="m", base_url="http://x/v1", prompts_dir=prompts)
    before = load_prompts(settings).version
    assert before == load_prompts(Settings()).version and len(before) == 12
    (prompts / "_fewshot_dividend.j2").write_text("Example: none.", encoding="utf-8")
    assert load_prompts(settings).version != before


def test_a_table_printed_column_by_column_comes_with_an_example_within_the_budget() -> None:
    settings = Settings(backend="llm", model="m", base_url="http://x/v1")
    planner = Planner(settings)
    prose = "公司经营情况良好,营业收入稳步增长,各项业务稳步推进。\n" * 300
    for text, example in ((prose + COLUMN_PRINTED + prose, True), (prose, False)):
        ask = planner.plan_all(Document.from_text(text), ["financials"])["financials"]
        system, user = planner.prompts.messages("financials", ask.passages, ask.focus)
        assert ("Tables printed column by column" in system["content"]) is example
        assert ("925,158,518.22" in user["content"]) is example
        chars = len(system["content"]) + len(user["content"])
        assert chars <= section_budget("financials", settings.prompt_budget_chars)


def test_schemas_mirror_the_contract() -> None:
    from extract.backends.llm.answers import ANSWERS, FinancialsAnswer, MetricAnswer
    from extract.core.schema import METRICS, SECTION_MODELS, Filing, Metric

    assert [f for f in FinancialsAnswer.model_fields if f != "quotes"] == list(METRICS)
    assert [f for f in MetricAnswer.model_fields] == list(Metric.model_fields)
    assert [f for f in ANSWERS["filing"].model_fields if f != "quotes"] == list(Filing.model_fields)
    for name in ("dividend", "buyback", "incentive"):
        fields = [f for f in ANSWERS[name].model_fields if f != "quotes"]
        assert fields == list(SECTION_MODELS[name].model_fields), name
    json.dumps(ANSWERS["financials"].model_json_schema())


def test_templates_fall_back_to_package_data_outside_a_source_tree(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """An installed wheel has no top-level prompts/: setup.py ships them as extract/prompts."""
    import extract.backends.llm.prompts as templates

    monkeypatch.setattr(templates, "_SOURCE_TREE", tmp_path)
    monkeypatch.setattr(templates, "_REPO_PROMPTS", tmp_path / "prompts")
    (tmp_path / "prompts").mkdir()  # a stray prompts/ without pyproject.toml is not ours
    _, location = templates.prompts_location(Settings())
    assert location == "extract/prompts (package data)"

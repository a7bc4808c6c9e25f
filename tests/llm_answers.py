"""Scripted LLM answers for the seed filing 004 (values from eval/gold/004_b26c4ee7e7963a95.yaml),
and helpers to route FakeOpenAI requests by the section they ask about."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from openai_server import Handler, JsonDict, Reply, reply_in_requested_form

REPO = Path(__file__).resolve().parents[1]
SEED_004 = REPO / "examples" / "filings" / "004_b26c4ee7e7963a95.txt"
SEED_000 = REPO / "examples" / "filings" / "000_e5b525805bf4026b.txt"
SEED_001 = REPO / "examples" / "filings" / "001_815c9fc6d423563f.txt"

# The answer model each section asks for (its tool name / schema title).
MODEL_NAMES = {
    "filing": "FilingAnswer",
    "financials": "FinancialsAnswer",
    "dividend": "DividendAnswer",
    "buyback": "BuybackAnswer",
    "incentive": "IncentiveAnswer",
}

GOLD_004: dict[str, dict[str, Any]] = {
    "filing": {
        "company_name": "上海联影医疗科技股份有限公司",
        "stock_code": "688271",
        "exchange": "SSE",
        "document_type": "incentive_announcement",
        "title": "关于2023年限制性股票激励计划首次授予部分第一个归属期符合归属条件的公告",
        "period_end": None,
        "publication_date": None,
        "announcement_no": "2024-061",
        "currency": "CNY",
    },
    "incentive": {
        "plan_name": "2023年限制性股票激励计划",
        "tranche": "首次授予部分第一个归属期",
        "grant_date": "2023-08-31",
        "grant_price": 78.0,
        "grant_price_adjusted": 77.63,
        "shares_vesting": 1079160,
        "participants_vesting": 1526,
        "vesting_start": "2024-09-02",
        "vesting_end": "2025-08-29",
        "share_source": "公司回购的A股普通股股票",
        "performance_metric": "营业收入增长率",
        "performance_target": 20.0,
        "performance_trigger": 16.0,
        "quotes": {"shares_vesting": "(二)归属数量:1,079,160 股"},
    },
}


# 000 (an action-plan review): the rules miss the incentive tranche; gold says 预留部分.
INCENTIVE_000 = {
    "plan_name": "2023年限制性股票激励计划",
    "tranche": "预留部分",
    "grant_price": 88.0,
}


def section_of(request: JsonDict) -> str | None:
    """Which contract section a chat request asks about (tool name or schema in JSON modes)."""
    text = json.dumps(request, ensure_ascii=False)
    for section, name in MODEL_NAMES.items():
        if name in text:
            return section
    return None


def by_section(answers: Mapping[str, Mapping[str, Any] | Handler]) -> Handler:
    """A handler answering each section from ``answers`` (a dict, or a handler of its own),
    in the form the request asks for; sections not listed get an all-null answer ``{}``."""

    def handler(request: JsonDict) -> Reply:
        answer = answers.get(section_of(request) or "", {})
        if callable(answer):
            return answer(request)
        return reply_in_requested_form(request, answer)

    return handler


def sections_asked(requests: list[Any]) -> list[str | None]:
    """The section of each recorded chat request, in order."""
    return [section_of(r.json) for r in requests]


# 000's buyback progress (gold): 5,160,476 shares at 102.20–140.00, 561,263,835.84 paid.
BUYBACK_000: dict[str, Any] = {
    "plan_date": "2023-08-22",
    "plan_amount_min": 400000000,
    "plan_amount_max": 800000000,
    "as_of": "2024-06-30",
    "shares_repurchased": 5160476,
    "pct_of_total_shares": 0.63,
    "price_high": 140.0,
    "price_low": 102.2,
    "amount_paid": 561263835.84,
}
# The identity the checks hold 000's buyback figures to, as a re-ask names it.
BUYBACK_IDENTITY = "shares_repurchased × price_low ≤ amount_paid ≤ shares_repurchased × price_high"


def names_identity(request: JsonDict, identity: str) -> bool:
    """Does the request's last message name ``identity`` (a re-ask after a conflict)?"""
    messages = request.get("messages") or []
    return bool(messages) and identity in str(messages[-1].get("content") or "")

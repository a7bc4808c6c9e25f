"""What ``vocab/locate.yaml`` says about each section: its query (terms, key terms,
headings), its budget share, the table kinds it takes first; and the query's tokens."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from ...vocab import load_vocab
from .labels import field_terms
from .search import tokenize


@dataclass(frozen=True)
class SectionQuery:
    """What locate.yaml says about one section."""

    share: float
    strategy: str = "bm25"
    terms: tuple[str, ...] = ()
    key_terms: tuple[str, ...] = ()
    headings: tuple[str, ...] = ()
    head_share: float = 0.7
    tail_share: float = 0.3
    table_kinds: tuple[str, ...] = ()
    tables_share: float = 0.0
    table_headers: tuple[str, ...] = ()
    table_notes: bool = False
    line_terms: tuple[str, ...] = ()


@cache
def config() -> dict[str, Any]:
    return load_vocab("locate")


def section_query(section: str) -> SectionQuery:
    """The query vocabulary and budget share of ``section``."""
    raw = config()["sections"][section]
    return SectionQuery(
        share=float(raw["share"]),
        strategy=str(raw.get("strategy", "bm25")),
        terms=tuple(str(raw.get("terms", "")).split()),
        key_terms=tuple(str(raw.get("key_terms", "")).split()),
        headings=tuple(raw.get("headings", ())),
        head_share=float(raw.get("head_share", 0.7)),
        tail_share=float(raw.get("tail_share", 0.3)),
        table_kinds=tuple(raw.get("table_kinds", ())),
        table_headers=tuple(raw.get("table_headers", ())),
        tables_share=float(raw.get("tables_share", 0.0)),
        table_notes=bool(raw.get("table_notes", False)),
        line_terms=tuple(raw.get("line_terms", ())),
    )


def section_budget(section: str, prompt_budget_chars: int) -> int:
    """Characters the whole prompt of one call for ``section`` may use."""
    return int(section_query(section).share * prompt_budget_chars)


def query_tokens(query: SectionQuery) -> list[str]:
    """Each token of the terms once, of the key terms twice (BM25 sums repeated tokens)."""
    tokens = list(dict.fromkeys(t for term in query.terms for t in tokenize(term)))
    keys = list(dict.fromkeys(t for term in query.key_terms for t in tokenize(term)))
    return tokens + keys


def focus_tokens(section: str, focus: Sequence[str]) -> list[str]:
    """Query tokens for the labels of the ``focus`` fields (none if locate.yaml has none)."""
    terms = field_terms(section, focus)
    return list(dict.fromkeys(t for term in terms for t in tokenize(term)))

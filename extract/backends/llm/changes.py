"""Where a change against the comparative period is printed: a table's change column, or a
sentence with a field's label, a word of a change and a percentage (auto mode asks for a
change alone where the rules read a field's figures)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ...core.table import Table
from ...tables.roles import column_groups, header_rows
from .labels import field_terms
from .query import config
from .search import tokenize


def prints_changes(table: Table) -> bool:
    """Does the table print a change column (本年比上年增减, 變動) beside its periods?"""
    return any(group.change is not None for group in column_groups(table, header_rows(table)))


def change_words() -> list[str]:
    """The words that print a change (增加, 減少, 較上一年…: ``change_terms`` in locate.yaml)."""
    return str(config()["change_terms"]).split()


def change_tokens() -> list[str]:
    """The query tokens of those words."""
    return list(dict.fromkeys(t for word in change_words() for t in tokenize(word)))


# A sentence ends at 。 or ;, not at a line break: a PDF wraps its prose (…增加約\n人民幣
# 1,571,384,000元或16%至…); a table's row (cells set apart by " | ") is a sentence of its own.
_SENTENCE_END = re.compile(r"[。;；]")
_ROW = " | "


def sentences(text: str) -> list[str]:
    """``text``'s sentences: its prose lines joined and cut at 。 and ; (a blank line ends
    one too), each table row apart."""
    parts: list[str] = []
    prose: list[str] = []
    for line in text.split("\n"):
        if line.strip() and _ROW not in line:
            prose.append(line)
            continue
        parts.extend(_SENTENCE_END.split("".join(prose)))
        prose = []
        parts.append(line)
    parts.extend(_SENTENCE_END.split("".join(prose)))
    return [part for part in parts if part.strip()]


def states_a_change(text: str, section: str, fields: Sequence[str]) -> bool:
    """Does a sentence of ``text`` hold the label of one of ``fields`` (of ``section``), a
    word of a change and a percentage?"""
    labels = [term.lower() for term in field_terms(section, fields)]
    words = change_words()
    return any(
        "%" in sentence
        and any(w in sentence for w in words)
        and any(label in sentence for label in labels)
        for sentence in map(str.lower, sentences(text))
    )

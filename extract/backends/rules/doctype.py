"""A document's type from its own title, by the exchanges' taxonomy (vocab/doctypes.yaml).

A periodic report is recognised only by a title that is nothing but the report's name
(:func:`report_type`); every other title is typed by the first family of the taxonomy
whose words it contains, and a title no family fits is ``other``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from ...core.schema import DocumentType
from ...vocab import load_vocab, spaced


@cache
def _vocab() -> dict[str, Any]:
    return load_vocab("doctypes")


def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(spaced(pattern), re.IGNORECASE)


@cache
def _report_names() -> dict[DocumentType, re.Pattern[str]]:
    """Each periodic report's names, in the order they are tried."""
    return {DocumentType(kind): _compile(names) for kind, names in _vocab()["reports"].items()}


@cache
def report_title_pattern() -> re.Pattern[str]:
    """A periodic report's whole title: period, name (in one or two languages), period,
    qualifiers. Searched for in a running header, matched whole against a title."""
    vocab = _vocab()
    names = "|".join(f"(?:{n})" for n in vocab["reports"].values())
    period = f"(?:{vocab['report_period']})"
    qualifiers = f"(?:{vocab['report_qualifiers']})*"
    return _compile(f"{period}?(?:{names})(?:{period}?(?:{names}))?{period}?{qualifiers}")


@cache
def _report_period() -> re.Pattern[str]:
    return _compile(_vocab()["report_period"])


def has_period(title: str) -> bool:
    """Does the title name a period (2023, 二零二三年, 2020/21)?"""
    return bool(_report_period().search(title))


@cache
def _english_report_words() -> re.Pattern[str]:
    return _compile(_vocab()["english_report_words"])


def report_type(title: str) -> DocumentType | None:
    """The periodic report ``title`` names, when the title is nothing but its name."""
    if not report_title_pattern().fullmatch(title):
        return None
    return next((kind for kind, names in _report_names().items() if names.search(title)), None)


def chinese_report_title(title: str) -> str:
    """A bilingual report title as the record keeps it: without the English name."""
    chinese = _english_report_words().sub("", title)
    return chinese if re.search(r"[\u4e00-\u9fff]", chinese) else title


@dataclass(frozen=True)
class Family:
    """A family of announcements with one type, recognised by words of its titles."""

    name: str
    type: DocumentType
    pattern: re.Pattern[str]
    about_its_subject: bool  # written by others about the company named after 关于


@cache
def families() -> tuple[Family, ...]:
    return tuple(
        Family(
            " ".join(entry["name"].split()),
            DocumentType(entry["type"]),
            _compile(entry["pattern"]),
            bool(entry.get("about_its_subject")),
        )
        for entry in _vocab()["families"]
    )


def family_of(title: str) -> Family | None:
    """The first family whose words ``title`` contains, its principal matter (before 暨)
    first (None: a periodic report's own title, or a title no family fits)."""
    if report_type(title) is not None:
        return None
    principal = title.split(_vocab()["principal_joiner"], 1)[0]
    for words in dict.fromkeys((principal, title)):
        family = next((f for f in families() if f.pattern.search(words)), None)
        if family is not None:
            return family
    return None


def document_type(title: str) -> DocumentType:
    """The type of the document titled ``title`` (whitespace removed, half-width)."""
    kind = report_type(title)
    if kind is not None:
        return kind
    family = family_of(title)
    return family.type if family else DocumentType.other


def names_its_subject(title: str) -> bool:
    """Is the document written by others about the company its title names after 关于?"""
    family = family_of(title)
    return family is not None and family.about_its_subject

"""Which of a section's fields a table's rows name: the field labels of
``vocab/locate.yaml`` (``field_terms``) as tokens, matched against the row labels.

A label term names a label when all its tokens are the label's and, for a Chinese term, they
are at least half of the label's Chinese: 净利润 names 五、净利润 but not
归属于上市公司股东的净利润, a field of its own.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

from ...core.table import Table
from ...tables.roles import cell_text, row_has_figures
from ...vocab import load_vocab
from .search import tokenize

# A remark in brackets after a row label, and a Chinese token
_REMARK = re.compile(r"[(（][^()（）]*[)）]")
_SLASH = re.compile(r"[╱/]")
_CHINESE = re.compile(r"[\u3400-\u9fff]")


@cache
def _field_terms() -> dict[str, dict[str, str | list[str]]]:
    return dict(load_vocab("locate").get("field_terms", {}))


def terms_of(entry: str | list[str] | None) -> list[str]:
    """A field's label terms: words of a string, or the items of a list (English labels are
    several words: ``owners of the Company``)."""
    if entry is None:
        return []
    return [str(term) for term in entry] if isinstance(entry, list) else str(entry).split()


def field_terms(section: str, focus: Sequence[str]) -> list[str]:
    """The label terms of ``focus`` (fields of ``section``), as written in locate.yaml."""
    labels = _field_terms().get(section, {})
    return [term for field in focus for term in terms_of(labels.get(field))]


def field_tokens(section: str, focus: Sequence[str]) -> dict[str, list[set[str]]]:
    """The tokens of each label term of the section's fields (``focus``, or all)."""
    labels = _field_terms().get(section, {})
    by_field = {f: [set(tokenize(t)) for t in terms_of(labels.get(f))] for f in focus or labels}
    return {f: [t for t in terms if t] for f, terms in by_field.items() if any(terms)}


def label_tokens(label: str) -> set[str]:
    """A row label's tokens, its remarks in brackets aside (净利润(净亏损以"-"号填列);
    年內(虧損)╱溢利 reads 年內溢利)."""
    return set(tokenize(_SLASH.sub("", _REMARK.sub("", label))))


def names(term: set[str], label: set[str]) -> bool:
    """All of a label term's tokens are the label's, and (a Chinese term) they are at least
    half of the label's Chinese: 收入 names 营业收入 but not 利息收入 or 手续费及佣金收入;
    an English term is matched in a bilingual label (Revenue 收入) by its words alone."""
    if not term <= label:
        return False
    chinese = {t for t in label if _CHINESE.match(t)}
    own = {t for t in term if _CHINESE.match(t)}
    return not own or 2 * len(own) >= len(chinese)


def fields_in_table(table: Table, fields: dict[str, list[set[str]]]) -> set[str]:
    """The fields a row of ``table`` with figures names."""
    labels = [
        label_tokens(cell_text(table.rows[r][0].text))
        for r in range(table.n_rows)
        if row_has_figures(table, r)
    ]
    return _named(labels, fields)


def _named(labels: list[set[str]], fields: dict[str, list[set[str]]]) -> set[str]:
    return {
        field
        for field, terms in fields.items()
        if any(names(term, label) for term in terms for label in labels)
    }

"""A report's running header: its name at the top of (almost) every page, beside the
company's name and the page number (vocab/titles.yaml, ``running_header``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from ...vocab import load_vocab
from .doctype import chinese_report_title, report_title_pattern
from .head_lines import Line, Where, chinese_name

_PAGE_DIGITS = re.compile(r"^\d{1,4}(?:/\d{1,4})?|\d{1,4}(?:/\d{1,4})?$")


@cache
def _any_name() -> re.Pattern[str]:
    """A company's name printed beside the report's (Chinese or English)."""
    return re.compile(load_vocab("titles")["running_header"]["beside"])


@dataclass(frozen=True)
class Header:
    """A report's running header: the report's name (as the record keeps it) where it is
    printed first, and the issuer's Chinese name beside it."""

    value: str
    where: Where
    company: Where | None
    lines: frozenset[int]  # the indices of the lines it is printed on


def running_header(lines: list[Line]) -> Header | None:
    """The report name printed, alone or beside the company's name and the page number, on
    ``min_share`` of the pages read (and on ``min_lines`` lines)."""
    settings = load_vocab("titles")["running_header"]
    found: dict[str, list[tuple[int, re.Match[str]]]] = {}
    for index, line in enumerate(lines):
        if len(line.text) > int(settings["max_chars"]):
            continue
        m = report_title_pattern().search(line.text)
        if m and _is_furniture(line.text[: m.start()]) and _is_furniture(line.text[m.end() :]):
            value = chinese_report_title(m.group().replace(settings["drop"], ""))
            found.setdefault(value, []).append((index, m))
    pages_read = len({line.page for line in lines})
    best = max(found.items(), key=lambda kv: len({lines[i].page for i, _ in kv[1]}), default=None)
    if best is None:
        return None
    value, hits = best
    pages = len({lines[i].page for i, _ in hits})
    if len(hits) < int(settings["min_lines"]) or pages < float(settings["min_share"]) * pages_read:
        return None
    index, m = hits[0]
    line = lines[index]
    company = _company_beside(lines, index, m)
    return Header(value, (line, m.start(), m.end()), company, frozenset(i for i, _ in hits))


def _is_furniture(side: str) -> bool:
    """Nothing, a page number, or a company's name (what a header prints beside a title)."""
    rest = _PAGE_DIGITS.sub("", _PAGE_DIGITS.sub("", side))
    return not rest or bool(_any_name().match(rest))


def _company_beside(lines: list[Line], index: int, m: re.Match[str]) -> Where | None:
    """The Chinese name on the header's line, or on the line just above or below it."""
    line = lines[index]
    for side_start, side in ((0, line.text[: m.start()]), (m.end(), line.text[m.end() :])):
        side = _PAGE_DIGITS.sub("", side)
        name = chinese_name().search(side)
        if name:
            offset = line.text.index(side, side_start)
            return line, offset + name.start(), offset + name.end()
    for near in (index - 1, index + 1):
        if 0 <= near < len(lines) and lines[near].page == line.page:
            name = chinese_name().search(lines[near].text)
            if name and _any_name().match(lines[near].text):
                return lines[near], name.start(), name.end()
    return None

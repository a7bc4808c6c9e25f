"""Row labels: which metric a table row's label names.

A label is matched whole against the vocabulary's labels (``vocab/financials.yaml``), in
English and in Chinese for a bilingual label, an enumerator (五、, (一), –) and a remark
((净亏损以"-"号填列)) aside. Some labels name a metric only under the row above them
(Basic under Loss per share; 本公司權益股東 under 應佔： under the year's profit), some
headings make the rows under them a part of the whole (continuing operations), and a
label a PDF's font left with one undecoded character is read when every reading agrees.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from ...core.table import Table
from ...core.units import LABEL_UNIT_SUFFIX
from ...tables.roles import cell_text, row_has_figures
from ...vocab import load_vocab, spaced

# Enumerators and remarks around a statement's labels: 五、净利润(净亏损以"-"号填列)
ENUMERATOR = re.compile(
    r"^(?:[一二三四五六七八九十]+[、.]|[(（][一二三四五六七八九十\d]+[)）]|\d{1,2}[.、．]"
    r"|其中[:：]|加[:：]|减[:：]|減[:：]|[:：]|[–—−•-]\s*)+"
)
_REMARK = re.compile(r"[(（][^()（）]*(?:填列|列示)[^()（）]*[)）]")
_CJK_RUN = re.compile(r"[\u3400-\u9fff（）：、，][\u3400-\u9fff（）()：、，]*")


@cache
def _vocab() -> dict[str, Any]:
    return load_vocab("financials")


@cache
def sub_label_metric(above: str, label: str, totalled: str = "") -> str | None:
    """The metric a short label names under the label row above it (Basic under Loss per
    share; 本公司權益股東 under 應佔： under the year's profit); None elsewhere."""
    for spec in _vocab()["sub_labels"]:
        if not re.search(spaced(spec["heading"]), above):
            continue
        if "after" in spec and not re.search(spaced(spec["after"]), totalled):
            continue
        for part in label_parts(ENUMERATOR.sub("", label).strip()):
            for metric, pattern in spec["rows"].items():
                if re.fullmatch(spaced(pattern), part):
                    return str(metric)
    return None


@cache
def under_a_part(heading: str, metric: str) -> bool:
    """The heading above makes ``metric``'s rows under it one part of the whole."""
    return any(
        metric in spec["metrics"] and re.search(spaced(spec["heading"]), heading)
        for spec in _vocab()["part_headings"]
    )


def also_named(metric: str, label: str) -> list[str]:
    """The other metric a row labelled for two gives (基本和稀释每股收益: both EPS)."""
    return [
        spec["also"]
        for spec in _vocab()["combined_rows"]
        if spec["metric"] == metric and re.search(spaced(spec["label"]), label)
    ]


def row_label(table: Table, r: int) -> str:
    return cell_text(table.rows[r][0].text)


def wrapped_label(table: Table, r: int) -> str:
    """A label wrapped over the rows above its figures (HKEX statements print a long label
    line by line, English beside Chinese, the figures on its last line)."""
    lines = [row_label(table, r)]
    k = r - 1
    while k >= 0 and len(lines) < 5 and not row_has_figures(table, k) and row_label(table, k):
        lines.insert(0, row_label(table, k))
        k -= 1
    english = re.sub(r"\s+", " ", " ".join(_CJK_RUN.sub(" ", line) for line in lines)).strip()
    chinese = "".join(m.group(0) for line in lines for m in _CJK_RUN.finditer(line))
    return f"{english} {chinese}".strip()


def label_parts(label: str) -> list[str]:
    """A label as a whole, and (bilingual: ``Revenue 收入``) its English and its Chinese."""
    chinese = "".join(m.group(0) for m in _CJK_RUN.finditer(label))
    english = re.sub(r"\s+", " ", _CJK_RUN.sub(" ", label)).strip()
    return [part for part in dict.fromkeys((label, english, chinese)) if part]


@cache
def _label_patterns() -> list[tuple[str, re.Pattern[str]]]:
    patterns = []
    for metric, spec in _vocab()["metrics"].items():
        for label in (*spec["labels"], *spec.get("grid_labels", ())):
            suffix = LABEL_UNIT_SUFFIX + r"(?:\*|\(\d\)|\d)?"
            # English labels as printed in capitals too (NET CASH USED IN OPERATING …)
            pattern = spaced(f"(?:{label}){suffix}", loose=True)
            patterns.append((metric, re.compile(pattern, re.IGNORECASE)))
    return patterns


@cache
def label_metric(label: str) -> str | None:
    """The metric a row label names, the longest label winning; None if none does."""
    text = _REMARK.sub("", ENUMERATOR.sub("", label)).strip()
    if _UNDECODED in text:
        return _undecoded_label_metric(text)
    for part in label_parts(text):
        candidate = ENUMERATOR.sub("", part).strip()
        matches = [
            (len(m.group(0)), metric)
            for metric, pattern in _label_patterns()
            if (m := pattern.fullmatch(candidate))
        ]
        if matches:
            return max(matches)[1]
    return None


# A character the PDF's font does not map to Unicode (PDFium gives U+FFFD): 經�活動所得現金淨額.
_UNDECODED = "\ufffd"
# Below this many Chinese characters, one unknown character leaves a label too open to guess.
_UNDECODED_MIN_CHARS = 6


def _undecoded_label_metric(text: str) -> str | None:
    """The metric a label with one undecoded character names, if every character of the
    vocabulary in its place gives the same metric (and at least one does); None otherwise."""
    chinese = len(re.findall(r"[\u3400-\u9fff]", text))
    if text.count(_UNDECODED) != 1 or chinese < _UNDECODED_MIN_CHARS:
        return None
    named = {label_metric(text.replace(_UNDECODED, char)) for char in _label_characters()}
    named.discard(None)
    return named.pop() if len(named) == 1 else None


@cache
def _label_characters() -> str:
    """The Chinese characters the metric labels are written with."""
    labels = "".join(
        label
        for spec in _vocab()["metrics"].values()
        for label in (*spec["labels"], *spec.get("grid_labels", ()))
    )
    return "".join(sorted(set(re.findall(r"[\u3400-\u9fff]", labels))))

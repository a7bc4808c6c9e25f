"""Reading tables out of flattened text: find a table by its heading, read label → row of numbers.

pdftotext, OCR and PDF text layers all flatten tables into runs like::

    营业收入5,333,486,253.17 5,271,345,801.64 1.18归属于上市公司股东的扣除非797,934,412.60 …
    收入467,049413,71312.9%

A *row* is a label followed by a group of number cells. Labels broken around their numbers
(``…扣除非 797,934,412.60 … 经常性损益的净利润``) are joined, and cells printed without
separators are split by thousands grouping, decimals and the row's own change column.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from ..core.numbers import (
    change_consistent,
    decimals_of,
    parse_number,
    parse_points,
    split_run_together,
)
from ..core.units import find_unit_headers, label_unit
from ..vocab import spaced

# One number cell as printed, possibly several run together ("467,049413,71312.9%").
# Not a year/month/day, not a note reference like 七(43).
_CELL = re.compile(
    r"(?P<na>不适用|不適用|N/A|–(?=\d|\s|$))"
    r"|(?P<points>(?:增加|增长|上升|提高|提升|减少|下降|降低)?\s?-?\d+(?:\.\d+)?\s?个百分点)"
    r"|(?P<footnote>(?<=\S)[(（]\d{1,2}[)）])"  # 基本每股收益(1): a footnote mark, not -1
    r"|(?P<num>(?:[(（]-?|-|(?<![0-9_.一二三四五六七八九十、每-]))\d[\d,.]*(?:%[)）]|[)）]?%?))"
    r"(?![\d年月日个名人家号期条项次股])"  # 每10股, 2019年: words, not cells
)
_GAP = re.compile(r"\s*")
_PERCENT_IN_PARENS = re.compile(r"%([)）])$")


@dataclass(frozen=True)
class Cell:
    """One number in a row: as printed (unscaled), with its span in the normalised text."""

    value: Decimal | None  # None: printed as 不适用
    start: int
    end: int
    percent: bool = False
    points: bool = False
    decimals: int = 0

    @property
    def is_na(self) -> bool:
        return self.value is None


@dataclass
class Row:
    """A label and the cells printed after it."""

    metric: str
    label_start: int
    label_end: int
    cells: list[Cell]
    multiplier: Decimal = Decimal(1)
    table: str = ""
    warnings: list[str] = field(default_factory=list)
    quarterly: bool = False  # columns: this quarter, its change, year to date, its change


@dataclass(frozen=True)
class Region:
    """Where a table sits in the normalised text."""

    name: str
    start: int
    end: int
    has_note_column: bool = False
    quarterly: bool = False


@dataclass
class _Group:
    """Consecutive cell tokens between two pieces of label text."""

    tokens: list[re.Match[str]]

    @property
    def start(self) -> int:
        return self.tokens[0].start()

    @property
    def end(self) -> int:
        return self.tokens[-1].end()


def find_regions(text: str, name: str, heading: str, end: str, span: int) -> list[Region]:
    """Every place the table's heading occurs, each bounded by its end marker or ``span``."""
    regions = []
    for m in re.finditer(spaced(heading), text):
        stop = re.compile(spaced(end)).search(text, m.end(), m.end() + span) if end else None
        limit = stop.start() if stop else min(len(text), m.end() + span)
        header = text[m.end() : min(limit, m.end() + 400)]
        regions.append(
            Region(
                name,
                m.start(),
                limit,
                has_note_column=bool(re.search("附注|附註|Notes?", header)),
                # a quarterly report's key table: 本报告期, its change, 年初至报告期末, its change
                quarterly="年初至报告期末" in header,
            )
        )
    return regions


def read_rows(
    text: str,
    region: Region,
    labels: dict[str, Sequence[str]],
    unit_suffix: str = "",
    wanted: Sequence[str] | None = None,
) -> dict[str, Row]:
    """Read the first row of each wanted metric in ``region``.

    ``labels`` maps every metric to its label regexes: all of them take part in matching so
    that a longer label (扣除非经常性损益后的基本每股收益) hides the shorter one inside it
    even when only the shorter one is ``wanted``.
    """
    groups, segments = _tokenise(text, region.start, region.end)
    label_space, origins = _label_space(text, segments)
    rows: dict[str, Row] = {}
    orphan_segments: set[int] = set()  # segments holding a label with no numbers of its own
    matches = _label_matches(label_space, labels, unit_suffix)
    label_starts = {start for _, start, _ in matches}
    for metric, start, end in matches:
        group = _group_for_label(start, end, origins, text, segments, groups)
        segment = origins[end - 1][0]
        if group is None:
            # a row label (alone on its line, or straight before the next label) that owns
            # no numbers, as opposed to a word in a sentence
            alone = (
                re.match(r"[ \t]*(?:\n|$)", text[origins[end - 1][1] + 1 :]) or end in label_starts
            )
            if origins[start][0] == segment and alone:
                orphan_segments.add(segment)
            continue
        if segment in orphan_segments:
            # labels printed as one block and numbers as another (pdftotext on some
            # tables): which numbers belong to which label cannot be told
            continue
        if metric in rows or (wanted is not None and metric not in wanted):
            continue
        label_start, label_end = origins[start][1], origins[end - 1][1] + 1
        cells, warnings = _cells(group, text, region.has_note_column)
        if not cells:
            continue
        rows[metric] = Row(
            metric=metric,
            label_start=label_start,
            label_end=label_end,
            cells=cells,
            multiplier=row_multiplier(text, region, label_space[start:end], group.start),
            table=region.name,
            warnings=warnings,
            quarterly=region.quarterly,
        )
    return rows


# --- tokenising --------------------------------------------------------------------------


def _tokenise(text: str, start: int, end: int) -> tuple[list[_Group], list[tuple[int, int]]]:
    """Split the region into cell groups and the text segments between them."""
    groups: list[_Group] = []
    segments: list[tuple[int, int]] = []
    pos = start
    current: list[re.Match[str]] = []
    for m in _CELL.finditer(text, start, end):
        if m.group("footnote"):
            continue
        between = text[pos : m.start()]
        if current and _GAP.fullmatch(between):
            current.append(m)
        else:
            if current:
                groups.append(_Group(current))
            segments.append((pos, m.start()))
            current = [m]
        pos = m.end()
    if current:
        groups.append(_Group(current))
    segments.append((pos, end))
    return groups, segments


def _label_space(text: str, segments: list[tuple[int, int]]) -> tuple[str, list[tuple[int, int]]]:
    """Concatenate the text segments; remember for each char (segment index, text offset)."""
    parts: list[str] = []
    origins: list[tuple[int, int]] = []
    for index, (a, b) in enumerate(segments):
        parts.append(text[a:b])
        origins.extend((index, pos) for pos in range(a, b))
    return "".join(parts), origins


def _label_matches(
    label_space: str, labels: dict[str, Sequence[str]], unit_suffix: str
) -> list[tuple[str, int, int]]:
    """Label occurrences; where two overlap, the longer label wins."""
    found: list[tuple[str, int, int]] = []
    for metric, patterns in labels.items():
        for pattern in patterns:
            for m in re.finditer(spaced(f"(?:{pattern}){unit_suffix}"), label_space):
                found.append((metric, m.start(), m.end()))
    found.sort(key=lambda f: (-(f[2] - f[1]), f[1]))
    taken: list[tuple[int, int]] = []
    accepted: list[tuple[str, int, int]] = []
    for metric, start, end in found:
        if any(start < b and a < end for a, b in taken):
            continue
        taken.append((start, end))
        accepted.append((metric, start, end))
    accepted.sort(key=lambda f: f[1])
    return accepted


def _group_for_label(
    start: int,
    end: int,
    origins: list[tuple[int, int]],
    text: str,
    segments: list[tuple[int, int]],
    groups: list[_Group],
) -> _Group | None:
    """The cells a label owns: those right after it, or those it was broken around."""
    first_segment, last_segment = origins[start][0], origins[end - 1][0]
    if last_segment == first_segment + 1:
        return groups[first_segment] if first_segment < len(groups) else None
    if last_segment != first_segment:
        return None
    after_label = text[origins[end - 1][1] + 1 : segments[last_segment][1]]
    if not re.fullmatch(r"[\s:]*", after_label):
        return None
    return groups[last_segment] if last_segment < len(groups) else None


# --- cells -------------------------------------------------------------------------------


def _cells(group: _Group, text: str, note_column: bool) -> tuple[list[Cell], list[str]]:
    cells: list[Cell] = []
    warnings: list[str] = []
    for kind, token, start, end in _pieces(group):
        if kind == "na":
            cells.append(Cell(None, start, end))
        elif kind == "points":
            cells.append(
                Cell(parse_points(token), start, end, points=True, decimals=decimals_of(token))
            )
        else:
            parsed = _read_number_piece(token, start, end, first=not cells, note_column=note_column)
            if parsed is None:
                warnings.append(f"cannot split run-together numbers {token!r} unambiguously")
                return [], warnings
            cells.extend(parsed)
    if note_column and len(cells) >= 3 and _looks_like_note(cells[0]):
        cells = cells[1:]  # 所得税开支 7 (8,656) (3,412): the 7 is the 附注 column
    return cells, warnings


def _pieces(group: _Group) -> list[tuple[str, str, int, int]]:
    """The group's tokens, with number tokens printed without a gap joined when one of
    them cannot stand alone, or when a change is glued to the figures before it
    (``137,246159,659`` + ``-14.0%`` is one run-together row)."""
    pieces: list[tuple[str, str, int, int]] = []
    for m in group.tokens:
        kind = "na" if m.group("na") else "points" if m.group("points") else "num"
        token = _PERCENT_IN_PARENS.sub(r"\1%", m.group(0))  # (12.5%) → (12.5)%
        if pieces and kind == "num" and pieces[-1][0] == "num" and pieces[-1][3] == m.start():
            previous = pieces[-1][1]
            alone = parse_number(previous.rstrip("%")) is not None and (
                parse_number(token.rstrip("%")) is not None
            )
            change_glued = token.endswith("%") and not previous.endswith("%")
            if not alone or change_glued:
                pieces[-1] = ("num", previous + token, pieces[-1][2], m.end())
                continue
        pieces.append((kind, token, m.start(), m.end()))
    return pieces


def _read_number_piece(
    token: str, start: int, end: int, *, first: bool, note_column: bool
) -> list[Cell] | None:
    """One printed number, or several run together; None when no unique reading."""
    single = _parse_cell(token, start, end)
    if single is not None and not (first and single.percent):
        return [single]
    # a percent first in its row may be value, prior and change run together (8336130.6%)
    split = _split_token(token, start, note_column and first)
    if split is not None:
        return split
    return [single] if single is not None else None


def _looks_like_note(cell: Cell) -> bool:
    return (
        cell.value is not None and not cell.percent and cell.decimals == 0 and 0 < cell.value < 100
    )


def _parse_cell(token: str, start: int, end: int) -> Cell | None:
    percent = token.endswith("%")
    body = token.rstrip("%")
    value = parse_number(body)
    if value is None:
        return None
    return Cell(value, start, end, percent=percent, decimals=decimals_of(body))


def _split_token(token: str, start: int, allow_note: bool) -> list[Cell] | None:
    """Split a run-together token into cells; None when no split or several fit."""
    percent = token.endswith("%")
    body = token.rstrip("%")
    signed_change = (
        re.fullmatch(r"(?P<numbers>[\d,.]+)(?P<change>-[\d,.]+)", body) if percent else None
    )
    if signed_change:  # 137,246159,659-14.0%: the change starts at its sign
        return _split_with_change(
            signed_change.group("numbers"), signed_change.group("change"), start, len(token)
        )
    candidates: list[tuple[Decimal, ...]] = []
    for note in (False, True) if allow_note else (False,):
        # without a change column we expect current and prior only: a third column could
        # be cut anywhere and would make every split ambiguous
        for columns in (3,) if percent else (2,):
            for parts in split_run_together(body, columns, note=note, same_decimals=not percent):
                numbers = parts[1:] if note else parts
                if percent and not _consistent_with_change(numbers):
                    continue
                if not percent and len({_digits_after_point(n) for n in numbers}) > 1:
                    continue
                candidates.append(numbers)
    if allow_note and len(candidates) > 1:
        candidates = _without_note_digits_glued(candidates)
    if len(candidates) != 1:
        return None
    end = start + len(token)
    cells = [Cell(v, start, end, decimals=_digits_after_point(v)) for v in candidates[0]]
    if percent:
        last = cells[-1]
        cells[-1] = Cell(last.value, start, end, percent=True, decimals=last.decimals)
    return cells


# A note number glued to the first figure (附注 8 + 0.046 → 80.046) makes it thousands of
# times its neighbour; figures of one row are rarely that far apart.
_GLUED_NOTE_RATIO = Decimal(1000)
_SAME_ROW_RATIO = Decimal(10)


def _without_note_digits_glued(candidates: list[tuple[Decimal, ...]]) -> list[tuple[Decimal, ...]]:
    """Of several readings, the one whose figures are close when every other is far apart."""
    spreads = [_spread(c) for c in candidates]
    close = [
        c for c, s in zip(candidates, spreads, strict=True) if s is not None and s < _SAME_ROW_RATIO
    ]
    far = [s for s in spreads if s is not None and s > _GLUED_NOTE_RATIO]
    return close if len(close) == 1 and len(far) == len(candidates) - 1 else candidates


def _spread(numbers: tuple[Decimal, ...]) -> Decimal | None:
    """Largest over smallest magnitude of a row's figures (None when one is zero)."""
    sizes = [abs(n) for n in numbers]
    if not sizes or min(sizes) == 0:
        return None
    return max(sizes) / min(sizes)


def _split_with_change(
    numbers: str, change_text: str, start: int, length: int
) -> list[Cell] | None:
    change = parse_number(change_text)
    if change is None:
        return None
    fits = [
        parts
        for parts in split_run_together(numbers, 2)
        if _consistent_with_change((*parts, change))
    ]
    if len(fits) != 1:
        return None
    end = start + length
    value, prior = fits[0]
    return [
        Cell(value, start, end, decimals=_digits_after_point(value)),
        Cell(prior, start, end, decimals=_digits_after_point(prior)),
        Cell(change, start, end, percent=True, decimals=decimals_of(change_text)),
    ]


def _digits_after_point(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _consistent_with_change(numbers: tuple[Decimal, ...]) -> bool:
    if len(numbers) != 3:
        return False
    value, prior, change = numbers
    if any(_digits_after_point(n) for n in (value, prior)) and _digits_after_point(
        value
    ) != _digits_after_point(prior):
        return False
    return change_consistent(value, prior, change)


def row_multiplier(text: str, region: Region, label: str, figures_start: int) -> Decimal:
    """What a row's figures are multiplied by: the unit printed with its label (营业收入(万元),
    EPS in 分), else the last unit header of the table before them (单位:千元), else 1.
    Both table readers take a row's unit from here."""
    printed = label_unit(label)
    if printed is not None:
        return printed
    headers = list(find_unit_headers(text[region.start : figures_start]))
    return headers[-1].multiplier if headers else Decimal(1)

"""extract.load.offsets: the run-length offset map agrees with a map kept per character."""

from __future__ import annotations

import pickle
import re
from bisect import bisect_left
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from extract.load.document import read_document
from extract.load.normalise import MappedText
from extract.load.offsets import OffsetMap

ROOT = Path(__file__).resolve().parents[2]
SEED_001 = ROOT / "examples" / "filings" / "001_815c9fc6d423563f.txt"

# passes of the kinds normalisation makes: delete, replace by one, keep, replace by several
PASSES: list[tuple[re.Pattern[str], str | None]] = [
    (re.compile(r"<[^<>]*>"), " "),  # a tag stands for one space
    (re.compile(r"&amp;"), "&"),
    (re.compile(r" {2,}"), " "),
    (re.compile(r"(?<=[中文]) +| +(?=[中文])"), ""),  # spaces beside CJK go
    (re.compile(r"\d+"), None),  # matched, kept as it is
    (re.compile(r"%"), "pct"),  # one character becomes three
]


class PerCharacter:
    """The reference: every character's original [start, end), as lists."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = list(range(len(text)))
        self.ends = list(range(1, len(text) + 1))

    def sub(self, pattern: re.Pattern[str], replacement: str | None) -> None:
        text, starts, ends, pos = [], [], [], 0
        for m in pattern.finditer(self.text):
            a, b = m.span()
            if a == b:
                continue
            text.append(self.text[pos:a])
            starts += self.starts[pos:a]
            ends += self.ends[pos:a]
            new = m.group(0) if replacement is None else replacement
            text.append(new)
            if new == m.group(0):
                starts += self.starts[a:b]
                ends += self.ends[a:b]
            else:
                starts += [self.starts[a]] * len(new)
                ends += [self.ends[b - 1]] * len(new)
            pos = b
        text.append(self.text[pos:])
        starts += self.starts[pos:]
        ends += self.ends[pos:]
        self.text, self.starts, self.ends = "".join(text), starts, ends


def _both(text: str, passes: list[int]) -> tuple[MappedText, PerCharacter]:
    mapped, reference = MappedText.identity(text), PerCharacter(text)
    for index in passes:
        pattern, replacement = PASSES[index]
        mapped = mapped.sub(pattern, lambda m, r=replacement: m.group(0) if r is None else r)
        reference.sub(pattern, replacement)
    return mapped, reference


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(alphabet="ab 中文12%<>&amp;\n", max_size=80),
    passes=st.lists(st.integers(0, len(PASSES) - 1), max_size=8),
)
def test_runs_agree_with_a_map_per_character(text: str, passes: list[int]) -> None:
    mapped, reference = _both(text, passes)
    assert mapped.text == reference.text
    offsets = mapped.offsets
    assert offsets.length == len(reference.text)
    for i in range(len(reference.text)):
        assert offsets.original_span(i, i + 1) == (reference.starts[i], reference.ends[i])
    for start in range(len(reference.text)):
        for end in range(start + 1, len(reference.text) + 1):
            assert offsets.original_span(start, end) == (
                reference.starts[start],
                reference.ends[end - 1],
            )
    # the way back: the first normalised character at or after each original offset
    for original in range(len(text) + 2):
        assert offsets.first_from(original) == bisect_left(reference.starts, original)


def test_copies_merge_into_one_run() -> None:
    offsets = OffsetMap.identity(10)
    built = offsets.empty_like()
    built.extend(offsets, 0, 4)
    built.extend(offsets, 4, 10)
    assert (len(built.starts), built.length) == (1, 10)
    assert built.original_span(3, 7) == (3, 7)


def test_a_replacement_stands_for_the_whole_span() -> None:
    mapped = MappedText.identity("a&amp;b").sub(re.compile("&amp;"), lambda m: "&")
    assert mapped.text == "a&b"
    assert mapped.offsets.original_span(1, 2) == (1, 6)
    assert mapped.offsets.original_span(0, 3) == (0, 7)
    assert mapped.offsets.first_from(2) == 2  # inside the entity: the character after it


def test_spans_outside_the_text_are_refused() -> None:
    offsets = OffsetMap.identity(5)
    for start, end in ((2, 2), (-1, 3), (0, 6)):
        try:
            offsets.original_span(start, end)
        except ValueError as err:
            assert "outside normalised text of 5" in str(err)
        else:
            raise AssertionError(f"{start}:{end} accepted")


def test_the_277_page_report_needs_under_a_byte_a_character() -> None:
    doc = read_document(SEED_001)
    offsets = doc._offsets
    size = sum(a.itemsize * len(a) for a in (offsets.starts, offsets.origins, offsets.widths))
    assert size < len(doc.text)  # a list per character took 72 bytes a character
    assert offsets.starts.typecode == "i"


def test_a_map_survives_pickling_for_worker_processes() -> None:
    doc = read_document(SEED_001)
    copy = pickle.loads(pickle.dumps(doc._offsets))
    assert copy == doc._offsets
    assert copy.original_span(1000, 1100) == doc.original_span(1000, 1100)

"""Where each character of a normalised text came from in the original, stored as runs.

Normalisation copies most of a filing as it is and replaces a few stretches (markup,
full-width forms, runs of spaces). So the map is kept as runs, not per character: a run
either *copies* the original (its k-th character is original character ``origin + k``) or
*stands for* a replaced original span (each of its characters maps to the whole span). The
277-page report's 248,000 normalised characters take 20,000 runs, 12 bytes each, where a
list per character took 72 bytes a character; lookups bisect the runs.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field

_COPY = 0  # the width of a copying run; a run that stands for a span has its width (>= 1)


def _offsets(typecode: str = "i") -> array[int]:
    return array(typecode)


@dataclass(eq=True, slots=True)
class OffsetMap:
    """Runs: the k-th starts at normalised offset ``starts[k]``, maps to the original from
    ``origins[k]`` on and has ``widths[k]`` (0: copies; else the span it stands for)."""

    length: int = 0  # of the normalised text
    starts: array[int] = field(default_factory=_offsets)
    origins: array[int] = field(default_factory=_offsets)
    widths: array[int] = field(default_factory=_offsets)

    @classmethod
    def identity(cls, length: int) -> OffsetMap:
        """The map of a text to itself."""
        typecode = "i" if length < 2**31 else "q"  # 4 bytes an offset unless they need 8
        built = cls(0, _offsets(typecode), _offsets(typecode), _offsets(typecode))
        built.add(length, 0, _COPY)
        return built

    def empty_like(self) -> OffsetMap:
        """A map to build from this one: no runs, offsets as wide as this one's."""
        typecode = self.starts.typecode
        return OffsetMap(0, _offsets(typecode), _offsets(typecode), _offsets(typecode))

    def add(self, count: int, origin: int, width: int) -> None:
        """Append ``count`` characters: copying from ``origin`` (``width`` 0) or each
        standing for the original span ``[origin, origin + width)``."""
        if count <= 0:
            return
        if self.starts:
            previous = self.length - self.starts[-1]
            same_width = self.widths[-1] == width
            if same_width and width == _COPY and self.origins[-1] + previous == origin:
                self.length += count  # the copy goes on where the last one stopped
                return
            if same_width and width != _COPY and self.origins[-1] == origin:
                self.length += count  # more characters standing for the same span
                return
        self.starts.append(self.length)
        self.origins.append(origin)
        self.widths.append(width)
        self.length += count

    def extend(self, source: OffsetMap, start: int, end: int) -> None:
        """Append ``source``'s mapping of its characters ``[start, end)``."""
        run = bisect_right(source.starts, start) - 1
        position = start
        while position < end:
            stop = min(source._run_end(run), end)
            width = source.widths[run]
            origin = source.origins[run]
            if width == _COPY:
                origin += position - source.starts[run]
            self.add(stop - position, origin, width)
            position = stop
            run += 1

    def stand_for(self, count: int, source: OffsetMap, start: int, end: int) -> None:
        """Append ``count`` characters that replace ``source``'s characters ``[start, end)``:
        each maps to the whole original span those came from."""
        first, last = source.original_span(start, end)
        self.add(count, first, max(last - first, 1))

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The original span that normalised characters ``[start, end)`` came from."""
        if not 0 <= start < end <= self.length:
            raise ValueError(f"span {start}:{end} outside normalised text of {self.length}")
        return self._start_of(start), self._end_of(end - 1)

    def first_from(self, original: int) -> int:
        """The first normalised character whose original span starts at ``original`` or
        later (the length when none does)."""
        run = bisect_left(self.origins, original)
        before = run - 1
        if before >= 0 and self.widths[before] == _COPY:
            last_origin = self.origins[before] + self._run_end(before) - 1 - self.starts[before]
            if last_origin >= original:
                return self.starts[before] + original - self.origins[before]
        return self.starts[run] if run < len(self.starts) else self.length

    def _run_end(self, run: int) -> int:
        return self.starts[run + 1] if run + 1 < len(self.starts) else self.length

    def _start_of(self, index: int) -> int:
        run = bisect_right(self.starts, index) - 1
        if self.widths[run] == _COPY:
            return self.origins[run] + index - self.starts[run]
        return self.origins[run]

    def _end_of(self, index: int) -> int:
        run = bisect_right(self.starts, index) - 1
        if self.widths[run] == _COPY:
            return self.origins[run] + index - self.starts[run] + 1
        return self.origins[run] + self.widths[run]

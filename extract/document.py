"""Load a filing and normalise it for matching, keeping the way back to the original.

``Document.text`` is the normalised text every rule reads; ``Document.original`` is the
file as decoded. Each normalised character remembers the span of original characters it
came from, so any match in ``text`` maps back to the exact quote in the file.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError

DEFAULT_MAX_BYTES = 50 * 1024 * 1024

# --- decoding ----------------------------------------------------------------------------

_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)


def decode_bytes(data: bytes, name: str = "input") -> tuple[str, str]:
    """Decode a filing's bytes: BOMs first, then UTF-8, then GB18030 (a superset of GBK).

    Returns (text, encoding). Raises InputError for empty, binary or undecodable input.
    """
    if not data.strip():
        raise InputError(f"{name} is empty")
    if data.startswith(b"%PDF"):
        raise InputError(f"{name} is a PDF; give the .pdf path itself or convert it with pdftotext")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _decode_or_fail(data, encoding, name), encoding
    if b"\x00" in data[:4096]:
        raise InputError(f"{name} looks binary (NUL bytes), not a text filing")
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise InputError(f"{name} is not valid UTF-8, UTF-16 or GB18030 text; re-save it as UTF-8")


def _decode_or_fail(data: bytes, encoding: str, name: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as err:
        raise InputError(f"{name} has a {encoding} byte-order mark but invalid bytes") from err


def _looks_binary(text: str) -> bool:
    """Too many control characters for a text document."""
    sample = text[:20000]
    controls = sum(1 for c in sample if ord(c) < 32 and c not in "\n\r\t\f")
    return controls > max(10, len(sample) // 100)


# --- normalisation with an offset map ----------------------------------------------------


@dataclass
class _Mapped:
    """Text plus, per character, the [start, end) span of the original it came from."""

    text: str
    starts: list[int]
    ends: list[int]

    @classmethod
    def identity(cls, text: str) -> _Mapped:
        return cls(text, list(range(len(text))), list(range(1, len(text) + 1)))

    def sub(self, pattern: re.Pattern[str], repl: Callable[[re.Match[str]], str]) -> _Mapped:
        """Replace every match; replacement characters map to the whole matched span."""
        if pattern.search(self.text) is None:
            return self  # most passes find nothing in most filings: skip the rebuild
        out: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        pos = 0
        for m in pattern.finditer(self.text):
            a, b = m.span()
            out.append(self.text[pos:a])
            starts.extend(self.starts[pos:a])
            ends.extend(self.ends[pos:a])
            new = repl(m)
            if new == m.group(0):
                out.append(new)
                starts.extend(self.starts[a:b])
                ends.extend(self.ends[a:b])
            elif new:
                span_start = self.starts[a] if a < len(self.starts) else 0
                span_end = self.ends[b - 1] if b > a else span_start
                out.append(new)
                starts.extend([span_start] * len(new))
                ends.extend([span_end] * len(new))
            pos = b
        out.append(self.text[pos:])
        starts.extend(self.starts[pos:])
        ends.extend(self.ends[pos:])
        return _Mapped("".join(out), starts, ends)

    def translate(self, table: dict[int, str]) -> _Mapped:
        """One-to-one character replacement (keeps offsets as they are)."""
        return _Mapped(self.text.translate(table), self.starts, self.ends)


def _fullwidth_table() -> dict[int, str]:
    table = {cp: chr(cp - 0xFEE0) for cp in range(0xFF01, 0xFF5F)}
    table.update({0x3000: " ", 0x00A0: " ", 0x2002: " ", 0x2003: " ", 0x2009: " "})
    # "–" (en dash) stays: HKEX tables print it for nil, not as a minus sign
    table.update({ord("−"): "-", ord("﹣"): "-", ord("\r"): "\n"})
    return table


_FULLWIDTH = _fullwidth_table()

_HTML_BREAK = re.compile(r"</?(?:tr|table|p|br|div|h\d|li|ul|ol|thead|tbody)\b[^>]*>", re.I)
_HTML_TAG = re.compile(r"<[a-zA-Z/!][^<>]{0,400}>")
_HTML_ENTITIES = {
    "&nbsp;": " ",
    "&amp;": "&",
    "&lt;": "<",
    "&gt;": ">",
    "&quot;": '"',
    "&#39;": "'",
}
_HTML_ENTITY = re.compile("|".join(map(re.escape, _HTML_ENTITIES)))

# LaTeX as OCR tools emit it around formulas: commands to symbols, markup dropped.
_LATEX_SYMBOLS = {
    r"\geq": "≥",
    r"\leq": "≤",
    r"\ge": "≥",
    r"\le": "≤",
    r"\times": "×",
    r"\%": "%",
    r"\{": "{",
    r"\}": "}",
    r"\cdot": "·",
    r"\div": "÷",
    r"\pm": "±",
    r"\neq": "≠",
}
_LATEX_SYMBOL = re.compile(
    "|".join(re.escape(k) + (r"(?![a-zA-Z])" if k[-1].isalpha() else "") for k in _LATEX_SYMBOLS)
)
# "$" is LaTeX math only when no currency letters precede it (HK$, US$, S$ are money)
_LATEX_MARKUP = re.compile(
    r"\\(?:mathrm|mathbf|text|textbf|mathit|operatorname)\s*|(?<![A-Z])\$|_\{|\^\{"
)
_MARKDOWN = re.compile(r"\*\*|__|(?<=\n)[ \t]*(?:#{1,6}|[-*+]|>)[ \t]|\|")

# Page furniture of pdftotext output: "12 / 277", and form feeds.
_PAGE_NUMBER = re.compile(r"(?<![\d,.])(\d{1,4}) ?/ ?(\d{1,4})(?![\d,.%])")
_CJK = r"\u3400-\u9fff\uf900-\ufaff"
_SPACE_NEAR_CJK = re.compile(rf"(?<=[{_CJK}])[ \t]+|[ \t]+(?=[{_CJK}])")
_NEWLINE_IN_LABEL = re.compile(rf"(?<=[{_CJK}])[ \t]*\n[ \t]*(?=[{_CJK}])")
_SPACES = re.compile(r"[ \t\f\v]*[\t\f\v][ \t\f\v]*| {2,}")  # single spaces stay as they are
_NEWLINES = re.compile(r"[ \t]*\n[\s]*")


@dataclass(frozen=True)
class Furniture:
    """Page furniture learned from a whole document: page-number totals and running headers."""

    page_totals: frozenset[str] = frozenset()
    headers: tuple[str, ...] = ()


def learn_furniture(text: str) -> Furniture:
    """Find page numbers ``N / TOTAL`` that recur with one total, and the headers beside them."""
    pages_seen: dict[str, set[str]] = {}
    for m in _PAGE_NUMBER.finditer(text):
        if 0 < int(m.group(1)) <= int(m.group(2)):
            pages_seen.setdefault(m.group(2), set()).add(m.group(1))
    # a real page counter shows most page numbers of its total, each once or so
    totals = Counter({t: len(seen) for t, seen in pages_seen.items()})
    page_totals = frozenset(
        t for t, n in totals.items() if int(t) >= 2 and n >= max(2, int(t) // 2)
    )
    if not page_totals:
        return Furniture()
    after: Counter[str] = Counter()
    for m in _PAGE_NUMBER.finditer(text):
        if m.group(2) in page_totals:
            following = text[m.end() : m.end() + 40].strip().split(" ")
            # a running header is a short phrase right after the page number
            for width in (1, 2, 3):
                after[" ".join(following[:width])] += 1
    pages = sum(totals[t] for t in page_totals)
    headers = tuple(h for h, n in after.most_common(3) if n >= pages * 0.6 and 2 <= len(h) <= 30)
    # keep only the longest header among those that prefix one another
    headers = tuple(h for h in headers if not any(o != h and o.startswith(h) for o in headers))
    return Furniture(page_totals, headers)


def _furniture_pattern(furniture: Furniture) -> re.Pattern[str] | None:
    if not furniture.page_totals:
        return None
    totals = "|".join(sorted(furniture.page_totals))
    headers = "|".join(re.escape(h).replace(r"\ ", r"\s*") for h in furniture.headers)
    header_part = rf"(?:\s*(?:{headers}))?" if headers else ""
    return re.compile(rf"(?<![\d,.])\d{{1,4}} ?/ ?(?:{totals})(?![\d,.%]){header_part}")


def normalise(text: str, furniture: Furniture | None = None) -> _Mapped:
    """Normalise ``text`` for matching; see module docstring."""
    mapped = _Mapped.identity(text).translate(_FULLWIDTH)
    mapped = mapped.sub(_HTML_BREAK, lambda m: "\n")
    mapped = mapped.sub(_HTML_TAG, lambda m: " ")
    mapped = mapped.sub(_HTML_ENTITY, lambda m: _HTML_ENTITIES[m.group(0)])
    mapped = mapped.sub(_LATEX_SYMBOL, lambda m: _LATEX_SYMBOLS[m.group(0)])
    mapped = mapped.sub(_LATEX_MARKUP, lambda m: "")
    mapped = mapped.sub(_MARKDOWN, lambda m: " ")
    pattern = _furniture_pattern(furniture) if furniture else None
    if pattern is not None:
        mapped = mapped.sub(pattern, lambda m: " ")
    mapped = mapped.sub(_SPACES, lambda m: " ")
    mapped = mapped.sub(_NEWLINES, lambda m: "\n")
    mapped = mapped.sub(_NEWLINE_IN_LABEL, lambda m: "")
    mapped = mapped.sub(_SPACE_NEAR_CJK, lambda m: "")
    return mapped


def normalise_text(text: str, furniture: Furniture | None = None) -> str:
    """The normalised string alone (for labels, quotes and tests)."""
    return normalise(text, furniture).text


# --- the document ------------------------------------------------------------------------


@dataclass
class Document:
    """A decoded filing, its normalised text, and the map between them."""

    path: str
    original: str
    encoding: str
    sha256: str
    text: str = ""
    furniture: Furniture = field(default_factory=Furniture)
    page_starts: tuple[int, ...] = ()
    _starts: list[int] = field(default_factory=list, repr=False)
    _ends: list[int] = field(default_factory=list, repr=False)

    @classmethod
    def from_text(
        cls,
        original: str,
        *,
        path: str = "<text>",
        encoding: str = "utf-8",
        sha256: str | None = None,
        page_starts: Iterable[int] = (),
    ) -> Document:
        furniture = learn_furniture(original)
        mapped = normalise(original, furniture)
        digest = sha256 or hashlib.sha256(original.encode("utf-8")).hexdigest()
        return cls(
            path=path,
            original=original,
            encoding=encoding,
            sha256=digest,
            text=mapped.text,
            furniture=furniture,
            page_starts=tuple(page_starts),
            _starts=mapped.starts,
            _ends=mapped.ends,
        )

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a span of ``text`` to the span of ``original`` it came from."""
        if not 0 <= start < end <= len(self.text):
            raise ValueError(f"span {start}:{end} outside normalised text of {len(self.text)}")
        return self._starts[start], self._ends[end - 1]

    def normalised_span(self, start: int, end: int) -> tuple[int, int] | None:
        """Map a span of ``original`` to the normalised characters inside it (None if none)."""
        from bisect import bisect_left

        a = bisect_left(self._starts, start)
        b = bisect_left(self._starts, end)
        return (a, b) if a < b else None

    def quote(self, start: int, end: int) -> str:
        """The original characters behind ``text[start:end]``."""
        a, b = self.original_span(start, end)
        return self.original[a:b]

    def page_of(self, original_offset: int) -> int | None:
        """1-based page of an original offset, when the loader knew the pages."""
        if not self.page_starts:
            return None
        from bisect import bisect_right

        return bisect_right(self.page_starts, original_offset)


def read_document(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Document:
    """Read a filing from disk (text, markdown, HTML or PDF) into a Document."""
    name = str(path)
    if not path.exists():
        raise InputError(f"{name}: no such file")
    if path.is_dir():
        raise InputError(f"{name} is a directory; use `extract batch {name}` for a folder")
    size = path.stat().st_size
    if size > max_bytes:
        raise InputError(
            f"{name} is {_megabytes(size)}, over the {_megabytes(max_bytes)} limit "
            "(raise it with --max-mb)"
        )
    try:
        data = path.read_bytes()
    except OSError as err:
        raise InputError(f"{name}: cannot read ({err.strerror})") from err
    if path.suffix.lower() == ".pdf" or data.startswith(b"%PDF"):
        return _read_pdf_document(path, data)
    return document_from_bytes(data, name)


def _megabytes(size: int) -> str:
    """Sizes as --max-mb counts them (MiB), precise enough to tell limit and file apart."""
    return f"{size / (1024 * 1024):.3g} MB"


def document_from_bytes(data: bytes, name: str) -> Document:
    """Decode bytes (a file's or stdin's) into a Document."""
    text, encoding = decode_bytes(data, name)
    if _looks_binary(text):
        raise InputError(f"{name} looks binary, not a text filing")
    return Document.from_text(
        text, path=name, encoding=encoding, sha256=hashlib.sha256(data).hexdigest()
    )


def _read_pdf_document(path: Path, data: bytes) -> Document:
    from .pdf import read_pdf  # imported lazily: pdfium loads a native library

    pdf = read_pdf(path)
    return Document.from_text(
        pdf.text,
        path=str(path),
        encoding="pdf",
        sha256=hashlib.sha256(data).hexdigest(),
        page_starts=pdf.page_starts,
    )

"""Bytes to text: the encoding a filing is in, found or refused, never guessed silently.

Filings come as UTF-8 (with or without a byte-order mark), GB18030/GBK, Big5 or Big5-HKSCS
(Hong Kong) and UTF-16 (either byte order, with or without a mark). A mark decides. Valid
UTF-8 with two or more characters of three bytes (every CJK character is one) decides: other
encodings almost never form even one. Otherwise charset-normalizer ranks the candidates by
how messy each reading is, and the best is taken only when it is clearly right: every other
encoding that reads the bytes as different, plausible text must read clearly messier, and
where both readings have only a few non-ASCII characters nothing can tell them apart.
Anything else is a one-line error naming the candidates, so ``--encoding NAME`` can settle it.
"""

from __future__ import annotations

import codecs
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from charset_normalizer import CharsetMatch, from_bytes

from ..core.errors import InputError

# byte-order mark, the codec of the bytes after it, the name the record gives
_BOMS: tuple[tuple[bytes, str, str], ...] = (
    (b"\xef\xbb\xbf", "utf-8", "utf-8-sig"),
    (b"\xff\xfe", "utf-16-le", "utf-16"),
    (b"\xfe\xff", "utf-16-be", "utf-16"),
)
# Python codec names, as charset-normalizer knows them. GB18030 is a superset of GBK and
# GB2312; Big5 and Big5-HKSCS disagree on some symbols (①, ⑴…), so both are candidates.
_UTF16 = ("utf_16_le", "utf_16_be")
_CANDIDATES = ("utf_8", "gb18030", "big5", "big5hkscs", *_UTF16)
# charset-normalizer's mess ratio (0 clean … 1 garbage): a decoding messier than this is
# not a candidate at all (the library's default, 0.2, refuses real short snippets full of
# symbols such as □适用 √不适用); a rival within the margin of the best makes it unclear.
_MESS_LIMIT = 0.4
_MESS_MARGIN = 0.1
# Two readings with fewer non-ASCII characters than this each are too little evidence to
# choose between (a few curly quotes read as Big5 or as GB18030).
_MIN_EVIDENCE = 16
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
# Valid UTF-8 with this many characters of three bytes or more is UTF-8: in 286,000 random
# snippets of the corpus in GB18030 and Big5, none formed valid UTF-8 with more than one.
_UTF8_WIDE = 2
_WIDE = re.compile(r"[^\x00-\u07ff]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")


@dataclass(frozen=True)
class Decoded:
    """A filing's text and the name of the encoding it was decoded with."""

    text: str
    encoding: str


def decode_bytes(data: bytes, name: str = "input", encoding: str | None = None) -> Decoded:
    """Decode a filing's bytes, in ``encoding`` when given, else in the encoding found.

    Raises InputError for empty, PDF or binary input, bytes invalid in the given encoding,
    and bytes whose encoding is unclear (the message names the candidates).
    """
    if not data.strip():
        raise InputError(f"{name} is empty")
    if data.startswith(b"%PDF"):
        raise InputError(f"{name} is a PDF; give the .pdf path itself or convert it with pdftotext")
    if encoding is not None:
        return Decoded(_decode_as(data, encoding, name), _codec_name(encoding))
    for bom, codec, marked in _BOMS:
        if data.startswith(bom):
            return Decoded(_decode_as(data, codec, name, after_bom=len(bom)), marked)
    utf8 = _try_decode(data, "utf-8")
    if utf8 is not None and _clearly_utf8(utf8):
        return Decoded(utf8, "utf-8")
    # a few non-ASCII characters: GB18030 or Big5 can form valid UTF-8 by chance; and
    # valid UTF-8 full of control characters is binary, or UTF-16 without a mark
    return _detect(data, name, valid_utf8=utf8 is not None)


def _codec_name(encoding: str) -> str:
    """The canonical name of an encoding (``GBK`` → ``gbk``, ``utf_16_le`` → ``utf-16-le``).

    Raises InputError for a name Python does not know.
    """
    try:
        return codecs.lookup(encoding).name
    except LookupError as err:
        raise InputError(
            f"unknown encoding {encoding!r}; give a name such as utf-8, gb18030, big5, "
            "big5hkscs, utf-16-le or utf-16-be"
        ) from err


def looks_binary(text: str) -> bool:
    """NUL characters, or too many control characters for a text document."""
    sample = text[:20000]
    return "\x00" in sample or len(_CONTROL.findall(sample)) > max(10, len(sample) // 100)


def _clearly_utf8(text: str) -> bool:
    return _plausible(text) and (text.isascii() or _has(_WIDE, text, _UTF8_WIDE))


def _plausible(text: str) -> bool:
    """Could be a filing: no NUL, at most one control character in a hundred (stricter
    than :func:`looks_binary`, so that a few bytes of UTF-16 never pass as ASCII)."""
    sample = text[:20000]
    return "\x00" not in sample and len(_CONTROL.findall(sample)) * 100 <= len(sample)


@dataclass(frozen=True)
class _Reading:
    """The bytes read in one encoding, and how messy charset-normalizer found that reading."""

    encoding: str
    text: str
    mess: float


def _detect(data: bytes, name: str, *, valid_utf8: bool) -> Decoded:
    """The encoding charset-normalizer ranks first, if it is clearly right."""
    # a filing never holds NUL characters: NUL bytes can only be half of a UTF-16 unit
    candidates = _UTF16 if b"\x00" in data else _CANDIDATES
    ranked = from_bytes(data, cp_isolation=list(candidates), threshold=_MESS_LIMIT)
    best = next(filter(None, (_reading(data, match) for match in ranked)), None)
    if best is None:
        raise _undetected(data, name, valid_utf8)
    return _unless_unclear(data, name, best, _mess_by_encoding(ranked), candidates)


def _undetected(data: bytes, name: str, valid_utf8: bool) -> InputError:
    """No candidate reads as plausible text: binary, or an encoding we do not look for."""
    if b"\x00" in data:
        return InputError(f"{name} looks binary (NUL bytes), not a text filing")
    if valid_utf8:  # ASCII control characters
        return InputError(f"{name} looks binary, not a text filing")
    return InputError(
        f"{name} is not valid UTF-8, GB18030, Big5 or UTF-16 text; "
        "re-save it as UTF-8 or give --encoding NAME"
    )


def _mess_by_encoding(ranked: Iterable[CharsetMatch]) -> dict[str, float]:
    """How messy each encoding charset-normalizer listed reads (unlisted: messier still)."""
    return {encoding: m.chaos for m in ranked for encoding in m.could_be_from_charset}


def _reading(data: bytes, match: CharsetMatch) -> _Reading | None:
    """The whole of ``data`` in the match's encoding (the detector samples), if plausible."""
    text = _try_decode(data, match.encoding)
    return _Reading(match.encoding, text, match.chaos) if text and _plausible(text) else None


def _unless_unclear(
    data: bytes, name: str, best: _Reading, mess: dict[str, float], candidates: tuple[str, ...]
) -> Decoded:
    """``best``, or an InputError naming it and its rivals when it is not clearly right."""
    rivals = _rivals(data, best, mess, candidates)
    if rivals:
        readings = [(best, rivals[0].text), *((rival, best.text) for rival in rivals)]
        options = " or ".join(
            f"{_codec_name(r.encoding)} ({_preview(r.text, other)})" for r, other in readings
        )
        raise InputError(f"{name}: cannot tell its encoding, {options}; give --encoding NAME")
    return Decoded(best.text, _codec_name(best.encoding))


def _rivals(
    data: bytes, best: _Reading, mess: dict[str, float], candidates: tuple[str, ...]
) -> list[_Reading]:
    """Other encodings that read ``data`` as different, plausible text the best does not
    clearly beat: one listed within the mess margin, or any at all when neither reading
    has enough non-ASCII characters for the mess to mean anything."""
    best_has_evidence = _has(_NON_ASCII, best.text, _MIN_EVIDENCE)
    rivals: list[_Reading] = []
    for encoding in candidates:
        close = encoding in mess and mess[encoding] - best.mess < _MESS_MARGIN
        if encoding == best.encoding or (best_has_evidence and not close):
            continue
        alt = _try_decode(data, encoding)
        if alt is None or alt == best.text or not _plausible(alt):
            continue
        if close or not _has(_NON_ASCII, alt, _MIN_EVIDENCE):
            rivals.append(_Reading(encoding, alt, mess.get(encoding, _MESS_LIMIT)))
    return rivals


def _has(pattern: re.Pattern[str], text: str, count: int) -> bool:
    """``pattern`` matches at least ``count`` times in ``text`` (stops looking there)."""
    return sum(1 for _ in itertools.islice(pattern.finditer(text), count)) >= count


def _preview(text: str, other: str, width: int = 8) -> str:
    """A few characters of ``text`` from where it first differs from ``other``."""
    at = next((i for i, (a, b) in enumerate(zip(text, other, strict=False)) if a != b), 0)
    return "".join(c if c.isprintable() else "?" for c in text[at : at + width])


def _try_decode(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def _decode_as(data: bytes, encoding: str, name: str, *, after_bom: int = 0) -> str:
    """Decode strictly (what follows a byte-order mark of ``after_bom`` bytes); a byte that
    does not fit is an error saying where it is."""
    codec = _codec_name(encoding)  # an unknown name is a one-line error too
    try:
        return str(memoryview(data)[after_bom:], codec)
    except UnicodeDecodeError as err:
        mark = "has a byte-order mark but " if after_bom else ""
        raise InputError(
            f"{name} {mark}is not valid {codec} text (byte {after_bom + err.start}); "
            "give the right --encoding or re-save it as UTF-8"
        ) from err

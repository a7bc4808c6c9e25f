"""Bytes to text: byte-order marks, then UTF-8, then GB18030; empty and binary input refused."""

from __future__ import annotations

from ..core.errors import InputError

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


def looks_binary(text: str) -> bool:
    """Too many control characters for a text document."""
    sample = text[:20000]
    controls = sum(1 for c in sample if ord(c) < 32 and c not in "\n\r\t\f")
    return controls > max(10, len(sample) // 100)

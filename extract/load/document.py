"""Load a filing: read it, decode or take its PDF text layer, normalise it; keep the way back.

``Document.text`` is the normalised text every rule reads; ``Document.original`` is the
file as decoded. Each normalised character remembers the span of original characters it
came from, so any match in ``text`` maps back to the exact quote in the file.
``Document.tables`` holds the tables the loader could see as grids (a PDF's geometry, HTML
``<table>``, Markdown pipe tables), their cells' spans pointing into ``original`` too.

Text carrying HTML (a whole page, or tags in OCR markdown) is read by the HTML parser first,
whatever the file's name: normalisation works on the text a reader sees, and the map from
it to ``original`` is the parser's, so quotes stay exact substrings of the file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..core.errors import InputError
from ..core.table import Table
from .decode import decode_bytes, looks_binary
from .finglm import looks_like_finglm, read_finglm
from .html import HtmlText, has_markup, read_html
from .markdown import markdown_tables
from .normalise import Furniture, learn_furniture, normalise
from .offsets import OffsetMap

DEFAULT_MAX_BYTES = 50 * 1024 * 1024


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
    tables: tuple[Table, ...] = ()
    _offsets: OffsetMap = field(default_factory=OffsetMap, repr=False)

    @classmethod
    def from_text(
        cls,
        original: str,
        *,
        path: str = "<text>",
        encoding: str = "utf-8",
        sha256: str | None = None,
        page_starts: Iterable[int] = (),
        tables: Iterable[Table] = (),
    ) -> Document:
        visible = read_html(original) if has_markup(original) else HtmlText.plain(original)
        found = [*visible.tables, *markdown_tables(visible.text, visible.offsets)]
        furniture = learn_furniture(visible.text)
        mapped = normalise(visible.text, furniture, visible.offsets)
        digest = sha256 or hashlib.sha256(original.encode("utf-8")).hexdigest()
        return cls(
            path=path,
            original=original,
            encoding=encoding,
            sha256=digest,
            text=mapped.text,
            furniture=furniture,
            page_starts=tuple(page_starts),
            tables=tuple(sorted([*tables, *found], key=lambda table: table.start)),
            _offsets=mapped.offsets,
        )

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a span of ``text`` to the span of ``original`` it came from."""
        return self._offsets.original_span(start, end)

    def normalised_span(self, start: int, end: int) -> tuple[int, int] | None:
        """Map a span of ``original`` to the normalised characters inside it (None if none)."""
        a, b = self._offsets.first_from(start), self._offsets.first_from(end)
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


def read_document(
    path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES, encoding: str | None = None
) -> Document:
    """Read a filing from disk (text, markdown, HTML, FinGLM JSON lines or PDF) into a Document.

    ``encoding`` forces the text encoding (a PDF carries its own); by default it is found.
    """
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
    if path.suffix.lower() == ".pdf" or _read_bytes(path, 4) == b"%PDF":
        return _read_pdf_document(path)
    # the bytes go straight to the decoder, which lets them go before normalising
    return document_from_bytes(_read_bytes(path), name, encoding)


def _read_bytes(path: Path, size: int = -1) -> bytes:
    """The file's bytes (the first ``size`` of them when given)."""
    try:
        with path.open("rb") as handle:
            return handle.read(size)
    except OSError as err:
        raise InputError(f"{path}: cannot read ({err.strerror})") from err


def _megabytes(size: int) -> str:
    """Sizes as --max-mb counts them (MiB), precise enough to tell limit and file apart."""
    return f"{size / (1024 * 1024):.3g} MB"


def document_from_bytes(data: bytes, name: str, encoding: str | None = None) -> Document:
    """Decode bytes (a file's or stdin's) into a Document; ``encoding`` forces one."""
    decoded = decode_bytes(data, name, encoding)
    digest = hashlib.sha256(data).hexdigest()
    del data  # as large as the text: gone before normalising, unless the caller keeps it
    if looks_binary(decoded.text):
        raise InputError(f"{name} looks binary, not a text filing")
    if looks_like_finglm(decoded.text):  # by content: FinGLM files come as .txt, .json, .jsonl
        return _finglm_document(decoded.text, name, digest)
    return Document.from_text(decoded.text, path=name, encoding=decoded.encoding, sha256=digest)


def _finglm_document(text: str, name: str, digest: str) -> Document:
    """A FinGLM file's lines rendered as text and tables, like a PDF's (``finglm``)."""
    rendered = read_finglm(text, name)
    return Document.from_text(
        rendered.text,
        path=name,
        encoding="finglm",
        sha256=digest,
        page_starts=rendered.page_starts,
        tables=rendered.tables,
    )


def _read_pdf_document(path: Path) -> Document:
    from .pdf import read_pdf  # imported lazily: pdfium loads a native library

    pdf = read_pdf(path)
    return Document.from_text(
        pdf.text,
        path=str(path),
        encoding="pdf",
        sha256=hashlib.sha256(_read_bytes(path)).hexdigest(),
        page_starts=pdf.page_starts,
        tables=pdf.tables,
    )

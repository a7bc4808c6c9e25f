"""Read the text layer of a PDF filing with PDFium (pypdfium2), page by page.

The text is what PDFium decodes, in the PDF's content-stream order, which keeps a
table row on one line ("营业收入（元） 274,816,055.36 …"); a page whose lines are drawn
right to left is put back in reading order (``reading_order``). Only library artefacts are
repaired here; every other normalisation (full-width forms, spaces inside numbers,
…) belongs to the document module, so offsets stay close to the decoded text.

Pages are joined with :data:`PAGE_SEPARATOR` (``"\\n\\f\\n"``): a form feed on a line of
its own, like pdftotext's page break, so a reader can split pages on ``"\\f"``.
:attr:`PdfText.page_starts` is the authoritative page map, though: page text itself
is not scanned for form feeds.

Time is bounded per file by checking the clock between pages. PDFium cannot be
interrupted inside one page, so a single pathological page can still overrun; run
the reader in a subprocess if a hard kill is needed.

PDFium is not thread-safe, not even across different documents (a concurrent call
can crash the process), so :func:`read_pdf` holds a process-wide lock: threads
calling it are serialised. Use processes to read PDFs in parallel.

Tables come from the same pass: on every page that prints figures, the characters' boxes
and the page's ruling lines are read (``pdf_geometry``) and turned into tables
(``pdf_tables``), whose cells point into the text returned here.
"""

from __future__ import annotations

import re
import threading
import time
from bisect import bisect_right
from dataclasses import dataclass, replace
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from extract.core.errors import InputError
from extract.core.table import Table, join_continued

from .pages import FURNITURE_CHARS, PAGE_SEPARATOR, pages_joined
from .pdf_geometry import page_glyphs, page_lines, rules_from_lines
from .pdf_tables import page_tables
from .reading_order import in_reading_order

MIN_CHARS_PER_PAGE = 20
"""Below this average of visible characters per page the PDF is treated as scanned.

The corpus's sparsest page (a cover) has 47; a scanned report usually has none, or
only a page number per page.
"""

# PDFium marks a hyphen it guesses to be a line-break hyphen with U+FFFE
# (FPDFText_GetText) or U+0002 (bounded text); the PDF itself has a plain "-"
# there (poppler and MuPDF both print "-", e.g. "lock-up" in d06).
_ARTEFACTS = str.maketrans({"\ufffe": "-", "\x02": "-", "\x00": None})

# Every PDFium call in this process goes through this lock (see module docstring).
_PDFIUM_LOCK = threading.Lock()

# A page worth reading as tables prints at least this many figures (1.23 / 0.005 / 1,234): most
# pages of prose are skipped, which keeps a 300-page report fast.
_FIGURES = re.compile(r"\d\.\d{2,4}(?!\d)|\d,\d{3}(?!\d)")
_MIN_FIGURES = 4


@dataclass(frozen=True)
class PdfText:
    """Decoded text of a PDF: pages joined by :data:`PAGE_SEPARATOR`."""

    text: str
    page_starts: tuple[int, ...]
    """Offset in :attr:`text` where each page starts; ``page_starts[0] == 0``."""
    tables: tuple[Table, ...] = ()
    """Tables found on the pages, joined across page breaks; spans are into :attr:`text`."""

    @property
    def page_count(self) -> int:
        """Number of pages read (fewer than the PDF has if ``max_pages`` cut it)."""
        return len(self.page_starts)

    def page_of(self, offset: int) -> int:
        """1-based page holding ``text[offset]``; a separator counts with the page before it.

        ``offset == len(text)`` (an end offset) maps to the last page.
        """
        if not 0 <= offset <= len(self.text):
            raise ValueError(f"offset {offset} outside text of length {len(self.text)}")
        return bisect_right(self.page_starts, offset)

    def page_text(self, page: int) -> str:
        """Text of 1-based ``page``, without the separator."""
        if not 1 <= page <= self.page_count:
            raise ValueError(f"page {page} outside 1..{self.page_count}")
        start = self.page_starts[page - 1]
        if page == self.page_count:
            return self.text[start:]
        return self.text[start : self.page_starts[page] - len(PAGE_SEPARATOR)]


def read_pdf(
    path: Path, *, timeout_s: float = 60.0, max_pages: int | None = None, tables: bool = True
) -> PdfText:
    """Decode the text layer of the first ``max_pages`` pages (all if None) of ``path``,
    and, unless ``tables`` is False, the tables its pages draw.

    Raises :class:`InputError` with a one-line message if the file is missing, empty,
    an HTML page or text under a .pdf name, not a PDF or damaged, password-protected,
    has no text layer (scanned), or takes longer than ``timeout_s`` seconds (checked
    between pages).
    """
    if max_pages is not None and max_pages < 1:
        raise ValueError(f"max_pages must be at least 1, not {max_pages}")
    with _PDFIUM_LOCK:
        started = time.monotonic()  # after the wait: the bound is on this file's own work
        pdf = _open(path)
        try:
            pages = _read_pages(pdf, path, started, timeout_s, max_pages, tables)
        finally:
            pdf.close()
    _check_text_layer(path, [page.text for page in pages])
    return _join(pages)


def _open(path: Path) -> pdfium.PdfDocument:
    """Open ``path`` with PDFium, turning its load errors into :class:`InputError`."""
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    if path.stat().st_size == 0:
        raise InputError(f"{path}: file is empty")
    try:
        return pdfium.PdfDocument(path)
    except pdfium.PdfiumError as exc:
        raise InputError(f"{path}: {_not_a_pdf(path) or _load_error(exc.err_code)}") from exc
    except OSError as exc:
        raise InputError(f"{path}: cannot read file ({exc.strerror or exc})") from exc


_HTML_START = re.compile(
    rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|title)\b", re.I | re.S
)


def _not_a_pdf(path: Path) -> str | None:
    """What a file PDFium cannot open is instead, when its first bytes say so: an HTML page
    (an exchange's error page saved under the filing's .pdf name) or plain text."""
    try:
        with path.open("rb") as handle:
            head = handle.read(1024)
    except OSError:
        return None
    if b"%PDF" in head:
        return None  # a PDF, damaged
    if _HTML_START.match(head.removeprefix(b"\xef\xbb\xbf")):
        return "an HTML page saved as .pdf (a failed download?), not a PDF; download it again"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as err:
        if err.start < len(head) - 3:  # not just a character cut at the 1,024th byte
            return None
    return "text saved as .pdf, not a PDF"


def _load_error(err_code: int | None) -> str:
    """Say what to do about a PDFium document-load error code."""
    if err_code == pdfium_c.FPDF_ERR_PASSWORD:
        return (
            "PDF is encrypted with a password; decrypt it first "
            "(e.g. qpdf --decrypt --password=PW in.pdf out.pdf)"
        )
    if err_code == pdfium_c.FPDF_ERR_SECURITY:
        return "PDF uses an unsupported encryption scheme; decrypt it first"
    if err_code == pdfium_c.FPDF_ERR_FORMAT:
        return "not a PDF, or the PDF is damaged or truncated"
    return f"cannot open PDF (PDFium error code {err_code})"


@dataclass(frozen=True)
class _Page:
    text: str
    tables: list[Table]


def _read_pages(
    pdf: pdfium.PdfDocument,
    path: Path,
    started: float,
    timeout_s: float,
    max_pages: int | None,
    tables: bool,
) -> list[_Page]:
    """Each page, checking the time bound before the first page and after each one."""
    total = len(pdf)
    if total == 0:
        raise InputError(f"{path}: PDF has no pages")
    wanted = total if max_pages is None else min(total, max_pages)
    pages: list[_Page] = []
    _check_time(path, started, timeout_s, 0, wanted)
    for index in range(wanted):
        pages.append(_read_page(pdf, index, tables))
        _check_time(path, started, timeout_s, index + 1, wanted)
    return pages


def _check_time(path: Path, started: float, timeout_s: float, done: int, wanted: int) -> None:
    elapsed = time.monotonic() - started
    if elapsed > timeout_s:
        raise InputError(
            f"{path}: reading took over {timeout_s:g} s ({done} of {wanted} pages read); "
            "raise the time limit or read fewer pages"
        )


def _read_page(pdf: pdfium.PdfDocument, index: int, tables: bool) -> _Page:
    """Text of 0-based page ``index``, with "\\n" line ends and PDFium's artefacts repaired,
    and the tables it draws (spans into that text)."""
    page = pdf[index]
    textpage = page.get_textpage()
    try:
        # get_text_range keeps the line breaks PDFium infers; get_text_bounded drops
        # some and glues table cells together ("102, 438, 819. 38740, 539, …" in d02).
        raw, moved = in_reading_order(textpage.raw, textpage.get_text_range())
        found: list[Table] = []
        if tables and len(_FIGURES.findall(raw)) >= _MIN_FIGURES:
            horizontal, vertical = rules_from_lines(page_lines(page.raw))
            glyphs = page_glyphs(textpage.raw, raw, moved)
            found = page_tables(glyphs, horizontal, vertical, index + 1)
    finally:
        textpage.close()
        page.close()
    text = raw.replace("\r\n", "\n").replace("\r", "\n").translate(_ARTEFACTS)
    return _Page(text, found)


def _check_text_layer(path: Path, pages: list[str]) -> None:
    """Refuse a PDF whose pages carry (almost) no visible characters."""
    # isprintable() is False for private-use code points too, which is what an
    # undecodable font without a ToUnicode map yields: no usable text layer either.
    visible = sum(1 for page in pages for char in page if char.isprintable() and not char.isspace())
    if visible < MIN_CHARS_PER_PAGE * len(pages):
        raise InputError(f"{path}: has no text layer (scanned?); OCR it first")


def _join(pages: list[_Page]) -> PdfText:
    text, starts, tables = pages_joined([(page.text, _at_page_edges(page)) for page in pages])
    return PdfText(text=text, page_starts=starts, tables=tuple(join_continued(tables)))


def _at_page_edges(page: _Page) -> list[Table]:
    """The page's tables: the first keeps ``continued`` (it opens with a row of its body)
    only when nothing but furniture stands above it, and may otherwise open with a header
    repeated from the page before; the last is marked ``ends_page`` when nothing but
    furniture follows it."""
    tables = list(page.tables)
    if not tables:
        return tables

    def visible(text: str) -> int:
        return sum(not char.isspace() for char in text)

    if visible(page.text[: tables[0].start]) > FURNITURE_CHARS:
        tables[0] = replace(tables[0], continued=False)  # a heading or prose stands above it
    elif not tables[0].continued:
        tables[0] = replace(tables[0], repeats_header=True)
    if visible(page.text[tables[-1].end :]) <= FURNITURE_CHARS:
        tables[-1] = replace(tables[-1], ends_page=True)
    return tables

"""Tests for extract.load.pdf on the real corpus and on small generated bad files."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from shared_files import CORPUS_DIR, corpus_file, need

from extract.core.errors import InputError
from extract.load.pages import PAGE_SEPARATOR
from extract.load.pdf import PdfText, read_pdf

ROOT = Path(__file__).resolve().parents[2]
D05 = "d05_huiwei_002888_ar2019.pdf"
D06 = "d06_catl_03750_allotment_results_2025.pdf"
D07 = "d07_haitian_03288_stabilisation_end_2025.pdf"

LINES = [
    "Revenue 274,816,055.36 yuan",
    "Net profit 26,160,244.60 yuan",
    "Dividend 2 yuan per 10 shares",
]


# --- tiny PDF writer: a one-page Helvetica PDF, optionally RC4-encrypted -------------
# Written here rather than with pikepdf/qpdf so the tests need no extra dependency.
# Encryption is the PDF 1.4 standard security handler, revision 2 (40-bit RC4),
# ISO 32000-1 §7.6.3, algorithms 2, 3 and 4; PDFium and pdfminer both read it.

_PAD = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")
_FILE_ID = hashlib.md5(b"extract.pdf test fixture").digest()
_PERMISSIONS = -4  # every permission granted


def _rc4(key: bytes, data: bytes) -> bytes:
    state = list(range(256))
    j = 0
    for i in range(256):
        j = (j + state[i] + key[i % len(key)]) % 256
        state[i], state[j] = state[j], state[i]
    out = bytearray()
    i = j = 0
    for byte in data:
        i = (i + 1) % 256
        j = (j + state[i]) % 256
        state[i], state[j] = state[j], state[i]
        out.append(byte ^ state[(state[i] + state[j]) % 256])
    return bytes(out)


def _encryption(user_password: str, owner_password: str) -> tuple[bytes, bytes]:
    """The /Encrypt dictionary and the 40-bit file key."""
    user = (user_password.encode() + _PAD)[:32]
    owner_key = hashlib.md5((owner_password.encode() + _PAD)[:32]).digest()[:5]
    o_value = _rc4(owner_key, user)
    permissions = _PERMISSIONS.to_bytes(4, "little", signed=True)
    key = hashlib.md5(user + o_value + permissions + _FILE_ID).digest()[:5]
    u_value = _rc4(key, _PAD)
    encrypt = b"<< /Filter /Standard /V 1 /R 2 /O <%s> /U <%s> /P %d >>" % (
        o_value.hex().encode(),
        u_value.hex().encode(),
        _PERMISSIONS,
    )
    return encrypt, key


def make_pdf(
    lines: list[str], user_password: str | None = None, owner_password: str = "owner"
) -> bytes:
    """A one-page PDF showing ``lines``; encrypted when ``user_password`` is not None."""
    shown = b" ".join(b"(%s) '" % line.encode() for line in lines)  # ' = next line, show
    content = b"BT /F1 12 Tf 20 150 Td 14 TL " + shown + b" ET"
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        4: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    }
    trailer_extra = b""
    if user_password is not None:
        objects[6], key = _encryption(user_password, owner_password)
        trailer_extra = b" /Encrypt 6 0 R"
        # Per-object key for object 5, generation 0 (algorithm 1).
        salt = (5).to_bytes(3, "little") + (0).to_bytes(2, "little")
        object_key = hashlib.md5(key + salt).digest()[:10]
        content = _rc4(object_key, content)
    objects[5] = b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content)
    out = bytearray(b"%PDF-1.4\n")
    offsets = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, objects[number])
    xref = len(out)
    size = max(objects) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    out += b"".join(b"%010d 00000 n \n" % offsets[number] for number in range(1, size))
    file_id = _FILE_ID.hex().encode()
    out += b"trailer\n<< /Size %d /Root 1 0 R /ID [<%s> <%s>]%s >>\nstartxref\n%d\n%%%%EOF\n" % (
        size,
        file_id,
        file_id,
        trailer_extra,
        xref,
    )
    return bytes(out)


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.fixture(scope="module")
def d05() -> PdfText:
    return read_pdf(corpus_file(D05))


# --- corpus --------------------------------------------------------------------------


def test_page_count_matches_pdfium(d05: PdfText) -> None:
    assert d05.page_count == 158
    assert d05.page_starts[0] == 0
    assert d05.text.count("\f") == 157


def test_page_of_maps_offsets_to_pages(d05: PdfText) -> None:
    for page in (1, 2, 6, 158):
        start = d05.page_starts[page - 1]
        assert d05.page_of(start) == page
        assert d05.page_of(start + 5) == page
    # A separator belongs to the page before it.
    end_of_page_1 = d05.page_starts[1] - len(PAGE_SEPARATOR)
    assert d05.text[end_of_page_1 : d05.page_starts[1]] == "\n\f\n"  # documented separator
    assert d05.page_of(end_of_page_1) == 1
    assert d05.page_of(d05.page_starts[1] - 1) == 1
    assert d05.page_of(len(d05.text)) == 158
    with pytest.raises(ValueError):
        d05.page_of(len(d05.text) + 1)
    with pytest.raises(ValueError):
        d05.page_of(-1)


def test_known_figures_on_their_pages(d05: PdfText) -> None:
    assert "广州惠威电声科技股份有限公司" in d05.page_text(1)
    revenue = d05.text.index("274,816,055.36")
    assert d05.page_of(revenue) == 6
    # PDFium keeps the table row on one line: label, then this year's value.
    line_start = d05.text.rindex("\n", 0, revenue) + 1
    assert d05.text[line_start:revenue] == "营业收入（元） "
    assert "以 124,676,400 股为基数" in d05.page_text(2)


def test_adjacent_table_cells_stay_apart() -> None:
    """Two stacked cells of d02's equity table must not be glued into one number."""
    d02 = read_pdf(corpus_file("d02_jianxin_300107_ar2019.pdf"), max_pages=89)
    page = d02.page_text(89)
    assert "102, 438, 819. 38\n740, 539, 582. 77" in page
    assert "38740" not in page


def test_line_endings_and_artefacts_are_cleaned(d05: PdfText) -> None:
    assert "\r" not in d05.text
    assert "\x00" not in d05.text
    d06 = read_pdf(corpus_file(D06))
    assert "\ufffe" not in d06.text
    assert "lock-up" in d06.text


def test_max_pages_stops_early() -> None:
    first = read_pdf(corpus_file(D05), max_pages=3)
    assert first.page_count == 3
    assert "\f" not in first.page_text(3)
    assert first.text == read_pdf(corpus_file(D05)).text[: len(first.text)]


def test_chinese_file_name(tmp_path: Path) -> None:
    """Filings are often saved under their Chinese titles."""
    path = _write(tmp_path, "海天 穩價期終.pdf", corpus_file(D07).read_bytes())
    assert "佛山市海天調味食品股份有限公司" in read_pdf(path).text


THREADED_READS = """
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
import sys
from extract.load.pdf import read_pdf
files = sorted(Path(sys.argv[1]).glob("d0[5-8]*.pdf"))
assert files, sys.argv[1]
want = {f: read_pdf(f).text for f in files}
with ThreadPoolExecutor(8) as pool:
    got = list(pool.map(lambda f: (f, read_pdf(f).text), files * 4))
print(all(want[f] == text for f, text in got))
"""


def test_threads_are_serialised() -> None:
    """Concurrent PDFium calls crash the interpreter, so run them in a child process."""
    child = subprocess.run(
        [sys.executable, "-c", THREADED_READS, str(need(CORPUS_DIR))],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert child.returncode == 0, child.stderr[-500:]
    assert child.stdout.strip() == "True"


def test_time_bound_raises_between_pages() -> None:
    with pytest.raises(InputError, match=r"took over 1e-09 s \(0 of 158 pages read\)"):
        read_pdf(corpus_file(D05), timeout_s=1e-9)


# --- bad input -----------------------------------------------------------------------


def test_generated_pdf_reads(tmp_path: Path) -> None:
    """The writer itself works, so the failures below come from what they test."""
    text = read_pdf(_write(tmp_path, "plain.pdf", make_pdf(LINES))).text
    assert text == "\n".join(LINES)


def test_encrypted_pdf(tmp_path: Path) -> None:
    path = _write(tmp_path, "locked.pdf", make_pdf(LINES, user_password="secret"))
    # Really encrypted, not just broken: the right password opens it.
    unlocked = pdfium.PdfDocument(path, password="secret")
    assert "274,816,055.36" in unlocked[0].get_textpage().get_text_range()
    unlocked.close()
    message = r"^\S+locked\.pdf: PDF is encrypted with a password; decrypt it first"
    with pytest.raises(InputError, match=message):
        read_pdf(path)


def test_owner_password_only_pdf_reads(tmp_path: Path) -> None:
    """Permission-restricted filings (empty user password) are common and must read."""
    path = _write(tmp_path, "restricted.pdf", make_pdf(LINES, user_password=""))
    assert read_pdf(path).text == "\n".join(LINES)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("garbage.pdf", bytes(range(256)) * 4),
        ("truncated.pdf", make_pdf(LINES)[:300]),
        ("header-only.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"),
    ],
)
def test_broken_file(tmp_path: Path, name: str, data: bytes) -> None:
    with pytest.raises(InputError, match=r"not a PDF, or the PDF is damaged or truncated$"):
        read_pdf(_write(tmp_path, name, data))


# What an exchange's site serves instead of a filing that failed to download.
ERROR_PAGE = (
    b'<!DOCTYPE html>\n<html>\n<head><meta charset="utf-8"><title>404 Not Found</title></head>\n'
    b"<body><h1>\xe9\xa1\xb5\xe9\x9d\xa2\xe4\xb8\x8d\xe5\xad\x98\xe5\x9c\xa8</h1></body>\n</html>\n"
)


@pytest.mark.parametrize(
    "data",
    [
        ERROR_PAGE,
        b"\xef\xbb\xbf" + ERROR_PAGE,
        b"\n  <html><body>Service Unavailable</body></html>",
    ],
)
def test_an_html_page_named_pdf_says_so(tmp_path: Path, data: bytes) -> None:
    with pytest.raises(InputError, match=r"an HTML page saved as \.pdf \(a failed download\?\)"):
        read_pdf(_write(tmp_path, "600000_2023_ar.pdf", data))


def test_text_named_pdf_says_so(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"text saved as \.pdf, not a PDF$"):
        read_pdf(_write(tmp_path, "notes.pdf", "这不是PDF文件\n".encode() * 40))


def test_empty_and_missing_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="file is empty"):
        read_pdf(_write(tmp_path, "empty.pdf", b""))
    with pytest.raises(InputError, match="no such file"):
        read_pdf(tmp_path / "absent.pdf")


def test_blank_pdf_has_no_text_layer(tmp_path: Path) -> None:
    pdf = pdfium.PdfDocument.new()
    for _ in range(3):
        pdf.new_page(595, 842)
    path = tmp_path / "scan.pdf"
    pdf.save(path)
    pdf.close()
    with pytest.raises(InputError, match=r"has no text layer \(scanned\?\); OCR it first$"):
        read_pdf(path)


def test_sparse_text_counts_as_scanned(tmp_path: Path) -> None:
    """A page number per page is not a text layer; a real page of text is."""
    with pytest.raises(InputError, match="has no text layer"):
        read_pdf(_write(tmp_path, "page-number.pdf", make_pdf(["- 1 -"])))
    one_line = _write(tmp_path, "one-line.pdf", make_pdf(["Revenue 274,816,055.36"]))
    assert read_pdf(one_line).page_count == 1


def test_messages_are_one_line(tmp_path: Path) -> None:
    bad = [
        _write(tmp_path, "a.pdf", b"junk"),
        _write(tmp_path, "b.pdf", make_pdf(LINES, user_password="pw")),
        _write(tmp_path, "c.pdf", make_pdf(["1"])),
    ]
    for path in bad:
        with pytest.raises(InputError) as caught:
            read_pdf(path)
        assert "\n" not in str(caught.value)
        assert str(caught.value).startswith(str(path))

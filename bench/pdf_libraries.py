"""Compare PDF text-layer libraries on the real filings in examples/corpus.

Run from the repository root:  python bench/pdf_libraries.py [--libs NAME ...] [--files GLOB]

Each library decodes every page of every corpus PDF; the result is compared with the
poppler ``pdftotext`` rendering beside each PDF (``*.txt``, pages split on form feeds):

- seconds, pages/s: wall time to open the PDF and decode all pages (one run, warm disk cache);
- CJK+digit recall / precision: multiset overlap of CJK ideographs and digits with the
  .txt, so whitespace, line breaks and reading order do not count;
- order: mean difflib ratio against the .txt on up to 12 evenly spaced pages, with all
  whitespace removed. It measures agreement with poppler's reading order, which is not
  ground truth (poppler splits table labels from their values);
- figures: how many key figures, verbatim, appear in the decoded text: the ones named in
  MANIFEST.md plus 8 numbers with thousands separators sampled from the .txt;
- glued: places where two amounts run together with no break between them, e.g.
  "819. 38740, 539" for the cells "…819. 38" and "740, 539…" (a wrong figure downstream);
- row: whether the 营业收入 row of the 主要会计数据 table keeps label and value on one line
  (annual reports only), which is what label/value pairing downstream relies on.

Tables (cells from the page geometry) are compared separately: bench/pdf_tables.py.
"""

from __future__ import annotations

import argparse
import difflib
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # so `python bench/pdf_libraries.py` can import extract.load.pdf
from extract.evaluation.documents import corpus_dir  # noqa: E402

CORPUS = corpus_dir()

Extractor = Callable[[Path], list[str]]

# Figures named in MANIFEST.md (and company names), keyed by file-name prefix.
KNOWN_FIGURES: dict[str, list[str]] = {
    "d01": ["贵州航天电器股份有限公司", "429,000,000", "3,533,710,584.98"],
    "d02": ["河北建新化工股份有限公司", "549,618,522", "548,130,398", "925,158,518.22"],
    "d03": ["北方华锦化学工业股份有限公司", "1599442537", "1,599,442,537", "39,608,340,979.04"],
    "d04": ["常柴股份有限公司", "2,040,133,717.30"],
    "d05": ["广州惠威电声科技股份有限公司", "274,816,055.36", "124,676,400"],
    "d06": [
        "寧德時代新能源科技股份有限公司",
        "HK$263.00",
        "35,657.2",
        "325.9",
        "35,331.2",
        "20,336,700",
    ],
    "d07": ["佛山市海天調味食品股份有限公司", "12,192,700", "36.30港元", "4.37%"],
    "d08": ["江蘇恒瑞醫藥股份有限公司", "44.050", "41.450"],
}

# FY2019 revenue in the 主要会计数据和财务指标 table of each annual report.
REVENUE: dict[str, str] = {
    "d01": "3,533,710,584.98",
    "d02": "925,158,518.22",
    "d03": "39,608,340,979.04",
    "d04": "2,040,133,717.30",
    "d05": "274,816,055.36",
}

SEPARATED_NUMBER = re.compile(r"(?<![\d,.])\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\d,])")
# An amount with 2 decimals running straight into the next amount's digits and comma.
GLUED = re.compile(r"\d\.\s?\d{2}\d{1,3},\s?\d{3}")
SAMPLED_FIGURES = 8
ORDER_PAGES = 12


def _is_counted(char: str) -> bool:
    """CJK ideograph (BMP blocks, compatibility included) or digit (ASCII or full-width)."""
    code = ord(char)
    return (
        0x4E00 <= code <= 0x9FFF
        or 0x3400 <= code <= 0x4DBF
        or 0xF900 <= code <= 0xFAFF
        or "0" <= char <= "9"
        or "０" <= char <= "９"
    )


# --- extractors: path -> text of each page -------------------------------------------


def pdfium_range(path: Path) -> list[str]:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(path)
    try:
        return [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
    finally:
        pdf.close()


def pdfium_bounded(path: Path) -> list[str]:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(path)
    try:
        return [pdf[i].get_textpage().get_text_bounded() for i in range(len(pdf))]
    finally:
        pdf.close()


def pdfplumber_text(path: Path) -> list[str]:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        texts = []
        for page in pdf.pages:
            texts.append(page.extract_text())
            page.close()  # drop cached layout objects; memory grows per page otherwise
        return texts


def pdfminer_text(path: Path) -> list[str]:
    from pdfminer.high_level import extract_text

    # pdfminer ends every page with a form feed.
    return extract_text(path).split("\f")[:-1]


def extract_read_pdf(path: Path) -> list[str]:
    """The module under test: PDFium get_text_range plus its clean-up and checks."""
    from extract.load.pdf import read_pdf

    decoded = read_pdf(path)
    return [decoded.page_text(page) for page in range(1, decoded.page_count + 1)]


def pymupdf_text(path: Path) -> list[str]:
    import pymupdf

    with pymupdf.open(path) as pdf:
        return [page.get_text() for page in pdf]


@dataclass(frozen=True)
class Library:
    name: str
    distribution: str
    licence: str
    extract: Extractor


LIBRARIES = [
    Library(
        "extract.load.pdf.read_pdf", "pypdfium2", "Apache-2.0 / BSD-3-Clause", extract_read_pdf
    ),
    Library("pypdfium2 get_text_range", "pypdfium2", "Apache-2.0 / BSD-3-Clause", pdfium_range),
    Library("pypdfium2 get_text_bounded", "pypdfium2", "Apache-2.0 / BSD-3-Clause", pdfium_bounded),
    Library("pdfplumber extract_text", "pdfplumber", "MIT", pdfplumber_text),
    Library("pdfminer.six extract_text", "pdfminer.six", "MIT", pdfminer_text),
    Library("pymupdf get_text", "pymupdf", "AGPL-3.0 or commercial", pymupdf_text),
]


# --- metrics -------------------------------------------------------------------------


@dataclass(frozen=True)
class Reference:
    """The poppler rendering of one PDF and the figures to look for."""

    pages: list[str]
    figures: list[str]
    revenue: str | None

    @classmethod
    def load(cls, pdf: Path) -> Reference:
        text = pdf.with_suffix(".txt").read_text(encoding="utf-8")
        pages = text.split("\f")
        if pages and not pages[-1].strip():
            pages.pop()  # pdftotext ends the last page with a form feed too
        prefix = pdf.name[:3]
        figures = KNOWN_FIGURES.get(prefix, []) + _sample_figures(text)
        return cls(pages, list(dict.fromkeys(figures)), REVENUE.get(prefix))


def _sample_figures(text: str) -> list[str]:
    """Up to SAMPLED_FIGURES distinct separated numbers, evenly spread over the document."""
    found = list(dict.fromkeys(SEPARATED_NUMBER.findall(text)))
    if len(found) <= SAMPLED_FIGURES:
        return found
    step = (len(found) - 1) / (SAMPLED_FIGURES - 1)
    return [found[round(i * step)] for i in range(SAMPLED_FIGURES)]


@dataclass(frozen=True)
class Result:
    library: str
    file: str
    pages: int
    seconds: float
    counted_ref: int
    counted_hit: int
    counted_got: int
    visible_ref: int
    visible_hit: int
    visible_got: int
    order: float
    figures_found: int
    figures_total: int
    missing: list[str]
    glued: int
    row: bool | None

    @property
    def recall(self) -> float:
        return self.counted_hit / self.counted_ref if self.counted_ref else 1.0

    @property
    def precision(self) -> float:
        return self.counted_hit / self.counted_got if self.counted_got else 1.0

    @property
    def visible_recall(self) -> float:
        return self.visible_hit / self.visible_ref if self.visible_ref else 1.0

    @property
    def visible_precision(self) -> float:
        return self.visible_hit / self.visible_got if self.visible_got else 1.0


def _counted(text: str) -> Counter[str]:
    return Counter(char for char in text if _is_counted(char))


def _visible(text: str) -> Counter[str]:
    """Every character but whitespace: punctuation, full-width forms, symbols too."""
    return Counter(char for char in text if not char.isspace())


def _order_ratio(pages: list[str], reference: list[str]) -> float:
    """Mean difflib ratio, whitespace removed, on evenly spaced pages both sides have."""
    shared = min(len(pages), len(reference))
    if shared == 0:
        return 0.0
    picks = sorted({round(i * (shared - 1) / max(ORDER_PAGES - 1, 1)) for i in range(ORDER_PAGES)})
    ratios = []
    for index in picks:
        got = "".join(pages[index].split())
        want = "".join(reference[index].split())
        ratios.append(difflib.SequenceMatcher(None, got, want, autojunk=False).ratio())
    return statistics.fmean(ratios)


def _row_on_one_line(text: str, revenue: str | None) -> bool | None:
    if revenue is None:
        return None
    return re.search(r"营业收入[^\n]{0,30}?" + re.escape(revenue), text) is not None


def measure(library: Library, pdf: Path, reference: Reference) -> Result:
    started = time.perf_counter()
    pages = library.extract(pdf)
    seconds = time.perf_counter() - started
    pages = [page.replace("\r\n", "\n").replace("\r", "\n") for page in pages]
    text = "\n".join(pages)
    want = _counted("".join(reference.pages))
    got = _counted(text)
    want_visible = _visible("".join(reference.pages))
    got_visible = _visible(text)
    missing = [figure for figure in reference.figures if figure not in text]
    return Result(
        library=library.name,
        file=pdf.name[:3],
        pages=len(pages),
        seconds=seconds,
        counted_ref=sum(want.values()),
        counted_hit=sum((want & got).values()),
        counted_got=sum(got.values()),
        visible_ref=sum(want_visible.values()),
        visible_hit=sum((want_visible & got_visible).values()),
        visible_got=sum(got_visible.values()),
        order=_order_ratio(pages, reference.pages),
        figures_found=len(reference.figures) - len(missing),
        figures_total=len(reference.figures),
        missing=missing,
        glued=len(GLUED.findall(text)),
        row=_row_on_one_line(text, reference.revenue),
    )


# --- report --------------------------------------------------------------------------


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "not installed"


def _available(library: Library) -> bool:
    return _version(library.distribution) != "not installed"


def _summary_row(name: str, licence: str, results: list[Result]) -> str:
    pages = sum(r.pages for r in results)
    seconds = sum(r.seconds for r in results)
    hit = sum(r.counted_hit for r in results)
    recall = hit / sum(r.counted_ref for r in results)
    precision = hit / sum(r.counted_got for r in results)
    visible_hit = sum(r.visible_hit for r in results)
    visible_recall = visible_hit / sum(r.visible_ref for r in results)
    visible_precision = visible_hit / sum(r.visible_got for r in results)
    order = statistics.fmean(r.order for r in results)
    found = sum(r.figures_found for r in results)
    total = sum(r.figures_total for r in results)
    glued = sum(r.glued for r in results)
    rows = [r.row for r in results if r.row is not None]
    return (
        f"| {name} | {licence} | {pages} | {seconds:.2f} | {pages / seconds:.0f} | {recall:.2%} | "
        f"{precision:.2%} | {visible_recall:.2%} | {visible_precision:.2%} | {order:.3f} | "
        f"{found}/{total} | {glued} | {sum(rows)}/{len(rows)} |"
    )


def _poppler_row(references: dict[Path, Reference]) -> str:
    """The reference itself, for the two columns that are not measured against it."""
    texts = {pdf: "\n".join(ref.pages) for pdf, ref in references.items()}
    glued = sum(len(GLUED.findall(text)) for text in texts.values())
    rows = [
        _row_on_one_line(texts[pdf], ref.revenue)
        for pdf, ref in references.items()
        if ref.revenue is not None
    ]
    return (
        f"| poppler pdftotext 22.12 (reference) | GPL-2.0-or-later | | | | | | | | | | {glued} "
        f"| {sum(bool(r) for r in rows)}/{len(rows)} |"
    )


def _file_row(r: Result) -> str:
    row = "—" if r.row is None else ("yes" if r.row else "no")
    missing = ", ".join(r.missing) if r.missing else ""
    return (
        f"| {r.library} | {r.file} | {r.pages} | {r.seconds:.2f} | {r.pages / r.seconds:.0f} | "
        f"{r.recall:.2%} | {r.precision:.2%} | "
        f"{r.visible_recall:.2%} | {r.visible_precision:.2%} | "
        f"{r.order:.3f} | {r.figures_found}/{r.figures_total} | "
        f"{r.glued} | {row} | {missing} |"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--libs", nargs="*", help="substrings of library names to run (default: all installed)"
    )
    parser.add_argument(
        "--files", default="*.pdf", help="glob in the shared corpus folder (default: *.pdf)"
    )
    args = parser.parse_args(argv)

    pdfs = sorted(path for path in CORPUS.glob(args.files) if path.suffix == ".pdf")
    if not pdfs:
        parser.error(f"no PDF in {CORPUS} matches {args.files!r}")
    libraries = [lib for lib in LIBRARIES if not args.libs or any(s in lib.name for s in args.libs)]
    python = sys.version.split()[0]
    print(f"Python {python}; reference: poppler 22.12 pdftotext; {len(pdfs)} PDFs\n")
    for lib in libraries:
        print(f"- {lib.name}: {lib.distribution} {_version(lib.distribution)} ({lib.licence})")
    references = {pdf: Reference.load(pdf) for pdf in pdfs}

    results: dict[str, list[Result]] = {}
    for lib in libraries:
        if not _available(lib):
            print(f"\nskipping {lib.name}: {lib.distribution} is not installed", file=sys.stderr)
            continue
        lib.extract(min(pdfs, key=lambda pdf: pdf.stat().st_size))  # untimed: imports, caches
        results[lib.name] = [measure(lib, pdf, references[pdf]) for pdf in pdfs]

    print("\n## Summary (all files)\n")
    print(
        "| library | licence | pages | seconds | pages/s | CJK+digit recall | CJK+digit precision "
        "| visible recall | visible precision | order | figures | glued | row |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    licences = {lib.name: lib.licence for lib in libraries}
    for name, rs in results.items():
        print(_summary_row(name, licences[name], rs))
    print(_poppler_row(references))

    print("\n## Per file\n")
    print(
        "| library | file | pages | seconds | pages/s | CJK+digit recall | CJK+digit precision "
        "| visible recall | visible precision | order | figures | glued | row | missing figures |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|")
    for rs in results.values():
        for r in rs:
            print(_file_row(r))

    return 0


if __name__ == "__main__":
    raise SystemExit(main())

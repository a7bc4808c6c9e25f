"""Tables on every page of a PDF: the loader's geometry (PDFium boxes and rules) vs pdfplumber.

For each PDF of the wild gold set (../shared/wild, labelled in eval/gold/w*.yaml):
- seconds to read the text layer alone, and with tables (``read_pdf(tables=True)``);
- seconds for pdfplumber's ``extract_tables`` on every page (its default lattice finder);
- recall: of the gold's financial figures (value, prior, change), the share printed as a
  whole cell of some table (the cell's number equals the figure at one of the units 元,
  千元, 万元, 百万元), for each reader;
- peak memory (tracemalloc) of the loader with tables.

    python bench/pdf_tables.py                 # four representative filings
    python bench/pdf_tables.py --all           # every labelled wild PDF (pdfplumber: minutes)
    python bench/pdf_tables.py --no-pdfplumber # the loader only
"""

from __future__ import annotations

import argparse
import sys
import time
import tracemalloc
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # so `python bench/pdf_tables.py` can import extract

from extract.core.numbers import parse_number  # noqa: E402
from extract.evaluation.documents import wild_dir  # noqa: E402
from extract.load.pdf import read_pdf  # noqa: E402

DEFAULT = (
    "w008_baikeshengwu_688276_ar_2024",  # 321 pages, SSE STAR annual report
    "w025_huarunsanjiu_000999_q3_2025Q3",  # third quarter, numbers wrapped in cells
    "w012_taigeyiyao_300347_h1_2025H1",  # SZSE ChiNext interim report
    "w030_emperorcapital_00717_ar_FY2021",  # HKEX annual report, tables without rules
)
UNITS = (Decimal(1), Decimal(10**3), Decimal(10**4), Decimal(10**6))


def gold_figures(stem: str) -> list[Decimal]:
    gold = yaml.safe_load((ROOT / "eval" / "gold" / f"{stem}.yaml").read_text(encoding="utf-8"))
    return [
        Decimal(str(spec["value"]))
        for path, spec in (gold.get("fields") or {}).items()
        if path.startswith("financials.")
        and isinstance(spec, dict)
        and isinstance(spec.get("value"), (int, float))
    ]


def cell_numbers(cells: Iterable[str]) -> set[Decimal]:
    numbers = set()
    for text in cells:
        number = parse_number(text.replace(" ", "").replace("\n", "").rstrip("%"))
        if number is not None:
            numbers.add(number)
    return numbers


def recall(figures: list[Decimal], numbers: set[Decimal]) -> float:
    def found(figure: Decimal) -> bool:
        return any((figure / unit).normalize() in numbers for unit in UNITS)

    return sum(found(f) for f in figures) / len(figures) if figures else 0.0


def ours(pdf: Path) -> tuple[float, float, float, set[Decimal], int]:
    started = time.perf_counter()
    read_pdf(pdf, tables=False)
    text_only = time.perf_counter() - started
    started = time.perf_counter()
    decoded = read_pdf(pdf)
    with_tables = time.perf_counter() - started
    tracemalloc.start()  # a run of its own: tracing slows Python down several times
    read_pdf(pdf)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    cells = (cell.text for table in decoded.tables for row in table.rows for cell in row)
    return text_only, with_tables, peak / 2**20, cell_numbers(cells), len(decoded.tables)


def pdfplumber_tables(pdf: Path) -> tuple[float, set[Decimal], int]:
    import pdfplumber

    started = time.perf_counter()
    texts: list[str] = []
    count = 0
    with pdfplumber.open(pdf) as document:
        for page in document.pages:
            for table in page.extract_tables():
                count += 1
                texts.extend(cell or "" for row in table for cell in row)
            page.flush_cache()
    return time.perf_counter() - started, cell_numbers(texts), count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--all", action="store_true", help="every labelled wild PDF")
    parser.add_argument("--no-pdfplumber", action="store_true", help="skip pdfplumber")
    args = parser.parse_args(argv)
    stems = (
        sorted(p.stem for p in (ROOT / "eval" / "gold").glob("w*.yaml")) if args.all else DEFAULT
    )
    print(
        "| filing | pages | text only s | with tables s | tables | peak MB | recall "
        "| pdfplumber s | pdfplumber tables | pdfplumber recall |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for stem in stems:
        pdf = wild_dir() / f"{stem}.pdf"
        if not pdf.exists():
            print(f"| {stem} | missing: {pdf} |")
            continue
        figures = gold_figures(stem)
        text_only, with_tables, peak, numbers, count = ours(pdf)
        pages = read_pdf(pdf, tables=False).page_count
        row = (
            f"| {stem[:24]} | {pages} | {text_only:.2f} | {with_tables:.2f} | {count} "
            f"| {peak:.0f} | {recall(figures, numbers):.1%} "
        )
        if args.no_pdfplumber:
            print(row + "| – | – | – |")
            continue
        seconds, plumber_numbers, plumber_count = pdfplumber_tables(pdf)
        print(row + f"| {seconds:.1f} | {plumber_count} | {recall(figures, plumber_numbers):.1%} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

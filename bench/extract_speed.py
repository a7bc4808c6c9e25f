"""Time `extract` on the 277-page semi-annual report, a 321-page annual report PDF and others.

Run: python bench/extract_speed.py [--repeat 5]
Prints, per filing, the best and median wall time of the whole pipeline (load, PDF tables,
normalise, rules for every section, record) excluding interpreter start and imports, the
peak of Python's allocations (tracemalloc) and the peak resident memory of a fresh process
extracting it once (PDFium's native memory included); then the pages per second of the PDF
text layer alone (pypdfium2) over the corpus PDFs.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

from extract import Settings, extract_file
from extract.evaluation.documents import corpus_dir, wild_dir
from extract.load.pdf import read_pdf

ROOT = Path(__file__).resolve().parents[1]
FILINGS = [
    ROOT / "examples/filings/001_815c9fc6d423563f.txt",
    ROOT / "examples/filings/003_de5880db65f9c6a7.txt",
    ROOT / "examples/filings/002_daa05ddb4fe6983e.txt",
    corpus_dir() / "d02_jianxin_300107_ar2019.pdf",  # the largest corpus PDF
    corpus_dir() / "d09_psbc_601658_ar2019.html",
    wild_dir() / "w008_baikeshengwu_688276_ar_2024.pdf",  # 321 pages, tables on every page
]

# A fresh interpreter warms up on a seed (vocabularies, compiled patterns), then extracts the
# file once: its time, and its peak resident set (KiB on Linux). A fresh process for every run,
# so nothing the first extraction of this file leaves in caches makes the next one faster.
_CHILD = (
    "import resource, sys, time; from extract import Settings, extract_file; "
    "settings = Settings(backend='rules'); extract_file(sys.argv[2], settings); "
    "start = time.perf_counter(); extract_file(sys.argv[1], settings); "
    "print(time.perf_counter() - start, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
)
WARM_UP = ROOT / "examples/filings/003_de5880db65f9c6a7.txt"


def time_one(path: Path, repeat: int) -> tuple[float, float, float, float]:
    """Best and median seconds over ``repeat`` fresh processes, Python's peak allocation
    (tracemalloc, in this process) and the largest peak resident set of the children (MB)."""
    times, rss = [], []
    for _ in range(repeat):
        out = subprocess.run(
            [sys.executable, "-c", _CHILD, str(path), str(WARM_UP)],
            capture_output=True,
            text=True,
            check=True,
        )
        seconds, kib = out.stdout.split()[-2:]
        times.append(float(seconds))
        rss.append(int(kib) / 1024)
    settings = Settings(backend="rules")
    extract_file(WARM_UP, settings)
    tracemalloc.start()
    extract_file(path, settings)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return min(times), statistics.median(times), peak / 1e6, max(rss)


def text_layer_speed() -> tuple[int, float]:
    """Pages and seconds to read the text layer of every corpus PDF."""
    pdfs = sorted(corpus_dir().glob("*.pdf"))
    read_pdf(pdfs[0])  # warm: PDFium loads once
    pages, start = 0, time.perf_counter()
    for path in pdfs:
        pages += len(read_pdf(path).page_starts)
    return pages, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    header = f"{'filing':48} {'size':>9} {'best s':>8} {'median s':>9} {'peak MB':>8}"
    print(header + f" {'RSS MB':>7}")
    for path in FILINGS:
        if not path.exists():
            print(f"{path.name:48} (absent: the shared folder is not next to the repository)")
            continue
        chars = len(path.read_bytes()) if path.suffix == ".pdf" else len(path.read_text("utf-8"))
        best, median, peak, rss = time_one(path, args.repeat)
        print(f"{path.name:48} {chars:>9} {best:>8.3f} {median:>9.3f} {peak:>8.1f} {rss:>7.0f}")
    pages, seconds = text_layer_speed()
    print(f"PDF text layer: {pages} pages in {seconds:.2f} s = {pages / seconds:.0f} pages/s")


if __name__ == "__main__":
    main()

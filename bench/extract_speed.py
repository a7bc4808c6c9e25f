"""Time `extract` on the 277-page semi-annual report (and the other examples), in process.

Run: python bench/extract_speed.py [--repeat 5]
Prints, per filing, the best and median wall time of the whole pipeline (load, normalise,
rules for every section, record) excluding interpreter start and imports, and peak memory.
"""

from __future__ import annotations

import argparse
import statistics
import time
import tracemalloc
from pathlib import Path

from extract import Settings, extract_file

ROOT = Path(__file__).resolve().parents[1]
FILINGS = [
    ROOT / "examples/filings/001_815c9fc6d423563f.txt",
    ROOT / "examples/filings/003_de5880db65f9c6a7.txt",
    ROOT / "examples/filings/002_daa05ddb4fe6983e.txt",
    ROOT / "examples/corpus/d01_hangtian_002025_ar2019.pdf",
    ROOT / "examples/corpus/d09_psbc_601658_ar2019.html",
]


def time_one(path: Path, repeat: int) -> tuple[float, float, float]:
    settings = Settings(backend="rules")
    extract_file(path, settings)  # warm: vocabulary and regex compilation happen once
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        extract_file(path, settings)
        times.append(time.perf_counter() - start)
    tracemalloc.start()
    extract_file(path, settings)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return min(times), statistics.median(times), peak / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"{'filing':48} {'size':>9} {'best s':>8} {'median s':>9} {'peak MB':>8}")
    for path in FILINGS:
        chars = len(path.read_bytes()) if path.suffix == ".pdf" else len(path.read_text("utf-8"))
        best, median, peak = time_one(path, args.repeat)
        print(f"{path.name:48} {chars:>9} {best:>8.3f} {median:>9.3f} {peak:>8.1f}")


if __name__ == "__main__":
    main()

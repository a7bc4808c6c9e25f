"""``extract batch`` (rules) over whole, large filings: worker processes against threads.

Copies the seeds in examples/filings COPIES times (the 277-page report among them, each
copy made unique) into a temp folder and runs ``extract batch --backend rules`` on it with
``--workers 0`` (every filing in a thread of one process, so on one core at a time) and
with the default (filings over 64 KB in one worker process per CPU). Prints wall time and
filings per second; the records of both runs must be the same.

    python bench/batch_large.py                  # 5 seeds × 8 = 40 filings
    python bench/batch_large.py --copies 20 --concurrency 8
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "examples" / "filings").glob("*.txt"))


def make_filings(folder: Path, copies: int) -> int:
    folder.mkdir(parents=True)
    for copy in range(copies):
        for seed in SEEDS:
            text = seed.read_text(encoding="utf-8")
            (folder / f"c{copy:02d}_{seed.name}").write_text(
                f"{text}\n（副本 {copy}）\n", encoding="utf-8"
            )
    return copies * len(SEEDS)


def run(folder: Path, out: Path, concurrency: int, workers: int | None) -> float:
    command = [sys.executable, "-m", "extract.cli", "batch", str(folder), "-o", str(out)]
    command += ["--quiet", "--backend", "rules", "--concurrency", str(concurrency)]
    if workers is not None:
        command += ["--workers", str(workers)]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EXTRACT_", "OPENAI_"))}
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"extract batch failed (exit {done.returncode}):\n{done.stderr}")
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    return float(summary["wall_s"])


def records(out: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in (out / "records").glob("*.json")}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=8, help="copies of the 5 seeds")
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="batch-large-"))
    try:
        filings = make_filings(tmp / "in", args.copies)
        size_mb = sum(p.stat().st_size for p in (tmp / "in").iterdir()) / 1e6
        print(
            f"{filings} filings, {size_mb:.1f} MB, concurrency {args.concurrency}, "
            f"{os.cpu_count()} CPUs"
        )
        print(f"{'run':<22} {'batch s':>8} {'filings/s':>10}")
        started = time.perf_counter()
        threads = run(tmp / "in", tmp / "threads", args.concurrency, 0)
        workers = run(tmp / "in", tmp / "workers", args.concurrency, None)
        for label, wall in (("--workers 0 (threads)", threads), ("default (processes)", workers)):
            print(f"{label:<22} {wall:>8.2f} {filings / wall:>10.1f}")
        same = records(tmp / "threads") == records(tmp / "workers")
        print(
            f"speed-up {threads / workers:.2f}×; records identical: {same} "
            f"({time.perf_counter() - started:.1f} s in all)"
        )
        sys.exit(0 if same else 1)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

"""Peak memory and speed of ``extract batch`` as the folder grows: RSS should stay flat.

Generates N small filings (2–4 KB cut from the start of each seed in examples/filings,
each made unique, 100 per sub-folder) in a temp dir, runs ``extract batch`` on them in a
subprocess (rules backend) and reports the child's peak RSS (``ru_maxrss`` from
``os.wait4``) and files per second. A second run over the same folder measures the
resume path (every file skipped).

    python bench/batch_memory.py                 # 2000 files
    python bench/batch_memory.py --files 200 --files 2000 --files 20000
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "examples" / "filings").glob("*.txt"))
PER_FOLDER = 100


@dataclass(frozen=True)
class Measurement:
    files: int
    wall_s: float
    peak_rss_mb: float
    exit_code: int

    @property
    def files_per_s(self) -> float:
        return self.files / self.wall_s if self.wall_s else 0.0


def generate(folder: Path, count: int) -> None:
    """``count`` filings from real snippets: seed i % 5, cut at 2–4 KB, a unique trailer."""
    heads = [seed.read_text(encoding="utf-8")[:4000] for seed in SEEDS]
    for i in range(count):
        sub = folder / f"{i // PER_FOLDER:04d}"
        if i % PER_FOLDER == 0:
            sub.mkdir(parents=True)
        head = heads[i % len(heads)]
        cut = 2000 + (i * 397) % 2000  # varied lengths, deterministic
        text = f"{head[: cut // 3 * 2]}\n（编号 {i}）\n"  # ~3 bytes per CJK character
        (sub / f"filing_{i:06d}.txt").write_text(text, encoding="utf-8")


def run_batch(folder: Path, out: Path, concurrency: int) -> Measurement:
    """Run ``extract batch`` in a child process and measure that child alone."""
    command = [
        sys.executable,
        "-m",
        "extract.cli",
        "batch",
        str(folder),
        "-o",
        str(out),
        "--backend",
        "rules",
        "--concurrency",
        str(concurrency),
        "--quiet",
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EXTRACT_", "OPENAI_"))}
    started = time.perf_counter()
    child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    files = sum(1 for _ in (out / "manifest").glob("*.json"))
    return Measurement(files, wall, usage.ru_maxrss / 1024, child.returncode)  # KB on Linux


def measure(count: int, concurrency: int) -> tuple[Measurement, Measurement]:
    with tempfile.TemporaryDirectory(prefix="batch-memory-") as tmp:
        folder, out = Path(tmp) / "in", Path(tmp) / "out"
        generate(folder, count)
        first = run_batch(folder, out, concurrency)
        resume = run_batch(folder, out, concurrency)
    return first, resume


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--files", type=int, action="append", help="number of filings; repeatable (default 2000)"
    )
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args(argv)
    print(f"{'files':>7} {'run':>7} {'wall s':>8} {'files/s':>8} {'peak RSS MB':>12} {'exit':>5}")
    for count in args.files or [2000]:
        for label, m in zip(("first", "resume"), measure(count, args.concurrency), strict=True):
            print(
                f"{count:>7} {label:>7} {m.wall_s:>8.2f} {count / m.wall_s:>8.0f} "
                f"{m.peak_rss_mb:>12.1f} {m.exit_code:>5}",
                flush=True,
            )
            if m.files != count or m.exit_code != 0:
                sys.exit(f"expected {count} records and exit 0, got {m.files} and {m.exit_code}")


if __name__ == "__main__":
    main()

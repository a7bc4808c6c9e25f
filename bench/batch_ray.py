"""``extract batch --engine ray`` against the local engine, on this machine's cores.

Two folders, each run by both engines (rules backend, ``--quiet``, each run a fresh
subprocess; the Ray one starts a Ray of its own, ``--address local``, on all CPUs):

- small: N filings of 2–4 KB cut from the seeds in examples/filings (default 2,000);
- whole: the five seeds copied COPIES times (default 8: 40 filings, the 277-page report
  among them), each copy made unique.

Prints "batch" (the run as ``summary.json`` times it: after start-up, so without Ray's
own start) and the whole process, the ratio Ray / local, and whether the records of the
two engines are identical.

    python bench/batch_ray.py
    python bench/batch_ray.py --files 500 --copies 4
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
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "examples" / "filings").glob("*.txt"))
PER_FOLDER = 100


@dataclass(frozen=True)
class Run:
    batch_s: float
    process_s: float


def make_small(folder: Path, count: int) -> None:
    """``count`` filings: seed i % 5 cut at 2–4 KB, with a unique trailer."""
    heads = [seed.read_text(encoding="utf-8")[:4000] for seed in SEEDS]
    for i in range(count):
        sub = folder / f"{i // PER_FOLDER:04d}"
        sub.mkdir(parents=True, exist_ok=True)
        cut = 2000 + (i * 397) % 2000
        text = f"{heads[i % len(heads)][: cut // 3 * 2]}\n（编号 {i}）\n"
        (sub / f"filing_{i:06d}.txt").write_text(text, encoding="utf-8")


def make_whole(folder: Path, copies: int) -> None:
    """Every seed, whole, ``copies`` times."""
    folder.mkdir(parents=True)
    for copy in range(copies):
        for seed in SEEDS:
            text = seed.read_text(encoding="utf-8")
            (folder / f"c{copy:02d}_{seed.name}").write_text(
                f"{text}\n（副本 {copy}）\n", encoding="utf-8"
            )


def run(folder: Path, out: Path, *engine: str) -> Run:
    command = [sys.executable, "-m", "extract.cli", "batch", str(folder), "-o", str(out)]
    command += ["--quiet", "--backend", "rules", *engine]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EXTRACT_", "OPENAI_"))}
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    process_s = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(
            f"extract batch {' '.join(engine)} failed (exit {done.returncode}):\n{done.stderr}"
        )
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    return Run(float(summary["wall_s"]), process_s)


def records(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in (out / "records").glob("*.json")}


def compare(label: str, folder: Path, count: int, tmp: Path) -> bool:
    local = run(folder, tmp / f"{label}-local")
    on_ray = run(folder, tmp / f"{label}-ray", "--engine", "ray", "--address", "local")
    same = records(tmp / f"{label}-local") == records(tmp / f"{label}-ray")
    for engine, measured in (("local", local), ("ray", on_ray)):
        print(
            f"{label:<7} {count:>6} {engine:<6} {measured.batch_s:>8.2f} "
            f"{count / measured.batch_s:>10.1f} {measured.process_s:>10.2f}"
        )
    print(
        f"{label:<7} ray / local: {on_ray.batch_s / local.batch_s:.2f}×; records identical: {same}"
    )
    return same


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2000, help="small filings")
    parser.add_argument("--copies", type=int, default=8, help="copies of the 5 whole seeds")
    args = parser.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="batch-ray-"))
    try:
        make_small(tmp / "small", args.files)
        make_whole(tmp / "whole", args.copies)
        whole = args.copies * len(SEEDS)
        print(f"{os.cpu_count()} CPUs; rules backend; default --concurrency of each engine")
        heading = ("folder", "files", "engine", "batch s", "files/s", "process s")
        print("{:<7} {:>6} {:<6} {:>8} {:>10} {:>10}".format(*heading))
        same = compare("small", tmp / "small", args.files, tmp)
        same = compare("whole", tmp / "whole", whole, tmp) and same
        sys.exit(0 if same else 1)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

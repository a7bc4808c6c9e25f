"""``extract batch --backend llm`` against a local fake endpoint: concurrency and the cache.

Starts ``tests/openai_server.py --latency L`` (loopback only), copies the seeds in
examples/filings COPIES times (each copy made unique, so prompts differ) and runs:

1. cold, ``--no-cache``: wall time against the ideal ``calls × L / concurrency``
   (``--concurrency`` caps the requests in flight, so the ideal is a floor);
2. cache fill: the same with the cache on (a temp ``EXTRACT_CACHE_DIR``);
3. warm, into a fresh OUT: calls made (0 expected) and cache hits.

"batch s" is the run itself as ``summary.json`` times it, after start-up (imports, the LLM
client, worker processes); "wall s" is the whole ``extract batch`` process.

Exits 2 with a message when the LLM backend is not available in this checkout yet.

    python bench/batch_llm.py                    # 5 seeds × 20 = 100 filings, concurrency 16
    python bench/batch_llm.py --copies 4         # 20 filings: start-up and the last wave weigh
    python bench/batch_llm.py --workers 0        # prepare filings in threads, not processes
    python bench/batch_llm.py --head-chars 20000   # small inputs: isolates the concurrency
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "examples" / "filings").glob("*.txt"))
SERVER = ROOT / "tests" / "openai_server.py"


@dataclass(frozen=True)
class Run:
    label: str
    wall_s: float
    summary: dict[str, Any]


def llm_backend_available() -> bool:
    return importlib.util.find_spec("extract.backends.llm") is not None


def start_server(latency: float) -> tuple[subprocess.Popen[str], str]:
    """The fake OpenAI server as a child process; returns it and its base_url."""
    server = subprocess.Popen(
        [sys.executable, str(SERVER), "--latency", str(latency), "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdout is not None
    base_url = server.stdout.readline().strip()
    if not base_url.startswith("http://127.0.0.1:"):
        server.terminate()
        sys.exit(f"fake server did not start (first line: {base_url!r})")
    return server, base_url


def make_filings(folder: Path, copies: int, head_chars: int | None = None) -> int:
    folder.mkdir(parents=True)
    for copy in range(copies):
        for seed in SEEDS:
            text = seed.read_text(encoding="utf-8")[:head_chars]
            (folder / f"c{copy:02d}_{seed.name}").write_text(
                f"{text}\n（副本 {copy}）\n", encoding="utf-8"
            )
    return copies * len(SEEDS)


def run_batch(
    label: str,
    folder: Path,
    out: Path,
    args: argparse.Namespace,
    base_url: str,
    cache_dir: Path,
    *,
    cache: bool,
) -> Run:
    command = [
        sys.executable,
        "-m",
        "extract.cli",
        "batch",
        str(folder),
        "-o",
        str(out),
        "--quiet",
        "--backend",
        "llm",
        "--model",
        "fake",
        "--base-url",
        base_url,
        "--concurrency",
        str(args.concurrency),
    ]
    if args.workers is not None:
        command += ["--workers", str(args.workers)]
    if not cache:
        command.append("--no-cache")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EXTRACT_", "OPENAI_"))}
    env.update(OPENAI_API_KEY="sk-fake-bench", EXTRACT_CACHE_DIR=str(cache_dir))
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    summary_file = out / "summary.json"
    if not summary_file.exists():
        sys.exit(f"{label}: extract batch failed (exit {done.returncode}):\n{done.stderr}")
    summary = json.loads(summary_file.read_text(encoding="utf-8"))
    if summary["failed"]:
        errors = (out / "errors.jsonl").read_text(encoding="utf-8").splitlines()
        if any("No module named" in line for line in errors):
            backend_missing()
        sys.exit(f"{label}: {summary['failed']} filing(s) failed, e.g. {errors[0]}")
    return Run(label, wall, summary)


def backend_missing() -> None:
    print(
        "The LLM backend (extract/backends/llm/) is not available yet: "
        "`extract batch --backend llm` cannot run. Nothing measured.",
        file=sys.stderr,
    )
    sys.exit(2)


def report(runs: list[Run], filings: int, args: argparse.Namespace) -> None:
    print(f"{filings} filings, concurrency {args.concurrency}, server latency {args.latency}s")
    print(
        f"{'run':<12} {'wall s':>7} {'batch s':>8} {'calls':>6} {'tokens':>8} "
        f"{'cache hits':>10} {'ideal s':>8} {'batch/ideal':>11} {'wall/ideal':>10}"
    )
    for run in runs:
        s = run.summary
        ideal = s["calls"] * args.latency / args.concurrency
        ratio = f"{s['wall_s'] / ideal:.2f}" if ideal else "-"
        whole = f"{run.wall_s / ideal:.2f}" if ideal else "-"
        print(
            f"{run.label:<12} {run.wall_s:>7.2f} {s['wall_s']:>8.2f} {s['calls']:>6} "
            f"{s['tokens']:>8} {s['cache_hits']:>10} {ideal:>8.2f} {ratio:>11} {whole:>10}"
        )
    print(
        "wall s: the whole `extract batch` process; batch s: the run itself (summary.json), "
        "after start-up (interpreter, imports, LLM client, worker processes)"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=20, help="copies of the 5 seeds")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--latency", type=float, default=0.2, help="fake server seconds per reply")
    parser.add_argument(
        "--workers", type=int, default=None, help="extract batch --workers (default: its own)"
    )
    parser.add_argument(
        "--head-chars",
        type=int,
        default=None,
        help="keep only the start of each seed (less local CPU work per file)",
    )
    args = parser.parse_args(argv)
    if not llm_backend_available():
        backend_missing()
    server, base_url = start_server(args.latency)
    tmp = Path(tempfile.mkdtemp(prefix="batch-llm-"))
    try:
        filings = make_filings(tmp / "in", args.copies, args.head_chars)
        cache_dir = tmp / "cache"
        runs = [
            run_batch("cold", tmp / "in", tmp / "out-cold", args, base_url, cache_dir, cache=False),
            run_batch(
                "cache fill", tmp / "in", tmp / "out-fill", args, base_url, cache_dir, cache=True
            ),
            run_batch("warm", tmp / "in", tmp / "out-warm", args, base_url, cache_dir, cache=True),
        ]
        report(runs, filings, args)
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)
    warm_calls = runs[-1].summary["calls"]
    print(f"warm-cache rerun made {warm_calls} call(s) (0 expected)")
    sys.exit(0 if warm_calls == 0 else 1)


if __name__ == "__main__":
    main()

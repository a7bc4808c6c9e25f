"""What `extract --backend llm` sends per filing: calls, prompt characters, prompt tokens.

Run: python bench/llm_usage.py [--backend llm|auto] [--mode tools|json_schema] [--budget 6000]

Starts the standalone fake endpoint (tests/openai_server.py, every answer all-null), runs the
full contract (5 sections; with --backend auto, rules first and the LLM only for the
sections they left incomplete) on each seed filing in examples/filings without the cache, and
prints per filing: HTTP calls, characters of the messages sent (system + user), and prompt
tokens as the endpoint counted them (messages plus the tool or response-format schema).
The fake endpoint estimates 1 token per 4 characters of the request JSON, where each CJK
character is a 6-character \\uXXXX escape, so its counts overstate a real tokenizer's.
The plain JSON modes are not offered: the fake endpoint cannot fill a schema it is not sent.
Exits 1 if the 274,000-character report (001) needs 20,000 prompt characters or more.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path
from typing import Any

from extract import Settings
from extract.backends.llm.backend import LLMBackend
from extract.backends.llm.plan import gaps_to_ask
from extract.backends.rules import RulesBackend
from extract.core.schema import SECTION_NAMES
from extract.load.document import read_document
from extract.pipeline import extract_document, sections_it_can_state

ROOT = Path(__file__).resolve().parents[1]
FILINGS = sorted((ROOT / "examples" / "filings").glob("*.txt"))
SECTIONS = SECTION_NAMES
LARGE = "001_815c9fc6d423563f.txt"
LARGE_LIMIT = 12_000


def start_fake_endpoint() -> tuple[subprocess.Popen[str], str]:
    """The fake server as its own process; its first stdout line is the base URL."""
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "openai_server.py"), "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdout is not None
    return server, server.stdout.readline().strip()


def prompt_chars(backend: LLMBackend, path: Path, auto: bool) -> dict[str, int]:
    """Characters of the messages each section's call sends (auto: only the gaps, with
    their focus)."""
    doc = read_document(path)
    focus: dict[str, tuple[str, ...]] = {section: () for section in sections_it_can_state(doc)}
    if auto:
        rules = RulesBackend()
        focus = gaps_to_ask({section: rules.extract(doc, section) for section in SECTIONS})
    return {
        section: sum(
            len(m["content"])
            for request in backend.requests_for(doc, section, wanted)
            for m in request.messages
        )
        for section, wanted in focus.items()
    }


def measure(path: Path, settings: Settings) -> dict[str, Any]:
    backend = LLMBackend(settings)
    record = extract_document(read_document(path), settings)
    chars = prompt_chars(backend, path, auto=settings.backend == "auto")
    return {
        "filing": path.name,
        "size": len(read_document(path).original),
        "calls": record.usage.calls,
        "chars": sum(chars.values()),
        "by_section": chars,
        "tokens": record.usage.prompt_tokens,
        "backend": record.backend,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", default="llm", choices=("llm", "auto"))
    parser.add_argument("--mode", default="tools", choices=("tools", "json_schema"))
    parser.add_argument("--budget", type=int, default=Settings().prompt_budget_chars)
    args = parser.parse_args()
    server, base_url = start_fake_endpoint()
    try:
        settings = Settings(
            backend=args.backend,
            model="bench-model",
            base_url=base_url,
            mode=args.mode,
            use_cache=False,
            prompt_budget_chars=args.budget,
        )
        rows = [measure(path, settings) for path in FILINGS]
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"backend {args.backend}, mode {args.mode}, prompt_budget_chars {args.budget}")
    print(f"{'filing':32} {'chars in':>9} {'calls':>6} {'prompt chars':>13} {'prompt tokens':>14}")
    for row in rows:
        print(
            f"{row['filing']:32} {row['size']:>9,} {row['calls']:>6} {row['chars']:>13,} "
            f"{row['tokens']:>14,}"
        )
    large = next(row for row in rows if row["filing"] == LARGE)
    per_section = ", ".join(f"{s} {n:,}" for s, n in large["by_section"].items())
    print(f"\n{LARGE}: {large['chars']:,} prompt characters ({per_section})")
    if large["chars"] >= LARGE_LIMIT:
        print(f"FAIL: {LARGE} needs {large['chars']:,} ≥ {LARGE_LIMIT:,} prompt characters")
        return 1
    print(f"OK: under {LARGE_LIMIT:,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

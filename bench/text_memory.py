"""Peak memory and time of `extract` on a generated 50 MB text filing and a 50 MB HTML filing.

Run from the repository root:  python bench/text_memory.py [--mb 50] [--kinds text html gb18030]

Each filing is generated into a temporary folder and measured twice, each time in a fresh
process: loading alone (decode, normalise, offset map), then the whole of
`extract --backend rules --max-mb …`. Printed: wall time, peak resident memory (the kernel's
ru_maxrss of the child), and its ratio to the file's size, in all and over what the
interpreter and the imports take alone (about 40 MB, which dominates small files).

- text: the five seed filings (``examples/filings``) one after another, repeated to the size
  (UTF-8, about 2.3 bytes per character, mostly Chinese);
- gb18030: the same text in GB18030 (encoding detection runs on it);
- html: the bank annual report ``d09_psbc_601658_ar2019.html`` of the shared corpus repeated
  to the size (about 1.6 bytes per character, half the characters markup).

The bound this project keeps: peak memory at most 10× the input's size for text and HTML.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # so `python bench/text_memory.py` can import extract
from extract.evaluation.documents import corpus_dir  # noqa: E402

EXTRACT = Path(sys.executable).with_name("extract")
# runs a command and prints its peak resident memory (KiB): a fresh parent per measurement,
# because a process's ru_maxrss of children is the largest child it has waited for so far
PEAK_OF = (
    "import resource, subprocess, sys; "
    "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)
LOAD_ONLY = (
    "import sys; from pathlib import Path; from extract.load.document import read_document; "
    "read_document(Path(sys.argv[1]), max_bytes=1 << 40)"
)


def _repeated(parts: list[str], size: int, encoding: str) -> bytes:
    """``parts`` one after another until ``size`` bytes, cut at a character boundary."""
    out: list[bytes] = []
    total, i = 0, 0
    while total < size:
        chunk = (parts[i % len(parts)] + "\n").encode(encoding)
        out.append(chunk)
        total += len(chunk)
        i += 1
    return b"".join(out)[:size].decode(encoding, errors="ignore").encode(encoding)


def _seeds() -> list[str]:
    return [
        p.read_text(encoding="utf-8") for p in sorted((ROOT / "examples/filings").glob("*.txt"))
    ]


def _html() -> list[str]:
    return [(corpus_dir() / "d09_psbc_601658_ar2019.html").read_text(encoding="utf-8")]


KINDS: dict[str, tuple[str, Callable[[], list[str]], str]] = {
    "text": (".txt", _seeds, "utf-8"),
    "gb18030": (".txt", _seeds, "gb18030"),
    "html": (".html", _html, "utf-8"),
}


WIDTHS = (6, 11, 8, 8, 8, 7, 14)


def run_child(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak resident MB of one process running ``command``."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", PEAK_OF, *command], check=True, capture_output=True, text=True
    )
    seconds = time.perf_counter() - start
    return seconds, int(done.stdout.split()[-1]) / 1024


def generate(kind: str, folder: Path, size: int) -> tuple[Path, int]:
    """Write the ``kind`` filing of ``size`` bytes into ``folder``: its path and characters."""
    suffix, parts, encoding = KINDS[kind]
    path = folder / f"generated_{kind}{suffix}"
    data = _repeated(parts(), size, encoding)
    path.write_bytes(data)
    return path, len(data.decode(encoding))


def commands(path: Path, max_mb: float) -> dict[str, list[str]]:
    """Loading alone (decode, normalise, offset map), and the whole of `extract`."""
    extract = [str(EXTRACT), "--backend", "rules", "--max-mb", str(max_mb), str(path)]
    return {"load": [sys.executable, "-c", LOAD_ONLY, str(path)], "extract": extract}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mb", type=float, default=50.0, help="size of each filing (MiB)")
    parser.add_argument("--kinds", nargs="+", choices=sorted(KINDS), default=["text", "html"])
    args = parser.parse_args()
    baseline = run_child([sys.executable, "-c", "import extract.pipeline"])[1]
    print(f"interpreter and imports alone: {baseline:.0f} MB")
    columns = ("MB", "chars", "step", "seconds", "peak MB", "× size", "× over imports")
    print(f"{'filing':34} " + " ".join(f"{c:>{w}}" for c, w in zip(columns, WIDTHS, strict=True)))
    with tempfile.TemporaryDirectory() as folder:
        for kind in args.kinds:
            path, chars = generate(kind, Path(folder), int(args.mb * 1024 * 1024))
            mb = path.stat().st_size / (1024 * 1024)
            label = f"{kind} ({KINDS[kind][2]})"
            for step, command in commands(path, args.mb + 1).items():
                seconds, peak = run_child(command)
                print(
                    f"{label:34} {mb:>6.1f} {chars:>11,} {step:>8} {seconds:>8.1f} "
                    f"{peak:>8.0f} {peak / mb:>7.1f} {(peak - baseline) / mb:>14.1f}"
                )


if __name__ == "__main__":
    main()

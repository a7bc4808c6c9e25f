"""Compare encoding detectors on real filing text in the encodings filings come in.

Run from the repository root:  python bench/encoding_detection.py [--slices 20]

The truth is the UTF-8 text of the seeds (``examples/filings``) and the development corpus
(``../shared/corpus``, Simplified d01-d05, Traditional HKEX d06-d08), re-encoded:

- whole files: Simplified text as UTF-8, GB18030, UTF-16 LE and BE without a byte-order
  mark; Traditional text as UTF-8, Big5 (where it fits), Big5-HKSCS, GB18030, UTF-16 LE/BE;
- snippets: ``--slices`` random stretches of 64, 256 and 1,024 characters of each file,
  in the same encodings (what a clipping, a short notice or a cut file looks like);
- short: a few characters that two encodings read as different plausible text (中文 in
  Big5 is いゅ in GB18030), where the right answer is to refuse.

Each detector names an encoding; the bytes are decoded strictly with it and compared with the
truth: **right** (same text), **wrong** (other text, or the named encoding fails) or
**refused** (no answer; for ``extract.load.decode`` the one-line error). A detector that is
not installed is skipped (``pip install chardet faust-cchardet chardetng-py`` for all).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # so `python bench/encoding_detection.py` can import extract
from extract.core.errors import InputError  # noqa: E402
from extract.evaluation.documents import corpus_dir  # noqa: E402
from extract.load.decode import decode_bytes  # noqa: E402

SIMPLIFIED = ("utf-8", "gb18030", "utf-16-le", "utf-16-be")
TRADITIONAL = ("utf-8", "big5", "big5hkscs", "gb18030", "utf-16-le", "utf-16-be")
SNIPPET_LENGTHS = (64, 256, 1024)
SHORT = [
    ("中文", "big5"),
    ("中文", "gbk"),
    ("营业收入", "gbk"),
    ("營業收入", "big5"),
    ("收入 467,049 413,713 12.9%\n", "big5"),
    ("收入 467,049 413,713 12.9%\n", "gbk"),
    ("股东", "utf-16-le"),
    ("董事會", "big5"),
]


@dataclass(frozen=True)
class Case:
    group: str
    truth: str
    encoding: str
    data: bytes


Detector = Callable[[bytes], "str | None"]


def ours(data: bytes) -> str | None:
    try:
        return decode_bytes(data, "bench").encoding
    except InputError:
        return None


def charset_normalizer_best(data: bytes) -> str | None:
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    return best.encoding if best else None


def chardet_detect(data: bytes) -> str | None:
    import chardet

    return chardet.detect(data)["encoding"]


def cchardet_detect(data: bytes) -> str | None:
    import cchardet

    encoding = cchardet.detect(data)["encoding"]
    return str(encoding) if encoding else None


def chardetng_detect(data: bytes) -> str | None:
    import chardetng_py

    return str(chardetng_py.detect(data, allow_utf8=True))


DETECTORS: list[tuple[str, str, Detector]] = [
    ("extract.load.decode (charset-normalizer + refusal)", "charset-normalizer", ours),
    ("charset-normalizer from_bytes().best()", "charset-normalizer", charset_normalizer_best),
    ("chardet detect()", "chardet", chardet_detect),
    ("faust-cchardet detect() (uchardet)", "faust-cchardet", cchardet_detect),
    ("chardetng-py detect(allow_utf8=True)", "chardetng-py", chardetng_detect),
]


def _texts() -> Iterator[tuple[str, tuple[str, ...]]]:
    """Each filing's text and the encodings it is tried in (HKEX d06-d08 are Traditional)."""
    for path in sorted((ROOT / "examples" / "filings").glob("*.txt")):
        yield path.read_text(encoding="utf-8"), SIMPLIFIED
    for path in sorted(corpus_dir().glob("d0*.txt")):
        traditional = path.name[:3] in ("d06", "d07", "d08")
        yield path.read_text(encoding="utf-8"), TRADITIONAL if traditional else SIMPLIFIED


def _encoded(text: str, encoding: str) -> bytes | None:
    try:
        return text.encode(encoding)
    except UnicodeEncodeError:
        return None  # e.g. 恒 is not in plain Big5


def cases(slices: int) -> list[Case]:
    rng = random.Random(20250716)
    out: list[Case] = []
    for text, encodings in _texts():
        pieces = [("whole files", text)]
        for length in SNIPPET_LENGTHS:
            for _ in range(slices):
                start = rng.randrange(0, max(1, len(text) - length))
                pieces.append((f"snippets of {length:,} chars", text[start : start + length]))
        for group, piece in pieces:
            for encoding in encodings:
                data = _encoded(piece, encoding)
                if data is not None:
                    out.append(Case(group, piece, encoding, data))
    out += [Case("short (refuse)", text, enc, text.encode(enc)) for text, enc in SHORT]
    return out


def outcome(case: Case, named: str | None) -> str:
    if not named:
        return "refused"
    try:
        return "right" if case.data.decode(named) == case.truth else "wrong"
    except (UnicodeDecodeError, LookupError):
        return "wrong"


def installed(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--slices", type=int, default=20, help="snippets per length and file")
    args = parser.parse_args()
    all_cases = cases(args.slices)
    groups = list(dict.fromkeys(c.group for c in all_cases))
    print(f"{len(all_cases)} inputs; right / wrong / refused per group")
    header = f"{'detector':52} {'version':>8} " + " ".join(f"{g:>24}" for g in groups)
    print(header + f" {'seconds':>8}")
    for label, distribution, detect in DETECTORS:
        version = installed(distribution)
        if version is None:
            print(f"{label:52} {'missing':>8}")
            continue
        detect(b"warm up")
        counts: dict[str, Counter[str]] = {g: Counter() for g in groups}
        start = time.perf_counter()
        for case in all_cases:
            counts[case.group][outcome(case, detect(case.data))] += 1
        seconds = time.perf_counter() - start
        cells = " ".join(
            f"{c['right']:>10} / {c['wrong']:>4} / {c['refused']:>4}"
            for c in (counts[g] for g in groups)
        )
        print(f"{label:52} {version:>8} {cells} {seconds:>8.2f}")


if __name__ == "__main__":
    main()

"""Render PDFs as FinGLM JSON lines, the way that corpus of annual reports was made; score them.

The FinGLM corpus (about 11,000 A-share annual reports, 2019–2021) was produced with
pdfplumber, page by page: ``find_tables`` for the tables, ``extract_words`` for the text
between them. This renderer follows the published procedure, quirks included, so the loader
is measured on files that look like the corpus:

- text: the words between two tables, a line's words joined without spaces; a line reaching
  the right margin runs on into the next one unless it ends a sentence (。；), a unit line or
  a number; every stretch of text opens with an empty line;
- tables: each row of ``extract()`` as ``str(list)``; a row whose first cell is empty (None)
  is a wrapped continuation, folded into the row above; line breaks inside cells dropped,
  empty rows and empty columns dropped;
- the page's first line is typed 页眉 when it ends with 报告 (a running header), its last
  line 页脚 when it is a page number;
- one ``{"page", "allrow", "type", "inside"}`` object a line, ``ensure_ascii=False``.

Usage::

    python bench/to_finglm.py OUT                  # every wild PDF labelled in eval/gold/w*.yaml
    python bench/to_finglm.py OUT --only w001_…    # some of them
    extract eval --gold OUT/gold --docs OUT/docs   # score the renderings

``OUT/docs`` gets one ``.txt`` a PDF, ``OUT/gold`` a copy of each wild gold file naming the
``.txt`` instead of the PDF (nothing else changes).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import defaultdict
from multiprocessing import Pool
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # so `python bench/to_finglm.py` can import extract

from extract.evaluation.documents import wild_dir  # noqa: E402

# A line that ends a paragraph: the next line starts a new one.
_ENDS_LINE = re.compile(
    r"(?:。|；|单位：元|单位：万元|币种：人民币|\d|报告(?:全文)?(?:（修订版）|（修订稿）|（更正后）)?)$"
)
_HEADER = re.compile(r"[^计](?:报告(?:全文)?(?:（修订版）|（修订稿）|（更正后）)?)$")
_FOOTER = re.compile(r"^(?:\d|\\|/|第|共|页|-|_| )+")


def _text_lines(page: Any, above: float | None, below: float | None) -> list[str]:
    """The page's words with their top between ``below`` and ``above`` (None: no bound), as
    lines; the last word read, in range or not, decides whether the next one joins its line."""
    text, last_top, last_right = "", 0.0, 0.0
    depth = 0.9 if above is None and below is None else 0.85
    for word in page.extract_words():
        top = word["top"]
        inside = (below is None or top > below) and (above is None or top < above)
        if inside:
            same_line = abs(last_top - top) <= 2
            runs_on = last_right > 0 and page.height * depth - top > 0
            if same_line or (runs_on and not _ENDS_LINE.search(text)):
                text += word["text"]
            else:
                text += "\n" + word["text"]
        last_top, last_right = top, word["x1"] - page.width * 0.85
    return text.split("\n")


def _table_rows(table: Any) -> list[list[str]]:
    """A table's rows: wrapped rows folded into the row above, empty rows and columns gone."""
    rows: list[list[str | None]] = table.extract()
    run = 0
    for r, row in enumerate(rows):
        if row[0] is not None:
            run = 0
            continue
        run += 1  # the row above the run takes the text (index -1 for a table opening so)
        for c, cell in enumerate(row):
            if cell not in (None, "", " "):
                above = rows[r - run]
                above[c] = cell if above[c] is None else (above[c] or "") + cell
                row[c] = None
    kept = [
        cells
        for row in rows
        if row[0] is not None
        for cells in [[(cell or "").replace("\n", "") for cell in row]]
        if any(cells)
    ]
    columns = [list(col) for col in zip(*kept, strict=False) if any(cell != "" for cell in col)]
    return [list(row) for row in zip(*columns, strict=False)]


class _Rendering:
    """The lines of one PDF, numbered as the corpus numbers them (``allrow``)."""

    def __init__(self) -> None:
        # a mapping that creates what is looked up, as the corpus's own did: a page with a
        # single line leaves an empty object behind, which the next page overwrites
        self.lines: defaultdict[int, dict[str, Any]] = defaultdict(dict)
        self.row = 0
        self.last = 0

    def add(self, page: int, kind: str, inside: str) -> None:
        self.lines[self.row] = {"page": page, "allrow": self.row, "type": kind, "inside": inside}
        self.row += 1

    def page(self, page: Any) -> None:
        number = page.page_number
        try:
            tables = page.find_tables()
        except Exception:  # the corpus read such a page as text
            tables = []
        if not tables:
            for line in _text_lines(page, None, None):
                self.add(number, "text", line)
        else:
            self._tables(page, tables)
        self._furniture()
        self.last = len(self.lines) - 1

    def _tables(self, page: Any, tables: list[Any]) -> None:
        number, bottom, left = page.page_number, 0.0, len(tables)
        for table in tables:
            if table.bbox[3] < bottom:
                continue  # inside one read already
            left -= 1
            for line in _text_lines(page, table.bbox[1], bottom):
                self.add(number, "text", line)
            bottom = table.bbox[3]
            for row in _table_rows(table):
                self.add(number, "excel", str(row))
            if left == 0:
                for line in _text_lines(page, None, bottom):
                    self.add(number, "text", line)

    def _furniture(self) -> None:
        """Type the page's running header and page number, as the corpus typed them."""
        first = 1 if self.last == 0 else self.last + 2
        try:
            head = str(self.lines[first]["inside"])
            foot = str(self.lines[len(self.lines) - 1]["inside"])
        except KeyError:
            return
        if _HEADER.search(head) and "[" not in foot:
            self.lines[first]["type"] = "页眉"
            if self.last == 0 and _FOOTER.search(foot):
                self.lines[len(self.lines) - 1]["type"] = "页脚"
        if self.last != 0 and _FOOTER.search(foot) and "[" not in foot:
            self.lines[len(self.lines) - 1]["type"] = "页脚"

    def json_lines(self) -> str:
        return "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in self.lines.values())


def render(pdf: Path) -> str:
    """A PDF as FinGLM JSON lines."""
    import pdfplumber

    rendering = _Rendering()
    with pdfplumber.open(pdf) as document:
        for page in document.pages:
            rendering.page(page)
            page.flush_cache()
    return rendering.json_lines()


def _render_one(job: tuple[Path, Path]) -> str:
    pdf, out = job
    started = time.perf_counter()
    out.write_text(render(pdf), encoding="utf-8")
    return f"{pdf.name}: {time.perf_counter() - started:.0f} s"


def _gold_copy(gold: Path, folder: Path) -> None:
    """The gold file with its document named ``.txt`` (the rendering) instead of ``.pdf``."""
    text = gold.read_text(encoding="utf-8")
    text = re.sub(r"^(document:\s*\S+)\.pdf\s*$", r"\1.txt", text, count=1, flags=re.M)
    (folder / gold.name).write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path, help="folder for docs/ and gold/")
    parser.add_argument("--only", nargs="*", default=None, help="gold stems to render")
    parser.add_argument("--jobs", type=int, default=2, help="processes (default 2)")
    args = parser.parse_args(argv)
    docs, golds = args.out / "docs", args.out / "gold"
    docs.mkdir(parents=True, exist_ok=True)
    golds.mkdir(parents=True, exist_ok=True)
    jobs = []
    for gold in sorted((ROOT / "eval" / "gold").glob("w*.yaml")):
        if args.only and gold.stem not in args.only:
            continue
        pdf = wild_dir() / f"{gold.stem}.pdf"
        if not pdf.exists():
            print(f"{gold.stem}: no PDF at {pdf}", file=sys.stderr)
            continue
        _gold_copy(gold, golds)
        out = docs / f"{pdf.stem}.txt"
        if not out.exists():
            jobs.append((pdf, out))
    jobs.sort(key=lambda job: -job[0].stat().st_size)  # the longest first
    with Pool(args.jobs) as pool:
        for line in pool.imap_unordered(_render_one, jobs):
            print(line, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""How fast a view opens: load and first paint in headless Chromium, and the time to draw it.

Run: python bench/view_speed.py [--repeat 5]
For the 277-page semi-annual report (one 274,000-character line), the largest corpus PDF
(183 pages), the bank report as HTML and a short HKEX announcement: the time to render
the view in Python (from a record and its text), its size, and, over ``--repeat`` fresh
tabs of Debian's Chromium (``/usr/bin/chromium``, driven by Playwright; a first, unmeasured
load warms it), the median time from navigation to the load event and to the first
contentful paint, as the page's own Performance API reports them. The last row draws the
277-page report as a single block, without the ``content-visibility`` blocks, to show
what they are for.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from playwright.sync_api import Browser, sync_playwright

from extract import Settings
from extract.evaluation.documents import corpus_dir
from extract.load.document import read_document
from extract.pipeline import extract_document
from extract.view.page import render_view

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
SEED_001 = ROOT / "examples/filings/001_815c9fc6d423563f.txt"
FILINGS = [
    SEED_001,
    corpus_dir() / "d02_jianxin_300107_ar2019.pdf",  # the largest corpus PDF
    corpus_dir() / "d09_psbc_601658_ar2019.html",
    ROOT / "examples/filings/003_de5880db65f9c6a7.txt",
]
TIMINGS = """() => new Promise(done => {
    const nav = () => performance.getEntriesByType("navigation")[0].loadEventEnd;
    new PerformanceObserver((entries, observer) => {
        const paint = entries.getEntriesByName("first-contentful-paint")[0];
        if (paint) { observer.disconnect(); done([nav(), paint.startTime]); }
    }).observe({ type: "paint", buffered: true });
    setTimeout(() => done([nav(), NaN]), 10000);
})"""


def draw(path: Path, block_chars: int | None = None) -> tuple[str, float]:
    """The view of ``path`` and the seconds ``render_view`` took (extraction excluded)."""
    document = read_document(path)
    record = extract_document(document, Settings(backend="rules")).model_dump(mode="json")
    options = {} if block_chars is None else {"block_chars": block_chars}
    render_view(record, document.original, document.page_starts, **options)  # warm
    start = time.perf_counter()
    page = render_view(record, document.original, document.page_starts, **options)
    return page, time.perf_counter() - start


def open_times(browser: Browser, page_file: Path, repeat: int) -> tuple[float, float]:
    """Median load-event and first-contentful-paint times (ms) over fresh tabs."""
    loads, paints = [], []
    for attempt in range(repeat + 1):
        tab = browser.new_page(viewport={"width": 1280, "height": 800})
        tab.goto(page_file.as_uri(), wait_until="load")
        load, paint = tab.evaluate(TIMINGS)
        tab.close()
        if attempt:  # the first load warms the browser's caches
            loads.append(load)
            paints.append(paint)
    return statistics.median(loads), statistics.median(paints)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    cases = [(path.name, path, None) for path in FILINGS]
    cases.append((f"{SEED_001.name} as one block", SEED_001, 10**9))
    print(f"{'view of':52} {'render s':>8} {'KB':>6} {'load ms':>8} {'paint ms':>9}")
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        for label, path, block_chars in cases:
            page, seconds = draw(path, block_chars)
            page_file = Path(folder) / f"{path.name}.html"
            page_file.write_text(page, encoding="utf-8")
            load, paint = open_times(browser, page_file, args.repeat)
            size = page_file.stat().st_size / 1024
            print(f"{label:52} {seconds:>8.3f} {size:>6.0f} {load:>8.0f} {paint:>9.0f}")
        browser.close()


if __name__ == "__main__":
    main()

"""Headless Chromium for tests: Debian's ``/usr/bin/chromium``, driven by Playwright.

Playwright never downloads a browser here: it launches the system's Chromium
(``executable_path``), which CI installs with apt (``.ci/run``). Without it a test is
skipped, saying what to install, except under ``CI``, where it fails.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
# What this sandbox needs (no user namespaces, no GPU) and what keeps Chromium off the
# network on its own account.
FLAGS: tuple[str, ...] = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)

needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists() and not os.environ.get("CI"),
    reason="headless Chromium (/usr/bin/chromium) is not installed: apt-get install -y chromium "
    "(in CI, where CI is set, this test fails instead of skipping)",
)


@contextmanager
def chromium() -> Iterator[Browser]:
    """A headless Chromium, closed on exit."""
    assert CHROMIUM.exists(), "CI is set but /usr/bin/chromium is missing: apt-get install chromium"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=list(FLAGS))
        try:
            yield browser
        finally:
            browser.close()


def open_page(browser: Browser, page_file: Path, fragment: str = "") -> Page:
    """``page_file`` opened in a new 1280×800 tab, its fonts loaded and laid out."""
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(page_file.as_uri() + fragment, wait_until="load")
    page.evaluate("() => document.fonts.ready")
    settle(page)
    return page


def settle(page: Page) -> None:
    """Wait until what the page asked for in its last frames has been drawn."""
    page.evaluate(
        "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() =>"
        " requestAnimationFrame(done))))"
    )

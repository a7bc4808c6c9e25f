"""Views in headless Chromium: drawn, clickable, searchable, inert to markup in a filing."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from chromium import chromium, needs_chromium, open_page, settle
from PIL import Image
from playwright.sync_api import Browser, Page

from extract.config import Settings
from extract.view.make import make_view

pytestmark = needs_chromium

ROOT = Path(__file__).resolve().parents[2]
SEED_001 = ROOT / "examples" / "filings" / "001_815c9fc6d423563f.txt"  # 277 pages, one line
RULES = Settings(backend="rules")
# The colour of a quote without a check status (extract/view/assets/view.css, mark).
EVIDENCE_YELLOW = (255, 240, 168)
# The last quote of the report, 273,700 characters into it.
FAR_FIELD = "filing.publication_date"
ATTACKS = (
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(2)">',
    "<svg onload=alert(3)>",
    '<a href="javascript:alert(4)">点此</a>',
)
HOSTILE = (
    "证券代码:688271 证券简称:联影医疗 公告编号:2024-061\n"
    "上海联影医疗科技股份有限公司\n关于2024年半年度利润分配方案的公告\n"
    + "\n".join(ATTACKS)
    + "\n每10股派发现金红利人民币1.20元(含税)。\n"
    + "上海联影医疗科技股份有限公司董事会\n2024年8月30日\n"
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as browser:
        yield browser


@pytest.fixture(scope="module")
def seed_view(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("views") / "001.html"
    path.write_text(make_view(SEED_001, RULES), encoding="utf-8")
    return path


def near(colour: tuple[int, int, int], target: tuple[int, int, int]) -> bool:
    return all(abs(a - b) < 6 for a, b in zip(colour, target, strict=True))


def in_text_pane(page: Page, selector: str) -> bool:
    """Whether the first element matching ``selector`` is inside the visible text pane."""
    return bool(
        page.evaluate(
            """(selector) => {
                const el = document.querySelector(selector);
                const pane = document.getElementById("text").getBoundingClientRect();
                const box = el.getBoundingClientRect();
                return box.height > 0 && box.top >= pane.top && box.bottom <= pane.bottom;
            }""",
            selector,
        )
    )


def mark_of(page: Page, path: str) -> str:
    """The CSS selector of the first mark of a field's quote."""
    mark = page.get_attribute(f'#panel a[data-path="{path}"]', "data-mark")
    assert mark, f"{path} has no highlighted quote"
    return f'mark[data-f~="{mark}"]'


def test_screenshot_of_a_seed_view_shows_text_and_highlights(
    browser: Browser, seed_view: Path
) -> None:
    page = open_page(browser, seed_view)
    shot = Image.open(io.BytesIO(page.screenshot())).convert("RGB")
    page.close()
    colours = shot.getcolors(maxcolors=1 << 24) or []
    inked = sum(n for n, rgb in colours if sum(rgb) < 3 * 160)
    assert inked > 0.01 * shot.width * shot.height, "the view is blank"
    yellow = sum(n for n, rgb in colours if near(rgb, EVIDENCE_YELLOW))
    assert yellow > 200, "no highlighted quote on the first screen"


def test_clicking_a_field_brings_its_quote_into_view_and_flashes_it(
    browser: Browser, seed_view: Path
) -> None:
    page = open_page(browser, seed_view)
    mark = mark_of(page, FAR_FIELD)
    assert not in_text_pane(page, mark)
    page.click(f'#panel a[data-path="{FAR_FIELD}"]')
    settle(page)
    assert in_text_pane(page, mark)
    assert "flash" in (page.get_attribute(mark, "class") or "")
    assert page.evaluate("() => location.hash") == f"#f={FAR_FIELD}"
    page.close()


def test_a_link_to_a_field_opens_the_view_at_its_quote(browser: Browser, seed_view: Path) -> None:
    page = open_page(browser, seed_view, f"#f={FAR_FIELD}")
    assert in_text_pane(page, mark_of(page, FAR_FIELD))
    page.close()


def test_hovering_a_quote_names_its_fields(browser: Browser, seed_view: Path) -> None:
    page = open_page(browser, seed_view)
    assert page.is_hidden("#tip")
    page.hover(mark_of(page, "filing.stock_code"))
    tip = page.inner_text("#tip")
    assert page.is_visible("#tip")
    # one quote (688271) gives two fields
    assert "filing.stock_code = 688271" in tip and "filing.exchange = SSE" in tip
    page.close()


def test_search_counts_highlights_and_steps_through_matches(
    browser: Browser, seed_view: Path
) -> None:
    page = open_page(browser, seed_view)
    page.fill("#search", "营业收入")
    page.wait_for_function("() => document.getElementById('count').textContent !== ''")
    first = page.inner_text("#count")
    assert first.startswith("1 / ")
    total = int(first.split(" / ")[1])
    assert total > 10
    assert page.evaluate("() => CSS.highlights.get('search').size") == total
    page.press("#search", "Enter")
    assert page.inner_text("#count") == f"2 / {total}"
    page.fill("#search", "没有这样的文字")
    page.wait_for_function("() => document.getElementById('count').textContent === 'no match'")
    page.close()


def test_markup_in_a_filing_is_shown_as_text_and_never_runs(
    browser: Browser, tmp_path: Path
) -> None:
    filing = tmp_path / "hostile.txt"
    filing.write_text(HOSTILE, encoding="utf-8")
    view = tmp_path / "hostile.html"
    view.write_text(make_view(filing, RULES), encoding="utf-8")

    page = browser.new_page()
    dialogs: list[str] = []
    requests: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("request", lambda request: requests.append(request.url))
    page.goto(view.as_uri(), wait_until="load")
    settle(page)
    page.click("#text")  # a click on the text, as a reader would
    page.wait_for_timeout(300)

    assert dialogs == []
    assert requests == [view.as_uri()]  # nothing fetched: no image, no script, no font
    assert page.evaluate("() => document.scripts.length") == 1  # the view's own
    assert page.evaluate("() => document.querySelectorAll('img, svg, #text a').length") == 0
    shown = page.inner_text("#text")
    assert all(attack in shown for attack in ATTACKS)
    # the view's own script still runs (the policy names it by its hash)
    page.fill("#search", "alert(1)")
    page.wait_for_function("() => document.getElementById('count').textContent === '1 / 1'")
    page.close()

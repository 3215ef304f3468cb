"""A bound value's note, in a real Chromium: shown on keyboard focus and on hover with
JavaScript off, its links reachable by keyboard, inside a phone's screen, out of print,
and dismissed with Escape when JavaScript is on."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import make_site, run, static_server
from test_browser_reader import AXE, run_axe
from test_errors import edit

pytestmark = pytest.mark.browser
PHONE = {"width": 375, "height": 740}
# A long first sentence puts the last figure near the right edge of a phone's line.
PROSE = (
    "The sixth test, on 3 September 2017, was by far the largest that North Korea has carried out, at an estimated yield of"
    " {= tests[test_number=6].yield_kt_central as .1f } kilotonnes, about {= tests[test_number=6].yield_kt_central /"
    " tests[test_number=5].yield_kt_central as .1f } times the fifth."
)


@pytest.fixture(scope="module")
def origin(tmp_path_factory: pytest.TempPathFactory, shared_cache: Path) -> Iterator[str]:
    site = make_site(tmp_path_factory.mktemp("bound"))
    edit(site / "content/index.md", "The first test was in 2006.", PROSE)
    assert run(site, cache=shared_cache) == 0
    with static_server(site / "public") as origin:
        yield origin


def open_page(browser: Any, origin: str, **options: Any) -> Any:
    context = browser.new_context(viewport=options.pop("viewport", {"width": 1280, "height": 800}), **options)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(origin + "/")
    return page


def test_without_javascript_focus_shows_where_the_figure_comes_from(browser: Any, origin: str) -> None:
    page = open_page(browser, origin, java_script_enabled=False)
    figure = page.locator(".prose data").first
    note = page.locator(".prose .bound-note").first
    assert figure.text_content() == "109.4" and figure.get_attribute("value") == "109.4"
    assert not note.is_visible()
    for _ in range(40):  # the keyboard, from the top of the page
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.tagName") == "DATA":
            break
    assert page.evaluate("document.activeElement.textContent") == "109.4"
    assert note.is_visible()
    assert "Nuclear tests and yields" in note.inner_text() and "Yao et al. 2018" in note.inner_text()
    assert page.evaluate("document.activeElement.getAttribute('aria-describedby')") == note.get_attribute("id")
    page.keyboard.press("Tab")  # into the note: its link to the dataset's entry
    assert page.evaluate("document.activeElement.getAttribute('href')") == "/notes/coal/#data-tests"
    assert note.is_visible()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "https://doi.org/10.1785/0220180134"
    page.keyboard.press("Tab")  # out of the note: it closes
    assert not note.is_visible()
    page.mouse.move(0, 0)
    page.locator(".prose data").nth(1).hover()
    assert page.locator(".prose .bound-note").nth(1).is_visible()
    assert "Calculated from" in page.locator(".prose .bound-note").nth(1).inner_text()
    page.context.close()


def test_on_a_phone_the_note_stays_on_the_screen(browser: Any, origin: str) -> None:
    page = open_page(browser, origin, java_script_enabled=False, viewport=PHONE, is_mobile=True, has_touch=True)
    width = page.evaluate("document.documentElement.clientWidth")
    for index in range(page.locator(".prose data").count()):
        page.locator(".prose data").nth(index).focus()
        box = page.locator(".prose .bound-note").nth(index).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, box
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.context.close()


def test_print_shows_the_figure_and_not_its_note(browser: Any, origin: str) -> None:
    page = open_page(browser, origin, java_script_enabled=False)
    page.locator(".prose data").first.focus()
    page.emulate_media(media="print")
    assert page.locator(".prose data").first.is_visible()
    assert not page.locator(".prose .bound-note").first.is_visible()
    assert page.locator(".prose data").first.evaluate("d => getComputedStyle(d).textDecorationLine") == "none"
    page.context.close()


def test_with_javascript_escape_dismisses_the_note_and_axe_finds_nothing(browser: Any, origin: str) -> None:
    assert AXE.is_file(), f"{AXE} is missing: run `npm ci` (make test does)"
    page = open_page(browser, origin)
    figure, note = page.locator(".prose data").first, page.locator(".prose .bound-note").first
    figure.focus()
    assert note.is_visible()
    assert run_axe(page, AXE.read_text()) == []  # (with the note open)
    page.keyboard.press("Escape")
    assert not note.is_visible()
    assert page.evaluate("document.activeElement.textContent") == "109.4"  # (the focus stays on the figure)
    page.keyboard.press("Shift+Tab")  # away, and back: the note shows again
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "109.4" and note.is_visible()
    page.context.close()

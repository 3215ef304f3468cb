"""A real browser (Playwright driving Debian's Chromium) reloads itself after an edit."""

from __future__ import annotations

import pytest
from test_server import Server, add_big_page, server  # noqa: F401 (the fixture)

pytestmark = pytest.mark.browser


def test_open_page_reloads_after_an_edit(browser, server: Server) -> None:  # noqa: F811
    page = browser.new_page()
    page.goto(f"http://127.0.0.1:{server.port}/notes/coal/")
    page.wait_for_function("() => window.LiveReload !== undefined")
    page.evaluate("window.__marker = 'before'")
    server.after_edit("content/notes/coal.md", "## By year", "## Freshly edited")
    page.wait_for_selector("text=Freshly edited", timeout=5000)
    assert page.evaluate("window.__marker") is None  # it was a real reload


def test_css_edit_is_injected_without_a_reload(browser, server: Server) -> None:  # noqa: F811
    page = browser.new_page()
    page.goto(f"http://127.0.0.1:{server.port}/")
    page.wait_for_function("() => window.LiveReload !== undefined")
    page.evaluate("window.__marker = 'kept'")
    server.after_edit("static/style.css", "body {\n  margin: 0;", "body {\n  margin: 0;\n  outline: 7px solid rgb(1, 2, 3);")
    page.wait_for_function("() => getComputedStyle(document.body).outlineWidth === '7px'", timeout=5000)
    assert page.evaluate("window.__marker") == "kept"


def test_error_overlay_appears_in_the_open_page(browser, server: Server) -> None:  # noqa: F811
    page = browser.new_page()
    page.goto(f"http://127.0.0.1:{server.port}/notes/coal/")
    page.wait_for_function("() => window.LiveReload !== undefined")
    server.after_edit("content/notes/coal.md", "order: 2", "order: two")
    page.wait_for_selector("#broadsheet-error", timeout=5000)
    assert "content/notes/coal.md:4:" in page.inner_text("#broadsheet-error")
    server.after_edit("content/notes/coal.md", "order: two", "order: 2")
    page.wait_for_selector("#broadsheet-error", state="detached", timeout=5000)


def test_a_page_of_several_hundred_kb_arrives_whole_in_the_browser(browser, server: Server) -> None:  # noqa: F811
    add_big_page(server)
    page = browser.new_page()
    page.goto(f"http://127.0.0.1:{server.port}/big/")
    assert page.inner_text("#the-end") == "The end."  # the last element of a page of ~500 KB
    assert page.locator("main p").count() >= 500 and page.locator("main table").count() >= 300
    assert page.evaluate("document.documentElement.outerHTML.length") > 400_000
    page.wait_for_function("() => window.LiveReload !== undefined")  # the reload script still runs

"""Embeds size themselves: a chart embedded in another site's page, with the embed code
as published, is as tall as its content in Chromium, at 375 and 1280 px, and grows when
the reader opens "Show the data". The host page is served from another origin (two real
HTTP servers on different ports), as a partner's article would be."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pytest
from conftest import make_site, run, static_server

pytestmark = pytest.mark.browser
CHART = "wrapped"  # panels wrapped three across: one column on a phone, much taller than wide

# The embed page's own height, measured inside the frame as its script measures it.
CONTENT_HEIGHT = """() => Math.ceil(
  document.body.getBoundingClientRect().bottom + scrollY + parseFloat(getComputedStyle(document.body).marginBottom))"""


@pytest.fixture(scope="module")
def embed_code(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The layouts site built for its own origin, and the embed code its page publishes
    for the chart (the textarea's text, as a reader copies it)."""
    site = make_site(tmp_path_factory.mktemp("embeds"), "layouts")
    (site / "public").mkdir()
    with static_server(site / "public") as origin:
        assert run(site, "build", "--base-url", origin + "/") == 0
        page = (site / "public" / "index.html").read_text()
        textarea = re.search(rf'<textarea id="{CHART}-embed-code"[^>]*>(.*?)</textarea>', page, re.S)
        assert textarea is not None
        yield origin, html.unescape(textarea.group(1))


@pytest.mark.parametrize("width", [375, 1280])
def test_an_embedded_chart_is_as_tall_as_its_content_before_and_after_the_data_opens(
    browser: Any, embed_code: tuple[str, str], tmp_path: Path, width: int
) -> None:
    origin, code = embed_code
    assert f'src="{origin}/embed/{CHART}/"' in code and "postMessage" not in code  # (the listener only)
    host_page = f"<!doctype html><html><body style='margin:0'><h1>A partner's story</h1>{code}<p>After.</p></body></html>"
    (tmp_path / "index.html").write_text(host_page)
    context = browser.new_context(viewport={"width": width, "height": 900})
    try:
        page = context.new_page()
        with static_server(tmp_path) as host:
            assert host != origin
            page.goto(host + "/")
            frame = page.frame_locator("iframe[data-broadsheet-embed]")
            frame.locator("figure.chart").wait_for()
            embedded = next(f for f in page.frames if f.url.startswith(origin))
            heights = []
            for opened in (False, True):
                if opened:
                    frame.locator("summary", has_text="Show the data").click()
                content = embedded.evaluate(CONTENT_HEIGHT)
                page.wait_for_function("h => document.querySelector('iframe').getBoundingClientRect().height === h", arg=content)
                assert embedded.evaluate("() => document.documentElement.scrollHeight <= innerHeight")  # nothing cut, no scroll bar
                heights.append(content)
    finally:
        context.close()
    assert heights[1] > heights[0] + 100  # the table added its rows, and the frame followed

"""The explainer's charts on the dark page, measured in screenshots.

Chromium, in ``prefers-color-scheme: dark`` and without JavaScript (so each chart is its
static drawing), photographs every chart at 375 and 1280 px; each text of the drawing the
page shows is then measured in the photograph: the lightest and darkest pixels of its box
must differ by 3:1 or more, or the reader cannot see it (a light label on a white cell).
The marks are measured by their computed colours against the page (``test_browser_reader``):
each fill or outline that makes a mark seen must reach 3:1.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import static_server
from test_browser_reader import CHART_MARK_CONTRAST, DESKTOP, PHONE, STATIC, STATIC_MARKS, TIMEOUT, built_site

pytestmark = pytest.mark.browser
TEXT_SEEN = 3.0  # the lightest and darkest pixels of a text's box, at least this far apart
WIDTHS = {"375": PHONE, "1280": DESKTOP}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "url" in metafunc.fixturenames:
        site = built_site(metafunc.config)
        with_charts = [u for u in site.urls if '<figure class="chart"' in (site.public / u.strip("/") / "index.html").read_text()]
        metafunc.parametrize("url", with_charts)


@pytest.fixture(scope="module")
def origin(request: pytest.FixtureRequest) -> Iterator[str]:
    with static_server(built_site(request.config).public) as origin:
        yield origin


def pixels(png: bytes) -> tuple[int, int, list[bytes]]:
    """A PNG as Chromium writes it (8-bit RGB or RGBA, not interlaced): width, height, rows
    of RGB(A) bytes. (No imaging library: the filters are five lines of the PNG standard.)"""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    at, data, header = 8, b"", b""
    while at < len(png):
        length, kind = struct.unpack(">I4s", png[at : at + 8])
        chunk = png[at + 8 : at + 8 + length]
        header, data = (chunk, data) if kind == b"IHDR" else (header, data + chunk if kind == b"IDAT" else data)
        at += 12 + length
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and colour in (2, 6) and interlace == 0
    step = 4 if colour == 6 else 3
    raw, rows, previous = zlib.decompress(data), [], bytes(width * step)
    for y in range(height):
        kind, line = raw[y * (width * step + 1)], bytearray(raw[y * (width * step + 1) + 1 : (y + 1) * (width * step + 1)])
        for x in range(len(line)):
            a, b, c = line[x - step] if x >= step else 0, previous[x], previous[x - step] if x >= step else 0
            p = a + b - c
            nearest = a if abs(p - a) <= abs(p - b) and abs(p - a) <= abs(p - c) else b if abs(p - b) <= abs(p - c) else c
            line[x] = (line[x] + (0, a, b, (a + b) // 2, nearest)[kind]) & 0xFF
        rows.append(previous := bytes(line))
    return width, step, rows


def luminance(r: int, g: int, b: int) -> float:
    linear = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in (r / 255, g / 255, b / 255)]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def seen_contrast(image: tuple[int, int, list[bytes]], box: dict[str, float]) -> float:
    """The contrast between the lightest and darkest pixels inside ``box`` (CSS pixels, scale 1)."""
    width, step, rows = image
    x0, y0 = max(0, int(box["x"])), max(0, int(box["y"]))
    x1, y1 = min(width, int(box["x"] + box["width"] + 0.999)), min(len(rows), int(box["y"] + box["height"] + 0.999))
    values = [luminance(*rows[y][x * step : x * step + 3]) for y in range(y0, y1) for x in range(x0, x1)]
    return (max(values) + 0.05) / (min(values) + 0.05) if values else 21.0


TEXT_BOXES = """([figure, selector]) => {
  const svg = [...figure.querySelectorAll(selector)].find(s => s.getClientRects().length && getComputedStyle(s).display !== "none"
                                                             && s.getBoundingClientRect().width > 0);
  if (!svg) return [];
  const origin = figure.getBoundingClientRect();
  return [...svg.querySelectorAll("text")].filter(t => t.textContent.trim() && getComputedStyle(t).opacity !== "0")
    .map(t => { const r = t.getBoundingClientRect();
                return {text: t.textContent.trim().slice(0, 40), x: r.left - origin.left, y: r.top - origin.top,
                        width: r.width, height: r.height}; })
    .filter(b => b.width > 0 && b.height > 0);
}"""


@pytest.mark.parametrize("width", list(WIDTHS))
def test_on_the_dark_page_every_chart_text_and_mark_can_be_seen(browser: Any, origin: str, url: str, width: str, tmp_path: Path) -> None:
    context = browser.new_context(viewport=WIDTHS[width], color_scheme="dark", java_script_enabled=False)
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT)
        page.goto(origin + url)
        assert page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
        unseen = []
        for number, figure in enumerate(page.query_selector_all("figure.chart, .scrolly-figure")):
            if not figure.is_visible():
                continue
            figure.scroll_into_view_if_needed()
            png = figure.screenshot()
            (tmp_path / f"{url.strip('/').replace('/', '-') or 'home'}-{width}-dark-{number}.png").write_bytes(png)
            image = pixels(png)
            for box in page.evaluate(TEXT_BOXES, [figure, STATIC]):
                ratio = seen_contrast(image, box)
                if ratio < TEXT_SEEN:
                    unseen.append(f"{figure.get_attribute('id') or number}: '{box['text']}' is {ratio:.2f}:1 in its box")
        assert unseen == [], "\n".join(unseen)
        assert page.evaluate(CHART_MARK_CONTRAST, [STATIC_MARKS, {}]) == []
    finally:
        context.close()

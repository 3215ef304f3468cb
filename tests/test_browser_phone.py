"""Chart text a reader can read, measured in Chromium: on a 375 px phone and a 1280 px
desktop, without JavaScript (the static SVG the browser picks) and with it (the live chart,
after the pointer enters the figure), the smallest text of every chart renders at 10 px
or more, and no text item overlaps another, runs outside its chart or ends in an ellipsis
(measured by Chromium itself, apart from the build's own check). Over the explainer, over
a site of every chart shape (tests/sites/layouts: layered, faceted, wrapped, side by side,
repeated and declarative charts) and over a site of the Altair gallery's shapes
(tests/sites/gallery: selections, maps, a scatter matrix).

Rendered size is the text's computed font size times the scale its SVG is drawn at on
screen (``getScreenCTM``): a 640 px drawing squeezed into a 335 px column halves it.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, SITES, built_explainer, static_server

from broadsheet.cli import main

WIDTHS = (375, 1280)
SMALLEST = 10.0  # px, the floor for any chart text
TIMEOUT = 20_000  # ms: the runtime and a spec load from the local server in well under a second

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class Built:
    public: Path
    urls: tuple[str, ...]  # pages with at least one chart


BUILT = pytest.StashKey[dict[str, Built]]()
SITE_NAMES = ("explainer", "layouts", "gallery")


def chart_pages(name: str) -> tuple[str, ...]:
    """The pages of a site that show a chart, read from its Markdown: the tests are listed
    when they are collected, without building anything (``make fast`` collects them too)."""
    content = (REPO if name == "explainer" else SITES / name) / "content"
    found = []
    for path in sorted(content.rglob("*.md")):
        if re.search(r"^```(chart|scrolly)\s*$", path.read_text(), re.M):
            slug = path.relative_to(content).with_suffix("").as_posix()
            found.append("/" if slug == "index" else f"/{slug.removesuffix('/index')}/")
    return tuple(sorted(found))


def build(config: pytest.Config, name: str) -> Built:
    """The explainer (the run's one build of it) or ``tests/sites/NAME``, built once per run."""
    stash = config.stash.setdefault(BUILT, {})
    if name not in stash:
        if name == "explainer":
            public = built_explainer(config).public
        else:
            folder = tempfile.TemporaryDirectory(prefix=f"broadsheet-phone-{name}-")
            config.add_cleanup(folder.cleanup)
            root = Path(folder.name) / "site"
            shutil.copytree(SITES / name, root, ignore=shutil.ignore_patterns("public", ".cache", "__pycache__"))
            for theme in ("templates", "static"):
                shutil.copytree(REPO / theme, root / theme)
            assert main(["build", "--root", str(root)]) == 0
            public = root / "public"
        pages = [
            p for p in public.rglob("index.html") if "embed" not in p.relative_to(public).parts[:1] and 'class="chart"' in p.read_text()
        ]
        urls = tuple(sorted("/" if p.parent == public else f"/{p.parent.relative_to(public).as_posix()}/" for p in pages))
        assert urls == chart_pages(name), "the pages with charts, as built, are the ones the tests were listed for"
        stash[name] = Built(public, urls)
    return stash[name]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "page_url" in metafunc.fixturenames:
        cases = [(name, url) for name in SITE_NAMES for url in chart_pages(name)]
        metafunc.parametrize(("site_name", "page_url"), cases, ids=[f"{n}{u}" for n, u in cases])


@pytest.fixture(scope="module")
def origins(request: pytest.FixtureRequest) -> Iterator[dict[str, str]]:
    """Each built site on its own real HTTP server: name -> http://127.0.0.1:PORT."""
    with contextlib.ExitStack() as stack:
        yield {name: stack.enter_context(static_server(build(request.config, name).public)) for name in SITE_NAMES}


# JavaScript: whether a chart's text is drawn (not empty, laid out, and no element between it
# and ``top`` hidden), for the scripts below.
SHOWN = """
  const shown = (text, top) => {
    if (!text.textContent.trim() || !text.getClientRects().length) return false;
    for (let el = text; el && el !== top; el = el.parentElement) {
      const style = getComputedStyle(el);
      if (style.display === "none" || style.visibility === "hidden" || style.opacity === "0") return false;
    }
    return true;
  };"""


# The smallest text each chart shows, as drawn on screen. Text in a hidden layout (the
# narrow drawing on a desktop) or behind the live chart does not count; empty text neither.
# A scrolly section's steps count too: each step's own chart without JavaScript, and the
# sticky copy of the active one with it (the steps' own charts are then visually hidden).
SMALLEST_TEXT = (
    """() => {"""
    + SHOWN
    + """
  return Array.from(document.querySelectorAll(
    "figure.chart, .scrolly:not(.is-live) figure.scrolly-figure, .scrolly.is-live .scrolly-graphic:not([hidden])"
  )).map(figure => {
  let smallest = Infinity, what = "", count = 0;
  for (const text of figure.querySelectorAll(".chart-graphic svg text")) {
    if (!shown(text, figure)) continue;
    const m = text.getScreenCTM();
    const px = parseFloat(getComputedStyle(text).fontSize) * Math.hypot(m.a, m.b);
    count += 1;
    if (px < smallest) { smallest = px; what = text.textContent.trim().slice(0, 40); }
  }
  const graphic = figure.matches(".chart") ? figure.querySelector(".chart-graphic") : null;
  const id = figure.id || figure.closest("[id]").id;
  return {id, smallest, what, count, state: graphic ? graphic.getAttribute("data-enhanced") || "static" : "step"};
});
}"""
)


def measured(browser: Any, url: str, width: int, javascript: bool, script: str, arg: Any = None) -> Any:
    """What ``script`` finds on the page at ``url``, ``width`` px wide; with JavaScript, once
    every chart has gone live (the pointer entered it)."""
    context = browser.new_context(viewport={"width": width, "height": 900}, java_script_enabled=javascript)
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT)
        page.goto(url, wait_until="load")
        if javascript:
            for figure in page.locator("figure.chart").all():
                figure.scroll_into_view_if_needed()
                figure.hover()
                graphic = figure.locator(".chart-graphic")
                page.wait_for_function("el => ['live', 'failed'].includes(el.getAttribute('data-enhanced'))", arg=graphic.element_handle())
        return page.evaluate(script, arg)
    finally:
        context.close()


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("javascript", [False, True], ids=["static", "live"])
def test_every_chart_text_is_at_least_10_px(
    browser: Any, origins: dict[str, str], site_name: str, page_url: str, width: int, javascript: bool
) -> None:
    charts = measured(browser, origins[site_name] + page_url, width, javascript, SMALLEST_TEXT)
    assert charts, f"{page_url} has no chart"
    if javascript:
        assert [c["id"] for c in charts if c["state"] not in ("live", "step")] == [], "charts that did not go live"
    assert [c["id"] for c in charts if not c["count"]] == [], "charts with no visible text"
    small = [f"{c['id']}: {c['smallest']:.1f} px ('{c['what']}')" for c in charts if c["smallest"] < SMALLEST]
    assert not small, f"chart text under {SMALLEST} px at {width} px:\n" + "\n".join(small)


def test_a_live_chart_follows_its_container_across_40rem(browser: Any, origins: dict[str, str]) -> None:
    """A phone turned or a window resized: the live chart is drawn again from the other layout's spec."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT)
        page.goto(origins["layouts"] + "/", wait_until="load")
        figure = page.locator("figure.chart").first
        figure.hover()
        graphic = figure.locator(".chart-graphic").element_handle()
        for width, layout in ((1280, "wide"), (375, "narrow"), (1280, "wide")):
            page.set_viewport_size({"width": width, "height": 900})
            page.wait_for_function(
                "([el, layout]) => el.getAttribute('data-enhanced') === 'live' && el.getAttribute('data-layout') === layout",
                arg=[graphic, layout],
            )
            assert graphic.evaluate("el => el.querySelectorAll('.vega-embed').length") == 1
    finally:
        context.close()


# Every visible text item of each chart as Chromium lays it out: its getBBox, turned by its
# transforms into screen coordinates. Text over other text (by more than half a pixel, the
# turned boxes compared), text outside its SVG, and text ending in an ellipsis.
TEXT_PROBLEMS = (
    """(tolerance) => {"""
    + SHOWN
    + """
  return Array.from(document.querySelectorAll(
    "figure.chart, .scrolly:not(.is-live) figure.scrolly-figure, .scrolly.is-live .scrolly-graphic:not([hidden])"
  )).flatMap(figure => Array.from(figure.querySelectorAll(".chart-graphic svg"))
    .filter(svg => !svg.parentElement.closest("svg")).map(svg => {
  const items = [];
  for (const text of svg.querySelectorAll("text")) {
    if (!shown(text, figure)) continue;
    const b = text.getBBox(), m = text.getScreenCTM();
    const corners = [[b.x, b.y], [b.x + b.width, b.y], [b.x + b.width, b.y + b.height], [b.x, b.y + b.height]]
      .map(([x, y]) => [m.a * x + m.c * y + m.e, m.b * x + m.d * y + m.f]);
    items.push({text: text.textContent.trim(), corners});
  }
  const frame = svg.getBoundingClientRect(), problems = [];
  const depth = (p, q) => {
    let least = Infinity;
    for (const shape of [p, q]) for (let i = 0; i < 4; i++) {
      const [x1, y1] = shape[i], [x2, y2] = shape[(i + 1) % 4];
      const nx = y1 - y2, ny = x2 - x1, n = Math.hypot(nx, ny) || 1;
      const pa = p.map(([x, y]) => (x * nx + y * ny) / n), qa = q.map(([x, y]) => (x * nx + y * ny) / n);
      least = Math.min(least, Math.min(Math.max(...pa), Math.max(...qa)) - Math.max(Math.min(...pa), Math.min(...qa)));
    }
    return least;
  };
  items.forEach((a, i) => {
    if (a.text.includes("\\u2026")) problems.push(`'${a.text}' is cut short`);
    const xs = a.corners.map(c => c[0]), ys = a.corners.map(c => c[1]);
    const out = Math.max(
      frame.left - Math.min(...xs), frame.top - Math.min(...ys), Math.max(...xs) - frame.right, Math.max(...ys) - frame.bottom);
    if (out > tolerance) problems.push(`'${a.text}' runs ${out.toFixed(1)} px outside the chart`);
    for (const b of items.slice(i + 1)) if (depth(a.corners, b.corners) > tolerance) problems.push(`'${a.text}' overlaps '${b.text}'`);
  });
  return {id: figure.id || figure.closest("[id]").id, problems};
}));
}"""
)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("javascript", [False, True], ids=["static", "live"])
def test_no_chart_text_overlaps_runs_out_or_is_cut(
    browser: Any, origins: dict[str, str], site_name: str, page_url: str, width: int, javascript: bool
) -> None:
    """Issue 23's acceptance, measured by Chromium itself rather than by the build's check."""
    charts = measured(browser, origins[site_name] + page_url, width, javascript, TEXT_PROBLEMS, 0.5)
    found = [f"{c['id']}: {p}" for c in charts for p in c["problems"]]
    assert not found, f"chart text at {width} px:\n" + "\n".join(found)

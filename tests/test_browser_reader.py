"""What a reader gets, checked in a real browser on every page of the built explainer.

Playwright drives Debian's Chromium against the built site served on 127.0.0.1: no console
error or failed request, no request to another origin, charts that work without JavaScript
and become interactive with it, no axe-core WCAG 2.1 A/AA violation (light and dark), a
page that fits a phone and keeps a readable measure on a desktop, readable chart text in
both colour schemes, a print stylesheet, and a page weight within budget before interaction.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, built_explainer, static_server
from playwright.sync_api import TimeoutError as PlaywrightTimeout

AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 740}
BUDGET = 150 * 1024  # bytes, gzip-compressed, transferred before any interaction
TIMEOUT = 15_000  # ms: a generous bound for waits that normally take a few ms

pytestmark = pytest.mark.browser


# ---------------------------------------------------------------- the built site, served


@dataclass(frozen=True)
class Site:
    public: Path
    urls: list[str]  # every page: one per index.html, as the path a reader opens


BUILT = pytest.StashKey[Site]()


def built_site(config: pytest.Config) -> Site:
    """The explainer, built once per run (conftest's ``built_explainer``), and its pages."""
    if BUILT not in config.stash:
        public = built_explainer(config).public
        folders = (p.parent.relative_to(public).as_posix() for p in public.rglob("index.html"))
        config.stash[BUILT] = Site(public, sorted("/" if f == "." else f"/{f}/" for f in folders))
    return config.stash[BUILT]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "url" in metafunc.fixturenames:
        metafunc.parametrize("url", built_site(metafunc.config).urls)


@pytest.fixture(scope="module")
def origin(request: pytest.FixtureRequest) -> Iterator[str]:
    """The built site on a real HTTP server on a free port: http://127.0.0.1:PORT."""
    with static_server(built_site(request.config).public) as origin:
        yield origin


@pytest.fixture(scope="module")
def axe_source() -> str:
    """axe-core from node_modules (`npm ci`, run by `make test`): missing is a failure, not a skip."""
    assert AXE.is_file(), f"{AXE} is missing: run `npm ci` (make test does)"
    return AXE.read_text()


# ---------------------------------------------------------------- a page that records everything


@dataclass
class Recorder:
    """Every request, failure and console error of one page."""

    origin: str
    requests: list[str] = field(default_factory=list)
    responses: list[Any] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def attach(self, page: Any) -> None:
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("response", lambda r: self.responses.append(r))
        page.on("requestfailed", lambda r: self.problems.append(f"failed request {r.url}: {r.failure}"))
        page.on("response", lambda r: r.status >= 400 and self.problems.append(f"HTTP {r.status} {r.url}"))
        page.on("console", lambda m: m.type == "error" and self.problems.append(f"console error: {m.text}"))
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))

    def assert_clean(self) -> None:
        assert not self.problems, "\n".join(self.problems)
        foreign = [u for u in self.requests if not u.startswith(self.origin + "/") and not u.startswith(("data:", "blob:"))]
        assert not foreign, "requests that leave the site's origin:\n" + "\n".join(foreign)


@pytest.fixture
def open_page(browser: Any, origin: str) -> Iterator[Any]:
    """open_page(url, wait_until=..., **context_options) -> (page, recorder); contexts are closed after the test."""
    contexts = []

    def opener(url: str, wait_until: str = "load", **options: Any) -> tuple[Any, Recorder]:
        context = browser.new_context(viewport=options.pop("viewport", DESKTOP), **options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(TIMEOUT)
        recorder = Recorder(origin)
        recorder.attach(page)
        page.goto(origin + url, wait_until=wait_until)
        return page, recorder

    yield opener
    for context in contexts:
        context.close()


def run_axe(page: Any, axe_source: str, rules: list[str] | None = None) -> list[str]:
    """axe-core's violations as readable lines: rule, impact, and where."""
    page.add_script_tag(content=axe_source)
    options: dict[str, Any] = {"runOnly": {"type": "rule", "values": rules}} if rules else {"runOnly": {"type": "tag", "values": WCAG}}
    violations = page.evaluate("options => axe.run(document, options).then(r => r.violations)", options)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {node['target']}: {node.get('failureSummary', '')[:300]}"
        for v in violations
        for node in v["nodes"]
    ]


CONTRAST = """
  const rgb = c => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map(v => (v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)
    .reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const page = rgb(getComputedStyle(document.body).backgroundColor);
  // Not the box: a static SVG hidden behind its live chart still counts (no JavaScript, print).
  const shown = el => { const style = getComputedStyle(el); return style.visibility !== "hidden" && style.display !== "none"; };
  // The colour as seen on the page: its alpha and opacity blended with the page background.
  const seen = (colour, opacity) => { const c = rgb(colour), a = (c.length > 3 ? c[3] : 1) * opacity;
                                      return [a, c.slice(0, 3).map((v, i) => v * a + page[i] * (1 - a))]; };
"""

CHART_TEXT_CONTRAST = (
    """(selector) => {"""
    + CONTRAST
    + """
  const low = [];
  for (const text of document.querySelectorAll(selector)) {
    if (!text.textContent.trim() || !shown(text)) continue;
    const style = getComputedStyle(text);
    const [alpha, colour] = seen(style.fill, Number(style.fillOpacity) * Number(style.opacity));
    const r = ratio(colour, page);
    if (alpha > 0 && r < 4.5) low.push(`${text.textContent.trim().slice(0, 40)}: ${style.fill} on ${page} is ${r.toFixed(2)}:1`);
  }
  return low;
}"""
)

CHART_MARK_CONTRAST = (
    """([selector, lightOf]) => {
  // A mark drawn fully opaque is seen on the dark page as on the white one: 3:1 against the
  // page (WCAG 1.4.11) by its fill or its outline, or, for a pale band or an outlined white
  // cell (under 3:1 on white by design), no fainter than on white. Its colour on the white
  // page is its attribute (a static drawing) or, recoloured for the dark page (a live
  // chart), the colour the chart's dark map gave it (``lightOf``). Translucent marks are
  // deliberate shading."""
    + CONTRAST
    + """
  const white = [255, 255, 255];
  const hex = c => "#" + rgb(c).slice(0, 3).map(v => Math.round(v).toString(16).padStart(2, "0")).join("");
  const low = new Set();
  for (const mark of document.querySelectorAll(selector)) {
    if (!shown(mark)) continue;
    const style = getComputedStyle(mark);
    let dark = 0, light = 0, seenAs = [];
    for (const paint of ["fill", "stroke"]) {
      if (!style[paint] || style[paint] === "none" || style[paint].startsWith("url")) continue;
      if (paint === "stroke" && !(parseFloat(style.strokeWidth) > 0)) continue;
      const [alpha, colour] = seen(style[paint], Number(style[paint + "Opacity"]) * Number(style.opacity));
      if (alpha < 0.99) continue;
      const drawn = lightOf[hex(style[paint])] || mark.getAttribute(paint) || hex(style[paint]);
      const probe = document.createElement("span");
      probe.style.color = drawn;
      document.body.append(probe);
      const onWhite = ratio(rgb(getComputedStyle(probe).color), white);
      probe.remove();
      dark = Math.max(dark, ratio(colour, page));
      light = Math.max(light, onWhite);
      seenAs.push(`${paint} ${style[paint]} is ${ratio(colour, page).toFixed(2)}:1 (${drawn} ${onWhite.toFixed(2)}:1 on white)`);
    }
    if (seenAs.length && dark < Math.min(3, light) - 0.05) low.add(`${mark.parentNode.getAttribute("class")}: ${seenAs.join(", ")}`);
  }
  return [...low];
}"""
)


def light_colours(page: Any) -> dict[str, str]:
    """Each colour the live charts of the page were recoloured to on the dark page, and the
    colour it stands for on the white page (the inverse of each spec's dark map)."""
    maps = page.evaluate(
        """() => Promise.all([...document.querySelectorAll('.chart-graphic[data-spec]')].map(c =>
             fetch(c.getAttribute(c.getAttribute('data-layout') === 'narrow' ? 'data-spec-narrow' : 'data-spec'))
               .then(r => r.json()).then(s => ((s.usermeta || {}).broadsheet || {}).dark || {})))"""
    )
    return {dark: light for colours in maps for light, dark in colours.items()}


def figures(page: Any) -> list[Any]:
    return page.query_selector_all("figure.chart")


# ---------------------------------------------------------------- the tests


IDLE = "() => new Promise(done => requestAnimationFrame(() => requestIdleCallback(done, {timeout: 2000})))"


def load_bench(name: str) -> Any:
    """A script of bench/ as a module (bench/ is not a package)."""
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, REPO / "bench" / f"{name}.py")
        assert spec and spec.loader
        sys.modules[name] = importlib.util.module_from_spec(spec)  # dataclasses look their module up
        spec.loader.exec_module(sys.modules[name])
    return sys.modules[name]


def test_loads_only_from_its_own_origin_without_errors_within_budget(open_page: Any, origin: str, url: str) -> None:
    page_weight = load_bench("page_weight")
    page, recorder = open_page(url, wait_until="networkidle", viewport=page_weight.VIEWPORT)
    weight = page_weight.weigh(recorder.responses, origin, url)
    assert not weight.runtime_loaded, f"the chart runtime loaded before interaction: {weight.loaded}"
    assert weight.total <= BUDGET, f"{weight.total} bytes compressed before interaction: {weight.loaded}"
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    page.evaluate(IDLE)  # whatever scrolling starts has started
    recorder.assert_clean()


# A chart's static drawings: wide and narrow (CSS shows the one that fits), or a single SVG.
STATIC = ".chart-graphic > svg, .chart-graphic > .chart-wide > svg, .chart-graphic > .chart-narrow > svg"
STATIC_TEXT = ", ".join(f"{s} text" for s in STATIC.split(", "))
# Text the build drew on a mark gets a colour that reads on that mark on the dark page
# (darkcolors.py): it is measured where it is drawn, in screenshots (test_browser_dark.py).
STATIC_TEXT_ON_PAGE = ", ".join(f'{s} text:not([style*="--dark-fill"])' for s in STATIC.split(", "))
STATIC_MARKS = ", ".join(f"{s} .role-mark > :not(text), {s} .role-legend-symbol path" for s in STATIC.split(", "))


def static_svg(figure: Any) -> Any:
    """The static drawing the browser shows for this figure at this width."""
    return next((svg for svg in figure.query_selector_all(STATIC) if svg.is_visible()), None)


def test_without_javascript_every_chart_is_its_static_svg_with_source_and_data(open_page: Any, url: str) -> None:
    page, recorder = open_page(url, java_script_enabled=False)
    for figure in figures(page):
        svg = static_svg(figure)
        assert svg and svg.get_attribute("role") == "img" and svg.get_attribute("aria-label"), "static SVG"
        box = svg.bounding_box()
        assert box and box["width"] > 200 and box["height"] > 50
        source = figure.query_selector(".chart-source a[href^='http']")
        assert source and source.is_visible(), "source line with a link"
        data = figure.query_selector("a[download][href$='.csv']")
        assert data and data.is_visible(), "data link"
    assert not [u for u in recorder.requests if u.endswith(".js")]
    recorder.assert_clean()


HOVER_POINTS = """(figure) => {
  // Points (whole pixels, as the mouse moves) over marks that have a tooltip in the live chart.
  const svg = figure.querySelector(".chart-graphic .vega-embed svg");
  if (!svg) return [];
  // Discrete marks first: a line or an area is one path, hovered by its first point.
  const joined = el => el.parentNode.matches(".mark-line, .mark-area, .mark-trail");
  const marks = [...svg.querySelectorAll(".role-mark > *")].filter(el => el.__data__ && el.__data__.tooltip != null);
  marks.sort((a, b) => joined(a) - joined(b));
  const found = [];
  for (const el of marks.slice(0, 40)) {
    el.scrollIntoView({block: "center", inline: "nearest"});
    const box = el.getBoundingClientRect();
    const points = [];
    for (const fy of [0.5, 0.25, 0.75, 0.9]) {
      for (const fx of [0.5, 0.25, 0.75, 0.1, 0.9]) points.push([box.x + box.width * fx, box.y + box.height * fy]);
    }
    if (el.getTotalLength) {
      const length = el.getTotalLength(), matrix = el.getScreenCTM();
      for (const f of [0.5, 0.25, 0.75, 0.1, 0.9]) {
        const p = el.getPointAtLength(length * f).matrixTransform(matrix);
        points.push([p.x, p.y]);
      }
    }
    const hit = points.map(([x, y]) => [Math.round(x), Math.round(y)]).find(([x, y]) => {
      const at = document.elementFromPoint(x, y);
      return at && (at === el || el.contains(at));
    });
    if (hit) { found.push({x: hit[0], y: hit[1], scrollY: window.scrollY}); if (found.length === 3) break; }
  }
  return found;
}"""


def hover_until_tooltip(page: Any, figure: Any) -> str:
    """Hover the static chart (which loads the runtime), then a mark of the live chart; return the tooltip's text."""
    graphic = figure.query_selector(".chart-graphic")
    graphic.scroll_into_view_if_needed()
    box = graphic.bounding_box()
    top = max(box["y"], 0)  # (a chart taller than the window is scrolled to its middle: its top is above)
    page.mouse.move(box["x"] + box["width"] / 2, top + min((box["y"] + box["height"] - top) / 2, 100))
    page.wait_for_function("g => g.classList.contains('is-live') && g.querySelector('.vega-embed svg')", arg=graphic)
    points = page.evaluate(HOVER_POINTS, figure)
    assert points, f"no mark with a tooltip in the live chart {figure.get_attribute('id')}"
    for point in points:
        page.evaluate("y => window.scrollTo(0, y)", point["scrollY"])
        page.mouse.move(point["x"] - 2, point["y"])
        page.mouse.move(point["x"], point["y"])
        try:
            page.wait_for_selector("#vg-tooltip-element.visible", timeout=3000)
        except PlaywrightTimeout:
            continue
        text = page.inner_text("#vg-tooltip-element")
        page.mouse.move(0, 0)
        page.wait_for_selector("#vg-tooltip-element.visible", state="detached")
        return text
    raise AssertionError(f"no tooltip over the marks of {figure.get_attribute('id')} at {points}")


def test_with_javascript_every_chart_becomes_interactive_and_stays_accessible(open_page: Any, axe_source: str, url: str) -> None:
    page, recorder = open_page(url)
    charts = figures(page)
    for figure in charts:
        assert hover_until_tooltip(page, figure).strip(), figure.get_attribute("id")
    recorder.assert_clean()
    if charts:
        violations = run_axe(page, axe_source)
        assert not violations, "\n".join(violations)
        assert page.evaluate(CHART_TEXT_CONTRAST, ".chart-graphic.is-live .vega-embed svg text") == []
        assert_prints_charts_and_sources_without_navigation(page)  # live charts print as their static SVG


def test_no_wcag_violation_and_chart_text_keeps_contrast(open_page: Any, axe_source: str, url: str) -> None:
    page, recorder = open_page(url, color_scheme="light")
    violations = run_axe(page, axe_source)
    assert not violations, "\n".join(violations)
    assert page.evaluate(CHART_TEXT_CONTRAST, STATIC_TEXT) == []
    recorder.assert_clean()


def test_dark_mode_keeps_contrast(open_page: Any, axe_source: str, url: str) -> None:
    page, _ = open_page(url, color_scheme="dark")
    assert page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
    assert page.evaluate(CHART_TEXT_CONTRAST, STATIC_TEXT_ON_PAGE) == []
    assert page.evaluate(CHART_MARK_CONTRAST, [STATIC_MARKS, {}]) == []
    violations = run_axe(page, axe_source, ["color-contrast"])
    assert not violations, "\n".join(violations)
    for figure in figures(page):
        hover_until_tooltip(page, figure)
    assert page.evaluate(CHART_TEXT_CONTRAST, ".chart-graphic.is-live .vega-embed svg text") == []
    live_marks = ".vega-embed svg .role-mark > :not(text), .vega-embed svg .role-legend-symbol path"
    assert page.evaluate(CHART_MARK_CONTRAST, [live_marks, light_colours(page)]) == []


STICKING_OUT = """(width) => [...document.querySelectorAll('body *')]
  .filter(e => { const r = e.getBoundingClientRect();
                 return r.width && (r.right > width + 0.5 || r.left < -0.5)
                        && !e.closest('svg *, .table-scroll, .visually-hidden, .skip'); })
  .map(e => { const r = e.getBoundingClientRect();
              return `${e.outerHTML.slice(0, 80)}: ${Math.round(r.left)} to ${Math.round(r.right)}`; })"""

CLIPPED_CHART_TEXT = """(svg) => {
  // Chart text drawn outside its SVG is cut off: labels measured in one font, drawn in a wider one.
  const box = svg.getBoundingClientRect();
  return [...svg.querySelectorAll('text')].filter(t => t.textContent.trim()).filter(t => {
    const r = t.getBoundingClientRect();
    return r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1;
  }).map(t => t.textContent);
}"""


def test_phone_width_nothing_scrolls_sideways_and_charts_fit(open_page: Any, url: str) -> None:
    page, _ = open_page(url, viewport=PHONE, is_mobile=True, has_touch=True)
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    width = page.evaluate("document.documentElement.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    wide = page.evaluate(STICKING_OUT, width)
    assert not wide, "elements that stick out of a 375 px screen:\n" + "\n".join(wide)
    for figure in figures(page):
        svg = static_svg(figure)
        box = svg.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width
        assert svg.evaluate(CLIPPED_CHART_TEXT) == [], figure.get_attribute("id")


MEASURE = """() => {
  // Body paragraphs: their width in ch of their own font, and the characters on each full line.
  const widths = [], lines = [];
  for (const p of document.querySelectorAll('.prose > p')) {
    const probe = document.createElement('span');
    probe.style.cssText = 'position:absolute;visibility:hidden;width:1ch';
    p.appendChild(probe);
    widths.push(p.getBoundingClientRect().width / probe.getBoundingClientRect().width);
    probe.remove();
    const range = document.createRange(), counts = new Map();
    const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (let i = 0; i < node.length; i++) {
        range.setStart(node, i); range.setEnd(node, i + 1);
        const rect = range.getClientRects()[0];
        if (rect) counts.set(Math.round(rect.bottom), (counts.get(Math.round(rect.bottom)) || 0) + 1);
      }
    }
    lines.push(...[...counts.values()].slice(0, -1));  // the last line of a paragraph is short
  }
  return {widths, lines};
}"""


def test_desktop_text_column_keeps_a_readable_measure(open_page: Any, url: str) -> None:
    page, _ = open_page(url)
    measured = page.evaluate(MEASURE)
    assert all(45 <= width <= 75 for width in measured["widths"]), measured["widths"]
    if measured["lines"]:
        lines = measured["lines"]
        assert sum(lines) / len(lines) <= 80, f"mean characters a line: {sum(lines) / len(lines):.1f}"
        assert max(lines) <= 85, f"longest line: {max(lines)} characters"


def assert_prints_charts_and_sources_without_navigation(page: Any) -> None:
    page.emulate_media(media="print")
    nav = page.query_selector(".masthead nav")
    assert nav is None or not nav.is_visible()
    for figure in figures(page):
        assert static_svg(figure) is not None, "the static SVG prints"
        assert figure.query_selector(".chart-source").is_visible()
        live = figure.query_selector(".vega-embed")
        assert live is None or not live.is_visible(), "the interactive chart does not print"
    page.emulate_media(media="screen")


def test_print_drops_navigation_and_keeps_charts_and_sources(open_page: Any, url: str) -> None:
    page, _ = open_page(url)
    assert_prints_charts_and_sources_without_navigation(page)

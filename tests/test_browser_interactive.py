"""Interactive charts respond once live, in Chromium (tests/sites/gallery): a brush dragged
across one view filters the other, a click on a legend entry picks out its series, a
slider changes what is drawn. Each static drawing carries the hint that says so."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import make_site, run, static_server

pytestmark = pytest.mark.browser
TIMEOUT = 20_000  # ms


@pytest.fixture(scope="module")
def page(browser: Any, tmp_path_factory: pytest.TempPathFactory, shared_cache: Path) -> Iterator[Any]:
    site = make_site(tmp_path_factory.mktemp("interactive"), "gallery")
    assert run(site, cache=shared_cache) == 0
    with static_server(site / "public") as url:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        opened = context.new_page()
        opened.set_default_timeout(TIMEOUT)
        opened.goto(url + "/")
        yield opened
        context.close()


def live(page: Any, chart_id: str) -> Any:
    """The chart's live view, once the pointer has entered its figure."""
    graphic = page.query_selector(f"#{chart_id} .chart-graphic")
    graphic.scroll_into_view_if_needed()
    graphic.hover()
    page.wait_for_function("g => g.classList.contains('is-live') && g.querySelector('.vega-embed svg .role-mark')", arg=graphic)
    return graphic


MARKS = "(g, kind) => Array.from(g.querySelectorAll('.vega-embed svg g.mark-' + kind + '.role-mark > *'))"


def test_the_slider_changes_what_is_drawn(page: Any) -> None:
    assert "use the slider below it" in page.inner_text("#slider-cutoff .chart-hint")
    graphic = live(page, "slider-cutoff")
    count = f"g => ({MARKS})(g, 'symbol').length"
    assert page.evaluate(count, graphic) == 4  # amounts under 50, the initial value
    slider = graphic.query_selector("input[type=range]")
    assert slider is not None, "the bound input is shown with the live chart"
    slider.evaluate("s => { s.value = 100; s.dispatchEvent(new Event('input', {bubbles: true})); }")
    page.wait_for_function(f"g => ({count})(g) === 8", arg=graphic)


def test_a_click_on_a_legend_entry_picks_out_its_series(page: Any) -> None:
    assert "click a legend entry" in page.inner_text("#legend-pick .chart-hint")
    graphic = live(page, "legend-pick")
    faded = (
        f"g => ({MARKS})(g, 'line').filter(p => Number(p.getAttribute('stroke-opacity') || p.getAttribute('opacity') || 1) < 0.5).length"
    )
    assert page.evaluate(faded, graphic) == 0
    entry = graphic.query_selector(".vega-embed svg .role-legend-entry .role-legend-symbol path")
    assert entry is not None
    spot = entry.bounding_box()
    page.mouse.click(spot["x"] + spot["width"] / 2, spot["y"] + spot["height"] / 2)
    page.wait_for_function(f"g => ({faded})(g) === 1", arg=graphic)


def test_a_brush_across_one_view_filters_the_other(page: Any) -> None:
    assert "drag across it to select a range" in page.inner_text("#brush-filter .chart-hint")
    graphic = live(page, "brush-filter")
    bars = f"g => ({MARKS})(g, 'rect').map(r => r.getAttribute('d')).join(' ')"
    before = page.evaluate(bars, graphic)
    box = graphic.query_selector(".vega-embed svg g.mark-symbol.role-mark").bounding_box()
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] * 0.1, y)  # (inside the plot: its marks reach its edges)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.5, y, steps=8)
    page.mouse.up()
    page.wait_for_function(f"([g, before]) => ({bars})(g) !== before", arg=[graphic, before])

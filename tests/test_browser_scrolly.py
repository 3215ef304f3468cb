"""The coal page's scrolly section in a real Chromium (Playwright), as a reader meets it.

Without JavaScript, at a phone's width and a desktop's, every step shows its text and its
own chart. With JavaScript, one graphic stays on screen while the steps scroll past and
shows each step's chart in turn (by scrolling and by keyboard), never covering the active
step's text on a phone, without motion when the reader asks for none; axe-core finds
nothing either way, and print shows every step's chart again.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from conftest import REPO, built_explainer, static_server

AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 740}
URL = "/coal/"
TIMEOUT = 15_000  # ms

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def origin(request: pytest.FixtureRequest) -> Iterator[str]:
    """The explainer (the run's one build of it) on a real HTTP server."""
    with static_server(built_explainer(request.config).public) as origin:
        yield origin


@pytest.fixture
def open_page(browser: Any, origin: str) -> Iterator[Any]:
    """open_page(**context_options) -> the coal page, with its console errors checked at the end."""
    contexts, problems = [], []

    def opener(site_scripts: bool = True, **options: Any) -> Any:
        context = browser.new_context(viewport=options.pop("viewport", DESKTOP), **options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(TIMEOUT)
        if not site_scripts:  # the page as without JavaScript, where axe-core can still run
            page.route("**/static/*.js", lambda route: route.fulfill(body="", content_type="text/javascript"))
        page.on("console", lambda m: m.type == "error" and problems.append(m.text))
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.goto(origin + URL)
        return page

    yield opener
    for context in contexts:
        context.close()
    assert not problems, problems


def axe_violations(page: Any) -> list[str]:
    assert AXE.is_file(), f"{AXE} is missing: run `npm ci` (make test does)"
    page.add_script_tag(content=AXE.read_text())
    violations = page.evaluate("o => axe.run(document, o).then(r => r.violations)", {"runOnly": {"type": "tag", "values": WCAG}})
    return [f"{v['id']}: {v['help']} at {[n['target'] for n in v['nodes']]}" for v in violations]


STEPS = """() => [...document.querySelectorAll('section.scrolly .scrolly-step')].map(step => {
  const svg = [...step.querySelectorAll('svg[role=img][aria-label]')].find(s => s.getClientRects().length);  // (the layout shown)
  const box = svg ? svg.getBoundingClientRect() : null;
  const text = step.querySelector('.scrolly-text');
  return {text: text ? text.innerText.trim() : '', svg: svg ? svg.outerHTML.replace(/id="[^"]*"|url\\(#[^)]*\\)|href="#[^"]*"/g, '') : '',
          label: svg ? svg.getAttribute('aria-label') : '', width: box ? box.width : 0, height: box ? box.height : 0,
          left: box ? box.left : 0, right: box ? box.right : 0,
          shown: !!svg && getComputedStyle(svg).visibility !== 'hidden' && svg.getClientRects().length > 0};
})"""

GRAPHIC = """() => {
  const graphic = document.querySelector('section.scrolly .scrolly-graphic');
  const box = graphic.getBoundingClientRect();
  const active = document.querySelector('section.scrolly .scrolly-step.is-active .scrolly-text');
  return {step: graphic.dataset.step, html: graphic.innerHTML, top: box.top, bottom: box.bottom, height: box.height,
          hidden: graphic.hidden || getComputedStyle(graphic).display === 'none',
          activeTextTop: active ? active.getBoundingClientRect().top : null};
}"""


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375px", "1280px"])
def test_without_javascript_every_step_shows_its_text_and_its_own_chart(open_page: Any, viewport: dict[str, int]) -> None:
    page = open_page(viewport=viewport, java_script_enabled=False)
    assert page.query_selector_all("section.scrolly"), "the coal page has a scrolly section"
    steps = page.evaluate(STEPS)
    assert len(steps) >= 5
    for number, step in enumerate(steps, 1):
        assert step["text"], f"step {number} has text"
        assert step["shown"] and step["label"], f"step {number} shows its chart, with a text alternative"
        assert step["width"] > 0.8 * viewport["width"] or step["width"] > 600, (number, step["width"])
        assert step["left"] >= 0 and step["right"] <= viewport["width"], f"step {number}'s chart fits the screen"
    assert len({step["svg"] for step in steps}) == len(steps), "each step has its own chart"
    assert page.evaluate(GRAPHIC)["hidden"], "no empty sticky graphic without JavaScript"


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375px", "1280px"])
def test_without_the_sites_scripts_axe_finds_nothing(open_page: Any, viewport: dict[str, int]) -> None:
    page = open_page(viewport=viewport, site_scripts=False)
    assert not page.evaluate("document.querySelector('section.scrolly').classList.contains('is-live')")
    assert axe_violations(page) == []


def scroll_through(page: Any) -> list[dict[str, Any]]:
    """The graphic's state at each step, the step scrolled to the middle of the screen."""
    seen = []
    for step in page.query_selector_all("section.scrolly .scrolly-step"):
        page.evaluate("s => window.scrollTo(0, s.getBoundingClientRect().top + window.scrollY - window.innerHeight * 0.4)", step)
        page.wait_for_function("s => s.classList.contains('is-active')", arg=step)
        seen.append(page.evaluate(GRAPHIC))
    return seen


def test_with_javascript_the_graphic_stays_on_screen_and_changes_from_first_step_to_last(open_page: Any) -> None:
    page = open_page(viewport=DESKTOP)
    seen = scroll_through(page)
    assert [state["step"] for state in seen] == [str(n) for n in range(1, len(seen) + 1)]
    for state in seen:
        assert not state["hidden"] and state["height"] > 200
        assert state["top"] >= 0 and state["bottom"] <= DESKTOP["height"], "the graphic stays on screen"
    tops = {round(state["top"]) for state in seen[1:-1]}
    assert len(tops) == 1, f"the graphic stays put while the steps scroll: {tops}"
    assert seen[0]["html"] != seen[-1]["html"], "the first and last steps show different charts"
    assert "<svg" in seen[-1]["html"]
    assert axe_violations(page) == []


def test_on_a_phone_the_graphic_stays_above_the_active_step_without_covering_it(open_page: Any) -> None:
    page = open_page(viewport=PHONE, is_mobile=True, has_touch=True)
    for state in scroll_through(page):
        assert state["top"] >= 0 and state["bottom"] <= PHONE["height"] / 2
        assert state["activeTextTop"] >= state["bottom"] - 1, "the active step's text is below the graphic"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert axe_violations(page) == []


def test_a_page_opened_halfway_through_starts_at_that_step(open_page: Any, origin: str) -> None:
    page = open_page(viewport=DESKTOP)
    third = page.query_selector_all("section.scrolly .scrolly-step")[2]
    page.evaluate("s => window.scrollTo(0, s.getBoundingClientRect().top + window.scrollY - window.innerHeight * 0.4)", third)
    page.reload()
    page.wait_for_function("() => document.querySelector('.scrolly-graphic').dataset.step === '3'")


def test_keyboard_moves_through_the_steps(open_page: Any) -> None:
    page = open_page(viewport=DESKTOP)
    steps = page.query_selector_all("section.scrolly .scrolly-step")
    for _ in range(200):  # Tab until the first step has the focus
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('scrolly-step')"):
            break
    assert steps[0].evaluate("s => s === document.activeElement")
    for _ in range(20):  # (past what a step's text holds that takes the focus: its bound figures and their notes' links)
        page.keyboard.press("Tab")
        if not steps[0].evaluate("s => s.contains(document.activeElement)"):
            break
    assert steps[1].evaluate("s => s === document.activeElement")
    assert page.evaluate(GRAPHIC)["step"] == "2"


def test_reduced_motion_swaps_charts_without_animation(open_page: Any) -> None:
    page = open_page(viewport=DESKTOP, reduced_motion="reduce")
    scroll_through(page)
    animation = page.evaluate("getComputedStyle(document.querySelector('.scrolly-graphic svg')).animationName")
    assert animation == "none"


def test_print_shows_every_step_with_its_chart_and_no_sticky_graphic(open_page: Any) -> None:
    page = open_page(viewport=DESKTOP)
    page.emulate_media(media="print")
    steps = page.evaluate(STEPS)
    assert steps and all(step["shown"] and step["width"] > 300 for step in steps)
    assert page.evaluate(GRAPHIC)["hidden"]

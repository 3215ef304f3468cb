"""The chart text check measures text where Chromium draws it.

Every visible text item of every chart of the layouts test site (layered, faceted, wrapped,
side by side, repeated, declarative: axis labels and titles turned 90 degrees, wrapped
legends and panel labels, annotations) is measured twice: by ``textcheck.text_boxes``
from the static SVG, and by Chromium from the page, as its ``getBBox`` turned by the
text's transforms, at 375 px (the narrow drawing, scaled into the column) and at 1280 px
(the wide one). Every edge agrees within 0.7 px of the drawing.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from conftest import make_site, run, static_server

from broadsheet.textcheck import text_boxes

pytestmark = pytest.mark.browser
AGREE = 0.7  # px of the drawing (the middle dot is 0.66 px wider at 12 px in Liberation Sans 2 than in Debian's 1.07)

# Each shown chart SVG's visible text items: the corners of getBBox, mapped into the SVG's
# own coordinates (the inverse of the root's screen matrix, after the text's).
CHROMIUM_BOXES = """() => Array.from(document.querySelectorAll("figure.chart svg[role=img]")).map((svg, index) => {
  if (!svg.getClientRects().length || svg.getBoundingClientRect().width === 0) return null;
  const root = svg.getScreenCTM().inverse();
  const items = [];
  for (const text of svg.querySelectorAll("text")) {
    let hidden = false;
    for (let el = text; el && el !== svg; el = el.parentElement) {
      const style = getComputedStyle(el);
      if (style.display === "none" || style.visibility === "hidden" || style.opacity === "0") hidden = true;
    }
    if (hidden || !text.textContent.trim()) continue;
    const box = text.getBBox(), m = root.multiply(text.getScreenCTM());
    const corners = [[box.x, box.y], [box.x + box.width, box.y], [box.x + box.width, box.y + box.height], [box.x, box.y + box.height]]
      .map(([x, y]) => [m.a * x + m.c * y + m.e, m.b * x + m.d * y + m.f]);
    const xs = corners.map(p => p[0]), ys = corners.map(p => p[1]);
    items.push({text: text.textContent, bounds: [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)]});
  }
  return {index, items};
}).filter(Boolean)"""


@pytest.fixture(scope="module")
def layouts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = make_site(tmp_path_factory.mktemp("textcheck"), "layouts")
    assert run(site) == 0
    return site / "public"


@pytest.mark.parametrize("width", [375, 1280])
def test_text_boxes_agree_with_chromiums(browser: Any, layouts: Path, width: int) -> None:
    html = (layouts / "index.html").read_text()
    drawings = re.findall(r'<svg role="img".*?</svg>', html, re.S)
    context = browser.new_context(viewport={"width": width, "height": 900}, java_script_enabled=False)
    try:
        page = context.new_page()
        with static_server(layouts) as origin:
            page.goto(origin + "/")
            shown = page.evaluate(CHROMIUM_BOXES)
    finally:
        context.close()
    assert len(shown) == len(drawings) / 2  # one layout of each chart on screen
    compared = 0
    for drawing in shown:
        ours, _ = text_boxes(drawings[drawing["index"]])
        assert ["".join(box.text.split()) for box in ours] == ["".join(item["text"].split()) for item in drawing["items"]]
        for box, item in zip(ours, drawing["items"], strict=True):
            assert box.bounds == pytest.approx(item["bounds"], abs=AGREE), box.text
            compared += 1
    assert compared > 100

"""The chart text check: text measured with the renderer's font, in SVG written here by
hand and in drawings vl-convert makes, and the check's warnings through the build."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import vl_convert
from conftest import make_site, run

from broadsheet.fontmetrics import chart_font
from broadsheet.textcheck import check_text, text_boxes

FONT = 'font-family="Arial, \'Liberation Sans\', sans-serif" font-size="12px"'


def svg(*texts: str, width: int = 300, height: int = 100) -> str:
    body = "".join(texts)
    return f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}">{body}</svg>'


def text(content: str, x: float, y: float, anchor: str = "start", extra: str = "") -> str:
    return f'<text text-anchor="{anchor}" transform="translate({x},{y})" {FONT} {extra}>{content}</text>'


# ---------------------------------------------------------------- the font's metrics


def test_widths_are_the_fonts_advances_with_kerning_as_harfbuzz_shapes_them() -> None:
    """Values from HarfBuzz shaping vl-convert's Liberation Sans 2.00.1 (uharfbuzz 0.57)."""
    font = chart_font()
    assert font.width("First nuclear test", 12) == 15137 * 12 / 2048  # (HarfBuzz: 15,137 font units)
    assert font.width("mmm", 12) == 5118 * 12 / 2048
    assert font.width("AV", 12) < font.width("A", 12) + font.width("V", 12)  # kerned
    assert font.width("Test 1", 12, bold=True) > font.width("Test 1", 12)


def test_11_is_measured_unkerned_as_debians_liberation_sans_draws_it() -> None:
    """Liberation Sans 2 and Arial kern "11"; Debian's 1.07, what Chromium draws there, does
    not: the check takes the wider."""
    font = chart_font()
    assert font.width("11", 12) == pytest.approx(2 * font.width("1", 12))


def test_a_box_reaches_the_ink_of_a_last_glyph_past_its_advance_as_chromium_measures() -> None:
    """Chromium's getBBox of "test" at 12 px is 20.01 px wide for 19.34 px of advances: the
    final "t" overhangs, its ink rounded out to the next pixel."""
    start, end = chart_font().extent("test", 12)
    assert (start, round(end, 2)) == (0.0, 20.01)
    assert chart_font().extent("j", 12)[0] == -1.0  # (the j's tail, before its origin)


# ---------------------------------------------------------------- hand-written drawings


def test_labels_printed_over_each_other_are_reported() -> None:
    drawing = svg(text("Jan $126.39 m", 10, 50), text("Feb $104.59 m", 60, 50))
    assert check_text(drawing) == ["'Jan $126.39 m' overlaps 'Feb $104.59 m'"]


def test_labels_side_by_side_or_one_above_the_other_are_not() -> None:
    width = chart_font().width("Jan $126.39 m", 12)
    assert check_text(svg(text("Jan $126.39 m", 10, 50), text("Feb", 10 + width + 2, 50))) == []
    assert check_text(svg(text("Jan", 10, 30), text("Feb", 10, 44))) == []  # (14 px apart: ascent 11 + descent 3)
    assert check_text(svg(text("Jan", 10, 30), text("Feb", 10, 42))) == ["'Jan' overlaps 'Feb'"]


@pytest.mark.parametrize(("anchor", "share"), [("start", 0), ("middle", 0.5), ("end", 1)])
def test_anchors_place_the_box(anchor: str, share: float) -> None:
    """Text anchored at x starts at x, half its width before x, or its width before x."""
    width = chart_font().width("AAAAAAAAAA", 12)
    boxes, _ = text_boxes(svg(text("AAAAAAAAAA", 150, 50, anchor)))
    assert boxes[0].bounds[0] == pytest.approx(150 - share * width)


def test_group_transforms_move_the_text() -> None:
    drawing = svg(f'<g transform="translate(200,0)"><g transform="translate(0,20)">{text("B", 0, 10)}</g></g>', text("A", 10, 30))
    boxes, _ = text_boxes(drawing)
    assert [round(b.bounds[0]) for b in boxes] == [200, 10] and boxes[0].text == "B"
    assert round(boxes[0].bounds[3]) == 33  # baseline 30, descent 3


def test_rotated_labels_close_together_do_not_overlap_unless_their_turned_boxes_do() -> None:
    """Labels turned -45 degrees every 22 px (15.6 px apart across the text): their upright
    bounds overlap, the text does not."""
    rotated = [f'<g transform="translate({100 + 22 * i},90) rotate(-45)">{text(f"Label {i}", 0, 0, "end")}</g>' for i in range(5)]
    boxes, _ = text_boxes(svg(*rotated, height=200))
    first = boxes[0].bounds
    assert first[2] > boxes[1].bounds[0]  # upright bounds overlap
    assert check_text(svg(*rotated, height=200)) == []
    crowded = [f'<g transform="translate({100 + 4 * i},90) rotate(-45)">{text(f"Label {i}", 0, 0, "end")}</g>' for i in range(2)]
    assert check_text(svg(*crowded, height=200)) == ["'Label 0' overlaps 'Label 1'"]


def test_vegas_own_rotation_in_a_text_transform_is_followed() -> None:
    upright = svg(text("Label", 10, 50))
    turned = svg(f'<text text-anchor="start" transform="translate(10,50) rotate(90)" {FONT}>Label</text>')
    assert text_boxes(turned)[0][0].bounds[3] > text_boxes(upright)[0][0].bounds[3] + 20  # (it runs down)


def test_multi_line_text_is_one_box_around_its_lines() -> None:
    """Vega writes each line as a tspan; an end anchor applies to each line; the item's box
    holds them all, as a browser's getBBox of the text does."""
    lines = '<tspan>A long first line</tspan><tspan x="0" dy="14">Short</tspan>'
    two = f'<text text-anchor="end" transform="translate(200,30)" {FONT}>{lines}</text>'
    (box,), _ = text_boxes(svg(two))
    assert box.lines == ("A long first line", "Short") and box.text == "A long first line Short"
    width = chart_font().width("A long first line", 12)
    assert box.bounds == pytest.approx((200 - width, 30 - 11, 200.67, 30 + 14 + 3), abs=0.01)  # (the final t's ink: 0.67 px)
    assert check_text(svg(two, text("Short", 120, 44))) == ["'A long first line Short' overlaps 'Short'"]


def test_text_vega_hides_or_that_is_not_drawn_does_not_count() -> None:
    """labelOverlap hides a label with opacity 0, on the text or its group."""
    hidden = [
        text("Feb", 15, 50, extra='opacity="0"'),
        f'<g opacity="0">{text("Feb", 15, 50)}</g>',
        f'<g display="none">{text("Feb", 15, 50)}</g>',
        text("Feb", 15, 50, extra='fill="transparent"'),
        f"<defs>{text('Feb', 15, 50)}</defs>",
    ]
    for element in hidden:
        assert check_text(svg(text("Jan", 10, 50), element)) == [], element


def test_text_outside_the_drawing_is_reported() -> None:
    assert check_text(svg(text("Hiroshima bomb, about 15 kt", 250, 50))) == ["'Hiroshima bomb, about 15 kt' runs 105 px outside the chart"]
    assert check_text(svg(text("Top", 10, 5))) == ["'Top' runs 6 px outside the chart"]
    assert check_text(svg(text("Inside", 0, 12))) == []


def test_text_the_renderer_cut_short_is_reported() -> None:
    assert check_text(svg(text("10 days after the ballistic \u2026", 10, 50))) == ["'10 days after the ballistic \u2026' is cut short"]


def test_two_labels_with_the_same_text_are_still_two() -> None:
    assert check_text(svg(text("0", 10, 50), text("0", 12, 50))) == ["'0' overlaps '0'"]


# ---------------------------------------------------------------- drawings vl-convert makes


def bars(label_limit: int | None = None, overlap: bool | None = None) -> dict[str, Any]:
    names = [f"A long category name number {i}" for i in range(12)]
    axis: dict[str, Any] = {"labelAngle": 0}
    if label_limit is not None:
        axis["labelLimit"] = label_limit
    if overlap is not None:
        axis["labelOverlap"] = overlap
    return {
        "data": {"values": [{"name": n, "value": i} for i, n in enumerate(names)]},
        "mark": "bar",
        "width": 300,
        "encoding": {"x": {"field": "name", "type": "nominal", "axis": axis}, "y": {"field": "value", "type": "quantitative"}},
    }


def test_labels_vega_thins_with_label_overlap_are_not_reported() -> None:
    drawing = vl_convert.vegalite_to_svg(bars(label_limit=1000, overlap=True))
    assert 'opacity="0"' in drawing  # (Vega hid some)
    assert check_text(drawing) == []


def test_labels_vega_prints_over_each_other_are_reported() -> None:
    drawing = vl_convert.vegalite_to_svg(bars(label_limit=1000, overlap=False))
    assert "'A long category name number 0' overlaps 'A long category name number 1'" in check_text(drawing)


def test_labels_vega_cuts_to_their_limit_are_reported() -> None:
    problems = check_text(vl_convert.vegalite_to_svg(bars(label_limit=60, overlap=True)))
    assert problems and all(p.endswith("is cut short") for p in problems)


# ---------------------------------------------------------------- through the build

CROWDED = """
import altair as alt
import pandas as pd

from broadsheet import chart


@chart("crowded", data=["trade"])
def crowded(trade):
    points = pd.DataFrame({"x": [1, 1.05], "label": ["Jan $126.39 m", "Feb $104.59 m"]})
    return alt.Chart(points).mark_text(align="left").encode(x="x:Q", text="label:N")
"""

CROWDED_PAGE = """---
title: Crowded
description: Two labels on one spot.
---

```chart
id: crowded
title: Two labels on one spot
description: Text chart.
```
"""


@pytest.fixture
def crowded(tmp_path: Path) -> Path:
    site = make_site(tmp_path, "layouts")
    (site / "charts" / "crowded.py").write_text(CROWDED)
    (site / "content" / "crowded.md").write_text(CROWDED_PAGE)
    return site


WARNING = "charts/crowded.py:8: warning: chart 'crowded' ({layout}): 'Jan $126.39 m' overlaps 'Feb $104.59 m'"


def test_build_warns_at_the_chart_and_publishes(crowded: Path, shared_cache: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(crowded, cache=shared_cache) == 0
    err = capsys.readouterr().err
    assert WARNING.format(layout="wide") in err.splitlines() and WARNING.format(layout="narrow") in err.splitlines()
    assert (crowded / "public" / "crowded" / "index.html").exists()
    assert run(crowded, cache=shared_cache) == 0  # a warm build still says so
    assert WARNING.format(layout="wide") in capsys.readouterr().err


def test_check_and_strict_fail_on_it(crowded: Path, shared_cache: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(crowded, "check", cache=shared_cache) == 1
    err = capsys.readouterr().err
    assert "charts/crowded.py:8: chart 'crowded' (narrow): 'Jan $126.39 m' overlaps 'Feb $104.59 m'" in err.splitlines()
    assert run(crowded, "build", "--strict", cache=shared_cache) == 1
    assert not (crowded / "public").exists()


def test_axis_titles_of_panels_side_by_side_that_run_into_each_other_are_found() -> None:
    """Two panels of 80 px a row, each with its own 34-character x title under it."""
    rows = [{"site": f"Site {i}", "yield": 20 + i * 3, "variety": f"V{v}"} for i in range(4) for v in range(3)]
    title = "Median of yield (bushels per acre)"
    spec = {
        "data": {"values": rows},
        "mark": "point",
        "encoding": {
            "x": {"field": "yield", "type": "quantitative", "title": title},
            "y": {"field": "variety", "type": "ordinal"},
            "facet": {"field": "site", "type": "nominal", "columns": 2},
        },
        "width": 80,
        "config": {"axis": {"titleFontSize": 12, "labelFontSize": 12}},
    }
    assert f"'{title}' overlaps '{title}'" in check_text(vl_convert.vegalite_to_svg(spec))

"""The wide and narrow layouts of a chart: pure transforms of its Vega-Lite spec, and the
renders that check a drawing fits its column (vl-convert, as the build uses it)."""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import vl_convert
from conftest import REPO, make_site, run

from broadsheet import facets, layout, legends, plotted, renderers, textcheck
from broadsheet.charts import ChartBlock

ROWS = [{"country": f"A rather long country name {i}", "year": 2000 + i, "value": i * 3.5, "series": "GACC"} for i in range(8)]


def bars(**extra: Any) -> dict[str, Any]:
    """A horizontal bar chart with long labels and a small annotation, as an author writes it."""
    return {
        "data": {"values": ROWS},
        "width": 640,
        "layer": [
            {
                "mark": "bar",
                "encoding": {
                    "y": {"field": "country", "type": "nominal", "axis": {"labelLimit": 300}},
                    "x": {"field": "value", "type": "quantitative"},
                    "color": {"field": "series", "type": "nominal", "legend": {"orient": "bottom", "columns": 3}},
                },
            },
            {
                "mark": {"type": "text", "fontSize": 8, "align": "left", "dx": 4},
                "encoding": {
                    "y": {"field": "country", "type": "nominal"},
                    "x": {"field": "value", "type": "quantitative"},
                    "text": {"field": "value"},
                },
            },
        ],
        "config": {"axis": {"labelFontSize": 9}},
        **extra,
    }


def smallest_font(svg: str) -> float:
    return min(float(size) for size in re.findall(r'font-size="([0-9.]+)px"', svg))


def render(spec: dict[str, Any]) -> str:
    return vl_convert.vegalite_to_svg(spec)


def test_wide_keeps_the_authors_layout_and_raises_small_text() -> None:
    spec = layout.wide(bars())
    assert spec["width"] == 640 and spec["layer"][0]["encoding"]["color"]["legend"]["orient"] == "bottom"
    assert spec["layer"][1]["mark"]["fontSize"] == layout.WIDE_MIN_TEXT
    assert spec["config"]["axis"]["labelFontSize"] == layout.WIDE_MIN_TEXT
    assert spec["config"]["header"] == {"labelFontSize": 12, "titleFontSize": 12}  # Vega-Lite's own defaults are 10 and 11 px
    assert spec["config"]["legend"] == {"labelFontSize": 12, "titleFontSize": 12}


def test_the_input_spec_is_not_changed() -> None:
    spec = bars()
    layout.narrow(spec)
    layout.wide(spec)
    assert spec == bars()


def test_narrow_moves_legends_on_top_and_wraps_long_labels() -> None:
    spec = layout.narrow(bars())
    bar = spec["layer"][0]["encoding"]
    assert "orient" not in bar["color"]["legend"] and "columns" not in bar["color"]["legend"]
    assert spec["config"]["legend"]["orient"] == "top"
    assert "labelExpr" in bar["y"]["axis"] and bar["y"]["axis"]["labelLimit"] == 0  # (wrapped, not cut: tests/test_wrapping.py)
    assert spec["config"]["axisX"]["tickCount"] == layout.NARROW_TICKS
    assert spec["layer"][1]["mark"]["fontSize"] == layout.NARROW_MIN_TEXT
    assert spec["config"]["axis"]["labelFontSize"] == layout.NARROW_TEXT


def test_narrow_lowers_an_authors_tick_count_but_keeps_intervals() -> None:
    spec = bars()
    spec["layer"][0]["encoding"]["x"]["axis"] = {"tickCount": 12}
    spec["layer"][1]["encoding"]["x"]["axis"] = {"tickCount": {"interval": "month", "step": 3}}
    narrow = layout.narrow(spec)
    assert narrow["layer"][0]["encoding"]["x"]["axis"]["tickCount"] == layout.NARROW_TICKS
    assert narrow["layer"][1]["encoding"]["x"]["axis"]["tickCount"] == {"interval": "month", "step": 3}


def test_narrow_keeps_tick_values_the_author_chose() -> None:
    spec = bars()
    spec["layer"][0]["encoding"]["x"]["axis"] = {"values": [0, 10, 20], "labelOverlap": False}
    x = layout.narrow(spec)["layer"][0]["encoding"]["x"]
    assert x["axis"]["values"] == [0, 10, 20] and "tickCount" not in x["axis"]
    assert x["axis"]["labelOverlap"] is True  # kept values may still collide in a third of the width


def test_an_authored_narrow_layout_keeps_its_style_but_not_small_text() -> None:
    spec = layout.narrow(bars(), authored=True)
    assert spec["layer"][0]["encoding"]["color"]["legend"]["orient"] == "bottom"
    assert spec["layer"][1]["mark"]["fontSize"] == layout.NARROW_MIN_TEXT
    assert spec["width"] < layout.NARROW_WIDTH


def test_narrow_stacks_views_side_by_side_and_wraps_facets() -> None:
    side_by_side = {"hconcat": [bars(), bars()]}
    stacked = layout.narrow(side_by_side)
    assert "hconcat" not in stacked and len(stacked["vconcat"]) == 2
    assert all(view["width"] < layout.NARROW_WIDTH for view in stacked["vconcat"])

    facets = {"data": {"values": ROWS}, "facet": {"column": {"field": "series"}}, "spec": {"mark": "point", "width": 500}}
    wrapped = layout.narrow(facets)
    assert wrapped["facet"]["field"] == "series" and wrapped["columns"] == 1  # (a row of panels wraps: tests below)
    wrapped = layout.narrow({**facets, "facet": {"field": "series"}, "columns": 3})
    assert wrapped["columns"] == 1


PANELS = [{"site": f"Site {i}", "variety": f"Variety {v}", "yield": 20 + (i * 7 + v * 3) % 30} for i in range(6) for v in range(4)]
AGES = [{"age": age, "sex": sex, "people": 1000 * (age + len(sex) + 5)} for age in range(0, 95, 5) for sex in ("Male", "Female")]


def test_a_wrapped_facet_gets_as_many_panels_a_row_as_fit_a_phone() -> None:
    """Two panels of 200 px a row (the gallery's barley) cannot both fit 340 px: one a row,
    and its x titles no longer run into each other."""
    spec = {
        "data": {"values": PANELS},
        "mark": "point",
        "encoding": {
            "x": {"field": "yield", "type": "quantitative", "aggregate": "median", "title": "Median of yield (bushels per acre)"},
            "y": {"field": "variety", "type": "ordinal"},
            "facet": {"field": "site", "type": "ordinal", "columns": 2},
        },
        "width": 200,
        "height": 100,
    }
    narrow, svg = layout.fit(layout.narrow(spec), layout.NARROW_WIDTH, render)
    assert narrow["encoding"]["facet"]["columns"] == 1
    assert textcheck.check_text(svg) == []


def test_a_long_row_of_small_panels_wraps_to_a_readable_height() -> None:
    """19 panels of 20 px in one row (the gallery's population by age): several a row,
    rather than one under another, 4,686 px tall."""
    spec = {
        "data": {"values": AGES},
        "mark": "bar",
        "encoding": {
            "x": {"field": "sex", "type": "nominal", "axis": {"labels": False}},
            "y": {"field": "people", "type": "quantitative"},
            "color": {"field": "sex", "type": "nominal"},
            "column": {"field": "age", "type": "ordinal"},
        },
        "width": 20,
        "config": {"facet": {"spacing": 8}},
    }
    narrow, svg = layout.fit(layout.narrow(spec), layout.NARROW_WIDTH, render)
    assert narrow["encoding"]["facet"]["columns"] > 4 and "column" not in narrow["encoding"]
    assert layout.svg_width(svg) <= layout.NARROW_WIDTH * (1 + layout.SLACK)
    assert facets.svg_height(svg) <= facets.TALLEST and facets.panel_rows(svg) < 5
    assert facets.height_warning("ages", narrow, svg) == ""


def test_panels_too_many_for_a_phone_are_drawn_shorter_and_then_said_to_be() -> None:
    """Wide panels go one a row; 24 of them are shortened, down to ``facets.SHORTEST``,
    and a chart still too tall gets a warning that says what to do."""
    rows = [{"panel": f"P{i:02}", "x": x, "y": x * i} for i in range(24) for x in range(3)]
    spec = {
        "data": {"values": rows},
        "mark": "line",
        "encoding": {"x": {"field": "x", "type": "quantitative"}, "y": {"field": "y", "type": "quantitative"}},
        "facet": {"field": "panel", "type": "nominal"},
        "columns": 4,
    }
    spec = {"data": spec.pop("data"), "facet": spec.pop("facet"), "columns": 4, "spec": {**spec, "width": 300, "height": 180}}
    narrow, svg = layout.fit(layout.narrow(spec), layout.NARROW_WIDTH, render)
    assert narrow["columns"] == 1 and facets.panel_rows(svg) == 24
    shorter, shorter_svg = facets.shorten(narrow, svg, render)
    assert shorter["spec"]["height"] == facets.SHORTEST and facets.svg_height(shorter_svg) < facets.svg_height(svg)
    warning = facets.height_warning("many", shorter, shorter_svg)
    assert warning.startswith("chart 'many' (narrow): its 24 rows of panels make a drawing ") and "fewer values" in warning
    stepped = {**shorter, "spec": {**shorter["spec"], "height": {"step": 20}}}  # (as tall as its rows of categories: its own length)
    assert facets.height_warning("many", stepped, shorter_svg) == ""


@pytest.mark.parametrize("variant", layout.LAYOUTS)
def test_a_drawing_fits_its_column_with_text_at_its_minimum(variant: layout.Layout) -> None:
    wide, wide_svg = layout.fit(layout.wide(bars()), layout.WIDE_WIDTH, render)
    spec = wide if variant == "wide" else layout.narrow(bars(), overhang=layout.overhang(wide, wide_svg))
    _, svg = layout.fit(spec, layout.target_width(variant), render)
    assert layout.svg_width(svg) <= layout.target_width(variant) * (1 + layout.SLACK)
    assert smallest_font(svg) >= (layout.WIDE_MIN_TEXT if variant == "wide" else layout.NARROW_MIN_TEXT)


LONG_SERIES = [f"Series {i}: a name as long as an agency writes it, with its qualifiers" for i in range(12)]


@pytest.mark.parametrize("variant", layout.LAYOUTS)
def test_a_legend_too_wide_for_the_column_goes_one_entry_a_line(variant: layout.Layout) -> None:
    """The theme's legend is one row on top: twelve long series names made a 2,270 px
    drawing, shown at 3.6 px text on a desktop. Such a legend is stacked instead."""
    rows = [{"year": 2000 + i % 4, "count": i, "series": LONG_SERIES[i]} for i in range(12)]
    config = {"legend": {"orient": "top"}, "view": {"continuousWidth": 640}}
    spec = {
        "data": {"values": rows},
        "mark": "bar",
        "config": config,
        "encoding": {
            "x": {"field": "year", "type": "ordinal"},
            "y": {"field": "count", "type": "quantitative"},
            "color": {"field": "series", "type": "nominal"},
        },
    }
    laid = layout.wide(spec) if variant == "wide" else layout.narrow(spec)
    _, svg = layout.fit(laid, layout.target_width(variant), render)
    assert layout.svg_width(svg) <= layout.target_width(variant) * (1 + layout.SLACK)
    assert "Series 11: a name as long" in svg


def test_long_labels_over_panels_side_by_side_wrap_at_the_panels_width() -> None:
    """Five 60-character facet names over 120 px panels ran into each other on a desktop."""
    rows = [{"kind": LONG_SERIES[i % 5], "year": 2000 + i, "count": i} for i in range(10)]
    spec = {
        "data": {"values": rows},
        "mark": "bar",
        "width": 120,
        "encoding": {
            "x": {"field": "year", "type": "ordinal"},
            "y": {"field": "count", "type": "quantitative"},
            "column": {"field": "kind", "type": "nominal"},
        },
    }
    wide, svg = layout.fit(layout.wide(spec), layout.WIDE_WIDTH, render)
    assert wide["encoding"]["column"]["header"]["labelExpr"] == layout.wrap_label(120 // layout.CHARACTER)
    assert layout.svg_width(svg) <= layout.WIDE_WIDTH * (1 + layout.SLACK)
    lines = re.findall(r"<tspan[^>]*>([^<]*)</tspan>|<text[^>]*>([^<]+)</text>", svg)
    header_lines = [a or b for a, b in lines if "Series 0" in (a or b) or "qualifiers" in (a or b)]
    assert header_lines and all(len(line) <= 120 // layout.CHARACTER for line in header_lines), header_lines


def test_refit_leaves_a_drawing_that_fits_alone() -> None:
    assert layout.refit(bars(), layout.WIDE_WIDTH, layout.WIDE_WIDTH) is None
    smaller = layout.refit(bars(), layout.WIDE_WIDTH + 100, layout.WIDE_WIDTH)
    assert smaller is not None and smaller["width"] == 540


def test_svg_width_reads_the_root_element() -> None:
    assert layout.svg_width('<svg xmlns="http://www.w3.org/2000/svg" width="340.5" height="20"><rect width="9"/></svg>') == 340.5


def test_a_chart_function_with_a_layout_argument_draws_its_own_narrow_chart(tmp_path: Path) -> None:
    site = make_site(tmp_path, "layouts")
    assert run(site) == 0
    charts = site / "public" / "charts"
    wide = json.loads(next(charts.glob("own-narrow.[0-9a-f]*.json")).read_text())
    narrow = json.loads(next(charts.glob("narrow/own-narrow.*.json")).read_text())
    assert [layer["mark"]["type"] for layer in wide["layer"]] == ["line", "text"]
    assert narrow["mark"]["type"] == "line" and narrow["encoding"]["color"]["legend"]["orient"] == "bottom"  # kept as written
    assert narrow["width"] < layout.NARROW_WIDTH  # still sized for the phone
    page = (site / "public" / "index.html").read_text()
    assert 'data-spec-narrow="/charts/narrow/own-narrow.' in page and page.count('aria-label="Line chart with direct labels') == 2


FONTS_PAGE = """---
title: Fonts
description: A chart that asks for a font the machine has.
---

```chart
id: in-dejavu
title: Trade by region
description: Bar chart.
```
"""

FONTS_CHARTS = """
import altair as alt

from broadsheet import chart


@chart("in-dejavu", data=["trade"])
def in_dejavu(trade):
    bars = alt.Chart(trade).mark_bar().encode(y=alt.Y("region:N", axis=alt.Axis(labelLimit=400)), x="sum(value_usd_million):Q")
    return bars.configure(font="DejaVu Sans")
"""


@pytest.mark.slow
@pytest.mark.skipif(not list(Path("/usr/share/fonts").rglob("DejaVuSans.ttf")), reason="needs DejaVu Sans installed, to be ignored")
def test_charts_are_drawn_the_same_whatever_fonts_the_machine_has(tmp_path: Path) -> None:
    """A chart's text is laid out with the renderer's own Liberation Sans (Arial's
    metrics), never with a font the build machine happens to have: the same SVG on every
    machine. Two builds, one seeing the system's fonts and one seeing none, agree."""
    site = make_site(tmp_path, "layouts")
    (site / "content" / "fonts.md").write_text(FONTS_PAGE)
    (site / "charts" / "fonts.py").write_text(FONTS_CHARTS)
    (tmp_path / "empty").mkdir()
    (tmp_path / "no-fonts.conf").write_text(f"<fontconfig><dir>{tmp_path / 'empty'}</dir></fontconfig>")
    pages = []
    for number, fonts in enumerate(({}, {"FONTCONFIG_FILE": str(tmp_path / "no-fonts.conf")})):
        out, env = tmp_path / f"public-{number}", {**os.environ, **fonts}
        command = [
            sys.executable,
            str(REPO / "build.py"),
            "build",
            "--root",
            str(site),
            "--out",
            str(out),
            "--cache-dir",
            str(tmp_path / f"cache-{number}"),
        ]
        subprocess.run(command, env=env, check=True, capture_output=True)
        # (social cards keep the machine's fonts, and their names follow their bytes)
        pages.append(re.sub(r"social/[\w.-]+\.png", "social/CARD.png", (out / "fonts" / "index.html").read_text()))
    assert 'font-family="DejaVu Sans"' in pages[0] and pages[0] == pages[1]


def test_a_text_marks_constant_size_is_its_font_size_and_is_raised_too() -> None:
    spec = {"layer": [{"mark": {"type": "text", "size": 8}}, {"mark": "text", "encoding": {"size": {"value": 7}, "text": {"field": "a"}}}]}
    for variant, minimum in (("wide", layout.WIDE_MIN_TEXT), ("narrow", layout.NARROW_MIN_TEXT)):
        out = layout.laid_out(spec, variant)  # type: ignore[arg-type]
        assert out["layer"][0]["mark"]["size"] == minimum and out["layer"][1]["encoding"]["size"]["value"] == minimum


def legend_row() -> dict[str, Any]:
    """A narrow chart whose legends sit in one row below the plot, wider than a phone's column."""
    rows = [{"x": i, "y": i * 2, "a": f"First series with a long name {i % 2}", "b": f"Second kind of thing {i % 3}"} for i in range(12)]
    below = {"orient": "bottom", "direction": "horizontal"}
    encoding = {
        "x": {"field": "x", "type": "quantitative"},
        "y": {"field": "y", "type": "quantitative"},
        "color": {"field": "a", "type": "nominal", "legend": below},
        "strokeDash": {"field": "b", "type": "nominal", "legend": below},
    }
    return layout.narrow({"data": {"values": rows}, "width": 300, "mark": "line", "encoding": encoding}, authored=True, overhang=50)


def test_legends_wider_than_the_column_are_stacked_without_drawing_a_narrower_plot_first(monkeypatch: pytest.MonkeyPatch) -> None:
    """A narrower plot cannot move legends below it: the drawing it would take is skipped,
    and the result is the one that drawing would have led to."""
    block = ChartBlock("legends", "Legends", "", "Two legends.", "", (), "content/x.md", 1, None, {})
    widths: list[float] = []

    def counted(spec: dict[str, Any]) -> str:
        svg = renderers.render_svg(spec, block)
        widths.append(layout.svg_width(svg))
        return svg

    spec, svg = layout.fit(legend_row(), layout.NARROW_WIDTH, counted)
    assert len(widths) == 2 and widths[0] > layout.NARROW_WIDTH * 2 and widths[1] <= layout.NARROW_WIDTH * (1 + layout.SLACK)
    monkeypatch.setattr(legends, "reach", lambda *args: False)  # (shrinking the plot first, as before)
    widths.clear()
    assert layout.fit(legend_row(), layout.NARROW_WIDTH, counted) == (spec, svg) and len(widths) == 3


def test_a_drawing_is_the_same_whatever_its_worker_drew_before() -> None:
    """Vega numbers clip paths with a counter that runs on from one drawing to the next."""
    block = ChartBlock("clipped", "Clipped", "", "Bars.", "", (), "content/x.md", 1, None, {})
    clipped = {
        "data": {"values": ROWS},
        "mark": {"type": "bar", "clip": True},
        "encoding": {"x": {"field": "year"}, "y": {"field": "value"}},
    }
    first = renderers.render_svg(clipped, block)
    renderers.render_svg(clipped, block)
    again = renderers.render_svg(clipped, block)
    assert 'clip-path="url(#c-clipped-clip1)"' in first and '<clipPath id="c-clipped-clip1">' in first and first == again


def test_ordinal_x_labels_too_close_on_a_phone_are_thinned_rather_than_touching() -> None:
    """23 years on an ordinal x axis (the gallery's GDP lines): turned labels 12.7 px apart
    overlap as a browser draws them; every other one is left out instead."""
    rows = [{"year": year, "gdp": 1 + (year - 2000) * 0.4, "country": country} for year in range(2000, 2023) for country in ("A", "B")]
    spec = {
        "data": {"values": rows},
        "mark": {"type": "line", "point": True},
        "encoding": {
            "x": {"field": "year", "type": "ordinal"},
            "y": {"field": "gdp", "type": "quantitative"},
            "color": {"field": "country", "type": "nominal"},
        },
    }
    _, svg = layout.fit(layout.narrow(spec, overhang=48), layout.NARROW_WIDTH, render)  # (as the wide drawing measured: a 292 px plot)
    shown = [box.text for box in textcheck.text_boxes(svg)[0] if box.text.isdigit() and len(box.text) == 4]
    assert textcheck.check_text(svg) == []
    assert shown[:3] == ["2000", "2002", "2004"] and shown[-1] == "2022"


def test_a_missing_category_reads_no_data_in_the_legend_and_the_table() -> None:
    """Films without a rating (the gallery's scatter matrix) were listed in the legend as
    "null"; the legend and "Show the data" both call them "No data"."""
    rows = [{"budget": 10 * i, "gross": 30 * i, "rating": ["PG", None, "R"][i % 3]} for i in range(6)]
    spec = {
        "data": {"name": "films"},
        "datasets": {"films": rows},
        "mark": "point",
        "encoding": {
            "x": {"field": "budget", "type": "quantitative"},
            "y": {"field": "gross", "type": "quantitative"},
            "color": {"field": "rating", "type": "nominal"},
        },
    }
    for variant in layout.LAYOUTS:
        labels = [box.text for box in textcheck.text_boxes(render(layout.laid_out(spec, variant)))[0]]
        assert "No data" in labels and "null" not in labels, variant
    (table,) = plotted.plotted_tables(spec, "Films", {})
    assert sorted({row[table.headings.index("Rating")] for row in table.rows}) == ["No data", "PG", "R"]


def test_the_labels_over_panels_sharing_a_phone_row_wrap_at_the_panel_width() -> None:
    """Two 120 px panels a row under labels of 40 to 60 characters: each label wraps at its
    panel's width (it ran into the next panel, and the drawing fell back to the wide one)."""
    names = ["Exports of machinery and transport equipment to the region", "Imports of mineral fuels and lubricants", "Other"]
    rows = [{"region": name, "year": year, "value": 10 + i + year % 3} for i, name in enumerate(names) for year in (2020, 2021)]
    spec = {"data": {"values": rows}, "mark": "bar", "width": 120, "height": 140}
    spec["encoding"] = {"x": {"field": "year", "type": "ordinal"}, "y": {"field": "value", "type": "quantitative"}}
    spec["encoding"]["column"] = {"field": "region", "type": "nominal", "title": None}
    narrow = layout.narrow(spec)
    facet = narrow["encoding"]["facet"]
    assert facet["columns"] == 2 and narrow["width"] < 160
    assert facet["header"]["labelExpr"] == layout.panel_label(narrow["width"])


def test_a_colour_gradient_keeps_its_end_label_clear_of_its_title_on_a_phone() -> None:
    """A label just inside the gradient's end ('0.3' of rates up to 0.302) reached into the
    title above it on the narrow drawing (a stranger's county map)."""
    from broadsheet.charttheme import THEME
    from broadsheet.textcheck import check_text

    rows = [{"x": i % 10, "y": i // 10, "rate": round(0.302 * i / 59, 4)} for i in range(60)]
    spec = {"data": {"values": rows}, "mark": "rect", "height": 120, "config": copy.deepcopy(THEME)}
    spec["encoding"] = {
        "x": {"field": "x", "type": "ordinal"},
        "y": {"field": "y", "type": "ordinal"},
        "color": {"field": "rate", "type": "quantitative"},
    }
    assert check_text(vl_convert.vegalite_to_svg(layout.narrow(spec))) == []

"""Narrow layouts wrap long text rather than cut it: labels of rows and annotations go
onto more lines that fit, measured with the chart font, and rows grow to hold them.
Checked on the drawings vl-convert makes, with the text check."""

from __future__ import annotations

from typing import Any

import pytest
import vl_convert

from broadsheet import layout, wrapping
from broadsheet.fontmetrics import chart_font
from broadsheet.textcheck import check_text, text_boxes

SECTORS = [
    "Food, machinery, wood, vessels and other exports",
    "Condensate and natural gas liquids supply",
    "Coal exports",
    "Refined petroleum supply",
]
LAGS = ["10 days after the ballistic missile launches (incl. Taepodong-2)", "5 days after the first nuclear test", "82 days"]


def grid() -> dict[str, Any]:
    """Rows of sectors with long names, as the sanctions grid draws them."""
    return {
        "data": {"values": [{"sector": s, "resolution": r} for s in SECTORS for r in ("2270", "2321")]},
        "mark": "point",
        "encoding": {
            "y": {"field": "sector", "type": "nominal", "sort": SECTORS, "axis": {"labelLimit": 320}},
            "x": {"field": "resolution", "type": "ordinal"},
        },
        "height": {"step": 20},
    }


def lags() -> dict[str, Any]:
    """Bars with a direct label each, as the lag chart draws them."""
    rows = [{"resolution": f"R{i}", "days": 10 + 30 * i, "label": label} for i, label in enumerate(LAGS)]
    y = {"field": "resolution", "type": "nominal"}
    return {
        "data": {"values": rows},
        "layer": [
            {"mark": "bar", "encoding": {"y": y, "x": {"field": "days", "type": "quantitative"}}},
            {"mark": {"type": "text", "align": "left", "dx": 4}, "encoding": {"y": y, "x": {"value": 0}, "text": {"field": "label"}}},
        ],
    }


def test_wrapped_lines_are_the_ones_vega_draws() -> None:
    """The expression Vega runs and its Python twin agree, so lines are measured as drawn."""
    spec = grid()
    spec["encoding"]["y"]["axis"] = {"labelExpr": wrapping.wrap_expression("datum.label", 14), "labelLimit": 0}
    drawn = {box.text: box.lines for box in text_boxes(vl_convert.vegalite_to_svg(spec))[0]}
    for sector in SECTORS:
        lines = tuple(wrapping.wrapped(sector, 14))
        assert drawn[" ".join(lines)] == lines


def test_labels_of_rows_wrap_to_the_width_centred_on_rows_tall_enough_for_them() -> None:
    spec = layout.narrow(grid())
    axis = spec["encoding"]["y"]["axis"]
    assert axis["labelLimit"] == 0 and "labelExpr" in axis and "expr" in axis["labelOffset"]
    assert spec["height"]["step"] > 20  # three lines need more than 20 px
    drawing = vl_convert.vegalite_to_svg(spec)
    assert "\u2026" not in drawing and check_text(drawing) == []
    labels = [
        box for box in text_boxes(drawing)[0] if box.text in [" ".join(wrapping.wrapped(s, 60)) for s in SECTORS] or len(box.lines) > 1
    ]
    assert labels and all(chart_font().width(line, 12) <= layout.NARROW_LABEL_LIMIT for box in labels for line in box.lines)


def test_labels_that_fit_are_left_alone() -> None:
    short = grid()
    short["data"]["values"] = [{"sector": "Coal", "resolution": "2270"}]
    short["encoding"]["y"]["sort"] = ["Coal"]
    spec = layout.narrow(short)
    assert "labelExpr" not in spec["encoding"]["y"]["axis"] and spec["height"] == {"step": 20}


def test_direct_labels_wrap_and_their_rows_make_room() -> None:
    spec = layout.narrow(lags())
    text = spec["layer"][1]
    assert text["encoding"]["text"]["field"] == "label (lines)" and text["transform"][0]["as"] == "label (lines)"
    assert spec["height"]["step"] > 20
    drawing = vl_convert.vegalite_to_svg(spec)
    assert "\u2026" not in drawing and check_text(drawing) == []
    limit = round(layout.NARROW_WIDTH * layout.NARROW_TEXT_LIMIT)
    assert max(chart_font().width(line, 12) for box in text_boxes(drawing)[0] for line in box.lines) <= limit


@pytest.mark.parametrize("where", ["mark", "encoding"])
def test_a_note_given_as_text_is_broken_into_lines_that_fit(where: str) -> None:
    note = "Each bar: days from the triggering event to the resolution's adoption"
    mark: dict[str, Any] = {"type": "text", **({"text": note} if where == "mark" else {})}
    spec = {"data": {"values": [{}]}, "mark": mark, "encoding": {"text": {"value": note}} if where == "encoding" else {}}
    narrow = layout.narrow(spec)
    lines = narrow["mark"]["text"] if where == "mark" else narrow["encoding"]["text"]["value"]
    limit = round(layout.NARROW_WIDTH * layout.NARROW_TEXT_LIMIT)
    assert len(lines) > 1 and " ".join(lines) == note and all(chart_font().width(line, 12) <= limit for line in lines)


@pytest.mark.parametrize("width", [80, 120, 200])
def test_the_fitting_line_is_the_longest_that_fits_every_value(width: int) -> None:
    line = wrapping.fitting_line(SECTORS, width, 12)
    font = chart_font()
    assert all(font.width(part, 12) <= width for s in SECTORS for part in wrapping.wrapped(s, line))
    assert line == wrapping.MAX_LINE or any(font.width(part, 12) > width for s in SECTORS for part in wrapping.wrapped(s, line + 1))


def test_a_word_wider_than_the_width_gets_the_shortest_line() -> None:
    assert wrapping.fitting_line(["Condensate"], 40, 12) == wrapping.MIN_LINE


def test_a_note_standing_on_its_point_is_raised_by_its_further_lines() -> None:
    """Vega draws further lines below the first: a note above a bar (baseline bottom) would
    run down into it, so it is raised by them (and a centred one by half)."""
    note = "57% of the 2017 dollar cap used by April (Yonhap)"
    spec = {"data": {"values": [{}]}, "mark": {"type": "text", "baseline": "bottom", "dy": -4, "text": note}}
    mark = layout.narrow(spec)["mark"]
    assert mark["dy"] == -4 - (len(mark["text"]) - 1) * 14
    centred = layout.narrow({**spec, "mark": {"type": "text", "text": note}})["mark"]
    assert centred["dy"] == -(len(centred["text"]) - 1) * 7


def test_a_text_that_breaks_its_own_lines_is_left_as_it_is() -> None:
    spec = {"data": {"values": [{"t": "A long first line of a label\nand its second"}]}, "mark": {"type": "text", "lineBreak": "\n"}}
    spec["encoding"] = {"text": {"field": "t", "type": "nominal"}}
    assert layout.narrow(spec)["encoding"]["text"] == {"field": "t", "type": "nominal"}


PARTNERS = ["China customs (GACC)", "South Korea's trade agency (KOTRA)", "Russia, as reported to the UN"]


def partners(channel: str) -> dict[str, Any]:
    rows = [{"partner": p, "value": i + 1} for i, p in enumerate(PARTNERS)]
    encoding = {"y": {"field": "value", "type": "quantitative"}, channel: {"field": "partner", "type": "nominal"}}
    if channel != "x":
        encoding["x"] = {"field": "value", "type": "ordinal"}
    return {"data": {"values": rows}, "mark": "bar", "encoding": encoding}


@pytest.mark.parametrize("variant", layout.LAYOUTS)
def test_long_series_names_in_a_legend_wrap_rather_than_end_in_an_ellipsis(variant: layout.Layout) -> None:
    spec = layout.laid_out({**partners("color"), "config": {"legend": {"labelLimit": 120}}}, variant)
    legend = spec["encoding"]["color"]["legend"]
    assert legend["labelLimit"] == 0 and "labelExpr" in legend
    drawing = vl_convert.vegalite_to_svg(spec)
    assert "\u2026" not in drawing and check_text(drawing) == []


@pytest.mark.parametrize("variant", layout.LAYOUTS)
def test_long_names_of_columns_stand_upright_on_lines_that_fit_their_column(variant: layout.Layout) -> None:
    """Vega-Lite turns long labels of columns and cuts them at 180 px."""
    spec = layout.laid_out({**partners("x"), "width": 640}, variant)
    axis = spec["encoding"]["x"]["axis"]
    assert axis["labelAngle"] == 0 and axis["labelLimit"] == 0
    drawing = vl_convert.vegalite_to_svg(spec)
    assert "\u2026" not in drawing and check_text(drawing) == []


def test_columns_an_author_turned_are_left_as_they_are() -> None:
    spec = partners("x")
    spec["encoding"]["x"]["axis"] = {"labelAngle": -45}
    assert layout.wide(spec)["encoding"]["x"]["axis"] == {"labelAngle": -45}


def test_names_of_narrow_columns_stay_turned_but_whole() -> None:
    """Columns 20 px wide (Vega-Lite's default): no word fits upright, so the turned labels are kept, uncut."""
    spec = layout.wide(partners("x"))
    assert spec["encoding"]["x"]["axis"] == {"labelLimit": 0}
    drawing = vl_convert.vegalite_to_svg(spec)
    assert "\u2026" not in drawing and all(p in [b.text for b in text_boxes(drawing)[0]] for p in PARTNERS)

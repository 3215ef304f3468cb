"""Site-wide series colours and the palette's contrast on both backgrounds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import make_site, run

from broadsheet import colors

SITE = {"China customs (GACC)": "#0072B2", "UN 1718 Committee": "#D55E00"}
ROWS = [{"source": s, "tonnes": n} for s, n in (("KOTRA", 1), ("China customs (GACC)", 2), ("UN 1718 Committee", 3))]


def bars(color: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "data": {"name": "d"},
        "datasets": {"d": ROWS},
        "mark": "bar",
        "encoding": {"x": {"field": "tonnes", "type": "quantitative"}, "color": color},
        **extra,
    }


@pytest.mark.parametrize("color", colors.PALETTE)
def test_every_palette_colour_clears_3_to_1_on_white_and_on_the_dark_background(color: str) -> None:
    assert colors.color_problem(color) is None


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("#E69F00", "#E69F00 has a contrast of 2.3:1 on white; marks need 3:1"),
        ("#000000", "#000000 has a contrast of 1.1:1 on the dark background #121212; marks need 3:1"),
        ("blue", "'blue' is not a colour written #rrggbb"),
    ],
)
def test_a_colour_that_does_not_read_is_refused_with_its_reason(value: str, problem: str) -> None:
    assert colors.color_problem(value) == problem


def test_a_scale_with_its_own_domain_gets_the_site_colours() -> None:
    scale = {"domain": ["China customs (GACC)", "KOTRA"], "range": ["#009E73", "#555555"]}
    spec = colors.apply_series_colors(bars({"field": "source", "type": "nominal", "scale": scale}), SITE)
    assert spec["encoding"]["color"]["scale"] == {"domain": ["China customs (GACC)", "KOTRA"], "range": ["#0072B2", "#555555"]}


def test_a_scale_without_a_domain_gets_one_from_the_data_in_vega_lites_order() -> None:
    spec = colors.apply_series_colors(bars({"field": "source", "type": "nominal"}), SITE)
    scale = spec["encoding"]["color"]["scale"]
    assert scale["domain"] == ["China customs (GACC)", "KOTRA", "UN 1718 Committee"]
    assert scale["range"][0] == "#0072B2" and scale["range"][2] == "#D55E00"
    assert scale["range"][1] not in ("#0072B2", "#D55E00")  # an undeclared series never takes a declared colour


def test_layers_inherit_their_data_and_a_filter_leaves_the_scale_alone() -> None:
    layered = {"data": {"values": ROWS}, "layer": [{"mark": "bar", "encoding": {"color": {"field": "source", "type": "nominal"}}}]}
    assert colors.apply_series_colors(layered, SITE)["layer"][0]["encoding"]["color"]["scale"]["range"][0] == "#0072B2"
    filtered = {**layered, "transform": [{"filter": "datum.tonnes > 2"}]}
    assert colors.apply_series_colors(filtered, SITE) == filtered


def test_charts_that_name_no_declared_series_are_unchanged() -> None:
    for spec in (
        bars({"field": "source", "type": "nominal"}, datasets={"d": [{"source": "KOTRA", "tonnes": 1}]}),
        bars({"field": "source", "type": "nominal", "scale": None}),  # the values are colours themselves
        bars({"field": "tonnes", "type": "quantitative"}),
        bars({"value": "#0072B2"}),
    ):
        assert colors.apply_series_colors(spec, SITE) == spec


# ---------------------------------------------------------------- [colors] in site.toml, built


def test_site_colours_reach_a_declarative_chart(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = make_site(tmp_path)
    (site / "content" / "colours.md").write_text(
        "---\ntitle: Colours\ndescription: A declarative chart with a series colour.\n---\n\n"
        "```chart\ndata: tests\nmark: point\nx: date_utc:T\ny: yield_kt_central:Q\ncolor: test_number:N\n"
        "title: Yields by test\ndescription: Point chart.\n```\n"
    )
    with (site / "site.toml").open("a") as toml:
        toml.write('\n[colors]\n"6" = "#9C8B00"\n')
    assert run(site) == 0
    svg = (site / "public" / "colours" / "index.html").read_text()
    assert svg.count('stroke="#9C8B00"') >= 2  # the sixth test's point, in the wide and the narrow drawing


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('"KOTRA" = "#F0E442"', "site.toml:7: colors: series 'KOTRA': #F0E442 has a contrast of 1.3:1 on white; marks need 3:1"),
        ('"KOTRA" = "grey"', "site.toml:7: colors: series 'KOTRA': 'grey' is not a colour written #rrggbb"),
    ],
)
def test_a_site_colour_that_does_not_read_stops_the_build_at_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], line: str, message: str
) -> None:
    site = make_site(tmp_path)
    with (site / "site.toml").open("a") as toml:
        toml.write(f"\n[colors]\n{line}\n")
    assert run(site) == 1
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('"KOTRA" = "#0072B2\\n"', "site.toml:7: colors: series 'KOTRA': '#0072B2\\n' is not a colour written #rrggbb"),
        ('"KOTRA" = " #0072B2"', "site.toml:7: colors: series 'KOTRA': ' #0072B2' is not a colour written #rrggbb"),
        ('"KOTRA" = "#0072B2"\n"UN" = "#0072b2"', "site.toml:8: colors: series 'UN' has the colour of series 'KOTRA' (#0072B2)"),
    ],
)
def test_a_colour_with_a_trailing_newline_or_taken_by_another_series_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], line: str, message: str
) -> None:
    """Two series in one colour read as one series; a newline after the colour passed the
    check (``$`` matches before a final newline) and drew both in the same colour."""
    site = make_site(tmp_path)
    with (site / "site.toml").open("a") as toml:
        toml.write(f"\n[colors]\n{line}\n")
    assert run(site) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


# ---------------------------------------------------------------- series that share a colour

KINDS = ["All natural disasters", "Drought", "Earthquake", "Extreme temperature", "Extreme weather", "Flood", "Landslide"]
KINDS += ["Mass movement (dry)", "Volcanic activity", "Wildfire", "Epidemic"]


def test_more_series_than_the_palette_draws_two_in_one_colour_and_says_which() -> None:
    """Eleven disaster kinds on the eight colours: Vega starts the palette again."""
    spec = {"data": {"values": [{"kind": k, "n": i} for i, k in enumerate(KINDS)]}, "mark": "bar"}
    spec["encoding"] = {"x": {"field": "n", "type": "quantitative"}, "color": {"field": "kind", "type": "nominal"}}
    (scale,) = colors.series_scales(spec)
    assert scale.names == tuple(sorted(KINDS)) and scale.colors[0] == scale.colors[8] == "#0072b2"
    assert colors.color_warnings("disasters", [scale])[0] == (
        "chart 'disasters': series 'All natural disasters' and 'Mass movement (dry)' are drawn in the same colour, #0072b2"
        " (11 series, 8 colours)"
    )


def test_an_authors_range_with_one_colour_twice_is_named() -> None:
    scale = {"domain": ["Ban", "Cap", "Other"], "range": ["#D55E00", "#009E73", "#d55e00"]}
    (found,) = colors.series_scales(bars({"field": "source", "type": "nominal", "scale": scale}))
    assert colors.color_warnings("grid", [found]) == ("chart 'grid': series 'Ban' and 'Other' are drawn in the same colour, #d55e00",)


def test_distinct_colours_colours_written_in_the_data_and_unknown_series_say_nothing() -> None:
    assert colors.color_warnings("ok", colors.series_scales(bars({"field": "source", "type": "nominal"}))) == ()
    assert colors.series_scales(bars({"field": "source", "type": "nominal", "scale": None})) == []
    filtered = bars({"field": "source", "type": "nominal"}, transform=[{"filter": "datum.tonnes > 1"}])
    assert colors.series_scales(filtered) == []  # (the series left are not known before Vega runs)


MANY_KINDS = """
import altair as alt
import pandas as pd

from broadsheet import chart

KINDS = {kinds!r}


@chart("kinds", data=["trade"])
def kinds(trade):
    frame = pd.DataFrame({{"kind": KINDS, "n": range(len(KINDS))}})
    return alt.Chart(frame).mark_bar().encode(x="n:Q", y=alt.Y("kind:N", title=None), color=alt.Color("kind:N", legend=None))
"""


def test_the_build_warns_at_the_chart_and_check_lists_a_colour_that_means_two_things(
    tmp_path: Path, shared_cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = make_site(tmp_path, "layouts")
    (site / "charts" / "kinds.py").write_text(MANY_KINDS.format(kinds=KINDS))
    (site / "content" / "kinds.md").write_text(
        "---\ntitle: Kinds\ndescription: Eleven kinds.\n---\n\n```chart\nid: kinds\ntitle: Kinds\ndescription: Bar chart.\n```\n"
    )
    assert run(site, cache=shared_cache) == 0
    err = capsys.readouterr().err
    assert "charts/kinds.py:10: warning: chart 'kinds': series 'All natural disasters' and 'Mass movement (dry)'" in err
    assert run(site, "check", cache=shared_cache) == 1  # (the warning is a problem there)
    captured = capsys.readouterr()
    out = captured.out
    assert "charts/kinds.py:10: chart 'kinds': series 'All natural disasters' and 'Mass movement (dry)'" in captured.err
    # the layouts page draws China customs in the palette's first colour, as this page draws its first kind
    assert "note: colour #0072b2 stands for" in out and "'All natural disasters' (content/kinds.md)" in out
    assert "'China customs (GACC)' (content/index.md)" in out

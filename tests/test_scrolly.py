"""```scrolly blocks: parsing with path:line errors, and each step's chart state as a
pure transform of a compiled Vega-Lite spec (rendered by vl-convert to check it draws)."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest

from broadsheet.errors import SiteError
from broadsheet.scrolly import Annotation, Predicate, StepState, parse_scrolly
from broadsheet.states import apply_state
from broadsheet.yamlmap import parse_mapping

SRC = "content/coal.md"
CHARTS = ("coal-monthly", "tests-by-year")
GOOD = """\
chart: coal-monthly
steps:
  - text: |
      Resolution 2270 banned coal exports in March 2016, with an exemption.
    alt: Bars for 2016 stand out; the rest are faint.
    highlight: {field: month_start, range: [2016-03-01, 2016-12-31]}
  - text: China suspended imports on 19 February 2017.
    alt: A line marks 19 February 2017.
    annotate: {x: 2017-02-19, text: China suspends imports}
    zoom: {x: [2016-12-01, 2017-12-31]}
  - text: Only China's customs figures.
    alt: Blue bars only.
    filter: {field: series, equal: China customs (GACC)}
  - text: The UN's figures.
    alt: Vermilion bars stand out.
    highlight: {series: UN 1718 Committee reports}
"""


def parse(text: str, first_line: int = 10) -> Any:
    return parse_scrolly(parse_mapping(text, SRC, first_line), CHARTS)


def test_parses_steps_into_records() -> None:
    scrolly = parse(GOOD)
    assert scrolly.chart == "coal-monthly"
    assert (scrolly.src, scrolly.line) == (SRC, 10)
    assert len(scrolly.steps) == 4
    first, second, third, fourth = scrolly.steps
    assert first.text.startswith("Resolution 2270") and first.line == 12
    assert first.alt == "Bars for 2016 stand out; the rest are faint."
    assert first.state.highlight == Predicate("month_start", range=(dt.date(2016, 3, 1), dt.date(2016, 12, 31)), line=15)
    assert second.state.annotations == (Annotation(x=dt.date(2017, 2, 19), text="China suspends imports", line=18),)
    assert second.state.zoom_x == (dt.date(2016, 12, 1), dt.date(2017, 12, 31))
    assert third.state.filter == Predicate("series", one_of=("China customs (GACC)",), line=22)
    assert fourth.state.highlight == Predicate("", one_of=("UN 1718 Committee reports",), line=25)
    assert isinstance(first.state, StepState) and first.state.filter is None
    assert scrolly.title == ""
    assert parse(GOOD.replace("steps:", "title: Coal in five steps\nsteps:", 1)).title == "Coal in five steps"


ERRORS = {
    # name: (edit to GOOD, expected path:line: message)
    "unknown chart": (("chart: coal-monthly", "chart: coal-montly"), "content/coal.md:10: unknown chart 'coal-montly'"),
    "unknown block key": (("chart: coal-monthly", "chart: coal-monthly\ntitel: x"), "content/coal.md:11: unknown key 'titel'"),
    "unknown step key": (("    zoom:", "    zoon:"), "content/coal.md:19: unknown key 'zoon' in a scrolly step"),
    "step without text": (
        ("  - text: Only China's customs figures.\n    alt:", "  - alt:"),
        "content/coal.md:20: a scrolly step needs 'text'",
    ),
    "step without alt": (("    alt: Blue bars only.\n", ""), "content/coal.md:20: a scrolly step needs 'alt'"),
    "no steps": (("steps:", "stops:"), "content/coal.md:11: unknown key 'stops'"),
    "impossible date": (("2016-12-31]", "2016-02-30]"), "content/coal.md:15: '2016-02-30' is not a calendar date"),
    "range of one": (("range: [2016-03-01, 2016-12-31]", "range: [2016-03-01]"), "content/coal.md:15: 'range' must be two values"),
    "range backwards": (
        ("range: [2016-03-01, 2016-12-31]", "range: [2016-12-31, 2016-03-01]"),
        "content/coal.md:15: 'range' must go from low to high",
    ),
    "range of mixed kinds": (("range: [2016-03-01, 2016-12-31]", "range: [2016-03-01, 5]"), "content/coal.md:15: 'range' must be two"),
    "annotation at a list": (("x: 2017-02-19,", "x: [1, 2],"), "content/coal.md:18: 'x' must be a date (YYYY-MM-DD), a number or text"),
    "highlight without field": (("{series: UN 1718 Committee reports}", "{equal: x}"), "content/coal.md:25: 'highlight' needs 'field'"),
    "highlight with two tests": (
        (
            "{field: month_start, range: [2016-03-01, 2016-12-31]}",
            "{field: month_start, equal: 2016-03-01, range: [2016-03-01, 2016-12-31]}",
        ),
        "content/coal.md:15: 'highlight' takes one of equal, oneOf, range",
    ),
    "annotation without text": (
        ("{x: 2017-02-19, text: China suspends imports}", "{x: 2017-02-19}"),
        "content/coal.md:18: an annotation needs 'text'",
    ),
    "zoom on z": (("zoom: {x:", "zoom: {z:"), "content/coal.md:19: unknown key 'z' in 'zoom'"),
    "reversed zoom": (
        ("zoom: {x: [2016-12-01, 2017-12-31]}", "zoom: {x: [2017-12-31, 2016-12-01]}"),
        "content/coal.md:19: 'x' must go from low to high, found [2017-12-31, 2016-12-01]",
    ),
    "zoom of two kinds": (
        ("zoom: {x: [2016-12-01, 2017-12-31]}", "zoom: {x: [2016-12-01, 3.5]}"),
        "content/coal.md:19: 'x' must be two values of one kind (dates, numbers or text), found [2016-12-01, 3.5]",
    ),
    "a time for a date": (
        ("{x: 2017-02-19, text: China suspends imports}", "{x: 2017-02-19 10:30:00, text: China suspends imports}"),
        "content/coal.md:18: 'x' must be a date (YYYY-MM-DD), a number or text, found 2017-02-19 10:30:00",
    ),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors_say_where(name: str) -> None:
    (old, new), expected = ERRORS[name]
    assert old in GOOD, old
    with pytest.raises(SiteError) as caught:
        parse(GOOD.replace(old, new, 1))
    assert str(caught.value).startswith(expected), str(caught.value)


def test_a_block_needs_two_steps() -> None:
    text = GOOD.split("  - text: China suspended")[0]
    with pytest.raises(SiteError, match="content/coal.md:11: a scrolly block needs at least two steps"):
        parse(text)


# --- step states on a spec shaped like the explainer's coal-monthly chart -------------


def layered_spec() -> dict[str, Any]:
    """Bars by month and series with a shaded gap layer and a marker layer, as Altair compiles them."""
    bars = [
        {"month_start": "2016-08-01T00:00:00", "million_tonnes": 2.465, "series": "China customs (GACC)"},
        {"month_start": "2017-01-01T00:00:00", "million_tonnes": 1.45, "series": "China customs (GACC)"},
        {"month_start": "2017-01-01T00:00:00", "million_tonnes": 1.44, "series": "UN 1718 Committee reports"},
        {"month_start": "2017-03-01T00:00:00", "million_tonnes": 0.0, "series": "China customs (GACC)"},
    ]
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "config": {"view": {"continuousWidth": 640, "continuousHeight": 320}},
        "datasets": {"bars": bars, "gaps": [{"month_start": "2016-12-01T00:00:00", "month_end": "2017-01-01T00:00:00"}]},
        "layer": [
            {
                "data": {"name": "gaps"},
                "mark": {"type": "rect", "opacity": 0.18},
                "encoding": {"x": {"field": "month_start", "type": "temporal"}, "x2": {"field": "month_end"}},
            },
            {
                "data": {"name": "bars"},
                "mark": {"type": "bar"},
                "encoding": {
                    "x": {"field": "month_start", "type": "temporal", "scale": {"domain": ["2016-01-01T00:00:00", "2018-01-01"]}},
                    "y": {"field": "million_tonnes", "type": "quantitative"},
                    "color": {"field": "series", "type": "nominal"},
                },
            },
            {
                "data": {"name": "bars"},
                "transform": [{"calculate": "format(datum.million_tonnes, '.2f')", "as": "label"}],
                "mark": "text",
                "encoding": {
                    "x": {"field": "month_start", "type": "temporal"},
                    "y": {"field": "million_tonnes", "type": "quantitative"},
                    "text": {"field": "label"},
                },
            },
        ],
    }


def state(**values: Any) -> StepState:
    return StepState(src=SRC, line=30, **values)


def bar_opacity(spec: dict[str, Any]) -> Any:
    return spec["layer"][1]["encoding"]["opacity"]


def draw(spec: dict[str, Any]) -> str:
    import vl_convert

    return str(vl_convert.vegalite_to_svg(spec))


def bar_paths(svg: str) -> list[str]:
    return re.findall(r'<path[^>]*aria-roledescription="bar"[^>]*>', svg) or re.findall(r"<path [^>]*fill=\"#[0-9a-f]{6}\"[^>]*>", svg)


def test_state_is_pure() -> None:
    spec = layered_spec()
    before = json.dumps(spec, sort_keys=True)
    apply_state(spec, state(highlight=Predicate("series", one_of=("China customs (GACC)",), line=31)))
    assert json.dumps(spec, sort_keys=True) == before


def test_empty_state_changes_nothing() -> None:
    assert apply_state(layered_spec(), state()) == layered_spec()


def test_highlight_a_period_dims_the_other_marks() -> None:
    period = Predicate("month_start", range=(dt.date(2016, 1, 1), dt.date(2016, 12, 31)), line=31)
    spec = apply_state(layered_spec(), state(highlight=period))
    opacity = bar_opacity(spec)
    assert opacity["condition"]["value"] == 1 and opacity["value"] < 0.5
    gap = spec["layer"][0]["encoding"]["opacity"]  # keeps its own faintness, dimmed further outside
    assert gap["condition"]["value"] == 0.18 and gap["value"] < 0.18
    assert spec["layer"][2]["encoding"]["opacity"]["value"] == 0, "faded text would be unreadable: it is hidden"
    svg = draw(spec)
    opacities = re.findall(r'fill-opacity="([\d.]+)"', svg) + re.findall(r'opacity="([\d.]+)"', svg)
    assert any(float(o) < 0.5 for o in opacities), "some marks are dimmed"


def test_highlight_a_series_uses_the_colour_field() -> None:
    spec = apply_state(layered_spec(), state(highlight=Predicate("", one_of=("UN 1718 Committee reports",), line=31)))
    assert '"series"' in bar_opacity(spec)["condition"]["test"]
    draw(spec)


def test_filter_keeps_matching_rows() -> None:
    spec = apply_state(layered_spec(), state(filter=Predicate("series", one_of=("China customs (GACC)",), line=31)))
    assert {"filter": spec["layer"][1]["transform"][0]["filter"]} == spec["layer"][1]["transform"][0]
    assert "transform" not in spec["layer"][0]  # the gap layer has no 'series'
    wide = draw(layered_spec())
    narrowed = draw(spec)
    assert narrowed.count("<path") < wide.count("<path")


def test_a_series_filtered_out_leaves_the_legend() -> None:
    """A step showing China's customs alone listed 'UN 1718 Committee reports' in its
    legend (the chart names its series in the colour scale's domain)."""
    spec = layered_spec()
    colours = {"China customs (GACC)": "#0072b2", "UN 1718 Committee reports": "#d55e00"}
    spec["layer"][1]["encoding"]["color"]["scale"] = {"domain": list(colours)[::-1], "range": list(colours.values())[::-1]}
    filtered = apply_state(spec, state(filter=Predicate("series", one_of=("China customs (GACC)",), line=31)))
    assert filtered["layer"][1]["encoding"]["color"]["scale"] == {"domain": ["China customs (GACC)"], "range": ["#0072b2"]}
    svg = draw(filtered)
    assert "China customs (GACC)" in svg and "UN 1718 Committee reports" not in svg
    spec["layer"][1]["encoding"]["color"]["scale"].pop("range")  # (colours in domain order: cutting the first would shift them)
    assert apply_state(spec, state(filter=Predicate("series", one_of=("China customs (GACC)",), line=31)))["layer"][1]["encoding"]["color"][
        "scale"
    ] == {"domain": list(colours)[::-1]}


def test_filter_by_date_range_draws_fewer_bars() -> None:
    spec = apply_state(layered_spec(), state(filter=Predicate("month_start", range=(dt.date(2017, 1, 1), dt.date(2017, 12, 31)), line=31)))
    assert draw(spec).count("<path") < draw(layered_spec()).count("<path")


def test_annotation_adds_a_rule_and_a_label() -> None:
    spec = apply_state(layered_spec(), state(annotations=(Annotation(dt.date(2017, 2, 19), "China suspends imports", line=31),)))
    added = spec["layer"][3:]
    assert [layer["mark"]["type"] for layer in added] == ["rule", "text"]
    assert added[0]["encoding"]["x"] == {"datum": {"year": 2017, "month": 2, "date": 19}, "type": "temporal"}
    assert "China suspends imports" in draw(spec)


def test_annotation_on_a_single_view_chart() -> None:
    spec = layered_spec()
    unit = {**spec["layer"][1], "$schema": spec["$schema"], "datasets": spec["datasets"], "config": spec["config"], "width": 400}
    out = apply_state(unit, state(annotations=(Annotation(dt.date(2017, 2, 19), "here", line=31),)))
    assert out["width"] == 400 and len(out["layer"]) == 3 and "mark" not in out
    assert "here" in draw(out)


def test_zoom_sets_the_domain_and_clips() -> None:
    zoom = (dt.date(2016, 12, 1), dt.date(2017, 12, 31))
    spec = apply_state(layered_spec(), state(zoom_x=zoom))
    for layer in spec["layer"]:
        assert layer["encoding"]["x"]["scale"]["domain"] == [
            {"year": 2016, "month": 12, "date": 1},
            {"year": 2017, "month": 12, "date": 31},
        ]
        assert layer["mark"]["clip"] is True
    assert spec["layer"][2]["transform"][-1] == {
        "filter": 'inrange(time(datum["month_start"]), [time(datetime(2016, 11, 1)), time(datetime(2017, 11, 31))])'
    }, "labels outside the zoomed domain are dropped, not cut in half"
    spec = apply_state(layered_spec(), state(zoom_y=(0, 1.5)))
    assert spec["layer"][1]["encoding"]["y"]["scale"] == {"domain": [0, 1.5]}
    draw(spec)


STATE_ERRORS = {
    "unknown field": (
        {"highlight": Predicate("month", range=(dt.date(2016, 1, 1), dt.date(2016, 2, 1)), line=33)},
        "content/coal.md:33: field 'month' is not in the data of chart 'coal-monthly'",
    ),
    "date against numbers": (
        {"filter": Predicate("million_tonnes", range=(dt.date(2016, 1, 1), dt.date(2016, 2, 1)), line=34)},
        "content/coal.md:34: field 'million_tonnes' holds numbers, not dates",
    ),
    "zoom with numbers on a time axis": ({"zoom_x": (1, 2)}, "content/coal.md:30: the x axis of chart 'coal-monthly' shows dates"),
    "annotation text on a time axis": (
        {"annotations": (Annotation("spring", "x", line=35),)},
        "content/coal.md:35: the x axis of chart 'coal-monthly' shows dates",
    ),
}


@pytest.mark.parametrize("name", sorted(STATE_ERRORS))
def test_state_errors_say_where(name: str) -> None:
    values, expected = STATE_ERRORS[name]
    with pytest.raises(SiteError) as caught:
        apply_state(layered_spec(), state(**values), chart_id="coal-monthly")
    assert str(caught.value).startswith(expected), str(caught.value)


def test_series_shorthand_needs_a_colour_field() -> None:
    spec = layered_spec()
    del spec["layer"][1]["encoding"]["color"]
    with pytest.raises(SiteError, match="content/coal.md:31: chart 'coal-monthly' has no colour field"):
        apply_state(spec, state(highlight=Predicate("", one_of=("x",), line=31)), chart_id="coal-monthly")


# --- the explainer's own scrolly section ------------------------------------------------


def explainer_block() -> tuple[Any, int]:
    """The ```scrolly block of content/coal.md, parsed, and the line its YAML starts on."""
    from conftest import REPO

    lines = (REPO / "content" / "coal.md").read_text().split("\n")
    start = lines.index("```scrolly") + 1
    end = lines.index("```", start)
    return parse_scrolly(parse_mapping("\n".join(lines[start:end]), SRC, start + 1), ["coal-monthly"]), start + 1


def test_explainer_steps_trace_every_tonnage_to_the_data() -> None:
    import csv

    from conftest import REPO

    tonnes = set()
    for name in ("china_nk_coal_monthly.csv", "china_nk_coal_annual.csv"):
        with (REPO / "data" / name).open() as rows:
            tonnes |= {float(row["coal_tonnes"]) for row in csv.DictReader(rows) if row["coal_tonnes"]}
    scrolly, _ = explainer_block()
    assert len(scrolly.steps) >= 5
    for step in scrolly.steps:
        for amount in re.findall(r"(\d[\d.]*) million tonnes", step.text):
            assert float(amount) * 1e6 in tonnes or any(abs(float(amount) * 1e6 - t) <= 0.05e6 for t in tonnes), amount
        for amount in re.findall(r"(\d{1,3}(?:,\d{3})+) tonnes", step.text):
            assert float(amount.replace(",", "")) in tonnes, amount


@pytest.fixture(scope="module")
def explainer_specs(explainer: Any) -> dict[str, dict[str, Any]]:
    """The explainer's compiled charts (the run's one build of it: conftest's ``explainer``)."""
    return {p.name.split(".")[0]: json.loads(p.read_text()) for p in (explainer.public / "charts").glob("*.json")}


def compiled_chart(explainer: Any, chart_id: str) -> dict[str, Any]:
    """A chart of the explainer as its scrolly tells it, compiled (a chart shown only in steps
    publishes no spec of its own: the coal page's scrolly ends on the whole chart)."""
    from broadsheet.charts import compile_spec
    from broadsheet.config import load_config
    from broadsheet.site import load_site
    from broadsheet.state import BuildState

    site = load_site(load_config(explainer.root), BuildState())
    base = next(item.base for blocks in site.blocks.values() for item in blocks if getattr(item, "base", None) and item.base.id == chart_id)
    return compile_spec(base, site.package, explainer.root, series_colors=site.config.series_colors)


@pytest.mark.slow
def test_explainer_steps_draw_on_the_real_chart(explainer: Any) -> None:
    scrolly, _ = explainer_block()
    base = compiled_chart(explainer, scrolly.chart)
    drawn = {draw(apply_state(base, step.state, scrolly.chart)) for step in scrolly.steps}
    assert len(drawn) == len(scrolly.steps), "every step draws something different"


@pytest.mark.slow
def test_states_on_a_concatenated_chart(explainer_specs: dict[str, dict[str, Any]]) -> None:
    """The home page's lead (a strip above the bars): an annotation rules both panels, labels one."""
    spec = explainer_specs["pressure-and-coal"]
    step = state(
        annotations=(Annotation(dt.date(2017, 2, 19), "Suspension", line=31),),
        highlight=Predicate("month_start", range=(dt.date(2017, 1, 1), dt.date(2017, 12, 31)), line=31),
        zoom_x=(dt.date(2016, 6, 1), dt.date(2017, 12, 31)),
    )
    out = apply_state(spec, step, "pressure-and-coal")
    assert draw(out).count("Suspension") == 1


# --- the block in a real build (the command line, on a copy of the basic test site) ---------

SITE_BLOCK = """
```scrolly
chart: yields
title: Yields, step by step
steps:
  - text: The first test, in **2006**, was [the smallest](#yields).
    alt: Every test, the 2006 one highlighted.
    highlight: {field: date_utc, range: [2006-01-01, 2006-12-31]}
  - text: The sixth, in 2017, was by far the largest.
    alt: Tests from 2013, with a line at the sixth.
    zoom: {x: [2013-01-01, 2018-01-01]}
    annotate: {x: 2017-09-03, text: Sixth test}
```
"""


def with_block(site: Path, block: str = SITE_BLOCK) -> Path:
    page = site / "content" / "index.md"
    page.write_text(page.read_text() + block)
    return page


def test_a_scrolly_block_publishes_each_step_with_its_own_chart(site: Path, shared_cache: Path) -> None:
    from conftest import run

    with_block(site)
    assert run(site, cache=shared_cache) == 0
    html = (site / "public" / "index.html").read_text()
    section = html[html.index('<section class="scrolly"') : html.index("</section>", html.index('<section class="scrolly"'))]
    steps = section.split('<li class="scrolly-step"')[1:]
    assert len(steps) == 2
    assert "<strong>2006</strong>" in steps[0] and 'href="#yields"' in steps[0]
    labels = [re.search(r'<svg role="img" aria-label="([^"]*)"', step).group(1) for step in steps]
    assert labels == ["Every test, the 2006 one highlighted.", "Tests from 2013, with a line at the sixth."]
    assert "Sixth test" in steps[1] and "Sixth test" not in steps[0]
    ids = re.findall(r'\bid="(c-[^"]+)"', section)
    assert len(ids) == len(set(ids)), "SVG ids stay unique on the page"
    assert re.search(r'<script src="/static/scrolly\.[0-9a-f]{10}\.js" defer></script>', html)
    assert "Yields, step by step" in section and 'class="chart-source"' in section
    published = [p.name for folder in ("embed", "charts") for p in (site / "public" / folder).iterdir()]
    assert published and not [name for name in published if "-step-" in name], "steps get no embed page nor spec file"
    other = (site / "public" / "notes" / "coal" / "index.html").read_text()
    assert "scrolly" not in other, "the script only on pages with a scrolly section"


def test_a_second_build_takes_every_step_from_the_cache(site: Path, shared_cache: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from conftest import run

    with_block(site)
    assert run(site, cache=shared_cache) == 0
    capsys.readouterr()
    (site / "public").rename(site / "old")
    assert run(site, cache=shared_cache) == 0
    summary = capsys.readouterr().out
    charts = re.search(r"(\d+) charts \((\d+) from cache\)", summary)
    assert charts and charts.group(1) == charts.group(2) and int(charts.group(1)) >= 4, summary


BUILD_ERRORS = {
    "field not in the data": (
        "highlight: {field: date_utc,",
        "highlight: {field: date,",
        "content/index.md:32: field 'date' is not in the data of chart 'yields'",
    ),
    "unknown chart": ("chart: yields", "chart: yeilds", "content/index.md:27: unknown chart 'yeilds'"),
    "step without alt": ("    alt: Every test, the 2006 one highlighted.\n", "", "content/index.md:30: a scrolly step needs 'alt'"),
    "bad date": ("2013-01-01", "2013-02-30", "content/index.md:35: '2013-02-30' is not a calendar date"),
    "highlight of no row": (
        "range: [2006-01-01, 2006-12-31]",
        "range: [2026-01-01, 2026-12-31]",
        "content/index.md:32: 'highlight' matches no row of chart 'yields': no 'date_utc' from 2026-01-01 to 2026-12-31",
    ),
    "zoom past the data": (
        "zoom: {x: [2013-01-01, 2018-01-01]}",
        "zoom: {x: [2019-01-01, 2020-01-01]}",
        "content/index.md:35: 'zoom' shows no row of chart 'yields': no 'date_utc' from 2019-01-01 to 2020-01-01",
    ),
}


@pytest.mark.parametrize("name", sorted(BUILD_ERRORS))
def test_scrolly_errors_stop_the_build_at_their_line(name: str, site: Path, shared_cache: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from conftest import run, snapshot

    old, new, expected = BUILD_ERRORS[name]
    assert run(site, cache=shared_cache) == 0
    before = snapshot(site / "public")
    assert old in SITE_BLOCK
    with_block(site, SITE_BLOCK.replace(old, new, 1))
    capsys.readouterr()
    assert run(site, cache=shared_cache) == 1
    err = capsys.readouterr().err
    assert expected in err and "Traceback" not in err, err
    assert snapshot(site / "public") == before


def test_a_declarative_chart_on_another_page_can_be_told_in_steps_under_a_sub_path(site: Path, shared_cache: Path) -> None:
    from conftest import run

    block = SITE_BLOCK.replace("chart: yields", "chart: missiles-tested-a-year")
    block = block.replace("highlight: {field: date_utc, range: [2006-01-01, 2006-12-31]}", "highlight: {field: year, equal: 2016}")
    block = block.replace("    zoom: {x: [2013-01-01, 2018-01-01]}\n    annotate: {x: 2017-09-03, text: Sixth test}\n", "")
    with_block(site, block.replace("The sixth, in 2017,", "The sixth, in 2017 ([notes](/notes/coal/)),"))
    assert run(site, "build", "--base-url", "https://example.org/news/", cache=shared_cache) == 0
    html = (site / "public" / "index.html").read_text()
    assert 'The full chart: <a href="/news/notes/coal/#missiles-tested-a-year">Missiles tested a year</a>' in html
    assert html.count('<li class="scrolly-step"') == 2
    assert '<a href="/news/notes/coal/">notes</a>' in html, "links in step text follow the base path"
    assert re.search(r'<script src="/news/static/scrolly\.[0-9a-f]{10}\.js" defer>', html)


# --- line and area charts, and states that match nothing ---------------------------------


def line_spec(mark: str = "line") -> dict[str, Any]:
    """Three series of yearly values, one line (or area) each, as Altair compiles them."""
    rows = [
        {"year": f"{y}-01-01T00:00:00", "tonnes": v * k, "series": s}
        for s, k in (("A", 1), ("B", 2), ("C", 3))
        for y, v in zip(range(2010, 2016), range(1, 7), strict=True)
    ]
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "datasets": {"rows": rows},
        "data": {"name": "rows"},
        "mark": {"type": mark, "point": mark == "line"},
        "encoding": {
            "x": {"field": "year", "type": "temporal"},
            "y": {"field": "tonnes", "type": "quantitative"},
            "color": {"field": "series", "type": "nominal"},
        },
    }


def path_opacities(svg: str, role: str) -> list[float]:
    """The opacity of each line or area path drawn (1 when none is set)."""
    paths = re.findall(rf'<path [^>]*aria-roledescription="{role}"[^>]*>', svg)
    return [float(re.search(r' opacity="([\d.]+)"', p).group(1)) if ' opacity="' in p else 1.0 for p in paths]


@pytest.mark.parametrize("mark, role", [("line", "line mark"), ("area", "area mark")])
def test_a_highlighted_range_of_a_line_or_area_stands_out(mark: str, role: str) -> None:
    """A line is one mark: an opacity test on its rows fades or keeps the whole line, so a
    period of it could not stand out. The line is drawn faded, and again, bright, where
    the highlight holds."""
    period = Predicate("year", range=(dt.date(2012, 1, 1), dt.date(2014, 1, 1)), line=31)
    svg = draw(apply_state(line_spec(mark), state(highlight=period)))
    opacities = path_opacities(svg, role)
    assert sorted(set(opacities)) == [0.2, 1.0], opacities
    assert opacities.count(1.0) == 3 and opacities.count(0.2) == 3  # each series: faded whole, bright over 2012-2014


@pytest.mark.parametrize("mark, role", [("line", "line mark"), ("area", "area mark")])
def test_a_highlighted_series_of_a_line_or_area_stands_out(mark: str, role: str) -> None:
    svg = draw(apply_state(line_spec(mark), state(highlight=Predicate("", one_of=("B",), line=31))))
    assert sorted(path_opacities(svg, role)) == [0.2, 0.2, 1.0]  # B bright, A and C faded


def test_a_filter_on_a_line_chart_keeps_the_matching_stretch() -> None:
    spec = apply_state(line_spec(), state(filter=Predicate("series", one_of=("A",), line=31)))
    assert len(path_opacities(draw(spec), "line mark")) == 1


NO_MATCH = {
    "a series misspelt": (
        {"highlight": Predicate("", one_of=("Bee",), line=33)},
        "content/coal.md:33: 'highlight' matches no row of chart 'trade': no 'series' is 'Bee'",
        "known: A, B, C",
    ),
    "a filter value misspelt": (
        {"filter": Predicate("series", one_of=("a", "b"), line=34)},
        "content/coal.md:34: 'filter' matches no row of chart 'trade': no 'series' is 'a' or 'b'",
        "known: A, B, C",
    ),
    "a number where the data has text": (
        {"highlight": Predicate("series", one_of=(2,), line=33)},
        "content/coal.md:33: 'highlight' matches no row of chart 'trade': no 'series' is 2",
        "'series' holds text: write the value in quotes, such as 'A'",
    ),
    "a period with no rows": (
        {"highlight": Predicate("year", range=(dt.date(2019, 1, 1), dt.date(2020, 1, 1)), line=35)},
        "content/coal.md:35: 'highlight' matches no row of chart 'trade': no 'year' from 2019-01-01 to 2020-01-01",
        "'year' runs from 2010-01-01 to 2015-01-01",
    ),
    "a range of numbers with no rows": (
        {"filter": Predicate("tonnes", range=(100, 200), line=36)},
        "content/coal.md:36: 'filter' matches no row of chart 'trade': no 'tonnes' from 100 to 200",
        "'tonnes' runs from 1 to 18",
    ),
    "a zoom past the data": (
        {"zoom_x": (dt.date(2019, 1, 1), dt.date(2020, 1, 1)), "zoom_line": 37},
        "content/coal.md:37: 'zoom' shows no row of chart 'trade': no 'year' from 2019-01-01 to 2020-01-01",
        "'year' runs from 2010-01-01 to 2015-01-01",
    ),
    "a zoom on y past the data": (
        {"zoom_y": (50, 60), "zoom_line": 38},
        "content/coal.md:38: 'zoom' shows no row of chart 'trade': no 'tonnes' from 50 to 60",
        "'tonnes' runs from 1 to 18",
    ),
}


@pytest.mark.parametrize("name", list(NO_MATCH))
def test_a_state_that_matches_no_row_is_an_error_at_its_line(name: str) -> None:
    """A typo in a series name published a faded or empty chart under alt text saying the
    series stands out."""
    values, expected, hint = NO_MATCH[name]
    with pytest.raises(SiteError) as caught:
        apply_state(line_spec(), state(**values), chart_id="trade")
    assert str(caught.value).startswith(expected), str(caught.value)
    assert hint in str(caught.value), str(caught.value)


def test_a_state_that_matches_some_rows_is_fine() -> None:
    for values in (
        {"highlight": Predicate("", one_of=("B", "Bee"), line=33)},
        {"filter": Predicate("year", range=(dt.date(2009, 1, 1), dt.date(2010, 1, 1)), line=35)},
        {"zoom_x": (dt.date(2015, 1, 1), dt.date(2019, 1, 1))},
        {"highlight": Predicate("tonnes", one_of=(18,), line=33)},
    ):
        apply_state(line_spec(), state(**values), chart_id="trade")


def test_a_chart_function_runs_once_for_the_chart_and_all_its_steps(tmp_path: Path) -> None:
    """Each step transforms its chart's spec: compiling it again per step (the function, Altair's
    validation) cost more than drawing. Compiled once per process, layout and input."""
    from conftest import make_site

    from broadsheet.charts import compile_spec
    from broadsheet.config import load_config
    from broadsheet.site import load_site
    from broadsheet.state import BuildState

    root = make_site(tmp_path)
    calls = tmp_path / "calls.txt"
    module = root / "charts/yields.py"
    counting = f"    with open({str(calls)!r}, 'a') as log:\n        log.write('called\\n')\n    base = "
    module.write_text(module.read_text().replace("    base = ", counting, 1))
    steps = "  - text: One.\n    alt: All tests.\n  - text: Two.\n    alt: From 2016.\n    zoom: {x: [2016-01-01, 2018-01-01]}\n"
    page = f'---\ntitle: "Story"\ndescription: "Steps."\n---\n\n```scrolly\nchart: yields\nsteps:\n{steps}```\n'
    (root / "content/story.md").write_text(page)
    site = load_site(load_config(root), BuildState())
    blocks = [chart for chart in site.charts.values() if chart.id.startswith("yields")]
    assert len(blocks) == 3, "the chart and its two steps"
    specs = [compile_spec(block, site.package, root) for block in blocks]
    assert calls.read_text() == "called\n"
    assert specs[1] != specs[2] and all(spec["config"] == specs[0]["config"] for spec in specs)
    module.write_text(module.read_text().replace("Test date", "Date of the test"))  # another function: compiled anew
    edited = load_site(load_config(root), BuildState())
    compile_spec(edited.charts["yields"], edited.package, root)
    assert calls.read_text() == "called\ncalled\n"

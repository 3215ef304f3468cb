"""Declarative charts a journalist can write without Python: an explicit id, more
channels, constants, facets, sort and stack, titles from the schema, the row limit."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import make_site, run

PAGE = "---\ntitle: Charts\ndescription: Declarative charts.\n---\n\n"


def chart_page(site: Path, *blocks: str) -> Path:
    page = site / "content" / "graphics.md"
    page.write_text(PAGE + "\n\n".join(f"```chart\n{b.strip()}\n```" for b in blocks) + "\n")
    return page


def spec_of(site: Path, chart_id: str) -> dict:
    (path,) = (site / "public" / "charts").glob(f"{chart_id}.*.json")
    return json.loads(path.read_text())


def figure(site: Path, chart_id: str) -> str:
    html = (site / "public" / "graphics" / "index.html").read_text()
    start = html.index(f'<figure class="chart" id="{chart_id}"')
    return html[start : html.index("</figure>", start)]


BARS = """
data: missiles
mark: bar
x: year:O
y: missiles:Q
title: Missiles a year
description: Bar chart of missiles tested a year.
"""


def test_an_explicit_id_survives_a_copy_edit_of_the_title(tmp_path: Path, shared_cache: Path) -> None:
    site = make_site(tmp_path)
    chart_page(site, "id: missiles-by-year\n" + BARS)
    assert run(site, cache=shared_cache) == 0
    chart_page(site, "id: missiles-by-year\n" + BARS.replace("Missiles a year", "Missiles tested each year"))
    assert run(site, cache=shared_cache) == 0
    assert (site / "public/embed/missiles-by-year/index.html").is_file()
    assert "Missiles tested each year" in figure(site, "missiles-by-year")


def test_channels_constants_facets_sort_and_stack(tmp_path: Path, shared_cache: Path) -> None:
    site = make_site(tmp_path)
    chart_page(
        site,
        BARS + 'color: "#d62728"\nsort: -y\nopacity: 0.8\n',
        "data: missiles\nmark: text\nx: year:O\ny: missiles:Q\ntext: missiles:Q\ntitle: Labels\ndescription: Counts written out.",
        "data: missiles\nmark: point\nx: year:O\ny: failures:Q\nsize: missiles:Q\nshape: triangle-up\ncolumn: year:O\n"
        "title: Panels\ndescription: One panel a year.",
        "data: missiles\nmark: area\nx: year:O\ny: missiles:Q\nstack: normalize\ntitle: Shares\ndescription: A normalised area.",
    )
    assert run(site, cache=shared_cache) == 0
    bars = spec_of(site, "missiles-a-year")["encoding"]
    assert bars["color"] == {"value": "#d62728"} and bars["opacity"] == {"value": 0.8} and bars["x"]["sort"] == "-y"
    assert 'fill="#d62728"' in figure(site, "missiles-a-year")
    labels = figure(site, "labels")
    assert re.search(r'class="mark-text role-mark', labels) and ">24</text>" in labels, "the text mark writes its values"
    panels = spec_of(site, "panels")
    assert panels["encoding"]["column"]["field"] == "year" and panels["encoding"]["shape"] == {"value": "triangle-up"}
    assert spec_of(site, "shares")["encoding"]["y"]["stack"] == "normalize"


def test_axis_titles_come_from_the_schema(tmp_path: Path, shared_cache: Path) -> None:
    site = make_site(tmp_path)
    chart_page(site, BARS.replace("y: missiles:Q", "y: sum(missiles):Q"))
    assert run(site, cache=shared_cache) == 0
    encoding = spec_of(site, "missiles-a-year")["encoding"]
    assert encoding["y"]["title"] == "Sum of missiles (count)"
    assert "title" not in encoding["x"]  # (no title or unit in the schema: Vega-Lite's own)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("stack: sideways\n", ":13: stack must be one of"),
        ("size: [missiles]\n", ":13: 'size' must be a column"),
        ("color: missles\n", ":13: column 'missles' is not in dataset 'missiles'"),
        ("id: Missiles/Year\n", ":13: chart id 'Missiles/Year' must be lowercase"),
        ("color: {field: year, type: nominal, lgend: null}\n", ":13: 'color' has no option 'lgend'\n  hint: did you mean 'legend'?"),
        ("tooltip: [{field: year, tilte: Year}]\n", ":13: 'tooltip' has no option 'tilte'\n  hint: did you mean 'title'?"),
        ("color: {field: year, type: nominl}\n", ":13: 'color': type 'nominl' is not a Vega-Lite type"),
        ("width: -5\n", ":13: 'width' must be a whole number from 1 to 4,000, found -5"),
        ("height: 0\n", ":13: 'height' must be a whole number from 1 to 4,000, found 0"),
        ("width: 99999999\n", ":13: 'width' must be a whole number from 1 to 4,000"),
        ("max_rows: -1\n", ":13: 'max_rows' must be a whole number from 1 to 1,000,000, found -1"),
        ('color: "#ffff00"\n', ":13: 'color': #ffff00 has a contrast of 1.1:1 on white; marks need 3:1"),
        ('color: "#ff0"\n', ":13: 'color': #ff0 has a contrast of 1.1:1 on white"),
        ('color: {value: "#222222"}\n', ":13: 'color': #222222 has a contrast of 1.2:1 on the dark background"),
        ('color: {field: year, type: nominal, scale: {range: ["#0072B2", "#fafafa"]}}\n', ":13: 'color': #fafafa has a contrast"),
        ("color: {value: yellow}\n", ":13: 'color': 'yellow' is not a colour written #rrggbb"),
    ],
)
def test_bad_declarative_options_name_their_line(extra: str, message: str, tmp_path: Path, shared_cache: Path, capsys) -> None:
    site = make_site(tmp_path)
    chart_page(site, BARS + extra)
    assert run(site, cache=shared_cache) == 1
    err = capsys.readouterr().err
    assert "content/graphics.md" + message in err and "Traceback" not in err, err


def test_channel_options_are_vega_lites_own() -> None:
    """The options a channel mapping may take are checked from a list kept in the engine
    (the build imports no Altair to read a page): it must be what Vega-Lite allows."""
    import altair

    from broadsheet.declarative import CHANNEL_OPTIONS

    schema = json.loads((Path(altair.__file__).parent / "vegalite/v6/schema/vega-lite-schema.json").read_text())
    definitions = schema["definitions"]

    def options(node: dict, seen: set[str]) -> set[str]:
        found: set[str] = set()
        if "$ref" in node and node["$ref"] not in seen:
            seen.add(node["$ref"])
            target = definitions[node["$ref"].split("/")[-1]]
            found |= set(target.get("properties", {})) | options(target, seen)
        items = [node["items"]] if "items" in node else []
        for child in [*node.get("anyOf", []), *node.get("oneOf", []), *node.get("allOf", []), *items]:
            found |= options(child, seen)
        return found

    encoding = definitions["FacetedEncoding"]["properties"]
    assert {channel: options(encoding[channel], set()) for channel in CHANNEL_OPTIONS} == {k: set(v) for k, v in CHANNEL_OPTIONS.items()}


def test_a_text_mark_needs_its_text(tmp_path: Path, shared_cache: Path, capsys) -> None:
    site = make_site(tmp_path)
    chart_page(site, BARS.replace("mark: bar", "mark: text"))
    assert run(site, cache=shared_cache) == 1
    assert "content/graphics.md:6: a text mark needs a 'text' channel" in capsys.readouterr().err


def test_past_five_thousand_rows_a_clear_error_and_a_way_past_it(tmp_path: Path, shared_cache: Path, capsys) -> None:
    site = make_site(tmp_path)
    rows = "\n".join(f"{2000 + i % 20},{i}" for i in range(6000))
    (site / "data" / "many.csv").write_text("year,value\n" + rows + "\n")
    package = site / "data" / "datapackage.yaml"
    package.write_text(
        package.read_text()
        + "  - name: many\n    path: many.csv\n    title: Many rows\n    description: Six thousand rows.\n"
        + '    sources: [{title: Somebody, path: "https://example.org/"}]\n'
        + "    schema:\n      fields:\n        - {name: year, type: integer}\n        - {name: value, type: integer}\n"
    )
    points = "data: many\nmark: point\nx: year:O\ny: value:Q\ntitle: Many\ndescription: Six thousand points."
    chart_page(site, points)
    assert run(site, cache=shared_cache) == 1
    err = capsys.readouterr().err
    assert "content/graphics.md:6: chart 'many' would embed more than 5,000 rows" in err and "max_rows" in err, err
    chart_page(site, points + "\nmax_rows: 6000")
    assert run(site, cache=shared_cache) == 0


def test_a_python_chart_gets_axis_titles_from_the_data_package_unless_it_sets_its_own(built: Path) -> None:
    """charts/yields.py (tests/sites/basic) titles its x axis and one layer's y ("Test date",
    "Yield (kt)") and leaves its tooltips untitled: they get the schema's (a field with a
    unit, yield_kt_central: "Yield kt central"), and the shared y axis keeps the author's."""
    (spec_file,) = (built / "public" / "charts").glob("yields.*.json")
    spec = json.loads(spec_file.read_text())
    bars, points = spec["layer"]
    assert points["encoding"]["x"]["title"] == "Test date" and bars["encoding"]["y"]["title"] == "Yield (kt)"
    assert "title" not in points["encoding"]["y"]  # (an author's title on the shared axis wins: no "Yield (kt), Yield kt central")
    assert [t.get("title") for t in points["encoding"]["tooltip"]] == [None, "Yield kt central"]


def test_schema_titles_skip_fields_a_transform_makes() -> None:
    from broadsheet.data import Dataset, Field, Source
    from broadsheet.declarative import title_from_schema

    dataset = Dataset("d", "data/d.csv", "D", "", (Source("S"),), (), (Field("v", "number", title="Value", unit="t"),), (), b"")
    spec = {"mark": "bar", "encoding": {"x": {"field": "v", "type": "quantitative"}, "y": {"field": "v", "aggregate": "mean"}}}
    assert title_from_schema(spec, [dataset])["encoding"]["y"]["title"] == "Mean of value (t)"
    assert spec["encoding"]["x"]["title"] == "Value (t)"
    made = {"transform": [{"calculate": "datum.v * 2", "as": "v"}], "mark": "bar", "encoding": {"x": {"field": "v"}}}
    assert "title" not in title_from_schema(made, [dataset])["encoding"]["x"]

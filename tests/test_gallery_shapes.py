"""Shapes of the Altair gallery that once stopped a build, published a wrong table or lost a
part on a phone (tests/sites/gallery: selections that filter, a slider, a legend to click,
window ranks, a nested lookup after argmax, a repeat with a selection, a scatter matrix,
years written as text, maps from TopoJSON and GeoJSON files). Each builds; its table is the
data as the chart first appears; its phone layout keeps every part or scrolls.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import make_site, run

from broadsheet import drawings


@dataclass(frozen=True)
class Gallery:
    root: Path
    html: str
    warnings: str

    def figure(self, chart_id: str) -> str:
        start = self.html.index(f'<figure class="chart" id="{chart_id}"')
        return self.html[start : self.html.index("</figure>", start)]

    def tables(self, chart_id: str) -> list[tuple[str, list[list[str]]]]:
        """(caption, rows with the headings first) of each table of the chart."""
        found = []
        for table in re.findall(r"<table>.*?</table>", self.figure(chart_id), re.S):
            caption = re.search(r"<caption>(.*?)</caption>", table, re.S)
            rows = [re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row) for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)]
            found.append((caption.group(1) if caption else "", rows))
        return found

    def spec(self, chart_id: str, narrow: bool = False) -> dict[str, object]:
        attribute = "data-spec-narrow" if narrow else "data-spec"
        url = re.search(rf'{attribute}="([^"]+)"', self.figure(chart_id))
        assert url, chart_id
        return json.loads((self.root / "public" / url.group(1).lstrip("/")).read_text())  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def gallery(tmp_path_factory: pytest.TempPathFactory, shared_cache: Path) -> Gallery:
    import contextlib
    import io

    root = make_site(tmp_path_factory.mktemp("gallery"), "gallery")
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        assert run(root, cache=shared_cache) == 0, err.getvalue()
    return Gallery(root, (root / "public/index.html").read_text(), err.getvalue())


def test_every_shape_builds_with_a_drawing_for_each_layout(gallery: Gallery) -> None:
    ids = re.findall(r'<figure class="chart" id="([^"]+)"', gallery.html)
    assert len(ids) == 15
    for chart_id in ids:
        assert "<svg" in gallery.figure(chart_id), chart_id


def test_a_table_filtered_by_a_selection_is_what_the_chart_first_shows(gallery: Gallery) -> None:
    """Nothing selected: every row (and the table says selecting changes them)."""
    (_, points), (caption, bars) = gallery.tables("brush-filter")
    assert len(points) == 9 and "as the chart first appears" in caption
    assert bars == [["Region", "Sum of amount (EUR)"], ["North", "167.75"], ["South", "201.5"]]


def test_a_selection_with_an_initial_value_filters_the_table_by_it(gallery: Gallery) -> None:
    """units from 2 to 6: North's 3 and 5, South's 2 and 6 (4 of 8 rows)."""
    bars = gallery.tables("initial-brush")[1][1]
    assert bars == [["Region", "Count of records"], ["North", "2"], ["South", "2"]]


def test_a_filter_by_a_bound_value_uses_its_initial_value(gallery: Gallery) -> None:
    (caption, rows) = gallery.tables("slider-cutoff")[0]
    assert sorted(row[1] for row in rows[1:]) == ["12.5", "30", "41", "8"]  # amounts under the slider's 50
    assert "as the chart first appears" in caption


def test_window_ops_without_a_field_and_a_nested_lookup_build(gallery: Gallery) -> None:
    assert sorted(row[0] for row in gallery.tables("ranked")[0][1][1:]) == ["1", "2", "3"]
    assert gallery.tables("latest"), "the line's table at least"


def test_years_written_as_text_are_dates_read_as_years(gallery: Gallery) -> None:
    """(Each a 1 January: the column reads as years, as a reader reads them.)"""
    assert gallery.tables("years-as-text")[0][1][1:] == [["1875", "1309"], ["1890", "1558"], ["1910", "4512"]]


def test_years_written_as_numbers_on_a_time_axis_are_shown_as_written(gallery: Gallery) -> None:
    """(Vega reads them as milliseconds after 1970; the table shows what the data says.)"""
    assert gallery.tables("years-as-numbers")[0][1][1:] == [["1565", "41"], ["1570", "45"], ["1575", "42"]]


def test_maps_are_drawn_from_the_sites_own_files(gallery: Gallery) -> None:
    for chart_id in ("squares-map", "towns-map"):
        assert len(re.findall(r'<path aria-roledescription="geoshape"|class="mark-shape role-mark', gallery.figure(chart_id))) >= 1
        assert '"url"' not in json.dumps(gallery.spec(chart_id)), "no data is loaded from an address"
    assert gallery.figure("towns-map").count("<circle") + gallery.figure("towns-map").count("mark-symbol") >= 1
    assert "Download the data (TopoJSON: Two squares (a test map))" in gallery.figure("towns-map")
    assert "Download the data (GeoJSON: Two towns (a test map))" in gallery.figure("towns-map")
    published = gallery.root / "public/data/squares.json"
    assert published.read_bytes() == (gallery.root / "data/squares.json").read_bytes()


def test_interactive_charts_say_what_a_reader_can_do(gallery: Gallery) -> None:
    hints = {
        chart_id: re.search(r'<p class="chart-hint">(.*?)</p>', gallery.figure(chart_id))
        for chart_id in ("brush-filter", "slider-cutoff", "legend-pick", "matrix", "ranked")
    }
    assert "drag across it to select a range, which filters the other views" in hints["brush-filter"].group(1)  # type: ignore[union-attr]
    assert "use the slider below it" in hints["slider-cutoff"].group(1)  # type: ignore[union-attr]
    assert "click a legend entry" in hints["legend-pick"].group(1)  # type: ignore[union-attr]
    assert "drag to pan and scroll to zoom" in hints["matrix"].group(1)  # type: ignore[union-attr]
    assert hints["ranked"] is None


def test_a_repeat_with_a_selection_is_stacked_and_keeps_its_selection(gallery: Gallery) -> None:
    narrow = gallery.spec("repeat-brush", narrow=True)
    assert narrow["repeat"] == {"row": ["amount", "units"]}
    views = [v for p in narrow["params"] for v in p["views"]]  # type: ignore[union-attr,index]
    assert views and all(v.startswith("child__row_") for v in views), views


def test_no_phone_layout_loses_a_part_of_its_chart(gallery: Gallery) -> None:
    """Each narrow drawing holds every axis title, labelled axis, legend and group of marks
    of the wide one, or the chart keeps its wide drawing, scrolled, and the build says so."""
    for chart_id in re.findall(r'<figure class="chart" id="([^"]+)"', gallery.html):
        figure = gallery.figure(chart_id)
        if 'class="chart-scroll"' in figure:
            assert f"chart '{chart_id}': a phone layout would lose" in gallery.warnings, chart_id
            continue
        wide = re.search(r'<div class="chart-wide">\s*(<svg.*?</svg>)', figure, re.S)
        narrow = re.search(r'<div class="chart-narrow">\s*(<svg.*?</svg>)', figure, re.S)
        assert wide and narrow, chart_id
        assert drawings.lost(wide.group(1), narrow.group(1)) == [], chart_id


def test_the_loss_check_names_what_a_layout_dropped() -> None:
    label = '<g class="mark-text role-axis-label"><text>1</text></g>'
    axis = '<g class="mark-group role-axis">' + label + '<g class="mark-text role-axis-title" pointer-events="none"><text>{}</text></g></g>'
    marks = '<g class="mark-symbol role-mark marks"></g>'
    wide = axis.format("Horsepower") + axis.format("Acceleration") + marks * 2 + '<g class="mark-group role-legend"></g>'
    assert drawings.lost(wide, axis.format("Horsepower") + marks * 2 + '<g class="mark-group role-legend"></g>') == [
        "the axis titled 'Acceleration'"
    ]
    assert drawings.lost(wide, axis.format("Horsepower") + axis.format("Accele…") + marks) == [
        "1 of its 1 legends",
        "1 of its 2 groups of marks",
    ]


def test_a_faceted_chart_lists_every_panels_rows(gallery: Gallery) -> None:
    (_, rows) = gallery.tables("faceted")[0]
    assert rows[0] == ["Region", "Month", "Amount (EUR)"] and len(rows) == 9


def test_a_boxplot_lists_what_it_computes(gallery: Gallery) -> None:
    (_, rows) = gallery.tables("spread")[0]
    assert rows[0][:2] == ["Region", "Lower quartile of Amount (EUR)"] and "Median of Amount (EUR)" in rows[0]
    assert rows[1][0] == "North" and rows[1][rows[0].index("Upper whisker of Amount (EUR)")] == "70"


def test_a_normalised_stack_is_headed_as_shares(gallery: Gallery) -> None:
    (_, rows) = gallery.tables("shares")[0]
    assert rows[0][0] == "Sum of amount (EUR), share of its stack"
    north = {row[2]: float(row[0]) for row in rows[1:] if row[1] == "North"}
    assert north == {"Tools": pytest.approx(42.5 / 167.75, abs=0.001), "Garden": pytest.approx(125.25 / 167.75, abs=0.001)}


def test_a_chart_without_a_table_says_why_and_the_build_says_so_at_its_line(gallery: Gallery) -> None:
    """A repeat and a map are neither a density nor a regression, and their data is not a CSV."""
    matrix, squares = gallery.figure("matrix"), gallery.figure("squares-map")
    assert "draws one view for each of several columns (units, amount)" in matrix and "in the CSV file below" in matrix
    assert "A map&#39;s shapes cannot be listed as a table." in squares and "in the TopoJSON file below" in squares
    assert "density" not in matrix + squares and "Download the data (TopoJSON)" in squares
    assert re.search(
        r"charts/shapes\.py:\d+: warning: chart 'matrix' has no \"Show the data\" table: the views of a repeat", gallery.warnings
    )
    assert "chart 'squares-map' has no \"Show the data\" table: a map's shapes" in gallery.warnings

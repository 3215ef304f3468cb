"""Reader tables and source lines: what "Show the data" lists when a chart declares its
table, and how a chart's sources read under it.

Unit tests of the listing (rows from views, dates, numbers, pivots) and of the source
lines, then the real command line on a copy of the basic test site: a Python chart and a
declarative chart that declare their tables, a chart with context datasets, and the
declaration errors, each at its line.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import make_site, run, snapshot
from test_errors import edit

from broadsheet.data import Dataset, Source
from broadsheet.errors import SiteError
from broadsheet.readertables import Kinds, ReaderTable, date_format, list_table, read_tables
from broadsheet.sourcelines import VISIBLE, read_context, source_lines
from broadsheet.tablecolumns import is_colour, is_layout, kept_columns, kept_tables, says_unit

# ---------------------------------------------------------------- listing


def fail(message: str) -> SiteError:
    return SiteError("charts/x.py", 3, message)


BARS = [
    {"month_start": "2016-02-01T00:00:00", "series": "GACC", "coal_tonnes": 1520000.0, "bar_start": 1454371200000, "label_y": 2.1},
    {"month_start": "2016-03-01T00:00:00", "series": "GACC", "coal_tonnes": 6342.0, "bar_start": 1456876800000, "label_y": 2.3},
]
LABELS = [{"month_start": "2016-03-01T00:00:00", "series": "GACC", "coal_tonnes": 6342.0, "text": "6,342 t"}]  # a label layer: same rows
UN = [{"month_start": "2016-12-01T00:00:00", "series": "UN", "coal_tonnes": None, "bar_start": 1480550400000}]


def test_a_reader_table_lists_its_columns_once_per_row_from_every_view_that_holds_them() -> None:
    table = read_tables({"columns": {"month_start": "Month", "series": "Reported by", "coal_tonnes": "Coal (tonnes)"}}, fail)[0]
    listed = list_table(table, [("bars", BARS), ("labels", LABELS), ("un", UN), ("rule", [{"rule_end": 3}])], Kinds(), "Coal")
    assert listed.headings == ("Month", "Reported by", "Coal (tonnes)")
    assert listed.rows == (("Feb\u00a02016", "GACC", "1,520,000"), ("Mar\u00a02016", "GACC", "6,342"), ("Dec\u00a02016", "UN", ""))
    assert listed.numeric == (False, False, True)
    assert listed.caption == "Coal"


def test_a_row_that_only_repeats_part_of_another_is_left_out() -> None:
    line = [{"year": 2013, "by": None, "total": None}, {"year": 2015, "by": "GACC", "total": 5.51}]  # (a line's gap)
    dots = [{"year": 2013, "by": "KOTRA", "total": 6.54}, {"year": 2015, "by": "GACC", "total": 5.51}]
    table = ReaderTable((("year", "Year"), ("by", "By"), ("total", "Total")), sort=("year",))
    assert list_table(table, [("line", line), ("dots", dots)], Kinds(), "c").rows == (("2013", "KOTRA", "6.54"), ("2015", "GACC", "5.51"))


def test_days_written_in_text_read_as_days() -> None:
    rows = [{"when": "2017-07-04; 2017-07-28"}, {"when": "2006-07-05"}, {"when": "no single trigger date"}]
    assert list_table(ReaderTable((("when", "When"),)), [("v", rows)], Kinds(), "c").rows == (
        ("4\u00a0Jul\u00a02017; 28\u00a0Jul\u00a02017",),
        ("5\u00a0Jul\u00a02006",),
        ("no single trigger date",),
    )


def test_a_named_view_its_sort_and_a_descending_sort() -> None:
    table = read_tables({"columns": {"month_start": "Month", "coal_tonnes": "Tonnes"}, "view": "bars", "sort": "-coal_tonnes"}, fail)[0]
    listed = list_table(table, [("bars", BARS), ("un", UN)], Kinds(), "Coal")
    assert listed.rows == (("Feb\u00a02016", "1,520,000"), ("Mar\u00a02016", "6,342"))


def test_dates_read_as_a_reader_reads_them() -> None:
    from datetime import UTC, datetime

    def days(*values: tuple[int, int, int]) -> list[datetime]:
        return [datetime(*v, tzinfo=UTC) for v in values]

    assert date_format(days((2016, 2, 1), (2017, 1, 1))) == "%b %Y"
    assert date_format(days((2016, 1, 1), (2017, 1, 1))) == "%Y"
    assert date_format(days((2017, 1, 1))) == "%b %Y"  # one value: a month, not a year
    assert date_format(days((2006, 7, 5), (2016, 2, 1))) == "%-d %b %Y"
    table = ReaderTable((("when", "Date"),))
    listed = list_table(table, [("v", [{"when": 1152057600000}, {"when": "2016-01-06T00:00:00"}])], Kinds(times=frozenset({"when"})), "c")
    assert listed.rows == (("5\u00a0Jul\u00a02006",), ("6\u00a0Jan\u00a02016",))  # (milliseconds on a time field, and ISO text)


def test_a_year_on_a_time_axis_and_numbers_grouped_by_column() -> None:
    table = ReaderTable((("year", "Year"), ("value", "US$ billion"), ("share", "Share (%)")))
    rows = [{"year": 2015, "value": 5.51, "share": 0.318}, {"year": 2016, "value": None, "share": 96.7}]
    listed = list_table(table, [("v", rows)], Kinds(times=frozenset({"year"})), "c")
    assert listed.rows == (("2015", "5.51", "0.318"), ("2016", "", "96.7"))
    assert listed.numeric == (False, True, True)
    big = [{"year": 2015, "value": 15000, "share": 1}, {"year": 2016, "value": 12, "share": 2}]
    listed = list_table(table, [("v", big)], Kinds(categories=frozenset({"year"})), "c")
    assert listed.rows == (("2015", "15,000", "1"), ("2016", "12", "2"))  # (a category is not grouped nor right-aligned)
    assert listed.numeric == (False, True, True)


def test_a_pivot_makes_a_matrix_of_one_value_per_cell() -> None:
    votes = [
        {"vote": v, "date": d, "member": m, "position": p}
        for v, d in (("1718 2006", "2006-10-14T00:00:00"), ("Draft 2022", "2022-05-26T00:00:00"))
        for m, p in (("China", "In favour" if v.startswith("1718") else "Against"), ("France", "In favour"))
    ]
    table = read_tables(
        {"columns": {"vote": "Vote", "date": "Date"}, "pivot": {"columns": "member", "values": "position"}, "sort": ["date"]}, fail
    )[0]
    listed = list_table(table, [("cells", votes), ("words", votes)], Kinds(), "Votes")
    assert listed.headings == ("Vote", "Date", "China", "France")
    assert listed.rows == (
        ("1718 2006", "14\u00a0Oct\u00a02006", "In favour", "In favour"),
        ("Draft 2022", "26\u00a0May\u00a02022", "Against", "In favour"),
    )


def test_a_key_gathers_a_row_from_the_layers_that_draw_its_parts() -> None:
    ranges = [{"test": "Test 6", "by": "NORSAR", "low": 100.0, "high": None}, {"test": "Test 5", "by": "Yao", "low": 12.1, "high": 23.9}]
    points = [{"test": "Test 5", "by": "Yao", "central": 18.0}, {"test": "Test 4", "by": "Yao", "central": 11.4}]
    labels = [{"test": "Test 5", "by": "Yao", "label_x": 23.9}]  # (holds no column but the key's: not read)
    table = read_tables(
        {"columns": {"test": "Test", "by": "By", "central": "Central", "low": "Low", "high": "High"}, "key": ["test", "by"]}, fail
    )[0]
    listed = list_table(table, [("ranges", ranges), ("points", points), ("labels", labels)], Kinds(), "Yields")
    assert listed.rows == (("Test 6", "NORSAR", "", "100", ""), ("Test 5", "Yao", "18", "12.1", "23.9"), ("Test 4", "Yao", "11.4", "", ""))
    hidden = ReaderTable((("central", "Central"), ("low", "Low")), key=("test", "by"))  # (a key that names rows, not shown)
    assert list_table(hidden, [("ranges", ranges), ("points", points)], Kinds(), "c").rows == (("", "100"), ("18", "12.1"), ("11.4", ""))
    with pytest.raises(ValueError, match=r"holds its reader table's key \(test, by\) holds kind"):
        list_table(ReaderTable((("test", "T"), ("by", "B"), ("kind", "K")), key=("test", "by")), [("points", points)], Kinds(), "c")


def test_a_column_no_view_holds_is_named() -> None:
    table = ReaderTable((("month_start", "Month"), ("coal_tonnes", "Tonnes"), ("source", "Source")))
    with pytest.raises(
        ValueError, match=r"no view of the chart plots all of its reader table's columns \(month_start, coal_tonnes, source\)"
    ):
        list_table(table, [("bars", BARS)], Kinds(), "c")
    with pytest.raises(ValueError, match="lists the view 'dots', which the chart does not draw"):
        list_table(ReaderTable((("series", "S"),), view="dots"), [("bars", BARS)], Kinds(), "c")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"cols": {}}, "unknown key 'cols' in 'table'"),
        ({"columns": []}, "'table' needs 'columns'"),
        ({"columns": {"a": ""}}, "maps a field name to a heading"),
        ({"columns": {"a": "A"}, "sort": "b"}, "sorts by 'b', which is not one of its columns"),
        ({"columns": {"a": "A"}, "pivot": {"columns": "b"}}, "'pivot' is"),
        ("a", "'table' must be a mapping"),
        ([], "'table' is an empty list"),
        ({"columns": {"a": "A", "b": "B"}, "key": [1]}, "the table's 'key' is a field"),
        ({"columns": {"a": "A", "b": "B"}, "key": "a", "pivot": {"columns": "c", "values": "d"}}, "a 'key' or a 'pivot', not both"),
    ],
)
def test_a_bad_declaration_says_what_to_write(value: object, message: str) -> None:
    with pytest.raises(SiteError, match=re.escape(message)):
        read_tables(value, fail)


# ---------------------------------------------------------------- source lines


def dataset(name: str, *titles: str) -> Dataset:
    sources = tuple(Source(t, f"https://example.org/{t.replace(' ', '-')}") for t in titles)
    return Dataset(name, f"data/{name}.csv", name, "", sources, (), (), (), b"")


def test_plotted_sources_first_context_apart_never_twice() -> None:
    lines = source_lines(
        [dataset("coal", "Reuters", "KITA"), dataset("timeline", "Reuters", "UN press", "CNS")], [("timeline", "Dates of events")]
    )
    assert [(line.label, [s.title for s in line.shown], [s.title for s in line.more]) for line in lines] == [
        ("Sources", ["Reuters", "KITA"], []),
        ("Dates of events from", ["UN press", "CNS"], []),
    ]
    assert lines[1].context and not lines[0].context


def test_at_most_eight_links_in_view_the_rest_one_click_away() -> None:
    many = [f"Outlet {n}" for n in range(12)]
    lines = source_lines([dataset("trade", *many), dataset("timeline", "UN press", "CNS")], [("timeline", "Dates of events")])
    assert len(lines[0].shown) == VISIBLE == 8 and [s.title for s in lines[0].more] == many[8:]
    assert lines[1].shown == () and [s.title for s in lines[1].more] == ["UN press", "CNS"]  # (no room: one click away, whole)
    assert sum(len(line.shown) for line in lines) <= VISIBLE
    assert source_lines([dataset("trade", *many[:9])])[0].more == ()  # (one more is shown: no click for one link)


def test_context_names_datasets_of_the_chart_and_leaves_one_plotted() -> None:
    assert read_context(["timeline"], ["coal", "timeline"], fail) == (("timeline", "Dates of events"),)
    assert read_context({"caps": "The caps"}, ["coal", "caps"], fail) == (("caps", "The caps"),)
    with pytest.raises(SiteError, match="context dataset 'timelin' is not in the chart's data"):
        read_context(["timelin"], ["coal", "timeline"], fail)
    with pytest.raises(SiteError, match="every dataset of the chart is context"):
        read_context(["coal"], ["coal"], fail)


# ---------------------------------------------------------------- built


DECLARED = """@chart(
    "yields",
    data=["tests", "missiles"],
    context={"missiles": "Missile counts"},
    table={"columns": {"date_utc": "Test date", "yield_kt_central": "Yield (kt)"}, "sort": "-yield_kt_central"},
)"""


def figure(public: Path, chart_id: str) -> str:
    page = (public / "index.html").read_text()
    start = page.index(f'<figure class="chart" id="{chart_id}"')
    return page[start : page.index("</figure>", start)]


def test_a_python_chart_declares_its_reader_table_and_context(tmp_path: Path, shared_cache: Path) -> None:
    site = make_site(tmp_path)
    edit(site / "charts/yields.py", '@chart("yields", data=["tests"])\ndef yields(tests):', DECLARED + "\ndef yields(tests, missiles):")
    assert run(site, cache=shared_cache) == 0
    shown = figure(site / "public", "yields")
    assert shown.count("<table") == 1 and "(part " not in shown
    assert re.search(r"<th scope=\"col\">Test date</th><th scope=\"col\">Yield \(kt\)</th></tr>", shown)
    assert re.search(r"<tbody>\s*<tr><td>3\u00a0Sep\u00a02017</td><td class=\"num\">109.4</td></tr>", shown), shown  # (largest first)
    assert 'class="chart-source">Source:\n<a href="https://doi.org/10.1785/0220180134"' in shown
    assert 'class="chart-source chart-source-context">Missile counts from:\n<a href="http://www.nti.org/' in shown


def test_a_declarative_chart_declares_its_reader_table_in_its_block(tmp_path: Path, shared_cache: Path) -> None:
    site = make_site(tmp_path)
    page = site / "content/notes/coal.md"
    block = "```chart\ndata: missiles\nmark: bar\nx: year:O\ny: missiles:Q\ntitle: Missiles\ndescription: Bars.\n"
    block += "table:\n  columns: {year: Year, missiles: Missiles tested}\n```\n"
    page.write_text(page.read_text() + "\n" + block)
    assert run(site, cache=shared_cache) == 0
    html = (site / "public/notes/coal/index.html").read_text()
    shown = html[html.index('<figure class="chart" id="missiles"') :]
    assert '<th scope="col">Year</th><th scope="col">Missiles tested</th></tr></thead>' in shown
    assert re.search(r'<tbody>\s*<tr><td>2012</td><td class="num">2</td></tr>', shown)  # (a year on an ordinal axis: not a quantity)


@pytest.mark.parametrize(
    ("declaration", "where", "message"),
    [
        ('table={"columns": {"date_utc": "Date", "yield_kt": "Yield"}}', 6, "no view of the chart plots all of its reader table's columns"),
        ("table=COLUMNS", 6, "'table' must be a literal"),
        ('table={"columns": {"date_utc": "Date"}, "sort": "x"}', 6, "the table sorts by 'x'"),
        ('context=["missiles"]', 6, "context dataset 'missiles' is not in the chart's data"),
    ],
)
def test_a_declaration_that_cannot_be_listed_stops_the_build_at_its_line(
    tmp_path: Path, shared_cache: Path, capsys: pytest.CaptureFixture[str], declaration: str, where: int, message: str
) -> None:
    site = make_site(tmp_path)
    assert run(site, cache=shared_cache) == 0
    before = snapshot(site / "public")
    edit(site / "charts/yields.py", '@chart("yields", data=["tests"])', f'@chart("yields", data=["tests"], {declaration})')
    assert run(site, cache=shared_cache) == 1
    err = capsys.readouterr().err
    assert f"charts/yields.py:{where}: chart 'yields': " in err and message in err, err
    assert "Traceback" not in err
    assert snapshot(site / "public") == before


# ---------------------------------------------------------------- without a declaration


def test_default_tables_leave_out_colours_places_ends_repeats_and_contained_tables() -> None:
    assert is_layout("y", "text", "label_y", frozenset({"label_y"}), quantity=True)  # a label's place, made by the chart
    assert is_layout("x2", "rule", "rule_end", frozenset({"rule_end"}), quantity=True)  # a rule's end
    assert not is_layout("y", "text", "coal_tonnes", frozenset({"label_y"}), quantity=True)  # a dataset's column
    assert not is_layout("y", "rect", "member", frozenset({"member"}), quantity=False)  # a cell's row: a category
    assert is_colour(["#555555", "#0072B2", None]) and not is_colour(["#1 pick", "blue team"])
    assert kept_columns(["Reported by", "Month", "Reported by", "Again"], [["a"], ["b"], ["c"], ["b"]]) == [0, 1]
    bars = (["Year", "Count"], [["2016", "24"], ["2017", "21"]])
    labels = (["Count"], [["24"]])
    assert kept_tables([bars, labels, bars]) == [0]
    assert says_unit("US$ billion", "USD billion") and says_unit("Change on year (%)", "percent") and not says_unit("Coal", "tonnes")


LAYERED = """@chart("yields", data=["tests"])
def yields(tests):
    frame = tests.assign(label_y=tests["yield_kt_central"] * 1.2, colour="#555555")
    frame["label"] = [["Test", str(n)] for n in frame["test_number"]]
    base = alt.Chart(frame).encode(x=alt.X("date_utc:T", title="Test date"))
    points = base.mark_point(filled=True).encode(y=alt.Y("yield_kt_central:Q", title="Yield (kt)"), color=alt.Color("colour:N", scale=None))
    labels = base.mark_text().encode(y="label_y:Q", text="label")
    values = base.mark_text().encode(y="yield_kt_central:Q", text="yield_kt_central:Q")
    return alt.layer(points, labels, values)
"""


def test_a_chart_without_a_reader_table_lists_what_it_plots_without_its_layout(tmp_path: Path, shared_cache: Path) -> None:
    site = make_site(tmp_path)
    module = site / "charts/yields.py"
    module.write_text(module.read_text().split("@chart")[0] + LAYERED)
    assert run(site, cache=shared_cache) == 0
    shown = figure(site / "public", "yields")
    assert shown.count("<table") == 2  # (the value labels repeat the points: no table of their own)
    heads = re.findall(r"<thead><tr>(.*?)</tr></thead>", shown)
    assert heads == [
        '<th scope="col">Test date</th><th scope="col">Yield (kt)</th>',
        '<th scope="col">Test date</th><th scope="col">Label</th>',
    ]
    assert "<td>3\u00a0Sep\u00a02017</td><td>Test 6</td>" in shown  # (a label on two lines, read as one; a day as a reader reads it)
    assert "#555555" not in shown.split("<details")[1]

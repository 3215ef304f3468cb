"""Charts an editor can trust: the data table is what the chart plots, misspelt and dotted
fields, chart code that exits, hangs or crashes the renderer, chart ids, time zones."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from html import unescape
from pathlib import Path

import pytest
from conftest import REPO, make_site, run, snapshot

from broadsheet import workers

EXTRA_CHARTS = """\
import altair as alt

from broadsheet import chart


@chart("mean-by-decade", data=["missiles"])
def mean_by_decade(missiles):
    return (
        alt.Chart(missiles)
        .transform_calculate(period="datum.year < 2015 ? 'Before 2015' : '2015 on'")
        .mark_bar()
        .encode(x=alt.X("period:N", title="Period"), y="mean(missiles):Q")
    )


@chart("failure-share", data=["missiles"])
def failure_share(missiles):
    return (
        alt.Chart(missiles)
        .transform_calculate(share="datum.failures / datum.missiles * 100")
        .mark_line()
        .encode(x="year:O", y=alt.Y("share:Q", title="Failed (%)"))
    )


@chart("by-year-and-month", data=["tests"])
def by_year_and_month(tests):
    return alt.Chart(tests).mark_point().encode(x="year(date_utc):O", y="sum(yield_kt_central):Q", column="month(date_utc):O")
"""

EXTRA_PAGE = """\
---
title: Extra
description: Python charts with transforms.
---

```chart
id: mean-by-decade
title: Mean by decade
description: Bar chart of the mean count of missiles a decade.
```

```chart
id: failure-share
title: Failure share
description: Line chart of the share of failed missiles.
```

```chart
id: by-year-and-month
title: By year and month
description: Faceted point chart.
```
"""


def extra_site(tmp_path: Path, charts: str = EXTRA_CHARTS, page: str = EXTRA_PAGE) -> Path:
    site = make_site(tmp_path)
    (site / "charts/extra.py").write_text(charts)
    (site / "content/extra.md").write_text(page)
    return site


def tables(html: str, figure_id: str) -> list[list[list[str]]]:
    """The data tables of one figure: rows of cells, the heading row first."""
    figure = html[html.index(f'<figure class="chart" id="{figure_id}"') :]
    figure = figure[: figure.index("</figure>")]
    found = []
    for table in re.findall(r"<table>(.*?)</table>", figure, re.S):
        rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)
        found.append([[unescape(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)] for row in rows])
    return found


def fails(site: Path, cache: Path, capfd, *args: str) -> str:
    before = snapshot(site / "public") if (site / "public").exists() else None
    capfd.readouterr()  # (what earlier builds printed)
    assert run(site, *args, cache=cache) == 1
    err = capfd.readouterr().err  # (capfd: what worker processes print too)
    assert "Traceback" not in err and "Fatal" not in err and len(err.splitlines()) <= 3, err
    if before is not None:
        assert snapshot(site / "public") == before
    return err


def test_table_shows_aggregated_and_computed_values(tmp_path: Path, shared_cache: Path) -> None:
    site = extra_site(tmp_path)
    assert run(site, cache=shared_cache) == 0
    html = (site / "public/extra/index.html").read_text()
    # missiles.csv: 2012-2017 -> two periods of three years; their means, not the six raw rows
    [periods] = tables(html, "mean-by-decade")
    # (the axis title from the schema, as a declarative chart of the same field would have it)
    assert periods == [["Period", "Mean of missiles (count)"], ["Before 2015", "9"], ["2015 on", "20"]]
    [share] = tables(html, "failure-share")
    assert share[0] == ["Year", "Failed (%)"]
    assert all(re.fullmatch(r"[\d.]*", row[1]) for row in share[1:]) and any(row[1] for row in share[1:])
    [faceted] = tables(html, "by-year-and-month")
    assert faceted[0] == ["Date utc (month)", "Date utc (year)", "Sum of yield kt central"]
    assert ["September", "2017", "109.4"] in faceted[1:] and len(faceted) == 7
    assert "Download the data (CSV)" in html


def test_layered_chart_has_a_table_per_layer_with_units(tmp_path: Path, shared_cache: Path) -> None:
    site = make_site(tmp_path)
    assert run(site, cache=shared_cache) == 0
    html = (site / "public/index.html").read_text()
    rules, points = tables(html, "yields")
    assert rules[0] == ["Test date", "Yield (kt)", "Yield kt high"]
    assert points[0] == ["Test date", "Yield kt central"]
    # (days as readers read them, kept on one line)
    assert rules[1][0] == "25\u00a0May\u00a02009" and points[1] == ["9\u00a0Oct\u00a02006", "0.48"] and points[-1][1] == "109.4"


def test_misspelt_field_in_a_python_chart_names_the_line_that_writes_it(tmp_path: Path, shared_cache: Path, capfd) -> None:
    site = extra_site(tmp_path, EXTRA_CHARTS.replace('y="mean(missiles):Q"', 'y="mean(missles):Q"'))
    err = fails(site, shared_cache, capfd)
    assert "charts/extra.py:12: chart 'mean-by-decade': field 'missles' is not in dataset 'missiles'" in err, err
    assert "did you mean 'missiles'" in err


def test_misspelt_field_in_a_layer(tmp_path: Path, shared_cache: Path, capfd) -> None:
    site = make_site(tmp_path)
    edit = site / "charts/yields.py"
    edit.write_text(edit.read_text().replace('y="yield_kt_central:Q"', 'y="yield_kt_centrl:Q"'))
    err = fails(site, shared_cache, capfd)
    assert "charts/yields.py:11: chart 'yields': field 'yield_kt_centrl' is not in dataset 'tests'" in err, err


def test_dotted_column_names_are_drawn(tmp_path: Path, shared_cache: Path) -> None:
    site = make_site(tmp_path)
    (site / "data/rates.csv").write_text("year,rate.pct\n2020,1.5\n2021,2.5\n")
    package = site / "data/datapackage.yaml"
    package.write_text(
        package.read_text()
        + "  - name: rates\n    path: rates.csv\n    title: Rates\n    description: Rates.\n"
        + '    sources: [{title: Somebody, path: "https://example.org/"}]\n'
        + '    schema:\n      fields:\n        - {name: year, type: integer}\n        - {name: rate.pct, type: number, unit: "%"}\n'
    )
    (site / "charts/rates.py").write_text(
        'import altair as alt\n\nfrom broadsheet import chart\n\n\n@chart("rates-py", data=["rates"])\n'
        'def rates(rates):\n    return alt.Chart(rates).mark_bar().encode(x="year:O", y="rate.pct:Q")\n'
    )
    (site / "content/rates.md").write_text(
        "---\ntitle: Rates\ndescription: Rates.\n---\n\n```chart\ndata: rates\nmark: bar\nx: year:O\ny: rate.pct:Q\n"
        "title: Declared rates\ndescription: Bar chart.\n```\n\n```chart\nid: rates-py\ntitle: Rates\ndescription: Bar chart.\n```\n"
    )
    assert run(site, cache=shared_cache) == 0
    html = (site / "public/rates/index.html").read_text()
    for figure_id in ("declared-rates", "rates-py"):
        [table] = tables(html, figure_id)
        assert [[c.lower() for c in row] for row in table] == [["year", "rate.pct (%)"], ["2020", "1.5"], ["2021", "2.5"]], table
        figure = html[html.index(f'id="{figure_id}"') :]
        marks = re.search(r'class="mark-rect role-mark[^"]*"[^>]*>(.*?)</g>', figure, re.S)
        assert marks and marks.group(1).count("<path") == 2, "both bars are drawn"
        svg = figure[: figure.index("</svg>")]
        assert re.search(r">(?i:rate\.pct)[^<]*</text>", svg) and "\\" not in svg, "the axis is titled with the name as written"


@pytest.mark.parametrize("bad_id", ["../../../x", 'a"b', "Upper"])
def test_python_chart_ids_must_be_slugs(bad_id: str, tmp_path: Path, shared_cache: Path, capfd) -> None:
    site = make_site(tmp_path)
    edit = site / "charts/yields.py"
    edit.write_text(edit.read_text().replace('@chart("yields"', f"@chart({bad_id!r}"))
    err = fails(site, shared_cache, capfd)
    assert "charts/yields.py:6: chart id " in err and "lowercase letters, digits and hyphens" in err, err
    assert not (tmp_path / "x.json").exists()


CHART_BODIES = {
    "sys.exit": ("import sys\n", "    sys.exit(0)\n", "charts/yields.py:9: chart 'yields' called sys.exit(0)"),
    "loop": ("", "    while True:\n        pass\n", "charts/yields.py:6: chart 'yields' took longer than 2 s"),
}


@pytest.mark.parametrize("case", [pytest.param(case, marks=[pytest.mark.slow] if case == "loop" else []) for case in CHART_BODIES])
def test_chart_code_that_exits_or_hangs_is_an_error(case: str, tmp_path: Path, shared_cache: Path, capfd, monkeypatch) -> None:
    monkeypatch.setenv("BROADSHEET_CHART_TIMEOUT", "2")
    site = make_site(tmp_path)
    assert run(site, cache=shared_cache) == 0
    head, body, expected = CHART_BODIES[case]
    path = site / "charts/yields.py"
    text = head + path.read_text()
    path.write_text(text.replace("    base = ", body + "    base = ", 1))
    err = fails(site, shared_cache, capfd)
    assert expected in err, err


RENDERER_FAULTS = {
    "an error": ("scale: {domain: x}", r"could not be rendered: \S"),
    "out of memory": ("axis: {tickCount: 100000000}", r"could not be rendered: the renderer process died \(out of memory"),
}


@pytest.mark.parametrize(
    "case", [pytest.param(case, marks=[pytest.mark.slow] if case == "out of memory" else []) for case in RENDERER_FAULTS]
)
def test_renderer_failure_names_the_chart_with_a_reason(case: str, tmp_path: Path, shared_cache: Path, capfd, monkeypatch) -> None:
    monkeypatch.setenv("BROADSHEET_CHART_MEMORY", "1024")  # (the default, 3 GB, takes longer to run out than the time limit)
    site = make_site(tmp_path)
    option, expected = RENDERER_FAULTS[case]
    page = site / "content/notes/coal.md"
    page.write_text(page.read_text().replace("x: year:O", f"x: {{field: year, type: quantitative, {option}}}"))
    err = fails(site, shared_cache, capfd)
    assert re.search(r"content/notes/coal.md:11: chart 'missiles-tested-a-year' " + expected, err), err


def test_a_chart_error_leaves_the_chart_worker_warm_for_the_next_build(tmp_path: Path, capfd) -> None:
    """A worker that reported a chart's mistake is healthy: the preview's next rebuild (the
    fix) reuses it rather than waiting for a new one to start."""
    while workers._idle:  # (workers left by earlier tests: this one starts from none)
        workers._idle.pop().stop()
    site = make_site(tmp_path)
    page = site / "content/notes/coal.md"
    good = page.read_text()
    page.write_text(good.replace("x: year:O", "x: {field: year, type: quantitative, scale: {domain: x}}"))
    fails(site, tmp_path / "cache", capfd)
    warm = [worker.proc.pid for worker in workers._idle]
    assert len(warm) == 1
    page.write_text(good)
    assert run(site, cache=tmp_path / "cache") == 0
    assert [worker.proc.pid for worker in workers._idle] == warm


@pytest.mark.slow
def test_same_bytes_in_any_time_zone(tmp_path: Path) -> None:
    outputs = []
    for zone in ("UTC", "America/New_York", "Asia/Tokyo"):
        site = make_site(tmp_path / zone.replace("/", "-"))
        env = {**os.environ, "TZ": zone}
        done = subprocess.run(
            [sys.executable, str(REPO / "build.py"), "--root", str(site), "--no-cache"],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        outputs.append(snapshot(site / "public"))
    assert outputs[0] == outputs[1] == outputs[2]


@pytest.mark.slow
def test_preview_server_survives_chart_faults_and_recovers(tmp_path: Path, shared_cache: Path) -> None:
    from test_server import running_server

    env = {**os.environ, "BROADSHEET_CHART_TIMEOUT": "3"}
    with running_server(tmp_path, shared_cache, env=env, start=120) as server:
        loop, leave = "    while True:\n        pass\n", "    import sys\n    sys.exit(0)\n"
        ticks = "x: {field: year, type: quantitative, axis: {tickCount: 100000000}}"
        faults = [
            ("charts/yields.py", "    base = ", loop + "    base = ", "charts/yields.py:6: chart 'yields' took longer than 3 s"),
            ("charts/yields.py", "    base = ", leave + "    base = ", "charts/yields.py:9: chart 'yields' called sys.exit(0)"),
            # (out of memory, or past the time limit first on a busy machine: either way, that chart at its line)
            ("content/notes/coal.md", "x: year:O", ticks, "content/notes/coal.md:11: chart 'missiles-tested-a-year' "),
        ]
        for path, old, new, expected in faults:
            status = server.after_edit(path, old, new, timeout=120)
            assert not status["ok"] and status["error"].startswith(expected), status
            assert server.process.poll() is None and server.get("/")[0] == 200, "the server still answers"
            status = server.after_edit(path, new, old, timeout=120)
            assert status["ok"], status
            assert "broadsheet-error" not in server.get("/")[1]


@pytest.mark.slow
def test_preview_serves_the_last_good_site_while_a_slow_chart_builds(tmp_path: Path, shared_cache: Path) -> None:
    """The rebuild runs beside the server: a page asked for while a chart loops arrives
    (before the build has ended), and is the last good one."""
    from test_server import running_server

    env = {**os.environ, "BROADSHEET_CHART_TIMEOUT": "20"}
    with running_server(tmp_path, shared_cache, env=env, start=120) as server:
        chart = server.root / "charts/yields.py"
        chart.write_text(chart.read_text().replace("    base = ", "    while True:\n        pass\n    base = ", 1))
        server.wait_for(lambda s: s["building"], timeout=30)
        code, page = server.get("/")
        assert code == 200 and "broadsheet-error" not in page and "<h1>" in page
        assert server.status()["building"], "the page was served while the build was still running"
        status = server.wait_for(lambda s: not s["building"], timeout=120)
        assert not status["ok"] and "took longer than 20 s" in status["error"]


def test_warm_build_reads_tables_from_the_cache(tmp_path: Path, shared_cache: Path, capsys) -> None:
    site = make_site(tmp_path)
    cache = shared_cache
    assert run(site, cache=cache) == 0
    before = (site / "public/index.html").read_text()
    figure = site / "templates/_figure.html"
    figure.write_text(figure.read_text().replace('<div class="chart-head">', '<div class="chart-head" data-x="1">'))
    capsys.readouterr()
    assert run(site, cache=cache) == 0
    printed = capsys.readouterr()
    assert "rendering" not in printed.err and "2 charts (2 from cache)" in printed.out, printed  # (no chart worker started)
    after = (site / "public/index.html").read_text()
    assert 'data-x="1"' in after and tables(after, "yields") == tables(before, "yields")


def test_an_edited_helper_module_is_used_by_the_next_build(tmp_path: Path, shared_cache: Path, capfd) -> None:
    site = make_site(tmp_path)
    (site / "charts/helpers.py").write_text('CENTRAL = "yield_kt_central:Q"\n')
    path = site / "charts/yields.py"
    code = path.read_text().replace('y="yield_kt_central:Q"', "y=CENTRAL")
    path.write_text(code.replace("from broadsheet import chart\n", "from broadsheet import chart\nfrom helpers import CENTRAL\n"))
    assert run(site, cache=shared_cache) == 0  # (the chart workers stay warm for the next build)
    (site / "charts/helpers.py").write_text('CENTRAL = "yield_kt_centre:Q"\n')
    err = fails(site, shared_cache, capfd)
    assert "chart 'yields': field 'yield_kt_centre' is not in dataset 'tests'" in err, err


def test_misspelt_field_in_a_transform(tmp_path: Path, shared_cache: Path, capfd) -> None:
    site = extra_site(
        tmp_path, EXTRA_CHARTS.replace('y="mean(missiles):Q")', 'y="m:Q").transform_aggregate(m="mean(misiles)", groupby=["period"])')
    )
    err = fails(site, shared_cache, capfd)
    assert "charts/extra.py:12: chart 'mean-by-decade': field 'misiles' is not in dataset 'missiles'" in err, err


FACETED_LAYERS = """\
import altair as alt

from broadsheet import chart


@chart("panels", data=["missiles"])
def panels(missiles):
    base = alt.Chart().encode(y=alt.Y("year:N"))
    bars = base.mark_bar().encode(x="missiles:Q")
    reference = alt.Chart().transform_aggregate(n="count()", groupby=["period"]).mark_rule().encode(x=alt.datum(10))
    return (
        alt.layer(reference, bars, data=missiles)
        .transform_calculate(period="datum.year < 2015 ? 'Before 2015' : '2015 on'")
        .properties(width=300, height=alt.Step(14))
        .facet(row="period:N")
    )
"""


def test_faceted_layers_with_a_step_height_and_a_constant_rule(tmp_path: Path, shared_cache: Path) -> None:
    """A facet of layers sized by step, with a rule at a constant in each panel (as the
    explainer's yield chart): one table, the bars' values, and none for the rule."""
    page = EXTRA_PAGE.split("```chart")[0] + "```chart\nid: panels\ntitle: Panels\ndescription: Bars in two panels.\n```\n"
    site = extra_site(tmp_path, FACETED_LAYERS, page)
    assert run(site, cache=shared_cache) == 0
    [bars] = tables((site / "public/extra/index.html").read_text(), "panels")
    assert "Missiles (count)" in bars[0] and len(bars) == 7, bars


NAN_CHART = """\
import altair as alt
import pandas as pd

from broadsheet import chart


@chart("with-gaps", data=["missiles"])
def with_gaps(missiles):
    frame = missiles.assign(note=pd.Series(["x", float("nan")] * 3, dtype=object), share=missiles["failures"] / 0)
    return alt.Chart(frame).mark_bar().encode(x="year:O", y="missiles:Q", tooltip=["note:N", "share:Q"])
"""


def test_published_specs_are_strict_json_with_missing_values_as_null(tmp_path: Path, shared_cache: Path) -> None:
    """Browsers refuse NaN in JSON: a chart whose data holds NaN or infinity (an object
    column, a division by zero) still gets a spec the live chart can load."""
    import json

    page = EXTRA_PAGE.split("```chart")[0] + "```chart\nid: with-gaps\ntitle: Gaps\ndescription: Bars with gaps in their notes.\n```\n"
    site = extra_site(tmp_path, NAN_CHART, page)
    assert run(site, cache=shared_cache) == 0

    def refuse(constant: str) -> None:
        raise AssertionError(f"not JSON: {constant}")

    for path in (site / "public/charts").glob("*.json"):
        spec = json.loads(path.read_text(), parse_constant=refuse)
        if path.name.startswith("with-gaps."):
            rows = next(iter(spec["datasets"].values()))
            assert [r["note"] for r in rows[:2]] == ["x", None]


@pytest.mark.parametrize(
    ("chart", "field"),
    [
        ('.transform_filter("datum.missles > 2").mark_bar().encode(x="year:O", y="missiles:Q")', "missles"),
        ('.transform_filter(alt.FieldGTPredicate(field="yaer", gt=2013)).mark_bar().encode(x="year:O", y="missiles:Q")', "yaer"),
        ('.transform_calculate(d="datum.failurs * 2").mark_bar().encode(x="year:O", y="d:Q")', "failurs"),
        ('.mark_bar().encode(x=alt.X("year:O", sort=alt.EncodingSortField(field="missles")), y="missiles:Q")', "missles"),
        (
            '.mark_bar().encode(x="year:O", y=alt.Y(alt.repeat("column"), type="quantitative")).repeat(column=["missiles", "failurs"])',
            "failurs",
        ),
        ('.mark_line().encode(x="year:O", y=alt.Y(alt.repeat("row"), type="quantitative")).repeat(row=["missles"])', "missles"),
    ],
)
def test_misspelt_fields_in_filters_expressions_and_sorts(chart: str, field: str, tmp_path: Path, shared_cache: Path, capfd) -> None:
    """A field read by an expression or a predicate, or sorted by, is checked too: a typo
    there draws an empty or unsorted chart."""
    code = 'import altair as alt\n\nfrom broadsheet import chart\n\n\n@chart("typo", data=["missiles"])\n'
    code += f"def typo(missiles):\n    return alt.Chart(missiles){chart}\n"
    page = EXTRA_PAGE.split("```chart")[0] + "```chart\nid: typo\ntitle: Typo\ndescription: Bars.\n```\n"
    err = fails(extra_site(tmp_path, code, page), shared_cache, capfd)
    assert f"charts/extra.py:8: chart 'typo': field '{field}' is not in dataset 'missiles'" in err, err


def test_time_units_made_by_a_transform_and_units_beside_an_authors_title(tmp_path: Path, shared_cache: Path) -> None:
    code = """import altair as alt

from broadsheet import chart


@chart("by-month", data=["tests"])
def by_month(tests):
    return (
        alt.Chart(tests)
        .transform_timeunit(mon="month(date_utc)")
        .mark_bar()
        .encode(x=alt.X("mon:O", title="Month"), y=alt.Y("sum(yield_kt_central):Q", title="Yield"))
    )
"""
    page = EXTRA_PAGE.split("```chart")[0] + "```chart\nid: by-month\ntitle: By month\ndescription: Bars by month.\n```\n"
    site = extra_site(tmp_path, code, page)
    assert run(site, cache=shared_cache) == 0
    [table] = tables((site / "public/extra/index.html").read_text(), "by-month")
    assert table[0] == ["Month", "Yield (kt)"], table
    assert ["September", "127.4"] in table[1:], table


def test_a_chart_whose_values_cannot_be_listed_says_so(tmp_path: Path, shared_cache: Path) -> None:
    """A density is computed as the chart is drawn: no table can list it, and the figure
    says so instead of leaving readers of the table with nothing (or the wrong numbers)."""
    code = (
        'import altair as alt\n\nfrom broadsheet import chart\n\n\n@chart("spread", data=["missiles"])\n'
        "def spread(missiles):\n"
        '    return alt.Chart(missiles).transform_density("missiles").mark_area().encode(x="value:Q", y="density:Q")\n'
    )
    page = EXTRA_PAGE.split("```chart")[0] + "```chart\nid: spread\ntitle: Spread\ndescription: A density of missiles a year.\n```\n"
    site = extra_site(tmp_path, code, page)
    assert run(site, cache=shared_cache) == 0
    html = (site / "public/extra/index.html").read_text()
    figure = html[html.index('<figure class="chart" id="spread"') :]
    figure = figure[: figure.index("</figure>")]
    assert tables(html, "spread") == [] and 'class="chart-no-table"' in figure and "Download the data (CSV)" in figure


OFFSITE = {
    # the chart's return value; the message
    "data from another site": (
        'alt.Chart("https://vega.github.io/vega-datasets/data/cars.json").mark_point().encode(x="Horsepower:Q", y="Acceleration:Q")',
        "chart 'away' loads its data from 'https://vega.github.io/vega-datasets/data/cars.json', not a path on this site",
    ),
    "a map from a host of its own": (
        'alt.Chart(alt.topo_feature("//cdn.example.org/us-10m.json", "states")).mark_geoshape()',
        "chart 'away' loads its data from '//cdn.example.org/us-10m.json'",
    ),
    "a lookup from another site": (
        'alt.Chart(missiles).mark_bar().encode(x="year:O", y="missiles:Q")'
        '.transform_lookup(lookup="year", from_=alt.LookupData(alt.UrlData("https://example.org/y.csv"), "year", ["n"]))',
        "chart 'away' loads its data from 'https://example.org/y.csv'",
    ),
    "an image from the build machine": (
        'alt.Chart(missiles).mark_image(url="file:///etc/passwd").encode(x="year:O", y="missiles:Q")',
        "chart 'away' draws an image from 'file:///etc/passwd', not a path on this site",
    ),
    "a url channel's constant": (
        'alt.Chart(missiles).mark_image().encode(x="year:O", y="missiles:Q", url=alt.value("https://example.org/a.png"))',
        "chart 'away' draws an image from 'https://example.org/a.png'",
    ),
    "a url channel's field": (
        'alt.Chart(missiles.assign(icon="https://example.org/a.png")).mark_image().encode(x="year:O", y="missiles:Q", url="icon:N")',
        "chart 'away' draws an image from 'https://example.org/a.png', field 'icon' holds an address on another website",
    ),
}


@pytest.mark.parametrize("case", list(OFFSITE))
def test_a_chart_that_would_fetch_from_another_site_stops_at_its_line(case: str, tmp_path: Path, shared_cache: Path, capfd) -> None:
    """Readers' pages make no request to another website: a chart that loads its data or an
    image from elsewhere (or the build machine's files) is an error, not an empty chart."""
    chart, expected = OFFSITE[case]
    code = 'import altair as alt\n\nfrom broadsheet import chart\n\n\n@chart("away", data=["missiles"])\ndef away(missiles):\n'
    code += f"    return {chart}\n"
    page = EXTRA_PAGE.split("```chart")[0] + "```chart\nid: away\ntitle: Away\ndescription: A chart.\n```\n"
    err = fails(extra_site(tmp_path, code, page), shared_cache, capfd)
    assert f"charts/extra.py:8: {expected}" in err and "hint: " in err, err


def test_a_chart_may_show_images_on_the_site_and_a_column_named_url(tmp_path: Path, shared_cache: Path) -> None:
    code = (
        'import altair as alt\n\nfrom broadsheet import chart\n\n\n@chart("here", data=["missiles"])\ndef here(missiles):\n'
        '    points = alt.Chart(missiles.assign(url="https://example.org/")).mark_point()\n'
        '    points = points.encode(x="year:O", y="missiles:Q", tooltip=["url:N"])\n'
        '    return points + points.mark_image(url="/static/favicon.svg", width=9, height=9)\n'
    )
    page = EXTRA_PAGE.split("```chart")[0] + "```chart\nid: here\ntitle: Here\ndescription: A chart.\n```\n"
    assert run(extra_site(tmp_path, code, page), cache=shared_cache) == 0

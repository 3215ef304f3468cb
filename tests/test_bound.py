"""Bound values, built for real: figures drawn from the data in prose, titles, alt text and
front matter, each mistake at its Markdown line, and pages kept in step with their data."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import run
from test_errors import edit, fails_with

PROSE = "The first test was in 2006."
SIXTH = "tests[test_number=6].yield_kt_central"


def bind(site: Path, prose: str, *, title: str = "", chart_title: str = "", alt: str = "") -> Path:
    """The basic site's home page with ``prose`` for its first sentence (line 10), and
    bound values in its title, its chart's title and its chart's alt text if given."""
    page = site / "content/index.md"
    edit(page, PROSE, prose)
    if title:
        edit(page, 'title: Home of the "tests"', f"title: {title}")
    if chart_title:
        edit(page, "title: Estimated yields", f"title: {chart_title}")
    if alt:
        edit(page, "description: Point chart. The sixth test, in 2017, was by far the largest.", f"description: {alt}")
    return site


def figures(html: str) -> list[tuple[str, str]]:
    """Each ``<data value>`` of a page and the figure it shows."""
    return re.findall(r'<data value="([^"]*)"[^>]*>([^<]*)</data>', html)


def test_prose_title_chart_title_and_alt_text_say_the_figure(site: Path, shared_cache: Path) -> None:
    bind(
        site,
        f"The sixth test yielded about {{= {SIXTH} as .0f }} kilotonnes.",
        title=f"Tests of up to {{= {SIXTH} as .1f }} kt",
        chart_title=f"Estimated yields, the largest {{= {SIXTH} as .1f }} kt",
        alt=f"Point chart. The sixth test, in 2017, yielded about {{= {SIXTH} as ,.0f }} kt.",
    )
    assert run(site, cache=shared_cache) == 0
    html = (site / "public/index.html").read_text()
    assert figures(html) == [("109.4", "109.4"), ("109.4", "109")] + [("109.4", "109.4")] * 3  # h1, prose, chart title, tables
    assert html.count('<span class="bound-note"') == 3  # the data tables' captions repeat the title: no note there
    assert '<caption>Estimated yields, the largest <data value="109.4">109.4</data> kt' in html
    assert 'aria-label="Point chart. The sixth test, in 2017, yielded about 109 kt."' in html  # alt text: plain
    assert 'content="Tests of up to 109.4 kt"' in html  # an attribute: plain
    assert "\ue000" not in html and "{=" not in html
    feed = (site / "public/feed.xml").read_text()
    assert "<title>Tests of up to 109.4 kt</title>" in feed and "<data" not in feed
    embed = (site / "public/embed/yields/index.html").read_text()
    assert "<title>Estimated yields, the largest 109.4 kt" in embed and ("109.4", "109.4") in figures(embed)


def test_a_figure_carries_its_dataset_row_and_source(site: Path, shared_cache: Path) -> None:
    edit(site / "content/notes/coal.md", "```chart", "```datasets\n```\n\n```chart")  # a catalogue: the datasets' entries
    bind(site, f"It yielded {{= {SIXTH} as .1f }} kt, {{= {SIXTH} / tests[test_number=5].yield_kt_central as .1f }} times the fifth.")
    assert run(site, cache=shared_cache) == 0
    html = (site / "public/index.html").read_text()
    first = re.search(r'<span class="bound">.*?</span></span>', html)
    assert first is not None
    assert first.group(0) == (
        '<span class="bound"><data value="109.4" tabindex="0" aria-describedby="bound-1">109.4</data>'
        '<span class="bound-note" id="bound-1">From <a href="/notes/coal/#data-tests">Nuclear tests and yields</a>: '
        "Test number 6: Yield kt central 109.4. "
        'Source: <a href="https://doi.org/10.1785/0220180134" rel="external noopener">Yao et al. 2018</a>.</span></span>'
    )
    assert ("6.07777777777778", "6.1") in figures(html)  # arithmetic: exact decimals, 15 digits in the value
    assert "Calculated from" in html and "Test number 5: Yield kt central 18.0" in html
    assert 'id="data-tests"' in (site / "public/notes/coal/index.html").read_text()


def test_inside_a_link_a_figure_has_no_note_and_code_is_left_alone(site: Path, shared_cache: Path) -> None:
    bind(
        site,
        f"[Yield {{= {SIXTH} as .1f }}](/notes/coal/), `{{= not bound }}`, \\{{= escaped }}, {{! 204 million }} and, by a copy editor,"
        " {= tests[test_number=\u201c6\u201d].yield_kt_central \u2212 tests[test_number=5].yield_kt_central\u00a0as .1f }.",
    )
    assert run(site, cache=shared_cache) == 0
    html = (site / "public/index.html").read_text()
    assert '<a href="/notes/coal/">Yield <data value="109.4">109.4</data></a>' in html
    assert "<code>{= not bound }</code>" in html and "{= escaped }" in html and " 204 million and" in html
    assert ("91.4", "91.4") in figures(html)  # curly quotes, a minus sign and a no-break space read as typed


def test_a_heading_id_does_not_change_with_the_figure(site: Path, shared_cache: Path) -> None:
    bind(site, f"## Yields reached {{= {SIXTH} as .1f }} kt\n\nText.")
    assert run(site, cache=shared_cache) == 0
    assert '<h2 id="yields-reached-kt">Yields reached <span class="bound">' in (site / "public/index.html").read_text()


LINE = "content/index.md:10: "
ERRORS = {
    "unknown dataset": ("{= test[test_number=6].yield_kt_central }", "unknown dataset 'test'", "did you mean 'tests'?"),
    "unknown field": (
        "{= tests[test_number=6].yield_central }",
        "dataset 'tests' has no field 'yield_central'",
        "did you mean 'yield_kt_central'?",
    ),
    "unknown key field": ("{= tests[test=6].yield_kt_central }", "dataset 'tests' has no field 'test'", "known: date_utc"),
    "no row": ("{= tests[test_number=7].yield_kt_central }", "no row of 'tests' has test_number=7", "test_number has: 6, 5, 4"),
    "several rows": (
        "{= missiles[failures=0].missiles }",
        "2 rows of 'missiles' have failures=0",
        "add a key to choose one: year (2013; 2014)",
    ),
    "missing value": (
        "{= tests[test_number=1].yield_kt_low }",
        "'tests[test_number=1].yield_kt_low' is empty in data/tests.csv",
        "never written as zero",
    ),
    "key of the wrong type": ("{= tests[test_number=six].yield_kt_central }", "test_number=six is not a integer", None),
    "bad format": ("{= tests[test_number=6].yield_kt_central as .1z }", "'.1z': unknown format type 'z'", "$.3w for $2.73 billion"),
    "format on a date": (
        "{= tests[test_number=6].date_utc as ,.0f }",
        "format ',.0f' needs a number, but field 'date_utc' holds text",
        None,
    ),
    "arithmetic on a date": ("{= tests[test_number=6].date_utc - 1 }", "field 'date_utc' holds text, which arithmetic can't use", None),
    "division by zero": ("{= 1 / (tests[test_number=6].yield_kt_central - 109.4) }", "division by zero", None),
    "a number past JavaScript's figures": (
        "{= tests[test_number=6].yield_kt_central * 1e999999 as .2f }",
        "the number 1e+999999 is too large to be a figure",
        "between 1e-21 and 1e21",
    ),
    "a number past decimal's range": ("{= 1e9999999 * 2 }", "the number 1e+9999999 is too large to be a figure", None),
    "arithmetic past a figure": (
        "{= tests[test_number=6].yield_kt_central * 1e20 as ,.0f }",
        "its arithmetic comes to 1.09e+22, too large to be a figure",
        None,
    ),
    "a fraction too small": ("{= tests[test_number=6].yield_kt_central * 1e-999999 }", "the number 1e-999999 is too small", None),
    "a format wider than a figure": (
        "{= tests[test_number=6].yield_kt_central as 09999999,.2f }",
        "format '09999999,.2f' pads the figure past 50 characters",
        None,
    ),
    "parentheses hundreds deep": ("{= " + "(" * 200 + "1" + ")" * 200 + " }", "nested more than 30 deep", None),
    "a sum of thousands": ("{= 1" + " + 1" * 3000 + " }", "more than 100 numbers and cells in one bound value", None),
    "syntax": ("{= tests[test_number=6] as .1f }", "expected '.field' after the row at 'as .1f'", "a bound value is written {= dataset["),
    "not closed": ("{= tests[test_number=6].yield_kt_central as .1f\n\nNext paragraph.", "'{=' is not closed with '}'", None),
}


@pytest.mark.parametrize("case", ERRORS, ids=list(ERRORS))
def test_each_mistake_stops_the_build_at_its_markdown_line(case: str, built: Path, shared_cache: Path, capsys) -> None:
    binding, message, hint = ERRORS[case]
    bind(built, f"Text {binding}.")
    err = fails_with(built, shared_cache, LINE + "bound value: " + message if case != "not closed" else LINE + message, capsys)
    if hint:
        assert hint in err


def test_front_matter_chart_block_and_scrolly_step_mistakes_have_their_lines(built: Path, shared_cache: Path, capsys) -> None:
    page = built / "content/index.md"
    edit(page, 'title: Home of the "tests"', "title: {= tests[test_number=9].yield_kt_central } tests")
    fails_with(built, shared_cache, "content/index.md:2: bound value: no row of 'tests' has test_number=9", capsys)
    edit(page, "{= tests[test_number=9].yield_kt_central } tests", "Tests")
    edit(page, "notes: The 2006 estimate", "notes: The {= tests[test_number=1].yield_kt_high } estimate")
    fails_with(built, shared_cache, "content/index.md:17: bound value: 'tests[test_number=1].yield_kt_high' is empty", capsys)
    edit(page, "{= tests[test_number=1].yield_kt_high }", "2006")
    edit(page, "id: yields", "id: {= tests[test_number=6].yield_kt_central }")
    fails_with(built, shared_cache, "content/index.md:13: a bound value can't stand in 'id'", capsys)


def test_removing_a_cited_row_stops_the_build_at_the_line_that_cites_it(built: Path, shared_cache: Path, capsys) -> None:
    bind(built, f"The sixth test yielded {{= {SIXTH} as .1f }} kt.")
    assert run(built, cache=shared_cache) == 0
    edit(built / "data/tests.csv", "6,2017-09-03,109.4,60.8,158.0\n", "")
    fails_with(built, shared_cache, "content/index.md:10: bound value: no row of 'tests' has test_number=6", capsys)


def test_a_corrected_cell_renders_again_exactly_the_pages_that_cite_it(built: Path, shared_cache: Path, capsys) -> None:
    bind(built, "Text.", chart_title=f"Yields, up to {{= {SIXTH} as .1f }} kt")
    (built / "content/cites.md").write_text(f"---\ntitle: Cites\ndescription: A figure.\n---\n\nUp to {{= {SIXTH} as .1f }} kt.\n")
    (built / "content/other.md").write_text("---\ntitle: Other\ndescription: No figure.\n---\n\nNothing from the data.\n")
    assert run(built, cache=shared_cache) == 0
    capsys.readouterr()
    other = (built / "public/other/index.html").stat().st_mtime_ns
    edit(built / "data/tests.csv", "6,2017-09-03,109.4,", "6,2017-09-03,112.5,")
    assert run(built, cache=shared_cache) == 0
    # the page that cites it, the home page (its chart plots the file too) and the notes page (its catalogue lists the file)
    assert "(3 rendered)" in capsys.readouterr().out
    assert (built / "public/other/index.html").stat().st_mtime_ns == other
    for page in ("index.html", "cites/index.html", "embed/yields/index.html"):
        html = (built / "public" / page).read_text()
        assert "112.5" in html and "109.4" not in html, page


def test_a_dataset_read_only_by_bound_values_is_used(built: Path, shared_cache: Path, capsys) -> None:
    notes = built / "content/notes/coal.md"
    edit(notes, "```datasets\n```\n", "")
    for old, new in (("data: missiles", "data: tests"), ("data: missiles", "data: tests"), ("x: year:O", "x: test_number:O")):
        edit(notes, old, new)
    edit(notes, "y: {field: missiles, type: quantitative, title: Missiles tested}", "y: yield_kt_central:Q")
    edit(notes, "  year: Year\n  missiles: Missiles\n", "  test_number: Test\n")
    assert run(built, "check", cache=shared_cache) == 1
    assert "dataset 'missiles' is never used" in capsys.readouterr().err
    bind(built, "{= missiles[year=2016].missiles as d } missiles.")
    assert run(built, "check", cache=shared_cache) == 0, capsys.readouterr().err


SCROLLY = """
```scrolly
chart: yields
steps:
  - text: The fifth test, {= tests[test_number=5].yield_kt_central as .1f } kt.
    alt: The fifth test stands out.
  - text: The sixth.
    alt: The sixth test, labelled with its yield.
    annotate: {x: 2017-09-03, text: "Sixth: {= tests[test_number=6].yield_kt_central as .1f } kt"}
```
"""


def test_a_scrolly_steps_text_and_the_label_it_draws_follow_the_data(built: Path, shared_cache: Path) -> None:
    edit(built / "content/index.md", "| a | b |", SCROLLY.strip() + "\n\n| a | b |")
    assert run(built, cache=shared_cache) == 0
    html = (built / "public/index.html").read_text()
    assert ("18", "18.0") in figures(html) and ">Sixth: 109.4 kt</text>" in html  # (drawn in the step's SVG)
    edit(built / "data/tests.csv", "6,2017-09-03,109.4,", "6,2017-09-03,112.5,")
    assert run(built, cache=shared_cache) == 0
    html = (built / "public/index.html").read_text()
    assert ">Sixth: 112.5 kt</text>" in html and "Sixth: 109.4" not in html


def test_an_embed_follows_its_charts_title(built: Path, shared_cache: Path) -> None:
    """(Its render key covered only the chart's spec and drawing: a new title kept the old embed.)"""
    assert run(built, cache=shared_cache) == 0  # (a build in this folder: the next one is warm)
    edit(built / "content/index.md", "title: Estimated yields", "title: Estimated yields of six tests")
    assert run(built, cache=shared_cache) == 0
    assert "Estimated yields of six tests" in (built / "public/embed/yields/index.html").read_text()


def test_a_figure_in_the_navigation_follows_the_data_on_every_page(built: Path, shared_cache: Path) -> None:
    edit(built / "content/notes/coal.md", "nav_title: Missiles", "nav_title: Missiles ({= missiles[year=2016].missiles as d } in 2016)")
    assert run(built, cache=shared_cache) == 0
    assert '<a href="/notes/coal/">Missiles (<data value="24">24</data> in 2016)</a>' in (built / "public/index.html").read_text()
    edit(built / "data/missiles.csv", "2016,24,10", "2016,25,10")
    assert run(built, cache=shared_cache) == 0
    assert '<a href="/notes/coal/">Missiles (<data value="25">25</data> in 2016)</a>' in (built / "public/index.html").read_text()
    assert '"/notes/coal/">Missiles (<data value="25">25</data> in 2016)</a>' in (built / "public/404.html").read_text()


def test_a_dataset_description_binds_its_figures_and_follows_the_data(built: Path, shared_cache: Path) -> None:
    """The catalogue shows each dataset's description: a figure there is drawn from the data
    too, so a corrected cell leaves the old figure on no page."""
    edit(
        built / "data/datapackage.yaml",
        "description: Yield estimates by Yao",
        f"description: The largest, {{= {SIXTH} as .1f }} kt. Yield estimates by Yao",
    )
    assert run(built, cache=shared_cache) == 0
    html = (built / "public/notes/coal/index.html").read_text()
    assert ("109.4", "109.4") in figures(html) and "\ue000" not in html
    edit(built / "data/tests.csv", "6,2017-09-03,109.4,", "6,2017-09-03,112.5,")
    assert run(built, cache=shared_cache) == 0
    html = (built / "public/notes/coal/index.html").read_text()
    assert ("112.5", "112.5") in figures(html) and "109.4" not in html


def test_a_mistake_in_a_dataset_description_is_at_its_line(built: Path, shared_cache: Path, capsys) -> None:
    edit(
        built / "data/datapackage.yaml",
        "description: Yield estimates by Yao",
        "description: Up to {= tests[test_number=6].yield_kt as .1f } kt. Yao",
    )
    fails_with(built, shared_cache, "data/datapackage.yaml:28: bound value: dataset 'tests' has no field 'yield_kt'", capsys)

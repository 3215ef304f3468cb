"""Extending the default theme without copying it, and drafts that cannot leak."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import make_site, run, snapshot

SITE_BASE = """{% extends "theme/base.html" %}
{% block head %}<link rel="stylesheet" href="/extra.css">{% endblock %}
{% block header %}<p class="notice">Election night: results update every hour.</p>{{ super() }}{% endblock %}
{% block footer %}{{ super() }}<p class="imprint">Published by the Example Gazette.</p>{% endblock %}
"""


def test_a_site_base_extends_the_default_theme_and_fills_its_blocks(tmp_path: Path, shared_cache: Path) -> None:
    site = make_site(tmp_path, theme=False)
    (site / "templates").mkdir()
    (site / "templates" / "base.html").write_text(SITE_BASE)
    assert run(site, cache=shared_cache) == 0
    html = (site / "public" / "notes" / "coal" / "index.html").read_text()
    assert html.index('<link rel="stylesheet" href="/extra.css">') < html.index("</head>")
    assert html.index('class="notice"') < html.index('<header class="masthead">')  # the default header kept
    assert html.index('class="site-footer"') < html.index('class="imprint"')
    assert '<nav aria-label="Sections">' in html and "<h1>Missiles</h1>" in html


def test_a_change_to_the_site_base_renders_the_pages_again(tmp_path: Path, shared_cache: Path) -> None:
    site = make_site(tmp_path, theme=False)
    (site / "templates").mkdir()
    (site / "templates" / "base.html").write_text(SITE_BASE)
    assert run(site, cache=shared_cache) == 0
    (site / "templates" / "base.html").write_text(SITE_BASE.replace("every hour", "every ten minutes"))
    assert run(site, cache=shared_cache) == 0
    assert "every ten minutes" in (site / "public" / "index.html").read_text()


def test_drafts_are_marked_and_kept_out_of_feed_and_sitemap(tmp_path: Path, shared_cache: Path) -> None:
    site = make_site(tmp_path)
    draft = site / "content" / "draft.md"
    draft.write_text(draft.read_text().replace("draft: true\n", "draft: true\ndate: 2026-11-30\n"))
    assert run(site, "build", "--drafts", cache=shared_cache) == 0
    public = site / "public"
    html = (public / "draft" / "index.html").read_text()
    assert '<meta name="robots" content="noindex">' in html
    assert '<p class="draft-banner" role="note"><strong>Draft</strong>' in html
    assert "/draft/" not in (public / "feed.xml").read_text()
    assert "/draft/" not in (public / "sitemap.xml").read_text()
    published = (public / "notes" / "coal" / "index.html").read_text()
    assert "noindex" not in published and "draft-banner" not in published


def test_chart_notes_are_markdown_and_follow_the_base_path(tmp_path: Path, shared_cache: Path) -> None:
    site = make_site(tmp_path)
    page = site / "content" / "notes" / "coal.md"
    notes = 'notes: "Counts from *CNS*; see [the method](/notes/coal/#by-year) and [CNS](https://www.nti.org/)."'
    page.write_text(
        page.read_text().replace(
            "description: Bar chart. Tests peaked in 2016 with 24 missiles.",
            "description: Bar chart. Tests peaked in 2016 with 24 missiles.\n" + notes,
            1,
        )
    )
    assert run(site, "build", "--base-url", "https://example.org/sub/", cache=shared_cache) == 0
    html = (site / "public" / "notes" / "coal" / "index.html").read_text()
    assert '<p class="chart-notes">Counts from <em>CNS</em>; see <a href="/sub/notes/coal/#by-year">the method</a>' in html
    assert '<a href="https://www.nti.org/">CNS</a>.</p>' in html


def test_a_script_link_in_chart_notes_is_refused(tmp_path: Path, shared_cache: Path, capsys) -> None:
    site = make_site(tmp_path)
    page = site / "content" / "notes" / "coal.md"
    text = page.read_text().replace(
        "description: Bar chart. Tests peaked in 2016 with 24 missiles.", 'description: Bar chart.\nnotes: "[x](javascript:alert(1))"', 1
    )
    page.write_text(text)
    assert run(site, cache=shared_cache) == 1
    line = text.split("\n").index('notes: "[x](javascript:alert(1))"') + 1
    assert f"content/notes/coal.md:{line}: link 'javascript:alert' would run a script" in capsys.readouterr().err


def test_the_home_page_is_in_the_navigation_when_it_has_a_nav_title(tmp_path: Path, shared_cache: Path) -> None:
    site = make_site(tmp_path)
    home = site / "content" / "index.md"
    assert run(site, cache=shared_cache) == 0
    assert '<li><a href="/"' not in (site / "public" / "index.html").read_text()
    home.write_text(home.read_text().replace("template: home\n", "template: home\nnav_title: Front page\n", 1))
    assert run(site, cache=shared_cache) == 0
    html = (site / "public" / "notes" / "coal" / "index.html").read_text()
    assert '<li><a href="/">Front page</a></li>' in html


# A _figure.html written from scratch, with its own markup, that keeps every part.
OWN_FIGURE = """<figure class="graphic" id="{{ chart.id }}">
<h3>{{ chart.title }}</h3>
{{ svg }}{{ svg_narrow }}
{% if tables %}{% include "_data_table.html" %}{% endif %}
<footer>Data: {% for dataset in datasets %}<a href="{{ absolute_url(dataset.url) }}">{{ dataset.name }}.csv</a> {% endfor %}
{% for source in sources %}<a href="{{ source.path }}">{{ source.title }}</a>{% endfor %}</footer>
</figure>
"""
DROPPED = {
    # what an override leaves out -> what the build names
    "title": ('<p class="chart-title" id="{{ chart.id }}-title">{{ chart.title }}</p>', "", "its title"),
    "source line": ('{% include "_sources.html" %}', "", "its source link to 'Yao et al. 2018' (https://doi.org/10.1785/0220180134)"),
    "data link": ('<a href="{{ url(dataset.url) }}" download>', "<a download>", "its data link (/data/tests.csv)"),
    "narrow drawing": ("{{ svg_narrow }}", "", "its narrow drawing"),
    "data table": ('{% include "_data_table.html" %}', "", "its data table"),
    "drawing": ("{{ svg }}", "", "its wide drawing"),
    "figure": ('<figure class="chart"', '<div class="chart"', "a <figure>"),
}


def test_a_figure_override_that_keeps_every_part_in_its_own_markup_builds(tmp_path: Path, shared_cache: Path) -> None:
    site = make_site(tmp_path)
    (site / "templates/_figure.html").write_text(OWN_FIGURE)
    assert run(site, cache=shared_cache) == 0
    assert run(site, "check", cache=shared_cache) == 0


@pytest.mark.parametrize("part", list(DROPPED))
def test_a_figure_override_that_drops_part_of_the_reader_contract_stops_build_check_and_strict(
    part: str, tmp_path: Path, shared_cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The README promises every chart a title, a text alternative, a source line, a data
    link and the data as a table: the rendered HTML is checked, whatever the templates."""
    site = make_site(tmp_path)
    page = site / "content/notes/coal.md"  # (one chart on the site: the one named below)
    text = page.read_text()
    page.write_text(text[: text.index("```chart")] + text[text.index("```table") :])
    assert run(site, cache=shared_cache) == 0
    before = snapshot(site / "public")
    old, new, missing = DROPPED[part]
    figure = site / "templates/_figure.html"
    assert old in figure.read_text()
    figure.write_text(figure.read_text().replace(old, new))
    capsys.readouterr()
    for command in (["build"], ["check"], ["build", "--strict"]):
        assert run(site, *command, cache=shared_cache) == 1
        err = capsys.readouterr().err
        assert "templates/_figure.html: chart 'yields' (content/index.md:12) is published without" in err, err
        assert missing in err and "Traceback" not in err, err
        assert snapshot(site / "public") == before


SCROLLY = """
```scrolly
chart: missiles-tested-a-year
steps:
  - text: The first step.
    alt: Every bar.
  - text: The second step.
    alt: Every bar again.
```
"""


@pytest.mark.parametrize(
    "old, new, missing",
    [
        ('{% include "_sources.html" %}', "", "its source link to 'CNS North Korea Missile Test Database'"),
        ("{{ step.svg }}", "", "the wide drawing of its step at line"),
    ],
)
def test_a_scrolly_override_that_drops_its_steps_drawings_or_sources_stops_the_build(
    old: str, new: str, missing: str, tmp_path: Path, shared_cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = make_site(tmp_path)
    page = site / "content/notes/coal.md"
    page.write_text(page.read_text() + SCROLLY)
    template = site / "templates/_scrolly.html"
    template.write_text(template.read_text().replace(old, new))
    assert run(site, cache=shared_cache) == 1
    err = capsys.readouterr().err
    assert "templates/_scrolly.html: scrolly chart 'missiles-tested-a-year' (content/notes/coal.md:11) is published without" in err
    assert missing in err, err

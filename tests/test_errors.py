"""Every kind of user error: exit 1, ``path:line: message`` and the previous build untouched."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import make_site, run, snapshot


@pytest.fixture
def built(tmp_path: Path, shared_cache: Path) -> Path:
    site = make_site(tmp_path)
    assert run(site, cache=shared_cache) == 0
    return site


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def fails_with(site: Path, cache: Path, expected: str, capsys) -> str:
    before = snapshot(site / "public")
    assert run(site, cache=cache) == 1
    err = capsys.readouterr().err
    assert expected in err, err
    assert "Traceback" not in err
    assert snapshot(site / "public") == before, "a failed build must leave public/ untouched"
    assert not list(site.glob(".public.*")), "staging folders are cleaned up"
    return err


CASES = {
    # name: (file, old, new, expected message)
    "front matter YAML": ("content/notes/coal.md", "order: 2", "order: [2", "content/notes/coal.md:5: invalid YAML"),
    "front matter unknown key": (
        "content/notes/coal.md",
        "order: 2",
        "ordre: 2",
        "content/notes/coal.md:4: unknown key 'ordre' in front matter",
    ),
    "front matter wrong type": ("content/notes/coal.md", "order: 2", "order: second", "content/notes/coal.md:4: 'order' must be integer"),
    "front matter bad date": (
        "content/notes/coal.md",
        "updated: 2026-11-30",
        "updated: 30/11/2026",
        "content/notes/coal.md:6: 'updated' must be a date",
    ),
    "front matter missing title": ("content/notes/coal.md", "title: Missiles\n", "", "content/notes/coal.md:2: front matter needs 'title'"),
    "front matter not closed": ("content/draft.md", "draft: true\n---", "draft: true\n", "content/draft.md:1: front matter is not closed"),
    "csv bad number": (
        "data/missiles.csv",
        "2015,15,2",
        "2015,fifteen,2",
        "data/missiles.csv:5: column 'missiles': not an integer, found 'fifteen'",
    ),
    "csv bad date": ("data/tests.csv", "2013-02-12", "2013-02-30", "data/tests.csv:4: column 'date_utc': not a calendar date"),
    "csv missing column": (
        "data/missiles.csv",
        "year,missiles,failures",
        "year,missiles",
        "data/missiles.csv:1: column 'failures' is missing",
    ),
    "csv extra column": (
        "data/missiles.csv",
        "year,missiles,failures",
        "year,missiles,failures,notes",
        "data/missiles.csv:1: column 'notes' is not in the schema",
    ),
    "csv short row": ("data/missiles.csv", "2016,24,10", "2016,24", "data/missiles.csv:6: expected 3 cells, found 2"),
    "dataset without source": (
        "data/datapackage.yaml",
        "    sources:\n      - title: Yao et al. 2018\n        path: https://doi.org/10.1785/0220180134\n",
        "    sources: []\n",
        "data/datapackage.yaml:29: dataset 'tests' has no source",
    ),
    "dataset missing sources key": (
        "data/datapackage.yaml",
        "    sources:\n      - title: Yao et al. 2018\n        path: https://doi.org/10.1785/0220180134\n",
        "",
        "data/datapackage.yaml:25: a data resource needs 'sources'",
    ),
    "chart without description": (
        "content/index.md",
        "description: Point chart. The sixth test, in 2017, was by far the largest.\n",
        "",
        "content/index.md:12: a chart block (Python form: id) needs 'description'",
    ),
    "unknown chart id": ("content/index.md", "id: yields", "id: yeilds", "content/index.md:13: unknown chart id 'yeilds'"),
    "unknown dataset": (
        "content/notes/coal.md",
        "data: missiles\nmark",
        "data: missile\nmark",
        "content/notes/coal.md:12: unknown dataset 'missile'",
    ),
    "unknown column": (
        "content/notes/coal.md",
        "x: year:O",
        "x: yaer:O",
        "content/notes/coal.md:14: column 'yaer' is not in dataset 'missiles'",
    ),
    "unknown mark": ("content/notes/coal.md", "mark: bar", "mark: pie", "content/notes/coal.md:13: unknown mark 'pie'"),
    "chart block YAML": ("content/notes/coal.md", "mark: bar", "mark: [bar", "content/notes/coal.md:14: invalid YAML"),
    "table unknown column": (
        "content/notes/coal.md",
        "  missiles: Missiles",
        "  missile: Missiles",
        "content/notes/coal.md:23: column 'missile' is not in dataset 'missiles'",
    ),
    "chart function fails": (
        "charts/yields.py",
        'y="yield_kt_central:Q"',
        'y=tests["no_such_column"]',
        "charts/yields.py:11: chart 'yields' failed: KeyError",
    ),
    "chart module syntax": ("charts/yields.py", "def yields(tests):", "def yields(tests)", "charts/yields.py:7: Python syntax error"),
    "template undefined": ("templates/page.html", "{{ page.title }}", "{{ page.titel }}", "templates/page.html:5: template error"),
    "template syntax": ("templates/page.html", "{% block main %}", "{% block main %", "templates/page.html:2: template syntax error"),
    "site config unknown key": ("site.toml", 'author = "Test desk"', 'autor = "Test desk"', "site.toml:4: unknown key 'autor'"),
    "lead chart unknown": (
        "content/index.md",
        "lead_chart: yields",
        "lead_chart: yeld",
        "content/index.md: lead_chart 'yeld' is not a chart",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_user_error_is_reported_with_file_and_line(case: str, built: Path, shared_cache: Path, capsys) -> None:
    path, old, new, expected = CASES[case]
    capsys.readouterr()
    edit(built / path, old, new)
    fails_with(built, shared_cache, expected, capsys)


def test_hint_lists_known_chart_ids(built: Path, shared_cache: Path, capsys) -> None:
    edit(built / "content/index.md", "id: yields", "id: yeilds")
    err = fails_with(built, shared_cache, "content/index.md:13: unknown chart id 'yeilds'", capsys)
    assert "hint: known: yields" in err


def test_undescribed_csv_is_an_error(built: Path, shared_cache: Path, capsys) -> None:
    (built / "data/extra.csv").write_text("a\n1\n")
    fails_with(built, shared_cache, "data/extra.csv: this CSV is not described", capsys)


def test_two_pages_for_one_url(built: Path, shared_cache: Path, capsys) -> None:
    (built / "content/notes/coal").mkdir()
    (built / "content/notes/coal/index.md").write_text("---\ntitle: T\ndescription: D\n---\n")
    fails_with(built, shared_cache, "already makes the page /notes/coal/", capsys)


def test_failure_while_writing_leaves_public_untouched(built: Path, shared_cache: Path, capsys) -> None:
    # A template that fails only at render time, after every input was read and validated.
    edit(built / "templates/_figure.html", "{{ chart.title }}", "{{ chart.title | no_such_filter }}")
    before = snapshot(built / "public")
    assert run(built, cache=shared_cache) == 1
    assert "templates/_figure.html:3: template syntax error" in capsys.readouterr().err
    assert snapshot(built / "public") == before


def test_render_time_error_in_a_warm_build_writes_nothing(built: Path, shared_cache: Path, capsys) -> None:
    # The warm build writes in place, but only after every page has rendered.
    edit(built / "content/index.md", "See [the notes]", "Read [the notes]")
    edit(built / "templates/page.html", "{{ page.title }}", "{{ page.title }}{{ page.no_such_field }}")
    fails_with(built, shared_cache, "templates/page.html", capsys)
    edit(built / "templates/page.html", "{{ page.no_such_field }}", "")
    assert run(built, cache=shared_cache) == 0
    assert "Read <a" in (built / "public/index.html").read_text()

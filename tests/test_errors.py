"""Every kind of user error: exit 1, ``path:line: message`` and the previous build untouched."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import make_site, run, snapshot


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
        "data/datapackage.yaml:25: dataset 'tests' has no source",
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
    "misspelt block name": (
        "content/notes/coal.md",
        "```datasets",
        "```dataset",
        "content/notes/coal.md:28: a fenced block named 'dataset' is not one Broadsheet knows: did you mean ```datasets?",
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
        "content/index.md:7: lead_chart 'yeld' is not a chart",
    ),
    "template unknown": (
        "content/index.md",
        "template: home",
        "template: nope",
        "content/index.md:6: template 'nope' does not exist",
    ),
    "front matter impossible date": (
        "content/notes/coal.md",
        "updated: 2026-11-30",
        "updated: 2026-02-30",
        "content/notes/coal.md:6: '2026-02-30' is not a calendar date",
    ),
    "chart block impossible date": (
        "content/notes/coal.md",
        "mark: bar",
        "mark: bar\nnotes: 2024-02-30",
        "content/notes/coal.md:14: '2024-02-30' is not a calendar date",
    ),
    "data package impossible date": (
        "data/datapackage.yaml",
        "name: test-site",
        "name: test-site\nversion: 2024-02-30",
        "data/datapackage.yaml:2: '2024-02-30' is not a calendar date",
    ),
    "constraints not a mapping": (
        "data/datapackage.yaml",
        "          description: Calendar year",
        "          description: Calendar year\n          constraints: yes",
        "data/datapackage.yaml:18: 'constraints' must be mapping, found true",
    ),
    "constraint not a boolean": (
        "data/datapackage.yaml",
        "          description: Calendar year",
        "          description: Calendar year\n          constraints: {required: maybe}",
        "data/datapackage.yaml:18: 'required' must be boolean, found 'maybe'",
    ),
    "fields not a list": (
        "data/datapackage.yaml",
        "      fields:\n        - name: test_number",
        "      fields: yes\n      primaryKey:\n        - name: test_number",
        "data/datapackage.yaml:33: 'fields' must be list, found true",
    ),
    "field not a mapping": (
        "data/datapackage.yaml",
        "        - name: test_number\n          type: integer\n",
        "        - test_number\n",
        "data/datapackage.yaml:34: each field must be a mapping",
    ),
    "field title not text": (
        "data/datapackage.yaml",
        "          description: Calendar year",
        "          description: [Calendar, year]",
        "data/datapackage.yaml:17: 'description' must be text",
    ),
    "unknown field type": (
        "data/datapackage.yaml",
        "- name: yield_kt_low\n          type: number",
        "- name: yield_kt_low\n          type: float",
        "data/datapackage.yaml:42: field 'yield_kt_low': unknown type 'float'",
    ),
    "source without URL": (
        "data/datapackage.yaml",
        "        path: https://doi.org/10.1785/0220180134\n",
        "",
        "data/datapackage.yaml:30: source 'Yao et al. 2018' has no URL",
    ),
    "csv number with underscore": (
        "data/tests.csv",
        "2,2009-05-25,7.7,",
        "2,2009-05-25,1_000,",
        "data/tests.csv:3: column 'yield_kt_central': not a number, found '1_000'",
    ),
    "csv Arabic-Indic digits": (
        "data/missiles.csv",
        "2015,15,2",
        "2015,\u0661\u0665,2",
        "data/missiles.csv:5: column 'missiles': not an integer",
    ),
    "csv control character": (
        "data/missiles.csv",
        "2015,15,2",
        "2015,15,2\x0b",
        "data/missiles.csv:5: control character U+000B is not allowed",
    ),
    "title control character escaped": (
        "content/notes/coal.md",
        "title: Missiles",
        'title: "Miss\\x01iles"',
        "content/notes/coal.md:2: control character U+0001 is not allowed in text",
    ),
    "title control character raw": (
        "content/notes/coal.md",
        "title: Missiles",
        "title: Miss\x1biles",
        "content/notes/coal.md:2: control character U+001B is not allowed in text",
    ),
    "body control character": (
        "content/notes/coal.md",
        "## By year",
        "## By\x0c year",
        "content/notes/coal.md:9: control character U+000C is not allowed in text",
    ),
    "chart title control character": (
        "content/notes/coal.md",
        "title: Missiles tested a year",
        'title: "Missiles\\u0007 tested a year"',
        "content/notes/coal.md:16: control character U+0007",
    ),
    "dataset title control character": (
        "data/datapackage.yaml",
        "title: Missiles tested by year",
        'title: "Missiles\\x1f tested by year"',
        "data/datapackage.yaml:5: control character U+001F",
    ),
    "chart id with a final newline": (
        "content/notes/coal.md",
        "data: missiles\nmark",
        'id: "missiles-a\\n"\ndata: missiles\nmark',
        "content/notes/coal.md:12: chart id 'missiles-a\\n' must be lowercase letters, digits and hyphens",
    ),
    "dataset name with a final newline": (
        "data/datapackage.yaml",
        "  - name: missiles\n",
        '  - name: "missiles\\n"\n',
        "data/datapackage.yaml:3: resource name 'missiles\\n' must use lowercase letters",
    ),
    "bound value in site.toml": (
        "site.toml",
        'description = "A small site',
        'description = "{= missiles[year=2016].missiles as d } missiles; a small site',
        "site.toml:2: 'description': a bound value can't stand in site.toml",
    ),
    "typed-by-hand marker in site.toml": (
        "site.toml",
        'title = "Test tests"',
        'title = "Test {! 24 } tests"',
        "site.toml:1: 'title': a bound value can't stand in site.toml",
    ),
    "resource path out of the package": (
        "data/datapackage.yaml",
        "path: missiles.csv",
        "path: ../../../outside.csv",
        "data/datapackage.yaml:4: path '../../../outside.csv' must be a file inside data/",
    ),
    "resource path out of the package, of a kind not read": (
        "data/datapackage.yaml",
        "path: missiles.csv",
        "path: ../../../etc/passwd",
        "data/datapackage.yaml:4: path '../../../etc/passwd' must be a file inside data/",
    ),
    "resource path out of the package, compressed": (
        "data/datapackage.yaml",
        "path: missiles.csv",
        "path: ../missiles.csv.gz",
        "data/datapackage.yaml:4: path '../missiles.csv.gz' must be a file inside data/",
    ),
    "resource path out of the package, a map": (
        "data/datapackage.yaml",
        "path: missiles.csv",
        "path: ../../world.topojson",
        "data/datapackage.yaml:4: path '../../world.topojson' must be a file inside data/",
    ),
    "site title control character": (
        "site.toml",
        'title = "Test tests"',
        'title = "Test\\u0001 tests"',
        "site.toml:1: 'title': control character",
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


def test_non_utf8_site_toml(built: Path, shared_cache: Path, capsys) -> None:
    path = built / "site.toml"
    path.write_bytes(path.read_bytes().replace(b"Test desk", b"Test d\xe9sk"))
    fails_with(built, shared_cache, "site.toml:4: not valid UTF-8 text", capsys)


def test_non_utf8_data_package(built: Path, shared_cache: Path, capsys) -> None:
    path = built / "data/datapackage.yaml"
    path.write_bytes(path.read_bytes().replace(b"Yao et al. 2018 &", b"Yao et al. 2018 \xff&"))
    fails_with(built, shared_cache, "data/datapackage.yaml:28: not valid UTF-8 text", capsys)


# ~450 bytes that expand to 9**9 values under one key: printing the value in an error
# ("'authors' must be list of text, found ...") took minutes and gigabytes.
BOMB = "[&a [lol, lol, lol, lol, lol, lol, lol, lol, lol], " + ", ".join(
    f"&{name} [{', '.join(['*' + previous] * 9)}]" for previous, name in zip("abcdefgh", "bcdefghi", strict=True)
)
BOMB += "]"


@pytest.mark.parametrize(
    "path, old, new, line",
    [
        ("content/notes/coal.md", "nav_title: Missiles", "authors: BOMB", 5),  # front matter
        ("data/datapackage.yaml", "name: test-site", "name: BOMB", 1),
        ("content/notes/coal.md", "mark: bar", "mark: BOMB", 13),  # a chart block
    ],
)
def test_yaml_alias_bomb_is_refused(path: str, old: str, new: str, line: int, built: Path, shared_cache: Path, capsys) -> None:
    edit(built / path, old, new.replace("BOMB", BOMB))
    fails_with(built, shared_cache, f"{path}:{line}: this YAML expands to more than 100,000 values", capsys)


def test_yaml_alias_that_contains_itself(built: Path, shared_cache: Path, capsys) -> None:
    edit(built / "content/notes/coal.md", "nav_title: Missiles\n", "nav_title: Missiles\nx: &x {y: *x}\n")
    fails_with(built, shared_cache, "content/notes/coal.md:6: this YAML value contains itself", capsys)


def test_page_over_the_size_limit(built: Path, shared_cache: Path, capsys) -> None:
    paragraph = "Words of a very long page, and more words. " * 20 + "\n\n"
    with (built / "content/notes/coal.md").open("a") as page:
        page.write(paragraph * 3000)  # 2.6 MB
    err = fails_with(built, shared_cache, "content/notes/coal.md:", capsys)
    assert "a page may have at most 100,000 bytes" in err


def test_page_size_error_names_the_line_past_the_limit(built: Path, shared_cache: Path, capsys) -> None:
    with (built / "content/notes/coal.md").open("a") as page:
        page.write("A line of text that is fifty characters long, ok.\n" * 3000)
    fails_with(built, shared_cache, "content/notes/coal.md:2024: the page is 150,536 bytes", capsys)


def test_page_of_brackets(built: Path, shared_cache: Path, capsys) -> None:
    with (built / "content/notes/coal.md").open("a") as page:
        page.write("\nText.\n\n" + "[" * 40_000 + "\n")
    fails_with(built, shared_cache, "content/notes/coal.md:38: too many '[' for Markdown", capsys)


def test_page_of_unclosed_tags(built: Path, shared_cache: Path, capsys) -> None:
    with (built / "content/notes/coal.md").open("a") as page:
        page.write("\n" + "<x " * 10_000 + "\n")
    fails_with(built, shared_cache, "content/notes/coal.md:36: more than 500 '<'", capsys)


def test_deeply_nested_emphasis(built: Path, shared_cache: Path, capsys) -> None:
    with (built / "content/notes/coal.md").open("a") as page:
        page.write("\n" + "*" * 5000 + "a" + "*" * 5000 + "\n")
    fails_with(built, shared_cache, "content/notes/coal.md:8: Markdown nested too deeply", capsys)  # (at the body: the depth has no line)


def test_a_first_build_that_fails_leaves_nothing_beside_the_site(tmp_path: Path, capsys) -> None:
    """No public/ yet (a fresh clone, or a deleted cache): the build stages its output
    beside the site; bad input must not leave that staging folder behind."""
    site = make_site(tmp_path)
    edit(site / "content/notes/coal.md", "order: 2", "order: [2")
    assert run(site, cache=tmp_path / "cache") == 1
    assert "content/notes/coal.md:5: invalid YAML" in capsys.readouterr().err
    assert not [p.name for p in site.iterdir() if p.name.startswith(".public") or p.name == "public"]


@pytest.mark.parametrize(
    "name, value",
    [("BROADSHEET_CHART_TIMEOUT", v) for v in ("1e400", "inf", "0", "-5", "nan", "abc", "1e9")]
    + [("BROADSHEET_CHART_MEMORY", v) for v in ("0", "-5", "abc", "1.5", "1e400", "99999999999")]
    + [("BROADSHEET_WORKERS", v) for v in ("0", "-5", "abc", "1.5", "100000")],
)
def test_a_bad_environment_setting_is_an_error_not_a_traceback_or_a_guess(
    name: str, value: str, built: Path, shared_cache: Path, monkeypatch, capsys
) -> None:
    """A limit that is not a number in range was clamped, ignored or overflowed: it is
    reported, by name, before anything is built."""
    monkeypatch.setenv(name, value)
    err = fails_with(built, shared_cache, f"${name}: must be ", capsys)
    assert repr(value) in err


@pytest.mark.parametrize(
    "name, value, message",
    [
        (
            "BROADSHEET_WORKERS",
            "abc",
            "must be a whole number of processes from 1 to 1,024, found 'abc'\n  hint: unset it for the default: as many as the cores",
        ),
        ("BROADSHEET_CHART_MEMORY", "99999999999", "must be a whole number of megabytes from 768 to 1,048,576, found '99999999999'"),
        (
            "BROADSHEET_CHART_MEMORY",
            "1",
            "must be a whole number of megabytes from 768 to 1,048,576, found '1'\n"
            "  hint: unset it for the default, 3,072 megabytes; the chart renderer needs 768 to start",
        ),
        ("BROADSHEET_CHART_TIMEOUT", "1e9", "must be a number of seconds above 0 and at most 86,400, found '1e9'"),
    ],
)
def test_an_environment_setting_is_explained_as_people_write_numbers(
    name: str, value: str, message: str, built: Path, shared_cache: Path, monkeypatch, capsys
) -> None:
    """'at most 1.04858e+06', 'unset it for the default, 0 processes' (0 meaning as many as
    the cores), and =1 ended in 'the chart renderer could not start' without naming it."""
    monkeypatch.setenv(name, value)
    fails_with(built, shared_cache, f"${name}: {message}", capsys)


TEMPLATE_LOOPS = {
    # the README's theme/base.html recipe, with the prefix forgotten
    "base extends itself": (
        {"base.html": '{% extends "base.html" %}\n{% block head %}<link rel="me">{% endblock %}\n'},
        "templates/base.html:1: ",
    ),
    "two templates include each other": (
        {"_byline.html": '<p>{% include "_corrections.html" %}</p>\n', "_corrections.html": '{% include "_byline.html" %}\n'},
        "templates/_",
    ),
    "a macro that calls itself": (
        {"_byline.html": "{% macro again() %}{{ again() }}{% endmacro %}\n{{ again() }}\n"},
        "templates/_byline.html:1: ",
    ),
}


@pytest.mark.parametrize("case", list(TEMPLATE_LOOPS))
def test_a_template_that_uses_itself_without_end_is_an_error_at_its_line(case: str, built: Path, shared_cache: Path, capsys) -> None:
    files, expected = TEMPLATE_LOOPS[case]
    for name, text in files.items():
        (built / "templates" / name).write_text(text)
    err = fails_with(built, shared_cache, expected, capsys)
    assert "RecursionError" not in err and "itself" in err, err


@pytest.mark.parametrize("data", ['["layout"]', '["tests", "layout"]'])
def test_a_dataset_named_like_the_layout_argument_is_an_error_at_the_chart(data: str, built: Path, shared_cache: Path, capsys) -> None:
    """A chart function gets its datasets as keyword arguments and, if it takes ``layout``,
    the layout's name: a dataset named ``layout`` gave Python's 'multiple values' error."""
    (built / "charts/extra.py").write_text(
        f'from broadsheet import chart\n\n\n@chart("extra", data={data})\ndef extra(layout, tests=None):\n    return None\n'
    )
    err = fails_with(
        built, shared_cache, "charts/extra.py:4: chart 'extra': dataset 'layout' would arrive as the argument 'layout'", capsys
    )
    assert "multiple values" not in err


STEPS = """
```scrolly
chart: missiles-tested-a-year
steps:
  - text: |
      TEXT
    alt: Every bar.
  - text: The second step.
    alt: Every bar again.
```
"""
MARKDOWN_PLACES = {
    "chart notes": ("description: Bar chart. Tests peaked in 2016 with 24 missiles.", "description: Bar chart.\nnotes: 'TEXT'"),
    "table notes": ("title: The numbers", "title: The numbers\nnotes: 'TEXT'"),
    "scrolly step text": ("```datasets", STEPS.strip() + "\n\n```datasets"),
}
HEAVY = {"brackets": ("[" * 30_000, "too many '[' for Markdown"), "open tags": ("<x " * 2_000, "more than 500 '<'")}


@pytest.mark.parametrize("heavy", list(HEAVY))
@pytest.mark.parametrize("place", list(MARKDOWN_PLACES))
def test_markdown_limits_hold_wherever_markdown_is_converted(place: str, heavy: str, built: Path, shared_cache: Path, capsys) -> None:
    """Step text and chart notes skipped the limits that protect a page's body: 60 KB of
    them held a build for minutes."""
    old, new = MARKDOWN_PLACES[place]
    text, message = HEAVY[heavy]
    page = built / "content/notes/coal.md"
    page.write_text(page.read_text().replace(old, new.replace("TEXT", text), 1))
    line = next(n for n, x in enumerate(page.read_text().split("\n"), 1) if text[:30] in x)
    fails_with(built, shared_cache, f"content/notes/coal.md:{line}: {message}", capsys)


def plain_pages(site: Path, count: int = 3) -> None:
    """The site's pages replaced by pages that show no chart, table or dataset (its data/ and charts/ stay)."""
    for page in (site / "content").rglob("*.md"):
        page.unlink()
    for n in range(count):
        (site / f"content/p{n}.md").write_text(f'---\ntitle: "Page {n}"\ndescription: "Plain."\n---\n\nText.\n')


@pytest.mark.parametrize(
    ("path", "old", "new", "expected", "pages"),
    [
        ("data/tests.csv", "1,2006-10-09,0.48,,", "1,2006-10-09,n/a,,", "data/tests.csv:2: column 'yield_kt_central': not a number", 3),
        ("data/tests.csv", "1,2006-10-09,0.48,,", "1,2006-10-09,n/a,,", "data/tests.csv:2: column 'yield_kt_central': not a number", 150),
        ("charts/yields.py", "import", "imprt", "charts/yields.py:", 3),
    ],
)
def test_data_and_charts_no_page_uses_are_still_checked(
    path: str, old: str, new: str, expected: str, pages: int, built: Path, shared_cache: Path, capsys
) -> None:
    plain_pages(built, pages)  # (150: checked while the page workers write the pages)
    edit(built / path, old, new)
    fails_with(built, shared_cache, expected, capsys)


def test_a_site_whose_pages_use_no_data_reads_it_after_its_pages(built: Path, shared_cache: Path, capsys) -> None:
    from broadsheet.config import load_config
    from broadsheet.site import load_site
    from broadsheet.state import BuildState

    config = load_config(built)
    assert load_site(config, BuildState(), defer_unused=True).later is None, "its pages show charts: data first"
    plain_pages(built)
    site = load_site(config, BuildState(), defer_unused=True)
    assert not site.package.datasets and site.later is not None
    assert set(site.later().package.datasets) == {"missiles", "tests"}
    assert run(built, cache=shared_cache) == 0
    assert "2 datasets" in capsys.readouterr().out
    assert (built / "public/data/tests.csv").read_bytes() == (built / "data/tests.csv").read_bytes()


def link(n: int) -> str:
    return f"[source {n}](https://example.org/sources/{n})"


LINK_PAGES = {
    "list": "\n".join(f"- {link(n)}" for n in range(400)),
    "paragraph": " ".join(link(n) for n in range(600)),
    "table": "| Source | Row |\n|---|---|\n" + "\n".join(f"| {link(n)} | {n} |" for n in range(800)),
    "references": " ".join(f"[s{n}][r{n}]" for n in range(1500)) + "\n\n" + "\n".join(f"[r{n}]: https://e.org/{n}" for n in range(1500)),
}


def test_long_lists_of_links_build(built: Path, shared_cache: Path, capsys) -> None:
    """A source list of 400 links, a paragraph of 600, a table of 800 linked rows: Python-
    Markdown converts each in a fraction of a second, and they were refused."""
    for name, body in LINK_PAGES.items():
        (built / f"content/links-{name}.md").write_text(f"---\ntitle: Links\ndescription: D\n---\n\n{body}\n")
    assert run(built, cache=shared_cache) == 0, capsys.readouterr().err
    assert (built / "public/links-table/index.html").read_text().count('href="https://example.org/sources/') == 800


SLOW_BRACKETS = {
    # the Markdown; the line of the run that costs the most (in the text below)
    "a list item of '['": ("- a\n- " + "[" * 5_000 + "\n- b", 2),
    "a table cell of '['": ("| a | b |\n|---|---|\n| x | y |\n| z | " + "[" * 5_000 + " |", 4),
    "'[a ' in one paragraph": ("Text.\n\n" + "[a " * 3_000, 3),
    "one paragraph over many lines": ("Text.\n\n" + "[ a\n" * 3_000, 3),
    "links that never close their '('": ("[x](" * 5_000, 1),
    "images likewise": ("![x](" * 5_000, 1),
    "nested brackets": ("[" * 3_000 + "x" + "]" * 3_000, 1),
    "'[' then a long run": ("[" * 1_000 + "x" * 10_000, 1),
}


@pytest.mark.parametrize("case", list(SLOW_BRACKETS))
def test_brackets_that_keep_markdown_busy_are_refused_at_their_run(case: str) -> None:
    """What is slow (seconds of stock Python-Markdown): a '[' or a link's '(' that its
    inline run never closes scans the rest of the run. Counted per list item, table cell
    and paragraph."""
    from broadsheet.errors import SiteError
    from broadsheet.prose import check_limits

    text, line = SLOW_BRACKETS[case]
    with pytest.raises(SiteError) as caught:
        check_limits("content/t.md", text, 1)
    assert (caught.value.line, caught.value.message[:55]) == (line, "too many '[' for Markdown to convert in reasonable time")


def test_many_short_runs_of_brackets_are_quick_and_allowed() -> None:
    from broadsheet.prose import check_limits

    check_limits("content/t.md", "\n".join("- " + "[a " * 30 for _ in range(100)), 1)  # (0.05 s stock: 100 items)
    check_limits("content/t.md", "[x]" * 5_000, 1)  # (closed at once)

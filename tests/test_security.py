"""What the engine publishes, and what it reads, stays inside safe bounds: only web, mail
and site links; a well-formed base URL; no file from outside the site; no page where the
build puts its own files; data that is what its ``hash`` says."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import run, snapshot
from test_errors import edit, fails_with

from broadsheet.cli import main


def fails_with_args(site: Path, cache: Path, args: list[str], expected: str, capsys) -> str:
    before = snapshot(site / "public")
    assert run(site, "build", *args, cache=cache) == 1
    err = capsys.readouterr().err
    assert expected in err, err
    assert "Traceback" not in err
    assert snapshot(site / "public") == before
    return err


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,<b>x</b>", "//evil.example/", "/\\\\evil.example/x", "example.org"],
)
def test_source_url_must_be_web_mail_or_site_path(url: str, built: Path, shared_cache: Path, capsys) -> None:
    edit(built / "data/datapackage.yaml", "path: https://doi.org/10.1785/0220180134", f'path: "{url}"')
    fails_with(built, shared_cache, "data/datapackage.yaml:31: source 'Yao et al. 2018': path", capsys)


def test_license_url_is_checked_too(built: Path, shared_cache: Path, capsys) -> None:
    edit(built / "data/datapackage.yaml", "title: Facts as reported by the source", 'title: Facts\n        path: "javascript:x"')
    fails_with(built, shared_cache, "data/datapackage.yaml:13: license 'Facts': path 'javascript:x' must be", capsys)


@pytest.mark.parametrize("url", ["mailto:desk@example.org", "/data/", "http://example.org/a?b=c"])
def test_allowed_source_urls(url: str, built: Path, shared_cache: Path) -> None:
    edit(built / "data/datapackage.yaml", "path: https://doi.org/10.1785/0220180134", f'path: "{url}"')
    assert run(built, cache=shared_cache) == 0
    assert f'href="{url}"' in (built / "public/index.html").read_text()


@pytest.mark.parametrize(
    "value",
    ["example.org/sub/", 'https://example.org/"x', "https://example.org/<b>", "/a b/", "ftp://example.org/", "https:///x", "/../../"]
    + ["https://user:pw@example.org/"],
)
def test_bad_base_url_in_site_toml(value: str, built: Path, shared_cache: Path, capsys) -> None:
    edit(built / "site.toml", 'base_url = "https://example.org/"', f"base_url = '{value}'")
    fails_with(built, shared_cache, f"site.toml:3: base_url {value!r} must be a path like /nk/ or a URL", capsys)


def test_bad_base_url_option(built: Path, shared_cache: Path, capsys) -> None:
    fails_with_args(built, shared_cache, ["--base-url", "example.org/sub/"], "--base-url: 'example.org/sub/' must be a path", capsys)


def test_relative_base_url_warns_once(built: Path, shared_cache: Path, capsys) -> None:
    capsys.readouterr()
    assert run(built, "build", "--base-url", "/sub/", cache=shared_cache) == 0
    warnings = [line for line in capsys.readouterr().err.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1 and "no feed.xml, sitemap.xml or robots.txt Sitemap line" in warnings[0]
    assert run(built, cache=shared_cache) == 0  # absolute in site.toml: no warning
    assert "warning:" not in capsys.readouterr().err


def test_csv_linked_from_outside_the_site_is_refused(built: Path, shared_cache: Path, tmp_path: Path, capsys) -> None:
    outside = tmp_path / "secret.csv"
    outside.write_text((built / "data/missiles.csv").read_text())
    (built / "data/missiles.csv").unlink()
    (built / "data/missiles.csv").symlink_to(outside)
    fails_with(built, shared_cache, "data/datapackage.yaml:4: data/missiles.csv is a link to a file outside the site", capsys)


def test_link_inside_the_site_is_fine(built: Path, shared_cache: Path) -> None:
    (built / "elsewhere").mkdir()
    (built / "data/missiles.csv").rename(built / "elsewhere/missiles.csv")
    (built / "data/missiles.csv").symlink_to(built / "elsewhere/missiles.csv")
    assert run(built, cache=shared_cache) == 0


def test_page_linked_from_outside_the_site_is_refused(built: Path, shared_cache: Path, tmp_path: Path, capsys) -> None:
    outside = tmp_path / "elsewhere.md"
    outside.write_text("---\ntitle: T\ndescription: D\n---\nSecret.\n")
    (built / "content/elsewhere.md").symlink_to(outside)
    fails_with(built, shared_cache, "content/elsewhere.md:1: content/elsewhere.md is a link to a file outside the site", capsys)


def test_fifo_in_data_does_not_hang(built: Path, shared_cache: Path, capsys) -> None:
    (built / "data/missiles.csv").unlink()
    os.mkfifo(built / "data/missiles.csv")
    fails_with(built, shared_cache, "data/datapackage.yaml:4: data/missiles.csv is not a regular file", capsys)


def test_fifo_added_to_data_after_a_build_is_seen(built: Path, shared_cache: Path, capsys) -> None:
    os.mkfifo(built / "data/extra.csv")  # (the warm build must notice it, as a cold one does)
    fails_with(built, shared_cache, "data/extra.csv: this CSV is not described", capsys)


def test_fifo_in_content_does_not_hang(built: Path, shared_cache: Path, capsys) -> None:
    os.mkfifo(built / "content/pipe.md")
    fails_with(built, shared_cache, "content/pipe.md:1: content/pipe.md is not a regular file", capsys)


def test_fifo_as_data_package_does_not_hang(built: Path, shared_cache: Path, capsys) -> None:
    (built / "data/datapackage.yaml").unlink()
    os.mkfifo(built / "data/datapackage.yaml")
    fails_with(built, shared_cache, "data/datapackage.yaml:1: data/datapackage.yaml is not a regular file", capsys)


@pytest.mark.parametrize("src", ["embed/yields.md", "charts/x.md", "static/style.md", "data/missiles.md", "social/card.md", "404.md"])
def test_page_where_the_build_writes_its_own_files(src: str, built: Path, shared_cache: Path, capsys) -> None:
    path = built / "content" / src
    path.parent.mkdir(exist_ok=True)
    path.write_text("---\ntitle: T\ndescription: D\n---\nText.\n")
    fails_with(built, shared_cache, f"content/{src}:1: the page /{src.removesuffix('.md')}/ would collide", capsys)


def _with_hash(site: Path, value: str) -> None:
    edit(site / "data/datapackage.yaml", "    path: missiles.csv\n", f'    path: missiles.csv\n    hash: "{value}"\n')


@pytest.mark.parametrize("algorithm", ["sha256", "md5", "sha1", "sha512", ""])
def test_resource_hash_is_verified(algorithm: str, built: Path, shared_cache: Path, capsys) -> None:
    raw = (built / "data/missiles.csv").read_bytes()
    digest = hashlib.new(algorithm or "md5", raw).hexdigest()
    _with_hash(built, f"{algorithm}:{digest}" if algorithm else digest)
    assert run(built, cache=shared_cache) == 0
    edit(built / "data/missiles.csv", "2015,15,2", "2015,16,2")
    fails_with(built, shared_cache, "data/datapackage.yaml:5: resource 'missiles': data/missiles.csv does not match its hash", capsys)


def test_resource_hash_with_unknown_algorithm(built: Path, shared_cache: Path, capsys) -> None:
    _with_hash(built, "crc32:1234abcd")
    fails_with(built, shared_cache, "data/datapackage.yaml:5: resource 'missiles': unknown hash algorithm 'crc32'", capsys)


def test_resource_hash_malformed(built: Path, shared_cache: Path, capsys) -> None:
    _with_hash(built, "sha256:abc")
    fails_with(built, shared_cache, "data/datapackage.yaml:5: resource 'missiles': hash must be sha256:<64 hex digits>", capsys)


def test_fifo_in_charts_does_not_hang(built: Path, shared_cache: Path, capsys) -> None:
    os.mkfifo(built / "charts/pipe.py")
    fails_with(built, shared_cache, "charts/pipe.py: charts/pipe.py is not a regular file", capsys)


@pytest.mark.parametrize("rel", ["charts/outside.py", "static/outside.txt", "templates/page.html"])
def test_theme_and_chart_files_linked_from_outside_the_site_are_refused(
    rel: str, built: Path, shared_cache: Path, tmp_path: Path, capsys
) -> None:
    """A link in charts/, templates/ or static/ to a file elsewhere (/etc/passwd, say)
    would publish that file: refused as in content/ and data/."""
    outside = tmp_path / "secret.txt"
    outside.write_text("root:x:0:0\n")
    (built / rel).unlink(missing_ok=True)
    (built / rel).symlink_to(outside)
    fails_with(built, shared_cache, f"{rel}: {rel} is a link to a file outside the site", capsys)


LOOPS = {
    # name: (links made, each to the next name, the last to the first; expected message)
    "a page to itself": (["content/loop.md"], "content/loop.md:1: content/loop.md is a loop of links"),
    "a CSV to itself": (["data/missiles.csv"], "data/datapackage.yaml:4: data/missiles.csv is a loop of links"),
    "two images to each other": (["content/a.png", "content/b.png"], "content/a.png: content/a.png is a loop of links"),
    "the data package": (["data/datapackage.yaml"], "data/datapackage.yaml:1: data/datapackage.yaml is a loop of links"),
    "a chart module": (["charts/loop.py"], "charts/loop.py: charts/loop.py is a loop of links"),
    "a template": (["templates/page.html"], "templates/page.html: templates/page.html is a loop of links"),
    "the templates folder": (["templates"], "templates: templates is a loop of links"),
    "site.toml": (["site.toml"], "site.toml:1: site.toml is a loop of links"),
}


@pytest.mark.parametrize("case", LOOPS, ids=list(LOOPS))
def test_a_loop_of_links_is_an_error_at_the_link(case: str, built: Path, shared_cache: Path, capsys) -> None:
    """A link to itself (``ln -s loop.md loop.md``), or links to each other, wherever the
    build follows a site path: one line, never Python's 'Symlink loop'."""
    links, expected = LOOPS[case]
    for n, rel in enumerate(links):
        path = built / rel
        shutil.rmtree(path) if path.is_dir() else path.unlink(missing_ok=True)
        path.symlink_to(Path(links[(n + 1) % len(links)]).name)
    fails_with(built, shared_cache, expected, capsys)


@pytest.mark.parametrize(
    "link", ["[click](javascript:alert(1))", "[click][x]\n\n[x]: JavaScript:alert(1)", '<a href="javascript:alert(1)">click</a>']
)
def test_a_page_cannot_link_to_a_script(link: str, built: Path, shared_cache: Path, capsys) -> None:
    page = built / "content/notes/coal.md"
    page.write_text(page.read_text() + "\n\nSee " + link + "\n")
    line = page.read_text().split("\n").index(next(x for x in page.read_text().split("\n") if "avaScript:" in x or "avascript:" in x)) + 1
    fails_with(built, shared_cache, f"content/notes/coal.md:{line}: link ", capsys)


@pytest.mark.parametrize("name", ["my story; touch pwned", "$(touch pwned)", "`touch pwned`", 'it\'s "here"', "-rf", "tab\there"])
def test_new_prints_next_steps_a_posix_shell_runs_as_written(name: str, tmp_path: Path, monkeypatch, capsys) -> None:
    """The next-step commands are pasted into a shell: a folder name holding ';', '$()' or
    backticks must reach the command as one argument and run nothing."""
    monkeypatch.chdir(tmp_path)
    assert main(["new", "--", name]) == 0
    printed = [line.strip() for line in capsys.readouterr().out.splitlines() if line.strip().startswith("broadsheet ")]
    assert len(printed) == 2
    for command in printed:
        shown = subprocess.run(
            ["sh", "-c", 'broadsheet() { printf "%s\\0" "$@"; }\n' + command], cwd=tmp_path, capture_output=True, text=True, check=True
        )
        words = shown.stdout.split("\0")[:-1]
        assert words[1] == "--root" and (tmp_path / words[2]).resolve() == (tmp_path / name).resolve(), words
        assert not words[2].startswith("-"), "the command line would read the folder as an option"
    assert not (tmp_path / "pwned").exists()


SCROLLY = """
```scrolly
chart: missiles-tested-a-year
steps:
  - text: |
      The first step STEP
    alt: Every bar ALT
  - text: The second step.
    alt: Every bar again.
```
"""

# A script link, encoded as a browser would still follow it: entities for the tab, newline
# and carriage return browsers drop from addresses, mixed case, other script schemes.
SCRIPT_LINKS = {
    "tab entity": "[x](java&#x09;script:alert(1))",
    "named tab": "[x](java&Tab;script:alert(1))",
    "decimal tab without ;": '<a href="java&#9script:alert(1)">x</a>',
    "newline entity": '<a href="java&#x0A;script:alert(1)">x</a>',
    "named newline": "[x][r]\n\n[r]: java&NewLine;script:alert(1)",
    "carriage return": "[x](java&#13;script:alert(1))",
    "mixed case": "[x](JaVaScRiPt:alert(1))",
    "entity letter": "[x](&#106;avascript:alert(1))",
    "entity colon": "[x](javascript&colon;alert(1))",
    "vbscript": "[x](vbscript:msgbox(1))",
    "data document": "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "unquoted attribute": "<a href=javascript:alert(1)>x</a>",
    "leading spaces": '<a href="  javascript:alert(1)">x</a>',
    "split over lines": '<a\nhref="java\nscript:alert(1)">x</a>',
    "a '>' in another attribute": '<a title="a>b" href="javascript:alert(1)">x</a>',
    "image": "![x](javascript:alert(1))",
    "iframe": '<iframe src="data:text/html,<script>alert(1)</script>"></iframe>',
    "form action": '<form action="javascript:alert(1)"><button>Go</button></form>',
    "svg link": '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    "srcset": '<img alt="x" srcset="/static/favicon.svg 1x, javascript:alert(1) 2x">',
    "refresh": '<meta http-equiv="refresh" content="0; url=javascript:alert(1)">',
    "svg set": '<svg><a><set attributeName="href" to="javascript:alert(1)"/><text y="20">x</text></a></svg>',
    "svg animate": '<svg><a><animate attributeName="href" values="javascript:alert(1)"/><text y="20">x</text></a></svg>',
    "svg animate, second value": '<svg><a><animate attributeName="xlink:href" values="/coal/; JaVa&#x09;Script:alert(1)"/></a></svg>',
    "svg animate from": '<svg><a><animate attributeName="&#104;ref" from="javascript:alert(1)" to="/"/></a></svg>',
    "svg set, unquoted": "<svg><a><SET attributeName=HREF to=javascript:alert(1) /></a></svg>",
}


@pytest.mark.parametrize("case", list(SCRIPT_LINKS))
def test_a_script_link_in_any_encoding_is_refused_at_its_line(case: str, built: Path, shared_cache: Path, capsys) -> None:
    page = built / "content/notes/coal.md"
    text = page.read_text() + "\n\nSee " + SCRIPT_LINKS[case] + "\n"
    page.write_text(text)
    line = next(n for n, x in enumerate(text.split("\n"), 1) if re.search(r"java|script|data:|JaVa|&#106;", x) and n > 30)
    fails_with(built, shared_cache, f"content/notes/coal.md:{line}: link '", capsys)


# Every place an author's Markdown becomes HTML (and the texts a template may show as Markdown).
PLACES = {
    "body": ("## By year {#by-year}", "## By year {#by-year}\n\nLINK"),
    "scrolly step text": ("```datasets", SCROLLY.strip() + "\n\n```datasets"),
    "scrolly step alt": ("```datasets", SCROLLY.strip().replace("ALT", "LINK", 1) + "\n\n```datasets"),
    "chart notes": ("description: Bar chart. Tests peaked in 2016 with 24 missiles.", "notes: 'LINK'\ndescription: Bar chart."),
    "chart description": ("description: Bar chart. Tests peaked in 2016 with 24 missiles.", "description: 'LINK'"),
    "table notes": ("title: The numbers", "title: The numbers\nnotes: 'LINK'"),
    "front matter description": ("description: A declarative chart and a table.", "description: 'LINK'"),
    "correction": ("updated: 2026-11-30", "updated: 2026-11-30\ncorrections:\n  - date: 2026-11-30\n    text: 'LINK'"),
}


@pytest.mark.parametrize("place", list(PLACES))
def test_a_script_link_is_refused_wherever_author_markdown_becomes_html(place: str, built: Path, shared_cache: Path, capsys) -> None:
    old, new = PLACES[place]
    page = built / "content/notes/coal.md"
    text = page.read_text().replace(old, new.replace("STEP", "LINK").replace("LINK", "[x](java&#x09;script:alert(1))"), 1)
    assert "java&#x09;script" in text
    page.write_text(text)
    line = next(n for n, x in enumerate(text.split("\n"), 1) if "script:" in x)
    fails_with(built, shared_cache, f"content/notes/coal.md:{line}: link 'java&#x09;script:alert' would run a script", capsys)


LINK = "'[x](java&#x09;script:alert(1)) Text.'"
FILTERED = {
    # template, its edit, the text's file and edit, where the error is reported
    "dataset description": (
        ("_datasets.html", "<p>{{ paragraph }}</p>", "{{ paragraph | markdown(inline=False) }}"),
        ("data/datapackage.yaml", "description: Count of missiles tested a year, from the CNS database mirror.", f"description: {LINK}"),
        "templates/_datasets.html:",  # (text from data has no line of its own: the template's is given)
    ),
    "page description": (
        ("page.html", "{{ page.description }}", "{{ page.description | markdown }}"),
        ("content/notes/coal.md", "description: A declarative chart and a table.", f"description: {LINK}"),
        "content/notes/coal.md:3:",  # (checked where it is written, whatever the templates)
    ),
}


@pytest.mark.parametrize("case", list(FILTERED))
def test_text_a_template_converts_with_the_markdown_filter_is_guarded_too(case: str, built: Path, shared_cache: Path, capsys) -> None:
    """A site's template may show any text as Markdown (a dataset's description): the
    filter is the same guarded path."""
    (template, old, new), (path, text_old, text_new), where = FILTERED[case]
    edit(built / "templates" / template, old, new)
    edit(built / path, text_old, text_new)
    err = fails_with(built, shared_cache, where, capsys)
    assert "would run a script" in err, err


SMIL = "<svg><a><set attributeName=href to=javascript:alert(1) /><text>x</text></a></svg>"


@pytest.mark.parametrize("place", ["chart notes", "scrolly step text", "table notes"])
def test_an_svg_animation_to_a_script_is_refused_in_notes_and_steps(place: str, built: Path, shared_cache: Path, capsys) -> None:
    old, new = PLACES[place]
    page = built / "content/notes/coal.md"
    text = page.read_text().replace(old, new.replace("STEP", "LINK").replace("'LINK'", f'"{SMIL}"').replace("LINK", SMIL), 1)
    page.write_text(text)
    line = next(n for n, x in enumerate(text.split("\n"), 1) if "script:" in x)
    fails_with(built, shared_cache, f"content/notes/coal.md:{line}: link 'javascript:alert(1)' would run a script", capsys)


def test_an_svg_animation_that_sets_no_address_passes(built: Path, shared_cache: Path) -> None:
    page = built / "content/notes/coal.md"
    svg = '<svg><rect width="9" height="9"><animate attributeName="fill" values="red;blue" dur="2s"/></rect>'
    svg += '<a href="/coal/"><set attributeName="href" to="/notes/coal/"/><text y="20">x</text></a></svg>'
    page.write_text(page.read_text() + "\n\n" + svg + "\n")
    assert run(built, cache=shared_cache) == 0


def test_check_finds_a_script_link_a_template_writes(built: Path, shared_cache: Path, capsys) -> None:
    edit(built / "templates/page.html", "<h1>{{ page.title }}</h1>", '<h1><a href="java&#x09;script:alert(1)">{{ page.title }}</a></h1>')
    capsys.readouterr()
    assert run(built, "check", cache=shared_cache) == 1
    assert "link 'java\\tscript:alert(1)' would run a script" in capsys.readouterr().err
    edit(built / "templates/page.html", "java&#x09;script:alert(1)", '/"><set attributeName="href" to="javascript:alert(2)')
    assert run(built, "check", cache=shared_cache) == 1
    assert "link 'javascript:alert(2)' would run a script" in capsys.readouterr().err

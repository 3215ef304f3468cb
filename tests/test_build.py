"""Whole builds of the test site through the real command line."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, make_site, run, snapshot

from broadsheet import workers as chart_workers


def test_build_publishes_figures_with_inline_svg_sources_and_data(site: Path, shared_cache: Path, capsys) -> None:
    assert run(site, cache=shared_cache) == 0
    assert re.match(r"Built 2 pages \(\d rendered\), 2 charts \(\d from cache\), 2 datasets in [\d.]+ s", capsys.readouterr().out)
    html = (site / "public/index.html").read_text()
    figure = html[html.index('<figure class="chart" id="yields"') :]
    figure = figure[: figure.index("</figure>")]
    assert '<svg role="img" aria-label="Point chart. The sixth test, in 2017, was by far the largest."' in figure
    assert '<a href="https://doi.org/10.1785/0220180134" rel="external noopener">Yao et al. 2018</a>' in figure
    assert '<a href="/data/tests.csv" download>Download the data (CSV)</a>' in figure
    assert "<caption>Estimated yields (part 1 of 2)</caption>" in figure  # the plotted data, one table per layer
    assert (site / "public/data/tests.csv").read_bytes() == (site / "data/tests.csv").read_bytes()
    spec_url = re.search(r'data-spec="(/charts/yields\.[0-9a-f]{10}\.json)"', figure).group(1)
    assert (site / "public" / spec_url.lstrip("/")).exists()


def test_declarative_chart_and_table_blocks(site: Path, shared_cache: Path) -> None:
    assert run(site, cache=shared_cache) == 0
    html = (site / "public/notes/coal/index.html").read_text()
    assert 'id="missiles-tested-a-year"' in html and "<svg " in html
    assert '<figure class="data-figure" id="table-the-numbers"' in html
    assert '<td class="num">24</td>' in html
    assert "```chart is left alone" in html  # other fences are code, not blocks


def test_pages_urls_drafts_and_nav(site: Path, shared_cache: Path) -> None:
    assert run(site, cache=shared_cache) == 0
    assert (site / "public/notes/coal/index.html").exists()
    assert not (site / "public/draft").exists()
    assert run(site, "build", "--drafts", cache=shared_cache) == 0
    assert (site / "public/draft/index.html").exists()


def test_only_chart_pages_load_scripts_and_nothing_comes_from_elsewhere(site: Path, shared_cache: Path) -> None:
    (site / "content/plain.md").write_text("---\ntitle: Plain\ndescription: No charts.\n---\n\nText.\n")
    assert run(site, cache=shared_cache) == 0
    for page in (site / "public").rglob("*.html"):
        html = page.read_text()
        for tag in re.findall(r"<(?:script|link|img|iframe|source)\b[^>]*>", html):
            if re.search(r'rel="(?:canonical|alternate)"', tag):
                continue  # links to itself, fetched by nobody
            assert not re.search(r'(?:src|href)="(?:https?:)?//', tag), f"{page}: {tag}"
    assert "<script" not in (site / "public/plain/index.html").read_text()
    assert "<script" in (site / "public/index.html").read_text()


def test_two_builds_are_byte_identical(tmp_path: Path, shared_cache: Path) -> None:
    first, second = make_site(tmp_path / "a"), make_site(tmp_path / "b")
    assert run(first, cache=shared_cache) == 0
    assert run(second, "build", "--no-cache") == 0
    assert snapshot(first / "public") == snapshot(second / "public")


def test_second_build_renders_no_chart(tmp_path: Path, capsys) -> None:
    site = make_site(tmp_path)
    assert run(site) == 0
    assert "(0 from cache)" in capsys.readouterr().out
    assert run(site) == 0
    assert "Built 2 pages (0 rendered), 2 charts (2 from cache)" in capsys.readouterr().out
    (site / "data/missiles.csv").write_text((site / "data/missiles.csv").read_text().replace("2017,21,6", "2017,21,7"))
    assert run(site) == 0
    assert "2 charts (1 from cache)" in capsys.readouterr().out  # only the chart on that dataset


def test_warm_build_renders_only_what_changed_and_output_stays_complete(tmp_path: Path, capsys) -> None:
    site = make_site(tmp_path)
    assert run(site) == 0
    first = snapshot(site / "public")
    capsys.readouterr()
    assert run(site) == 0
    assert "(0 rendered)" in capsys.readouterr().out
    assert snapshot(site / "public") == first  # kept pages are the same bytes
    (site / "public/notes/coal/index.html").unlink()  # output tampered with: rendered again
    index = site / "content/index.md"
    index.write_text(index.read_text().replace("See [the notes]", "Read [the notes]"))
    assert run(site) == 0
    assert "(2 rendered)" in capsys.readouterr().out
    assert "Read <a" in (site / "public/index.html").read_text()
    assert (site / "public/notes/coal/index.html").read_bytes() == (tmp_path / "basic/public/notes/coal/index.html").read_bytes()


def test_corrupt_build_state_is_ignored(tmp_path: Path, capsys) -> None:
    site = make_site(tmp_path)
    assert run(site) == 0
    for state in (site / ".cache/state").glob("*.pickle"):
        state.write_bytes(b"not a pickle")
    capsys.readouterr()
    assert run(site) == 0
    assert "(2 rendered)" in capsys.readouterr().out


def test_corrupt_cache_entry_is_a_miss(tmp_path: Path, capsys) -> None:
    site = make_site(tmp_path)
    assert run(site) == 0
    for entry in (site / ".cache/chart").rglob("*.json"):
        entry.write_text("{not json")
    assert run(site) == 0
    assert "(0 from cache)" in capsys.readouterr().out


WRONG_SHAPES = [
    "123",
    "null",
    '"%%% not base64"',
    '"aGVsbG8="',  # base64 of "hello": not a PNG
    "[]",
    '{"spec": "{}", "svg": "<svg/>", "tables": [1], "narrow_spec": "{}", "narrow_svg": ""}',
    '{"spec": "{}", "svg": "<svg/>", "tables": [{"caption": 1}], "narrow_spec": "{}", "narrow_svg": ""}',
]


@pytest.mark.parametrize("value", WRONG_SHAPES)
def test_a_cache_entry_of_the_wrong_shape_is_a_miss(value: str, tmp_path: Path, capsys) -> None:
    """Valid JSON of another shape in any cache entry (a social card, a chart) is a miss:
    the build makes the entry again and publishes the same bytes as a clean build."""
    site = make_site(tmp_path)
    assert run(site) == 0
    clean = snapshot(site / "public")
    entries = list((site / ".cache").rglob("*.json"))
    assert {entry.parent.parent.name for entry in entries} >= {"chart", "card"}
    for entry in entries:
        entry.write_text(value)
    shutil.rmtree(site / ".cache/state")  # (a cold build reads every entry)
    capsys.readouterr()
    assert run(site) == 0, capsys.readouterr().err
    assert snapshot(site / "public") == clean


def test_sub_path_base_url_prefixes_every_internal_link(site: Path, shared_cache: Path) -> None:
    assert run(site, "build", "--base-url", "https://example.org/nk/", cache=shared_cache) == 0
    html = (site / "public/index.html").read_text()
    assert '<a href="/nk/notes/coal/">the notes</a>' in html
    assert '<link rel="canonical" href="https://example.org/nk/">' in html
    for ref in re.findall(r'(?:href|src|data-spec|data-runtime)="(/[^"]*)"', html):
        assert ref.startswith("/nk/") and not ref.startswith("/nk/nk/"), ref
    assert '<a href="/nk/data/tests.csv" download>' in html


def test_static_files_are_fingerprinted(site: Path, shared_cache: Path) -> None:
    assert run(site, cache=shared_cache) == 0
    css = list((site / "public/static").glob("style.*.css"))
    assert len(css) == 1 and re.fullmatch(r"style\.[0-9a-f]{10}\.css", css[0].name)
    assert f'href="/static/{css[0].name}"' in (site / "public/index.html").read_text()


def test_charts_get_the_theme_size_and_fresh_alt_text(site: Path, shared_cache: Path) -> None:
    assert run(site, cache=shared_cache) == 0
    svg = re.search(r"<svg [^>]*>", (site / "public/notes/coal/index.html").read_text()).group(0)
    width = int(re.search(r'width="(\d+)"', svg).group(1))
    assert width > 640, svg  # 640 plot width plus axes, not Altair's default 300
    index = site / "content/index.md"
    index.write_text(index.read_text().replace("by far the largest", "the largest by far"))
    assert run(site, cache=shared_cache) == 0
    assert 'aria-label="Point chart. The sixth test, in 2017, was the largest by far."' in (site / "public/index.html").read_text()


def test_a_site_without_templates_uses_the_default_theme_and_can_override_one_file(tmp_path: Path, shared_cache: Path) -> None:
    themed, bare = make_site(tmp_path / "a"), make_site(tmp_path / "b", theme=False)
    assert run(themed, cache=shared_cache) == 0 and run(bare, cache=shared_cache) == 0
    assert snapshot(themed / "public") == snapshot(bare / "public")
    (bare / "templates").mkdir()
    (bare / "templates/404.html").write_text("{% extends 'base.html' %}{% block main %}<h1>Lost</h1>{% endblock %}")
    assert run(bare, cache=shared_cache) == 0
    assert "<h1>Lost</h1>" in (bare / "public/404.html").read_text()
    assert "Skip to content" in (bare / "public/404.html").read_text()  # base.html from the theme


def test_output_folder_option(site: Path, tmp_path: Path, shared_cache: Path) -> None:
    out = tmp_path / "elsewhere"
    assert run(site, "build", "--out", str(out), cache=shared_cache) == 0
    assert (out / "index.html").exists() and not (site / "public").exists()


def test_help_imports_neither_pandas_nor_altair() -> None:
    code = (
        "import sys; from broadsheet.cli import main\ntry: main(['--help'])\nexcept SystemExit: pass\n"
        "print(sorted(m for m in ('pandas', 'altair', 'vl_convert') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True).stdout
    assert out.strip().endswith("[]")


def test_build_py_entry_point_builds_from_the_site_folder(site: Path, shared_cache: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(REPO / "build.py"), "--cache-dir", str(shared_cache)], cwd=site, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Built 2 pages")


def test_every_page_converts_as_stock_python_markdown_would() -> None:
    from broadsheet.content import parse_page
    from broadsheet.prose import new_converter

    fast, stock = new_converter(), new_converter(stock=True)
    pages = sorted(REPO.glob("content/**/*.md")) + sorted(REPO.glob("tests/sites/**/*.md"))
    assert len(pages) > 10
    for path in pages:
        text = path.read_text()
        assert parse_page("content/x.md", text, fast).html == parse_page("content/x.md", text, stock).html, path


def test_parallel_and_serial_builds_are_byte_identical(tmp_path: Path, shared_cache: Path, monkeypatch, capsys) -> None:
    sites = [make_site(tmp_path / name) for name in ("serial", "parallel")]
    for site in sites:
        for n in range(150):  # enough pages for two workers
            (site / f"content/notes/p{n:03}.md").write_text(
                f'---\ntitle: "Note {n}"\ndescription: "A note."\n---\n\n## It\'s "note" {n}\n\n'
                f"Text -- with *emphasis*, `code`, [a link](/notes/p{(n + 1) % 150:03}/) and a footnote.[^1]\n\n[^1]: Said so...\n"
            )
    for site, workers in zip(sites, ("1", "2"), strict=True):
        monkeypatch.setenv("BROADSHEET_WORKERS", workers)
        assert run(site, cache=shared_cache) == 0
    assert "rendering 152 pages" in capsys.readouterr().err
    assert snapshot(sites[0] / "public") == snapshot(sites[1] / "public")
    assert '<h2 id="its-note-7">It&rsquo;s &ldquo;note&rdquo; 7</h2>' in (sites[1] / "public/notes/p007/index.html").read_text()
    index = sites[1] / "content/index.md"  # a second build in parallel reuses the converted pages
    index.write_text(index.read_text().replace("See [the notes]", "Read [the notes]"))
    assert run(sites[1], cache=shared_cache) == 0
    assert "(1 rendered)" in capsys.readouterr().out


def test_a_build_that_renders_pages_on_every_core_first_stops_the_warm_chart_workers(tmp_path: Path, monkeypatch) -> None:
    """Forked page workers beside warm chart workers (~270 MB each, idle by then) made the
    peak memory of a big cold build; the chart workers are stopped before the fork."""
    cache = tmp_path / "cache"
    assert run(make_site(tmp_path / "small"), cache=cache) == 0  # renders its charts: workers left warm
    assert chart_workers._idle
    big = make_site(tmp_path / "big")
    for n in range(150):  # enough pages for two workers
        (big / f"content/notes/p{n:03}.md").write_text(f'---\ntitle: "Note {n}"\ndescription: "A note."\n---\n\nText {n}.\n')
    monkeypatch.setenv("BROADSHEET_WORKERS", "2")
    assert run(big, cache=cache) == 0
    assert not chart_workers._idle


def test_warm_build_removes_the_output_of_a_deleted_page(tmp_path: Path, capsys) -> None:
    site = make_site(tmp_path)
    (site / "content/extra").mkdir()
    (site / "content/extra/page.md").write_text('---\ntitle: "Extra"\ndescription: "One more."\n---\n\nText.\n')
    assert run(site) == 0
    assert (site / "public/extra/page/index.html").exists()
    (site / "content/extra/page.md").unlink()
    assert run(site) == 0
    assert not (site / "public/extra").exists()  # the file and the folders it leaves empty
    assert snapshot(site / "public") == snapshot(make_built(tmp_path / "fresh"))


def make_built(tmp: Path) -> Path:
    site = make_site(tmp)
    assert run(site, "build", "--no-cache") == 0
    return site / "public"


def test_template_change_renders_every_page_again_from_saved_html_or_from_source(tmp_path: Path, capsys) -> None:
    site = make_site(tmp_path)
    assert run(site) == 0
    for n, state in enumerate(("kept", "lost")):
        if state == "lost":  # the saved HTML is gone: pages are converted again from their files
            for saved in (site / ".cache/state").glob("*-html.pickle"):
                saved.unlink()
        page = site / "templates/page.html"
        page.write_text(page.read_text().replace("<h1", f"<h1 data-n='{n}'", 1))
        capsys.readouterr()
        assert run(site) == 0
        assert "(2 rendered)" in capsys.readouterr().out
        fresh = make_site(tmp_path / state)
        (fresh / "templates/page.html").write_text(page.read_text())
        assert run(fresh, "build", "--no-cache") == 0
        assert snapshot(site / "public") == snapshot(fresh / "public")


@pytest.mark.slow
def test_shipped_chart_runtime_is_what_the_pinned_vl_convert_generates() -> None:
    from broadsheet.assets import generate_runtime, runtime_file

    shipped = runtime_file()
    assert shipped.is_file(), "run `make runtime` after changing vl-convert's version"
    assert shipped.read_text(encoding="utf-8") == generate_runtime()
    assert [p.name for p in shipped.parent.glob("vega-runtime-*.js")] == [shipped.name]  # no stale versions


def test_an_edit_that_keeps_size_and_mtime_is_seen_after_a_recent_change(tmp_path: Path, capsys) -> None:
    # Files are re-read only if their size or mtime changed; a file changed just before a
    # build is not trusted that way (a coarse clock could give a second edit the same mtime).
    site = make_site(tmp_path)
    index = site / "content/index.md"
    index.write_text(index.read_text())  # changed just now
    assert run(site) == 0
    before = index.stat()
    index.write_text(index.read_text().replace("See [the notes]", "Saw [the notes]"))  # same size
    os.utime(index, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert run(site) == 0
    assert "Saw <a" in (site / "public/index.html").read_text()


def test_a_markdown_table_scrolls_in_its_own_labelled_region(site: Path, shared_cache: Path) -> None:
    """A wide table in the text must not make a phone's page scroll sideways: it scrolls in
    a focusable region (keyboard users can scroll it), labelled by the heading above it."""
    page = site / "content" / "notes" / "coal.md"
    page.write_text(page.read_text() + "\n## Coverage by year\n\n| Dataset | Years |\n|---|---|\n| coal | 2016-2017 |\n")
    assert run(site, cache=shared_cache) == 0
    html = (site / "public" / "notes" / "coal" / "index.html").read_text()
    assert '<div class="table-scroll" tabindex="0" role="region" aria-label="Coverage by year"><table>' in html


def test_a_social_cards_name_is_a_hash_of_its_bytes(site: Path, shared_cache: Path) -> None:
    """Cards are drawn with the machine's fonts, and served as immutable for a year: a card
    drawn differently elsewhere must get another name, never the same name with other bytes."""
    assert run(site, cache=shared_cache) == 0
    cards = list((site / "public/social").glob("*.png"))
    assert cards
    for card in cards:
        assert card.name.split(".")[-2] == hashlib.sha256(card.read_bytes()).hexdigest()[:10], card.name


def test_the_summary_says_one_of_a_kind_in_the_singular(tmp_path: Path, shared_cache: Path, capsys) -> None:
    """'1 datasets', '1 charts': the starter site's summary read wrong."""
    from broadsheet.cli import main

    site = tmp_path / "one"
    assert main(["new", str(site)]) == 0
    (site / "content/methods.md").unlink()
    index = site / "content/index.md"
    index.write_text(index.read_text().replace("See [how the data were made](/methods/).", ""))
    capsys.readouterr()
    assert run(site, cache=shared_cache) == 0
    assert re.match(r"Built 1 page \(1 rendered\), 1 chart \([01] from cache\), 1 dataset in [\d.]+ s", capsys.readouterr().out)

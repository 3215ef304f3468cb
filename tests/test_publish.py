"""Publishing: sub-path deploys, feeds, social cards, embeds, the site check and deploy files."""

from __future__ import annotations

import html
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import REPO, Explainer, make_site, run, snapshot, static_server
from test_errors import edit
from test_feeds import check_atom, check_sitemap

from broadsheet.cli import main

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def sub_path_site(explainer: Explainer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The explainer built for https://example.org/nk-sanctions/ and served under /nk-sanctions/."""
    out = tmp_path_factory.mktemp("served")
    public = out / "nk-sanctions"
    assert run(explainer.root, "build", "--base-url", "https://example.org/nk-sanctions/", "--out", str(public)) == 0
    with static_server(out) as origin:
        yield origin, public


REF = re.compile(r'(?:href|src|data-spec|data-runtime|content)="(/[^"]*|https://example\.org/[^"]*)"')


def test_every_internal_reference_resolves_under_the_sub_path(sub_path_site: tuple[str, Path]) -> None:
    origin, _ = sub_path_site
    todo, seen, fetched = ["/nk-sanctions/"], set(), 0
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        try:
            with urllib.request.urlopen(origin + path) as response:
                body = response.read()
                kind = response.headers.get("Content-Type", "")
        except urllib.error.HTTPError as error:
            pytest.fail(f"{path}: {error.code}")
        fetched += 1
        if "html" in kind or "css" in kind or "xml" in kind:
            text = body.decode("utf-8")
            refs = REF.findall(text) + re.findall(r"url\((/[^)]+)\)", text) + re.findall(r"<loc>https://example\.org(/[^<]*)</loc>", text)
            for ref in refs:
                ref = ref.removeprefix("https://example.org").split("#")[0].split("?")[0]
                assert ref.startswith("/nk-sanctions/"), f"{path} refers to {ref} outside the sub-path"
                todo.append(ref)
    assert fetched > 40  # pages, assets, charts, data, social cards, embeds


def test_sitemap_feed_robots_headers_and_404(sub_path_site: tuple[str, Path]) -> None:
    _, public = sub_path_site
    urls = [e.text for e in ET.parse(public / "sitemap.xml").getroot().iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert "https://example.org/nk-sanctions/" in urls and "https://example.org/nk-sanctions/coal/" in urls
    check_sitemap(public / "sitemap.xml", "https://example.org/nk-sanctions/")
    feed = check_atom(public / "feed.xml")  # RFC 4287
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) >= 8 and all(e.find(f"{ATOM}updated") is not None for e in entries)
    assert feed.find(f"{ATOM}link[@rel='self']").get("href") == "https://example.org/nk-sanctions/feed.xml"
    assert "Sitemap: https://example.org/nk-sanctions/sitemap.xml" in (public / "robots.txt").read_text()
    headers = (public / "_headers").read_text()
    assert "/nk-sanctions/static/*\n  Cache-Control: public, max-age=31536000, immutable" in headers
    assert "/nk-sanctions/*\n  Cache-Control: public, max-age=300" in headers
    assert 'href="/nk-sanctions/"' in (public / "404.html").read_text()


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_every_page_has_open_graph_metadata_and_a_1200x630_card(sub_path_site: tuple[str, Path]) -> None:
    _, public = sub_path_site
    for page in public.rglob("index.html"):
        if "embed" in page.parts:
            continue
        html = page.read_text()
        image = re.search(r'<meta property="og:image" content="https://example\.org/nk-sanctions/([^"]+)">', html)
        assert image, page
        assert png_size(public / image.group(1)) == (1200, 630)
        for tag in (
            'property="og:title"',
            'property="og:description"',
            'property="og:url"',
            'name="twitter:card"',
            '<link rel="canonical"',
            "<html lang=",
        ):
            assert tag in html, (page, tag)
    home = (public / "index.html").read_text()
    assert "social/pressure-and-coal." in home  # the lead chart's card


def test_every_chart_has_an_embed_page_and_an_embed_snippet(sub_path_site: tuple[str, Path]) -> None:
    _, public = sub_path_site
    ids = set()
    for page in public.rglob("index.html"):
        if "embed" not in page.parts:
            ids |= set(re.findall(r'<figure class="chart" id="([^"]+)"', page.read_text()))
    assert len(ids) >= 10
    for chart_id in ids:
        embed = (public / "embed" / chart_id / "index.html").read_text()
        assert f'<figure class="chart" id="{chart_id}"' in embed and "<svg " in embed
        assert 'class="chart-source"' in embed and "download>Download the data" in embed
        assert "masthead" not in embed and "<nav" not in embed  # no site chrome
    coal = (public / "coal/index.html").read_text()
    assert '<iframe src="https://example.org/nk-sanctions/embed/coal-annual/"' in html.unescape(coal)  # (the textarea's text)


def test_check_passes_on_the_explainer(explainer: Explainer, capsys) -> None:
    assert run(explainer.root, "check") == 0
    assert "checked, no problems" in capsys.readouterr().out


CHECK_CASES = {
    "broken link": (
        "content/notes/coal.md",
        "## By year {#by-year}",
        "## By year {#by-year}\n\nSee [the archive](/archive/).",
        "content/notes/coal.md:11: broken link '/archive/'",
    ),
    "broken anchor": ("content/index.md", "[an anchor](#yields)", "[an anchor](#yeilds)", "content/index.md:10: broken anchor '#yeilds'"),
    "image without alt": (
        "content/index.md",
        "| a | b |",
        '<img src="/static/favicon.svg">\n\n| a | b |',
        "image '/static/favicon.svg' has no alt text",
    ),
    "unclosed html": ("content/index.md", "| a | b |", "<div class='note'>\n\nOpen.\n\n| a | b |", "<div> is never closed"),
}


@pytest.mark.parametrize("case", list(CHECK_CASES))
def test_check_reports_problems_with_file_and_line(case: str, built: Path, shared_cache: Path, capsys) -> None:
    path, old, new, expected = CHECK_CASES[case]
    edit(built / path, old, new)
    capsys.readouterr()
    assert run(built, "check", cache=shared_cache) == 1
    err = capsys.readouterr().err
    assert expected in err, err


def test_check_reports_datasets_never_used(built: Path, shared_cache: Path, capsys) -> None:
    (built / "data/spare.csv").write_text("year\n2017\n")
    with open(built / "data/datapackage.yaml", "a") as package:
        package.write(
            "  - name: spare\n    path: spare.csv\n    title: Spare\n"
            "    sources: [{title: S, path: 'https://example.org'}]\n    schema: {fields: [{name: year, type: integer}]}\n"
        )
    edit(built / "content/notes/coal.md", "```datasets\n```", "")
    capsys.readouterr()
    assert run(built, "check", cache=shared_cache) == 1
    assert "data/spare.csv: dataset 'spare' is never used" in capsys.readouterr().err


def test_strict_build_fails_on_a_broken_link_and_keeps_public(built: Path, shared_cache: Path, capsys) -> None:  # noqa: F811
    before = snapshot(built / "public")
    edit(built / "content/index.md", "[an anchor](#yields)", "[an anchor](/gone/)")
    assert run(built, "build", "--strict", cache=shared_cache) == 1
    assert "content/index.md:10: broken link '/gone/'" in capsys.readouterr().err
    assert snapshot(built / "public") == before
    edit(built / "content/index.md", "[an anchor](/gone/)", "[an anchor](#yields)")
    assert run(built, "build", "--strict", cache=shared_cache) == 0
    assert not list(built.glob(".check-*"))


def test_deploy_recipes_exist_and_use_the_base_url() -> None:
    workflow = (REPO / ".github/workflows/pages.yml").read_text()
    assert "--base-url" in workflow and "actions/deploy-pages" in workflow and "make site" not in workflow
    assert "build.py" in (REPO / "netlify.toml").read_text()


# --- Where a build may write, and what it may delete ------------------------------------------

DEAD_PID = "999999999"  # above any pid_max: the process that left these files is gone


def with_repository(site: Path) -> Path:
    (site / ".git").mkdir()
    (site / ".git/HEAD").write_text("ref: refs/heads/main\n")
    return site


@pytest.mark.parametrize(
    ("out", "reason"),
    [
        (".", "is the site folder"),
        ("..", "contains the site folder"),
        ("content", "is the site's content/"),
        ("content/notes", "is inside the site's content/"),
        ("data", "is the site's data/"),
        ("charts", "is the site's charts/"),
        ("templates", "is the site's templates/"),
        ("static", "is the site's static/"),
        ("site.toml", "is the site's site.toml"),
        (".git", "is the site's .git/"),
        (".git/public", "is inside the site's .git/"),
        (".cache", "is the build cache"),
        ("content-link", "is the site's content/"),  # a symlink to a source folder
    ],
)
def test_out_aimed_at_the_site_or_its_sources_is_refused_and_nothing_is_lost(
    out: str, reason: str, site: Path, shared_cache: Path, capsys
) -> None:
    with_repository(site)
    assert run(site, cache=shared_cache) == 0
    (site / "content-link").symlink_to(site / "content", target_is_directory=True)
    before = snapshot(site)
    capsys.readouterr()
    for strict in ((), ("--strict",)):
        assert run(site, "build", "--out", out, *strict) == 1
        err = capsys.readouterr().err
        assert f"not an output folder: it {reason}" in err and "Traceback" not in err, err
        assert snapshot(site) == before


def test_serve_has_no_output_folder_to_aim_at_sources(site: Path) -> None:
    before = snapshot(site)
    with pytest.raises(SystemExit) as refused:
        run(site, "serve", "--out", "data")
    assert refused.value.code == 2  # an unknown option: the preview writes no folder at all
    assert snapshot(site) == before


def test_a_folder_the_build_did_not_make_is_refused_not_replaced(site: Path, tmp_path: Path, shared_cache: Path, capsys) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("my notes")
    assert run(site, "build", "--out", str(mine), cache=shared_cache) == 1
    err = capsys.readouterr().err
    assert f"{mine}: not an output folder: it is not empty and no Broadsheet build made it" in err, err
    assert [p.name for p in mine.iterdir()] == ["notes.txt"]
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run(site, "build", "--out", str(empty), cache=shared_cache) == 0  # an empty folder is fine
    assert run(site, "build", "--out", str(empty), cache=shared_cache) == 0  # and, once built, is the build's
    assert (empty / "index.html").is_file()
    with_repository(empty)  # e.g. a gh-pages checkout made inside it
    assert run(site, "build", "--out", str(empty), cache=shared_cache) == 1
    assert "it contains a repository (.git)" in capsys.readouterr().err
    assert (empty / ".git/HEAD").is_file()
    (tmp_path / "a-file").write_text("not a folder")
    for out in (tmp_path / "a-file", tmp_path / "a-file/public"):
        assert run(site, "build", "--out", str(out), cache=shared_cache) == 1
        assert "a-file is a file, not a folder" in capsys.readouterr().err
    assert (tmp_path / "a-file").read_text() == "not a folder"


def test_public_as_a_link_to_a_deploy_folder_stays_a_link_and_the_folder_gets_every_build(site: Path, tmp_path: Path, capsys) -> None:
    """A cold build replaces its output whole: with public/ a symlink, it replaced the link
    by a folder and the deploy folder silently kept the old site. It follows the link."""
    deploy = tmp_path / "www" / "site"
    deploy.parent.mkdir()
    (site / "public").symlink_to(deploy, target_is_directory=True)
    page = site / "content/notes/coal.md"
    for n, args in enumerate([(), (), ("--strict",), ("--no-cache",)]):
        page.write_text(page.read_text().replace("## By year", f"## By year, edit {n}"))
        assert run(site, "build", *args) == 0, capsys.readouterr().err
        assert (site / "public").is_symlink() and os.readlink(site / "public") == str(deploy)
        assert f"By year, edit {n}" in (deploy / "notes/coal/index.html").read_text()
    assert not [p.name for p in deploy.parent.iterdir() if p.name != "site"], "nothing is left beside the deploy folder"
    assert not [p.name for p in site.iterdir() if p.name.startswith(".public")]


def test_leftovers_of_a_killed_build_are_cleaned_by_the_next(site: Path, capsys) -> None:
    assert run(site) == 0
    for name in (f".public.staging-{DEAD_PID}", f".public.old-{DEAD_PID}", f".public.tmp-{DEAD_PID}", f".public.check-{DEAD_PID}-x1y2"):
        (site / name / "notes").mkdir(parents=True)
        (site / name / "notes/index.html").write_text("half a page")
    (site / f".cache/tmp/abc.json.tmp-{DEAD_PID}").parent.mkdir(parents=True, exist_ok=True)
    (site / f".cache/tmp/abc.json.tmp-{DEAD_PID}").write_text("half an entry")
    assert run(site) == 0
    assert not list(site.glob(".public.*")) and not list((site / ".cache/tmp").iterdir())
    for leftover in (f".public.staging-{DEAD_PID}", f".public.old-{DEAD_PID}"):  # left by a cold build killed midway
        (site / leftover).mkdir()
        shutil.rmtree(site / ".cache")
        assert run(site) == 0
        assert not list(site.glob(".public.*"))


@pytest.mark.slow
def test_a_build_killed_while_staging_leaves_public_and_is_cleaned_up(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    assert run(site, "build", "--no-cache") == 0
    before = snapshot(site / "public")
    for n in range(600):  # long enough to be caught while it writes its staging folder
        (site / f"content/notes/p{n:03}.md").write_text(f"---\ntitle: Note {n}\ndescription: A note.\n---\n\nText {n}.\n")
    command = [sys.executable, str(REPO / "build.py"), "--root", str(site), "--no-cache"]
    build = subprocess.Popen(command, stderr=subprocess.DEVNULL, start_new_session=True)
    while not any(site.glob(".public.staging-*/notes/p*")):
        assert build.poll() is None, "the build ended before it could be killed"
        time.sleep(0.01)
    os.killpg(build.pid, signal.SIGKILL)  # the build and its workers, as a cancelled CI job is
    build.wait()
    assert snapshot(site / "public") == before and list(site.glob(".public.staging-*"))
    assert run(site, "build", "--no-cache") == 0
    assert not list(site.glob(".public.*")) and (site / "public/notes/p599/index.html").is_file()


def test_a_build_that_dies_during_its_commit_is_repaired_by_the_next(site: Path, tmp_path: Path, capsys) -> None:
    # A real fault halfway through replacing files: a folder where robots.txt goes. The
    # edited page is already replaced; then the edit is reverted. The next build must
    # not trust the state saved before the failed one and keep the edited page.
    assert run(site) == 0
    edit(site / "content/index.md", "See [the notes]", "Read [the notes]")
    (site / "public/robots.txt").unlink()
    (site / "public/robots.txt").mkdir()
    capsys.readouterr()
    assert run(site) == 1
    err = capsys.readouterr().err
    assert "public/robots.txt" in err and "Is a directory" in err and "Traceback" not in err and err.count("\n") == 1, err
    assert "Read <a" in (site / "public/index.html").read_text()  # (it did die halfway)
    (site / "public/robots.txt").rmdir()
    edit(site / "content/index.md", "Read [the notes]", "See [the notes]")
    assert run(site) == 0
    cold = make_site(tmp_path / "cold")
    assert run(cold, "build", "--no-cache") == 0
    assert snapshot(site / "public") == snapshot(cold / "public")


def test_a_state_that_cannot_be_saved_fails_cleanly_before_public_changes(site: Path, capsys) -> None:
    assert run(site) == 0
    before = snapshot(site / "public")
    for state in (site / ".cache/state").glob("*.pickle"):  # a real fault: something in the way
        state.unlink()
        state.mkdir()
    edit(site / "content/index.md", "See [the notes]", "Read [the notes]")
    capsys.readouterr()
    assert run(site) == 1
    err = capsys.readouterr().err
    assert ".cache/state/" in err and "Traceback" not in err and err.count("\n") == 1, err
    assert snapshot(site / "public") == before


def test_a_strict_build_between_two_builds_does_not_leave_the_state_behind(site: Path, tmp_path: Path) -> None:
    assert run(site) == 0
    edit(site / "content/index.md", "See [the notes]", "Read [the notes]")
    assert run(site, "build", "--strict") == 0  # replaces public/ without the saved state
    edit(site / "content/index.md", "Read [the notes]", "See [the notes]")
    assert run(site) == 0
    cold = make_site(tmp_path / "cold")
    assert run(cold, "build", "--no-cache") == 0
    assert snapshot(site / "public") == snapshot(cold / "public")


def test_a_state_that_cannot_be_saved_after_the_commit_makes_the_next_build_a_full_one(site: Path, capsys) -> None:
    assert run(site) == 0
    for saved_html in (site / ".cache/state").glob("*-html.pickle"):  # saved after the output is replaced
        saved_html.unlink()
        saved_html.mkdir()
    edit(site / "content/index.md", "See [the notes]", "Read [the notes]")
    capsys.readouterr()
    assert run(site) == 1
    err = capsys.readouterr().err
    assert "Is a directory: " in err and "public was built, but not its saved state" in err and err.count("\n") == 1, err
    assert "Read <a" in (site / "public/index.html").read_text()
    for saved_html in (site / ".cache/state").glob("*-html.pickle"):
        saved_html.rmdir()
    assert run(site) == 0
    assert "(2 rendered)" in capsys.readouterr().out  # the state was not trusted


@pytest.mark.parametrize("folder", [".", "content", "data/cache", "charts", ".."])
def test_a_cache_folder_in_the_sources_is_refused(folder: str, site: Path, capsys) -> None:
    before = snapshot(site)
    assert main(["build", "--root", str(site), "--cache-dir", str(site / folder)]) == 1
    err = capsys.readouterr().err
    assert "not a cache folder" in err and "Traceback" not in err, err
    assert snapshot(site) == before

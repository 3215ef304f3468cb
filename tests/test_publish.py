"""Publishing: sub-path deploys, feeds, social cards, embeds, the site check and deploy files."""

from __future__ import annotations

import functools
import re
import shutil
import struct
import threading
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import REPO, run, snapshot
from test_errors import built, edit  # noqa: F401 (fixture)

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def explainer(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("explainer") / "site"
    shutil.copytree(REPO, root, ignore=shutil.ignore_patterns("public", ".cache", ".git", ".venv", "tests", "__pycache__", "node_modules"))
    return root


@pytest.fixture(scope="module")
def sub_path_site(explainer: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The explainer built for https://example.org/nk-sanctions/ and served under /nk-sanctions/."""
    out = tmp_path_factory.mktemp("served")
    public = out / "nk-sanctions"
    assert run(explainer, "build", "--base-url", "https://example.org/nk-sanctions/", "--out", str(public)) == 0
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(out))
    handler.log_message = lambda *args: None  # type: ignore[method-assign]
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", public
    server.shutdown()
    server.server_close()


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
    feed = ET.parse(public / "feed.xml").getroot()
    assert feed.tag == f"{ATOM}feed"
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
    assert '&lt;iframe src="https://example.org/nk-sanctions/embed/coal-monthly/"' in coal


def test_check_passes_on_the_explainer(explainer: Path, capsys) -> None:
    assert run(explainer, "check") == 0
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
def test_check_reports_problems_with_file_and_line(case: str, built: Path, shared_cache: Path, capsys) -> None:  # noqa: F811
    path, old, new, expected = CHECK_CASES[case]
    edit(built / path, old, new)
    capsys.readouterr()
    assert run(built, "check", cache=shared_cache) == 1
    err = capsys.readouterr().err
    assert expected in err, err


def test_check_reports_datasets_never_used(built: Path, shared_cache: Path, capsys) -> None:  # noqa: F811
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

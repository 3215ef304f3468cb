"""The feed, the sitemap and robots.txt are valid by construction: an Atom feed that meets
RFC 4287's requirements and a sitemap that meets the sitemaps.org schema, or, when
``base_url`` is not absolute, none of them (their ids and locations must be absolute).

The checks below are the requirements written out as assertions (RFC 4287 section 4; the
sitemap 0.9 XSD's element order, types and lengths), so the tests need no schema file,
no validating library and no network."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import make_site, run

from broadsheet.scaffold import new_site

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
# RFC 3339 date-time, as RFC 4287 section 3.3 requires (upper-case T and Z)
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
W3C_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?)?)?$")


def is_absolute_iri(value: str | None) -> bool:
    parts = urlsplit(value or "")
    return bool(parts.scheme and (parts.netloc or parts.scheme in ("urn", "tag", "mailto"))) and value == (value or "").strip()


def _date(element: ET.Element | None, where: str) -> str:
    assert element is not None and element.text, f"{where} has no date"
    assert RFC3339.match(element.text), f"{where}: {element.text!r} is not an RFC 3339 date-time"
    datetime.fromisoformat(element.text.replace("Z", "+00:00"))
    return element.text


def _person(person: ET.Element, where: str) -> None:
    names = person.findall(f"{ATOM}name")
    assert len(names) == 1 and (names[0].text or "").strip(), f"{where}: a person construct has exactly one non-empty atom:name"
    for uri in person.findall(f"{ATOM}uri"):
        assert is_absolute_iri(uri.text), f"{where}: atom:uri {uri.text!r}"


def _links(element: ET.Element, where: str) -> None:
    seen = set()
    for link in element.findall(f"{ATOM}link"):
        assert link.get("href") and is_absolute_iri(link.get("href")), f"{where}: link href {link.get('href')!r} is not absolute"
        if link.get("rel", "alternate") == "alternate":
            key = (link.get("type"), link.get("hreflang"))
            assert key not in seen, f"{where}: two alternate links with the same type and hreflang"
            seen.add(key)


def check_atom(feed_xml: Path) -> ET.Element:
    """RFC 4287's requirements for atom:feed and atom:entry (section 4.1), as assertions."""
    feed = ET.parse(feed_xml).getroot()
    assert feed.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert len(feed.findall(f"{ATOM}{name}")) == 1, f"atom:feed has exactly one atom:{name}"
    for name in ("subtitle", "icon", "logo", "rights", "generator"):
        assert len(feed.findall(f"{ATOM}{name}")) <= 1, f"atom:feed has at most one atom:{name}"
    feed_id = feed.findtext(f"{ATOM}id")
    assert is_absolute_iri(feed_id), f"the feed's atom:id {feed_id!r} is not an absolute IRI"
    _date(feed.find(f"{ATOM}updated"), "atom:feed")
    _links(feed, "atom:feed")
    assert len(feed.findall(f"{ATOM}link[@rel='self']")) == 1, "a feed should name itself (rel=self)"
    authors = feed.findall(f"{ATOM}author")
    for author in authors:
        _person(author, "atom:feed")
    entries = feed.findall(f"{ATOM}entry")
    ids = [feed_id]
    for index, entry in enumerate(entries):
        where = f"entry {index + 1}"
        for name in ("id", "title", "updated"):
            assert len(entry.findall(f"{ATOM}{name}")) == 1, f"{where} has exactly one atom:{name}"
        entry_id = entry.findtext(f"{ATOM}id")
        assert is_absolute_iri(entry_id), f"{where}: atom:id {entry_id!r} is not an absolute IRI"
        ids.append(entry_id)
        _date(entry.find(f"{ATOM}updated"), where)
        if entry.find(f"{ATOM}published") is not None:
            _date(entry.find(f"{ATOM}published"), where)
        _links(entry, where)
        if entry.find(f"{ATOM}content") is None:
            assert entry.find(f"{ATOM}link[@rel='alternate']") is not None, f"{where}: no content and no alternate link"
        for author in entry.findall(f"{ATOM}author"):
            _person(author, where)
        assert authors or entry.findall(f"{ATOM}author"), f"{where} has no author and neither has the feed"
    assert len(ids) == len(set(ids)), f"atom:id values repeat (the feed's and its entries' must all differ): {ids}"
    return feed


def check_sitemap(sitemap_xml: Path, origin: str) -> list[str]:
    """The sitemaps.org 0.9 schema's rules: ``urlset`` of at most 50,000 ``url``, each a
    ``loc`` (an absolute URL of 12 to 2,048 characters) and optional ``lastmod`` (a W3C
    date), ``changefreq``, ``priority`` in that order; and the protocol's rule that every
    URL is on the sitemap's own host."""
    root = ET.parse(sitemap_xml).getroot()
    assert root.tag == f"{SITEMAP}urlset"
    urls = list(root)
    assert 1 <= len(urls) <= 50_000
    locs = []
    for url in urls:
        assert url.tag == f"{SITEMAP}url"
        names = [child.tag.removeprefix(SITEMAP) for child in url]
        assert names[:1] == ["loc"] and names == [n for n in ("loc", "lastmod", "changefreq", "priority") if n in names], names
        loc = url.findtext(f"{SITEMAP}loc") or ""
        assert 12 <= len(loc) <= 2048 and is_absolute_iri(loc) and loc.startswith(origin), loc
        lastmod = url.findtext(f"{SITEMAP}lastmod")
        assert lastmod is None or W3C_DATE.match(lastmod), lastmod
        locs.append(loc)
    assert len(locs) == len(set(locs))
    return locs


@pytest.fixture(scope="module")
def basic(tmp_path_factory: pytest.TempPathFactory, shared_cache: Path) -> Path:
    site = make_site(tmp_path_factory.mktemp("feeds"))
    assert run(site, cache=shared_cache) == 0
    return site / "public"


def test_the_feed_meets_rfc_4287(basic: Path) -> None:
    feed = check_atom(basic / "feed.xml")
    assert feed.findtext(f"{ATOM}id") == "https://example.org/feed.xml"  # (the home page is an entry: https://example.org/)
    assert [e.findtext(f"{ATOM}id") for e in feed.findall(f"{ATOM}entry")] == ["https://example.org/notes/coal/", "https://example.org/"]


def test_the_sitemap_meets_the_sitemaps_org_schema(basic: Path) -> None:
    assert "https://example.org/notes/coal/" in check_sitemap(basic / "sitemap.xml", "https://example.org/")
    assert "Sitemap: https://example.org/sitemap.xml" in (basic / "robots.txt").read_text()


def test_the_checks_fail_on_what_the_builds_before_published(tmp_path: Path) -> None:
    """The validators catch the faults issue 21 found: a relative id, a feed without author
    or updated, a feed whose id is its home entry's, a relative sitemap location."""
    head = '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>'
    entry = '<entry><title>E</title><link href="https://example.org/"/><id>{}</id><updated>2026-11-30T00:00:00Z</updated></entry>'
    bad = {
        "relative id": head + '<id>/</id><updated>2026-11-30T00:00:00Z</updated><link rel="self" href="https://example.org/feed.xml"/>'
        "<author><name>A</name></author></feed>",
        "no author": head + '<id>https://example.org/feed.xml</id><updated>2026-11-30T00:00:00Z</updated><link rel="self" '
        'href="https://example.org/feed.xml"/>' + entry.format("https://example.org/") + "</feed>",
        "no updated": head + '<id>https://example.org/feed.xml</id><link rel="self" href="https://example.org/feed.xml"/>'
        "<author><name>A</name></author></feed>",
        "same id": head + '<id>https://example.org/</id><updated>2026-11-30T00:00:00Z</updated><link rel="self" '
        'href="https://example.org/feed.xml"/><author><name>A</name></author>' + entry.format("https://example.org/") + "</feed>",
    }
    for problem, text in bad.items():
        (tmp_path / "feed.xml").write_text(text)
        with pytest.raises(AssertionError):
            check_atom(tmp_path / "feed.xml")
        print(problem, "caught")
    (tmp_path / "sitemap.xml").write_text(f'<urlset xmlns="{SITEMAP[1:-1]}"><url><loc>/coal/</loc></url></urlset>')
    with pytest.raises(AssertionError):
        check_sitemap(tmp_path / "sitemap.xml", "https://example.org/")


def test_a_feed_without_a_site_author_is_by_the_site(tmp_path: Path, shared_cache: Path) -> None:
    site = make_site(tmp_path)
    toml = site / "site.toml"
    toml.write_text("\n".join(line for line in toml.read_text().splitlines() if not line.startswith("author")) + "\n")
    for page in (site / "content").rglob("*.md"):
        page.write_text(page.read_text().replace("authors: [Test desk]\n", ""))
    assert run(site, cache=shared_cache) == 0
    feed = check_atom(site / "public" / "feed.xml")
    assert feed.findtext(f"{ATOM}author/{ATOM}name") == "Test tests"


def test_a_relative_base_url_publishes_no_feed_sitemap_or_sitemap_line(tmp_path: Path, shared_cache: Path, capsys) -> None:
    site = make_site(tmp_path)
    capsys.readouterr()
    assert run(site, "build", "--base-url", "/", cache=shared_cache) == 0
    warnings = [line for line in capsys.readouterr().err.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1 and "no feed.xml, sitemap.xml or robots.txt Sitemap line is published" in warnings[0]
    public = site / "public"
    assert not (public / "feed.xml").exists() and not (public / "sitemap.xml").exists()
    assert (public / "robots.txt").read_text() == "User-agent: *\nAllow: /\n"
    home = (public / "index.html").read_text()
    assert "feed.xml" not in home and "sitemap.xml" not in home  # (no link to a file that is not there)
    assert run(site, "build", cache=shared_cache) == 0  # absolute again: the files come back
    check_atom(public / "feed.xml")
    assert 'href="/feed.xml"' in (public / "index.html").read_text()


def test_a_site_with_no_dated_page_has_no_feed(tmp_path: Path, shared_cache: Path) -> None:
    site = make_site(tmp_path)
    for page in (site / "content").rglob("*.md"):
        page.write_text(re.sub(r"^(date|updated): .*\n", "", page.read_text(), flags=re.M))
    assert run(site, cache=shared_cache) == 0
    assert not (site / "public" / "feed.xml").exists()
    assert "feed.xml" not in (site / "public" / "index.html").read_text()
    check_sitemap(site / "public" / "sitemap.xml", "https://example.org/")


@pytest.mark.slow
def test_a_fresh_starter_publishes_a_valid_feed_and_sitemap_once_its_address_is_known(tmp_path: Path, shared_cache: Path) -> None:
    site = tmp_path / "story"
    new_site(site)
    assert run(site, cache=shared_cache) == 0  # base_url = "/", as written by `new`
    assert not (site / "public" / "feed.xml").exists() and not (site / "public" / "sitemap.xml").exists()
    assert run(site, "build", "--base-url", "https://news.example/story/", cache=shared_cache) == 0
    check_atom(site / "public" / "feed.xml")
    check_sitemap(site / "public" / "sitemap.xml", "https://news.example/story/")

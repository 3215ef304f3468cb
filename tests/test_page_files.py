"""Files beside pages (content/img/map.png, a PDF), /static/ paths in Markdown and the
front matter's ``image``: published, resolved (also under a sub-path), missing ones
caught at their line by the build and by ``check``. Real command line, real output."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest
from conftest import make_site, run, snapshot
from test_server import Server, server  # noqa: F401 (the real preview server, as a fixture)


def png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\x10\x20\x30" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


STORY = """---
title: Story
description: A story with a map.
image: img/map.png
---

![The map](img/map.png) and [the report](files/report.pdf#page=2), the [logo](/static/logo.png),
[the home page](index.md) and <img src="img/map.png" alt="the map again">.

Code is not a reference: `![x](nothere.png)`, nor is a footnote.[^note] See [the same report][ref].

[^note]: U.S. Department of State, [a release](https://example.org/release).
[ref]: files/report.pdf

```text
![in code](missing.png)
```
"""


def add_story(root: Path) -> None:
    """A page with an image and a PDF beside it, and a logo in static/."""
    (root / "content/img").mkdir()
    (root / "content/img/map.png").write_bytes(png(4, 3))
    (root / "content/files").mkdir()
    (root / "content/files/report.pdf").write_bytes(b"%PDF-1.4\n")
    (root / "static/logo.png").write_bytes(png(2, 2))
    (root / "content/story.md").write_text(STORY)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = make_site(tmp_path)
    add_story(root)
    return root


JUNK = [".story.md.swp", "story.md~", "#story.md#", ".DS_Store", "img/Thumbs.db", ".git/config", "img/.hidden.png", "~$report.docx"]


def test_files_beside_pages_are_published_and_paths_resolve(site: Path, shared_cache: Path) -> None:
    for name in JUNK:
        (site / "content" / name).parent.mkdir(parents=True, exist_ok=True)
        (site / "content" / name).write_bytes(b"junk")
    assert run(site, cache=shared_cache) == 0
    public = site / "public"
    assert (public / "img/map.png").read_bytes() == (site / "content/img/map.png").read_bytes()
    assert (public / "files/report.pdf").is_file()
    logo = next((public / "static").glob("logo.*.png")).name
    html = (public / "story/index.html").read_text()
    assert '<img alt="The map" src="/img/map.png">' in html
    assert '<a href="/files/report.pdf#page=2">the report</a>' in html
    assert f'<a href="/static/{logo}">logo</a>' in html
    assert '<a href="/">the home page</a>' in html
    assert '<img src="/img/map.png" alt="the map again">' in html
    assert '<a href="/files/report.pdf">the same report</a>' in html
    assert "U.S. Department of State" in html
    assert "nothere.png" in html and "missing.png" in html  # code stays as written
    published = {p.relative_to(public).as_posix() for p in public.rglob("*") if p.is_file()}
    assert not [name for name in JUNK if name in published or name.replace("#", "") in published], published
    assert not any(p.endswith(".md") for p in published)


def test_the_page_image_is_its_social_card(site: Path, shared_cache: Path) -> None:
    assert run(site, cache=shared_cache) == 0
    html = (site / "public/story/index.html").read_text()
    assert '<meta property="og:image" content="https://example.org/img/map.png">' in html
    assert '<meta name="twitter:image" content="https://example.org/img/map.png">' in html
    assert 'og:image:width" content="1200"' not in html  # (the image's own size, not the card's)
    home = (site / "public/index.html").read_text()
    assert 'og:image:width" content="1200"' in home and "/social/" in home


def test_a_static_page_image_gets_the_fingerprinted_url(site: Path, shared_cache: Path) -> None:
    edit(site / "content/story.md", "image: img/map.png", "image: /static/logo.png")
    assert run(site, cache=shared_cache) == 0
    logo = next((site / "public/static").glob("logo.*.png")).name
    assert f'<meta property="og:image" content="https://example.org/static/{logo}">' in (site / "public/story/index.html").read_text()


def test_paths_resolve_under_a_sub_path_and_check_passes(site: Path, shared_cache: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (site / "content/draft.md").unlink()  # (a draft's dataset use is not this test's business)
    assert run(site, "check", "--base-url", "https://example.org/sub/", cache=shared_cache) == 0, capsys.readouterr().err
    assert run(site, "build", "--base-url", "https://example.org/sub/", cache=shared_cache) == 0
    html = (site / "public/story/index.html").read_text()
    assert '<img alt="The map" src="/sub/img/map.png">' in html
    assert '<a href="/sub/files/report.pdf#page=2">' in html
    assert 'href="/sub/static/logo.' in html
    assert '<meta property="og:image" content="https://example.org/sub/img/map.png">' in html


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


ERRORS = {
    "missing image": ("(img/map.png)", "(img/map2.png)", "content/story.md:7: image 'img/map2.png' does not exist"),
    "missing html image": ('<img src="img/map.png"', '<img src="img/gone.png"', "content/story.md:8: image 'img/gone.png' does not exist"),
    "missing file": ("files/report.pdf#", "files/rapport.pdf#", "content/story.md:7: file 'files/rapport.pdf#page=2' does not exist"),
    "missing static": ("/static/logo.png", "/static/lgo.png", "content/story.md:7: file '/static/lgo.png' does not exist"),
    "missing reference definition": (
        "[ref]: files/report.pdf",
        "[ref]: files/gone.pdf",
        "content/story.md:13: file 'files/gone.pdf' does not exist",
    ),
    "outside content": ("(img/map.png)", "(../site.toml)", "content/story.md:7: image '../site.toml' is outside content/"),
    "missing page image": ("image: img/map.png", "image: img/cover.png", "content/story.md:4: image 'img/cover.png' does not exist"),
    "page image not a path": (
        "image: img/map.png",
        "image: https://cdn.example/x.png",
        "content/story.md:4: image 'https://cdn.example/x.png' must be a file",
    ),
}


@pytest.mark.parametrize("command", ["build", "check"])
@pytest.mark.parametrize("case", ERRORS)
def test_a_missing_file_stops_build_and_check_at_its_line(
    site: Path, shared_cache: Path, capsys: pytest.CaptureFixture[str], case: str, command: str
) -> None:
    assert run(site, cache=shared_cache) == 0
    before = snapshot(site / "public")
    old, new, expected = ERRORS[case]
    edit(site / "content/story.md", old, new)
    capsys.readouterr()
    assert run(site, command, cache=shared_cache) == 1
    err = capsys.readouterr().err
    assert expected in err, err
    assert "Traceback" not in err
    assert snapshot(site / "public") == before


def test_a_file_where_the_build_writes_its_own_is_refused(site: Path, shared_cache: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (site / "content/data").mkdir()
    (site / "content/data/tests.csv").write_text("x\n")
    assert run(site, cache=shared_cache) == 1
    assert "content/data/tests.csv: content/data/tests.csv would be published as /data/tests.csv" in capsys.readouterr().err


def test_a_warm_build_follows_files_added_and_removed(site: Path, shared_cache: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(site, cache=shared_cache) == 0
    (site / "content/files/annex.pdf").write_bytes(b"%PDF-1.4\n")
    assert run(site, cache=shared_cache) == 0
    assert (site / "public/files/annex.pdf").is_file()
    (site / "content/files/annex.pdf").unlink()
    assert run(site, cache=shared_cache) == 0
    assert not (site / "public/files/annex.pdf").exists()
    (site / "content/img/map.png").unlink()  # the story still shows it
    capsys.readouterr()
    assert run(site, cache=shared_cache) == 1
    assert "content/story.md:7: image 'img/map.png' does not exist" in capsys.readouterr().err


def test_the_preview_serves_files_beside_pages_and_follows_their_edits(server: Server) -> None:  # noqa: F811 (the fixture)
    root = server.root
    add_story(root)
    server.wait_for(lambda s: s["ok"] and server.get("/story/")[0] == 200)
    assert server.get("/img/map.png")[0] == 200 and server.get("/files/report.pdf")[0] == 200
    body = server.get("/story/")[1]
    assert '<img alt="The map" src="/img/map.png">' in body and 'href="/static/logo.png"' in body  # (the preview keeps plain names)
    (root / "content/img/map.png").unlink()
    status = server.settled()
    assert not status["ok"] and status["error"].startswith("content/story.md:7: image 'img/map.png' does not exist"), status
    (root / "content/img/map.png").write_bytes(png(5, 5))
    assert server.wait_for(lambda s: s["ok"])["ok"]
    assert server.get("/img/map.png")[0] == 200


def test_check_names_an_image_without_alt_text_as_written_at_its_line(
    site: Path, shared_cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (site / "content/img/second.png").write_bytes(png(1, 1))
    edit(site / "content/story.md", "Code is not", '<img src="/static/logo.png">\n<img src="img/second.png">\n\nCode is not')
    assert run(site, "check", "--base-url", "https://example.org/sub/", cache=shared_cache) == 1
    err = capsys.readouterr().err
    assert "content/story.md:10: image '/static/logo.png' has no alt text" in err, err
    assert "content/story.md:11: image '/img/second.png' has no alt text" in err, err


def test_files_of_a_draft_are_not_published_without_drafts(site: Path, shared_cache: Path) -> None:
    """An embargo: what only a draft shows, and everything in a draft's own folder, stays
    out of public/ until the draft is published (or built with --drafts)."""
    (site / "content/secret").mkdir()
    (site / "content/secret/index.md").write_text(
        "---\ntitle: Secret\ndescription: Embargoed.\ndraft: true\n---\n\n![Leak](leak.png) [memo](../files/memo.pdf)"
        " and the [map](../img/map.png), which the story shows too.\n"
    )
    (site / "content/secret/leak.png").write_bytes(png(2, 2))
    (site / "content/secret/data").mkdir()
    (site / "content/secret/data/sheet.xlsx").write_bytes(b"numbers")  # in the draft's folder, linked from nowhere
    (site / "content/secret.pdf").write_bytes(b"%PDF-1.4\n")
    (site / "content/files/memo.pdf").write_bytes(b"%PDF-1.4\n")  # shown only by the draft
    (site / "content/later.md").write_text("---\ntitle: Later\ndescription: D.\ndraft: true\n---\n\n[Plan](later/plan.pdf)\n")
    (site / "content/later").mkdir()
    (site / "content/later/plan.pdf").write_bytes(b"%PDF-1.4\n")
    assert run(site, cache=shared_cache) == 0
    published = {p.relative_to(site / "public").as_posix() for p in (site / "public").rglob("*") if p.is_file()}
    assert not {"secret/leak.png", "secret/data/sheet.xlsx", "files/memo.pdf", "later/plan.pdf"} & published
    assert {"img/map.png", "files/report.pdf", "secret.pdf"} <= published  # shown by a published page, or no draft's
    assert run(site, "build", "--drafts", cache=shared_cache) == 0
    published = {p.relative_to(site / "public").as_posix() for p in (site / "public").rglob("*") if p.is_file()}
    assert {"secret/leak.png", "secret/data/sheet.xlsx", "files/memo.pdf", "later/plan.pdf"} <= published


def test_a_draft_home_page_is_an_error_not_a_site_without_a_front_page(site: Path, shared_cache: Path, capsys) -> None:
    edit(site / "content/index.md", "template: home\n", "template: home\ndraft: true\n")
    before = snapshot(site / "public") if (site / "public").exists() else {}
    assert run(site, cache=shared_cache) == 1
    err = capsys.readouterr().err
    assert "content/index.md:7: the home page is a draft" in err and "Traceback" not in err, err
    assert (snapshot(site / "public") if (site / "public").exists() else {}) == before
    assert run(site, "build", "--drafts", cache=shared_cache) == 0


@pytest.mark.parametrize("image", ["files/report.pdf", "index.md", "/files/report.pdf", "/static/style.css", "img/"])
def test_a_page_image_that_is_not_a_picture_is_an_error(image: str, site: Path, shared_cache: Path, capsys) -> None:
    """Social sites show PNG, JPEG, GIF and WebP: a PDF, a page or a stylesheet as the
    page's card would be a broken card wherever it is shared."""
    edit(site / "content/story.md", "image: img/map.png", f"image: {image}")
    assert run(site, cache=shared_cache) == 1
    err = capsys.readouterr().err
    assert f"content/story.md:4: image '{image}' " in err and "Traceback" not in err, err


BLOCKS = """
```chart
data: missiles
mark: bar
x: year:O
y: missiles:Q
title: Missiles, again
description: Bar chart of missiles.
notes: "![A key](img/map.png) and [the report](files/report.pdf#page=3)"
```

```table
data: missiles
title: Missiles as a table
notes: "See ![the logo](/static/logo.png)."
```

```scrolly
chart: missiles-again
steps:
  - text: |
      The map: ![The map](img/map.png)
    alt: Every bar.
  - text: "[The report](files/report.pdf)"
    alt: Every bar again.
```
"""


def test_paths_in_notes_and_step_text_resolve_like_the_body(site: Path, shared_cache: Path) -> None:
    """Images and files in a chart's or table's notes and in scrolly step text are checked
    and published at their address, as in the body: a broken image shipped."""
    (site / "content/story.md").write_text(STORY + BLOCKS)
    assert run(site, "build", "--base-url", "https://example.org/sub/", cache=shared_cache) == 0
    html = (site / "public/story/index.html").read_text()
    logo = next((site / "public/static").glob("logo.*.png")).name
    assert html.count('src="/sub/img/map.png"') >= 4  # the body's two, the notes', the step's
    assert '<a href="/sub/files/report.pdf#page=3">the report</a>' in html
    assert f'<img alt="the logo" src="/sub/static/{logo}">' in html
    assert '<a href="/sub/files/report.pdf">The report</a>' in html
    assert '<img alt="A key" src="/sub/img/map.png">' in (site / "public/embed/missiles-again/index.html").read_text()


@pytest.mark.parametrize("old, new", [("![The map](img/map.png)\n    alt", "![The map](img/nomap.png)\n    alt"), ("#page=3", "x.pdf")])
def test_a_missing_image_in_notes_or_step_text_stops_the_build_at_its_line(
    old: str, new: str, site: Path, shared_cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = STORY + BLOCKS.replace(old, new)
    (site / "content/story.md").write_text(text)
    line = next(n for n, x in enumerate(text.split("\n"), 1) if "nomap" in x or "pdfx.pdf" in x)
    assert run(site, cache=shared_cache) == 1
    err = capsys.readouterr().err
    assert f"content/story.md:{line}: " in err and "does not exist" in err and "Traceback" not in err, err

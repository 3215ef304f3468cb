"""Corrections: a dated log on each corrected page and one list for the whole site."""

from __future__ import annotations

import html as markup
import re
from pathlib import Path

import pytest
from conftest import make_site, run

CORRECTED = """updated: 2026-11-30
corrections:
  - date: 2026-11-30
    text: The 2016 total was 22.49 million tonnes, not 22.5.
    source: https://example.org/customs-2016
  - date: 2026-12-02
    text: The chart's title named the wrong year.
"""


def add_corrections(site: Path) -> None:
    page = site / "content" / "notes" / "coal.md"
    page.write_text(page.read_text().replace("updated: 2026-11-30\n", CORRECTED, 1))
    home = site / "content" / "index.md"
    home.write_text(home.read_text() + "\n## Corrections log\n\n```corrections\n```\n")


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", markup.unescape(re.sub(r"<[^>]+>", "", html)))


def test_a_corrected_page_lists_its_corrections_newest_first(tmp_path: Path, shared_cache: Path) -> None:
    site = make_site(tmp_path)
    add_corrections(site)
    assert run(site, cache=shared_cache) == 0
    html = (site / "public" / "notes" / "coal" / "index.html").read_text()
    section = html[html.index('<section class="corrections" id="corrections"') :]
    text = text_of(section)
    assert text.index("2 December 2026: The chart's title named the wrong year.") < text.index(
        "30 November 2026: The 2016 total was 22.49 million tonnes, not 22.5."
    )
    assert '<a href="https://example.org/customs-2016">source</a>' in section


def test_the_corrections_block_lists_every_pages_corrections(tmp_path: Path, shared_cache: Path) -> None:
    site = make_site(tmp_path)
    add_corrections(site)
    assert run(site, cache=shared_cache) == 0
    home = (site / "public" / "index.html").read_text()
    log = home[home.index('<div class="corrections-log">') :]
    assert log.count("<li>") == 2
    assert '<a href="/notes/coal/#corrections">Missiles</a>' in log
    assert "No corrections so far." not in home


def test_check_passes_on_a_site_with_a_corrections_block(tmp_path: Path, shared_cache: Path) -> None:
    site = make_site(tmp_path)
    add_corrections(site)
    assert run(site, "check", cache=shared_cache) == 0


def test_a_new_correction_updates_the_log_on_a_warm_build(tmp_path: Path, shared_cache: Path) -> None:
    site = make_site(tmp_path)
    home = site / "content" / "index.md"
    home.write_text(home.read_text() + "\n```corrections\n```\n")
    assert run(site, cache=shared_cache) == 0
    assert "No corrections so far." in (site / "public" / "index.html").read_text()
    add_corrections(site)
    home.write_text(home.read_text().replace("\n## Corrections log\n\n```corrections\n```\n", ""))
    assert run(site, cache=shared_cache) == 0
    assert "The chart's title named the wrong year." in text_of((site / "public" / "index.html").read_text())


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("  - date: 2026-11-30\n", "content/notes/coal.md:8: a correction needs 'text'"),
        ("  - date: 30 November\n    text: x\n", "content/notes/coal.md:8: 'date' must be a date"),
        ("  - text: x\n    date: 2026-11-30\n    source: javascript:alert(1)\n", "content/notes/coal.md:10: a correction's source must be"),
        (
            "  - date: 2026-11-30\n    text: x\n  - date: 2026-12-01\n    txt: y\n",
            "content/notes/coal.md:11: unknown key 'txt' in a correction",
        ),
        ("  - just text\n", "content/notes/coal.md:7: each correction must be a mapping"),
    ],
)
def test_a_bad_correction_names_its_line(
    tmp_path: Path, shared_cache: Path, capsys: pytest.CaptureFixture[str], entry: str, message: str
) -> None:
    site = make_site(tmp_path)
    page = site / "content" / "notes" / "coal.md"
    page.write_text(page.read_text().replace("updated: 2026-11-30\n", "updated: 2026-11-30\ncorrections:\n" + entry, 1))
    assert run(site, cache=shared_cache) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


@pytest.mark.parametrize(
    "front, message",
    [
        ("date: 2026-11-29\nupdated: 2026-11-01\n", "content/notes/coal.md:4: 'updated' (2026-11-01) is before 'date' (2026-11-29)"),
        (
            "corrections:\n  - date: 2999-01-01\n    text: Not yet.\n",
            "content/notes/coal.md:4: the correction dated 2999-01-01 is in the future",
        ),
        (
            "date: 2026-11-29\ncorrections:\n  - date: 2026-11-30\n    text: Fine.\n  - date: 2025-01-01\n    text: Before.\n",
            "content/notes/coal.md:7: the correction dated 2025-01-01 is before the page's date (2026-11-29)",
        ),
    ],
)
def test_dates_that_cannot_be_true_stop_the_build_at_their_line(
    front: str, message: str, tmp_path: Path, shared_cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A correction dated in the future or before the page was published, or an update
    before the date of publication, tells the reader something false."""
    site = make_site(tmp_path)
    page = site / "content" / "notes" / "coal.md"
    page.write_text(page.read_text().replace("updated: 2026-11-30\n", "", 1).replace("title: Missiles\n", "title: Missiles\n" + front, 1))
    assert run(site, cache=shared_cache) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err, err

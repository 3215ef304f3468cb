"""Golden output: the test site's pages, compared with tests/golden/basic.

A mismatch writes ``*.changed`` next to the expected file for review. Expected files are
regenerated only on purpose, with ``make golden`` (BROADSHEET_GOLDEN=1), never in CI.
Fingerprints and the inside of chart SVGs (which belong to vl-convert) are normalised.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from conftest import make_site, run

GOLDEN = Path(__file__).resolve().parent / "golden" / "basic"
FILES = ["index.html", "notes/coal/index.html", "404.html", "sitemap.xml", "robots.txt", "feed.xml", "embed/yields/index.html", "_headers"]


def normalise(text: str) -> str:
    text = re.sub(r"\.[0-9a-f]{10}\.(css|js|json|svg|png)\b", r".HASH.\1", text)
    return re.sub(r'(<svg role="img" aria-label="[^"]*")[^>]*>.*?</svg>', r"\1>…</svg>", text, flags=re.S)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = make_site(tmp_path_factory.mktemp("golden"))
    assert run(site, "build", "--no-cache") == 0
    return site / "public"


@pytest.mark.parametrize("name", FILES)
def test_output_matches_golden(built: Path, name: str) -> None:
    actual = normalise((built / name).read_text())
    expected_path = GOLDEN / name
    changed = expected_path.with_name(expected_path.name + ".changed")
    if os.environ.get("BROADSHEET_GOLDEN") == "1":
        expected_path.parent.mkdir(parents=True, exist_ok=True)
        expected_path.write_text(actual)
        changed.unlink(missing_ok=True)
        return
    expected = expected_path.read_text()
    if actual != expected:
        changed.write_text(actual)
        pytest.fail(f"{name} differs from {expected_path}; review {changed} and run `make golden` if it is right")
    changed.unlink(missing_ok=True)


def test_chart_svg_is_a_complete_drawing(built: Path) -> None:
    html = (built / "index.html").read_text()
    svg = re.search(r'<svg role="img".*?</svg>', html, flags=re.S).group(0)
    assert 'viewBox="0 0 ' in svg and "mark-symbol" in svg and "mark-rule" in svg
    assert 'id="c-yields-' in svg or "id=" not in svg  # ids are unique per chart on a page

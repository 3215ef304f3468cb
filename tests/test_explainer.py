"""The publication itself: the explainer builds and keeps the promises of its brief."""

from __future__ import annotations

import hashlib
import html
import json
import re
import shutil
from pathlib import Path

import pytest
import yaml
from conftest import REPO, Explainer, copy_explainer, run


@pytest.fixture
def public(explainer: Explainer) -> Path:
    return explainer.public


def pages(public: Path) -> dict[str, str]:
    return {p.relative_to(public).as_posix(): p.read_text() for p in public.rglob("index.html")}


def marks(spec: object) -> set[str]:
    found: set[str] = set()
    if isinstance(spec, dict):
        mark = spec.get("mark")
        if isinstance(mark, (str, dict)) and (isinstance(mark, str) or "type" in mark):
            found.add(mark if isinstance(mark, str) else mark["type"])
        for key, value in spec.items():
            if key not in ("datasets", "data", "config"):
                found |= marks(value)
    elif isinstance(spec, list):
        for item in spec:
            found |= marks(item)
    return found


def test_pages_charts_and_mark_kinds(public: Path) -> None:
    html = pages(public)
    assert len(html) >= 8
    figures = sum(page.count('<figure class="chart"') for page in html.values())
    assert figures >= 10
    kinds = set().union(*(marks(json.loads(p.read_text())) for p in (public / "charts").glob("*.json")))
    assert len(kinds & {"bar", "line", "point", "area", "rule", "text", "tick", "rect", "errorbar"}) >= 5, kinds


def test_every_figure_has_source_alt_text_and_a_csv_that_exists(public: Path) -> None:
    for name, page in pages(public).items():
        for figure in re.findall(r'<figure class="chart".*?</figure>', page, flags=re.S):
            assert re.search(r'<svg role="img" aria-label="[^"]{20,}"', figure), name
            assert re.search(r'class="chart-source">Sources?:\s*<a href="https?://', figure), name
            csvs = re.findall(r'<a href="/(data/[^"]+\.csv)" download>', figure)
            assert csvs and all((public / csv).is_file() for csv in csvs), name


def test_every_data_file_is_pinned_to_the_sourced_file_by_its_hash() -> None:
    """The provenance check, from this repository alone: each CSV is described with the
    sha256 of the file in the sourced data set, which every build verifies (a test in
    test_security.py shows an edited file fails the build)."""
    package = yaml.safe_load((REPO / "data" / "datapackage.yaml").read_text())
    described = {r["path"]: r.get("hash", "") for r in package["resources"]}
    assert set(described) == {p.name for p in (REPO / "data").glob("*.csv")}
    for path, digest in described.items():
        assert digest == "sha256:" + hashlib.sha256((REPO / "data" / path).read_bytes()).hexdigest(), path


def test_an_edited_data_file_stops_the_build(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = copy_explainer(tmp_path)
    csv = root / "data" / "china_nk_coal_annual.csv"
    csv.write_bytes(csv.read_bytes().replace(b"22490000", b"22500000", 1))
    assert run(root) == 1
    assert "china_nk_coal_annual.csv does not match its hash" in capsys.readouterr().err


def test_seed_facts_are_present(public: Path) -> None:
    text = re.sub(r"<[^>]+>", " ", " ".join(pages(public).values()))
    text = re.sub(r"\s+", " ", text)
    assert "9 September 2016" in text
    assert "1.53 million tonnes" in text
    assert "2.47 million" in text
    assert re.search(r"(about|around) (US)?\$1 billion", text)
    assert "2270" in text and "2 March 2016" in text and "livelihood" in text


def test_the_narrative_is_substantial(public: Path) -> None:
    prose = " ".join(
        re.sub(r"<[^>]+>", " ", re.sub(r"<(figure|svg|table).*?</\1>", " ", page, flags=re.S)) for page in pages(public).values()
    )
    assert len(prose.split()) > 5000


def test_the_story_runs_past_2017(public: Path) -> None:
    html = pages(public)
    after = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html["after-2017/index.html"]))
    for fact in ("26 May 2022", "28 March 2024", "Multilateral Sanctions Monitoring Team", "$318 million", "$2.73 billion"):
        assert fact in after, fact
    assert 'href="/after-2017/"' in html["index.html"]
    corrections = html["about/index.html"]
    assert corrections.count("#corrections") >= 10  # the site-wide log lists the pages' corrections


def corrected(explainer: Explainer, folder: Path, old: bytes, new: bytes) -> Path:
    """A copy of the built explainer (its cache too) with one cell of china_nk_trade.csv
    corrected and the file's hash pinned again, as an editor would."""
    root = folder / "site"
    shutil.copytree(explainer.root, root, symlinks=True)
    csv, package = root / "data" / "china_nk_trade.csv", root / "data" / "datapackage.yaml"
    before = hashlib.sha256(csv.read_bytes()).hexdigest()
    assert csv.read_bytes().count(old) == 1
    csv.write_bytes(csv.read_bytes().replace(old, new))
    package.write_text(package.read_text().replace(before, hashlib.sha256(csv.read_bytes()).hexdigest()))
    return root


def readable(public: Path) -> dict[str, str]:
    """Every page, embed and feed as a reader or a feed reader gets it: text, titles, alt texts."""
    files = [*public.rglob("*.html"), *public.glob("feed.xml")]  # (a site with a relative base_url has no feed)
    return {p.relative_to(public).as_posix(): html.unescape(re.sub(r"\s+", " ", p.read_text())) for p in files}


def test_a_corrected_figure_changes_every_page_title_and_alt_text_that_cites_it(explainer: Explainer, tmp_path: Path) -> None:
    """Issue 25's check: China-North Korea trade in 2025 ($2.73 billion, cited on three pages,
    in a chart title and in an alt text) corrected in the data; no page says the old figure."""
    root = corrected(explainer, tmp_path, b"2025,China customs (GACC),,,2.73,", b"2025,China customs (GACC),,,2.74,")
    assert run(root) == 0
    after = readable(root / "public")
    assert not [name for name, text in after.items() if "$2.73 billion" in text]
    cited = {name for name, text in after.items() if "$2.74 billion" in text}
    assert {"index.html", "trade/index.html", "after-2017/index.html", "embed/trade-since-2013/index.html"} <= cited
    page = after["after-2017/index.html"]
    assert re.search(r'<p class="chart-title"[^>]*>[^<]*recovered to <span class="bound"><data value="2740000000"', page)
    assert re.search(r'aria-label="Line chart [^"]*\$2\.74 billion in 2025', page)


def test_a_cited_row_removed_stops_the_build_at_the_line_that_cites_it(
    explainer: Explainer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    row = next(line for line in (explainer.root / "data/china_nk_trade.csv").read_bytes().splitlines(True) if line.startswith(b"2025,"))
    root = corrected(explainer, tmp_path, row, b"")
    assert run(root) == 1
    err = capsys.readouterr().err
    found = re.search(r"error: (content/[\w-]+\.md):(\d+): bound value: no row of 'china_nk_trade' has year=2025", err)
    assert found, err
    assert "year=2025" in (root / found.group(1)).read_text().splitlines()[int(found.group(2)) - 1]
    assert "Traceback" not in err

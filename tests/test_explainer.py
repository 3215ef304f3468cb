"""The publication itself: the explainer builds and keeps the promises of its brief."""

from __future__ import annotations

import hashlib
import html
import json
import re
import shutil
import tomllib
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
    assert {"index.html", "trade/index.html", "after-2017/index.html", "embed/trade-totals/index.html"} <= cited
    page = after["trade/index.html"]
    assert re.search(r'<p class="chart-title"[^>]*>[^<]*recovered to <span class="bound"><data value="2740000000"', page)
    assert re.search(r'aria-label="Line and dot chart [^"]*\$2\.74 billion for 2025', page)


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


# --- The standards desk's rules (issue 26), where a rule can be checked mechanically -------

CONTENT = REPO / "content"
# A source label that names several outlets in a list: "Other reports (CGTN, South China
# Morning Post, NK News, Aju Business Daily)" linked to one CGTN page. Each outlet gets its
# own source, linking to what it names; a relay says "copy on <host>" instead.
LISTED_OUTLETS = re.compile(r"\((?:[A-Z][^,()\d]*,\s*)+[A-Z][^,()\d]*\)|^Others?\b|\b(press releases|reports|summaries|pages)\b")


def test_no_source_label_names_several_outlets() -> None:
    package = yaml.safe_load((REPO / "data" / "datapackage.yaml").read_text())
    grouped = [
        f"{resource['name']}: {source['title']}"
        for resource in package["resources"]
        for source in resource.get("sources", [])
        if LISTED_OUTLETS.search(source["title"])
    ]
    assert not grouped, grouped


def test_a_relay_says_whose_copy_it_is() -> None:
    """A source on a host that is not the outlet it names says so in plain view ("copy on ...")."""
    package = yaml.safe_load((REPO / "data" / "datapackage.yaml").read_text())
    relays = ("freemalaysiatoday", "charm-retirement", "posterguy", "exbulletin", "infosurhoy", "timesofmanitoba", "localnews8")
    unsaid = [
        source["title"]
        for resource in package["resources"]
        for source in resource.get("sources", [])
        if any(host in source["path"] for host in relays) and "copy on" not in source["title"]
    ]
    assert not unsaid, unsaid


def front_matter(page: str) -> dict[str, object]:
    text = (CONTENT / page).read_text()
    loaded: dict[str, object] = yaml.safe_load(text.split("---\n")[1])
    return loaded


def test_the_home_page_says_as_of_when_and_leads_with_its_chart(public: Path) -> None:
    home = front_matter("index.md")
    assert len(str(home["title"]).split()) <= 12, home["title"]  # the headline; its second clause is in the dek
    html = pages(public)["index.html"]
    dek = re.search(r'<p class="dek">(.*?)</p>', html, flags=re.S)
    assert dek and "as of January 2026" in dek.group(1)
    assert re.search(r'<h2 id="since-2018">[^<]*as of January 2026', html)
    assert html.index('<figure class="chart" id="pressure-and-coal"') < html.index('class="key-figures"')  # the chart before the cards


# Words for colours that change between the light and the dark page: a caption says what is
# drawn ("the cap line"), not "the black line" (white on the dark page).
INVERTING = re.compile(r"\bblack\b|\bwhite\b(?! House)", re.I)  # (the White House is not a colour)


def test_no_caption_names_a_colour_the_dark_page_changes() -> None:
    said = []
    for page in sorted(CONTENT.glob("*.md")):
        for block in re.findall(r"```(?:chart|scrolly)\n(.*?)```", page.read_text(), flags=re.S):
            for key in ("subtitle", "notes", "description", "alt"):
                lines = re.findall(rf"^\s*-?\s*{key}: (.*)$", block, re.M)
                said += [f"{page.name}: {line.strip()[:80]}" for line in lines if INVERTING.search(line)]
    assert not said, said


def test_the_coal_scrolly_ends_on_the_whole_chart_instead_of_repeating_it(public: Path) -> None:
    scrolly = yaml.safe_load(re.search(r"```scrolly\n(.*?)```", (CONTENT / "coal.md").read_text(), flags=re.S).group(1))  # type: ignore[union-attr]
    assert set(scrolly["steps"][-1]) == {"text", "alt"}  # nothing faded, filtered, zoomed or added
    coal = pages(public)["coal/index.html"]
    assert '<figure class="chart" id="coal-monthly"' not in coal
    after = pages(public)["after-2017/index.html"]
    assert 'href="/trade/#trade-totals"' in after and 'id="trade-since-2013"' not in after  # one trade chart, linked


def test_one_colour_per_actor_declared_once_and_documented(explainer: Explainer, capsys: pytest.CaptureFixture[str]) -> None:
    """site.toml's colours are each one actor's or one record's on every page (check lists no
    colour that stands for two named series), and the About page shows each of them."""
    assert run(explainer.root, "check") == 0
    assert "note: colour" not in capsys.readouterr().out
    colors = tomllib.loads((REPO / "site.toml").read_text())["colors"]
    about = pages(explainer.public)["about/index.html"]
    shown = set(re.findall(r'<rect [^>]*fill="(#[0-9A-Fa-f]{6})"', about.split('id="how-to-read-the-colours"')[1].split("</table>")[0]))
    assert shown == set(colors.values())

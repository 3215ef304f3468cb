"""Golden output: the test site built several ways, compared with tests/golden/CASE/.

Each case builds the test site (tests/sites/basic), perhaps edited and with its own options,
and lists the files it compares: whole files, or one element of a page picked by its id
(``Part``, kept as ``PAGE.ID.html``) where the rest of the page is another case's business.
A mismatch writes ``*.changed`` next to the expected file for review. Expected files are
regenerated only on purpose, with ``make golden`` (BROADSHEET_GOLDEN=1), never in CI.
Fingerprints and the inside of chart SVGs (which belong to vl-convert) are normalised.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import make_site, run
from test_corrections import add_corrections

GOLDEN = Path(__file__).resolve().parent / "golden"


@dataclass(frozen=True)
class Part:
    """The element whose ``attr`` is ``name`` in the page at ``path``, opening tag to closing tag."""

    path: str
    name: str
    attr: str = "id"

    @property
    def expected(self) -> str:
        return f"{self.path.removesuffix('.html')}.{self.name}.html"

    def cut(self, html: str) -> str:
        start = re.search(rf'<(\w+)\b[^>]*\b{self.attr}="{re.escape(self.name)}"', html)
        assert start, f"{self.path}: no element with {self.attr}={self.name!r}"
        tag, depth = start.group(1), 0
        for tags in re.finditer(rf"<(/?){tag}\b[^>]*>", html[start.start() :]):
            depth += -1 if tags.group(1) else 1
            if depth == 0:
                return html[start.start() : start.start() + tags.end()] + "\n"
        raise AssertionError(f"{self.path}: <{tag} {self.attr}={self.name!r}> is never closed")


@dataclass(frozen=True)
class Case:
    name: str
    files: tuple[str | Part, ...]
    args: tuple[str, ...] = ()
    edit: Callable[[Path], None] | None = None  # changes the copy of the test site before the build


SITE_FILES = ("index.html", "notes/coal/index.html", "404.html", "sitemap.xml", "robots.txt", "feed.xml", "_headers")
CASES = [
    Case("basic", (*SITE_FILES, "embed/yields/index.html")),
    Case("sub-path", (*SITE_FILES, "embed/yields/index.html"), args=("--base-url", "https://example.org/sub/")),
    Case("drafts", ("draft/index.html", "feed.xml", "sitemap.xml"), args=("--drafts",)),
    Case("embeds", ("embed/yields/index.html", "embed/missiles-tested-a-year/index.html")),
    Case("python-chart", (Part("index.html", "yields"),)),
    Case("tables-and-datasets", tuple(Part("notes/coal/index.html", id) for id in ("table-the-numbers", "data-missiles", "data-tests"))),
    Case(
        "corrections",
        (Part("notes/coal/index.html", "corrections"), Part("index.html", "corrections-log", attr="class")),
        edit=add_corrections,
    ),
]
FILES = [(case, file) for case in CASES for file in case.files]


def normalise(text: str) -> str:
    text = re.sub(r"\.[0-9a-f]{10}\.(css|js|json|svg|png)\b", r".HASH.\1", text)
    return re.sub(r'(<svg role="img" aria-label="[^"]*")[^>]*>.*?</svg>', r"\1>…</svg>", text, flags=re.S)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, shared_cache: Path) -> Callable[[Case], Path]:
    """Each case's output folder, built once for the module (the charts from the session's
    cache); cases that differ only in the files they compare share one build."""
    folders: dict[tuple[tuple[str, ...], Callable[[Path], None] | None], Path] = {}

    def build(case: Case) -> Path:
        key = (case.args, case.edit)
        if key not in folders:
            site = make_site(tmp_path_factory.mktemp(f"golden-{case.name}"))
            if case.edit:
                case.edit(site)
            assert run(site, "build", *case.args, cache=shared_cache) == 0
            folders[key] = site / "public"
        return folders[key]

    return build


@pytest.mark.parametrize(("case", "file"), FILES, ids=[f"{case.name}:{getattr(f, 'expected', f)}" for case, f in FILES])
def test_output_matches_golden(built: Callable[[Case], Path], case: Case, file: str | Part) -> None:
    public = built(case)
    if isinstance(file, Part):
        actual, name = normalise(file.cut((public / file.path).read_text())), file.expected
    else:
        actual, name = normalise((public / file).read_text()), file
    expected_path = GOLDEN / case.name / name
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


def test_every_golden_file_belongs_to_a_case() -> None:
    """A file left behind by a renamed or removed case would otherwise go stale unnoticed."""
    listed = {f"{case.name}/{getattr(f, 'expected', f)}" for case, f in FILES}
    stored = {p.relative_to(GOLDEN).as_posix() for p in GOLDEN.rglob("*") if p.is_file() and not p.name.endswith(".changed")}
    assert stored <= listed, sorted(stored - listed)


def case(name: str) -> Case:
    return next(c for c in CASES if c.name == name)


def test_chart_svg_is_a_complete_drawing(built: Callable[[Case], Path]) -> None:
    html = (built(case("basic")) / "index.html").read_text()
    svg = re.search(r'<svg role="img".*?</svg>', html, flags=re.S).group(0)
    assert 'viewBox="0 0 ' in svg and "mark-symbol" in svg and "mark-rule" in svg
    assert 'id="c-yields-' in svg or "id=" not in svg  # ids are unique per chart on a page


def test_a_sub_path_deploy_puts_the_path_in_every_link_asset_and_feed_entry(built: Callable[[Case], Path]) -> None:
    public = built(case("sub-path"))
    for name in SITE_FILES:
        text = (public / name).read_text()
        local = re.findall(r'(?:href|src|data-spec|data-runtime)="(/[^"]*)"', text) + re.findall(r"^/\S*", text, flags=re.M)
        absolute = re.findall(r"https://example\.org(/[^\"<\s]*)", text)
        assert local or absolute, name
        outside = [ref for ref in local + absolute if not ref.startswith("/sub/")]
        assert not outside, (name, outside)
    assert '<link rel="canonical" href="https://example.org/sub/notes/coal/">' in (public / "notes/coal/index.html").read_text()


def test_a_draft_has_its_banner_and_noindex_and_stays_out_of_feed_and_sitemap(built: Callable[[Case], Path]) -> None:
    public = built(case("drafts"))
    draft = (public / "draft/index.html").read_text()
    assert 'class="draft-banner"' in draft and '<meta name="robots" content="noindex">' in draft
    for name in ("feed.xml", "sitemap.xml"):
        assert "/draft/" not in (public / name).read_text(), name

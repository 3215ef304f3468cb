"""Render keys change exactly when an input of their file changes.

Each test builds a copy of tests/sites/basic into memory (``MemoryOutput``), edits one
input, builds again with the same state, and compares every file's render key."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import make_site

from broadsheet.cache import Cache
from broadsheet.config import load_config
from broadsheet.output import MemoryOutput
from broadsheet.site import build_site
from broadsheet.state import BuildState

COAL, HOME = "notes/coal/index.html", "index.html"
EMBEDS = {"embed/yields/index.html", "embed/missiles-tested-a-year/index.html"}
EVERY_RENDERED = {HOME, COAL, *EMBEDS, "404.html", "feed.xml", "sitemap.xml"}


def edit(path: str, old: str, new: str) -> Callable[[Path], None]:
    def change(root: Path) -> None:
        text = (root / path).read_text(encoding="utf-8")
        assert old in text, old
        (root / path).write_text(text.replace(old, new), encoding="utf-8")

    return change


def changed_keys(tmp_path: Path, cache: Path, change: Callable[[Path], None]) -> set[str]:
    """The files whose render key differs after ``change`` (a file new or gone counts)."""
    root = make_site(tmp_path)
    state = BuildState()
    build_site(load_config(root), MemoryOutput({}), Cache(cache), state=state)
    before = dict(state.render_keys)
    assert set(before) >= EVERY_RENDERED
    change(root)
    build_site(load_config(root), MemoryOutput({}), Cache(cache), state=state)
    after = state.render_keys
    return {dest for dest in before.keys() | after.keys() if before.get(dest) != after.get(dest)}


def specs(keys: set[str]) -> set[str]:
    return {k for k in keys if k.startswith("charts/")}


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (edit("content/notes/coal.md", "## By year", "## Year by year"), {COAL}),
        (edit("content/index.md", "The first test", "The very first test"), {HOME}),
        (edit("templates/_table.html", "<table", "<table data-x"), {COAL}),
        (edit("templates/home.html", "{%", "{# a comment #}{%"), {HOME}),
        (edit("templates/embed.html", "{%", "{# a comment #}{%"), EMBEDS),
        (edit("content/draft.md", "Unfinished.", "Still unfinished."), set()),  # (not built without --drafts)
        (edit("content/notes/coal.md", "nav_title: Missiles", "nav_title: Rockets"), EVERY_RENDERED),
        (edit("site.toml", 'description = "A small site', 'description = "A tiny site'), EVERY_RENDERED),
    ],
    ids=["page text", "home text", "table template", "home template", "embed template", "a draft", "navigation", "config"],
)
def test_a_key_changes_exactly_when_its_inputs_do(
    tmp_path: Path, shared_cache: Path, change: Callable[[Path], None], expected: set[str]
) -> None:
    assert changed_keys(tmp_path, shared_cache, change) == expected


def test_a_chart_spec_changes_its_pages_its_embed_and_its_spec_file(tmp_path: Path, shared_cache: Path) -> None:
    changed = changed_keys(tmp_path, shared_cache, edit("charts/yields.py", 'title="Yield (kt)"', 'title="Yield (kilotonnes)"'))
    assert changed - specs(changed) == {HOME, "embed/yields/index.html"}
    assert len(specs(changed)) == 4 and all(k.replace("narrow/", "").startswith("charts/yields.") for k in specs(changed)), (
        "old out, new in: wide and narrow"
    )


def test_a_dataset_changes_what_shows_it(tmp_path: Path, shared_cache: Path) -> None:
    changed = changed_keys(tmp_path, shared_cache, edit("data/missiles.csv", "2013,6,0", "2013,7,0"))
    assert changed - specs(changed) == {COAL, "embed/missiles-tested-a-year/index.html"}
    assert len(specs(changed)) == 4 and all(
        k.replace("narrow/", "").startswith("charts/missiles-tested-a-year.") for k in specs(changed)
    )  # (wide and narrow)

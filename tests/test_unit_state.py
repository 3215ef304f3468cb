"""Unit tests of the build state: what a build leaves for the next, and its saved form."""

from __future__ import annotations

import os
import time
from pathlib import Path

from conftest import make_site

from broadsheet.cache import Cache
from broadsheet.config import load_config
from broadsheet.pages import RACY_NS, load_pages
from broadsheet.site import load_site
from broadsheet.state import BuildState, SavedState

PAGE = "content/notes/coal.md"


def loaded(root: Path, **config: str) -> BuildState:
    state = BuildState()
    load_site(load_config(root, **config), state)  # (reads pages, data and charts: no rendering)
    return state


def test_a_saved_state_loads_back_without_page_bodies(tmp_path: Path) -> None:
    root = make_site(tmp_path)
    config = load_config(root)
    state = loaded(root)
    state.render_keys = {"index.html": "k"}
    state.outputs = frozenset({"index.html"})
    saved = SavedState.of(Cache(tmp_path / "cache"), config, tmp_path / "public")
    saved.save(state)
    again = saved.load()
    assert again.render_keys == {"index.html": "k"} and again.outputs == frozenset({"index.html"})
    assert {src: digest for src, (digest, _) in again.pages.items()} == {src: digest for src, (digest, _) in state.pages.items()}
    assert all(not page.markdown and not page.html for _, page in again.pages.values()), "bodies are saved apart"
    assert again.pages[PAGE][1].title == state.pages[PAGE][1].title
    assert set(again.memos) == {"package", "charts", "values"}, "plain-data memos only"
    assert again.stamps == state.stamps


def test_page_html_is_saved_apart_and_read_only_for_an_unchanged_page(tmp_path: Path) -> None:
    root = make_site(tmp_path)
    state = loaded(root)
    digest, page = state.pages[PAGE]
    state.pages[PAGE] = (digest, page.__class__(**{**vars(page), "html": "<p>converted</p>"}))
    state.converted = len(state.pages)
    saved = SavedState.of(Cache(tmp_path / "cache"), load_config(root), tmp_path / "public")
    saved.save(state)
    again = saved.load()
    assert again.saved_html(PAGE) == "<p>converted</p>"
    again.pages[PAGE] = ("another digest", again.pages[PAGE][1])
    assert again.saved_html(PAGE) == "", "the page's text changed since"


def test_saved_html_of_the_wrong_shape_is_a_miss(tmp_path: Path) -> None:
    root = make_site(tmp_path)
    state = loaded(root)
    cache = Cache(tmp_path / "cache")
    saved = SavedState.of(cache, load_config(root), tmp_path / "public")
    saved.save(state)
    digest = state.pages[PAGE][0]
    cache.save_object(saved.name + "-html", saved.key, {PAGE: "<p>not a pair</p>", "content/index.md": (digest, 3)})
    again = saved.load()
    assert again.saved_html(PAGE) == "" and again.saved_html("content/index.md") == ""


def test_a_state_marked_stale_is_not_loaded(tmp_path: Path) -> None:
    root = make_site(tmp_path)
    saved = SavedState.of(Cache(tmp_path / "cache"), load_config(root), tmp_path / "public")
    saved.save(loaded(root))
    assert saved.load().pages
    saved.mark_stale()
    assert saved.load().pages == {} and saved.load().outputs is None


def test_other_config_or_output_folder_means_another_state(tmp_path: Path) -> None:
    root = make_site(tmp_path)
    cache = Cache(tmp_path / "cache")
    SavedState.of(cache, load_config(root), tmp_path / "public").save(loaded(root))
    assert SavedState.of(cache, load_config(root), tmp_path / "public").load().pages
    assert SavedState.of(cache, load_config(root, base_url="https://example.org/sub/"), tmp_path / "public").load().pages == {}
    assert SavedState.of(cache, load_config(root), tmp_path / "elsewhere").load().pages == {}


def test_without_a_cache_folder_nothing_is_saved(tmp_path: Path) -> None:
    root = make_site(tmp_path)
    saved = SavedState.of(Cache(None), load_config(root), tmp_path / "public")
    saved.save(loaded(root))
    assert saved.load().pages == {}


def test_a_page_changed_just_now_is_read_again_even_with_the_same_size_and_mtime(tmp_path: Path) -> None:
    root = make_site(tmp_path)
    config = load_config(root)
    path = root / PAGE
    text = path.read_text()
    path.write_text(text)  # (just now: the copy kept the original's mtime)
    state = BuildState()
    load_pages(config, state)
    assert PAGE not in state.stamps, "changed less than RACY_NS ago: not trusted next time"
    mtime = path.stat().st_mtime_ns
    path.write_text(text.replace("title: Missiles", "title: Launches"))  # same size
    os.utime(path, ns=(mtime, mtime))
    pages = {p.src: p for p in load_pages(config, state)}
    assert pages[PAGE].title == "Launches"


def test_an_old_unchanged_file_is_not_read_again(tmp_path: Path) -> None:
    root = make_site(tmp_path)
    config = load_config(root)
    path = root / PAGE
    old = time.time_ns() - 2 * RACY_NS
    os.utime(path, ns=(old, old))
    state = BuildState()
    load_pages(config, state)
    assert state.stamps[PAGE] == (path.stat().st_size, old)
    path.write_text(path.read_text().replace("title: Missiles", "title: Launches"))
    os.utime(path, ns=(old, old))  # (an edit that keeps size and mtime: the stamp is trusted)
    assert {p.src: p for p in load_pages(config, state)}[PAGE].title == "Missiles"
    os.utime(path, ns=(old + 1, old + 1))
    assert {p.src: p for p in load_pages(config, state)}[PAGE].title == "Launches"


def test_memo_recomputes_only_when_its_key_changes() -> None:
    state = BuildState()
    calls: list[str] = []
    assert state.memo("x", "k1", lambda: calls.append("a") or 1) == 1
    assert state.memo("x", "k1", lambda: calls.append("b") or 2) == 1
    assert state.memo("x", "k2", lambda: calls.append("c") or 3) == 3
    assert calls == ["a", "c"]


def test_a_memo_made_while_its_files_changed_is_not_kept_under_the_old_key() -> None:
    # (the data package read while an editor saves: the key no longer describes the value)
    state, made = BuildState(), []
    read = lambda text: lambda: made.append(text) or text  # noqa: E731
    assert state.memo("package", "k1", read("half-saved"), key_again=lambda: "k2") == "half-saved"
    assert state.memo("package", "k1", read("as saved")) == "as saved"
    assert state.memo("package", "k1", read("again")) == "as saved"
    assert made == ["half-saved", "as saved"]


def test_pages_read_on_every_core_are_those_one_process_reads_and_fail_at_the_same_first_error(tmp_path: Path, monkeypatch) -> None:
    import pytest

    from broadsheet.errors import SiteError
    from broadsheet.pages import READ_PER_WORKER

    root = make_site(tmp_path)
    config = load_config(root)
    for n in range(2 * READ_PER_WORKER):  # enough pages for two workers
        (root / f"content/notes/n{n:04}.md").write_text(f'---\ntitle: "Note {n}"\ndescription: "A note."\norder: {n}\n---\n\nText {n}.\n')
    read = {}
    for workers in ("1", "2"):
        monkeypatch.setenv("BROADSHEET_WORKERS", workers)
        state = BuildState()
        read[workers] = (load_pages(config, state), state.pages)
    assert read["1"] == read["2"] and len(read["2"][0]) > 2 * READ_PER_WORKER
    (root / "content/notes/n0100.md").write_text("---\ntitle: x\n---\n")  # no description
    (root / "content/notes/n0400.md").write_text("no front matter\n")
    for workers in ("1", "2"):
        monkeypatch.setenv("BROADSHEET_WORKERS", workers)
        with pytest.raises(SiteError) as error:
            load_pages(config, BuildState())
        assert error.value.path == "content/notes/n0100.md", "the first bad page in path order, however many processes read"

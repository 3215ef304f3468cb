"""The build state: what one build leaves for the next, and where it is kept.

The preview server keeps one ``BuildState`` in memory between rebuilds and never saves
it. The command line keeps one per output folder in the cache (``SavedState``): loaded
before a build, marked stale just before the output starts to change, saved once the
output is whole. A state saved by other engine code, libraries or config is a miss.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .cache import Cache
from .config import Config
from .content import Page

SAVED_MEMOS = ("templates", "charts", "package", "values")  # plain data, costly enough to keep between builds
HTML_SAVE_SHARE = 10  # save all pages' HTML again once a tenth of them (or 100) were converted anew
HtmlStore = dict[str, tuple[str, str]]  # page src -> (digest of its text, its HTML)


@dataclass(frozen=True)
class ChartIndexEntry:
    """What a warm build needs of a cached chart without reading it."""

    spec_digest: str  # the first 10 hex digits of the spec's hash
    svg_digest: str
    warnings: tuple[str, ...] = ()  # what the chart text and colour checks found
    series: tuple[tuple[str, str], ...] = ()  # each named series the chart draws, and its colour


@dataclass
class BuildState:
    """What one build leaves for the next.

    ``pages`` memoises read pages by a hash of their text (``stamps``: size and mtime,
    so an unchanged file is not even read); ``render_keys`` holds, for every file
    rendered, a hash of everything that went into it, so an unchanged file is neither
    rendered nor written again; ``outputs`` lists the files the last build wrote.
    """

    pages: dict[str, tuple[str, Page]] = field(default_factory=dict)
    stamps: dict[str, tuple[int, int]] = field(default_factory=dict)  # src -> (size, mtime in ns)
    render_keys: dict[str, str] = field(default_factory=dict)
    outputs: frozenset[str] | None = None  # the files the last build wrote, once one has
    memos: dict[str, tuple[str, Any]] = field(default_factory=dict)  # name -> (input hash, value of any kind)
    figure_index: dict[str, ChartIndexEntry] = field(default_factory=dict)  # chart cache key -> its digests
    converted: int = 0  # pages converted to HTML since their HTML was last saved
    html_loader: Callable[[], HtmlStore] | None = None  # reads the saved HTML
    _html: HtmlStore | None = None  # what it read

    def __getstate__(self) -> dict[str, Any]:
        """What is saved between command-line builds. Pages lose their Markdown and HTML
        (``html_store`` saves those apart, read only when an unchanged page must be
        rendered again); memos that hold live objects (the Jinja environment, the
        Markdown converter) are dropped, plain data ones kept."""
        pages = {src: (digest, _stripped(page)) for src, (digest, page) in self.pages.items()}
        memos = {name: memo for name, memo in self.memos.items() if name in SAVED_MEMOS}
        return {**vars(self), "pages": pages, "memos": memos, "converted": 0, "html_loader": None, "_html": None}

    def memo(self, name: str, key: str, compute: Callable[[], Any], key_again: Callable[[], str] | None = None) -> Any:
        """``compute()``, unless the last value under ``name`` was made from the same ``key``.
        ``key_again`` makes the key anew after computing: when the files changed while they
        were read (an editor saving during the preview's build), the value is used by this
        build but not kept under a key that does not describe it."""
        if name in self.memos and self.memos[name][0] == key:
            return self.memos[name][1]
        value = compute()
        if key_again is None or key_again() == key:
            self.memos[name] = (key, value)
        return value

    def html_store(self) -> HtmlStore:
        """Every page's HTML this state knows: the saved HTML, updated by this build's."""
        store = dict(self._saved_html())
        for src, (digest, page) in self.pages.items():
            if page.html:
                store[src] = (digest, page.html)
        return store

    def saved_html(self, src: str) -> str:
        """The HTML saved for page ``src`` if its text has not changed since, else ""."""
        digest, html = self._saved_html().get(src, ("", ""))
        return html if digest == self.pages[src][0] else ""

    def _saved_html(self) -> HtmlStore:
        if self._html is None:  # read once, on first need
            self._html = self.html_loader() if self.html_loader else {}
        return self._html


def _stripped(page: Page) -> Page:
    return replace(page, markdown="", html="") if page.markdown or page.html else page


@dataclass(frozen=True)
class SavedState:
    """The state of command-line builds into one output folder, kept in the cache under
    ``name`` and valid only under ``key``: the engine's own code, the libraries that
    shape output, the config (``state_key``)."""

    cache: Cache
    name: str
    key: str

    @classmethod
    def of(cls, cache: Cache, config: Config, out: Path) -> SavedState:
        name, key = state_key(config, out)
        return cls(cache, name, key)

    def load(self) -> BuildState:
        """The saved state, or a new one; its pages' HTML is read only if needed."""
        state = self.cache.load_object(self.name, self.key)
        state = state if isinstance(state, BuildState) else BuildState()
        state.html_loader = self._load_html
        return state

    def _load_html(self) -> HtmlStore:
        store = self.cache.load_object(self.name + "-html", self.key)
        if not isinstance(store, dict):
            return {}
        return {
            src: entry
            for src, entry in store.items()
            if isinstance(entry, tuple) and len(entry) == 2 and all(isinstance(x, str) for x in entry)
        }

    def mark_stale(self) -> None:
        """Before the output changes: a build that dies before ``save`` is followed by a full one."""
        self.cache.mark_stale(self.name)

    def save(self, state: BuildState) -> None:
        """Once the output is whole. The pages' HTML is saved again only when enough of
        it changed (else the saved HTML is nearly all still true)."""
        if state.converted >= min(100, len(state.pages) / HTML_SAVE_SHARE):
            self.cache.save_object(self.name + "-html", self.key, state.html_store())
        self.cache.save_object(self.name, self.key, state)


def state_key(config: Config, out: Path) -> tuple[str, str]:
    """Where the state of builds into ``out`` is kept, and the key that makes it valid."""
    from importlib.metadata import version

    engine = Path(__file__).parent
    digest = hashlib.sha256()
    for path in sorted(engine.glob("*.py")):
        digest.update(path.read_bytes())
    digest.update(f"{version('markdown')} {version('jinja2')} {config!r}".encode())
    return hashlib.sha256(str(out).encode()).hexdigest()[:16], digest.hexdigest()

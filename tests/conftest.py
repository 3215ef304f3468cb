"""Shared fixtures: copies of the test sites with the project's real templates and static files,
the explainer built once per run, and one chart cache for the run."""

from __future__ import annotations

import contextlib
import hashlib
import http.server
import shutil
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from broadsheet.cli import main


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: a long end-to-end run (the explainer, a looping chart, subprocesses); not in `make fast`")


@pytest.hookimpl(tryfirst=True)  # (before -m deselects)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test that needs the built explainer is slow: its cold build (every chart of the
    publication) costs more than the rest of the fast tests together."""
    for item in items:
        if "explainer" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)


REPO = Path(__file__).resolve().parent.parent
SITES = Path(__file__).resolve().parent / "sites"


@pytest.fixture(scope="session")
def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One chart cache for the whole run: most tests are about pages, not rendering."""
    return tmp_path_factory.mktemp("cache")


@dataclass(frozen=True)
class Explainer:
    """The publication, copied from this repository and built: tests only read it (or build
    it again into another folder); a test that edits it makes its own copy."""

    root: Path
    public: Path


EXPLAINER = pytest.StashKey[Explainer]()
NOT_THE_SITE = shutil.ignore_patterns("public", ".cache", ".git", ".venv", "node_modules", "tests", "bench", "__pycache__")


def copy_explainer(folder: Path) -> Path:
    """A copy of the explainer's site (this repository without its output, caches and tests)."""
    root = folder / "site"
    shutil.copytree(REPO, root, ignore=NOT_THE_SITE)
    return root


def built_explainer(config: pytest.Config) -> Explainer:
    """The explainer built once per test run. A function of the run's config, not only a fixture,
    because the browser tests need its pages while they are collected, before fixtures exist."""
    if EXPLAINER not in config.stash:
        folder = tempfile.TemporaryDirectory(prefix="broadsheet-explainer-")
        config.add_cleanup(folder.cleanup)
        root = copy_explainer(Path(folder.name))
        assert main(["build", "--root", str(root)]) == 0
        config.stash[EXPLAINER] = Explainer(root, root / "public")
    return config.stash[EXPLAINER]


@pytest.fixture(scope="session")
def explainer(request: pytest.FixtureRequest) -> Explainer:
    return built_explainer(request.config)


def make_site(tmp: Path, name: str = "basic", theme: bool = True) -> Path:
    """A copy of ``tests/sites/NAME``, with the repository's templates/ and static/
    copied in (``theme``) or left to the engine's default theme."""
    root = tmp / name
    shutil.copytree(SITES / name, root, ignore=shutil.ignore_patterns("public", ".cache", "__pycache__"))
    for folder in ("templates", "static") if theme else ():
        if not (root / folder).exists():
            shutil.copytree(REPO / folder, root / folder)
    return root


@pytest.fixture(scope="session")
def built_basic(tmp_path_factory: pytest.TempPathFactory, shared_cache: Path) -> Path:
    """The basic site, built once per run: the error and security tests start from copies."""
    site = make_site(tmp_path_factory.mktemp("built"))
    assert run(site, cache=shared_cache) == 0
    return site


@pytest.fixture
def built(built_basic: Path, tmp_path: Path) -> Path:
    """A copy of the built basic site, its public/ included (build with ``shared_cache``):
    a test edits it and builds again."""
    site = tmp_path / "basic"
    shutil.copytree(built_basic, site, symlinks=True)
    return site


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return make_site(tmp_path)


def run(root: Path, *args: str, cache: Path | None = None) -> int:
    """Run the real command line in-process against the site at ``root``."""
    command = list(args) or ["build"]
    extra = ["--root", str(root)] + (["--cache-dir", str(cache)] if cache else [])
    return main([command[0], *extra, *command[1:]])


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` by relative path -> content hash."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (the base class's name)
        pass


@contextlib.contextmanager
def static_server(folder: Path) -> Iterator[str]:
    """``folder`` on a real HTTP server (as static hosting serves it) on a free port:
    yields http://127.0.0.1:PORT."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(folder)))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"  # Debian's: Playwright downloads nothing
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Chromium through Playwright, one per test module."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()

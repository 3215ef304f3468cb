"""Shared fixtures: copies of the test sites with the project's real templates and static files."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from broadsheet.cli import main

REPO = Path(__file__).resolve().parent.parent
SITES = Path(__file__).resolve().parent / "sites"


@pytest.fixture(scope="session")
def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One chart cache for the whole run: most tests are about pages, not rendering."""
    return tmp_path_factory.mktemp("cache")


def make_site(tmp: Path, name: str = "basic", theme: bool = True) -> Path:
    """A copy of ``tests/sites/NAME``, with the repository's templates/ and static/
    copied in (``theme``) or left to the engine's default theme."""
    root = tmp / name
    shutil.copytree(SITES / name, root, ignore=shutil.ignore_patterns("public", ".cache", "__pycache__"))
    for folder in ("templates", "static") if theme else ():
        if not (root / folder).exists():
            shutil.copytree(REPO / folder, root / folder)
    return root


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

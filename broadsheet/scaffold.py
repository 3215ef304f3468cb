"""``broadsheet new DIR``: a small starter site that builds and passes ``check`` at once."""

from __future__ import annotations

import shutil
from pathlib import Path

from .errors import SiteError

STARTER = Path(__file__).resolve().parent / "starter"  # shipped as package data


def new_site(dest: Path) -> list[str]:
    """Copy the starter site into ``dest`` (new or empty); return the files made."""
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise SiteError(str(dest), None, "already exists and is not an empty folder", "choose a new folder name")
    try:
        shutil.copytree(STARTER, dest, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    except OSError as exc:
        raise SiteError(str(dest), None, f"could not create the site: {exc.strerror or exc}") from None
    return sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file())

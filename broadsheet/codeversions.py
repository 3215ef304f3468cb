"""Versions of what draws a chart: the renderer's libraries, the theme, the code that lists
a chart's plotted data. They are part of cache keys (a new version draws again) and of the
names of social cards (a new renderer or theme gets new names, which browsers fetch again).
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path

from .charttheme import THEME


@cache
def renderer_version() -> str:
    """Versions that change rendered output: part of every cache key, and of the names of
    social cards (so a new renderer or theme gets new names, which browsers fetch again).
    Once per process: the libraries loaded are the ones that render."""
    from importlib.metadata import version

    theme = _digest(json.dumps(THEME, sort_keys=True))[:12]
    libraries = "; ".join(f"{name} {version(name)}" for name in ("vl-convert-python", "altair", "vegafusion"))
    return f"{libraries}; tables {TABLES_LABEL}; theme {theme}"


# The version string once held a digest of the table code, which made every social
# card's name change with any edit to that code (cards do not depend on it). Frozen at
# its last value, so published card names stay; the table code's own digest keys the
# chart cache (``tables_code_digest``).
TABLES_LABEL = "e71f9aec2a2e"


def tables_code_digest() -> str:
    """A hash of the code that evaluates a chart's plotted data: part of its cache key."""
    engine = Path(__file__).parent
    names = ("plotted.py", "markrows.py", "params.py", "fields.py", "readertables.py", "tablecolumns.py")
    return _digest(b"".join((engine / name).read_bytes() for name in names))[:12]


def _digest(data: str | bytes) -> str:
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()

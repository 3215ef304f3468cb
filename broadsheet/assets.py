"""Static files: the theme's and the site's ``static/``, and the chart runtime.

Each file is published under a name with a hash of its bytes (``style.0123456789.css``),
so browsers may keep it forever; stylesheets' ``url(...)`` are rewritten to those names.
The preview keeps plain names (``fingerprint=False``) so a stylesheet can be swapped in.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .cache import Cache, cache_key
from .codeversions import renderer_version
from .config import Config, read_theme_file
from .errors import SiteError, known

STATIC_DIR = "static"
RUNTIME_ASSET = "vega-runtime.js"  # generated: Vega, Vega-Lite and vega-embed in one file
VENDOR_DIR = Path(__file__).parent / "vendor"


@dataclass(frozen=True)
class Asset:
    dest: str  # where it is published: static/style.0123456789.css
    data: bytes


@dataclass(frozen=True)
class Assets:
    """Static files by source name (``style.css``)."""

    files: Mapping[str, Asset]

    def url(self, name: str) -> str:
        if name not in self.files:
            raise SiteError(STATIC_DIR, None, f"a template asks for static file '{name}', which does not exist", known(self.files))
        return "/" + self.files[name].dest


def collect_assets(config: Config, cache: Cache, needs_runtime: bool, fingerprint: bool = True) -> Assets:
    sources: dict[str, bytes] = {}
    for folder in reversed(config.theme_dirs(STATIC_DIR)):  # the site's own files win
        sources.update({p.relative_to(folder).as_posix(): read_theme_file(config, p) for p in sorted(folder.rglob("*")) if not p.is_dir()})
    if needs_runtime:
        sources[RUNTIME_ASSET] = chart_runtime(cache).encode()
    files: dict[str, Asset] = {}
    for name in sorted(sources, key=lambda n: n.endswith(".css")):  # CSS last: it may refer to the others
        data = sources[name]
        if name.endswith(".css"):
            data = _rewrite_css(data, files, config)
        files[name] = Asset(_fingerprint(name, data) if fingerprint else f"{STATIC_DIR}/{name}", data)
    return Assets(files)


def _fingerprint(name: str, data: bytes) -> str:
    stem, dot, suffix = name.rpartition(".")
    digest = hashlib.sha256(data).hexdigest()[:10]
    return f"{STATIC_DIR}/{stem}.{digest}.{suffix}" if dot else f"{STATIC_DIR}/{name}.{digest}"


def _rewrite_css(data: bytes, files: Mapping[str, Asset], config: Config) -> bytes:
    def replace(match: re.Match[bytes]) -> bytes:
        name = match.group(2).decode()
        return b"url(" + config.url(files[name].dest).encode() + b")" if name in files else match.group(0)

    return re.sub(rb"url\((['\"]?)([^'\")]+)\1\)", replace, data)


def runtime_file() -> Path:
    """Where the chart runtime for the installed vl-convert ships (``make runtime``)."""
    from importlib.metadata import version

    return VENDOR_DIR / f"vega-runtime-{version('vl-convert-python')}.js"


def chart_runtime(cache: Cache) -> str:
    """Vega, Vega-Lite and vega-embed as one script: the file generated from the pinned
    vl-convert and shipped with the engine (tests check it is exactly what vl-convert
    makes), or, for another vl-convert, generated here (1.5 s) and cached."""
    shipped = runtime_file()
    if shipped.is_file():
        return shipped.read_text(encoding="utf-8")
    key = cache_key("runtime", renderer_version())
    bundle = cache.get("runtime", key, _text)
    if bundle is None:
        bundle = generate_runtime()
        cache.put("runtime", key, bundle)
    return bundle


def _text(value: object) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError("not a script")
    return value


def generate_runtime() -> str:
    import vl_convert

    return str(vl_convert.javascript_bundle())  # type: ignore[call-arg]  # the stub marks an optional argument as required

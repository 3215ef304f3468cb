"""Site configuration: ``site.toml`` becomes a frozen, validated ``Config``."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

from .errors import SiteError, known

CONFIG_FILE = "site.toml"
# The default theme: installed, it ships inside the package (broadsheet/theme/); run from a
# checkout, it is this repository's templates/ and static/. A site may override any file
# by putting one with the same name in its own templates/ or static/.
_PACKAGE = Path(__file__).resolve().parent
DEFAULT_THEME = _PACKAGE / "theme" if (_PACKAGE / "theme").is_dir() else _PACKAGE.parent

# key -> (python type, required, default)
_KEYS: dict[str, tuple[type, bool, object]] = {
    "title": (str, True, None),
    "description": (str, True, None),
    "base_url": (str, False, "/"),
    "language": (str, False, "en"),
    "author": (str, False, ""),
}


@dataclass(frozen=True)
class Config:
    """Everything a build needs to know that is not in content, data or templates."""

    root: Path
    title: str
    description: str
    base_url: str = "/"
    language: str = "en"
    author: str = ""
    drafts: bool = False

    @property
    def base_path(self) -> str:
        """The URL path the site lives under, always with slashes at both ends: ``/nk/``."""
        path = urlsplit(self.base_url).path or "/"
        return path if path.endswith("/") else path + "/"

    @property
    def origin(self) -> str:
        """``https://example.org`` when ``base_url`` is absolute, else empty."""
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}" if parts.scheme else ""

    def theme_dirs(self, name: str) -> tuple[Path, ...]:
        """The site's own ``templates``/``static`` folder first, then the default theme's."""
        own, default = self.root / name, DEFAULT_THEME / name
        dirs = [own] if own.is_dir() else []
        if default.is_dir() and default.resolve() != own.resolve():
            dirs.append(default)
        return tuple(dirs)

    def default_theme_dir(self, name: str) -> Path:
        return DEFAULT_THEME / name

    def url(self, path: str) -> str:
        """Site-relative URL (``/coal/``) to the URL served under the base path."""
        return self.base_path + path.lstrip("/")

    def absolute_url(self, path: str) -> str:
        return self.origin + self.url(path)


def load_config(root: Path, *, base_url: str | None = None, drafts: bool = False) -> Config:
    """Read ``site.toml`` under ``root``; every problem is reported with its key and line."""
    path = root / CONFIG_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SiteError(CONFIG_FILE, None, "no site.toml in the site folder", "create one with title and description") from None
    try:
        table = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = re.search(r"line (\d+)", str(exc))
        raise SiteError(CONFIG_FILE, int(line.group(1)) if line else None, f"invalid TOML: {exc}") from None
    values: dict[str, object] = {}
    for key, value in table.items():
        if key not in _KEYS:
            raise SiteError(CONFIG_FILE, _line_of(text, key), f"unknown key '{key}'", known(_KEYS))
        kind = _KEYS[key][0]
        if not isinstance(value, kind) or (kind is str and not str(value).strip() and _KEYS[key][1]):
            raise SiteError(CONFIG_FILE, _line_of(text, key), f"'{key}' must be {kind.__name__}, found {value!r}")
        values[key] = value
    for key, (_, required, default) in _KEYS.items():
        if key not in values:
            if required:
                raise SiteError(CONFIG_FILE, None, f"site.toml needs '{key}'")
            values[key] = default
    config = Config(root=root, drafts=drafts, **values)  # type: ignore[arg-type]
    if base_url is not None:
        config = replace(config, base_url=base_url)
    _check_base_url(config, text)
    return config


def _check_base_url(config: Config, text: str) -> None:
    parts = urlsplit(config.base_url)
    if parts.scheme not in ("", "http", "https") or (parts.scheme and not parts.netloc) or parts.query or parts.fragment:
        raise SiteError(
            CONFIG_FILE,
            _line_of(text, "base_url"),
            f"base_url {config.base_url!r} must be a path like /nk/ or a URL like https://example.org/nk/",
        )


def _line_of(text: str, key: str) -> int | None:
    for number, line in enumerate(text.splitlines(), 1):
        if re.match(rf"\s*{re.escape(key)}\s*=", line):
            return number
    return None

"""Site configuration: ``site.toml`` becomes a frozen, validated ``Config``."""

from __future__ import annotations

import math
import os
import re
import stat
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

from .colors import color_problem
from .errors import SiteError, control_problem, known

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
    "colors": (dict, False, ()),
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
    colors: tuple[tuple[str, str], ...] = ()  # [colors]: series name -> #rrggbb, on every chart

    @property
    def series_colors(self) -> dict[str, str]:
        return dict(self.colors)

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
        if default.is_dir() and default.resolve() != follow_link(own, name):
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
    """Read ``site.toml`` under ``root``; every problem is reported with its key and line
    (and the environment's limits are checked: ``check_environment``)."""
    check_environment()
    try:
        text = decode_utf8(CONFIG_FILE, read_site_file(root, CONFIG_FILE, line=1))
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
        problem = control_problem(value) if isinstance(value, str) else None
        if problem:
            raise SiteError(CONFIG_FILE, _line_of(text, key), f"'{key}': {problem}")
        if isinstance(value, str) and re.search(r"\{[=!]", value):  # (it would be published as written, braces and all)
            message = f"'{key}': a bound value can't stand in site.toml"
            raise SiteError(CONFIG_FILE, _line_of(text, key), message, "write the figure itself here, or bind it in a page's text")
        values[key] = _series_colors(value, text) if isinstance(value, dict) else value
    for key, (_, required, default) in _KEYS.items():
        if key not in values:
            if required:
                raise SiteError(CONFIG_FILE, None, f"site.toml needs '{key}'")
            values[key] = default
    config = Config(root=root, drafts=drafts, **values)  # type: ignore[arg-type]
    problem = base_url_problem(config.base_url)
    if problem:
        raise SiteError(CONFIG_FILE, _line_of(text, "base_url"), f"base_url {config.base_url!r} {problem}")
    if base_url is not None:
        problem = base_url_problem(base_url)
        if problem:
            raise SiteError("--base-url", None, f"{base_url!r} {problem}")
        config = replace(config, base_url=base_url)
    return config


def _series_colors(table: dict[str, object], text: str) -> tuple[tuple[str, str], ...]:
    """``[colors]``: each series name with a colour that reads on both page backgrounds."""
    taken: dict[str, str] = {}  # colour (lower case) -> the series that has it
    for name, value in table.items():
        line = _line_of(text, f'"{name}"') or _line_of(text, name)
        problem = color_problem(value)
        if problem:
            raise SiteError(CONFIG_FILE, line, f"colors: series '{name}': {problem}", "pick a colour from the palette in the README")
        other = taken.setdefault(str(value).lower(), name)
        if other != name:  # (two series in one colour read as one series)
            message = f"colors: series '{name}' has the colour of series '{other}' ({table[other]})"
            raise SiteError(CONFIG_FILE, line, message, "give each series its own colour")
    return tuple((name, str(value)) for name, value in table.items())


def base_url_problem(value: str) -> str | None:
    """Why ``value`` can't be a base URL, or None. It ends up inside every link and
    attribute the site has, so only an absolute http(s) URL or a path qualifies, and
    nothing that would need escaping."""
    must = "must be a path like /nk/ or a URL like https://example.org/nk/"
    if _UNSAFE.search(value):
        return f"{must}, without spaces, quotes, '<', '>' or backslashes"
    parts = urlsplit(value)
    if "/../" in value + "/" or "/./" in value + "/" or parts.username or parts.password:
        return must  # (a path that climbs, or a URL with credentials, is a mistake at best)
    if parts.scheme:
        ok = parts.scheme in ("http", "https") and parts.netloc and value.startswith(parts.scheme + "://")
        return None if ok and not (parts.query or parts.fragment) else must
    return None if value.startswith("/") and not value.startswith("//") and not (parts.query or parts.fragment) else must


_UNSAFE = re.compile(r"[\s\x00-\x1f\x7f\"'<>\\`]")


def relative_url_warning(config: Config) -> str | None:
    """A one-line warning when the feed, sitemap and robots.txt's Sitemap line are left out
    (they need absolute URLs) and social cards carry relative URLs; None when ``base_url``
    is absolute."""
    if config.origin:
        return None
    return (
        f"warning: base_url {config.base_url!r} is a path: no feed.xml, sitemap.xml or robots.txt Sitemap line is published "
        "(they need absolute URLs) and social cards get relative URLs; set an absolute base_url in site.toml or pass --base-url https://..."
    )


def decode_utf8(path: str, raw: bytes) -> str:
    """``raw`` as text, or a ``SiteError`` at the line of the first byte that is not UTF-8."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SiteError(path, raw[: exc.start].count(b"\n") + 1, "not valid UTF-8 text", "save the file as UTF-8") from None


def _line_of(text: str, key: str) -> int | None:
    for number, line in enumerate(text.splitlines(), 1):
        if re.match(rf"\s*{re.escape(key)}\s*=", line):
            return number
    return None


def read_theme_file(config: Config, path: Path) -> bytes:
    """A template or static file: the site's own are read as every site file is (no pipe,
    no link to a file outside the site); the default theme's are the engine's."""
    if path.is_relative_to(config.root):
        return read_site_file(config.root, path.relative_to(config.root).as_posix())
    return path.read_bytes()


def read_site_file(root: Path, rel: str, where: str | None = None, line: int | None = None) -> bytes:
    """The bytes of the site file ``rel``, refusing what would hang the build or publish
    a file from elsewhere: a FIFO, device or folder (reading a FIFO blocks forever) and
    a symlink that leads outside the site. Errors name ``where:line`` (default: ``rel``).
    A missing file raises ``FileNotFoundError`` for the caller to explain."""
    path = root / rel
    info = path.lstat()  # (FileNotFoundError for a missing file)
    if stat.S_ISLNK(info.st_mode):  # (only links are resolved: a stat per file is what a cold build can afford)
        path = follow_link(path, rel, where, line)
        info = path.stat()  # (FileNotFoundError for a dangling link)
        if not path.is_relative_to(root.resolve()):
            raise SiteError(where or rel, line, f"{rel} is a link to a file outside the site", "copy the file into the site instead")
    if not stat.S_ISREG(info.st_mode):
        raise SiteError(where or rel, line, f"{rel} is not a regular file (a pipe, device or folder)")
    return path.read_bytes()


def follow_link(path: Path, name: str, where: str | None = None, line: int | None = None) -> Path:
    """``path`` (``name`` to the user) with every link in it followed, as ``Path.resolve``
    does, but with a loop of links (a link to itself, two links to each other) reported at
    ``where:line`` (default: ``name``) rather than raised."""
    try:
        return path.resolve()
    except (RuntimeError, OSError):  # (Python 3.11 raises RuntimeError for a loop; 3.13 OSError ELOOP)
        message, hint = f"{name} is a loop of links: it leads back to itself", "replace the link with what it stands for"
        raise SiteError(where or name, line, message, hint) from None


@dataclass(frozen=True)
class Setting:
    """A limit the environment may set (``$BROADSHEET_CHART_TIMEOUT=60``): a number within
    bounds, or the default when unset. Anything else is an error, never a guess: a value
    silently clamped or ignored would leave a build running under a limit nobody chose."""

    name: str
    default: float
    low: float  # excluded (a whole number: the least allowed is low + 1)
    high: float  # included
    unit: str
    whole: bool = False  # a whole number (megabytes, processes)
    default_text: str = ""  # the default in words, if its number means something else (0: as many as the cores)
    why: str = ""  # why the bounds are what they are, if a user would ask

    def value(self) -> float:
        raw = os.environ.get(self.name, "").strip()
        if not raw:
            return self.default
        try:
            number = int(raw) if self.whole else float(raw)
        except ValueError:
            number = math.nan
        if not (self.low < number <= self.high):  # (false for nan; inf is past any bound)
            low, high = _written(self.low + 1 if self.whole else self.low), _written(self.high)
            bounds = (
                f"a whole number of {self.unit} from {low} to {high}"
                if self.whole
                else f"a number of {self.unit} above {low} and at most {high}"
            )
            default = f": {self.default_text}" if self.default_text else f", {_written(self.default)} {self.unit}"
            hint = f"unset it for the default{default}" + (f"; {self.why}" if self.why else "")
            raise SiteError(f"${self.name}", None, f"must be {bounds}, found {raw!r}", hint)
        return number


def _written(number: float) -> str:
    """A number as people write it: 1,048,576 and 0.5, not 1.04858e+06."""
    return f"{int(number):,}" if number == int(number) else f"{number:,}"


# The chart renderer (V8 and VegaFusion's threads) needs ~730 MB of data segment to start,
# measured on the 2-core build machine: less and it dies before drawing anything.
CHART_MEMORY_FLOOR = 768
CHART_TIMEOUT = Setting("BROADSHEET_CHART_TIMEOUT", 30.0, 0, 86_400, "seconds")
MEMORY_WHY = f"the chart renderer needs {CHART_MEMORY_FLOOR} to start"
CHART_MEMORY = Setting("BROADSHEET_CHART_MEMORY", 3072, CHART_MEMORY_FLOOR - 1, 2**20, "megabytes", whole=True, why=MEMORY_WHY)
WORKERS = Setting("BROADSHEET_WORKERS", 0, 0, 1024, "processes", whole=True, default_text="as many as the cores")


def check_environment() -> None:
    """Every limit the environment sets is valid (reported before anything is built)."""
    for setting in (CHART_TIMEOUT, CHART_MEMORY, WORKERS):
        setting.value()

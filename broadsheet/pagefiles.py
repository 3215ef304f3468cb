"""Files beside pages: images, PDFs and other files in ``content/`` that are not
Markdown, and the references pages make to them and to ``/static/`` files.

A file keeps its path: ``content/img/map.png`` is published as ``/img/map.png``, with no
hash in its name, because files beside pages are often documents that other sites link
to and readers cite (a report's PDF), and because an edited image then re-renders no
page. ``/static/`` files are the theme's: fingerprinted, and a page's ``/static/x.png``
gets the fingerprinted URL. A page writes a file's path relative to its own Markdown
file, as editors that preview Markdown resolve it (``![Map](img/map.png)`` in
``content/story.md``); the build rewrites it to the file's address, which the browser
would not find from ``/story/`` by itself.
"""

from __future__ import annotations

import html
import posixpath
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import unquote

from .errors import SiteError

# Editor droppings and system files never published: swap and backup files, lock files,
# dotfiles (.DS_Store, .story.md.swp) and everything in a dot-folder.
_JUNK = re.compile(r"^(\.|#|~\$)|(~|\.swp|\.swo|\.swx|\.tmp|\.bak|\.orig)$|^(Thumbs\.db|desktop\.ini)$", re.IGNORECASE)
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")
_INLINE = re.compile(r"(!?)\[(?:[^\]\\\n]|\\.)*\]\(\s*(<[^>\n]*>|[^\s()<>]+)")
_DEFINITION = re.compile(r"^ {0,3}\[(?!\^)[^\]\n]+\]:\s*(<[^>\n]*>|\S+)", re.MULTILINE)
_HTML_ATTR = re.compile(r"<(\w+)\b[^>]*?\s(src|href|poster)\s*=\s*[\"']([^\"'\n]+)[\"']", re.IGNORECASE)
_ATTR = re.compile(r'(\s(?:href|src|poster)=")([^"]*)(")')
STATIC_PREFIX = "/static/"


@dataclass(frozen=True)
class FileRef:
    """A path a page's Markdown refers to, where it is written."""

    target: str  # as written: img/map.png, /static/logo.svg, report.pdf#page=3
    line: int
    image: bool  # an image (![...](...), <img src>): it must exist whatever its name


def is_published(name: str) -> bool:
    """Whether a file in content/ (not a page) is published: not a dotfile, swap,
    backup or lock file."""
    return not name.endswith(".md") and not _JUNK.search(name)


def link_targets(markdown: str, first_line: int) -> tuple[FileRef, ...]:
    """Every target of a link, image or raw-HTML ``src``/``href`` in a page body, with its
    line (code blocks already emptied; code spans are skipped here)."""
    found = []
    for number, line in enumerate(markdown.split("\n"), first_line):
        if "](" not in line and "]:" not in line and "=" not in line:
            continue
        line = _CODE_SPAN.sub(lambda m: " " * len(m.group()), line)
        targets = [(m.group(2), m.group(1) == "!") for m in _INLINE.finditer(line)]
        targets += [(m.group(1), False) for m in _DEFINITION.finditer(line)]
        targets += [(m.group(3), m.group(1).lower() == "img" or m.group(2).lower() == "poster") for m in _HTML_ATTR.finditer(line)]
        found += [FileRef(target.strip("<>"), number, image) for target, image in targets]
    return tuple(found)


def find_refs(targets: tuple[FileRef, ...]) -> tuple[FileRef, ...]:
    """The relative and ``/static/`` paths among a page's ``link_targets``."""
    return tuple(ref for ref in targets if is_local(ref.target))


def is_local(target: str) -> bool:
    """A path this module resolves: relative to the page, or under /static/."""
    if not target or target.startswith(("#", "?", "//")) or _SCHEME.match(target):
        return False
    return not target.startswith("/") or target.startswith(STATIC_PREFIX)


@dataclass(frozen=True)
class Resolver:
    """Resolves a page's references against the site's files."""

    files: frozenset[str]  # published files in content/ (content/img/map.png)
    pages: Mapping[str, str]  # page source -> URL (content/coal.md -> /coal/)
    static: frozenset[str]  # names in static/ (logo.svg)

    def resolve(self, src: str, ref: FileRef, what: str = "") -> str | None:
        """The site path ``ref`` in page ``src`` leads to (``/img/map.png``, ``/coal/``,
        ``/static/logo.svg``), or None for a link it leaves alone (``coal/``). A missing
        image or file is an error at its line."""
        path, suffix = _split(ref.target)
        what = what or ("image" if ref.image else "file")
        if path.startswith(STATIC_PREFIX):
            if unquote(path[len(STATIC_PREFIX) :]) in self.static:
                return path + suffix
            raise SiteError(src, ref.line, f"{what} '{ref.target}' does not exist", "static files live in static/")
        if path.startswith("/"):  # (a front-matter image may be written from the site's root)
            source = "content" + unquote(path)
        else:
            source = posixpath.normpath(posixpath.join(posixpath.dirname(src), unquote(path)))
        if not source.startswith("content/"):
            raise SiteError(src, ref.line, f"{what} '{ref.target}' is outside content/", "put the file beside the page, in content/")
        if source in self.files:
            return "/" + source.removeprefix("content/") + suffix
        if source in self.pages:  # a link to another page's Markdown file (as editors preview it)
            return self.pages[source] + suffix
        if ref.image or "." in posixpath.basename(path):
            raise SiteError(src, ref.line, f"{what} '{ref.target}' does not exist", f"expected the file {source}")
        return None


def rewrite_refs(body: str, paths: Mapping[str, str], asset_url: Callable[[str], str]) -> str:
    """Point the body's references at what they resolved to (``paths``: as written ->
    site path); ``/static/`` paths get the fingerprinted name (``asset_url``)."""
    if not paths:
        return body

    def replace(match: re.Match[str]) -> str:
        target = html.unescape(match.group(2))
        if target not in paths:
            return match.group(0)
        return match.group(1) + html.escape(published_path(paths[target], asset_url)) + match.group(3)

    return _ATTR.sub(replace, body)


def published_path(path: str, asset_url: Callable[[str], str]) -> str:
    """A resolved site path as published: a ``/static/`` file under its fingerprinted name."""
    if not path.startswith(STATIC_PREFIX):
        return path
    name, suffix = _split(path)
    return asset_url(unquote(name[len(STATIC_PREFIX) :])) + suffix


def _split(target: str) -> tuple[str, str]:
    """``report.pdf#page=3`` -> (``report.pdf``, ``#page=3``)."""
    cut = min((i for i in (target.find("?"), target.find("#")) if i >= 0), default=len(target))
    return target[:cut], target[cut:]

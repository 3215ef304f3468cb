"""Pages: the Markdown files of content/, read (front matter and blocks), checked, and
the files beside them (images, PDFs) that are published as they are.

With a build state, a page whose file has not changed (size and mtime) is not read
again; its Markdown is converted to HTML only when it is rendered (``publish``).
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from .assets import STATIC_DIR
from .config import Config, read_site_file
from .content import CONTENT_DIR, Page, read_page
from .errors import SiteError, known
from .pagefiles import FileRef, Resolver, is_published
from .pool import call_all
from .render import TEMPLATES_DIR
from .state import BuildState

RACY_NS = 2_000_000_000  # files changed less than 2 s before a build are hashed again by the next one


@dataclass(frozen=True)
class PageLinks:
    """Where a page's relative and ``/static/`` paths lead (``pagefiles.Resolver``)."""

    paths: Mapping[str, str]  # as written -> site path: img/map.png -> /img/map.png
    image: str = ""  # the front matter's ``image``, resolved: the page's own social card


NO_LINKS = PageLinks({})


def check_files(files: list[str], pages: tuple[Page, ...]) -> None:
    """A file beside the pages may not be published where the build writes its own."""
    dests = {page.dest for page in pages}
    for src in files:
        dest = src.removeprefix(CONTENT_DIR + "/")
        top = dest.split("/")[0]
        if top in RESERVED or top.split(".")[0] in RESERVED or dest == "_headers" or dest in dests:
            message = f"{src} would be published as /{dest}, where the build writes its own file"
            raise SiteError(src, None, message, "move or rename it: these names are the build's own: " + ", ".join(RESERVED))


def resolve_links(
    config: Config,
    pages: tuple[Page, ...],
    files: list[str],
    drafts: tuple[Page, ...] = (),
    block_refs: Mapping[str, tuple[FileRef, ...]] | None = None,
) -> dict[str, PageLinks]:
    """What each page's paths lead to (in its body and, ``block_refs``, in its blocks'
    Markdown: notes, step text); a missing image or file stops the build at its line.
    ``files`` loses the files only ``drafts`` (left out of this build) show: ``held_back``."""
    block_refs = block_refs or {}
    if not files and not any(page.refs or page.image or block_refs.get(page.src) for page in pages):
        return {}
    folders = [d for d in config.theme_dirs(STATIC_DIR) if d.is_dir()]
    static = frozenset(p.relative_to(d).as_posix() for d in folders for p in d.rglob("*") if p.is_file())
    resolver = Resolver(frozenset(files), {page.src: page.url for page in pages}, static)
    links = {}
    for page in pages:
        paths = {}
        for ref in (*page.refs, *block_refs.get(page.src, ())):
            path = resolver.resolve(page.src, ref)
            if path is not None:
                paths[ref.target] = path
        image = resolver.resolve(page.src, FileRef(page.image, page.line_of("image"), True)) if page.image else None
        if image and not _PICTURE.search(image.split("#")[0].split("?")[0]):
            message = f"image '{page.image}' is not a picture social sites show (PNG, JPEG, GIF or WebP)"
            raise SiteError(page.src, page.line_of("image"), message, "the front matter's image is the page's social card")
        if paths or image:
            links[page.src] = PageLinks(paths, image or "")
    held = held_back(resolver, drafts, files, links)
    files[:] = [src for src in files if src not in held]
    return links


_PICTURE = re.compile(r"\.(png|jpe?g|gif|webp)\Z", re.IGNORECASE)


def held_back(resolver: Resolver, drafts: tuple[Page, ...], files: list[str], links: Mapping[str, PageLinks]) -> set[str]:
    """The files an embargo keeps out of a build without ``--drafts``: those in a draft's
    own folder (``content/secret/`` of the draft ``/secret/``) and those a draft shows,
    unless a published page shows them too."""
    shown = {CONTENT_DIR + path.split("#")[0].split("?")[0] for found in links.values() for path in (*found.paths.values(), found.image)}
    held: set[str] = set()
    for draft in drafts:
        folder = CONTENT_DIR + draft.url
        held.update(src for src in files if src.startswith(folder) and draft.url != "/")
        refs = (*draft.refs, *([FileRef(draft.image, 0, True)] if draft.image else []))
        for ref in refs:
            try:
                path = resolver.resolve(draft.src, ref)
            except SiteError:  # (a draft's own mistakes are its business until it is published)
                continue
            if path is not None:
                held.add(CONTENT_DIR + path.split("#")[0].split("?")[0])
    return held - shown


def check_templates(config: Config, pages: tuple[Page, ...]) -> None:
    """Each page's ``template`` names a page template (``templates/NAME.html``, not a
    ``_partial``), reported at its front-matter line rather than when rendering."""
    folders = config.theme_dirs(TEMPLATES_DIR)
    wanted = {p.template for p in pages}
    exists = {name for name in wanted if _TEMPLATE_NAME.match(name) and any((d / f"{name}.html").is_file() for d in folders)}
    for page in pages:
        if page.template not in exists:
            found = {p.stem for d in folders for p in d.glob("*.html") if _TEMPLATE_NAME.match(p.stem)}
            message = f"template '{page.template}' does not exist in {TEMPLATES_DIR}/"
            raise SiteError(page.src, page.line_of("template"), message, known(found))


_TEMPLATE_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*\Z")
# Top-level folders and names the build writes itself: a page there would collide with
# (or hide behind) a generated file.
RESERVED = ("embed", "charts", "static", "data", "social", "404", "feed", "sitemap", "robots")


def load_pages(
    config: Config, state: BuildState | None = None, files: list[str] | None = None, drafts: list[Page] | None = None
) -> tuple[Page, ...]:
    """Read every page's front matter and blocks (quick); their Markdown is converted
    when they are rendered, in ``write_site``'s workers. With a state, a file whose size
    and mtime have not changed is not read again. ``files`` collects the other files in
    content/ to publish, ``drafts`` the drafts left out (without ``--drafts``)."""
    memo = state.pages if state is not None else {}
    stamps = state.stamps if state is not None else {}
    found = _markdown_files(config.root, CONTENT_DIR, files)
    recent = time.time_ns() - RACY_NS
    todo = [src for src, stamp in found.items() if stamps.get(src) != stamp or src not in memo]
    reads = [partial(_read, config.root, src, memo[src][0] if src in memo else None) for src in todo]
    # (on every core for a cold build of many pages; the first error in path order stops it)
    for src, read in zip(todo, call_all(reads, READ_PER_WORKER), strict=True):
        if isinstance(read, BaseException):
            raise read
        digest, page = read
        if page is not None:
            memo[src] = (digest, page)
        stamp = found[src]
        if stamp[1] < recent:
            stamps[src] = stamp
        else:  # changed just now: a second change in the same clock tick could keep size and mtime
            stamps.pop(src, None)
    for src in set(memo) - set(found):
        del memo[src]
        stamps.pop(src, None)
    pages = [memo[src][1] for src in found if not memo[src][1].draft or config.drafts]
    left_out = [memo[src][1] for src in found if memo[src][1].draft and not config.drafts]
    for page in left_out:
        if page.url == "/":
            message = "the home page is a draft: without --drafts the site would have no front page (index.html)"
            raise SiteError(page.src, page.line_of("draft"), message, "publish it (remove 'draft: true'), or build with --drafts")
    if drafts is not None:
        drafts.extend(left_out)
    by_url: dict[str, Page] = {}
    for page in pages:
        if page.url.split("/")[1] in RESERVED:
            message = f"the page {page.url} would collide with files the build makes itself"
            raise SiteError(page.src, 1, message, "move or rename it: these names are the build's own: " + ", ".join(RESERVED))
        if page.url in by_url:
            raise SiteError(page.src, None, f"{by_url[page.url].src} already makes the page {page.url}")
        by_url[page.url] = page
    if not pages:
        raise SiteError(CONTENT_DIR, None, "no pages: add Markdown files to content/", "content/index.md becomes the home page")
    return tuple(sorted(pages, key=lambda p: (p.order, p.url)))


READ_PER_WORKER = 256  # pages a worker must have to read before reading in parallel pays


def _read(root: Path, src: str, known: str | None) -> tuple[str, Page | None] | SiteError | OSError:
    """A page file's digest and the page read from it (None if its digest is ``known``:
    the page read last time stands), or the error that stops the build."""
    try:
        try:
            raw = read_site_file(root, src, line=1)
        except FileNotFoundError:
            raise SiteError(src, 1, f"{src} is a link to a file that does not exist") from None
        digest = hashlib.sha256(raw).hexdigest()
        return digest, None if digest == known else read_page(src, decode(src, raw))
    except (SiteError, OSError) as error:  # (returned: raised by the caller in path order, as one process would)
        return error


def _markdown_files(root: Path, folder: str, others: list[str] | None = None) -> dict[str, tuple[int, int]]:
    """``*.md`` under ``root/folder``, by path relative to ``root`` (in path order), with
    their size and modification time. ``others`` collects the other files to publish
    (not in a dot-folder, not editor or system junk: ``pagefiles.is_published``)."""
    found: list[tuple[list[str], str, tuple[int, int]]] = []
    todo = [folder]
    while todo:
        rel = todo.pop()
        try:
            entries = list(os.scandir(root / rel))
        except FileNotFoundError:
            continue
        for entry in entries:
            path = f"{rel}/{entry.name}"
            if entry.is_dir(follow_symlinks=False):  # (as Path.rglob: no symlinked folders, no loops)
                todo.append(path)
            elif entry.name.endswith(".md"):  # (a pipe or a link is refused when read)
                try:
                    info = entry.stat()
                    stamp = (info.st_size, info.st_mtime_ns)
                except OSError:  # a dangling link
                    stamp = (-1, 0)
                found.append((path.split("/"), path, stamp))
            elif others is not None and all(is_published(part) for part in path.split("/")[1:]):
                others.append(path)
    if others is not None:
        others.sort(key=lambda path: path.split("/"))
    return {path: stamp for _, path, stamp in sorted(found)}


def decode(src: str, raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SiteError(src, raw[: exc.start].count(b"\n") + 1, "not valid UTF-8 text", "save the file as UTF-8") from None

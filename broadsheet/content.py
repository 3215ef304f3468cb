"""Pages: Markdown files with YAML front matter, and the fenced blocks inside them.

``read_page`` is pure and quick: text in, ``Page`` out, with its front matter checked and
its chart, table and datasets blocks cut out of the Markdown and left as placeholders that
``render`` fills. ``to_html`` converts the rest, the costly part, which the build does
later in its workers; ``parse_page`` does both.
"""

from __future__ import annotations

import datetime as dt
import operator
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from .bound import BLOCKS, Binding, check_places, tokenize
from .bound import FRONT_MATTER as BOUND_FRONT_MATTER
from .errors import CONTROL, SiteError, control_problem
from .pagefiles import FileRef, is_local
from .prose import FENCE, MAX_PAGE_BYTES, check_prose, closing_fence, markdown_html
from .yamlmap import FieldSpec, YamlMap, check_fields, parse_document, parse_mapping, written

CONTENT_DIR = "content"
BLOCK_KINDS = ("chart", "table", "datasets", "corrections", "scrolly")

FRONT_MATTER: FieldSpec = {
    "title": ("text", True),
    "description": ("text", True),
    "date": ("date", False),
    "updated": ("date", False),
    "authors": ("list of text", False),
    "order": ("integer", False),
    "nav_title": ("text", False),
    "template": ("text", False),
    "draft": ("boolean", False),
    "image": ("text", False),
    "lead_chart": ("text", False),
    "corrections": ("list", False),
}
CORRECTION_KEYS: FieldSpec = {"date": ("date", True), "text": ("text", True), "source": ("text", False)}

_FRONT_MATTER_OF = operator.attrgetter(*FRONT_MATTER, "url")
_SLUG = re.compile(r"[a-z0-9][a-z0-9_-]*\Z")  # (\Z, not $: a final newline is not part of a name)
PLACEHOLDER = '<div data-broadsheet-block="{}"></div>'
PLACEHOLDER_RE = re.compile(r'<div data-broadsheet-block="(\d+)"></div>')


@dataclass(frozen=True)
class Block:
    """A fenced ``chart``/``table``/``datasets`` block: its kind and its YAML body."""

    kind: str
    spec: YamlMap


@dataclass(frozen=True)
class Correction:
    """A dated entry in a page's corrections log: what changed and why."""

    date: dt.date
    text: str
    source: str = ""  # the address of the source that supports the change


@dataclass(frozen=True)
class Page:
    src: str  # content/coal.md
    url: str  # /coal/
    dest: str  # coal/index.html
    title: str
    description: str
    markdown: str  # the body, with placeholders for the blocks
    blocks: tuple[Block, ...]
    date: dt.date | None = None
    updated: dt.date | None = None
    authors: tuple[str, ...] = ()
    order: int = 1000
    nav_title: str = ""
    template: str = "page"
    draft: bool = False
    image: str = ""
    lead_chart: str = ""
    corrections: tuple[Correction, ...] = ()  # newest first
    html: str = ""  # the body converted to HTML (``to_html``), once it has been
    meta_lines: tuple[tuple[str, int], ...] = ()  # the line of each front-matter key
    refs: tuple[FileRef, ...] = ()  # relative and /static/ paths in the body (images, files)
    bindings: tuple[Binding, ...] = ()  # its bound values (front matter, body, blocks), each a token in the text
    body_line: int = 0  # the body's first line in the file

    def line_of(self, key: str) -> int:
        """The line of front-matter key ``key`` (or of the front matter's start)."""
        return dict(self.meta_lines).get(key, 2)

    def front_matter(self) -> tuple[Any, ...]:
        """What the front matter says (all a feed or sitemap can show of the page)."""
        return _FRONT_MATTER_OF(self)

    @property
    def label(self) -> str:
        return self.nav_title or self.title


def url_of(src: str) -> str:
    """``content/index.md`` -> ``/``; ``content/a/b.md`` -> ``/a/b/``."""
    parts = src.removeprefix(CONTENT_DIR + "/").removesuffix(".md").split("/")
    if parts[-1] == "index":
        parts.pop()
    for part in parts:
        if not _SLUG.match(part):
            raise SiteError(
                src, None, f"'{part}' can't be part of a URL", "use lowercase letters, digits, '-' and '_' in file and folder names"
            )
    return "/" + "".join(p + "/" for p in parts)


def dest_of(url: str) -> str:
    return url.strip("/") + "/index.html" if url != "/" else "index.html"


def parse_page(src: str, text: str, converter: Any) -> Page:
    """Read one Markdown file and convert its body. ``converter``: ``new_converter()``."""
    page = read_page(src, text)
    return replace(page, html=to_html(page, converter))


def read_page(src: str, text: str) -> Page:
    """Check a page's front matter and cut out its blocks; leave the body unconverted."""
    check_size(src, text)
    control = CONTROL.search(text)
    if control:  # (invalid in the feed's XML and in HTML; fatal to the social-card rasteriser)
        raise SiteError(src, text.count("\n", 0, control.start()) + 1, str(control_problem(control.group())), "remove it from the file")
    text, bindings = tokenize(src, text, code_lines(text))  # (before YAML: an expression needs no quotes)
    front = split_front_matter(src, text)
    meta, body, body_line = front.meta, front.body, front.body_line
    check_fields(meta, FRONT_MATTER, "front matter")
    image = meta.values.get("image")
    if image is not None and not (_SITE_PATH.match(image) or (is_local(image) and _SITE_PATH.match("/" + image))):
        message = f"image {image!r} must be a file on the site, such as cover.png beside the page or /static/cover.png"
        raise meta.error("image", message)
    refs = check_prose(src, body, body_line)
    for key in ("title", "description", "nav_title", "authors"):  # (a template may show them as Markdown)
        for text in [meta.values[key]] if isinstance(meta.values.get(key), str) else meta.values.get(key, []):
            check_prose(src, text, meta.line_of(key))
    source, blocks = extract_blocks(src, body, body_line)
    if bindings:
        check_places(meta, BOUND_FRONT_MATTER)
        for block in blocks:
            check_places(block.spec, BLOCKS.get(block.kind, {}))
    url = url_of(src)
    values = dict(meta.values)
    values["authors"] = tuple(values.get("authors", ()))
    values["corrections"] = read_corrections(meta, front.lists.get("corrections", []))
    lines = tuple(sorted(meta.lines.items()))
    page = Page(
        src=src, url=url, dest=dest_of(url), markdown=source, blocks=blocks, meta_lines=lines, refs=refs, body_line=body_line, **values
    )
    return replace(page, bindings=bindings) if bindings else page


_SITE_PATH = re.compile(r"/(?!/)[^\s\"'<>\\]*\Z")


def check_size(src: str, text: str) -> None:
    """Refuse a page past ``MAX_PAGE_BYTES``, at the line where it passes the limit."""
    if len(text) > MAX_PAGE_BYTES // 4 and len(text.encode("utf-8")) > MAX_PAGE_BYTES:
        cut = len(text.encode("utf-8")[:MAX_PAGE_BYTES].decode("utf-8", "ignore"))
        raise SiteError(
            src,
            text.count("\n", 0, cut) + 1,
            f"the page is {len(text.encode('utf-8')):,} bytes; a page may have at most {MAX_PAGE_BYTES:,} bytes",
            "split it into several pages, or put long tables in data/ and show them with a ```table block",
        )


def read_corrections(meta: YamlMap, items: list[YamlMap]) -> tuple[Correction, ...]:
    """The front matter's ``corrections`` list, each entry (``items``: with its own lines)
    checked, newest first."""
    listed = meta.values.get("corrections", ())
    for item in listed:
        if not isinstance(item, dict):
            raise meta.error("corrections", f"each correction must be a mapping (date, text, source), found {written(item)}")
    published, updated = meta.values.get("date"), meta.values.get("updated")
    if published and updated and updated < published:
        raise meta.error("updated", f"'updated' ({updated}) is before 'date' ({published})")
    entries = []
    for entry in items:
        check_fields(entry, CORRECTION_KEYS, "a correction")
        source = entry.values.get("source", "")
        if source and not source.startswith(("https://", "http://")):
            raise entry.error("source", f"a correction's source must be an http(s) address, found {source!r}")
        check_prose(entry.path, entry.values["text"], entry.line_of("text"))
        date = entry.values["date"]
        if date > latest_today():
            raise entry.error("date", f"the correction dated {date} is in the future")
        if published and date < published:
            raise entry.error("date", f"the correction dated {date} is before the page's date ({published})")
        entries.append(Correction(date, entry.values["text"].strip(), source))
    return tuple(sorted(entries, key=lambda c: c.date, reverse=True))


def latest_today() -> dt.date:
    """Today's date where it is latest (UTC+14): a date after it is in the future for
    everyone. (A check only: no output depends on the clock.)"""
    return dt.datetime.now(dt.timezone(dt.timedelta(hours=14))).date()


@dataclass(frozen=True)
class LoggedCorrection:
    page_url: str
    page_title: str
    correction: Correction


@dataclass(frozen=True)
class CorrectionsLog:
    """A ```corrections``` block: every page's corrections, newest first."""

    entries: tuple[LoggedCorrection, ...]


def corrections_log(pages: Sequence[Page]) -> CorrectionsLog:
    entries = [LoggedCorrection(p.url, p.title, c) for p in pages for c in p.corrections]
    return CorrectionsLog(tuple(sorted(entries, key=lambda e: (e.correction.date, e.page_url), reverse=True)))


def to_html(page: Page, converter: Any = None) -> str:
    """The page's body as HTML (with the block placeholders), through the one guarded path."""
    return markdown_html(page.markdown, page.src, page.body_line, converter=converter)


@dataclass(frozen=True)
class FrontMatter:
    """A page's front matter and the Markdown body after it."""

    meta: YamlMap
    lists: Mapping[str, list[YamlMap]]  # key -> its list of mappings, each with its own lines
    body: str
    body_line: int  # the body's first line in the file


def split_front_matter(src: str, text: str) -> FrontMatter:
    """Split a page into its front matter and its Markdown body."""
    text = text.removeprefix("\ufeff")
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        raise SiteError(src, 1, "a page must start with front matter: a line '---', YAML (title, description), then '---'")
    for number, line in enumerate(lines[1:], 2):
        if line.rstrip() in ("---", "..."):
            meta, lists = parse_document("\n".join(lines[1 : number - 1]), src, 2)
            return FrontMatter(meta, lists, "\n".join(lines[number:]), number + 1)
    raise SiteError(src, 1, "front matter is not closed: add a line '---' after it")


def extract_blocks(src: str, body: str, first_line: int) -> tuple[str, tuple[Block, ...]]:
    """Cut ``chart``/``table``/``datasets`` fences out of ``body``, leaving placeholders."""
    out: list[str] = []
    blocks: list[Block] = []
    lines = body.split("\n")
    i = 0
    while i < len(lines):
        match = FENCE.match(lines[i])
        if not match:
            out.append(lines[i])
            i += 1
            continue
        end = closing_fence(lines, i, match.group("fence"))
        kind = match.group("info").lower()
        if kind not in BLOCK_KINDS:
            check_fence_name(src, first_line + i, match.group("info"))
            out.extend(lines[i : end + 1])
            i = end + 1
            continue
        if end == len(lines):
            raise SiteError(src, first_line + i, f"```{kind} block is not closed", "end it with a line of ```")
        yaml_text = "\n".join(lines[i + 1 : end])
        spec = parse_mapping(yaml_text, src, first_line + i + 1, empty_ok=kind in ("datasets", "corrections"))
        spec = replace(spec, path=src, line=first_line + i)  # (the fence's line; nested keys keep theirs)
        out.extend(["", PLACEHOLDER.format(len(blocks)), ""] + [""] * (end - i - 2))
        blocks.append(Block(kind, spec))
        i = end + 1
    return "\n".join(out), tuple(blocks)


def check_fence_name(src: str, line: int, info: str) -> None:
    """A fence that nearly names a block (```charts, ```dataset, ```chrat, ```{chart}) is a
    mistake, not code: published as a code block, the chart was dropped without a word."""
    kind = near_block_kind(info)
    if kind:
        message = f"a fenced block named '{info}' is not one Broadsheet knows: did you mean ```{kind}?"
        hint = f"write ```{kind}; a code block to show as code names its language (```yaml, ```python, ```text)"
        raise SiteError(src, line, message, hint)


def near_block_kind(info: str) -> str | None:
    """The block kind ``info`` nearly names: another case, plural for singular (or the
    reverse), one letter added, left out, changed or two swapped, punctuation around."""
    word = re.sub(r"[^a-z]", "", info.lower())
    for kind in BLOCK_KINDS:
        forms = {kind, kind + "s", kind.removesuffix("s"), kind.removesuffix("y") + "ies"}
        if word in forms or _one_edit(word, kind):
            return kind
    return None


def _one_edit(word: str, kind: str) -> bool:
    """Whether ``word`` is ``kind`` with one letter added, left out, changed, or two
    neighbours swapped (the Damerau distance 1)."""
    if len(word) == len(kind):
        diff = [i for i, (a, b) in enumerate(zip(word, kind, strict=True)) if a != b]
        swapped = len(diff) == 2 and diff[1] == diff[0] + 1 and word[diff[0]] == kind[diff[1]] and word[diff[1]] == kind[diff[0]]
        return len(diff) == 1 or swapped
    short, long = sorted((word, kind), key=len)
    return len(long) - len(short) == 1 and any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def code_lines(text: str) -> frozenset[int]:
    """The lines (0-based) of fenced code blocks other than Broadsheet's own (``chart``...)."""
    if "```" not in text and "~~~" not in text:
        return frozenset()
    lines, found, i = text.split("\n"), set[int](), 0
    while i < len(lines):
        match = FENCE.match(lines[i])
        if match:
            end = closing_fence(lines, i, match.group("fence"))
            if match.group("info").lower() not in BLOCK_KINDS:
                found.update(range(i, min(end, len(lines) - 1) + 1))
            i = end
        i += 1
    return frozenset(found)

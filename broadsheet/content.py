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
from html import escape as html_escape
from typing import Any

from .errors import CONTROL, SiteError, control_problem
from .pagefiles import FileRef, find_refs, is_local, link_targets, script_link
from .yamlmap import FieldSpec, YamlMap, check_fields, parse_document, parse_mapping

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
_FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})\s*(?P<info>[^`\s]*)[^`]*$")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
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
    front = split_front_matter(src, text)
    meta, body, body_line = front.meta, front.body, front.body_line
    check_fields(meta, FRONT_MATTER, "front matter")
    image = meta.values.get("image")
    if image is not None and not (_SITE_PATH.match(image) or (is_local(image) and _SITE_PATH.match("/" + image))):
        message = f"image {image!r} must be a file on the site, such as cover.png beside the page or /static/cover.png"
        raise meta.error("image", message)
    check_markdown(src, body, body_line)
    source, blocks = extract_blocks(src, body, body_line)
    url = url_of(src)
    values = dict(meta.values)
    values["authors"] = tuple(values.get("authors", ()))
    values["corrections"] = read_corrections(meta, front.lists.get("corrections", []))
    lines = tuple(sorted(meta.lines.items()))
    targets = link_targets(_without_code(body), body_line)
    script = script_link(targets)
    if script is not None:
        raise SiteError(src, script.line, f"link '{script.target}' would run a script", "links may go to web, mail or site addresses only")
    refs = find_refs(targets)
    return Page(src=src, url=url, dest=dest_of(url), markdown=source, blocks=blocks, meta_lines=lines, refs=refs, **values)


# Python-Markdown's time grows with the square of some inputs (a few MB of text, runs of
# unclosed '[' or '<x'); these limits keep any page to a second or two (measured on the
# 2-core build machine: 100 KB of plain text 0.3 s, of list items ~2.5 s; 1,000 '['
# in 1,000 characters 0.2 s, in 11,000 characters 4.5 s; 4,000 unclosed '<x' 3.7 s).
MAX_PAGE_BYTES = 100_000
MAX_BRACKET_WORK = 4_000_000  # per page: '[' in a paragraph x the paragraph's length
MAX_OPEN_TAGS = 500  # per page: '<x' with no '>' before the next '<'
_OPEN_TAG = re.compile(r"<[A-Za-z/!?][^<>]*(?=<|\Z)")
_SITE_PATH = re.compile(r"^/(?!/)[^\s\"'<>\\]*$")


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


def check_markdown(src: str, markdown: str, first_line: int) -> None:
    """Refuse the inputs that would keep Python-Markdown busy for minutes: many '['
    in long paragraphs (each '[' is matched against the rest of its paragraph) and
    many tags that are never closed."""
    markdown = _without_code(markdown)  # (code is not parsed for links or tags)
    work, worst, worst_line = 0, 0, first_line
    line = first_line
    for paragraph in re.split(r"\n[ \t]*\n", markdown):
        cost = paragraph.count("[") * len(paragraph)
        work += cost
        if cost > worst:  # (at its first line that is not blank)
            worst, worst_line = cost, line + paragraph[: len(paragraph) - len(paragraph.lstrip())].count("\n")
        line += paragraph.count("\n") + 2
    if work > MAX_BRACKET_WORK:
        raise SiteError(
            src,
            worst_line,
            "too many '[' for Markdown to convert in reasonable time (this paragraph has the most)",
            "write a literal bracket as \\[, or split long paragraphs and lists",
        )
    open_tags = _OPEN_TAG.findall(markdown)
    if len(open_tags) > MAX_OPEN_TAGS:
        where = first_line + markdown.count("\n", 0, markdown.find(open_tags[MAX_OPEN_TAGS]))
        raise SiteError(src, where, f"more than {MAX_OPEN_TAGS} '<' that start a tag but never close it", "write a literal '<' as &lt;")


def read_corrections(meta: YamlMap, items: list[YamlMap]) -> tuple[Correction, ...]:
    """The front matter's ``corrections`` list, each entry (``items``: with its own lines)
    checked, newest first."""
    listed = meta.values.get("corrections", ())
    for item in listed:
        if not isinstance(item, dict):
            raise meta.error("corrections", f"each correction must be a mapping (date, text, source), found {item!r}")
    entries = []
    for entry in items:
        check_fields(entry, CORRECTION_KEYS, "a correction")
        source = entry.values.get("source", "")
        if source and not source.startswith(("https://", "http://")):
            raise entry.error("source", f"a correction's source must be an http(s) address, found {source!r}")
        entries.append(Correction(entry.values["date"], entry.values["text"].strip(), source))
    return tuple(sorted(entries, key=lambda c: c.date, reverse=True))


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


_TABLE = re.compile(r"<table(?:\s[^>]*)?>.*?</table>", re.S)
_LABEL = re.compile(r"<caption[^>]*>(.*?)</caption>|<h[2-6][^>]*>(.*?)</h[2-6]>", re.S)


def scrollable_tables(html: str) -> str:
    """Each table of the body in a focusable region that scrolls sideways, as the engine's
    own tables are: a wide table must not make a phone's page scroll. The region is
    labelled by the table's caption, else by the heading above it."""

    def wrap(match: re.Match[str]) -> str:
        own = _LABEL.search(match.group(0))
        above = [m for m in _LABEL.finditer(html, 0, match.start()) if m.group(2)]
        found = own.group(1) if own and own.group(1) else above[-1].group(2) if above else "Table"
        label = html_escape(re.sub(r"<[^>]+>", "", found).strip() or "Table", quote=True)
        return f'<div class="table-scroll" tabindex="0" role="region" aria-label="{label}">{match.group(0)}</div>'

    return _TABLE.sub(wrap, html) if "<table" in html else html


def to_html(page: Page, converter: Any) -> str:
    """The page's body as HTML (with the block placeholders)."""
    converter.reset()
    try:
        return scrollable_tables(str(converter.convert(page.markdown)))
    except RecursionError:  # Python-Markdown recurses once per level of nested lists and quotes
        raise SiteError(page.src, None, "Markdown nested too deeply (lists or quotes inside each other)") from None


def _without_code(markdown: str) -> str:
    """``markdown`` with the lines inside fenced code blocks emptied (lines kept)."""
    lines = markdown.split("\n")
    i = 0
    while i < len(lines):
        match = _FENCE.match(lines[i])
        if match:
            end = _closing_fence(lines, i, match.group("fence"))
            lines[i : end + 1] = [""] * (min(end, len(lines) - 1) - i + 1)
            i = end
        i += 1
    return "\n".join(lines)


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
        match = _FENCE.match(lines[i])
        if not match:
            out.append(lines[i])
            i += 1
            continue
        end = _closing_fence(lines, i, match.group("fence"))
        kind = match.group("info").lower()
        if kind not in BLOCK_KINDS:
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


def _closing_fence(lines: list[str], start: int, fence: str) -> int:
    for j in range(start + 1, len(lines)):
        stripped = lines[j].strip()
        if stripped.startswith(fence[0] * len(fence)) and set(stripped) == {fence[0]}:
            return j
    return len(lines)


EXTENSIONS = ["tables", "footnotes", "attr_list", "toc", "smarty", "fenced_code", "md_in_html"]


def new_converter(stock: bool = False) -> Any:
    """A Python-Markdown converter with the extensions the contract names.

    Its inline pass skips patterns that cannot match (``inline.py``); ``stock=True``
    gives the unmodified converter, which the tests compare it with. The extensions are
    passed as objects: by name, Python-Markdown looks them up in the installed packages'
    entry points, which costs more than the rest of making a converter."""
    import importlib

    import markdown

    extensions: list[Any] = []
    for name in EXTENSIONS:
        module = importlib.import_module(f"markdown.extensions.{name}")
        extensions.append(module.makeExtension(**EXTENSION_CONFIGS.get(name, {})))
    if not stock:
        from .inline import SkippingInlineExtension
        from .shortcuts import ShortcutExtension

        extensions += [SkippingInlineExtension(), ShortcutExtension()]
    return markdown.Markdown(extensions=extensions, output_format="html")


EXTENSION_CONFIGS: dict[str, dict[str, Any]] = {"toc": {"permalink": False}, "smarty": {"smart_angled_quotes": False}}

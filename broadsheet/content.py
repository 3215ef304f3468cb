"""Pages: Markdown files with YAML front matter, and the fenced blocks inside them.

``parse_page`` is pure: text in, ``Page`` out. Chart, table and datasets blocks are cut
out of the Markdown before conversion and left as placeholders that ``render`` fills.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from .errors import SiteError
from .yamlmap import FieldSpec, YamlMap, check_fields, parse_mapping

CONTENT_DIR = "content"
BLOCK_KINDS = ("chart", "table", "datasets")

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
}

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
class Page:
    src: str  # content/coal.md
    url: str  # /coal/
    dest: str  # coal/index.html
    title: str
    description: str
    html: str  # body HTML, with block placeholders
    blocks: tuple[Block, ...]
    headings: tuple[tuple[int, str, str], ...]  # (level, id, text)
    date: dt.date | None = None
    updated: dt.date | None = None
    authors: tuple[str, ...] = ()
    order: int = 1000
    nav_title: str = ""
    template: str = "page"
    draft: bool = False
    image: str = ""
    lead_chart: str = ""

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
    """Parse one Markdown file. ``converter`` is a ``markdown.Markdown`` instance."""
    meta, body, body_line = split_front_matter(src, text)
    check_fields(meta, FRONT_MATTER, "front matter")
    source, blocks = extract_blocks(src, body, body_line)
    converter.reset()
    html = converter.convert(source)
    headings = tuple((t["level"], t["id"], t["name"]) for t in _flatten(converter.toc_tokens))
    url = url_of(src)
    values = dict(meta.values)
    values["authors"] = tuple(values.get("authors", ()))
    return Page(src=src, url=url, dest=dest_of(url), html=html, blocks=blocks, headings=headings, **values)


def split_front_matter(src: str, text: str) -> tuple[YamlMap, str, int]:
    """Return the front matter mapping, the Markdown body and the body's first line."""
    text = text.removeprefix("\ufeff")
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        raise SiteError(src, 1, "a page must start with front matter: a line '---', YAML (title, description), then '---'")
    for number, line in enumerate(lines[1:], 2):
        if line.rstrip() in ("---", "..."):
            meta = parse_mapping("\n".join(lines[1 : number - 1]), src, 2)
            return meta, "\n".join(lines[number:]), number + 1
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
        spec = parse_mapping(yaml_text, src, first_line + i + 1, empty_ok=kind == "datasets")
        spec = YamlMap(spec.values, spec.lines, src, first_line + i)
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


def _flatten(tokens: list[dict[str, Any]]) -> list[dict[str, Any]]:
    flat: list[dict[str, Any]] = []
    for token in tokens:
        flat.append(token)
        flat.extend(_flatten(token.get("children", [])))
    return flat


def new_converter() -> Any:
    """A Python-Markdown converter with the extensions the contract names."""
    import markdown

    return markdown.Markdown(
        extensions=["tables", "footnotes", "attr_list", "toc", "smarty", "fenced_code", "md_in_html"],
        extension_configs={"toc": {"permalink": False}, "smarty": {"smart_angled_quotes": False}},
        output_format="html",
    )

"""``python build.py check``: build into a temporary folder and check what readers get.

Checks every built page for broken internal links and ``#anchors``, images and charts
without a text alternative, charts without a source, HTML that does not parse cleanly,
duplicate ids; the site for datasets that no page uses; and makes the build's warnings
(chart text that overlaps, runs out or is cut; series drawn in one colour) problems. Problems are reported as
``path:line: message``, pointing at the Markdown source where the problem is written.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from .cache import Cache
from .config import Config
from .output import Output, swap_in
from .prose import is_script_url, shown, tag_addresses
from .site import BuildResult, Site, build_site

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
OPTIONAL_END = {"p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody", "tfoot", "option", "colgroup", "caption"}
LINK_ATTRS = {("a", "href"), ("link", "href"), ("script", "src"), ("img", "src"), ("iframe", "src"), ("source", "src")}
DATA_ATTRS = ("data-spec", "data-runtime")


@dataclass(frozen=True)
class Problem:
    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}" if self.line else f"{self.path}: {self.message}"


@dataclass
class PageScan(HTMLParser):
    """One pass over a built page: ids, references, and structural problems."""

    ids: set[str] = field(default_factory=set)
    refs: list[tuple[int, str]] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)
    stack: list[tuple[str, int]] = field(default_factory=list)
    figure: dict[str, bool] | None = None

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=True)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        values = {k: v or "" for k, v in attrs}
        if "id" in values:
            if values["id"] in self.ids:
                self.problems.append((line, f"duplicate id '{values['id']}'"))
            self.ids.add(values["id"])
        for name, attr in LINK_ATTRS:
            if tag == name and values.get(attr) and not (tag == "link" and values.get("rel") in ("canonical", "alternate")):
                self.refs.append((line, values[attr]))
        self.refs.extend((line, values[a]) for a in DATA_ATTRS if values.get(a))
        for _, address in tag_addresses(tag, list(values.items())):  # (whatever wrote it: a page, a block, a template)
            if is_script_url(address, decoded=True):
                self.problems.append((line, f"link '{shown(address)}' would run a script"))
        self._alternatives(tag, values, line)
        if tag not in VOID:
            self.stack.append((tag, line))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        stack = list(self.stack)
        self.handle_starttag(tag, attrs)
        self.stack = stack  # <x/> opens nothing

    def _alternatives(self, tag: str, values: dict[str, str], line: int) -> None:
        classes = values.get("class", "").split()
        if tag == "img" and "alt" not in values:
            self.problems.append((line, f"image {values.get('src', '')!r} has no alt text"))
        if tag == "svg" and values.get("role") == "img" and not values.get("aria-label", "").strip():
            self.problems.append((line, "chart image has no text alternative (aria-label)"))
        if tag == "figure" and "chart" in classes:
            self.figure = {"line": line, "source": False, "alt": False, "id": values.get("id", "")}  # type: ignore[dict-item]
        if self.figure is not None:
            if tag == "svg" and values.get("aria-label", "").strip():
                self.figure["alt"] = True
            if tag == "p" and "chart-source" in classes:
                self.figure["in_source"] = True
            if tag == "a" and self.figure.get("in_source") and values.get("href"):
                self.figure["source"] = True

    def handle_endtag(self, tag: str) -> None:
        line = self.getpos()[0]
        if tag == "p" and self.figure is not None:
            self.figure["in_source"] = False
        if tag == "figure" and self.figure is not None and self.stack and self._innermost_figure():
            chart = self.figure
            if not chart["source"]:
                self.problems.append((int(chart["line"]), f"chart '{chart['id']}' has no source link"))
            if not chart["alt"]:
                self.problems.append((int(chart["line"]), f"chart '{chart['id']}' has no text alternative"))
            self.figure = None
        if tag in VOID:
            return
        while self.stack and self.stack[-1][0] != tag and self.stack[-1][0] in OPTIONAL_END:
            self.stack.pop()
        if not self.stack or self.stack[-1][0] != tag:
            opened = f" (open: <{self.stack[-1][0]}> from line {self.stack[-1][1]})" if self.stack else ""
            self.problems.append((line, f"</{tag}> closes nothing{opened}"))
            return
        self.stack.pop()

    def _innermost_figure(self) -> bool:
        return any(tag == "figure" for tag, _ in self.stack)

    def finish(self) -> None:
        self.close()
        for tag, line in self.stack:
            if tag not in OPTIONAL_END and tag not in ("html", "body", "head"):
                self.problems.append((line, f"<{tag}> is never closed"))


def check_site(config: Config, cache: Cache, out: Path | None = None) -> int:
    """Build into a temporary folder, check it, print problems. With ``out`` (``--strict``)
    a clean build then replaces ``out``; a build with problems leaves it untouched."""
    parent = out.parent if out else None
    if parent:
        parent.mkdir(parents=True, exist_ok=True)
    # (beside out/, named as the build's other leftovers, so a killed --strict build's is cleaned)
    with tempfile.TemporaryDirectory(dir=parent, prefix=f".{out.name}.check-{os.getpid()}-" if out else None) as tmp:
        built = Path(tmp) / "public"
        result = build_site(config, Output(built), cache)
        problems = list(check_output(built, result.site))
        problems += [Problem(w.path, w.line, w.message) for w in result.warnings]  # (warnings of build and serve)
        for line in shared_colors(result):  # (for the editor: not a problem)
            print(line)
        for problem in problems:
            print(problem, file=sys.stderr)
        if problems:
            print(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} found", file=sys.stderr)
            return 1
        if out is not None:
            swap_in(built, out)
    print(f"{result.summary()}; checked, no problems")
    return 0


def shared_colors(result: BuildResult) -> list[str]:
    """Colours that stand for different named series on different pages, each with its
    meanings and where they are drawn: a reader moving between pages cannot hold such a
    key (an editor gives each meaning its own colour, in site.toml's [colors])."""
    pages: dict[str, set[str]] = {}  # chart id -> the pages that show it
    for page in result.site.pages:
        for block in result.site.blocks.get(page.src, ()):
            for chart in block.charts():
                pages.setdefault(chart.id, set()).add(page.src)
    meanings: dict[str, dict[str, set[str]]] = {}  # colour -> series name -> pages
    for chart_id, series in result.series.items():
        for name, color in series:
            meanings.setdefault(color, {}).setdefault(name, set()).update(pages.get(chart_id, ()))
    lines = []
    for color, names in sorted(meanings.items()):
        if len(names) > 1 and len(set().union(*names.values())) > 1:
            said = "; ".join(f"'{name}' ({', '.join(sorted(where))})" for name, where in sorted(names.items()))
            lines.append(f"note: colour {color} stands for {len(names)} series on different pages: {said}")
    return lines


def check_output(folder: Path, site: Site) -> Iterator[Problem]:
    """Every problem in the built site at ``folder``."""
    scans = {}
    sources = {page.dest: page.src for page in site.pages}
    for path in sorted(folder.rglob("*.html")):
        rel = path.relative_to(folder).as_posix()
        scan = PageScan()
        scan.feed(path.read_text(encoding="utf-8"))
        scan.finish()
        scans[rel] = scan
    for rel, scan in scans.items():
        where = _Locator(site.config.root, sources.get(rel), f"public/{rel}")
        for line, message in scan.problems:
            image = _IMAGE.search(message)
            if image:  # named as the author wrote it: no base path, no fingerprint
                written = as_written(image.group(1), site.config.base_path)
                message = message.replace(image.group(0), f"image '{written}'")
                yield where.problem(line, message, written, image=True)
            else:
                yield where.problem(line, message, None)
        for line, ref in scan.refs:
            broken = _broken(folder, rel, ref, scans, site.config.base_path)
            if broken:
                yield where.problem(line, broken, ref)
    yield from _unused_datasets(site)
    for warning in site.package.warnings:  # (a warning in build and serve: a problem here and under --strict)
        src, number, text = warning.split(":", 2)
        yield Problem(src, int(number), text.strip().removeprefix("warning: "))


def _broken(folder: Path, rel: str, ref: str, scans: dict[str, PageScan], base: str) -> str | None:
    """Why an internal reference from page ``rel`` does not resolve, or None."""
    parts = urlsplit(ref)
    if parts.scheme or parts.netloc or ref.startswith(("mailto:", "tel:", "data:", "javascript:")):
        return None
    page_url = base + (rel.removesuffix("index.html") if rel.endswith("index.html") else rel)
    target = urlsplit(urljoin(page_url, ref))
    path = unquote(target.path)
    if not path.startswith(base):
        return f"link {ref!r} leaves the site's base path {base}"
    file = path[len(base) :]
    candidates = [file + "index.html"] if file.endswith("/") or file == "" else [file, file + "/index.html"]
    found = next((c for c in candidates if (folder / c).is_file()), None)
    if found is None:
        return f"broken link {ref!r}: nothing at {path}"
    if target.fragment and found.endswith(".html") and unquote(target.fragment) not in scans[found].ids:
        return f"broken anchor {ref!r}: no id '{target.fragment}' on {path}"
    return None


_IMAGE = re.compile(r"image '([^']*)'")
_FINGERPRINT = re.compile(r"\.[0-9a-f]{10}(?=\.[^./]*$)")


def as_written(ref: str, base: str) -> str:
    """A built page's path as its author wrote it: ``/sub/static/logo.0123456789.png``
    -> ``/static/logo.png``."""
    if ref.startswith(base) and base != "/":
        ref = "/" + ref[len(base) :]
    return _FINGERPRINT.sub("", ref) if ref.startswith("/static/") else ref


def _unused_datasets(site: Site) -> Iterator[Problem]:
    """The site's own datasets that no block uses (a package downloaded whole may hold more
    tables than a story needs)."""
    used = {dataset.name for blocks in site.blocks.values() for block in blocks for dataset in block.datasets()}
    used |= set(site.values.datasets)  # (read by a bound value)
    for name, dataset in site.package.datasets.items():
        if name not in used and not dataset.package:
            yield Problem(dataset.src, None, f"dataset '{name}' is never used by a chart, table or datasets block")


class _Locator:
    """Points a problem at the Markdown line that contains the reference, when it can."""

    def __init__(self, root: Path, src: str | None, built: str):
        self.src, self.built = src, built
        self.lines = (root / src).read_text(encoding="utf-8").splitlines() if src else []

    def problem(self, line: int, message: str, ref: str | None, image: bool = False) -> Problem:
        if self.src and ref:
            needle = ref.split("#")[0] if ref.startswith(("/", ".")) and "#" not in ref else ref
            # (a file beside the page, /img/map.png, is written relative to it: img/map.png)
            for candidate in dict.fromkeys([needle, needle.lstrip("/")]):
                if not candidate:
                    continue
                # an image's line is where it is shown, if that can be told from a link to it
                pattern = rf"(src\s*=\s*[\"']|!\[[^\]]*\]\(<?)(\.\./|\./)*{re.escape(candidate)}" if image else re.escape(candidate)
                for wanted in dict.fromkeys([pattern, re.escape(candidate)]):
                    for number, text in enumerate(self.lines, 1):
                        if re.search(wanted, text):
                            return Problem(self.src, number, message)
        if self.src:
            return Problem(self.src, None, f"{message} (built page line {line})")
        return Problem(self.built, line, message)

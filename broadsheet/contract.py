"""The reader contract: what every chart gives a reader, checked on the HTML as published.

Every chart is published in a ``<figure>`` that holds its drawing (whose text alternative
is the chart's description), its title, a source line linking each source of its data, a
link to download each of its datasets and, when its plotted data can be listed, that data
as a table. Templates make the figure, and a site may replace any of them (``_figure.html``,
``embed.html``): so the build checks each rendered page and embed itself, whatever made
it, and a chart that lost a part stops the build at the template. A scrolly section keeps
every step's drawing (with its alt text), and its sources and data links.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator, Mapping, Sequence
from functools import cached_property

from .charts import ChartBlock
from .config import Config
from .data import Dataset
from .errors import SiteError
from .figures import Figure
from .sourcelines import unique_sources

_ANY_TAG = re.compile(r"<[^>]*>")  # (a '>' inside a quoted value would leave a few characters of text: harmless here)
_HREF = re.compile(r"""\shref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""", re.IGNORECASE)
_FIGURE = re.compile(r"<(/?)figure\b", re.IGNORECASE)
_SECTION = re.compile(r"<(/?)section\b", re.IGNORECASE)
_FOLDED = re.compile(r"<(table|details|textarea|script|style|template)\b.*?</\1>", re.IGNORECASE | re.DOTALL)


class Region:
    """Part of a published page: the addresses it links to, and its text as a reader reads
    it (made when first asked)."""

    def __init__(self, part: str):
        self.part = _without_drawings(part)  # (most of a figure's bytes, and none of its text or links)
        self.links = frozenset(html.unescape(next(v for v in m.groups() if v is not None)) for m in _HREF.finditer(self.part))

    @cached_property
    def text(self) -> str:
        return _text(self.part)

    @cached_property
    def shown(self) -> str:
        """The text outside tables, folded-away details and form fields: what every reader sees."""
        return _text(_FOLDED.sub(" ", self.part))

    def says(self, words: str) -> bool:
        return " ".join(words.split()) in self.text

    def shows(self, words: str) -> bool:
        return " ".join(words.split()) in self.shown

    def links_to(self, path: str, config: Config) -> bool:
        """Whether it links to ``path`` (a site path as written, under the base path, or absolute)."""
        wanted = {path, config.url(path), config.absolute_url(path)} if path.startswith("/") else {path}
        return bool(wanted & self.links)


def _without_drawings(part: str) -> str:
    """``part`` without its ``<svg>`` elements (found with ``str.find``: a regex took longer)."""
    kept, at = [], 0
    while (start := part.find("<svg", at)) >= 0 and (end := part.find("</svg>", start)) >= 0:
        kept.append(part[at:start])
        at = end + len("</svg>")
    return " ".join([*kept, part[at:]])


def check_figure(page: str, chart: ChartBlock, figure: Figure, template: str, config: Config) -> None:
    """``chart`` as published in ``page`` (HTML) keeps every part of the contract, or the
    build stops at ``template`` (``templates/_figure.html``) naming what is missing."""
    drawings = [(layout, page.find(svg)) for layout, svg in (("wide", figure.svg), ("narrow", figure.narrow_svg)) if svg]
    lost = [layout for layout, at in drawings if at < 0]
    if lost:
        raise _broken(template, chart, [f"its {lost[0]} drawing (the chart's SVG, with its text alternative)"])
    found: list[str] = []
    for at in _occurrences(page, figure.svg or figure.narrow_svg, drawings[0][1]):  # (two charts may draw the same SVG)
        found = _missing_in_figure(page, at, chart, figure, config)
        if not found:
            return
    raise _broken(template, chart, found)


def _occurrences(page: str, text: str, first: int) -> Iterator[int]:
    at = first
    while at >= 0:
        yield at
        at = page.find(text, at + 1)


def _missing_in_figure(page: str, at: int, chart: ChartBlock, figure: Figure, config: Config) -> list[str]:
    """What the ``<figure>`` around the drawing at ``at`` lacks of the contract."""
    bounds = _enclosing(page, at, _FIGURE)
    if bounds is None:
        return ["a <figure> around its drawing"]
    region = Region(page[bounds[0] : bounds[1]])
    missing = [] if region.shows(chart.title) else ["its title"]
    missing += list(_sources_and_data(region, figure.datasets, config))
    tables = figure.tables
    if tables and (page.count("<table", *bounds) < len(tables) or not all(region.says(t.caption) for t in tables)):
        missing.append("its data table (the data as plotted)")
    return missing


def check_steps(page: str, chart: ChartBlock, steps: Sequence[ChartBlock], figures: Mapping[str, Figure], config: Config) -> None:
    """A scrolly section telling ``chart`` keeps, as published, each step's drawing (with
    its alt text), and its sources and data links (in the ``<section>`` around the steps,
    or at least on the page)."""
    for step in steps:
        for layout, svg in (("wide", figures[step.id].svg), ("narrow", figures[step.id].narrow_svg)):
            if svg and svg not in page:
                raise _broken("templates/_scrolly.html", chart, [f"the {layout} drawing of its step at line {step.line}"], "scrolly chart")
    bounds = _enclosing(page, page.find(figures[steps[0].id].svg), _SECTION) or (0, len(page))
    missing = list(_sources_and_data(Region(page[bounds[0] : bounds[1]]), figures[steps[0].id].datasets, config))
    if missing:
        raise _broken("templates/_scrolly.html", chart, missing, "scrolly chart")


def _sources_and_data(region: Region, datasets: tuple[Dataset, ...], config: Config) -> Iterator[str]:
    for source in unique_sources(datasets):
        if source.path and not region.links_to(source.path, config):
            yield f"its source link to '{source.title}' ({source.path})"
        elif not source.path and not region.says(source.title):
            yield f"its source '{source.title}'"
    for dataset in datasets:
        if not region.links_to(dataset.url, config):
            yield f"its data link ({dataset.url})"


def _text(part: str) -> str:
    return " ".join(html.unescape(_ANY_TAG.sub(" ", part)).split())


def _enclosing(page: str, at: int, tag: re.Pattern[str]) -> tuple[int, int] | None:
    """The innermost element of kind ``tag`` around position ``at``: (start, end)."""
    opened: list[int] = []
    for match in tag.finditer(page):
        if not match.group(1):
            opened.append(match.start())
        elif opened:
            start = opened.pop()
            if start < at < match.start():
                return start, match.end()
    return None


def _broken(template: str, chart: ChartBlock, missing: list[str], what: str = "chart") -> SiteError:
    parts = ", ".join(missing[:-1]) + (" and " if len(missing) > 1 else "") + missing[-1]
    message = f"{what} '{chart.id}' ({chart.src}:{chart.line}) is published without {parts}"
    hint = "the reader contract (README, 'Add a chart') asks every chart's <figure> for them: restore them in the template"
    return SiteError(template, None, message, hint)

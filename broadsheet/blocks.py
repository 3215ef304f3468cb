"""Parsed blocks: one frozen record per kind of fenced block a page may hold.

``parse_block`` turns a page's ``Block`` (its YAML, with lines) into a record, raising
``path:line: message`` on a mistake. Each record says what it contributes to the page
it sits on: its template, the datasets it shows, the parts of the page's render key it
adds, and its template's context. Nothing outside this module asks a record what kind
it is: a new kind (``scrolly``) is one more record here.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, ClassVar

from markupsafe import Markup

from .charts import ChartBlock, ChartDef, parse_chart_block, slugify
from .config import Config
from .content import Block, CorrectionsLog, Page, corrections_log
from .data import Dataset, Package
from .errors import known
from .pagefiles import FileRef
from .prose import check_prose
from .render import Table, make_table
from .scrolly import Scrolly, StepState, parse_scrolly
from .yamlmap import FieldSpec, YamlMap, check_fields

if TYPE_CHECKING:  # (figures imports the chart records; blocks only reads figures)
    from .figures import Figure

TABLE_KEYS: FieldSpec = {
    "data": ("text", True),
    "title": ("text", True),
    "subtitle": ("text", False),
    "description": ("text", False),
    "notes": ("text", False),
    "columns": ("list or mapping", False),
}
DATASETS_KEYS: FieldSpec = {"names": ("list of text", False)}
Figures = Mapping[str, "Figure"]  # by chart id


class ParsedBlock:
    """What every block record offers (the records are frozen dataclasses)."""

    template: ClassVar[str]
    scripts: ClassVar[tuple[str, ...]] = ()  # static files the page loads for the block

    @property
    def chart(self) -> ChartBlock | None:
        """The chart the block shows, if any."""
        return None

    def charts(self) -> tuple[ChartBlock, ...]:
        """Every chart the block needs rendered."""
        return (self.chart,) if self.chart else ()

    def datasets(self) -> tuple[Dataset, ...]:
        """The datasets the block shows or plots."""
        return ()

    def key_parts(self, figures: Figures) -> list[Any]:
        """What the page's HTML takes from the block (plain values: their repr is exact)."""
        return shown(self.datasets())

    def catalogued(self) -> tuple[Dataset, ...]:
        """The datasets the block describes (each at ``#data-NAME``): their entry on the site."""
        return ()

    def refs(self) -> tuple[FileRef, ...]:
        """The relative and ``/static/`` paths in the block's Markdown (notes, step text)."""
        return ()

    def check_published(self, page: str, figures: Figures, config: Config) -> None:
        """Whether the page as published (``page``: its HTML) keeps what the block promises
        readers (``contract.py``); a ``SiteError`` at the template if not."""

    def context(self, figures: Figures, config: Config) -> dict[str, Any]:
        """What the block's template gets."""
        raise NotImplementedError


@dataclass(frozen=True)
class ChartUse(ParsedBlock):
    """A ```chart block: a chart as written on this page, and the datasets it plots."""

    template: ClassVar[str] = "_figure.html"
    block: ChartBlock
    data: tuple[Dataset, ...]

    @property
    def chart(self) -> ChartBlock:
        return self.block

    def datasets(self) -> tuple[Dataset, ...]:
        return self.data

    def key_parts(self, figures: Figures) -> list[Any]:
        return [figures[self.block.id].spec_url, *shown(self.data)]

    def refs(self) -> tuple[FileRef, ...]:
        return self.block.refs

    def check_published(self, page: str, figures: Figures, config: Config) -> None:
        from .contract import check_figure

        check_figure(page, self.block, figures[self.block.id], f"templates/{self.template}", config)

    def context(self, figures: Figures, config: Config) -> dict[str, Any]:
        from .figures import figure_context

        return figure_context(figures[self.block.id], self.block, config)


@dataclass(frozen=True)
class TableBlock(ParsedBlock):
    """A ```table block: some columns of one dataset, with a title and notes."""

    template: ClassVar[str] = "_table.html"
    values: Mapping[str, Any]  # the block's YAML (title, subtitle, description, notes, ...)
    anchor: str  # table-<slug of the title>
    table: Table
    dataset: Dataset
    paths: tuple[FileRef, ...] = ()  # in its notes

    def datasets(self) -> tuple[Dataset, ...]:
        return (self.dataset,)

    def refs(self) -> tuple[FileRef, ...]:
        return self.paths

    def context(self, figures: Figures, config: Config) -> dict[str, Any]:
        return {**self.values, "id": self.anchor, "table": self.table, "dataset": self.dataset}


@dataclass(frozen=True)
class DatasetsBlock(ParsedBlock):
    """A ```datasets block: a description of datasets and their fields (all by default)."""

    template: ClassVar[str] = "_datasets.html"
    listed: tuple[Dataset, ...]

    def datasets(self) -> tuple[Dataset, ...]:
        return self.listed

    def catalogued(self) -> tuple[Dataset, ...]:
        return self.listed

    def context(self, figures: Figures, config: Config) -> dict[str, Any]:
        return {"datasets": [(d, fields_table(d)) for d in self.listed]}


@dataclass(frozen=True)
class CorrectionsBlock(ParsedBlock):
    """A ```corrections block: every page's corrections, newest first."""

    template: ClassVar[str] = "_corrections.html"
    log: CorrectionsLog

    def key_parts(self, figures: Figures) -> list[Any]:
        return [repr(self.log)]

    def context(self, figures: Figures, config: Config) -> dict[str, Any]:
        return {"log": self.log}


def parse_block(block: Block, registry: Mapping[str, ChartDef], package: Package, pages: Sequence[Page]) -> ParsedBlock:
    if block.kind == "scrolly":
        return parse_scrolly_block(block, registry, package, pages)
    if block.kind == "chart":
        chart = parse_chart_block(block, registry, package)
        return ChartUse(chart, tuple(package.datasets[name] for name in chart.datasets))
    if block.kind == "table":
        return parse_table_block(block, package)
    if block.kind == "corrections":
        check_fields(block.spec, {}, "a corrections block")
        return CorrectionsBlock(corrections_log(pages))
    check_fields(block.spec, DATASETS_KEYS, "a datasets block")
    names = block.spec.values.get("names") or list(package.datasets)
    return DatasetsBlock(tuple(package.get(name, block.spec.path, block.spec.line_of("names")) for name in names))


def parse_table_block(block: Block, package: Package) -> TableBlock:
    spec = block.spec
    check_fields(spec, TABLE_KEYS, "a table block")
    dataset = package.get(spec.values["data"], spec.path, spec.line_of("data"))
    columns = spec.values.get("columns") or list(dataset.columns)
    mapping = dict(columns) if isinstance(columns, dict) else {str(c): "" for c in columns}
    for name in mapping:
        if name not in dataset.columns:
            raise spec.error("columns", f"column '{name}' is not in dataset '{dataset.name}'", known(dataset.columns))
    refs = check_texts(spec, TABLE_TEXTS)
    anchor = "table-" + slugify(spec.values["title"])
    return TableBlock(spec.values, anchor, make_table(dataset, mapping), dataset, refs)


TABLE_TEXTS = ("title", "subtitle", "description", "notes")


def check_texts(spec: YamlMap, keys: Sequence[str]) -> tuple[FileRef, ...]:
    """The limits and script-link check of author Markdown on each text of a block (a
    template may show any as Markdown); the paths its ``notes`` refer to."""
    refs: tuple[FileRef, ...] = ()
    for key in keys:
        if isinstance(spec.values.get(key), str):
            found = check_prose(spec.path, spec.values[key], spec.line_of(key))
            refs += found if key == "notes" else ()
    return refs


def shown(datasets: Sequence[Dataset]) -> list[tuple[Any, ...]]:
    """What a page shows of its datasets (besides the charts' specs)."""
    return [(d.name, d.digest, d.sources, d.title, d.description, d.fields, d.licenses) for d in datasets]


def fields_table(dataset: Dataset) -> list[tuple[str, str, str, str]]:
    return [(f.name, f.type, f.unit, f.description or f.title) for f in dataset.fields]


@dataclass(frozen=True)
class ScrollyStepHtml:
    text: str  # the step's text, Markdown (the template converts it: ``| markdown(inline=False)``)
    svg: Markup  # its chart
    svg_narrow: Markup  # its chart laid out for a phone (layout.py)


@dataclass(frozen=True)
class ScrollyUse(ParsedBlock):
    """A ```scrolly block: one chart told in steps, each step's state a chart of its own
    (rendered and cached like any chart), plus the scrolly script on the page."""

    template: ClassVar[str] = "_scrolly.html"
    scripts: ClassVar[tuple[str, ...]] = ("scrolly.js",)
    scrolly: Scrolly
    base: ChartBlock  # the chart as a ```chart block shows it, or as its function makes it
    steps: tuple[ChartBlock, ...]  # one a step: the chart with the step's state
    data: tuple[Dataset, ...]
    chart_url: str  # where the whole chart is shown ("" if on no page)

    @property
    def section_id(self) -> str:
        return f"scrolly-{self.base.id}-{self.scrolly.line}"  # (the line: two on one page differ)

    def charts(self) -> tuple[ChartBlock, ...]:
        return self.steps

    def datasets(self) -> tuple[Dataset, ...]:
        return self.data

    def key_parts(self, figures: Figures) -> list[Any]:
        svgs = [figures[chart.id].svg_digest for chart in self.steps]
        return [repr(self.scrolly), self.base.title, self.chart_url, *svgs, *shown(self.data)]

    def refs(self) -> tuple[FileRef, ...]:
        return tuple(ref for step in self.scrolly.steps for ref in check_prose(self.scrolly.src, step.text, step.text_line))

    def check_published(self, page: str, figures: Figures, config: Config) -> None:
        from .contract import check_steps

        check_steps(page, self.base, self.steps, figures, config)

    def context(self, figures: Figures, config: Config) -> dict[str, Any]:
        from .sourcelines import source_lines, unique_sources

        steps = [
            ScrollyStepHtml(step.text, Markup(figures[chart.id].svg), Markup(figures[chart.id].narrow_svg))
            for step, chart in zip(self.scrolly.steps, self.steps, strict=True)
        ]
        link = config.url(self.chart_url) if self.chart_url.startswith("/") else self.chart_url
        return {
            "scrolly": self.scrolly,
            "steps": steps,
            "section_id": self.section_id,
            "chart_url": link,
            "chart_title": self.base.title,
            "datasets": list(self.data),
            "sources": unique_sources(self.data),
            "source_lines": source_lines(self.data, self.base.context),
        }


def parse_scrolly_block(block: Block, registry: Mapping[str, ChartDef], package: Package, pages: Sequence[Page]) -> ScrollyUse:
    """A ```scrolly block, told with a chart of the site: a Python chart, or a declarative
    chart on some page (which also gives the link to the whole chart)."""
    shown_on = {_chart_id(b): (b, page) for page in pages for b in page.blocks if b.kind == "chart" and _chart_id(b)}
    scrolly = parse_scrolly(block.spec, set(registry) | set(shown_on))
    if scrolly.chart in shown_on:
        chart_block, page = shown_on[scrolly.chart]
        base = parse_chart_block(chart_block, registry, package)
        link = f"#{base.id}" if page.src == block.spec.path else f"{page.url}#{base.id}"
    else:
        definition = registry[scrolly.chart]
        base = ChartBlock(
            scrolly.chart,
            scrolly.title or scrolly.chart,
            "",
            "",
            "",
            definition.datasets,
            scrolly.src,
            scrolly.line,
            definition,
            {"id": scrolly.chart},
        )
        link = ""
    for name in base.datasets:
        package.get(name, scrolly.src, scrolly.line)
    steps = tuple(_step_chart(base, step.alt, step.state) for step in scrolly.steps)
    return ScrollyUse(scrolly, base, steps, tuple(package.datasets[name] for name in base.datasets), link)


def _chart_id(block: Block) -> str:
    """The id a ```chart block gives its chart (its ``id``, or its title's slug)."""
    values = block.spec.values
    chart_id = values.get("id") or (slugify(values["title"]) if isinstance(values.get("title"), str) else "")
    return chart_id if isinstance(chart_id, str) else ""


def _step_chart(base: ChartBlock, alt: str, state: StepState) -> ChartBlock:
    """The chart at one step, under an id of its own (named by what it shows: stable)."""
    digest = hashlib.sha256(repr((state, alt)).encode()).hexdigest()[:10]
    return replace(base, id=f"{base.id}-step-{digest}", description=alt, state=state, src=state.src, line=state.line)

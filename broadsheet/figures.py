"""Chart figures: each chart of the site with its specs, static SVGs (wide and narrow)
and plotted data.

``build_figures`` makes what the cache lacks, in the chart renderer's worker processes
(``workers``), and caches it by a key of everything a chart is made from. A warm
build knows each cached chart's digests from the build state's index, so it reads a
cached chart only when it renders a page that shows it.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from . import darkcolors, layout, textcheck
from .cache import Cache, cache_key
from .charts import ChartBlock, chart_location
from .codeversions import renderer_version, tables_code_digest
from .config import Config
from .data import Dataset, Package
from .errors import SiteWarning
from .plotted import PlottedTable
from .sourcelines import source_lines, unique_sources
from .state import BuildState, ChartIndexEntry

if TYPE_CHECKING:  # (the renderer, and the libraries it imports, only when a chart is drawn)
    from .renderers import RenderedChart

Progress = Callable[[str], None]


@dataclass(frozen=True)
class ChartEntry:
    """A chart's cache entry: its Vega-Lite spec (JSON) and SVG in each layout, the data it
    plots, and what the text check found."""

    spec: str
    svg: str
    tables: tuple[PlottedTable, ...]
    narrow_spec: str
    narrow_svg: str
    warnings: tuple[str, ...] = ()
    hint: str = ""
    series: tuple[tuple[str, str], ...] = ()  # each named series and its colour
    no_table: str = ""  # why it has no table, for a reader ("" when it has one)

    @classmethod
    def of(cls, made: RenderedChart) -> ChartEntry:
        """A chart as drawn, with the colours each of its drawings takes on the dark page (``darkcolors``)."""
        dark = darkcolors.dark_map(made.svg, made.narrow_svg)
        svg, narrow_svg = darkcolors.mark(made.svg, dark), darkcolors.mark(made.narrow_svg, dark)
        spec, narrow_spec = darkcolors.with_dark_map(made.spec, dark), darkcolors.with_dark_map(made.narrow_spec, dark)
        return cls(spec, svg, made.tables, narrow_spec, narrow_svg, made.warnings, made.hint, made.series, made.no_table)

    @classmethod
    def from_json(cls, value: Any) -> ChartEntry:
        """The entry a cache file holds; ``ValueError`` if it has another shape."""
        shape = (("spec", str), ("svg", str), ("tables", list), ("narrow_spec", str), ("narrow_svg", str), ("hint", str))
        if not isinstance(value, dict) or not all(isinstance(value.get(k), t) for k, t in shape):
            raise ValueError("not a chart entry")
        if not _all(value.get("warnings"), str) or not all(_all(pair, str) and len(pair) == 2 for pair in value.get("series", [0])):
            raise ValueError("not a chart entry")
        if not isinstance(value.get("no_table", ""), str):
            raise ValueError("not a chart entry")
        tables = tuple(_table_from_json(t) for t in value["tables"])
        series = tuple((name, color) for name, color in value["series"])
        return cls(
            value["spec"],
            value["svg"],
            tables,
            value["narrow_spec"],
            value["narrow_svg"],
            tuple(value["warnings"]),
            value["hint"],
            series,
            value.get("no_table", ""),
        )

    def to_json(self) -> dict[str, Any]:
        tables = [t.to_json() for t in self.tables]
        made = {"spec": self.spec, "svg": self.svg, "tables": tables, "narrow_spec": self.narrow_spec, "narrow_svg": self.narrow_svg}
        kept = {
            "warnings": list(self.warnings),
            "hint": self.hint,
            "series": [list(pair) for pair in self.series],
            "no_table": self.no_table,
        }
        return {**made, **kept}

    def index(self) -> ChartIndexEntry:
        """Digests of both layouts (the spec files' names and the pages' render keys change
        with either), and the warnings a warm build reports without reading the entry."""
        spec_digest = hashlib.sha256(f"{self.spec}\n{self.narrow_spec}".encode()).hexdigest()[:10]
        svg_digest = hashlib.sha256(f"{self.svg}\n{self.narrow_svg}".encode()).hexdigest()
        return ChartIndexEntry(spec_digest, svg_digest, self.warnings, self.series)


def _table_from_json(value: Any) -> PlottedTable:
    """A plotted table from a cache entry, every cell of the type it must have."""
    texts = isinstance(value, dict) and isinstance(value.get("caption"), str) and _all(value.get("headings"), str)
    if not (texts and _all(value.get("numeric"), bool) and isinstance(value.get("rows"), list)):
        raise ValueError("not a plotted table")
    if not all(_all(row, str) for row in value["rows"]):
        raise ValueError("not a plotted table")
    return PlottedTable.from_json(value)


def _all(items: Any, kind: type) -> bool:
    return isinstance(items, list) and all(isinstance(item, kind) for item in items)


@dataclass(frozen=True)
class Figure:
    """A chart ready to publish: its block (first use), datasets, and cache entry, read
    from the cache on first use (``load``)."""

    chart: ChartBlock
    datasets: tuple[Dataset, ...]
    digests: ChartIndexEntry
    load: Callable[[], ChartEntry] = field(compare=False, repr=False)

    @property
    def spec_url(self) -> str:
        return f"/charts/{self.chart.id}.{self.digests.spec_digest}.json"

    @property
    def narrow_spec_url(self) -> str:
        return f"/charts/narrow/{self.chart.id}.{self.digests.spec_digest}.json"

    @property
    def svg_digest(self) -> str:
        return self.digests.svg_digest

    @property
    def warnings(self) -> list[SiteWarning]:
        """What the text check found, at the chart's function or block (a scrolly step's: at the step)."""
        chart = self.chart
        src, line = (chart.state.src, chart.state.line) if chart.state else chart_location(chart)
        return [SiteWarning(src, line, message) for message in self.digests.warnings]

    @cached_property
    def entry(self) -> ChartEntry:
        return self.load()

    @property
    def spec_json(self) -> str:
        return self.entry.spec

    @property
    def svg(self) -> str:
        return self.entry.svg

    @property
    def narrow_spec_json(self) -> str:
        return self.entry.narrow_spec

    @property
    def narrow_svg(self) -> str:
        return self.entry.narrow_svg

    @property
    def hint(self) -> str:
        """What a reader can do with the live chart ("" if nothing)."""
        return self.entry.hint

    @property
    def no_table(self) -> str:
        """Why the chart has no table, for a reader (``missingtables``)."""
        return self.entry.no_table or "The values this chart draws cannot be listed here."

    @property
    def tables(self) -> list[PlottedTable]:
        """The data each view plots, after its transforms."""
        return list(self.entry.tables)


@dataclass
class FigureBuild:
    """The figures of one build, and which charts it rendered (the rest came from the cache)."""

    figures: dict[str, Figure]
    rendered: list[str]
    at_hand: list[str] = field(default_factory=list)  # charts drawn or read by this build (not only indexed): the page weight counts them


def build_figures(
    charts: Mapping[str, ChartBlock],
    package: Package,
    config: Config,
    cache: Cache,
    state: BuildState,
    progress: Progress | None = None,
    arrived: Callable[[str, str], None] | None = None,
) -> FigureBuild:
    """Compile and render every chart not in the cache; index the cache in ``state``.
    ``arrived(chart_id, svg)`` is called as each chart drawn now arrives, with its wide SVG."""
    version = renderer_version() + tables_code_digest() + layout.code_digest() + textcheck.code_digest() + darkcolors.code_digest()
    version += json.dumps(sorted(config.series_colors.items()))
    keys = {
        chart_id: cache_key(chart.key, chart.description, *(package.datasets[n].digest for n in chart.datasets), version)
        for chart_id, chart in charts.items()
    }
    renderer = _Renderer(charts, package, config, cache, keys, arrived)
    entries: dict[str, ChartEntry | None] = {}
    for chart_id, key in keys.items():
        if key not in state.figure_index or not cache.has("chart", key):
            entries[chart_id] = cache.get("chart", key, ChartEntry.from_json)
    missing = [chart_id for chart_id, entry in entries.items() if entry is None]
    if missing and progress:
        progress(f"rendering {len(missing)} chart{'s' if len(missing) != 1 else ''}")
    made = renderer.render(missing)
    index: dict[str, ChartIndexEntry] = {}
    figures = {}
    for chart_id, chart in charts.items():
        key, done = keys[chart_id], made.get(chart_id) or entries.get(chart_id)
        index[key] = done.index() if done is not None else state.figure_index[key]
        load = _constant(done) if done is not None else renderer.loader(chart_id)
        datasets = tuple(package.datasets[name] for name in chart.datasets)
        figures[chart_id] = Figure(chart, datasets, index[key], load)
    state.figure_index = index
    at_hand = [chart_id for chart_id in charts if chart_id in made or entries.get(chart_id) is not None]  # (drawn, or read from the cache)
    return FigureBuild(figures, renderer.rendered, at_hand)


@dataclass
class _Renderer:
    """Renders charts into the cache: those missing now, and any whose cache entry goes
    missing or bad after the index was made (read later, when a page needs it)."""

    charts: Mapping[str, ChartBlock]
    package: Package
    config: Config
    cache: Cache
    keys: Mapping[str, str]  # chart id -> cache key
    arrived: Callable[[str, str], None] | None = None  # told each chart drawn (its id and wide SVG), as it arrives
    rendered: list[str] = field(default_factory=list)

    def render(self, chart_ids: list[str]) -> dict[str, ChartEntry]:
        if not chart_ids:
            return {}
        from .workers import ChartJob, ChartWorkers

        self.rendered += chart_ids
        jobs = [ChartJob(self.charts[chart_id], *chart_location(self.charts[chart_id])) for chart_id in chart_ids]
        entries: dict[str, ChartEntry] = {}

        def keep(index: int, made: RenderedChart) -> None:  # (cached as it arrives: a later chart's error loses none)
            entries[chart_ids[index]] = entry = ChartEntry.of(made)
            self.cache.put("chart", self.keys[chart_ids[index]], entry.to_json())
            if self.arrived is not None:
                self.arrived(chart_ids[index], entry.svg)

        with ChartWorkers(self.package, self.config.root, len(jobs), dict(self.config.series_colors)) as workers:
            workers.run(jobs, keep)
        return entries

    def loader(self, chart_id: str) -> Callable[[], ChartEntry]:
        def load() -> ChartEntry:
            cached = self.cache.get("chart", self.keys[chart_id], ChartEntry.from_json)
            return cached or self.render([chart_id])[chart_id]

        return load


def _constant(entry: ChartEntry) -> Callable[[], ChartEntry]:
    return lambda: entry  # (an entry at hand: nothing to read)


def figure_context(figure: Figure, chart: ChartBlock, config: Config) -> dict[str, Any]:
    """What ``_figure.html`` gets: the chart (as written on this page) and its data."""
    return {
        "chart": chart,
        "figure": figure,
        "svg": Markup(figure.svg),
        "svg_narrow": Markup(figure.narrow_svg),
        "datasets": list(figure.datasets),
        "sources": unique_sources(figure.datasets),
        "source_lines": source_lines(figure.datasets, figure.chart.context),
        "tables": figure.tables,
        "data_files": _data_files(figure.datasets),
        "embed_url": config.absolute_url(f"/embed/{figure.chart.id}/"),
        "embed_height": round(max(_svg_height(figure.svg), _svg_height(figure.narrow_svg))) + 280,
    }


def _data_files(datasets: tuple[Dataset, ...]) -> str:
    """The downloads under a figure, by format: "CSV file", "TopoJSON and TSV files"."""
    kinds = list(dict.fromkeys(dataset.kind for dataset in datasets))
    return f"{' and '.join(kinds)} file{'s' if len(datasets) > 1 else ''}"


def _svg_height(svg: str) -> float:
    match = re.search(r'height="([\d.]+)"', svg[: svg.find(">")])
    return float(match.group(1)) if match else 400.0

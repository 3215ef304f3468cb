"""The build: config -> site -> figures -> cards -> assets -> plan -> publish.

``load_site`` reads and validates everything (pages, data, blocks, links) and
``build_figures`` and ``build_cards`` make what the cache lacks; nothing is written to
the output before ``publish``, so a user error stops the build with the previous
output as it was. ``build_site`` writes through the ``Output`` it is given: a staging
folder swapped in whole, a folder changed in place, or memory (the preview).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import partial

from .assets import collect_assets
from .blocks import ParsedBlock, parse_block
from .boundvalues import BoundValues, drawn_texts, resolve_values
from .cache import Cache
from .cards import build_cards, card_press
from .chartcode import digest_sources
from .charts import ChartBlock, ChartDef, discover_charts, read_chart_sources
from .config import Config
from .content import Page
from .data import DATA_DIR, Package, load_package
from .dependencies import digest_json, folder_digest, template_graph, templates_key
from .errors import SiteError, SiteWarning, known
from .figures import build_figures
from .output import Output
from .pages import PageLinks, check_files, check_templates, load_pages, resolve_links
from .pageweight import assets_weight, page_weight_warnings
from .publish import Renderer, environment, navigation, plan_site, publish, publish_data
from .state import BuildState

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Site:
    """Everything read from the site folder, validated, before anything is rendered."""

    config: Config
    pages: tuple[Page, ...]
    package: Package
    charts: Mapping[str, ChartBlock]  # by chart id, first use
    blocks: Mapping[str, tuple[ParsedBlock, ...]]  # page src -> its parsed blocks
    files: tuple[str, ...] = ()  # files beside pages, published as they are (content/img/map.png)
    links: Mapping[str, PageLinks] = field(default_factory=dict)  # page src -> what its paths resolve to
    values: BoundValues = field(default_factory=lambda: BoundValues({}, {}))  # the pages' bound values, resolved
    later: Callable[[], Site] | None = None  # data and charts no page uses: read and checked while pages are written


@dataclass(frozen=True)
class BuildResult:
    site: Site
    charts: int
    cached: int
    seconds: float
    rendered: tuple[str, ...] = ()  # URLs of the pages rendered by this build
    warnings: tuple[SiteWarning, ...] = ()  # what readers would notice but does not stop the build (chart text, colours)
    series: Mapping[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)  # chart id -> its named series and colours

    @property
    def pages(self) -> int:
        return len(self.site.pages)

    @property
    def datasets(self) -> int:
        return len(self.site.package.datasets)

    def summary(self) -> str:
        return (
            f"Built {counted(self.pages, 'page')} ({len(self.rendered)} rendered), {counted(self.charts, 'chart')} "
            f"({self.cached} from cache), {counted(self.datasets, 'dataset')} in {self.seconds:.2f} s"
        )


def counted(number: int, noun: str) -> str:
    """``1 page``, ``2 pages``, ``0 pages``."""
    return f"{number} {noun}{'' if number == 1 else 's'}"


def build_site(
    config: Config,
    output: Output,
    cache: Cache,
    state: BuildState | None = None,
    progress: Progress | None = None,
    fingerprint: bool = True,
    before_commit: Callable[[], None] | None = None,
) -> BuildResult:
    """Build the site into ``output``. With a ``state`` from the previous build, pages
    are read again only if their text changed and files made again only if one of their
    inputs changed (the rest are kept, if ``output`` keeps files). ``before_commit`` runs
    once everything is ready, just before the first file of the output changes."""
    start = time.perf_counter()
    state = state if state is not None else BuildState()  # a one-off build keeps its own
    try:  # (whatever fails, the output is left as it was: a first build's staging folder too)
        site = load_site(config, state, defer_unused=True)
        titled = site.values.plain_titles(site.pages)
        press = card_press(config, titled, cache)  # (a chart's social card is made while the others are drawn)
        made = build_figures(site.charts, site.package, config, cache, state, progress, arrived=press.chart_drawn)
        cards = build_cards(titled, made.figures, press)
        assets = collect_assets(config, cache, needs_runtime=bool(made.figures), fingerprint=fingerprint)
        templates = state.memo("templates", templates_key(config), lambda: template_graph(config))
        env = environment(config, templates, assets, state)
        renderer = Renderer(site, made.figures, cards, assets, env, navigation(site.pages), state)
        completed: list[Site] = []
        meanwhile = None if site.later is None else partial(_append_call, completed, site.later)
        published = publish(plan_site(site, renderer, templates), renderer, output, progress, meanwhile)
        if completed:  # (its data files, now that they are read and checked)
            site = completed[0]
            publish_data(site.package, output)
        if before_commit is not None:
            before_commit()
        output.commit()
    except BaseException:
        output.abort()
        raise
    state.render_keys, state.outputs = published.keys, frozenset(output.produced)
    cached = len(made.figures) - len(made.rendered)  # (after publishing: a lost cache entry is rendered then)
    loaded = assets_weight({name: asset.data for name, asset in assets.files.items()})
    warnings = tuple(warning for figure in made.figures.values() for warning in figure.warnings)
    warnings += tuple(page_weight_warnings(site, made.figures, made.at_hand, loaded))
    series = {chart_id: figure.digests.series for chart_id, figure in made.figures.items()}
    return BuildResult(site, len(made.figures), cached, time.perf_counter() - start, tuple(published.rendered), warnings, series)


def load_site(config: Config, state: BuildState, defer_unused: bool = False) -> Site:
    """Read and check everything. With ``defer_unused``, a site whose pages show no
    chart, table or dataset gets its data and charts read and checked later (``later``):
    no page waits for them, and a bad CSV or chart module still stops the build."""
    files: list[str] = []
    drafts: list[Page] = []
    pages = load_pages(config, state, files, drafts)
    if defer_unused and not any(page.blocks or page.lead_chart or page.bindings for page in pages):
        check_templates(config, pages)
        check_files(files, pages)
        links = resolve_links(config, pages, files, tuple(drafts))
        site = Site(config, pages, Package({}), {}, {page.src: () for page in pages}, tuple(files), links)
        return replace(site, later=partial(_with_data, site, state))
    package, registry = _load_data(config, state)
    blocks: dict[str, tuple[ParsedBlock, ...]] = {}
    charts: dict[str, ChartBlock] = {}
    for page in pages:
        blocks[page.src] = tuple(parse_block(block, registry, package, pages) for block in page.blocks)
        for item in blocks[page.src]:
            for chart in item.charts():
                _add_chart(charts, chart)
    for page in pages:
        if page.lead_chart and page.lead_chart not in charts:
            message = f"lead_chart '{page.lead_chart}' is not a chart on this site"
            raise SiteError(page.src, page.line_of("lead_chart"), message, known(charts))
    check_templates(config, pages)
    check_files(files, pages)
    entries: dict[str, str] = {}  # dataset -> its entry in a ```datasets block (the first)
    for page in pages:
        for dataset in (d for item in blocks[page.src] for d in item.catalogued()):
            entries.setdefault(dataset.name, f"{page.url}#data-{dataset.name}")
    places = [(p.src, p.bindings) for p in pages] + [(d.src, d.bindings) for d in package.datasets.values()]  # (descriptions bind too)
    read = [[(src, [(b.source, b.line) for b in bindings]) for src, bindings in places], entries]
    key = digest_json([*read, {name: d.digest for name, d in package.datasets.items()}])  # (what the values are made from)
    values = state.memo("values", key, lambda: resolve_values(pages, package, entries))
    charts = drawn_texts(charts, values) if values.values else charts
    block_refs = {src: tuple(ref for block in parsed for ref in block.refs()) for src, parsed in blocks.items()}
    links = resolve_links(config, pages, files, tuple(drafts), block_refs)  # (files: without those only drafts show)
    return Site(config, pages, package, charts, blocks, tuple(files), links, values)


def _load_data(config: Config, state: BuildState) -> tuple[Package, Mapping[str, ChartDef]]:
    """The data package and the chart registry, each read and checked whole."""
    data_key = partial(folder_digest, config.root / DATA_DIR, "**/*")
    package = state.memo("package", data_key(), lambda: load_package(config.root), key_again=data_key)
    sources = read_chart_sources(config.root)  # (read once: the registry's key is what it is made from)
    registry = state.memo("charts", digest_sources(sources), lambda: discover_charts(config.root, sources))
    return package, registry


def _with_data(site: Site, state: BuildState) -> Site:
    package, _ = _load_data(site.config, state)  # (no page uses a chart: the registry is only checked)
    return replace(site, package=package, later=None)


def _append_call(results: list[Site], call: Callable[[], Site]) -> None:
    results.append(call())


def _add_chart(charts: dict[str, ChartBlock], chart: ChartBlock) -> None:
    other = charts.get(chart.id)
    if other is None:
        charts[chart.id] = chart
    elif other.key != chart.key or other.definition is None:
        raise SiteError(
            chart.src,
            chart.line,
            f"chart id '{chart.id}' is already used at {other.src}:{other.line}",
            "declarative charts take their id from the title: give each a distinct title",
        )

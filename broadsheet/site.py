"""The build: config -> pages -> datasets -> charts -> rendered pages -> output.

``build_site`` is a short orchestrator, one function per phase. Everything before
``write_site`` is pure reading and validation, so a user error stops the build before a
single file is written and the previous output stays as it was.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property, partial
from pathlib import Path
from typing import Any

from .cache import Cache, cache_key
from .charts import (
    CHARTS_DIR,
    ChartBlock,
    ChartDef,
    chart_location,
    discover_charts,
    parse_chart_block,
    renderer_version,
    slugify,
)
from .config import Config, read_site_file
from .content import CONTENT_DIR, Block, CorrectionsLog, Page, corrections_log, new_converter, read_page, to_html
from .data import DATA_DIR, Dataset, Package, load_package
from .errors import SiteError, known
from .output import Output
from .pagefiles import FileRef, Resolver, is_published, published_path, rewrite_refs
from .plotted import PlottedTable
from .render import (
    TEMPLATES_DIR,
    THEME_PREFIX,
    LazyEnvironment,
    fill_blocks,
    make_table,
    new_environment,
    render_template,
    rewrite_links,
)
from .workers import BLOCK_WEIGHT, ChartJob, ChartWorkers, Task, run_tasks
from .yamlmap import FieldSpec, check_fields

STATIC_DIR = "static"
UNORDERED = 1000  # pages without `order` (or `nav_title`) stay out of the navigation
RUNTIME_ASSET = "vega-runtime.js"  # generated: Vega, Vega-Lite and vega-embed in one file
TABLE_KEYS: FieldSpec = {
    "data": ("text", True),
    "title": ("text", True),
    "subtitle": ("text", False),
    "description": ("text", False),
    "notes": ("text", False),
    "columns": ("list or mapping", False),
}
DATASETS_KEYS: FieldSpec = {"names": ("list of text", False)}


@dataclass(frozen=True)
class Figure:
    """A chart ready to publish: its block, Vega-Lite spec, static SVG and plotted data.

    The spec, SVG and tables are read from the cache on first use (``load``): a warm
    build that renders no page with the chart never reads them."""

    chart: ChartBlock
    spec_digest: str  # the first 10 hex digits of the spec's hash
    svg_digest: str
    load: Callable[[], dict[str, Any]] = field(compare=False, repr=False)

    @property
    def spec_url(self) -> str:
        return f"/charts/{self.chart.id}.{self.spec_digest}.json"

    @cached_property
    def entry(self) -> dict[str, Any]:
        return self.load()

    @property
    def spec_json(self) -> str:
        return str(self.entry["spec"])

    @property
    def svg(self) -> str:
        return str(self.entry["svg"])

    @property
    def tables(self) -> list[PlottedTable]:
        """The data each view plots, after its transforms (computed when rendered)."""
        return [PlottedTable.from_json(t) for t in self.entry["tables"]]


@dataclass(frozen=True)
class Site:
    """Everything read from the site folder, validated, before anything is rendered."""

    config: Config
    pages: tuple[Page, ...]
    package: Package
    charts: Mapping[str, ChartBlock]  # by chart id, first use
    blocks: Mapping[str, tuple[Any, ...]]  # page src -> parsed blocks (ChartBlock, table spec, datasets list)
    files: tuple[str, ...] = ()  # files beside pages, published as they are (content/img/map.png)
    links: Mapping[str, PageLinks] = field(default_factory=dict)  # page src -> what its paths resolve to


@dataclass(frozen=True)
class PageLinks:
    """Where a page's relative and ``/static/`` paths lead (``pagefiles.Resolver``)."""

    paths: Mapping[str, str]  # as written -> site path: img/map.png -> /img/map.png
    image: str = ""  # the front matter's ``image``, resolved: the page's own social card


NO_LINKS = PageLinks({})


@dataclass
class BuildState:
    """What one build leaves for the next: the preview server keeps it between rebuilds,
    the command line saves it in ``.cache/state``.

    ``pages`` memoises read pages by a hash of their text (``stamps``: size and mtime,
    so an unchanged file is not even read); ``render_keys`` holds, for every page
    written, a hash of everything that went into it, so an unchanged page is neither
    rendered nor written again; ``outputs`` lists the files the last build wrote.
    """

    pages: dict[str, tuple[str, Page]] = field(default_factory=dict)
    stamps: dict[str, tuple[int, int]] = field(default_factory=dict)  # src -> (size, mtime in ns)
    render_keys: dict[str, str] = field(default_factory=dict)
    outputs: frozenset[str] | None = None  # the files the last build wrote, once one has
    memos: dict[str, tuple[str, Any]] = field(default_factory=dict)  # name -> (input hash, value)
    # chart cache key -> (spec hash, SVG hash, fields): what a warm build needs of a cached chart
    figure_index: dict[str, tuple[str, str]] = field(default_factory=dict)
    converted: int = 0  # pages converted to HTML since their HTML was last saved
    html_loader: Callable[[], dict[str, tuple[str, str]]] | None = None  # reads the saved HTML: src -> (digest, html)
    _html: dict[str, tuple[str, str]] | None = None  # what it read

    def __getstate__(self) -> dict[str, Any]:
        """What is saved between command-line builds. Pages lose their Markdown and HTML
        (``html_store`` saves those apart, read only when an unchanged page must be
        rendered again); memos that hold live objects (the Jinja environment, the
        Markdown converter) are dropped, plain data ones kept."""
        pages = {src: (digest, _stripped(page)) for src, (digest, page) in self.pages.items()}
        memos = {name: memo for name, memo in self.memos.items() if name in SAVED_MEMOS}
        return {**vars(self), "pages": pages, "memos": memos, "converted": 0, "html_loader": None, "_html": None}

    def memo(self, name: str, key: str, compute: Callable[[], Any]) -> Any:
        """``compute()``, unless the last value under ``name`` was made from the same ``key``."""
        if name not in self.memos or self.memos[name][0] != key:
            self.memos[name] = (key, compute())
        return self.memos[name][1]

    def html_store(self) -> dict[str, tuple[str, str]]:
        """Every page's HTML this state knows: the saved HTML, updated by this build's."""
        store = dict(self._saved_html())
        for src, (digest, page) in self.pages.items():
            if page.html:
                store[src] = (digest, page.html)
        return store

    def saved_html(self, src: str) -> str:
        """The HTML saved for page ``src`` if its text has not changed since, else ""."""
        digest, html = self._saved_html().get(src, ("", ""))
        return html if digest == self.pages[src][0] else ""

    def _saved_html(self) -> dict[str, tuple[str, str]]:
        if self._html is None:  # read once, on first need
            self._html = self.html_loader() if self.html_loader else {}
        return self._html


def _stripped(page: Page) -> Page:
    return replace(page, markdown="", html="") if page.markdown or page.html else page


SAVED_MEMOS = ("templates", "charts", "package")  # plain data, costly enough to keep between builds
RACY_NS = 2_000_000_000  # files changed less than 2 s before a build are hashed again by the next one


def folder_digest(folder: Path, pattern: str) -> str:
    """A hash of the names and bytes of the files matching ``pattern`` under ``folder``."""
    digest = hashlib.sha256()
    for path in sorted(folder.glob(pattern)) if folder.is_dir() else []:
        if path.is_symlink():  # (a link to the same bytes elsewhere is a change: it may now lead outside)
            digest.update(b"link\0" + str(path.resolve()).encode() + b"\0")
        if path.is_file():
            digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
        elif not path.is_dir():  # a pipe (never read: it would block) or a dangling link
            digest.update(b"special\0" + path.relative_to(folder).as_posix().encode() + b"\0")
    return digest.hexdigest()


@dataclass(frozen=True)
class BuildResult:
    pages: int
    charts: int
    cached: int
    datasets: int
    seconds: float
    rendered: tuple[str, ...] = ()  # URLs of the pages rendered by this build

    def summary(self) -> str:
        return (
            f"Built {self.pages} pages ({len(self.rendered)} rendered), {self.charts} charts ({self.cached} from cache), "
            f"{self.datasets} datasets in {self.seconds:.2f} s"
        )


def build_site(
    config: Config,
    dest: Path,
    cache: Cache,
    progress: Callable[[str], None] | None = None,
    state: BuildState | None = None,
    fingerprint: bool = True,
    in_place: bool = False,
    output: Output | None = None,
    before_commit: Callable[[], None] | None = None,
) -> BuildResult:
    """Build the site into ``dest``.

    The site is written to a staging folder that replaces ``dest`` at once, or, with
    ``in_place`` (warm builds, the preview server), changed files only, each replaced
    atomically once the whole build has succeeded. With a ``state`` from the previous
    build, pages are read again only if their text changed and rendered again only if
    one of their inputs changed; unchanged pages are kept from ``dest``. An ``output``
    given (the preview's, in memory) is written instead of ``dest``. ``before_commit``
    runs once everything is ready, just before the first file of ``dest`` changes.
    """
    start = time.perf_counter()
    state = state if state is not None else BuildState()  # a one-off build keeps its own
    site = load_site(config, state)
    figures, rendered_charts = build_figures(site, cache, state, progress)
    cards = build_cards(site, figures, cache)
    assets = collect_assets(config, cache, needs_runtime=bool(figures), fingerprint=fingerprint)
    template_key = "".join(folder_digest(d, "**/*") for d in config.theme_dirs(TEMPLATES_DIR))
    templates = state.memo("templates", template_key, lambda: template_graph(config))
    if output is None:
        output = Output(dest, in_place=in_place, previous=state.outputs if in_place else None)
    try:
        compiled = cache.folder / "templates" if cache.folder else None
        rendered, keys = write_site(output, site, figures, cards, assets, templates, state, progress, compiled)
        if before_commit is not None:
            before_commit()
        output.commit()
    except BaseException:
        output.abort()
        raise
    state.render_keys, state.outputs = keys, frozenset(output.produced)
    return BuildResult(
        pages=len(site.pages),
        charts=len(figures),
        cached=len(figures) - len(rendered_charts),  # (after writing: a lost cache entry is rendered then)
        datasets=len(site.package.datasets),
        seconds=time.perf_counter() - start,
        rendered=tuple(rendered),
    )


def load_site(config: Config, state: BuildState | None = None) -> Site:
    files: list[str] = []
    pages = load_pages(config, state, files)
    package = load_data(config, state)
    registry = (
        state.memo("charts", folder_digest(config.root / CHARTS_DIR, "*.py"), lambda: discover_charts(config.root))
        if state
        else discover_charts(config.root)
    )
    blocks: dict[str, tuple[Any, ...]] = {}
    charts: dict[str, ChartBlock] = {}
    for page in pages:
        blocks[page.src] = tuple(parse_block(block, registry, package, pages) for block in page.blocks)
        for item in blocks[page.src]:
            if isinstance(item, ChartBlock):
                _add_chart(charts, item)
    for page in pages:
        if page.lead_chart and page.lead_chart not in charts:
            message = f"lead_chart '{page.lead_chart}' is not a chart on this site"
            raise SiteError(page.src, page.line_of("lead_chart"), message, known(charts))
    check_templates(config, pages)
    check_files(files, pages)
    return Site(config, pages, package, charts, blocks, tuple(files), resolve_links(config, pages, files))


def check_files(files: list[str], pages: tuple[Page, ...]) -> None:
    """A file beside the pages may not be published where the build writes its own."""
    dests = {page.dest for page in pages}
    for src in files:
        dest = src.removeprefix(CONTENT_DIR + "/")
        top = dest.split("/")[0]
        if top in RESERVED or top.split(".")[0] in RESERVED or dest == "_headers" or dest in dests:
            message = f"{src} would be published as /{dest}, where the build writes its own file"
            raise SiteError(src, None, message, "move or rename it: these names are the build's own: " + ", ".join(RESERVED))


def resolve_links(config: Config, pages: tuple[Page, ...], files: list[str]) -> dict[str, PageLinks]:
    """What each page's paths lead to; a missing image or file stops the build at its line."""
    if not files and not any(page.refs or page.image for page in pages):
        return {}
    folders = [d for d in config.theme_dirs(STATIC_DIR) if d.is_dir()]
    static = frozenset(p.relative_to(d).as_posix() for d in folders for p in d.rglob("*") if p.is_file())
    resolver = Resolver(frozenset(files), {page.src: page.url for page in pages}, static)
    links = {}
    for page in pages:
        paths = {}
        for ref in page.refs:
            path = resolver.resolve(page.src, ref)
            if path is not None:
                paths[ref.target] = path
        image = resolver.resolve(page.src, FileRef(page.image, page.line_of("image"), True)) if page.image else None
        if paths or image:
            links[page.src] = PageLinks(paths, image or "")
    return links


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


_TEMPLATE_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
# Top-level folders and names the build writes itself: a page there would collide with
# (or hide behind) a generated file.
RESERVED = ("embed", "charts", "static", "data", "social", "404", "feed", "sitemap", "robots")


def load_pages(config: Config, state: BuildState | None = None, files: list[str] | None = None) -> tuple[Page, ...]:
    """Read every page's front matter and blocks (quick); their Markdown is converted
    when they are rendered, in ``write_site``'s workers. With a state, a file whose size
    and mtime have not changed is not read again. ``files`` collects the other files in
    content/ to publish."""
    memo = state.pages if state is not None else {}
    stamps = state.stamps if state is not None else {}
    found = _markdown_files(config.root, CONTENT_DIR, files)
    recent = time.time_ns() - RACY_NS
    for src, stamp in found.items():
        if stamps.get(src) == stamp and src in memo:
            continue
        try:
            raw = read_site_file(config.root, src, line=1)
        except FileNotFoundError:
            raise SiteError(src, 1, f"{src} is a link to a file that does not exist") from None
        digest = hashlib.sha256(raw).hexdigest()
        if src not in memo or memo[src][0] != digest:
            memo[src] = (digest, read_page(src, _decode(src, raw)))
        if stamp[1] < recent:
            stamps[src] = stamp
        else:  # changed just now: a second change in the same clock tick could keep size and mtime
            stamps.pop(src, None)
    for src in set(memo) - set(found):
        del memo[src]
        stamps.pop(src, None)
    pages = [memo[src][1] for src in found if not memo[src][1].draft or config.drafts]
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


def _decode(src: str, raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SiteError(src, raw[: exc.start].count(b"\n") + 1, "not valid UTF-8 text", "save the file as UTF-8") from None


def load_data(config: Config, state: BuildState | None) -> Package:
    """The data package, validated again only when a file in data/ changed."""
    if state is None:
        return load_package(config.root)
    return state.memo("package", folder_digest(config.root / DATA_DIR, "*"), lambda: load_package(config.root))


def parse_block(block: Block, registry: Mapping[str, ChartDef], package: Package, pages: tuple[Page, ...]) -> Any:
    if block.kind == "chart":
        return parse_chart_block(block, registry, package)
    if block.kind == "table":
        return parse_table_block(block, package)
    if block.kind == "corrections":
        check_fields(block.spec, {}, "a corrections block")
        return corrections_log(pages)
    check_fields(block.spec, DATASETS_KEYS, "a datasets block")
    names = block.spec.values.get("names") or list(package.datasets)
    return tuple(package.get(name, block.spec.path, block.spec.line_of("names")) for name in names)


def parse_table_block(block: Block, package: Package) -> dict[str, Any]:
    spec = block.spec
    check_fields(spec, TABLE_KEYS, "a table block")
    dataset = package.get(spec.values["data"], spec.path, spec.line_of("data"))
    columns = spec.values.get("columns") or list(dataset.columns)
    mapping = dict(columns) if isinstance(columns, dict) else {str(c): "" for c in columns}
    for name in mapping:
        if name not in dataset.columns:
            raise spec.error("columns", f"column '{name}' is not in dataset '{dataset.name}'", known(dataset.columns))
    anchor = "table-" + slugify(spec.values["title"])
    return {**spec.values, "id": anchor, "table": make_table(dataset, mapping), "dataset": dataset}


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


def build_figures(
    site: Site, cache: Cache, state: BuildState, progress: Callable[[str], None] | None = None
) -> tuple[dict[str, Figure], list[str]]:
    """Compile and render every chart not in the cache; return the figures and the ids of
    the charts rendered. The state's index of the cache (spec URL, SVG hash, fields by
    cache key) lets a warm build skip reading cached charts it does not need."""
    version = renderer_version()
    keys = {
        chart_id: cache_key(chart.key, chart.description, *(site.package.datasets[n].digest for n in chart.datasets), version)
        for chart_id, chart in site.charts.items()
    }
    entries: dict[str, dict[str, Any] | None] = {}
    for chart_id, key in keys.items():
        if key not in state.figure_index or not cache.has("chart", key):
            entries[chart_id] = _valid_entry(cache.get("chart", key))
    missing = [chart_id for chart_id, entry in entries.items() if entry is None]
    if missing and progress:
        progress(f"rendering {len(missing)} chart{'s' if len(missing) != 1 else ''}")
    rendered: list[str] = list(missing)

    def render_now(chart_id: str) -> dict[str, Any]:
        """A chart whose cache entry went missing or bad since the index was made."""
        rendered.append(chart_id)
        return _render_entries(site, cache, {chart_id: keys[chart_id]})[chart_id]

    entries.update(_render_entries(site, cache, {chart_id: keys[chart_id] for chart_id in missing}))
    index = {}
    figures = {}
    for chart_id, chart in site.charts.items():
        key = keys[chart_id]
        done = entries.get(chart_id)
        if done is not None:
            index[key] = _index_entry(done)
        else:
            index[key] = state.figure_index[key]
        spec_digest, svg_digest = index[key]
        load = partial(_same, done) if done is not None else partial(_load_entry, cache, key, partial(render_now, chart_id))
        figures[chart_id] = Figure(chart, spec_digest, svg_digest, load)
    state.figure_index = index
    return figures, rendered


def _render_entries(site: Site, cache: Cache, keys: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    """Compile, render and evaluate the charts ``keys`` names (id -> cache key), in
    worker processes; cache them."""
    if not keys:
        return {}
    jobs = [ChartJob(site.charts[chart_id], *chart_location(site.charts[chart_id])) for chart_id in keys]
    with ChartWorkers(site.package, site.config.root, len(jobs)) as workers:
        done = workers.run(jobs)
    entries = {}
    for chart_id, made in zip(keys, done, strict=True):
        entries[chart_id] = entry = {"spec": made.spec, "svg": made.svg, "tables": [t.to_json() for t in made.tables]}
        cache.put("chart", keys[chart_id], entry)
    return entries


def _valid_entry(entry: Any) -> dict[str, Any] | None:
    ok = isinstance(entry, dict) and all(isinstance(entry.get(k), t) for k, t in (("spec", str), ("svg", str), ("tables", list)))
    return entry if ok else None


def _index_entry(entry: dict[str, Any]) -> tuple[str, str]:
    spec_digest = hashlib.sha256(entry["spec"].encode()).hexdigest()[:10]
    return spec_digest, hashlib.sha256(entry["svg"].encode()).hexdigest()


def _load_entry(cache: Cache, key: str, render_now: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    return _valid_entry(cache.get("chart", key)) or render_now()


def _same(entry: dict[str, Any]) -> dict[str, Any]:
    return entry  # (an entry rendered by this build: nothing to read)


SITE_CARD = "/social/site.{}.png"


def build_cards(site: Site, figures: Mapping[str, Figure], cache: Cache) -> dict[str, tuple[str, bytes]]:
    """The social card of every page, by page URL: (card URL, PNG). Cached by content."""
    import base64

    from .cards import chart_card_svg, rasterise, site_card_svg

    def card(svg: str) -> tuple[str, bytes]:
        key = cache_key("card", svg, renderer_version())
        encoded = cache.get("card", key)
        if encoded is None:
            encoded = base64.b64encode(rasterise(svg)).decode()
            cache.put("card", key, encoded)
        return key[:10], base64.b64decode(encoded)

    config = site.config
    digest, png = card(site_card_svg(config.title, config.description))
    shared = (SITE_CARD.format(digest), png)
    cards = {}
    for page in site.pages:
        if page.lead_chart:
            digest, png = card(chart_card_svg(page.title, config.title, figures[page.lead_chart].svg))
            cards[page.url] = (f"/social/{page.lead_chart}.{digest}.png", png)
        else:
            cards[page.url] = shared
    cards[""] = shared  # for pages that are not content pages (404)
    return cards


@dataclass(frozen=True)
class Assets:
    """Static files by source name (``style.css``) -> fingerprinted dest and bytes."""

    files: Mapping[str, tuple[str, bytes]]

    def url(self, name: str) -> str:
        if name not in self.files:
            raise SiteError(STATIC_DIR, None, f"a template asks for static file '{name}', which does not exist", known(self.files))
        return "/" + self.files[name][0]


def collect_assets(config: Config, cache: Cache, needs_runtime: bool, fingerprint: bool = True) -> Assets:
    sources: dict[str, bytes] = {}
    for folder in reversed(config.theme_dirs(STATIC_DIR)):  # the site's own files win
        sources.update({p.relative_to(folder).as_posix(): theme_file(config, p) for p in sorted(folder.rglob("*")) if not p.is_dir()})
    if needs_runtime:
        sources[RUNTIME_ASSET] = chart_runtime(cache).encode()
    files: dict[str, tuple[str, bytes]] = {}
    for name in sorted(sources, key=lambda n: n.endswith(".css")):  # CSS last: it may refer to the others
        data = sources[name]
        if name.endswith(".css"):
            data = _rewrite_css(data, files, config)
        files[name] = (_fingerprint(name, data) if fingerprint else f"{STATIC_DIR}/{name}", data)
    return Assets(files)


def theme_file(config: Config, path: Path) -> bytes:
    """A template or static file: the site's own are read as every site file is (no pipe,
    no link to a file outside the site); the default theme's are the engine's."""
    if path.is_relative_to(config.root):
        return read_site_file(config.root, path.relative_to(config.root).as_posix())
    return path.read_bytes()


def _fingerprint(name: str, data: bytes) -> str:
    stem, dot, suffix = name.rpartition(".")
    digest = hashlib.sha256(data).hexdigest()[:10]
    return f"{STATIC_DIR}/{stem}.{digest}.{suffix}" if dot else f"{STATIC_DIR}/{name}.{digest}"


def _rewrite_css(data: bytes, files: Mapping[str, tuple[str, bytes]], config: Config) -> bytes:
    def replace(match: re.Match[bytes]) -> bytes:
        name = match.group(2).decode()
        return b"url(" + config.url(files[name][0]).encode() + b")" if name in files else match.group(0)

    return re.sub(rb"url\((['\"]?)([^'\")]+)\1\)", replace, data)


VENDOR_DIR = Path(__file__).parent / "vendor"


def runtime_file() -> Path:
    """Where the chart runtime for the installed vl-convert ships (``make runtime``)."""
    from importlib.metadata import version

    return VENDOR_DIR / f"vega-runtime-{version('vl-convert-python')}.js"


def chart_runtime(cache: Cache) -> str:
    """Vega, Vega-Lite and vega-embed as one script: the file generated from the pinned
    vl-convert and shipped with the engine (tests check it is exactly what vl-convert
    makes), or, for another vl-convert, generated here (1.5 s) and cached."""
    shipped = runtime_file()
    if shipped.is_file():
        return shipped.read_text(encoding="utf-8")
    key = cache_key("runtime", renderer_version())
    bundle = cache.get("runtime", key)
    if bundle is None:
        bundle = generate_runtime()
        cache.put("runtime", key, bundle)
    return str(bundle)


def generate_runtime() -> str:
    import vl_convert

    return str(vl_convert.javascript_bundle())  # type: ignore[call-arg]  # the stub marks an optional argument as required


def write_site(
    output: Output,
    site: Site,
    figures: Mapping[str, Figure],
    cards: Mapping[str, tuple[str, bytes]],
    assets: Assets,
    templates: TemplateGraph,
    state: BuildState,
    progress: Callable[[str], None] | None = None,
    compiled: Path | None = None,
) -> tuple[list[str], dict[str, str]]:
    """Write every output file; render only pages whose inputs changed. Return their URLs
    and every page's render key (for the state, once the output is committed).
    ``compiled``: where Jinja may keep compiled templates."""
    config = site.config
    env_key = repr(config) + templates.signature

    def environment() -> Any:
        env = state.memo("environment", env_key, lambda: new_environment(config, compiled))
        env.globals["asset"] = lambda name: config.url(assets.url(name))
        return env

    env = LazyEnvironment(environment)
    nav = [p for p in site.pages if p.url != "/" and (p.order != UNORDERED or p.nav_title)]
    shared = _digest_json([repr(config), [(p.url, p.label, p.order) for p in nav], [(n, d) for n, (d, _) in sorted(assets.files.items())]])
    todo = []
    keys = {}
    for page in site.pages:
        keys[page.dest] = key = render_key(site, page, figures, templates, shared + cards[page.url][0], state)
        if state.render_keys.get(page.dest) != key or not output.keep(page.dest):
            todo.append(page)
    if progress and len(todo) >= 100:
        progress(f"rendering {len(todo)} pages")

    todo = [_with_body(config, page, state) for page in todo]
    converter = state.memo("converter", "", new_converter) if any(not page.html for page in todo) else None

    def page_task(page: Page) -> Task:
        def task() -> tuple[str, str, str]:
            html = page.html or to_html(page, converter)
            links = site.links.get(page.src, NO_LINKS)
            body = rewrite_refs(html, links.paths, assets.url)
            context = {
                "page": page,
                "content": _markup(render_blocks(env, site, page, body, figures)),
                "nav": nav,
                "has_charts": _has_charts(site, page),
                "social_image": published_path(links.image, assets.url) if links.image else cards[page.url][0],
                "own_image": bool(links.image),  # (its size is the image's own, not the card's 1200 x 630)
            }
            return page.dest, render_template(env, f"{page.template}.html", context), "" if page.html else html

        return task

    def embed_task(figure: Figure) -> Task:
        def task() -> tuple[str, str, str]:
            context = {**figure_context(site, figure, figure.chart), "has_charts": True}
            return f"embed/{figure.chart.id}/index.html", render_template(env, "embed.html", context), ""

        return task

    def unchanged(dest: str, template: str, parts: list[Any]) -> bool:
        """Whether the file the previous build made from the same inputs can stay."""
        keys[dest] = key = hashlib.sha256(repr([shared, templates.closure_digest(frozenset({template})), *parts]).encode()).hexdigest()
        return state.render_keys.get(dest) == key and output.keep(dest)

    tasks, work = [page_task(page) for page in todo], sum(1 + BLOCK_WEIGHT * len(page.blocks) for page in todo)
    for figure in figures.values():  # embeddable charts: also heavy, also in the workers
        parts: list[Any] = [figure.chart.key, figure.spec_url, figure.svg_digest]
        if not unchanged(f"embed/{figure.chart.id}/index.html", "embed.html", parts + _dataset_parts(_datasets_of(site, figure.chart))):
            tasks.append(embed_task(figure))
            work += BLOCK_WEIGHT
    if tasks:
        env.ready()  # made before the workers fork, so they inherit it
    for page, html in zip(todo, run_tasks(tasks, work, output), strict=False):  # (pages come first)
        if html:  # converted just now: keep it for the next build
            digest, _ = state.pages[page.src]
            state.pages[page.src] = (digest, replace(page, html=html))
            state.converted += 1

    # The other rendered files, each also kept when what it is made from is unchanged.
    def derived(dest: str, template: str, parts: list[Any], context: Callable[[], dict[str, Any]]) -> None:
        if not unchanged(dest, template, parts):
            output.write(dest, render_template(env, template, context()))

    derived("404.html", "404.html", [cards[""][0]], lambda: {"page": None, "nav": nav, "has_charts": False, "social_image": cards[""][0]})
    published = [p for p in site.pages if not p.draft]  # a --drafts preview must not announce drafts
    every_page = [p.front_matter() for p in published]
    dated = [p for p in published if p.date or p.updated]
    feed = {"pages": sorted(dated, key=_last_change, reverse=True), "updated": max(map(_last_change, dated), default=None)}
    derived("feed.xml", "feed.xml", every_page, lambda: feed)
    derived("sitemap.xml", "sitemap.xml", every_page, lambda: {"pages": published})
    output.write("robots.txt", f"User-agent: *\nAllow: /\nSitemap: {config.absolute_url('/sitemap.xml')}\n")
    output.write("_headers", render_template(env, "_headers", {}))
    for url, png in set(cards.values()):
        output.write(url.lstrip("/"), png)
    for figure in figures.values():
        if not output.keep(figure.spec_url.lstrip("/")):  # (named by its content's hash)
            output.write(figure.spec_url.lstrip("/"), figure.spec_json)
    for dataset in site.package.datasets.values():
        output.write(dataset.url.lstrip("/"), dataset.raw)
    for src in site.files:
        output.write(src.removeprefix(CONTENT_DIR + "/"), read_site_file(config.root, src))
    for dest, data in assets.files.values():
        output.write(dest, data)
    return [page.url for page in todo], keys


def _with_body(config: Config, page: Page, state: BuildState) -> Page:
    """``page`` with its HTML or, failing that, its Markdown: a page from a saved state
    has neither, so its HTML comes from the saved HTML or its file is read again."""
    if page.html or page.markdown:
        return page
    html = state.saved_html(page.src)
    if html:
        return replace(page, html=html)
    return replace(page, markdown=read_page(page.src, _decode(page.src, (config.root / page.src).read_bytes())).markdown)


def _last_change(page: Page) -> Any:
    return page.updated or page.date


def render_key(site: Site, page: Page, figures: Mapping[str, Figure], templates: TemplateGraph, shared: str, state: BuildState) -> str:
    """A hash of everything a page's HTML is made from."""
    parts: list[Any] = [shared, state.pages.get(page.src, ("", None))[0], page.draft, site.links.get(page.src)]
    parts.append(templates.closure_digest(frozenset(page_templates(site, page))))
    for item in site.blocks[page.src]:
        if isinstance(item, ChartBlock):
            parts.append(figures[item.id].spec_url)
            datasets = _datasets_of(site, item)
        elif isinstance(item, CorrectionsLog):
            parts.append(repr(item))
            continue
        else:
            datasets = [item["dataset"]] if isinstance(item, dict) else list(item)
        parts += _dataset_parts(datasets)
    return hashlib.sha256(repr(parts).encode()).hexdigest()  # plain values only: repr is exact


def _dataset_parts(datasets: list[Dataset]) -> list[tuple[Any, ...]]:
    """What a page shows of its datasets (besides the charts' specs)."""
    return [(d.name, d.digest, d.sources, d.title, d.description, d.fields, d.licenses) for d in datasets]


def _datasets_of(site: Site, chart: ChartBlock) -> list[Dataset]:
    return [site.package.datasets[name] for name in chart.datasets]


def _digest_json(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


def page_templates(site: Site, page: Page) -> set[str]:
    """The templates a page renders directly: its own and those of its blocks."""
    names = {f"{page.template}.html"}
    for item in site.blocks[page.src]:
        names.add(_block_template(item))
    return names


def _block_template(item: Any) -> str:
    if isinstance(item, ChartBlock):
        return "_figure.html"
    if isinstance(item, CorrectionsLog):
        return "_corrections.html"
    return "_table.html" if isinstance(item, dict) else "_datasets.html"


@dataclass(frozen=True)
class TemplateGraph:
    """Each template's digest and the templates it extends, includes or imports."""

    digests: Mapping[str, str]
    references: Mapping[str, frozenset[str]]
    _closures: dict[frozenset[str], str] = field(default_factory=dict, compare=False, repr=False)

    @property
    def signature(self) -> str:
        return _digest_json(sorted(self.digests.items()))

    def digest(self, name: str) -> str:
        return self.digests.get(name, "")

    def closure_digest(self, names: frozenset[str]) -> str:
        """One hash of the templates ``names``, with every template they use."""
        if names not in self._closures:
            self._closures[names] = _digest_json([self.digest(name) for name in sorted(self.closure(set(names)))])
        return self._closures[names]

    def closure(self, names: set[str]) -> set[str]:
        found, todo = set(), list(names)
        while todo:
            name = todo.pop()
            if name not in found:
                found.add(name)
                todo.extend(self.references.get(name, ()))
        return found


def template_graph(config: Config) -> TemplateGraph:
    import jinja2
    import jinja2.meta

    env = jinja2.Environment()
    digests, references = {}, {}
    folders = [(THEME_PREFIX, config.default_theme_dir(TEMPLATES_DIR))]
    folders += [("", folder) for folder in reversed(config.theme_dirs(TEMPLATES_DIR))]  # the site's own files win
    for prefix, folder in folders:
        for path in sorted(folder.rglob("*")) if folder.is_dir() else ():
            if path.is_dir():
                continue
            name = prefix + path.relative_to(folder).as_posix()
            text = theme_file(config, path)
            digests[name] = hashlib.sha256(text).hexdigest()
            try:
                refs = jinja2.meta.find_referenced_templates(env.parse(text.decode("utf-8")))
                references[name] = frozenset(r for r in refs if r)
            except jinja2.TemplateSyntaxError as exc:
                raise SiteError(f"{TEMPLATES_DIR}/{name}", exc.lineno, f"template syntax error: {exc.message}") from None
    return TemplateGraph(digests, references)


def render_blocks(env: Any, site: Site, page: Page, body: str, figures: Mapping[str, Figure]) -> str:
    html = []
    for item in site.blocks[page.src]:
        if isinstance(item, ChartBlock):
            html.append(render_template(env, "_figure.html", figure_context(site, figures[item.id], item)))
        elif isinstance(item, dict):
            html.append(render_template(env, "_table.html", item))
        elif isinstance(item, CorrectionsLog):
            html.append(render_template(env, "_corrections.html", {"log": item}))
        else:
            html.append(render_template(env, "_datasets.html", {"datasets": [(d, make_table_of_fields(d)) for d in item]}))
    return fill_blocks(rewrite_links(body, site.config), html)


def figure_context(site: Site, figure: Figure, chart: ChartBlock) -> dict[str, Any]:
    """What ``_figure.html`` gets: the chart (as written on this page) and its data."""
    datasets = _datasets_of(site, figure.chart)
    return {
        "chart": chart,
        "figure": figure,
        "svg": _markup(figure.svg),
        "datasets": datasets,
        "sources": _unique_sources(datasets),
        "tables": figure.tables,
        "embed_url": site.config.absolute_url(f"/embed/{figure.chart.id}/"),
        "embed_height": round(_svg_height(figure.svg)) + 280,
    }


def _svg_height(svg: str) -> float:
    match = re.search(r'height="([\d.]+)"', svg[: svg.find(">")])
    return float(match.group(1)) if match else 400.0


def make_table_of_fields(dataset: Dataset) -> list[tuple[str, str, str, str]]:
    return [(f.name, f.type, f.unit, f.description or f.title) for f in dataset.fields]


def _unique_sources(datasets: list[Dataset]) -> list[Any]:
    seen: dict[tuple[str, str], Any] = {}
    for dataset in datasets:
        for source in dataset.sources:
            seen.setdefault((source.title, source.path), source)
    return list(seen.values())


def _has_charts(site: Site, page: Page) -> bool:
    return any(isinstance(item, ChartBlock) for item in site.blocks[page.src])


def _markup(html: str) -> Any:
    from markupsafe import Markup

    return Markup(html)

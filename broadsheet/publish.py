"""Publishing: a plan of every output file, then an executor that makes what changed.

``plan_site`` lists each file the site consists of: its path, its render key (a hash of
what it is made from; "" for files copied or made every time) and how to make it. It
renders nothing. ``publish`` then keeps every file whose key is the one the last build
wrote it under (and which is still there), makes the rest (pages and embeds in the
fork pool, on every core) and writes them through the ``Output``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property, partial
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from .assets import Assets
from .blocks import ParsedBlock, shown
from .cards import NOT_A_PAGE, Card
from .config import Config, read_site_file
from .content import CONTENT_DIR, Page, read_page, to_html
from .contract import check_figure
from .data import Package
from .dependencies import TemplateGraph, digest_json, key_of
from .errors import SiteError
from .figures import Figure, figure_context
from .output import Output
from .pagefiles import published_path
from .pages import NO_LINKS, decode
from .pool import BLOCK_WEIGHT, Made, run_tasks
from .prose import prepare_converters
from .provenance import fill
from .render import LazyEnvironment, Prose, fill_blocks, new_environment, render_template
from .state import BuildState

if TYPE_CHECKING:  # (site imports this module to run it)
    from jinja2 import Environment

    from .site import Site

BOUND_SCRIPT = "bound.js"  # Escape dismisses a bound value's note (provenance.py)
UNORDERED = 1000  # pages without `order` (or `nav_title`) stay out of the navigation
Progress = Callable[[str], None]


@dataclass(frozen=True)
class Planned:
    """One output file: where, made from what (its key), and how."""

    dest: str
    key: str  # "": made every time (copies, and files too cheap to track)
    make: Callable[[], Made]
    weight: int = 0  # 0: made in this process; else in the pool (one unit: a plain page)
    page: Page | None = None  # a content page: its body is read first, its new HTML kept


@dataclass(frozen=True)
class Published:
    rendered: list[str]  # URLs of the pages rendered
    keys: dict[str, str]  # every tracked file's render key, for the next build


@dataclass
class Renderer:
    """Makes the rendered files: content pages, chart embeds, files from templates."""

    site: Site
    figures: Mapping[str, Figure]
    cards: Mapping[str, Card]
    assets: Assets
    env: LazyEnvironment
    nav: list[Page]
    state: BuildState
    bodies: dict[str, Page] = field(default_factory=dict)  # src -> page with its HTML or Markdown

    @cached_property
    def feed(self) -> bool:
        """Whether the site has a feed: Atom ids and links must be absolute IRIs (RFC 4287),
        so only with an absolute ``base_url``, and only with a dated page to give the feed
        its ``updated``."""
        return bool(self.site.config.origin) and bool(_dated(self.site))

    def prepare(self, pages: Sequence[Page], any_work: bool) -> None:
        """Before the pool forks: give each page its body, make what workers share."""
        self.bodies = {page.src: _with_body(self.site.config, page, self.state) for page in pages}
        if any(not page.html for page in self.bodies.values()):
            prepare_converters()  # (the workers inherit them)
        if any_work:
            self.env.ready()  # (the workers inherit it)

    def prose(self, src: str) -> Prose:
        """How author Markdown on the page ``src`` is published (its paths resolved)."""
        return Prose(self.site.config, self.site.links.get(src, NO_LINKS).paths, self.assets.url)

    def page(self, src: str) -> Made:
        page = self.bodies[src]
        html = page.html or to_html(page)
        links = self.site.links.get(page.src, NO_LINKS)
        prose = self.prose(page.src)
        blocks = self.site.blocks[page.src]
        context = {
            "page": page,
            "prose": prose,
            "content": Markup(fill_blocks(prose.publish(html), self.render_blocks(blocks, prose))),
            "nav": self.nav,
            "feed": self.feed,
            "has_charts": any(block.chart is not None for block in blocks),
            "scripts": sorted({name for block in blocks for name in block.scripts} | ({BOUND_SCRIPT} if page.bindings else set())),
            "social_image": published_path(links.image, self.assets.url) if links.image else self.cards[page.url].url,
            "own_image": bool(links.image),  # (its size is the image's own, not the card's 1200 x 630)
        }
        made = render_template(self.env, f"{page.template}.html", context)
        for block in blocks:  # (the reader contract, on the HTML as published, whatever the templates; before the
            block.check_published(made, self.figures, self.site.config)  # bound values are filled in, as titles hold them)
        return Made(page.dest, self.fill(made), "" if page.html else html)

    def render_blocks(self, blocks: Sequence[ParsedBlock], prose: Prose) -> list[str]:
        config = self.site.config
        return [render_template(self.env, block.template, {**block.context(self.figures, config), "prose": prose}) for block in blocks]

    def embed(self, figure: Figure) -> Made:
        context = {**figure_context(figure, figure.chart, self.site.config), "has_charts": True, "prose": self.prose(figure.chart.src)}
        made = render_template(self.env, "embed.html", context)
        check_figure(made, figure.chart, figure, "templates/embed.html", self.site.config)
        return Made(embed_path(figure), self.fill(made))

    def template(self, dest: str, name: str, context: Callable[[], dict[str, Any]]) -> Made:
        return Made(dest, self.fill(render_template(self.env, name, context()), markup=dest.endswith(".html")))

    def fill(self, text: str, markup: bool = True) -> str:
        """The file's bound values as figures (``provenance``): with their notes in HTML."""
        return fill(text, self.site.values, self.site.config.url, markup)


def embed_path(figure: Figure) -> str:
    return f"embed/{figure.chart.id}/index.html"


def navigation(pages: Sequence[Page]) -> list[Page]:
    return [p for p in pages if (p.url != "/" and p.order != UNORDERED) or p.nav_title]  # (the home page: with nav_title)


def _figures_in(renderer: Renderer, parts: list[Any]) -> str:
    """A hash of the bound values a file shows through ``parts`` (another page's chart or
    corrections, the front matter a feed lists) or through the navigation's labels."""
    return renderer.site.values.digest_in(repr([parts, [page.label for page in renderer.nav]]))


def environment(config: Config, templates: TemplateGraph, assets: Assets, state: BuildState) -> LazyEnvironment:
    """The Jinja environment, made on first use, kept in the state while the templates
    and the config stay the same."""

    def make() -> Environment:
        env: Environment = state.memo("environment", repr(config) + templates.signature, lambda: new_environment(config))
        env.globals["asset"] = lambda name: config.url(assets.url(name))
        return env

    return LazyEnvironment(make)


def shared_key(config: Config, nav: Sequence[Page], assets: Assets, feed: bool) -> str:
    """What every rendered file is made from: the config, the navigation, the static files,
    whether there is a feed to link to."""
    return digest_json(
        [repr(config), [(p.url, p.label, p.order) for p in nav], [(n, a.dest) for n, a in sorted(assets.files.items())], feed]
    )


def plan_site(site: Site, renderer: Renderer, templates: TemplateGraph) -> list[Planned]:
    """Every output file of the site, pages first (their order is the pool's)."""
    shared = shared_key(site.config, renderer.nav, renderer.assets, renderer.feed)
    return [
        *_page_files(site, renderer, templates, shared),
        *_embed_files(renderer, templates, shared),
        *_template_files(site, renderer, templates, shared),
        *_copied_files(site, renderer),
    ]


def _page_files(site: Site, renderer: Renderer, templates: TemplateGraph, shared: str) -> list[Planned]:
    planned = []
    closures: dict[tuple[str, ...], str] = {}  # (page template, block templates) -> their closure's digest
    read, cards, make = renderer.state.pages, renderer.cards, renderer.page  # (4,000 pages: every lookup counts)
    for page in site.pages:
        blocks = site.blocks[page.src]
        used = (page.template, *(block.template for block in blocks))
        if used not in closures:
            closures[used] = templates.closure_digest(frozenset({f"{page.template}.html", *used[1:]}))
        parts: list[Any] = [
            shared + cards[page.url].url,
            read.get(page.src, ("", None))[0],
            page.draft,
            site.links.get(page.src),
            closures[used],
        ]
        for block in blocks:
            parts += block.key_parts(renderer.figures)
        shown = [*page.bindings, *(b for block in blocks for dataset in block.catalogued() for b in dataset.bindings)]
        parts += [site.values.digest(b.source for b in shown), _figures_in(renderer, parts)]
        weight = 1 + BLOCK_WEIGHT * len(page.blocks)
        planned.append(Planned(page.dest, key_of(parts), partial(make, page.src), weight, page))
    return planned


def _embed_files(renderer: Renderer, templates: TemplateGraph, shared: str) -> list[Planned]:
    """Embeddable charts: also heavy, also in the pool."""
    closure = templates.closure_digest(frozenset({"embed.html"}))
    planned = []
    for figure in (f for f in renderer.figures.values() if f.chart.embeddable):
        chart = figure.chart  # (its texts: the key covered only its spec)
        parts = [shared, closure, chart.key, figure.spec_url, figure.svg_digest, *shown(figure.datasets), chart.title, chart.subtitle]
        parts += [chart.notes, renderer.site.values.digest_in(repr([chart.title, chart.subtitle, chart.notes, chart.description]))]
        planned.append(Planned(embed_path(figure), key_of(parts), partial(renderer.embed, figure), BLOCK_WEIGHT))
    return planned


def _template_files(site: Site, renderer: Renderer, templates: TemplateGraph, shared: str) -> list[Planned]:
    """404, and with an absolute ``base_url`` the sitemap (its ``loc``s must be absolute URLs)
    and the feed (when a page is dated)."""
    card = renderer.cards[NOT_A_PAGE].url
    published = [p for p in site.pages if not p.draft]  # a --drafts preview must not announce drafts
    every_page = [p.front_matter() for p in published]
    dated = _dated(site)
    feed: dict[str, Any] = {"pages": sorted(dated, key=_last_change, reverse=True), "updated": max(map(_last_change, dated), default=None)}
    not_found: dict[str, Any] = {"page": None, "nav": renderer.nav, "has_charts": False, "social_image": card, "feed": renderer.feed}
    files: list[tuple[str, list[Any], Callable[[], dict[str, Any]]]] = [("404.html", [card], lambda: not_found)]
    if site.config.origin:
        files.append(("sitemap.xml", every_page, lambda: {"pages": published}))
    if renderer.feed:
        files.append(("feed.xml", every_page, lambda: feed))
    planned = []
    for name, parts, context in files:
        key = key_of([shared, templates.closure_digest(frozenset({name})), *parts, _figures_in(renderer, parts)])
        planned.append(Planned(name, key, partial(renderer.template, name, name, context)))
    planned.append(Planned("_headers", "", partial(renderer.template, "_headers", "_headers", dict)))
    return planned


def _dated(site: Site) -> list[Page]:
    return [p for p in site.pages if not p.draft and (p.date or p.updated)]


def _narrow_spec(figure: Figure) -> Made:
    return Made(figure.narrow_spec_url.lstrip("/"), figure.narrow_spec_json)


def _copied_files(site: Site, renderer: Renderer) -> list[Planned]:
    """Files written as they are, or named by their content (charts' specs, kept while there)."""
    config = site.config
    robots = "User-agent: *\nAllow: /\n" + (f"Sitemap: {config.absolute_url('/sitemap.xml')}\n" if config.origin else "")
    files: list[tuple[str, str | bytes]] = [("robots.txt", robots)]
    files += [(card.url.lstrip("/"), card.png) for card in set(renderer.cards.values())]
    planned = [Planned(dest, "", partial(Made, dest, data)) for dest, data in files]
    for figure in (f for f in renderer.figures.values() if f.chart.embeddable):  # (a spec is read from the cache only if its file is made)
        dest = figure.spec_url.lstrip("/")
        planned.append(Planned(dest, figure.spec_url, partial(_spec_file, figure, dest)))
        planned.append(Planned(figure.narrow_spec_url.lstrip("/"), figure.narrow_spec_url, partial(_narrow_spec, figure)))
    planned += _data_files(site.package)
    for src in site.files:  # (beside the pages: content/img/map.png -> img/map.png)
        dest = src.removeprefix(CONTENT_DIR + "/")
        planned.append(Planned(dest, "", partial(_site_file, config, dest, src)))
    return planned + [Planned(a.dest, "", partial(Made, a.dest, a.data)) for a in renderer.assets.files.values()]


def _data_files(package: Package) -> list[Planned]:
    """Every dataset, published byte for byte as it was written."""
    return [Planned(d.url.lstrip("/"), "", partial(Made, d.url.lstrip("/"), d.raw)) for d in package.datasets.values()]


def publish_data(package: Package, output: Output) -> None:
    """Write the datasets' files (of data read after the plan was made)."""
    for planned in _data_files(package):
        made = planned.make()
        output.write(made.dest, made.content)


def _spec_file(figure: Figure, dest: str) -> Made:
    return Made(dest, figure.spec_json)


def _site_file(config: Config, dest: str, src: str) -> Made:
    return Made(dest, read_site_file(config.root, src))


def _last_change(page: Page) -> date:
    return page.updated or page.date or date.min  # (only dated pages are asked)


def publish(
    planned: Sequence[Planned],
    renderer: Renderer,
    output: Output,
    progress: Progress | None = None,
    meanwhile: Callable[[], None] | None = None,
) -> Published:
    """Make every planned file whose key changed (or whose file is gone); keep the rest.
    ``meanwhile`` runs while the pages are made (after, if they are made here)."""
    state = renderer.state
    todo = [p for p in planned if not p.key or state.render_keys.get(p.dest) != p.key or not output.keep(p.dest)]
    heavy = [p for p in todo if p.weight]
    pages = [p.page for p in heavy if p.page is not None]
    if progress and len(pages) >= 100:
        progress(f"rendering {len(pages)} pages")
    renderer.prepare(pages, bool(heavy))
    # (page workers on every core: the chart workers, idle by now, would double the memory)
    extras = run_tasks([p.make for p in heavy], sum(p.weight for p in heavy), output, _stop_idle_chart_workers, meanwhile)
    for page, html in zip(pages, extras, strict=False):  # (pages come first)
        if html:  # converted just now: keep it for the next build
            digest, _ = state.pages[page.src]
            state.pages[page.src] = (digest, replace(renderer.bodies[page.src], html=html))
            state.converted += 1
    for p in todo:
        if not p.weight:
            made = p.make()
            output.write(made.dest, made.content)
    return Published([page.url for page in pages], {p.dest: p.key for p in planned if p.key})


def _stop_idle_chart_workers() -> None:
    from .workers import stop_idle_workers  # (here: a build that draws no chart does not import the renderer)

    stop_idle_workers()


def _with_body(config: Config, page: Page, state: BuildState) -> Page:
    """``page`` with its HTML or, failing that, its Markdown: a page from a saved state
    has neither, so its HTML comes from the saved HTML or its file is read again."""
    if page.html or page.markdown:
        return page
    html = state.saved_html(page.src)
    if html:
        return replace(page, html=html)
    raw = (config.root / page.src).read_bytes()
    if page.src in state.pages and hashlib.sha256(raw).hexdigest() != state.pages[page.src][0]:  # (its front matter is the older text's)
        raise SiteError(page.src, None, "the file changed while the site was being built", "build again")
    return replace(page, markdown=read_page(page.src, decode(page.src, raw)).markdown)

"""Publishing: a plan of every output file, then an executor that makes what changed.

``plan_site`` lists each file the site consists of: its path, its render key (a hash of
what it is made from; "" for files copied or made every time) and how to make it. It
renders nothing. ``publish`` then keeps every file whose key is the one the last build
wrote it under (and which is still there), makes the rest (pages and embeds in the
fork pool, on every core) and writes them through the ``Output``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import partial
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from .assets import Assets
from .blocks import ParsedBlock, shown
from .cards import NOT_A_PAGE, Card
from .config import Config, read_site_file
from .content import CONTENT_DIR, Page, new_converter, read_page, to_html
from .dependencies import TemplateGraph, digest_json, key_of
from .figures import Figure, figure_context
from .output import Output
from .pagefiles import published_path, rewrite_refs
from .pages import NO_LINKS, decode
from .pool import BLOCK_WEIGHT, Made, run_tasks
from .render import LazyEnvironment, fill_blocks, new_environment, render_template, rewrite_links
from .state import BuildState
from .workers import stop_idle_workers

if TYPE_CHECKING:  # (site imports this module to run it)
    from jinja2 import Environment

    from .site import Site

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
    converter: Any = None  # the Markdown converter, made if a page needs one

    def prepare(self, pages: Sequence[Page], any_work: bool) -> None:
        """Before the pool forks: give each page its body, make what workers share."""
        self.bodies = {page.src: _with_body(self.site.config, page, self.state) for page in pages}
        if any(not page.html for page in self.bodies.values()):
            self.converter = self.state.memo("converter", "", new_converter)
        if any_work:
            self.env.ready()  # (the workers inherit it)

    def page(self, src: str) -> Made:
        page = self.bodies[src]
        html = page.html or to_html(page, self.converter)
        links = self.site.links.get(page.src, NO_LINKS)
        body = rewrite_refs(html, links.paths, self.assets.url)
        blocks = self.site.blocks[page.src]
        context = {
            "page": page,
            "content": Markup(self.render_blocks(blocks, body)),
            "nav": self.nav,
            "has_charts": any(block.chart is not None for block in blocks),
            "scripts": sorted({name for block in blocks for name in block.scripts}),
            "social_image": published_path(links.image, self.assets.url) if links.image else self.cards[page.url].url,
            "own_image": bool(links.image),  # (its size is the image's own, not the card's 1200 x 630)
        }
        return Made(page.dest, render_template(self.env, f"{page.template}.html", context), "" if page.html else html)

    def render_blocks(self, blocks: Sequence[ParsedBlock], body: str) -> str:
        config = self.site.config
        html = [render_template(self.env, block.template, block.context(self.figures, config)) for block in blocks]
        return fill_blocks(rewrite_links(body, config), html)

    def embed(self, figure: Figure) -> Made:
        context = {**figure_context(figure, figure.chart, self.site.config), "has_charts": True}
        return Made(embed_path(figure), render_template(self.env, "embed.html", context))

    def template(self, dest: str, name: str, context: Callable[[], dict[str, Any]]) -> Made:
        return Made(dest, render_template(self.env, name, context()))


def embed_path(figure: Figure) -> str:
    return f"embed/{figure.chart.id}/index.html"


def navigation(pages: Sequence[Page]) -> list[Page]:
    return [p for p in pages if (p.url != "/" and p.order != UNORDERED) or p.nav_title]  # (the home page: with nav_title)


def environment(config: Config, templates: TemplateGraph, assets: Assets, state: BuildState) -> LazyEnvironment:
    """The Jinja environment, made on first use, kept in the state while the templates
    and the config stay the same."""

    def make() -> Environment:
        env: Environment = state.memo("environment", repr(config) + templates.signature, lambda: new_environment(config))
        env.globals["asset"] = lambda name: config.url(assets.url(name))
        return env

    return LazyEnvironment(make)


def shared_key(config: Config, nav: Sequence[Page], assets: Assets) -> str:
    """What every rendered file is made from: the config, the navigation, the static files."""
    return digest_json([repr(config), [(p.url, p.label, p.order) for p in nav], [(n, a.dest) for n, a in sorted(assets.files.items())]])


def plan_site(site: Site, renderer: Renderer, templates: TemplateGraph) -> list[Planned]:
    """Every output file of the site, pages first (their order is the pool's)."""
    shared = shared_key(site.config, renderer.nav, renderer.assets)
    return [
        *_page_files(site, renderer, templates, shared),
        *_embed_files(renderer, templates, shared),
        *_template_files(site, renderer, templates, shared),
        *_copied_files(site, renderer),
    ]


def _page_files(site: Site, renderer: Renderer, templates: TemplateGraph, shared: str) -> list[Planned]:
    planned = []
    for page in site.pages:
        blocks = site.blocks[page.src]
        names = frozenset({f"{page.template}.html", *(block.template for block in blocks)})
        parts: list[Any] = [shared + renderer.cards[page.url].url, renderer.state.pages.get(page.src, ("", None))[0], page.draft]
        parts += [site.links.get(page.src), templates.closure_digest(names)]
        for block in blocks:
            parts += block.key_parts(renderer.figures)
        weight = 1 + BLOCK_WEIGHT * len(page.blocks)
        planned.append(Planned(page.dest, key_of(parts), partial(renderer.page, page.src), weight, page))
    return planned


def _embed_files(renderer: Renderer, templates: TemplateGraph, shared: str) -> list[Planned]:
    """Embeddable charts: also heavy, also in the pool."""
    closure = templates.closure_digest(frozenset({"embed.html"}))
    planned = []
    for figure in (f for f in renderer.figures.values() if f.chart.embeddable):
        parts = [shared, closure, figure.chart.key, figure.spec_url, figure.svg_digest, *shown(figure.datasets)]
        planned.append(Planned(embed_path(figure), key_of(parts), partial(renderer.embed, figure), BLOCK_WEIGHT))
    return planned


def _template_files(site: Site, renderer: Renderer, templates: TemplateGraph, shared: str) -> list[Planned]:
    card = renderer.cards[NOT_A_PAGE].url
    published = [p for p in site.pages if not p.draft]  # a --drafts preview must not announce drafts
    every_page = [p.front_matter() for p in published]
    dated = [p for p in published if p.date or p.updated]
    feed = {"pages": sorted(dated, key=_last_change, reverse=True), "updated": max(map(_last_change, dated), default=None)}
    files = (
        ("404.html", [card], lambda: {"page": None, "nav": renderer.nav, "has_charts": False, "social_image": card}),
        ("feed.xml", every_page, lambda: feed),
        ("sitemap.xml", every_page, lambda: {"pages": published}),
    )
    planned = []
    for name, parts, context in files:
        key = key_of([shared, templates.closure_digest(frozenset({name})), *parts])
        planned.append(Planned(name, key, partial(renderer.template, name, name, context)))
    planned.append(Planned("_headers", "", partial(renderer.template, "_headers", "_headers", dict)))
    return planned


def _narrow_spec(figure: Figure) -> Made:
    return Made(figure.narrow_spec_url.lstrip("/"), figure.narrow_spec_json)


def _copied_files(site: Site, renderer: Renderer) -> list[Planned]:
    """Files written as they are, or named by their content (charts' specs, kept while there)."""
    config = site.config
    robots = f"User-agent: *\nAllow: /\nSitemap: {config.absolute_url('/sitemap.xml')}\n"
    files: list[tuple[str, str | bytes]] = [("robots.txt", robots)]
    files += [(card.url.lstrip("/"), card.png) for card in set(renderer.cards.values())]
    planned = [Planned(dest, "", partial(Made, dest, data)) for dest, data in files]
    for figure in (f for f in renderer.figures.values() if f.chart.embeddable):  # (a spec is read from the cache only if its file is made)
        dest = figure.spec_url.lstrip("/")
        planned.append(Planned(dest, figure.spec_url, partial(_spec_file, figure, dest)))
        planned.append(Planned(figure.narrow_spec_url.lstrip("/"), figure.narrow_spec_url, partial(_narrow_spec, figure)))
    for dataset in site.package.datasets.values():
        dest = dataset.url.lstrip("/")
        planned.append(Planned(dest, "", partial(Made, dest, dataset.raw)))
    for src in site.files:  # (beside the pages: content/img/map.png -> img/map.png)
        dest = src.removeprefix(CONTENT_DIR + "/")
        planned.append(Planned(dest, "", partial(_site_file, config, dest, src)))
    return planned + [Planned(a.dest, "", partial(Made, a.dest, a.data)) for a in renderer.assets.files.values()]


def _spec_file(figure: Figure, dest: str) -> Made:
    return Made(dest, figure.spec_json)


def _site_file(config: Config, dest: str, src: str) -> Made:
    return Made(dest, read_site_file(config.root, src))


def _last_change(page: Page) -> date:
    return page.updated or page.date or date.min  # (only dated pages are asked)


def publish(planned: Sequence[Planned], renderer: Renderer, output: Output, progress: Progress | None = None) -> Published:
    """Make every planned file whose key changed (or whose file is gone); keep the rest."""
    state = renderer.state
    todo = [p for p in planned if not p.key or state.render_keys.get(p.dest) != p.key or not output.keep(p.dest)]
    heavy = [p for p in todo if p.weight]
    pages = [p.page for p in heavy if p.page is not None]
    if progress and len(pages) >= 100:
        progress(f"rendering {len(pages)} pages")
    renderer.prepare(pages, bool(heavy))
    # (page workers on every core: the chart workers, idle by now, would double the memory)
    extras = run_tasks([p.make for p in heavy], sum(p.weight for p in heavy), output, before_fork=stop_idle_workers)
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


def _with_body(config: Config, page: Page, state: BuildState) -> Page:
    """``page`` with its HTML or, failing that, its Markdown: a page from a saved state
    has neither, so its HTML comes from the saved HTML or its file is read again."""
    if page.html or page.markdown:
        return page
    html = state.saved_html(page.src)
    if html:
        return replace(page, html=html)
    return replace(page, markdown=read_page(page.src, decode(page.src, (config.root / page.src).read_bytes())).markdown)

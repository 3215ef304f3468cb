"""Social cards: 1200 x 630 PNG images for Open Graph and Twitter, drawn at build time.

A page with a ``lead_chart`` gets a card with its title over that chart's static SVG;
every other page shares the site's typographic card (title and description). Cards
are SVG composed here and rasterised by vl-convert, so no browser is needed.
"""

from __future__ import annotations

import base64
import hashlib
import re
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from html import escape

from .cache import Cache, cache_key
from .codeversions import renderer_version
from .config import Config
from .content import Page
from .figures import Figure

WIDTH, HEIGHT = 1200, 630
MARGIN = 60
FONT = "system-ui, 'DejaVu Sans', 'Liberation Sans', Arial, sans-serif"
INK, MUTED, ACCENT = "#1a1a1a", "#595959", "#005a8c"


def chart_card_svg(title: str, site_title: str, chart_svg: str) -> str:
    """The page title on top, the chart scaled into the space below, the site at the foot."""
    lines = textwrap.wrap(title, 40)[:2]
    top = MARGIN + 46 * len(lines) + 24
    width, height = _size(chart_svg)
    box_w, box_h = WIDTH - 2 * MARGIN, HEIGHT - top - 70
    scale = min(box_w / width, box_h / height)
    inner = _nested(chart_svg, MARGIN, top, width * scale, height * scale)
    return _card(_text_lines(lines, MARGIN + 44, 44, 700, INK) + inner + _footer(site_title))


def site_card_svg(site_title: str, description: str) -> str:
    """The typographic card: the site's title and description."""
    title = _text_lines(textwrap.wrap(site_title, 30)[:3], 200, 64, 700, INK)
    dek = _text_lines(textwrap.wrap(description, 60)[:4], 200 + 72 * len(textwrap.wrap(site_title, 30)[:3]) + 20, 32, 400, MUTED)
    return _card(f'<rect x="{MARGIN}" y="120" width="120" height="10" fill="{ACCENT}"/>' + title + dek)


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def read_png(value: object) -> bytes:
    """A card's cache entry (a PNG in base64) as bytes; ``ValueError`` if it is not one."""
    if not isinstance(value, str):
        raise ValueError("not base64 text")
    png = base64.b64decode(value, validate=True)
    if not png.startswith(PNG_SIGNATURE):
        raise ValueError("not a PNG")
    return png


def rasterise(svg: str) -> bytes:
    import vl_convert

    return bytes(vl_convert.svg_to_png(svg, scale=1.0))


def _card(body: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}"><rect width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>'
        f'<rect width="{WIDTH}" height="12" fill="{ACCENT}"/>{body}</svg>'
    )


def _text_lines(lines: list[str], y: int, size: int, weight: int, fill: str) -> str:
    step = int(size * 1.15)
    return "".join(
        f'<text x="{MARGIN}" y="{y + i * step}" font-family="{escape(FONT)}" font-size="{size}" '
        f'font-weight="{weight}" fill="{fill}">{escape(line)}</text>'
        for i, line in enumerate(lines)
    )


def _footer(site_title: str) -> str:
    return f'<text x="{MARGIN}" y="{HEIGHT - 28}" font-family="{escape(FONT)}" font-size="24" fill="{MUTED}">{escape(site_title)}</text>'


def _size(svg: str) -> tuple[float, float]:
    box = re.search(r'viewBox="[-\d.]+ [-\d.]+ ([\d.]+) ([\d.]+)"', svg)
    return (float(box.group(1)), float(box.group(2))) if box else (640.0, 320.0)


def _nested(svg: str, x: float, y: float, width: float, height: float) -> str:
    """Place a complete ``<svg>`` at (x, y), scaled to width x height."""
    opening = re.match(r"<svg\b[^>]*>", svg)
    if opening is None:
        return ""
    view_box = re.search(r'viewBox="[^"]*"', opening.group(0))
    attrs = f'x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{height:.1f}" {view_box.group(0) if view_box else ""}'
    return f'<svg xmlns="http://www.w3.org/2000/svg" {attrs}>' + svg[opening.end() :]


SITE_CARD = "/social/site.{}.png"
NOT_A_PAGE = ""  # the key of the card of files that are not content pages (404)


@dataclass(frozen=True)
class Card:
    url: str  # /social/coal-imports.0123456789.png
    png: bytes = b""


@dataclass
class CardPress:
    """Rasterises social cards, through the cache. A chart's card can be made as soon as
    the chart is drawn (``chart_drawn``), while the chart workers draw the others, rather
    than after all of them (~0.1 s a card: 1 s of the explainer's cold build)."""

    config: Config
    cache: Cache
    leads: Mapping[str, Sequence[str]] = field(default_factory=dict)  # chart id -> titles of the pages it leads
    made: dict[str, bytes] = field(default_factory=dict)  # cache key -> PNG

    def png(self, svg: str) -> bytes:
        key = cache_key("card", svg, renderer_version())
        png = self.made.get(key) or self.cache.get("card", key, read_png)
        if png is None:
            png = rasterise(svg)
            self.cache.put("card", key, base64.b64encode(png).decode())
        self.made[key] = png
        return png

    def chart_drawn(self, chart_id: str, svg: str) -> None:
        for title in self.leads.get(chart_id, ()):
            self.png(chart_card_svg(title, self.config.title, svg))


def card_press(config: Config, pages: Sequence[Page], cache: Cache) -> CardPress:
    """A press that knows which pages each chart leads (``lead_chart``)."""
    leads: dict[str, list[str]] = {}
    for page in pages:
        if page.lead_chart:
            leads.setdefault(page.lead_chart, []).append(page.title)
    return CardPress(config, cache, leads)


def build_cards(pages: Sequence[Page], figures: Mapping[str, Figure], press: CardPress) -> dict[str, Card]:
    """The social card of every page, by page URL. Cached by content."""
    config = press.config

    def card(svg: str) -> tuple[str, bytes]:
        """A card's name part and PNG. The name is a hash of the PNG itself: a card is drawn
        with the machine's fonts, and one drawn differently elsewhere must not take the
        name of another (``_headers`` lets browsers keep /social/ files for a year)."""
        png = press.png(svg)
        return hashlib.sha256(png).hexdigest()[:10], png

    digest, png = card(site_card_svg(config.title, config.description))
    shared = Card(SITE_CARD.format(digest), png)
    cards = {}
    for page in pages:
        if page.lead_chart:
            digest, png = card(chart_card_svg(page.title, config.title, figures[page.lead_chart].svg))
            cards[page.url] = Card(f"/social/{page.lead_chart}.{digest}.png", png)
        else:
            cards[page.url] = shared
    cards[NOT_A_PAGE] = shared
    return cards

"""Page weight: what a page costs a reader before any interaction, estimated by the build.

The budget (``BUDGET``) is the one ``bench/page_weight.py`` measures in a browser: 150 KB
compressed. Nearly all of a heavy page is its charts' static drawings (both layouts are
in the page), so the build estimates each page from them, compressed as a server would,
plus the page's text and the stylesheet and script every chart page loads, and warns
about a page over the budget, naming its heaviest charts.
"""

from __future__ import annotations

import gzip
from collections.abc import Mapping
from typing import TYPE_CHECKING

from .errors import SiteWarning
from .figures import Figure

if TYPE_CHECKING:
    from .site import Site

BUDGET = 150 * 1024  # bytes, compressed
PAGE_CHROME = 8 * 1024  # the page's own HTML around its text, compressed (the explainer's pages: 5-9 KB)
ASSETS = ("style.css", "charts.js")  # what a page with charts loads before interaction


def compressed(text: str | bytes) -> int:
    """Bytes after gzip at level 6, what servers commonly send."""
    return len(gzip.compress(text.encode() if isinstance(text, str) else text, compresslevel=6, mtime=0))


def page_weight_warnings(site: Site, figures: Mapping[str, Figure], rendered: list[str], assets: int = 0) -> list[SiteWarning]:
    """A warning for each page over the budget among the pages that show a chart
    this build drew or read (the others were weighed by the build that did)."""
    fresh = set(rendered)
    warnings: list[SiteWarning] = []
    for page in site.pages:
        charts = [chart.id for block in site.blocks.get(page.src, ()) for chart in block.charts()]
        if not fresh.intersection(charts):
            continue
        weights = {chart_id: _drawings(figures[chart_id]) for chart_id in dict.fromkeys(charts)}
        total = sum(weights.values()) + PAGE_CHROME + compressed(page.markdown or page.html or "") + assets
        if total > BUDGET:
            heaviest = sorted(weights.items(), key=lambda item: -item[1])[:3]
            named = ", ".join(f"'{chart_id}' ({size / 1024:.0f} KB)" for chart_id, size in heaviest)
            warnings.append(
                SiteWarning(
                    page.src,
                    None,
                    f"page {page.url} weighs about {total / 1024:.0f} KB compressed before interaction, "
                    f"over the {BUDGET // 1024} KB budget; heaviest charts: {named} (draw fewer marks, or split the page)",
                )
            )
    return warnings


def _drawings(figure: Figure) -> int:
    return compressed(figure.svg) + compressed(figure.narrow_svg)


def assets_weight(files: Mapping[str, bytes]) -> int:
    """The compressed bytes of the assets every chart page loads."""
    return sum(compressed(files[name]) for name in ASSETS if name in files)

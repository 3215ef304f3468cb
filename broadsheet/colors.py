"""Series colours: one colour per named series across the site, and a palette that reads on
both backgrounds.

A site declares colours once (``[colors]`` in ``site.toml``: ``"China customs (GACC)" =
"#0072B2"``). ``apply_series_colors`` is a pure transform of a compiled Vega-Lite spec: every
colour scale (``color``, ``fill``, ``stroke``) whose domain holds a declared name gets that
colour for it, in declarative and Python charts alike; the other series keep the palette,
without the colours taken by declared series in the same chart.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .views import field_domain, views_with_rows

LIGHT = "#ffffff"  # the page background, light scheme
DARK = "#121212"  # the page background, dark scheme (static/style.css)
MIN_CONTRAST = 3.0  # WCAG 2.1 1.4.11: graphical objects against what is next to them

# Okabe & Ito (2008), in the theme's order, with the three colours that are under 3:1 on
# white made darker (orange #E69F00 -> #C28000, sky blue #56B4E9 -> #3D94CF, yellow
# #F0E442 -> #9C8B00) and black made a mid grey, so that every colour clears 3:1 on the
# light and the dark background (tests/test_colors.py checks).
PALETTE = ("#0072B2", "#C28000", "#009E73", "#CC79A7", "#3D94CF", "#D55E00", "#9C8B00", "#767676")
HEX = re.compile(r"#[0-9a-fA-F]{6}\Z")  # (\Z: "$" would let a final newline through)
CHANNELS = ("color", "fill", "stroke")


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two ``#rrggbb`` colours (1 to 21)."""
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _luminance(color: str) -> float:
    channels = [int(color[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def color_problem(value: Any) -> str | None:
    """Why ``value`` cannot be a series colour, or None: ``#rrggbb`` with 3:1 on both backgrounds."""
    if not isinstance(value, str) or not HEX.match(value):
        return f"{value!r} is not a colour written #rrggbb"
    for name, background in (("white", LIGHT), ("the dark background #121212", DARK)):
        ratio = contrast(value, background)
        if ratio < MIN_CONTRAST:
            return f"{value} has a contrast of {ratio:.1f}:1 on {name}; marks need {MIN_CONTRAST:.0f}:1"
    return None


def apply_series_colors(spec: Mapping[str, Any], colors: Mapping[str, str]) -> dict[str, Any]:
    """``spec`` with the site's series colours on every colour scale whose domain names them.

    The domain is the scale's own, or else the values of the field in the view's inline
    data (Vega-Lite sorts them, as it would). A spec with no declared name is returned
    unchanged, so charts that name no series are drawn as before.
    """
    out = copy.deepcopy(dict(spec))
    if not colors:
        return out
    palette = tuple(out.get("config", {}).get("range", {}).get("category") or PALETTE)
    datasets = out.get("datasets", {})
    for view, rows in views_with_rows(out, datasets, None):
        for channel in CHANNELS:
            definition = view.get("encoding", {}).get(channel)
            if isinstance(definition, dict):
                _color_scale(definition, rows, colors, palette)
    return out


def _color_scale(definition: dict[str, Any], rows: list[Any] | None, colors: Mapping[str, str], palette: tuple[str, ...]) -> None:
    if "field" not in definition or definition.get("type") not in ("nominal", "ordinal") or definition.get("scale", {}) is None:
        return
    scale = definition.get("scale", {})
    domain = scale.get("domain")
    if not isinstance(domain, list):
        domain = field_domain(definition, rows)
    if domain is None or not any(str(name) in colors for name in domain):
        return
    authored = scale.get("range") if isinstance(scale.get("range"), list) else None
    taken = {colors[str(name)].lower() for name in domain if str(name) in colors}
    spare = iter([c for c in palette if c.lower() not in taken] or list(palette))
    scale_range = []
    for i, name in enumerate(domain):
        if str(name) in colors:
            scale_range.append(colors[str(name)])
        elif authored and i < len(authored):
            scale_range.append(authored[i])
        else:
            scale_range.append(next(spare, palette[i % len(palette)]))
    definition["scale"] = {**{k: v for k, v in scale.items() if k != "scheme"}, "domain": domain, "range": scale_range}


@dataclass(frozen=True)
class SeriesScale:
    """The colour each named series of a chart is drawn in, as Vega assigns it: the
    scale's own range, or the palette in the domain's order, starting again at its first
    colour when the series outnumber it (d3's ordinal scales repeat their range)."""

    names: tuple[str, ...]
    colors: tuple[str, ...]
    palette: int  # colours the range had to give

    def shared(self) -> list[tuple[str, str, str]]:
        """Series drawn in a colour an earlier series has: (earlier, later, colour), at most three."""
        first: dict[str, str] = {}
        pairs: list[tuple[str, str, str]] = []
        for name, color in zip(self.names, self.colors, strict=True):
            if color in first and len(pairs) < 3:
                pairs.append((first[color], name, color))
            first.setdefault(color, name)
        return pairs


def series_scales(spec: Mapping[str, Any]) -> list[SeriesScale]:
    """Every colour scale of a compiled spec whose series are known (named in its domain or
    in the view's inline data), once each."""
    palette = tuple(spec.get("config", {}).get("range", {}).get("category") or PALETTE)
    found: dict[tuple[str, ...], SeriesScale] = {}
    for view, rows in views_with_rows(dict(spec), spec.get("datasets", {}), None):
        for channel in CHANNELS:
            definition = view.get("encoding", {}).get(channel)
            if not isinstance(definition, dict) or "field" not in definition or definition.get("type") not in ("nominal", "ordinal"):
                continue
            if definition.get("scale", {}) is None:  # (the field holds the colours themselves)
                continue
            scale = definition.get("scale") or {}
            domain = scale.get("domain") if isinstance(scale.get("domain"), list) else field_domain(definition, rows)
            given = scale.get("range") if isinstance(scale.get("range"), list) else None if "scheme" in scale else palette
            if not domain or not given or not all(isinstance(c, str) for c in given):
                continue
            names = tuple(str(name) for name in domain)
            picked = tuple(str(given[i % len(given)]).lower() for i in range(len(names)))
            found.setdefault(names, SeriesScale(names, picked, len(given)))
    return list(found.values())


def color_warnings(chart_id: str, scales: list[SeriesScale]) -> tuple[str, ...]:
    """A warning for each chart scale that draws two series in one colour (a reader cannot tell them apart)."""
    warnings = []
    for scale in scales:
        why = f" ({len(scale.names)} series, {scale.palette} colours)" if len(scale.names) > scale.palette else ""
        for first, second, color in scale.shared():
            warnings.append(f"chart '{chart_id}': series '{first}' and '{second}' are drawn in the same colour, {color}{why}")
    return tuple(warnings)

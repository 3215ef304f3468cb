"""The chart theme: the palette, font and ink applied to every chart's Vega-Lite config
(``charts.compile_spec``), before a chart's own config."""

from __future__ import annotations

from typing import Any

from . import colors

# Okabe & Ito (2008), each colour at least 3:1 on the light and the dark page (colors.py).
PALETTE = list(colors.PALETTE)
# Arial metrics: what vl-convert lays text out with, so labels drawn by browsers fit the same space.
FONT = "Arial, 'Liberation Sans', Arimo, Helvetica, sans-serif"
INK = "#1a1a1a"
THEME: dict[str, Any] = {
    "background": "transparent",
    "font": FONT,
    "view": {"continuousWidth": 640, "continuousHeight": 320, "discreteWidth": 640, "stroke": None},
    "range": {"category": PALETTE},
    "mark": {"color": PALETTE[0]},
    "axis": {
        "labelColor": INK,
        "titleColor": INK,
        "labelFontSize": 12,
        "titleFontSize": 12,
        "titleFontWeight": "normal",
        "gridColor": "#d9d9d9",
        "domainColor": "#767676",
        "tickColor": "#767676",
    },
    "legend": {"labelColor": INK, "titleColor": INK, "labelFontSize": 12, "titleFontSize": 12, "orient": "top"},
    "text": {"color": INK, "fontSize": 12},
    "title": {"color": INK},
}

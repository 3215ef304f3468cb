"""A faceted chart's panels on a phone: as many side by side as fit the column, and no
taller together than a reader can take in.

A facet drawn for a desktop column (two panels a row of 200 px, or 19 panels of 20 px in
one row) cannot keep its grid in 340 px, and stacking every panel under the other made a
19-panel chart 4,686 px tall. So on the narrow layout a facet wraps: each row holds as
many panels of the author's width as fit (``wrap``), and when the panels together are
still taller than ``TALLEST``, they are drawn shorter, down to ``SHORTEST`` (``shorten``);
a chart still taller than that gets a warning at its line (``renderers``).
"""

from __future__ import annotations

import copy
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from typing import Any

from .views import compositions, inner_views, layers

TALLEST = 1200  # px: a narrow drawing this tall is under two screens of a 375 x 667 phone
SHORTEST = 100  # px: panels are not drawn shorter than this to keep a chart under ``TALLEST``
SPACING = 20  # px: Vega-Lite's space between panels, unless the spec sets its own
SVG = "{http://www.w3.org/2000/svg}"
_TRANSLATE = re.compile(r"translate\(\s*([-\d.e]+)[\s,]+([-\d.e]+)\s*\)")


def as_wrapped(node: dict[str, Any]) -> None:
    """A column facet (``facet.column`` or ``encoding.column``, without rows) as a wrapped
    facet, whose panels go on as many rows as they need (``wrap`` says how many a row)."""
    facet, encoding = node.get("facet"), node.get("encoding")
    if isinstance(facet, dict) and "column" in facet and "row" not in facet:
        node["facet"] = facet.pop("column")
    if isinstance(encoding, dict) and "column" in encoding and "row" not in encoding and "facet" not in encoding:
        encoding["facet"] = encoding.pop("column")


def wrap(spec: dict[str, Any], plot: int, label_at: Callable[[int], str]) -> dict[int, int]:
    """Each wrapped facet in ``spec`` with as many panels a row as fit ``plot`` px (the
    author's panel width, or one a row), sharing the row's width; its header labels wrap
    at the panel's width (``label_at(width)``: a label expression), not run into the next
    panel. Returns the width of each panel's view (by ``id``), for the caller that sizes
    every view."""
    widths: dict[int, int] = {}
    for node in compositions(spec):
        definition = _wrapped(node)
        if definition is None:
            continue
        views = list(inner_views(node.get("spec", node)))
        authored = [w for w in (v.get("width") for v in views) if isinstance(w, (int, float))]
        panel = max(authored) if authored and len(authored) == len(views) else None
        gap = spacing(node, spec)
        across = max(1, math.floor((plot + gap) / (panel + gap))) if panel else 1
        definition["columns"] = across
        width = math.floor((plot - gap * (across - 1)) / across)
        for view in views:
            widths[id(view)] = width
        labels = node["facet"] if definition is node else definition
        header = labels.get("header", {})
        if isinstance(header, dict) and "labelExpr" not in header:  # (None: the author hid it)
            labels["header"] = {**header, "labelExpr": label_at(width)}
    return widths


def _wrapped(node: dict[str, Any]) -> dict[str, Any] | None:
    """Where a wrapped facet keeps its ``columns``: the node (facet operator) or the
    ``facet`` encoding; None for anything else."""
    if isinstance(node.get("facet"), dict) and "field" in node["facet"] and isinstance(node.get("spec"), dict):
        return node
    encoding = node.get("encoding")
    return encoding["facet"] if isinstance(encoding, dict) and isinstance(encoding.get("facet"), dict) else None


def spacing(node: Mapping[str, Any], spec: Mapping[str, Any]) -> float:
    """The space between panels: the facet's own, the config's, or Vega-Lite's 20 px."""
    own = node.get("spacing")
    config = spec.get("config", {})
    for value in (own, config.get("facet", {}).get("spacing"), config.get("concat", {}).get("spacing")):
        if isinstance(value, (int, float)):
            return float(value)
    return SPACING


def is_faceted(spec: dict[str, Any]) -> bool:
    """Whether the spec draws panels (a facet operator, or a row, column or facet encoding)."""
    return any(_panels(node) for node in compositions(spec))


def _panels(node: Mapping[str, Any]) -> bool:
    encoding = node.get("encoding")
    return isinstance(node.get("facet"), dict) or (isinstance(encoding, dict) and any(k in encoding for k in ("row", "column", "facet")))


def shorten(spec: Mapping[str, Any], svg: str, render: Callable[[dict[str, Any]], str]) -> tuple[dict[str, Any], str]:
    """A faceted drawing taller than ``TALLEST`` drawn again with shorter panels: the
    excess shared by the rows of panels, none under ``SHORTEST`` px (or its own height, if
    that is less). Other drawings, and panels sized by a step, are kept."""
    drawn, rows = svg_height(svg), panel_rows(svg)
    if drawn <= TALLEST or not rows or not is_faceted(dict(spec)):
        return dict(spec), svg
    out = copy.deepcopy(dict(spec))
    default = out.get("config", {}).get("view", {}).get("continuousHeight")
    changed = False
    for node in compositions(out):
        if not _panels(node):
            continue
        for view in inner_views(node.get("spec", node)):
            for layer in layers(view):
                height = layer.get("height", default if layer is view else None)
                if isinstance(height, (int, float)) and height > SHORTEST:
                    layer["height"] = max(SHORTEST, math.floor(height - (drawn - TALLEST) / rows))
                    changed = True
    return (out, render(out)) if changed else (dict(spec), svg)


def panel_rows(svg: str) -> int:
    """How many rows of panels a drawing has: the most distinct heights the panels of one
    facet start at (Vega draws a facet's panels as the items of its ``cell`` group)."""
    rows = [0]
    for group in ET.fromstring(svg).iter(SVG + "g"):
        if {"role-scope", "cell"} <= set((group.get("class") or "").split()):
            moved = (_TRANSLATE.match(item.get("transform") or "") for item in group)
            rows.append(len({round(float(m.group(2))) for m in moved if m}))
    return max(rows)


def svg_height(svg: str) -> float:
    match = re.search(r"<svg\b[^>]*?\sheight=\"([0-9.]+)\"", svg)
    return float(match.group(1)) if match else 0.0


def height_warning(chart_id: str, spec: Mapping[str, Any], narrow_svg: str) -> str:
    """What the build says of a faceted chart whose panels, drawn as short as ``shorten``
    draws them, still make a phone drawing taller than ``TALLEST`` px ("" if none). Panels
    sized by a step (a row per category: a grid, a timeline) are as tall as what they
    list, not as their number makes them: the chart's own length, not a facet's."""
    height = svg_height(narrow_svg)
    stretched = height > TALLEST and _continuous_panels(dict(spec))
    rows = panel_rows(narrow_svg) if stretched else 0  # (no drawing: the phone gets the wide one)
    if not rows:
        return ""
    return (
        f"chart '{chart_id}' (narrow): its {rows} rows of panels make a drawing {height:,.0f} px tall on a phone "
        f"(over {TALLEST:,} px): facet by a field with fewer values, filter the panels it shows, "
        "or give the chart its own narrow layout (the `layout` argument)"
    )


def _continuous_panels(spec: dict[str, Any]) -> bool:
    """Whether some panel's height is a length (``shorten`` can change it), not a step."""
    panels = (view for node in compositions(spec) if _panels(node) for view in inner_views(node.get("spec", node)))
    return any(not any(isinstance(layer.get("height"), dict) for layer in layers(view)) for view in panels)

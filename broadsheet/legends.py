"""A chart's legends: how several are arranged (a Vega setting the spec carries), stacked
one under another when a row of them is wider than the column, and whether they alone
make a drawing too wide (``fit`` then stacks them rather than narrowing the plot, which
would be drawn again for nothing).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from . import drawings
from .fields import unescape
from .views import compositions, views_with_rows

COLOR_CHANNELS = ("color", "fill", "stroke")
LEGEND_CHANNELS = (*COLOR_CHANNELS, "shape", "size", "opacity", "strokeDash")
# Vega puts a legend above, below or left of the plot at a place that does not depend on
# the plot's width when it is anchored at the start (Vega's default: vega-view-transforms'
# legend layout); one on the right moves with the plot's right edge.
FIXED_ORIENTS = frozenset({"top", "bottom", "left"})
MISSING = "No data"  # what a legend entry and a table cell say of a category the data leaves empty
_IS_MISSING = "datum.value == null"  # (Vega's legend label of a missing category is "null")
PADDING = 5  # px: Vega-Lite's padding around a drawing when the spec sets none


def stacked(spec: Mapping[str, Any], width: int) -> dict[str, Any] | None:
    """The spec with its legends one entry a line, each under the other, long names cut
    only past the column's width; None if they already are. For a legend that made the
    drawing wider than its column: the theme's legend is one row on top."""
    out = copy.deepcopy(dict(spec))
    one_column = {"direction": "vertical", "columns": 1, "labelLimit": width - 40}
    legend = out.setdefault("config", {}).setdefault("legend", {})
    changed = any(legend.get(k) != v for k, v in one_column.items())
    legend.update(one_column)
    set_layout(out, {"top": {"direction": "vertical", "anchor": "start"}, "bottom": {"direction": "vertical"}})
    for definition in _definitions(out):
        if isinstance(definition.get("legend"), dict) and any(k in definition["legend"] for k in ("direction", "columns", "labelLimit")):
            definition["legend"] = {k: v for k, v in definition["legend"].items() if k not in ("direction", "columns", "labelLimit")}
            changed = True
    return out if changed else None


def set_layout(spec: dict[str, Any], value: dict[str, Any]) -> None:
    """How several legends are arranged: a Vega setting Vega-Lite has no place for (its
    ``config.legend.layout`` takes only an expression), so it travels in the spec's
    ``usermeta`` and is put into the compiled Vega by whatever draws it (``layout_of``)."""
    usermeta = spec.setdefault("usermeta", {})
    usermeta["broadsheet"] = {**usermeta.get("broadsheet", {}), "legendLayout": value}


def layout_of(spec: Mapping[str, Any]) -> Any:
    """The Vega legend layout a spec carries (``set_layout``), or None."""
    usermeta = spec.get("usermeta")
    own = usermeta.get("broadsheet") if isinstance(usermeta, dict) else None
    return own.get("legendLayout") if isinstance(own, dict) else None


def reach(spec: Mapping[str, Any], svg: str, width: float) -> bool:
    """Whether the legends drawn in ``svg`` reach ``width`` px (with the drawing's padding)
    at a place that a narrower plot would not change: every legend of the spec above,
    below or left of its plot, at the start."""
    if not _fixed(spec):
        return False
    right = drawings.legend_right(svg)
    return right is not None and right + _right_padding(spec) > width


def _fixed(spec: Mapping[str, Any]) -> bool:
    config = spec.get("config", {})
    legend_config = config.get("legend", {}) if isinstance(config, dict) else {}
    if not isinstance(legend_config, dict) or "layout" in legend_config:
        return False
    orients = {legend_config.get("orient", "right")}  # (Vega-Lite's default: right)
    for definition in _definitions(dict(spec)):
        legend = definition.get("legend")
        if isinstance(legend, dict) and ("orient" in legend or "legendX" in legend):
            orients.add(legend.get("orient", "none"))
    layout = layout_of(spec) or {}
    anchored = (
        all(not isinstance(v, dict) or v.get("anchor", "start") == "start" for v in layout.values()) if isinstance(layout, dict) else False
    )
    return anchored and orients <= FIXED_ORIENTS


def _definitions(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """The encoding definitions of every view that may draw a legend (colour, shape...)."""
    found = []
    for node in compositions(spec):
        encoding = node.get("encoding")
        if isinstance(encoding, dict):
            found += [encoding[channel] for channel in LEGEND_CHANNELS if isinstance(encoding.get(channel), dict)]
    return found


def _right_padding(spec: Mapping[str, Any]) -> float:
    padding = spec.get("padding", spec.get("config", {}).get("padding", PADDING))
    value = padding.get("right", PADDING) if isinstance(padding, dict) else padding
    return float(value) if isinstance(value, (int, float)) else PADDING


def name_missing(spec: dict[str, Any]) -> None:
    """A legend of categories whose data leaves some empty says ``MISSING`` for them, as
    the chart's table does (``plotted``), where Vega writes "null". Whatever the label
    expression already does (wrapping long names) it still does."""
    for node, rows in views_with_rows(spec, spec.get("datasets", {}), None, before_transforms=True):
        encoding = node.get("encoding")
        definitions = [encoding[c] for c in LEGEND_CHANNELS if isinstance(encoding, dict) and isinstance(encoding.get(c), dict)]
        for definition in definitions if rows else ():
            if definition.get("type") not in ("nominal", "ordinal") or definition.get("legend", {}) is None:
                continue
            field = unescape(definition.get("field"))
            if not any(isinstance(row, dict) and field in row and row[field] is None for row in rows or ()):
                continue
            legend = definition.get("legend") or {}
            label = str(legend.get("labelExpr", "datum.label"))
            if _IS_MISSING not in label:
                named = label.replace("datum.label", f"({_IS_MISSING} ? '{MISSING}' : datum.label)")
                definition["legend"] = {**legend, "labelExpr": named}


# px between a colour gradient and its title on a phone: a label is centred on its value,
# so one just inside the gradient's end reaches past it by half its 12 px height, into
# Vega's 5 px (the narrow map's '0.3' over its title 'rate').
GRADIENT_TITLE_PADDING = 8


def pad_gradient_titles(spec: dict[str, Any]) -> None:
    """Each colour gradient's title (a quantitative or temporal colour) set far enough
    from the gradient that its end label cannot reach it, unless the chart sets its own."""
    for node in compositions(spec):
        encoding = node.get("encoding")
        if not isinstance(encoding, dict):
            continue
        for channel in COLOR_CHANNELS:
            definition = encoding.get(channel)
            if not isinstance(definition, dict) or definition.get("type") not in ("quantitative", "temporal"):
                continue
            legend = definition.get("legend", {})
            if legend is not None:
                definition["legend"] = {"titlePadding": GRADIENT_TITLE_PADDING, **(legend or {})}

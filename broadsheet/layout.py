"""Chart layouts: the wide rendering for a desktop column and the narrow one for a phone.

Every chart is drawn twice at build time. The wide layout is the chart as its author made
it, with every text at least ``WIDE_MIN_TEXT`` px and no wider than the desktop column,
so that nothing is scaled down at 1280 px. The narrow layout is laid out again for a
340 px column, as a graphics desk would: views stacked in one column, fewer ticks,
legends on top, shorter labels and 12 px text. CSS shows the one that fits.

These are pure functions from a compiled Vega-Lite spec (a dict) to a new spec; ``fit``
is the one that renders, through the function it is given, to shrink a chart that came
out wider than its column.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Literal

from . import facets, legends, wrapping
from .legends import LEGEND_CHANNELS
from .views import children, compositions, inner_views, is_view, layers

Layout = Literal["wide", "narrow"]
LAYOUTS: tuple[Layout, ...] = ("wide", "narrow")

WIDE_WIDTH = 686  # px: the chart column at 1280 px (and any screen over 60rem)
NARROW_WIDTH = 340  # px: a 375 px phone's column is 335 px; the narrow SVG is drawn to fill it
WIDE_MIN_TEXT = 11  # px: the smallest text of a wide chart, shown at its own size
WIDE_TEXT = 12  # px: axes, legends and facet headers unless the spec says otherwise
NARROW_TEXT = 12  # px: axis, legend and header text of a narrow chart
NARROW_MIN_TEXT = 11  # px: the smallest annotation of a narrow chart
NARROW_HEIGHT = 200  # px: the tallest plot of a narrow chart (the theme's wide one is 320)
NARROW_TICKS = 4  # ticks on a continuous x axis: about one per 80 px
NARROW_LABEL_SEPARATION = 3  # px between the labels of categories on a narrow x axis, as Vega measures them
NARROW_LABEL_LIMIT = 120  # px: longer labels of rows go onto more lines (``wrapping``); others are cut
NARROW_TEXT_LIMIT = 0.4  # of the width: a longer annotation goes onto more lines rather than run off the chart
LINE = 28  # characters: facet labels on top and legend entries start where the plot does, after the axis labels
CHARACTER = 7  # px: about the width of a character of 12 px text, to wrap a label at a panel's width


def wrap_label(line: int) -> str:
    """A Vega expression: break a label into lines of at most ``line`` characters, at spaces."""
    return f"split(trim(replace(datum.label, regexp('(.{{1,{line}}})(\\\\s+|$)', 'g'), '$1\\n')), '\\n')"


WRAP_LABEL = wrap_label(LINE)
MAX_OVERHANG = 0.45  # of the width: a narrow chart's axis labels are shorter than the wide one's
GUESS_OVERHANG = 0.22  # of the width, for a composition: about 75 px for an axis and its labels
DEFAULT_WIDTH = 640  # Vega-Lite's continuousWidth where a spec has no config
MIN_PLOT_WIDTH = 80  # px: ``fit`` never shrinks a view below this
SLACK = 0.04  # a drawing this much wider than its column is shown 4% smaller: 11 px text at 10.6 px
NARROW_READABLE = 368  # px: a narrow drawing wider than this, shown in a phone's 335 px column, has 11 px text under 10 px

FONT_KEYS = ("fontSize", "labelFontSize", "titleFontSize")
SKIP = ("data", "datasets", "transform", "params", "selection")  # no layout inside these


def panel_label(width: float) -> str:
    """A label over a panel ``width`` px wide, wrapped at about that width."""
    return wrap_label(max(8, int(width / CHARACTER)))


# ---------------------------------------------------------------- the two layouts


def wide(spec: Mapping[str, Any]) -> dict[str, Any]:
    """The chart as its author laid it out, with no text under ``WIDE_MIN_TEXT`` px."""
    out = copy.deepcopy(dict(spec))
    fonts = {"labelFontSize": WIDE_TEXT, "titleFontSize": WIDE_TEXT}  # Vega-Lite's defaults are 10 and 11 px
    defaults = {"axis": fonts, "legend": fonts, "header": fonts, "text": {"fontSize": WIDE_TEXT}}
    out["config"] = _merge(defaults, out.get("config", {}))
    raise_fonts(out, WIDE_MIN_TEXT)
    raise_text_marks(out, WIDE_MIN_TEXT)
    for node in compositions(out):
        _wrap_column_headers(node)
    wrapping.wrap_legend_labels(out, wrapping.LEGEND_LIMIT, WIDE_TEXT)  # (long series names on lines, not cut)
    wrapping.wrap_column_labels(out, WIDE_TEXT)
    legends.name_missing(out)
    return out


def _wrap_column_headers(node: dict[str, Any]) -> None:
    """Labels above panels side by side wrap at their panel's width, rather than run into
    the next panel's (five long names over 120 px panels)."""
    facet, encoding, inner = node.get("facet"), node.get("encoding"), node.get("spec")
    column, panel = (facet.get("column"), inner.get("width")) if isinstance(facet, dict) and isinstance(inner, dict) else (None, None)
    if column is None and isinstance(encoding, dict):
        column, panel = encoding.get("column"), node.get("width")
    if not isinstance(column, dict) or not isinstance(panel, (int, float)) or column.get("header", {}) is None:
        return
    header = column.get("header") or {}
    if "labelExpr" not in header:
        column["header"] = {**header, "labelExpr": panel_label(panel)}


def narrow(spec: Mapping[str, Any], width: int = NARROW_WIDTH, authored: bool = False, overhang: float | None = None) -> dict[str, Any]:
    """The chart laid out again for a ``width`` px column.

    Views side by side are stacked and facets wrap to one column. Each view's plot is
    ``width`` less ``overhang`` (what the wide drawing needed beyond its plot: axis labels,
    annotations past the edge; see ``overhang``), or a guess; ``fit`` corrects it after
    rendering. The narrow theme (12 px text, 4 ticks, legends on top with one entry a
    line) applies where the chart does not say otherwise; unless ``authored`` (the chart
    function drew its own narrow layout), what the chart says is adjusted too: fewer ticks,
    shorter labels, legends on top. Either way, labels of rows and annotations too long for
    the width go onto more lines, and text is never under ``NARROW_MIN_TEXT`` px. Explicit tick ``values`` are kept: they are data.
    """
    out = copy.deepcopy(dict(spec))
    _stack(out)
    if json.dumps(out.get("params", [])).count("child__column_") and not _has_column_repeat(out):
        _rename_views(out, "child__column_", "child__row_")  # (a selection names the views of a repeat, by its direction)
    margin = min(overhang, width * MAX_OVERHANG) if overhang is not None else width * GUESS_OVERHANG
    _size(out, round(width - margin))
    if not authored:
        for node in compositions(out):
            _restyle_encoding(node, width)
    raise_fonts(out, NARROW_MIN_TEXT)  # (text is measured at the size it is drawn)
    wrapping.wrap_long_text(out, NARROW_LABEL_LIMIT, round(width * NARROW_TEXT_LIMIT), NARROW_TEXT)  # (authored too: never cut)
    wrapping.wrap_legend_labels(out, width - 60, NARROW_TEXT, replaceable=(WRAP_LABEL,))
    wrapping.wrap_column_labels(out, NARROW_TEXT)
    out["config"] = _merge(out.get("config", {}), _narrow_config(width))  # (what the chart itself sets wins)
    legends.set_layout(out, {"top": {"direction": "vertical", "anchor": "start"}})  # several legends: one under another
    legends.name_missing(out)  # (after every label expression is set: it wraps them)
    legends.pad_gradient_titles(out)
    raise_fonts(out, NARROW_MIN_TEXT)
    raise_text_marks(out, NARROW_MIN_TEXT)
    return out


def overhang(spec: Mapping[str, Any], svg: str) -> float | None:
    """How much wider than its plot a single or layered chart was drawn (None for others)."""
    plot = _plot_width(spec)
    return max(0.0, svg_width(svg) - plot) if is_view(spec) and plot is not None else None


def code_digest() -> str:
    """A hash of the code that lays charts out, wraps their text and colours their
    series: part of every chart's cache key."""
    engine = Path(__file__).parent
    names = (
        "layout.py",
        "facets.py",
        "views.py",
        "colors.py",
        "wrapping.py",
        "legends.py",
        "drawings.py",
        "geodata.py",
        "renderers.py",
        "missingtables.py",
    )  # (drawings: the narrow layout's check; geodata: maps; renderers: each drawing's ids; why a table is missing)
    return hashlib.sha256(b"".join((engine / name).read_bytes() for name in names)).hexdigest()[:12]


def laid_out(spec: Mapping[str, Any], layout: Layout, authored: bool = False, overhang: float | None = None) -> dict[str, Any]:
    """``wide(spec)`` or ``narrow(spec)`` by name."""
    return narrow(spec, authored=authored, overhang=overhang) if layout == "narrow" else wide(spec)


def target_width(layout: Layout) -> int:
    return NARROW_WIDTH if layout == "narrow" else WIDE_WIDTH


def _narrow_config(width: int) -> dict[str, Any]:
    fonts = {"labelFontSize": NARROW_TEXT, "titleFontSize": NARROW_TEXT}
    return {
        "axis": {**fonts, "labelLimit": NARROW_LABEL_LIMIT, "titleLimit": width - 20, "labelOverlap": True},
        # (tickCount: ignored by band scales, an encoding's own count wins; labelPadding: a first
        # label that reaches left of the plot clears the y axis's lowest label, 2 px lower)
        "axisX": {"tickCount": NARROW_TICKS, "labelPadding": 4},
        # (Vega finds labels overlap by boxes 1 em tall; a browser draws them 1.12 em: turned
        # years 12.7 px apart touched. 3 px more between boxes leaves every other one out)
        "axisXDiscrete": {"labelSeparation": NARROW_LABEL_SEPARATION},
        "legend": {
            **fonts,
            "orient": "top",
            "direction": "vertical",
            "labelLimit": width - 60,
            "titleLimit": width - 20,
            "gradientLength": min(200, width - 60),
        },
        "header": {**fonts, "labelLimit": width - 10},
        "text": {"fontSize": NARROW_TEXT},
        "view": {"continuousWidth": width, "discreteWidth": width, "continuousHeight": NARROW_HEIGHT},
    }


# ---------------------------------------------------------------- structure and size


def _stack(node: dict[str, Any]) -> None:
    """Views side by side go one under another; facets and repeats wrap to one column."""
    if "hconcat" in node:
        node["vconcat"] = node.pop("hconcat")
    if "concat" in node or isinstance(node.get("repeat"), list) or (isinstance(node.get("facet"), dict) and "field" in node["facet"]):
        node["columns"] = 1  # (only these wrap: Vega-Lite allows no "columns" beside a repeat's row and column)
    repeat = node.get("repeat")
    if isinstance(repeat, dict) and "column" in repeat and "row" not in repeat and isinstance(node.get("spec"), dict):
        repeat["row"] = repeat.pop("column")  # (a grid of rows and columns stays a grid: ``narrow_or_scroll``)
        node["spec"] = _repeated_as(node["spec"], "column", "row")
    facets.as_wrapped(node)  # (a row of panels wraps onto as many rows as it needs: ``facets.wrap``)
    facet = node.get("facet")
    if isinstance(facet, dict) and "row" in facet:  # (a grid keeps its rows: wrapping its columns under them would mislead)
        _header_on_top(facet["row"])
    encoding = node.get("encoding")
    if isinstance(encoding, dict) and "row" in encoding:
        _header_on_top(encoding["row"])
    for child in children(node):
        _stack(child)


def _repeated_as(node: Any, old: str, new: str) -> Any:
    """``node`` with every ``{"repeat": old}`` reference (a field, a title) made ``{"repeat": new}``."""
    if isinstance(node, list):
        return [_repeated_as(item, old, new) for item in node]
    if not isinstance(node, dict):
        return node
    if node == {"repeat": old}:
        return {"repeat": new}
    return {k: v if k in SKIP else _repeated_as(v, old, new) for k, v in node.items()}


def _has_column_repeat(spec: dict[str, Any]) -> bool:
    return any(isinstance(n.get("repeat"), dict) and "column" in n["repeat"] for n in compositions(spec))


def _rename_views(spec: dict[str, Any], old: str, new: str) -> None:
    """The views every selection is defined in, renamed (``child__column_x_view_1``)."""
    for node in compositions(spec):
        for param in node.get("params", []) if isinstance(node.get("params"), list) else []:
            if isinstance(param, dict) and isinstance(param.get("views"), list):
                param["views"] = [v.replace(old, new, 1) if isinstance(v, str) else v for v in param["views"]]


def _header_on_top(row: Any) -> None:
    """A row facet's label above its panel, left-aligned, rather than beside it: the
    width goes to the plot."""
    if isinstance(row, dict):
        header = row.get("header") or {}
        on_top = {"labelOrient": "top", "labelAngle": 0, "labelAlign": "left", "labelAnchor": "start", "labelExpr": WRAP_LABEL}
        row["header"] = {**{k: v for k, v in header.items() if k != "labelBaseline"}, **on_top}


def _size(node: dict[str, Any], plot: int) -> None:
    """Every view's plot ``plot`` px wide, unless its width is a step per category, and at
    most ``NARROW_HEIGHT`` px tall: a phone shows the chart and the text about it at once."""
    node.pop("autosize", None)
    panels = facets.wrap(node, plot, panel_label)  # (a facet's panels: as many a row as fit)
    for view in inner_views(node):
        if not _is_step(view.get("width")):
            for layer in layers(view):
                layer.pop("width", None)
            view["width"] = panels.get(id(view), plot)
        for layer in layers(view):
            if isinstance(layer.get("height"), (int, float)) and layer["height"] > NARROW_HEIGHT:
                layer["height"] = NARROW_HEIGHT


def fit(spec: Mapping[str, Any], target: int, render: Callable[[dict[str, Any]], str], tries: int = 3) -> tuple[dict[str, Any], str]:
    """Render ``spec`` (``render`` returns SVG text); while the drawing is wider than
    ``target`` px, shrink its views by the excess and render again. Most charts need one
    rendering; one whose axis labels or annotations were wider than guessed needs two."""
    current = dict(spec)
    svg = render(current)
    for _ in range(tries):
        drawn = svg_width(svg)
        smaller, enough = refit(current, drawn, target), drawn - min((drawn - target) / 4, 2)
        if smaller is None or legends.reach(current, svg, enough):  # (fits; or its legends alone are that wide)
            break
        smaller_svg = render(smaller)
        if svg_width(smaller_svg) > enough:  # what overflows is not the plot: stop shrinking it
            break
        current, svg = smaller, smaller_svg
    stacked = legends.stacked(current, target) if svg_width(svg) > target * (1 + SLACK) else None
    if stacked is not None:  # (a legend in one row was what overflowed: fit the chart again with it stacked)
        return fit(stacked, target, render, tries)
    return current, svg


def refit(spec: Mapping[str, Any], drawn: float, target: int) -> dict[str, Any] | None:
    """A spec whose views are narrower by what the drawing (``drawn`` px wide) exceeds
    ``target``, or None when it fits (within ``SLACK``). Views side by side share the excess."""
    excess = drawn - target
    if drawn <= target * (1 + SLACK):
        return None
    out = copy.deepcopy(dict(spec))
    across = _views_across(out)
    changed = False
    for view in inner_views(out):
        size = view.get("width")
        plot = size if isinstance(size, (int, float)) else _default_width(out) if size is None else None
        if plot is not None:
            smallest = MIN_PLOT_WIDTH if plot >= MIN_PLOT_WIDTH else plot // 2  # (panels drawn smaller, as a row of 20 px bars)
            view["width"] = max(smallest, round(plot - excess / across))
        elif isinstance(size, dict) and "step" in size:
            view["width"] = {**size, "step": max(4.0, round(size["step"] * target / drawn, 2))}
        changed = changed or view.get("width") != size
    return out if changed else None


def _plot_width(view: Mapping[str, Any]) -> float | None:
    size = view.get("width", _default_width(view))
    return float(size) if isinstance(size, (int, float)) else None


def _default_width(spec: Mapping[str, Any]) -> float:
    """A view without a width is as wide as the config says (the theme: 640 px)."""
    return float(spec.get("config", {}).get("view", {}).get("continuousWidth", DEFAULT_WIDTH))


def svg_width(svg: str) -> float:
    """The width attribute of an SVG's root element."""
    match = re.search(r"<svg\b[^>]*?\swidth=\"([0-9.]+)\"", svg)
    return float(match.group(1)) if match else 0.0


def _views_across(node: Mapping[str, Any]) -> int:
    """How many views sit side by side in the widest row (a guess for facets)."""
    if "hconcat" in node:
        return sum(_views_across(child) for child in node["hconcat"])
    if "vconcat" in node:
        return max((_views_across(child) for child in node["vconcat"]), default=1)
    columns = node.get("columns")
    if "concat" in node:
        return min(len(node["concat"]), columns or len(node["concat"]))
    facet = node.get("facet", {})
    if isinstance(facet, dict) and ("column" in facet or "field" in facet):
        return columns or 3
    wrapped = node.get("encoding", {}).get("facet") if isinstance(node.get("encoding"), dict) else None
    return int(wrapped.get("columns") or 1) if isinstance(wrapped, dict) else 1


# ---------------------------------------------------------------- axes, legends, text


def _restyle_encoding(node: dict[str, Any], width: int) -> None:
    encoding = node.get("encoding")
    if isinstance(encoding, dict):
        x = encoding.get("x")
        if isinstance(x, dict) and x.get("type") in ("quantitative", "temporal"):
            _fewer_ticks(x)
        for channel in ("x", "y"):
            axis = encoding.get(channel, {}).get("axis") if isinstance(encoding.get(channel), dict) else None
            if isinstance(axis, dict):
                _shorter_labels(axis, width)
        for channel in LEGEND_CHANNELS:
            definition = encoding.get(channel)
            if isinstance(definition, dict) and "field" in definition and definition.get("legend", {}) is not None:
                definition["legend"] = _legend_on_top(definition.get("legend", {}), width)


def _fewer_ticks(x: dict[str, Any]) -> None:
    """An author's tick count over ``NARROW_TICKS`` comes down to it (the config gives the
    rest ``NARROW_TICKS``); explicit ``values`` and intervals ("every 3 months") stay."""
    axis = x.get("axis")
    count = axis.get("tickCount") if isinstance(axis, dict) else None
    if isinstance(axis, dict) and isinstance(count, (int, float)) and count > NARROW_TICKS:
        x["axis"] = {**axis, "tickCount": NARROW_TICKS}


def _shorter_labels(axis: dict[str, Any], width: int) -> None:
    if isinstance(axis.get("labelLimit"), (int, float)) and axis["labelLimit"] > NARROW_LABEL_LIMIT:
        axis["labelLimit"] = NARROW_LABEL_LIMIT
    if axis.get("labelOverlap") is False:  # the author's ticks may not all fit in a third of the width
        axis["labelOverlap"] = True


def _legend_on_top(legend: dict[str, Any], width: int) -> dict[str, Any]:
    """One entry a line above the plot, long series names wrapped rather than cut."""
    kept = {k: v for k, v in legend.items() if k not in ("orient", "direction", "columns", "legendX", "legendY", "labelLimit")}
    return {"labelExpr": WRAP_LABEL, **kept}


def raise_fonts(node: Any, minimum: float) -> None:
    """Every font size in the spec (marks, axes, legends, headers, config) at least ``minimum``."""
    if isinstance(node, list):
        for item in node:
            raise_fonts(item, minimum)
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if key in SKIP:
            continue
        if key in FONT_KEYS and isinstance(value, (int, float)) and value < minimum:
            node[key] = minimum
        else:
            raise_fonts(value, minimum)


def raise_text_marks(spec: dict[str, Any], minimum: float) -> None:
    """A text mark's ``size`` is its font size: a constant one (``size=alt.value(8)``, or
    the mark's own ``size``) at least ``minimum`` too."""
    for node in compositions(spec):
        mark = node.get("mark")
        if (mark if isinstance(mark, str) else mark.get("type") if isinstance(mark, dict) else None) != "text":
            continue
        if isinstance(mark, dict) and isinstance(mark.get("size"), (int, float)) and mark["size"] < minimum:
            mark["size"] = minimum
        size = node.get("encoding", {}).get("size") if isinstance(node.get("encoding"), dict) else None
        if isinstance(size, dict) and isinstance(size.get("value"), (int, float)) and size["value"] < minimum:
            size["value"] = minimum


def _is_step(size: Any) -> bool:
    return isinstance(size, dict) and "step" in size


def _merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        merged[key] = _merge(merged[key], value) if isinstance(value, dict) and isinstance(merged.get(key), dict) else value
    return merged

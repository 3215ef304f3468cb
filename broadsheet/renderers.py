"""The chart renderer: what runs in a chart worker (``workers``) for each chart.

``render_chart`` makes everything a chart's cache entry holds: the Vega-Lite spec and a
static accessible SVG of each layout (wide and narrow, ``layout.py``; a narrow layout that
would lose part of the chart gives way to the wide drawing, scrolled), the plotted data as
tables, and the warnings the build prints.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from . import colors, drawings, facets, layout, legends, textcheck
from .charts import ChartBlock, chart_location, compile_spec, first_line
from .data import Package
from .errors import SiteError
from .missingtables import missing_table
from .params import interactions
from .plotted import Column, PlottedTable, ReaderTableError, plotted_tables, pretty


@dataclass(frozen=True)
class RenderedChart:
    """What a chart worker returns: the Vega-Lite spec (JSON) and SVG of each layout, the
    plotted data, and the problems of its text (``textcheck``)."""

    spec: str
    svg: str
    tables: tuple[PlottedTable, ...]
    narrow_spec: str
    narrow_svg: str
    warnings: tuple[str, ...] = ()  # what the build prints at the chart, not stopping: "chart 'id' (narrow): 'a' overlaps 'b'"
    hint: str = ""  # what a reader can do with the live chart (``params.interactions``)
    series: tuple[tuple[str, str], ...] = ()  # each named series and its colour (``colors.series_scales``)
    no_table: str = ""  # why the chart has no table, for a reader (``missingtables``); "" when it has one


def render_chart(
    chart_block: ChartBlock, package: Package, root: Path, frames: dict[str, Any], series_colors: Mapping[str, str] | None = None
) -> RenderedChart:
    """Everything a chart's cache entry holds, made from its block and data (in a worker)."""
    spec = compile_spec(chart_block, package, root, frames, series_colors=series_colors)
    wide, svg = layout.fit(layout.wide(spec), layout.WIDE_WIDTH, partial(render_svg, chart_block=chart_block))
    authored = bool(chart_block.definition and chart_block.definition.layouts)
    source = compile_spec(chart_block, package, root, frames, series_colors=series_colors, layout="narrow") if authored else spec
    narrow = layout.narrow(source, authored=authored, overhang=layout.overhang(wide, svg))
    render_narrow = partial(render_svg, chart_block=chart_block, variant="n-")
    narrow, narrow_svg = facets.shorten(*layout.fit(narrow, layout.NARROW_WIDTH, render_narrow), render_narrow)
    warnings: list[str] = []
    lost = drawings.lost(svg, narrow_svg) if not authored else []  # (an author's own narrow chart may leave parts out)
    if layout.svg_width(narrow_svg) > layout.NARROW_READABLE:
        lost.append(f"its width ({layout.svg_width(narrow_svg):.0f} px drawn for a {layout.NARROW_WIDTH} px column)")
    if lost:  # (a phone gets the wide drawing, scrolled sideways, rather than a chart missing a part)
        narrow, narrow_svg = wide, ""
        what = "; ".join(lost)
        warnings.append(f"chart '{chart_block.id}': a phone layout would lose {what}: phones get the wide drawing, scrolled")
    warnings += [tall] if (tall := facets.height_warning(chart_block.id, narrow, narrow_svg)) else []
    columns: dict[str, Column] = {}
    for name in chart_block.datasets:
        for f in package.datasets[name].fields:
            columns.setdefault(f.name, Column(f.title or pretty(f.name), f.unit, f.type))  # (as in dataset tables)
    try:  # (a scrolly step shows no data table: its chart's figure does)
        tables = plotted_tables(spec, chart_block.title, columns, chart_block.tables) if chart_block.embeddable else []
    except ReaderTableError as exc:  # (the author's declaration, not the evaluator: an error at the chart)
        raise SiteError(*chart_location(chart_block), f"chart '{chart_block.id}': {exc}") from None
    except Exception as exc:  # drawn, but not evaluated: no table (the figure says so) rather than a wrong one, and no stopped build
        tables = []
        warnings.append(f"chart '{chart_block.id}': its plotted data could not be listed: {first_line(exc)}")
    missing = missing_table(spec) if chart_block.embeddable and not tables else None
    if missing is not None and not any("could not be listed" in w for w in warnings):
        warnings.append(f"chart '{chart_block.id}' has no \"Show the data\" table: {missing.author}")
    scales = colors.series_scales(spec)
    drawn = {"wide": svg, "narrow": narrow_svg} if narrow_svg else {"wide": svg}
    warnings += textcheck.chart_warnings(chart_block.id, drawn) + colors.color_warnings(chart_block.id, scales)
    series = tuple(dict.fromkeys((name, color) for scale in scales for name, color in zip(scale.names, scale.colors, strict=True)))
    hint = interactions(spec)
    no_table = missing.reader if missing is not None else ""
    return RenderedChart(spec_json(wide), svg, tuple(tables), spec_json(narrow), narrow_svg, tuple(warnings), hint, series, no_table)


def spec_json(spec: Mapping[str, Any]) -> str:
    """The spec as strict JSON, which browsers parse: a NaN or infinity a chart left in its
    data (a computed column, an object column) becomes null, Vega's missing value."""
    try:
        return json.dumps(spec, sort_keys=True, separators=(",", ":"), allow_nan=False)
    except ValueError:
        return json.dumps(_finite(spec), sort_keys=True, separators=(",", ":"), allow_nan=False)


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


def render_svg(spec: Mapping[str, Any], chart_block: ChartBlock, variant: str = "") -> str:
    """Render Vega-Lite to a static, accessible SVG whose ids are unique on the page
    (``variant`` tells a chart's narrow drawing from its wide one)."""
    import vl_convert

    chart_id, description = chart_block.id, chart_block.description
    try:
        svg = vl_convert.vegalite_to_svg(dict(spec)) if legends.layout_of(spec) is None else _with_legend_layout(spec)
    except Exception as exc:  # a spec Altair accepted but Vega cannot draw
        raise SiteError(*chart_location(chart_block), f"chart '{chart_id}' could not be rendered: {first_line(exc)}") from None
    svg = _own_ids(svg, f"c-{chart_id}-{variant}")
    svg = re.sub(r'\s(aria-[a-z]+|role)="[^"]*"', "", svg)
    return svg.replace("<svg ", f'<svg role="img" aria-label="{_attr(description)}" focusable="false" ', 1)


def _own_ids(svg: str, prefix: str) -> str:
    """The drawing's ids under the chart's ``prefix`` (unique on the page) and numbered from
    1 in the order they are defined. Vega numbers clip paths and gradients with counters that
    run on from one drawing to the next in a process, so a chart's ids depended on what its
    worker had drawn before, and a cold build's bytes on how the charts were shared out."""
    names: dict[str, str] = {}
    counts: Counter[str] = Counter()
    for found in re.finditer(r'\bid="([^"]+)"', svg):
        stem = found.group(1).rstrip("0123456789")
        if found.group(1) not in names:
            counts[stem] += 1
            names[found.group(1)] = f"{prefix}{stem}{counts[stem]}" if stem != found.group(1) else prefix + stem
    return re.sub(r'(\bid="|url\(#|href="#)([^")]+)', lambda m: m.group(1) + names.get(m.group(2), prefix + m.group(2)), svg)


def _with_legend_layout(spec: Mapping[str, Any]) -> str:
    """Drawn through Vega, with the legend layout the spec carries for it."""
    import vl_convert

    vega = vl_convert.vegalite_to_vega(dict(spec))
    vega.setdefault("config", {}).setdefault("legend", {})["layout"] = legends.layout_of(spec)
    return str(vl_convert.vega_to_svg(vega))


def _attr(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")


def warm_up() -> None:
    """Import what a chart needs and start the renderer with a one-point chart (~0.5 s),
    in a worker, before its first chart arrives."""
    import altair  # noqa: F401
    import pandas  # noqa: F401
    import vegafusion  # noqa: F401
    import vl_convert

    vl_convert.vegalite_to_svg({"mark": "point", "data": {"values": [{"a": 1}]}, "encoding": {"x": {"field": "a", "type": "quantitative"}}})

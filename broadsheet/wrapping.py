"""Long chart text on more lines, rather than cut with an ellipsis: a narrow layout's axis
labels on rows and its annotations.

Vega cuts a label at its ``labelLimit`` (or a text mark at its ``limit``) with "…", which
on a phone removed what carried the story ("10 days after the ballistic …"). These
transforms wrap the text instead, at spaces, to lines that fit the width, as measured
with the chart font (``fontmetrics``): a Vega expression breaks each label or text into
lines (the same expression for every row, so it is chosen to fit every value the spec's
data holds), and rows of labels are made tall enough for their lines.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from .fontmetrics import Font, chart_font
from .views import inner_views, layers, views_with_rows

LEGEND_CHANNELS = ("color", "fill", "stroke", "shape", "size", "opacity", "strokeDash")
LEGEND_LIMIT = 160  # px: Vega-Lite's own limit on a legend label
AXIS_LIMIT = 180  # px: and on an axis label
DEFAULT_STEP = 20  # px: Vega-Lite's width of a column when nothing sets it
MIN_LINE = 6  # characters: a narrower wrap would break most words' neighbours apart
MAX_LINE = 60
GUESS_CHARACTER = 7.0  # px of 12 px text: the line length when the values are not in the spec
ROW_GAP = 3  # px between the lines of one row's label and the next row's


def wrap_expression(value: str, line: int) -> str:
    """A Vega expression: ``value`` broken into an array of lines of at most ``line``
    characters, at spaces (a longer word keeps its line)."""
    return f"split(trim(replace({value}, regexp('(.{{1,{line}}})(\\\\s+|$)', 'g'), '$1\\n')), '\\n')"


def wrapped(text: str, line: int) -> list[str]:
    """What ``wrap_expression`` makes of ``text``, computed here (JavaScript's and Python's
    regular expressions agree on this one)."""
    return re.sub(rf"(.{{1,{line}}})(\s+|$)", "\\1\n", text).strip().split("\n")


def fitting_line(values: Sequence[str] | None, width: float, size: float, bold: bool = False, font: Font | None = None) -> int:
    """The longest line, in characters, at which every value wraps to lines ``width`` px
    wide or less (a guess from the width when the values are not known)."""
    if not values:
        return max(MIN_LINE, int(width / (GUESS_CHARACTER * size / 12)))
    font = font or chart_font()
    for line in range(MAX_LINE, MIN_LINE - 1, -1):
        if all(font.width(part, size, bold) <= width for value in values for part in wrapped(value, line)):
            return line
    return MIN_LINE


def wrap_words(text: str, width: float, size: float, bold: bool = False) -> list[str]:
    """``text`` broken at spaces into lines ``width`` px wide or less, measured."""
    font, lines = chart_font(), [""]
    for word in text.split():
        candidate = f"{lines[-1]} {word}".strip()
        if lines[-1] and font.width(candidate, size, bold) > width:
            lines.append(word)
        else:
            lines[-1] = candidate
    return lines


def wrap_long_text(spec: dict[str, Any], label_width: float, text_width: float, size: float) -> None:
    """Labels of rows (a y axis of categories) longer than ``label_width`` px and text marks
    (annotations, direct labels) longer than ``text_width`` px go onto more lines; rows of
    categories are made tall enough for the lines of their labels and texts."""
    # (the rows before any filter: the values a label or text may take, in any order)
    rows_of = {id(node): rows for node, rows in views_with_rows(spec, spec.get("datasets", {}), None, before_transforms=True)}
    for view in inner_views(spec):
        needed = 0.0
        for layer in layers(view):
            rows = rows_of.get(id(layer))
            needed = max(needed, _wrap_row_labels(layer, rows, label_width, size), _wrap_text(layer, view, rows, text_width, size))
        if needed:
            _tall_rows(view, needed)


def _wrap_row_labels(view: dict[str, Any], rows: list[Any] | None, width: float, size: float) -> float:
    """Wrap a y axis's labels of categories, centred on their rows; the height a row needs (0: none)."""
    y = view.get("encoding", {}).get("y")
    if not _rows(y):
        return 0.0
    axis = y.get("axis", {})
    if axis is None or "labelExpr" in axis:
        return 0.0
    domain = y.get("scale", {}).get("domain") if isinstance(y.get("scale"), dict) else None
    values = [str(v) for v in domain] if isinstance(domain, list) else _values(y["field"], rows)
    font_size = float(axis.get("labelFontSize", size))
    if values and all(chart_font().width(v, font_size) <= width for v in values):
        return 0.0
    if not values and not (isinstance(axis.get("labelLimit"), (int, float)) and axis["labelLimit"] >= width):
        return 0.0  # (labels not known and not long by the author's account)
    line = fitting_line(values, width, font_size)
    lines = max((len(wrapped(v, line)) for v in values), default=2)
    centre = f"-(length({wrap_expression('datum.label', line)}) - 1) * {(font_size + 2) / 2:g}"
    y["axis"] = {**axis, "labelExpr": wrap_expression("datum.label", line), "labelLimit": 0, "labelOffset": {"expr": centre}}
    return _row_height(lines, font_size)


def _values(field: str, rows: list[Any] | None) -> list[str]:
    """The distinct values of ``field`` in ``rows`` (none if they are not in the spec)."""
    found = {str(row[field]) for row in rows or () if isinstance(row, dict) and row.get(field) is not None}
    return sorted(found)


def _rows(definition: Any) -> bool:
    """A channel of categories (a band or point scale) labelled with its values as they are
    (not a time unit's or a format's rendering of them)."""
    if not isinstance(definition, dict) or definition.get("type") not in ("nominal", "ordinal"):
        return False
    shown_as_is = not any(k in definition for k in ("timeUnit", "bin", "aggregate")) and "format" not in (definition.get("axis") or {})
    return shown_as_is and isinstance(definition.get("field"), str)


def _row_height(lines: int, size: float) -> float:
    """What a row needs for ``lines`` lines of ``size`` px text (Vega's line height is size + 2)."""
    return (lines - 1) * (size + 2) + size * 1.2 + ROW_GAP


def _tall_rows(view: dict[str, Any], needed: float) -> None:
    size = view.get("height")
    step = size.get("step") if isinstance(size, dict) else None
    if isinstance(step, (int, float)) and step >= needed:
        return
    if not isinstance(size, (int, float)):  # (a fixed height stays: the author chose it)
        view["height"] = {"step": round(needed)}


def _wrap_text(layer: dict[str, Any], view: dict[str, Any], rows: list[Any] | None, width: float, size: float) -> float:
    """Wrap a text mark's text (given in the spec, or a field's through a calculated field),
    unless the chart breaks its own lines (``lineBreak``); the height a row needs if the text
    sits on rows of categories (0: none)."""
    mark = layer.get("mark")
    if not (mark == "text" or (isinstance(mark, dict) and mark.get("type") == "text")):
        return 0.0
    mark = mark if isinstance(mark, dict) else {"type": "text"}
    if "lineBreak" in mark:
        return 0.0  # (the chart breaks its own lines)
    limit = mark.get("limit")
    width = min(width, limit) if isinstance(limit, (int, float)) and limit > 0 else width  # (the author's, if narrower)
    font_size = float(mark.get("fontSize", size))
    bold = str(mark.get("fontWeight", "normal")) in ("bold", "bolder", "600", "700", "800", "900")
    encoding = layer.get("encoding", {})
    text, lines = encoding.get("text"), 1
    if isinstance(mark.get("text"), str):
        parts = wrap_words(mark["text"], width, font_size, bold)
        mark["text"], lines = _lines(parts), len(parts)
    elif isinstance(text, dict) and isinstance(text.get("value"), str):
        parts = wrap_words(text["value"], width, font_size, bold)
        encoding["text"], lines = {**text, "value": _lines(parts)}, len(parts)
    elif isinstance(text, dict) and _plain_field(text):
        lines = _wrap_field(layer, text, _values(text["field"], rows), width, font_size, bold)
    on_rows = _rows(encoding.get("y", view.get("encoding", {}).get("y")))
    hangs = on_rows and mark.get("baseline", "middle") == "middle"  # (a row's label hangs from its first line)
    layer["mark"] = {**mark, "limit": 0, **({} if hangs else _lift(mark, lines, font_size))} if lines > 1 or "limit" in mark else mark
    return _row_height(lines, font_size) if on_rows and lines > 1 else 0.0


def _lift(mark: Mapping[str, Any], lines: int, size: float) -> dict[str, Any]:
    """Vega draws a text's further lines below its first: text that stood on its point
    (baseline bottom) is raised by them, and text centred on it by half of them."""
    share = {"bottom": 1.0, "line-bottom": 1.0, "middle": 0.5}.get(str(mark.get("baseline", "middle")), 0.0)
    dy = mark.get("dy", 0)
    if lines < 2 or not share or not isinstance(dy, (int, float)):
        return {}
    return {"dy": dy - round(share * (lines - 1) * (size + 2), 1)}


def _lines(lines: list[str]) -> str | list[str]:
    return lines[0] if len(lines) == 1 else lines


def _plain_field(text: Mapping[str, Any]) -> bool:
    """A field of strings drawn as they are: no format, aggregate or time unit, a simple name."""
    field = text.get("field")
    plain = not any(k in text for k in ("format", "aggregate", "timeUnit", "condition", "bin"))
    return plain and text.get("type", "nominal") in ("nominal", "ordinal") and isinstance(field, str) and "\\" not in field


def _wrap_field(view: dict[str, Any], text: dict[str, Any], values: list[str], width: float, size: float, bold: bool) -> int:
    """Wrap a field's text through a calculated field; how many lines the longest takes."""
    if values and all(chart_font().width(v, size, bold) <= width for v in values):
        return 1
    line = fitting_line(values, width, size, bold)
    lines = f"{text['field']} (lines)"
    value = f"toString(datum[{json.dumps(text['field'])}])"
    view["transform"] = [*view.get("transform", []), {"calculate": wrap_expression(value, line), "as": lines}]
    view["encoding"]["text"] = {**text, "field": lines}
    return max((len(wrapped(v, line)) for v in values), default=2)


def wrap_legend_labels(spec: dict[str, Any], limit: float, size: float, replaceable: tuple[str, ...] = ()) -> None:
    """Legend labels wider than their limit (the legend's own ``labelLimit``, else ``limit``)
    go onto lines that fit, when the series are named in the spec; a ``labelExpr`` of the
    engine's own (``replaceable``: a guess made without the names) is replaced."""
    config_limit = spec.get("config", {}).get("legend", {}).get("labelLimit", limit)
    for view, rows in views_with_rows(spec, spec.get("datasets", {}), None, before_transforms=True):
        for channel in LEGEND_CHANNELS:
            definition = view.get("encoding", {}).get(channel)
            if not isinstance(definition, dict) or not isinstance(definition.get("field"), str):
                continue
            legend = definition.get("legend", {})
            if legend is None or ("labelExpr" in legend and legend["labelExpr"] not in replaceable):
                continue
            scale = definition.get("scale") if isinstance(definition.get("scale"), dict) else {}
            domain = scale.get("domain") if isinstance(scale, dict) else None
            values = [str(v) for v in domain] if isinstance(domain, list) else _values(definition["field"], rows)
            width = legend.get("labelLimit", config_limit)
            font_size = float(legend.get("labelFontSize", size))
            if not values or not isinstance(width, (int, float)) or width <= 0:
                continue
            if all(chart_font().width(v, font_size) <= width for v in values):
                continue
            expression = wrap_expression("datum.label", fitting_line(values, width, font_size))
            definition["legend"] = {**legend, "labelExpr": expression, "labelLimit": 0}


def wrap_column_labels(spec: dict[str, Any], size: float) -> None:
    """Labels of columns (an x axis of categories) wider than their column go onto lines
    that fit it, upright, rather than being turned and cut at 180 px; unless the author
    turned them. Where a single word is wider than the column, Vega-Lite's turned labels
    stay turned, whole."""
    datasets, config = spec.get("datasets", {}), spec.get("config", {})
    limit = config.get("axisX", {}).get("labelLimit", config.get("axis", {}).get("labelLimit", AXIS_LIMIT))
    default_width = config.get("view", {}).get("discreteWidth", {"step": DEFAULT_STEP})
    rows_of = {id(node): rows for node, rows in views_with_rows(spec, datasets, None, before_transforms=True)}
    for view in inner_views(spec):
        for layer in layers(view):
            x = layer.get("encoding", {}).get("x")
            axis = x.get("axis", {}) if _rows(x) else None
            if axis is None or "labelExpr" in axis or axis.get("labelAngle", 0) != 0:
                continue
            values = _values(x["field"], rows_of.get(id(layer)))
            width = view.get("width", default_width)
            step = (
                width.get("step")
                if isinstance(width, dict)
                else width / len(values)
                if values and isinstance(width, (int, float))
                else None
            )
            font_size = float(axis.get("labelFontSize", size))
            if not values or not isinstance(step, (int, float)):
                continue
            fit = min(step - 8, axis.get("labelLimit", limit))  # (Vega cuts a label at its limit)
            if all(chart_font().width(v, font_size) <= fit for v in values):
                continue
            line = fitting_line(values, fit, font_size)
            if any(chart_font().width(part, font_size) > fit for v in values for part in wrapped(v, line)):
                if "labelAngle" not in axis and step >= font_size * 1.2:  # (turned by Vega-Lite, side by side: not cut)
                    x["axis"] = {**axis, "labelLimit": 0}
                continue
            x["axis"] = {**axis, "labelAngle": 0, "labelExpr": wrap_expression("datum.label", line), "labelLimit": 0}

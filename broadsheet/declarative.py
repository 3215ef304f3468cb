"""Declarative charts: a ```chart block with ``data`` and ``mark`` instead of Python.

A journalist writes the chart in YAML: a dataset, a mark, and channels in Altair's
shorthand (``year:O``) or as mappings (``{field: year, type: ordinal, title: Year}``).
This module checks such a block against its dataset (every field, every option) and
turns it into an Altair chart. Axis titles come from the schema (a field's ``title`` and
``unit``), not from raw column names.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from .colors import PALETTE, color_problem
from .data import Dataset, Field
from .fields import did_you_mean, unescape
from .yamlmap import FieldSpec, YamlMap, written

MARKS = ("bar", "line", "point", "area", "rule", "text", "tick", "circle", "square")
# Channels a field (or a constant) can be given to, in the order Altair takes them.
CHANNELS = ("x", "y", "color", "size", "shape", "opacity", "text", "row", "column", "detail")
CONSTANT_CHANNELS = ("color", "size", "shape", "opacity")  # "#d62728", 40, "triangle", 0.6: not a column
STACKS = ("zero", "normalize", "center", "none")
KEYS: FieldSpec = {
    "id": ("text", False),  # the chart's id (its embed address); by default the title's slug
    "data": ("text", True),
    "mark": ("text", True),
    **{channel: ("any", False) for channel in CHANNELS},
    "tooltip": ("text or list", False),
    "sort": ("text or list", False),  # the x axis: "-y" (by y, descending), "y", or a list of values
    "stack": ("text", False),  # the y values: zero, normalize, center or none
    "width": ("integer", False),
    "height": ("integer", False),
    "max_rows": ("integer", False),  # past Altair's 5,000 embedded rows, on purpose
}
# The options each channel's mapping may take: Vega-Lite's (tests/test_declarative.py derives
# them from the schema Altair bundles). Vega-Lite ignores an option it does not know, so a
# misspelt one (`lgend: null`) would publish a chart that silently does not do what it says.
_FIELD = ("aggregate", "bandPosition", "bin", "field", "timeUnit", "title", "type")
_MARK_PROPERTY = (*_FIELD, "condition", "datum", "legend", "scale", "sort", "value")
_FACET = (*_FIELD, "align", "center", "header", "sort", "spacing")
CHANNEL_OPTIONS: dict[str, tuple[str, ...]] = {
    "x": (*_FIELD, "axis", "datum", "impute", "scale", "sort", "stack", "value"),
    "y": (*_FIELD, "axis", "datum", "impute", "scale", "sort", "stack", "value"),
    **{channel: _MARK_PROPERTY for channel in ("color", "size", "shape", "opacity")},
    "text": (*_FIELD, "condition", "datum", "format", "formatType", "value"),
    "row": _FACET,
    "column": _FACET,
    "detail": _FIELD,
    "tooltip": (*_FIELD, "condition", "format", "formatType", "value"),
}
TYPES = ("quantitative", "ordinal", "nominal", "temporal", "geojson")
SIZES = {"width": 4_000, "height": 4_000, "max_rows": 1_000_000}  # pixels, pixels, rows: at least 1
_HEX = re.compile(r"#(?:[0-9a-fA-F]{3}){1,2}\Z")
_SHAPES = ("circle", "square", "cross", "diamond", "triangle-up", "triangle-down", "triangle-right", "triangle-left", "stroke")


def check(spec: YamlMap, dataset: Dataset) -> None:
    """Every option and every field of a declarative block, at its line."""
    values = spec.values
    if values["mark"] not in MARKS:
        raise spec.error("mark", f"unknown mark '{values['mark']}'", "known: " + ", ".join(MARKS))
    for key in (*CHANNELS, "tooltip"):
        if key in values and not _is_constant(key, values[key]):
            _check_channel(spec, key, dataset)
    if values.get("stack") is not None and str(values["stack"]) not in STACKS:
        raise spec.error("stack", f"stack must be one of {', '.join(STACKS)}, found {values['stack']!r}")
    for key, most in SIZES.items():
        if key in values and not 1 <= values[key] <= most:
            raise spec.error(key, f"'{key}' must be a whole number from 1 to {most:,}, found {written(values[key])}")
    if "color" in values:
        _check_colors(spec, values["color"])
    if values["mark"] == "text" and "text" not in values:
        raise spec.error(None, "a text mark needs a 'text' channel: the column whose values it writes")


def _check_channel(spec: YamlMap, key: str, dataset: Dataset) -> None:
    value = spec.values[key]
    if not isinstance(value, (str, dict, list)) or (isinstance(value, list) and key != "tooltip"):
        raise spec.error(key, f"'{key}' must be a column (year:O) or a mapping ({{field: year, type: ordinal}}), found {written(value)}")
    for field in fields_of(value):
        if field not in dataset.columns:
            raise spec.error(key, f"column '{field}' is not in dataset '{dataset.name}'", "known: " + ", ".join(dataset.columns))
    for mapping in [v for v in (value if isinstance(value, list) else [value]) if isinstance(v, dict)]:
        unknown = sorted(set(mapping) - set(CHANNEL_OPTIONS[key]))
        if unknown:
            raise spec.error(key, f"'{key}' has no option '{unknown[0]}'", did_you_mean(unknown[0], frozenset(CHANNEL_OPTIONS[key])))
        if "type" in mapping and mapping["type"] not in TYPES:
            raise spec.error(key, f"'{key}': type {mapping['type']!r} is not a Vega-Lite type", "known: " + ", ".join(TYPES))


def _check_colors(spec: YamlMap, value: Any) -> None:
    """The colours a block gives its marks itself (``color: "#ffff00"``, a mapping's
    ``value``, a condition's, a scale's ``range``) get the check the site's colours get:
    3:1 against the light and the dark page."""
    for color in _constant_colors(value):
        full = re.sub(r"^#(.)(.)(.)$", r"#\1\1\2\2\3\3", color) if isinstance(color, str) else color  # (#ff0 is #ffff00)
        problem = color_problem(full)
        if problem and "contrast" in problem:
            hint = f"choose a colour that reads on the light and the dark page, such as the palette's: {', '.join(PALETTE)}"
            raise spec.error("color", f"'color': {problem.replace(str(full), str(color), 1)}", hint)
        if problem:
            raise spec.error("color", f"'color': {problem}", "give a colour as #rrggbb (its contrast with the page is checked)")


def _constant_colors(value: Any) -> list[Any]:
    if isinstance(value, str):
        return [value] if value.startswith("#") else []
    if not isinstance(value, dict):
        return []
    conditions = value.get("condition")
    items = [value, *(conditions if isinstance(conditions, list) else [conditions])]
    found = [item["value"] for item in items if isinstance(item, dict) and "value" in item]
    scale = value.get("scale")
    ranges = scale.get("range") if isinstance(scale, dict) else None
    return found + (list(ranges) if isinstance(ranges, list) else [])


def _is_constant(key: str, value: Any) -> bool:
    """``color: "#d62728"``, ``opacity: 0.5``, ``size: 60``, ``shape: triangle-up``: one value
    for every mark, not a column."""
    if key not in CONSTANT_CHANNELS:
        return False
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return key in ("size", "opacity")
    return isinstance(value, str) and ((key == "color" and bool(_HEX.match(value))) or (key == "shape" and value in _SHAPES))


def fields_of(encoding: Any) -> list[str]:
    """The dataset columns a channel names (``sum(tonnes):Q`` names ``tonnes``)."""
    if encoding is None:
        return []
    if isinstance(encoding, list):
        return [f for item in encoding for f in fields_of(item)]
    if isinstance(encoding, dict):
        return [encoding["field"]] if isinstance(encoding.get("field"), str) else []
    field = str(encoding).split(":")[0]
    match = re.match(r"^\w+\((.*)\)$", field)  # aggregate shorthand: sum(tonnes)
    field = match.group(1) if match else field
    return [field] if field and field != "*" else []


def build(spec: Mapping[str, Any], frame: Any, dataset: Dataset) -> Any:
    """The Altair chart a declarative block describes."""
    import altair as alt

    mark_options: dict[str, Any] = {"tooltip": True}
    if spec["mark"] in ("line", "area"):
        mark_options["invalid"] = "break-paths-show-domains"  # a missing value is a gap
    if spec["mark"] in ("line", "point"):
        mark_options["point"] = spec["mark"] == "line"
    encoding = {key: _channel(key, spec[key], dataset) for key in CHANNELS if key in spec}
    if "sort" in spec and "x" in encoding:
        encoding["x"] = encoding["x"].sort(spec["sort"])
    if "stack" in spec and "y" in encoding:
        encoding["y"] = encoding["y"].stack(None if spec["stack"] == "none" else spec["stack"])
    plotted = [spec[key] for key in ("x", "y", "color", "size", "text") if key in spec and not _is_constant(key, spec[key])]
    tooltip = spec.get("tooltip") or plotted
    encoding["tooltip"] = [_titled(alt.Tooltip, t, dataset) for t in (tooltip if isinstance(tooltip, list) else [tooltip])]
    chart = getattr(alt.Chart(frame), f"mark_{spec['mark']}")(**mark_options).encode(**encoding)
    return chart.properties(**{k: spec[k] for k in ("width", "height") if k in spec})


def _channel(key: str, value: Any, dataset: Dataset) -> Any:
    import altair as alt

    kinds = {"x": alt.X, "y": alt.Y, "color": alt.Color, "size": alt.Size, "shape": alt.Shape, "opacity": alt.Opacity}
    kinds |= {"text": alt.Text, "row": alt.Row, "column": alt.Column, "detail": alt.Detail}
    if _is_constant(key, value):
        return alt.value(value)
    if key == "detail":
        return alt.Detail(**value) if isinstance(value, dict) else alt.Detail(value)
    return _titled(kinds[key], value, dataset)


def _titled(kind: Any, value: Any, dataset: Dataset) -> Any:
    """A channel titled from the schema (``Coal (tonnes)``) unless the block titles it."""
    channel = kind(**value) if isinstance(value, dict) else kind(value)
    if isinstance(value, dict) and "title" in value:
        return channel
    names = fields_of(value)
    field = next((f for f in dataset.fields if names and f.name == names[0]), None)
    aggregate = re.match(r"^(\w+)\(", value) if isinstance(value, str) else None
    title = schema_title(field, aggregate.group(1) if aggregate else None)
    return channel.title(title) if title else channel


def schema_title(field: Field | None, aggregate: str | None = None) -> str | None:
    """A channel's title from the data package: the field's ``title`` (or its name) with its
    ``unit``, ``Mean of ...`` when aggregated; None when the schema gives neither."""
    if field is None or not (field.title or field.unit):
        return None
    title = field.title or field.name.replace("_", " ").capitalize()
    if aggregate and aggregate != "count":
        title = f"{aggregate.capitalize()} of {title[0].lower()}{title[1:]}"
    return f"{title} ({field.unit})" if field.unit and field.unit.lower() not in title.lower() else title


TITLED_CHANNELS = ("x", "y", "color", "fill", "stroke", "size", "shape", "opacity", "theta", "radius", "row", "column", "facet", "text")


def title_from_schema(spec: dict[str, Any], datasets: list[Dataset]) -> dict[str, Any]:
    """A Python chart's Vega-Lite spec with axis, legend and header titles from its
    datasets' schema, as a declarative chart gets them, where the chart sets none (a
    field a transform makes, even under a dataset column's name, keeps Vega-Lite's)."""
    fields = {f.name: f for dataset in reversed(datasets) for f in dataset.fields}
    made = set(_made_fields(spec))
    # a channel the author titled anywhere keeps that title: layers share an axis, and
    # Vega-Lite would join the author's title and ours ("Yield (kt), Yield kt central")
    authored = {channel for channel, definition in _definitions(spec) if _has_title(definition)}
    for channel, definition in _definitions(spec):
        if channel not in authored and isinstance(definition.get("field"), str) and not _has_title(definition):
            name = unescape(definition["field"])
            title = None if name in made else schema_title(fields.get(name), definition.get("aggregate"))
            if title:
                definition["title"] = title
    return spec


def _definitions(spec: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every channel definition in the spec, with its channel (tooltip items one by one)."""
    for node in _dicts(spec):
        encoding = node.get("encoding")
        if not isinstance(encoding, dict):
            continue
        for channel in (*TITLED_CHANNELS, "tooltip"):
            found = encoding.get(channel)
            yield from ((channel, d) for d in (found if isinstance(found, list) else [found]) if isinstance(d, dict))


def _has_title(definition: dict[str, Any]) -> bool:
    guides = [definition.get(key) for key in ("axis", "legend", "header")]
    return "title" in definition or any(isinstance(guide, dict) and "title" in guide for guide in guides)


def _dicts(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        yield value
        for item in value.values():
            yield from _dicts(item)
    elif isinstance(value, list):
        for item in value:
            yield from _dicts(item)


def _made_fields(spec: dict[str, Any]) -> Iterator[str]:
    """Every name a transform anywhere in the spec writes (``as``)."""
    for node in _dicts(spec):
        for transform in node.get("transform", []) if isinstance(node.get("transform"), list) else []:
            for inner in _dicts(transform):
                made = inner.get("as")
                yield from [made] if isinstance(made, str) else [m for m in made if isinstance(m, str)] if isinstance(made, list) else []

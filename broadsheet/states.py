"""Step states: each scrolly step's chart as a pure transform of the chart's compiled spec.

``apply_state`` turns the chart's compiled Vega-Lite spec into the spec of one step
(``scrolly.StepState``: a highlight, a filter, annotations, a zoom), a dict -> dict
transform run in the chart workers, and reports at the step's line what cannot be drawn
as written: a field the chart's data lacks, a value of the wrong kind.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import SiteError
from .fields import did_you_mean
from .scrolly import Annotation, Predicate, StepState, Value

DIM = 0.2  # the opacity of marks outside a highlight, as a share of their own
ANNOTATION_COLOR = "#000000"  # (the dark colour scheme draws pure black in the page's ink)


@functools.cache
def transform_digest() -> str:
    """A hash of this module: part of a step chart's cache key, so a change in how states
    are drawn renders the steps again."""
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:12]


@dataclass(frozen=True)
class _Unit:
    """A single-mark view inside a spec, and the fields its data has there."""

    spec: dict[str, Any]
    fields: frozenset[str]


def apply_state(spec: Mapping[str, Any], state: StepState, chart_id: str = "") -> dict[str, Any]:
    """The compiled Vega-Lite ``spec`` as it looks at one step (``spec`` is not changed)."""
    out = copy.deepcopy(dict(spec))
    units = list(_units(out, out.get("datasets", {}), frozenset()))
    where = _Where(state.src, chart_id or state.chart)
    if state.filter:
        predicate = _resolve(state.filter, units, where)
        for unit in _with_field(units, predicate.field):
            unit.spec["transform"] = [*unit.spec.get("transform", []), {"filter": _test(predicate, unit, where)}]
    if state.highlight:
        predicate = _resolve(state.highlight, units, where)
        for unit in _with_field(units, predicate.field):
            _dim_outside(unit, _test(predicate, unit, where))
    for axis, domain in (("x", state.zoom_x), ("y", state.zoom_y)):
        if domain:
            _zoom_axis(units, axis, domain, where.at(state.line))
    for number, annotation in enumerate(state.annotations):
        for view_number, view in enumerate(_views(out)):
            _annotate(view, annotation, labelled=view_number == 0, where=where.at(annotation.line), order=number)
    return out


@dataclass(frozen=True)
class _Where:
    """Where a step's errors are reported, and the chart they are about."""

    src: str
    chart_id: str
    line: int = 0

    def at(self, line: int) -> _Where:
        return _Where(self.src, self.chart_id, line)

    def error(self, message: str, hint: str | None = None) -> SiteError:
        return SiteError(self.src, self.line, message, hint)

    @property
    def chart(self) -> str:
        return f"chart '{self.chart_id}'" if self.chart_id else "the chart"


def _units(view: dict[str, Any], datasets: Mapping[str, Any], fields: frozenset[str]) -> Iterator[_Unit]:
    """Every single-mark view, with the fields of its data after the transforms above it."""
    if isinstance(view.get("data"), dict):
        fields = _columns(view["data"], datasets)
    for transform in view.get("transform", []):
        if isinstance(transform, dict):
            made = transform.get("as")
            fields = fields | frozenset([made] if isinstance(made, str) else made if isinstance(made, list) else [])
    if "mark" in view:
        yield _Unit(view, fields)
    for key in ("layer", "vconcat", "hconcat", "concat"):
        for child in view.get(key, []):
            yield from _units(child, datasets, fields)


def _columns(data: Mapping[str, Any], datasets: Mapping[str, Any]) -> frozenset[str]:
    rows = datasets.get(data["name"]) if "name" in data else data.get("values")
    return frozenset(k for row in rows if isinstance(row, dict) for k in row) if isinstance(rows, list) else frozenset()


def _with_field(units: list[_Unit], field: str) -> list[_Unit]:
    return [unit for unit in units if field in unit.fields]


def _resolve(predicate: Predicate, units: list[_Unit], where: _Where) -> Predicate:
    """The predicate with its field named (the colour field for ``series``) and checked."""
    where = where.at(predicate.line)
    field = predicate.field or _colour_field(units, where)
    if not _with_field(units, field):
        everything = frozenset().union(*(unit.fields for unit in units))
        raise where.error(f"field '{field}' is not in the data of {where.chart}", did_you_mean(field, everything))
    return Predicate(field, predicate.one_of, predicate.range, predicate.line)


def _colour_field(units: list[_Unit], where: _Where) -> str:
    for unit in units:
        for channel in ("color", "fill", "stroke"):
            definition = unit.spec.get("encoding", {}).get(channel, {})
            if isinstance(definition.get("field"), str):
                return str(definition["field"])
    raise where.error(f"{where.chart} has no colour field to pick a series from", "write {field: ..., equal: ...} instead of {series: ...}")


def _test(predicate: Predicate, unit: _Unit, where: _Where) -> str:
    """A Vega expression true for the rows the predicate keeps."""
    values = predicate.range or predicate.one_of
    dates = isinstance(values[0], dt.date)
    encoded = _field_type(unit, predicate.field)
    if encoded and dates != (encoded == "temporal"):
        holds = "dates" if encoded == "temporal" else "numbers" if encoded == "quantitative" else "categories"
        wanted = "dates" if dates else "text or numbers"
        raise where.at(predicate.line).error(f"field '{predicate.field}' holds {holds}, not {wanted}")
    datum = f"datum[{json.dumps(predicate.field)}]"
    if dates:
        datum = f"time({datum})"
    literals = [_literal(v) for v in values]
    if predicate.range:
        return f"inrange({datum}, [{literals[0]}, {literals[1]}])"
    return f"indexof([{', '.join(literals)}], {datum}) >= 0"


def _field_type(unit: _Unit, field: str) -> str:
    for definition in unit.spec.get("encoding", {}).values():
        if isinstance(definition, dict) and definition.get("field") == field and "type" in definition:
            return str(definition["type"])
    return ""


def _literal(value: Value) -> str:
    if isinstance(value, dt.date):
        return f"time(datetime({value.year}, {value.month - 1}, {value.day}))"  # (Vega's months count from 0)
    return json.dumps(value)


def _dim_outside(unit: _Unit, test: str) -> None:
    """Marks outside the highlight keep a fifth of their opacity, and text outside it is
    hidden: faded text would be unreadable (under the 4.5:1 contrast WCAG asks of text).
    Marks with their own opacity encoding are left as they are."""
    encoding = unit.spec.setdefault("encoding", {})
    if "opacity" in encoding:
        return
    mark = unit.spec["mark"]
    kind = mark.get("type") if isinstance(mark, dict) else mark
    base = mark.get("opacity", 1) if isinstance(mark, dict) else 1
    outside = 0 if kind == "text" else round(base * DIM, 4)
    encoding["opacity"] = {"condition": {"test": test, "value": base}, "value": outside}


def _zoom_axis(units: list[_Unit], axis: str, domain: tuple[Value, Value], where: _Where) -> None:
    zoomed = [unit for unit in units if isinstance(unit.spec.get("encoding", {}).get(axis), dict)]
    for unit in zoomed:
        definition = unit.spec["encoding"][axis]
        if "field" not in definition and "datum" not in definition:
            continue
        _check_axis(definition, domain[0], axis, where)
        definition["scale"] = {**definition.get("scale", {}), "domain": [_datum(v) for v in domain]}
        mark = unit.spec["mark"]
        unit.spec["mark"] = {**(mark if isinstance(mark, dict) else {"type": mark}), "clip": True}
        if unit.spec["mark"]["type"] == "text" and "field" in definition:  # a label cut in half says nothing: drop it
            outside = _test(Predicate(str(definition["field"]), range=domain), unit, where)
            unit.spec["transform"] = [*unit.spec.get("transform", []), {"filter": outside}]


def _check_axis(definition: Mapping[str, Any], value: Value, axis: str, where: _Where) -> None:
    temporal = definition.get("type") == "temporal"
    if temporal != isinstance(value, dt.date):
        shows = "dates" if temporal else "no dates"
        write = f"write {axis} as YYYY-MM-DD" if temporal else "write a number or a category"
        raise where.error(f"the {axis} axis of {where.chart} shows {shows}: {write}, found {value!r}")


def _datum(value: Value) -> Any:
    """A value as Vega-Lite writes it in a spec (dates as DateTime objects, months from 1)."""
    if isinstance(value, dt.date):
        return {"year": value.year, "month": value.month, "date": value.day}
    return value


# Keys that stay on the outer spec when a single view becomes a layer.
_OUTER_KEYS = {"$schema", "config", "datasets", "width", "height", "autosize", "padding", "background", "title", "description", "usermeta"}


def _views(spec: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The views an annotation is drawn in: the spec, or each panel of a concatenation."""
    for key in ("vconcat", "hconcat", "concat"):
        if key in spec:
            for child in spec[key]:
                yield from _views(child)
            return
    if "mark" in spec:  # a single view becomes a layer, so that layers can be added
        inner = {k: spec.pop(k) for k in list(spec) if k not in _OUTER_KEYS}
        spec["layer"] = [inner]
    if "layer" in spec:
        yield spec


def _annotate(view: dict[str, Any], annotation: Annotation, labelled: bool, where: _Where, order: int) -> None:
    x = next((u.spec["encoding"]["x"] for u in _units(view, {}, frozenset()) if "field" in u.spec.get("encoding", {}).get("x", {})), None)
    if x is None:
        return  # a panel without an x axis (a legend strip, a table) gets no annotation
    _check_axis(x, annotation.x, "x", where)
    position = {"x": {"datum": _datum(annotation.x), "type": x.get("type", "quantitative")}}
    one_row: dict[str, Any] = {"values": [{}]}  # (the view's own data would draw one rule per row)
    view["layer"].append({"data": one_row, "mark": {"type": "rule", "color": ANNOTATION_COLOR, "strokeWidth": 1.5}, "encoding": position})
    if not labelled:
        return
    y = {"datum": annotation.y} if annotation.y is not None else {"value": 2 + 16 * order}  # (stacked down from the top)
    label = {"type": "text", "align": "left", "baseline": "top", "dx": 5, "fontSize": 12, "fontWeight": "bold", "color": ANNOTATION_COLOR}
    view["layer"].append({"data": one_row, "mark": label, "encoding": {**position, "y": y, "text": {"value": annotation.text}}})

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
    """A single-mark view inside a spec, the fields its data has there, the rows it starts
    from (None when they are not in the spec) and the fields its transforms make."""

    spec: dict[str, Any]
    fields: frozenset[str]
    rows: tuple[Any, ...] | None = None
    made: frozenset[str] = frozenset()

    @property
    def mark(self) -> str:
        mark = self.spec.get("mark")
        return str(mark.get("type") if isinstance(mark, dict) else mark)


def apply_state(spec: Mapping[str, Any], state: StepState, chart_id: str = "") -> dict[str, Any]:
    """The compiled Vega-Lite ``spec`` as it looks at one step (``spec`` is not changed)."""
    out = copy.deepcopy(dict(spec))
    units = list(_units(out, out.get("datasets", {}), frozenset()))
    where = _Where(state.src, chart_id or state.chart)
    if state.filter:
        predicate = _resolve(state.filter, units, where)
        for unit, test in _tests("filter", predicate, units, where):
            unit.spec["transform"] = [*unit.spec.get("transform", []), {"filter": test}]
        _legend_kept(units, predicate)
    if state.highlight:
        predicate = _resolve(state.highlight, units, where)
        for unit, test in _tests("highlight", predicate, units, where):
            _highlight(unit, predicate, test)
        units = list(_units(out, out.get("datasets", {}), frozenset()))  # (a line may have become two layers)
    for axis, domain in (("x", state.zoom_x), ("y", state.zoom_y)):
        if domain:
            check_zoom(units, axis, domain, where.at(state.zoom_line or state.line))
            _zoom_axis(units, axis, domain, where.at(state.zoom_line or state.line))
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


def _units(view: dict[str, Any], datasets: Mapping[str, Any], fields: frozenset[str], above: _Unit | None = None) -> Iterator[_Unit]:
    """Every single-mark view, with the fields of its data after the transforms above it."""
    rows, made = (above.rows, above.made) if above else (None, frozenset[str]())
    if isinstance(view.get("data"), dict):
        found = datasets.get(view["data"]["name"]) if "name" in view["data"] else view["data"].get("values")
        rows, made = (tuple(found) if isinstance(found, list) else None), frozenset()
        fields = frozenset(k for row in rows or () if isinstance(row, dict) for k in row)
    for transform in view.get("transform", []):
        if isinstance(transform, dict):
            output = transform.get("as")
            output = [output] if isinstance(output, str) else output if isinstance(output, list) else []
            fields, made = fields | frozenset(output), made | frozenset(output)
    here = _Unit(view, fields, rows, made)
    if "mark" in view:
        yield here
    for key in ("layer", "vconcat", "hconcat", "concat"):
        for child in view.get(key, []):
            yield from _units(child, datasets, fields, here)


def _legend_kept(units: list[_Unit], predicate: Predicate) -> None:
    """A series a filter leaves out leaves the legend too (a step showing China's customs
    alone listed the UN committee's reports): a colour scale that lists its domain keeps
    what the filter keeps, and its range, entry for entry. Without a range of its own,
    only a domain whose kept values come first is cut: the colours come in domain order."""
    for unit in units:
        encoding = unit.spec.get("encoding")
        color = encoding.get("color") if isinstance(encoding, dict) else None
        scale = color.get("scale") if isinstance(color, dict) and color.get("field") == predicate.field else None
        domain = scale.get("domain") if isinstance(scale, dict) else None
        if not isinstance(scale, dict) or not isinstance(domain, list):
            continue
        keep = [i for i, value in enumerate(domain) if _holds(predicate, value)]
        colours = scale.get("range")
        listed = isinstance(colours, list) and len(colours) == len(domain)
        if not keep or len(keep) == len(domain) or not (listed or (colours is None and keep == list(range(len(keep))))):
            continue
        scale["domain"] = [domain[i] for i in keep]
        if isinstance(colours, list) and listed:
            scale["range"] = [colours[i] for i in keep]


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


def _tests(key: str, predicate: Predicate, units: list[_Unit], where: _Where) -> list[tuple[_Unit, str]]:
    """The units the predicate applies to, each with its Vega test, once it is known to
    match some row."""
    tests = [(unit, _test(predicate, unit, where)) for unit in _with_field(units, predicate.field)]
    check_matches(key, predicate, units, where)
    return tests


def check_matches(key: str, predicate: Predicate, units: list[_Unit], where: _Where) -> None:
    """A highlight or filter that matches no row of the chart (a misspelt series, a
    period outside the data) would fade or empty the chart under alt text that says
    otherwise: an error at its line. Rows are the chart's own, before its transforms;
    a field a transform makes is not checked (its values are only known to Vega)."""
    values = _values(units, predicate.field)
    if values is None or any(_holds(predicate, value) for value in values):
        return
    wanted = f"from {predicate.range[0]} to {predicate.range[1]}" if predicate.range else "is " + " or ".join(map(_shown, predicate.one_of))
    message = f"'{key}' matches no row of {where.chart}: no '{predicate.field}' {wanted}"
    raise where.at(predicate.line).error(message, _values_hint(predicate, values))


def check_zoom(units: list[_Unit], axis: str, domain: tuple[Value, Value], where: _Where) -> None:
    """A zoom that shows none of the chart's rows: an error at its line. Only a field
    drawn as it is counts (not aggregated, binned, stacked or made by a transform)."""
    plain = []
    for unit in units:
        definition = unit.spec.get("encoding", {}).get(axis)
        if not isinstance(definition, dict) or not isinstance(definition.get("field"), str):
            continue
        derived = any(k in definition for k in ("aggregate", "bin", "timeUnit"))
        stacked = unit.mark in ("bar", "area", "arc") and definition.get("stack", True) and definition.get("type") != "temporal"
        if derived or stacked:
            return  # (a drawn value that is not a row's: nothing to compare)
        _check_axis(definition, domain[0], axis, where)
        plain.append((unit, definition["field"]))
    fields = list(dict.fromkeys(field for _, field in plain))
    found = [_values([unit for unit, f in plain if f == field], field) for field in fields]
    if not fields or any(values is None for values in found):
        return  # (rows not in the spec: nothing to compare)
    if any(_holds(Predicate(field, range=domain), value) for field, values in zip(fields, found, strict=True) for value in values or ()):
        return
    named = " or ".join(f"'{field}'" for field in fields)
    hint = _values_hint(Predicate(fields[0], range=domain), found[0] or [])
    raise where.error(f"'zoom' shows no row of {where.chart}: no {named} from {domain[0]} to {domain[1]}", hint)


def _values(units: list[_Unit], field: str) -> list[Any] | None:
    """The values of ``field`` in the rows the units start from, or None if unknown."""
    known = [unit for unit in units if field in unit.fields and field not in unit.made and unit.rows is not None]
    if not known:
        return None
    return [row.get(field) for unit in known for row in unit.rows or () if isinstance(row, dict) and row.get(field) is not None]


def _holds(predicate: Predicate, value: Any) -> bool:
    """Whether the predicate keeps a row whose field is ``value``, as the Vega test does
    (``indexof`` is strict: the number 2016 is not the text "2016")."""
    wanted = predicate.range or predicate.one_of
    if isinstance(wanted[0], dt.date):
        moment = _moment(value)
        points = [dt.datetime(v.year, v.month, v.day) for v in wanted if isinstance(v, dt.date)]
        return moment is not None and (points[0] <= moment <= points[1] if predicate.range else moment in points)
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    comparable = [
        v for v in wanted if (isinstance(v, (int, float)) and not isinstance(v, bool)) == number and isinstance(v, (int, float, str))
    ]
    if predicate.range:
        return len(comparable) == 2 and comparable[0] <= value <= comparable[1]
    return value in comparable


def _moment(value: Any) -> dt.datetime | None:
    """A data value as Vega reads a date, in UTC (the chart workers' time zone)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return dt.datetime(1970, 1, 1) + dt.timedelta(milliseconds=value)
    try:
        moment = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.astimezone(dt.UTC).replace(tzinfo=None) if moment.tzinfo else moment


def _values_hint(predicate: Predicate, values: list[Any]) -> str:
    wanted = predicate.range or predicate.one_of
    if isinstance(wanted[0], dt.date):
        moments = sorted(m for m in map(_moment, values) if m is not None)
        return f"'{predicate.field}' runs from {_day(moments[0])} to {_day(moments[-1])}" if moments else ""
    numbers = sorted(v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool))
    if predicate.range and numbers:
        return f"'{predicate.field}' runs from {numbers[0]:g} to {numbers[-1]:g}"
    if isinstance(wanted[0], str) != (len(numbers) < len(values)):  # (1 is not "1" to Vega)
        holds, write = ("numbers", f"without quotes, such as {numbers[0]:g}") if numbers else ("text", f"in quotes, such as '{values[0]}'")
        return f"'{predicate.field}' holds {holds}: write the value {write}"
    found = frozenset(str(v) for v in values)
    return did_you_mean(str(wanted[0]), found) if len(found) <= 30 else f"'{predicate.field}' has {len(found):,} values"


def _shown(value: Value) -> str:
    return f"'{value}'" if isinstance(value, str) else str(value)


def _day(moment: dt.datetime) -> str:
    return moment.date().isoformat() if moment.time() == dt.time() else moment.isoformat()


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


PATH_MARKS = ("line", "area", "trail")  # one mark for many rows: its first row's opacity is the whole path's
GROUPING = ("color", "fill", "stroke", "detail", "strokeDash", "shape", "opacity", "size")  # channels that split paths


def _highlight(unit: _Unit, predicate: Predicate, test: str) -> None:
    """Marks the highlight keeps stand out. A line or an area is one mark: when the test
    varies along it (a period), it is drawn faded, and again, bright, over the rows
    the test keeps; when it names whole paths (a series), each path keeps or loses
    its opacity as any other mark."""
    encoding = unit.spec.get("encoding", {})
    grouped = any(isinstance(encoding.get(c), dict) and encoding[c].get("field") == predicate.field for c in GROUPING)
    if unit.mark not in PATH_MARKS or grouped or "opacity" in encoding:
        _dim_outside(unit, test)
        return
    spec = unit.spec
    mark = spec["mark"] if isinstance(spec["mark"], dict) else {"type": spec["mark"]}
    inner = {key: spec.pop(key) for key in ("mark", "encoding", "params") if key in spec}
    faded = {**inner, "mark": {**mark, "opacity": round(mark.get("opacity", 1) * DIM, 4)}}
    bright = {"mark": mark, "encoding": inner.get("encoding", {}), "transform": [{"filter": test}]}
    spec["layer"] = [faded, bright]  # (the view's data, transforms and size stay around both)


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

"""The parameters of a Vega-Lite spec: selections and bound variables, what a reader can
do with them, and the chart as it first appears.

A static drawing and the plotted-data table show a chart at its initial state: a
selection's initial ``value`` (or nothing selected), a variable's initial ``value``.
``at_initial_state`` rewrites the filters that test a selection into plain predicates
with that meaning, so the data can be evaluated without a browser; ``interactions``
says, in words, what a reader can do once the chart is live.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .views import compositions

ALWAYS, NEVER = "true", "false"  # Vega expressions: a filter that keeps every row, or none


@dataclass(frozen=True)
class Param:
    name: str
    value: Any  # the initial value (None when there is none)
    select: str  # "point", "interval", or "" for a variable
    bound: str  # how it is bound: "legend", "scales", an input ("range", "radio", "select", "checkbox"...), or ""
    fields: tuple[str, ...]  # the fields a selection projects over
    encodings: tuple[str, ...]  # the channels a selection projects over
    empty: bool = True  # whether an empty selection selects everything


def params_of(spec: Mapping[str, Any]) -> dict[str, Param]:
    """Every parameter declared anywhere in the spec, by name."""
    found: dict[str, Param] = {}
    for node in compositions(dict(spec)):
        for raw in node.get("params", []) if isinstance(node.get("params"), list) else []:
            if isinstance(raw, dict) and isinstance(raw.get("name"), str):
                found[raw["name"]] = _param(raw)
    return found


def _param(raw: Mapping[str, Any]) -> Param:
    select = raw.get("select")
    kind = select if isinstance(select, str) else select.get("type", "") if isinstance(select, dict) else ""
    options = select if isinstance(select, dict) else {}
    bind = raw.get("bind")
    bound = bind if isinstance(bind, str) else str(bind.get("input", "input")) if isinstance(bind, dict) else ""
    if isinstance(bind, dict) and "legend" in bind:
        bound = "legend"
    fields = tuple(str(f) for f in options.get("fields", []) if isinstance(f, str))
    encodings = tuple(str(e) for e in options.get("encodings", []) if isinstance(e, str))
    return Param(str(raw["name"]), raw.get("value"), kind, bound, fields, encodings)


def at_initial_state(spec: Mapping[str, Any]) -> dict[str, Any]:
    """The spec with every filter that tests a selection replaced by what it keeps at the
    chart's initial state: every row for an empty selection (none when ``empty`` is
    false), the rows of the initial ``value`` otherwise."""
    params = {name: p for name, p in params_of(spec).items() if p.select}
    out = copy.deepcopy(dict(spec))
    if not params:
        return out
    fields_by_channel = _fields_by_channel(out)
    for node in compositions(out):
        for transform in node.get("transform", []) if isinstance(node.get("transform"), list) else []:
            if isinstance(transform, dict) and "filter" in transform:
                transform["filter"] = _initial(transform["filter"], params, fields_by_channel)
    return out


def _initial(test: Any, params: Mapping[str, Param], channels: Mapping[str, str]) -> Any:
    if isinstance(test, dict) and isinstance(test.get("param"), str) and test["param"] in params:
        param = params[test["param"]]
        return _selected(param, bool(test.get("empty", param.empty)), channels)
    if isinstance(test, dict):
        out = dict(test)
        for key in ("and", "or"):
            if isinstance(test.get(key), list):
                out[key] = [_initial(item, params, channels) for item in test[key]]
        if "not" in test:
            out["not"] = _initial(test["not"], params, channels)
        return out
    return test


def _selected(param: Param, empty: bool, channels: Mapping[str, str]) -> Any:
    value = param.value
    if value in (None, [], {}):
        return ALWAYS if empty else NEVER
    if param.select == "interval" and isinstance(value, dict):
        ranges = []
        for channel, extent in value.items():
            field = channels.get(channel, channel)
            if isinstance(extent, list) and len(extent) == 2 and all(isinstance(v, int | float) for v in extent):
                low, high = sorted(extent)  # (an expression: VegaFusion evaluates no "range" predicate, Vega's inrange)
                ranges.append(f"datum[{json.dumps(field)}] >= {low} && datum[{json.dumps(field)}] <= {high}")
            elif isinstance(extent, list):
                ranges.append(f"indexof({json.dumps(extent)}, datum[{json.dumps(field)}]) >= 0")
        return " && ".join(f"({r})" for r in ranges) if ranges else (ALWAYS if empty else NEVER)
    if param.select == "point":
        rows = value if isinstance(value, list) else [value]
        tests: list[Any] = []
        for row in rows:
            if isinstance(row, dict):
                tests.append({"and": [{"field": channels.get(k, k), "equal": v} for k, v in row.items()]})
            elif param.fields:
                tests.append({"field": param.fields[0], "equal": row})
        return {"or": tests} if tests else (ALWAYS if empty else NEVER)
    return ALWAYS if empty else NEVER


def _fields_by_channel(spec: dict[str, Any]) -> dict[str, str]:
    """The field each channel shows (the first view that encodes it): what an interval's
    ``value: {x: [...]}`` ranges over."""
    found: dict[str, str] = {}
    for node in compositions(spec):
        encoding = node.get("encoding")
        for channel, definition in encoding.items() if isinstance(encoding, dict) else ():
            if isinstance(definition, dict) and isinstance(definition.get("field"), str):
                found.setdefault(channel, definition["field"])
    return found


def filters_by_param(spec: Mapping[str, Any]) -> bool:
    """Whether any view's data is filtered by a parameter (a selection or a bound value)."""
    names = set(params_of(spec))
    return any(_names_param(t.get("filter"), names) for t in _transforms(dict(spec)) if isinstance(t, dict))


def _transforms(spec: dict[str, Any]) -> Iterator[Any]:
    for node in compositions(spec):
        yield from node.get("transform", []) if isinstance(node.get("transform"), list) else []


def _names_param(test: Any, names: set[str]) -> bool:
    if isinstance(test, str):
        return any(name in test for name in names)
    if isinstance(test, dict):
        return test.get("param") in names or any(_names_param(v, names) for v in test.values() if isinstance(v, dict | list | str))
    if isinstance(test, list):
        return any(_names_param(item, names) for item in test)
    return False


INPUTS = {"range": "the slider", "select": "the menu", "radio": "the buttons", "checkbox": "the checkbox"}


def interactions(spec: Mapping[str, Any]) -> str:
    """What a reader can do with the live chart, in a sentence ("" for a chart with no
    selection, bound input or zoom): the hint its static drawing carries."""
    params = params_of(spec)
    filters = filters_by_param(spec)
    said: list[str] = []
    for param in params.values():
        said.append(_interaction(param, filters))
    said = [s for s in dict.fromkeys(said) if s]
    return ("In the live chart: " + "; ".join(said) + ".") if said else ""


def _interaction(param: Param, filters: bool) -> str:
    if param.bound == "scales":
        return "drag to pan and scroll to zoom"
    if param.bound == "legend":
        return "click a legend entry to pick out its series"
    if param.bound:
        return f"use {INPUTS.get(param.bound, 'the input')} below it to change what it shows"
    if param.select == "interval":
        return "drag across it to select a range" + (", which filters the other views" if filters else "")
    if param.select == "point":
        return "click a mark to pick it out" + (", which filters the other views" if filters else "")
    return ""

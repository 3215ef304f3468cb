"""The fields a Vega-Lite spec names: escaped where Vega-Lite would read them as paths,
and checked against the columns each view has (its data, after its transforms), so a
misspelt field is reported at the chart rather than drawn as an empty chart.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .views import children

# Channels in the order their columns appear in a table: facets first, then position.
CHANNEL_ORDER = ("row", "column", "facet", "x", "x2", "y", "y2", "theta", "theta2", "radius", "latitude", "longitude")
SPECIAL = re.compile(r"[.\[\]]")
# Window and joinaggregate operations that read no field (Altair writes "field": "" for some).
FIELDLESS_OPS = frozenset({"count", "row_number", "rank", "dense_rank", "percent_rank", "cume_dist", "ntile"})


def escape_fields(spec: Any, columns: frozenset[str]) -> Any:
    """Escape the columns whose names Vega-Lite would read as paths (``rate.pct``) wherever
    the spec names a field, so they are read as the flat columns they are."""
    special = {c for c in columns if SPECIAL.search(c)}
    if not special:
        return spec

    def escape(name: Any) -> Any:
        return SPECIAL.sub(lambda m: "\\" + m.group(0), name) if isinstance(name, str) and name in special else name

    def walk(node: Any) -> Any:
        if isinstance(node, list):
            return [walk(item) for item in node]
        if not isinstance(node, dict):
            return node
        out = {}
        for key, value in node.items():
            if key in ("datasets", "values"):
                out[key] = value
            elif key == "field":
                out[key] = escape(value)
                if isinstance(value, str) and value in special and "type" in node and "title" not in node:
                    out["title"] = default_title(value, node)  # (Vega-Lite's own would show the backslash)
            elif key in ("groupby", "fold") and isinstance(value, list):
                out[key] = [escape(v) for v in value]
            else:
                out[key] = walk(value)
        return out

    return walk(spec)


def default_title(field: str, definition: Mapping[str, Any]) -> str:
    """The title Vega-Lite gives an encoding by default, for a field written as it is."""
    aggregate, unit = definition.get("aggregate"), definition.get("timeUnit")
    if isinstance(aggregate, str) and aggregate != "count":
        return f"{aggregate.capitalize()} of {field}"
    if isinstance(unit, str):
        return f"{field} ({unit})"
    return f"{field} (binned)" if definition.get("bin") else field


def unescape(name: Any) -> str:
    return re.sub(r"\\(.)", r"\1", str(name))


def root_field(name: str) -> str:
    """The column a nested field starts from: ``last_date['date']`` and ``last_date.date``
    read ``last_date`` (Vega-Lite's paths into an object, as an ``argmax`` makes)."""
    return re.split(r"\.|\[", name, maxsplit=1)[0]


@dataclass(frozen=True)
class UnknownField:
    field: str
    known: frozenset[str]  # the data's columns and the fields its transforms make
    columns: frozenset[str]  # the data's columns only


def unknown_fields(spec: Mapping[str, Any]) -> Iterator[UnknownField]:
    """Every field an encoding names that is neither a column of its data nor made by a
    transform before it. Views whose fields cannot be known (data by URL, a pivot) are skipped."""
    datasets = spec.get("datasets", {})

    def columns_of(data: Any) -> frozenset[str] | None:
        records = datasets.get(data.get("name")) if isinstance(data, dict) and "name" in data else None
        records = data.get("values") if records is None and isinstance(data, dict) else records
        if isinstance(records, list) and records and isinstance(records[0], dict):
            return frozenset(k for r in records for k in r)
        return None

    def walk(
        view: Mapping[str, Any], columns: frozenset[str] | None, known: frozenset[str] | None, repeated: Any
    ) -> Iterator[UnknownField]:
        """``repeated``: the fields a repeat above names, checked where the data is known."""
        if "data" in view:
            columns = known = columns_of(view["data"])
        for transform in view.get("transform", []):
            if known is not None and columns is not None:
                for named in _transform_fields(transform):
                    if named not in known and root_field(named) not in known:
                        yield UnknownField(named, known, columns)
            known = _after_transforms([transform], known)
        channels, allowed = dict(view.get("encoding", {})), known
        repeated = {**repeated, **_repeated(view.get("repeat"))}
        if isinstance(view.get("spec"), dict):  # a facet or repeat: its fields may be made by transforms inside it
            channels, below = facet_channels(view.get("facet")), _made_below(view["spec"])
            allowed = known | below if known is not None and below is not None else None
        if allowed is not None and columns is not None:
            for _, definition in definitions({**channels, **repeated}):
                for named in _fields_named(definition):
                    if named not in allowed and root_field(named) not in allowed:
                        yield UnknownField(named, allowed, columns)
            repeated = {}
        for child in children(view):
            yield from walk(child, columns, known, repeated)

    yield from walk(spec, None, None, {})


def _made_below(spec: Any) -> frozenset[str] | None:
    """Every field the transforms anywhere inside ``spec`` make (None: cannot tell)."""
    made: frozenset[str] = frozenset()
    if isinstance(spec, dict):
        if isinstance(spec.get("transform"), list):
            after = _after_transforms(spec["transform"], frozenset())
            if after is None:
                return None
            made |= after
        for child in children(spec):
            inner = _made_below(child)
            if inner is None:
                return None
            made |= inner
    return made


def _repeated(repeat: Any) -> dict[str, Any]:
    """The fields a repeat draws one view of each (``repeat(column=[...])``), as channels."""
    lists = [repeat] if isinstance(repeat, list) else list(repeat.values()) if isinstance(repeat, dict) else []
    lists = [names for names in lists if isinstance(names, list)]
    return {f"repeat {i}": {"field": name} for i, name in enumerate(n for names in lists for n in names if isinstance(n, str))}


def facet_channels(facet: Any) -> dict[str, Any]:
    if not isinstance(facet, dict):
        return {}
    return {"facet": facet} if "field" in facet else {k: v for k, v in facet.items() if k in ("row", "column")}


def _transform_fields(transform: Any) -> Iterator[str]:
    """The fields a transform reads by name (not those inside expressions)."""
    if not isinstance(transform, dict):
        return
    for key in ("groupby", "fold", "flatten"):
        for name in transform.get(key, []) if isinstance(transform.get(key), list) else []:
            yield unescape(name)
    for key in ("aggregate", "joinaggregate", "window"):
        for item in transform.get(key, []) if isinstance(transform.get(key), list) else []:
            if isinstance(item, dict) and item.get("field") and isinstance(item["field"], str) and item.get("op") not in FIELDLESS_OPS:
                yield unescape(item["field"])
    if ("timeUnit" in transform or "bin" in transform) and isinstance(transform.get("field"), str):
        yield unescape(transform["field"])
    if isinstance(transform.get("stack"), str):
        yield unescape(transform["stack"])
    if isinstance(transform.get("lookup"), str):
        yield unescape(transform["lookup"])
    for key in ("filter", "calculate"):
        yield from _read_by(transform.get(key))


# In a Vega expression: datum.name or datum['name'] / datum["name"]
_DATUM = re.compile(r"""\bdatum\s*(?:\.\s*([A-Za-z_$][\w$]*)|\[\s*(['"])((?:\\.|(?!\2).)*)\2\s*\])""")


def _read_by(test: Any) -> Iterator[str]:
    """The fields a filter or calculate reads: ``datum.x`` in an expression, ``field`` in
    a predicate (and inside and/or/not). A selection parameter reads none we can name."""
    if isinstance(test, str):
        for match in _DATUM.finditer(test):
            yield match.group(1) or re.sub(r"\\(.)", r"\1", match.group(3))
    elif isinstance(test, dict):
        if isinstance(test.get("field"), str):
            yield unescape(test["field"])
        for key in ("and", "or"):
            for item in test.get(key, []) if isinstance(test.get(key), list) else []:
                yield from _read_by(item)
        yield from _read_by(test.get("not"))


def _fields_named(definition: Mapping[str, Any]) -> Iterator[str]:
    field = definition.get("field")
    if isinstance(field, str) and field != "*":
        yield unescape(field)
    sort = definition.get("sort")
    if isinstance(sort, dict) and isinstance(sort.get("field"), str):
        yield unescape(sort["field"])
    condition = definition.get("condition")
    for item in condition if isinstance(condition, list) else [condition]:
        if isinstance(item, dict) and isinstance(item.get("field"), str):
            yield unescape(item["field"])


def _as(value: Any, default: list[str]) -> list[str]:
    if value is None:
        return default
    return [value] if isinstance(value, str) else [str(v) for v in value]


def _after_transforms(transforms: list[Any], known: frozenset[str] | None) -> frozenset[str] | None:
    """The fields that exist after ``transforms`` (None: cannot tell)."""
    for t in transforms:
        if known is None or not isinstance(t, dict):
            return None
        made: list[str]
        if "calculate" in t or "timeUnit" in t or "bin" in t:
            made = _as(t.get("as"), [])
        elif "aggregate" in t:
            known = frozenset(unescape(g) for g in t.get("groupby", []))
            made = [a["as"] for a in t["aggregate"] if "as" in a]
        elif "joinaggregate" in t:
            made = [a["as"] for a in t["joinaggregate"] if "as" in a]
        elif "window" in t:
            made = [a["as"] for a in t["window"] if "as" in a]
        elif "fold" in t:
            made = _as(t.get("as"), ["key", "value"])
        elif "stack" in t or "flatten" in t:
            made = _as(t.get("as"), [str(t.get("stack", "")) + "_start", str(t.get("stack", "")) + "_end"])
            made += [str(f) for f in t.get("flatten", [])]
        elif "density" in t:
            known = frozenset(t.get("groupby", []))
            made = _as(t.get("as"), ["value", "density"])
        elif "quantile" in t:
            known = frozenset(t.get("groupby", []))
            made = _as(t.get("as"), ["prob", "value"])
        elif "regression" in t or "loess" in t:
            known = frozenset([*t.get("groupby", []), str(t.get("on", "")), str(t.get("regression", t.get("loess", "")))])
            made = _as(t.get("as"), [])
        elif "lookup" in t and (t.get("as") or t.get("from", {}).get("fields")):
            made = _as(t.get("as"), []) + [str(f) for f in t.get("from", {}).get("fields", [])]
        elif any(k in t for k in ("filter", "sample", "impute", "extent")):
            made = []
        else:  # pivot and anything else: the fields depend on the data
            return None
        known = known | {unescape(m) for m in made}
    return known


def did_you_mean(name: str, known: frozenset[str]) -> str:
    close = difflib.get_close_matches(name, sorted(known), n=1)
    listed = "known: " + ", ".join(sorted(known))
    return f"did you mean '{close[0]}'? {listed}" if close else listed


def definitions(encoding: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    order = {c: i for i, c in enumerate(CHANNEL_ORDER)}
    found: list[tuple[str, Mapping[str, Any]]] = []
    for channel in sorted(encoding, key=lambda c: order.get(c, len(order))):
        value = encoding[channel]
        for definition in value if isinstance(value, list) else [value]:
            if isinstance(definition, dict):
                found.append((channel, definition))
    return found

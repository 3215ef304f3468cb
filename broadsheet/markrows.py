"""The rows each view of a chart is drawn from: every unit view of a Vega-Lite spec named,
so that its marks can be found in the Vega that VegaFusion evaluated, and their data read
there (through facets, and the parts of a composite mark such as a boxplot)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .fields import facet_channels


@dataclass(frozen=True)
class View:
    """A unit view of a chart: its name in the compiled Vega and its effective encoding."""

    name: str
    mark: str
    encoding: Mapping[str, Any]


def name_views(spec: dict[str, Any], inherited: Mapping[str, Any], views: list[View], details: tuple[Any, ...] = ()) -> None:
    """Name every unit view (``bsv0``, ``bsv1``..., unless Altair named it) so its marks can be found in the Vega.

    A facet operator is turned into a plain view that draws its facet fields as ``detail``:
    VegaFusion evaluates only the data outside facet cells, and the rows (grouped the same
    way) are the same. Sizes go: they shape no data, and a step height is invalid once
    the facet's layers are flattened."""
    for key in ("width", "height"):
        spec.pop(key, None)
    if isinstance(spec.get("spec"), dict) and "facet" in spec:
        channels = facet_channels(spec.pop("facet"))
        inner = spec.pop("spec")
        for key in ("columns", "spacing", "align", "center", "bounds"):
            spec.pop(key, None)
        transforms = list(spec.pop("transform", [])) + list(inner.pop("transform", []))
        spec.update(inner, **({"transform": transforms} if transforms else {}))
        for key in ("width", "height"):
            spec.pop(key, None)
        facets = tuple({k: v for k, v in d.items() if k in ("field", "type", "timeUnit", "bin")} for d in channels.values())
        inherited, details = {**inherited, **channels}, details + facets
    encoding = {**inherited, **spec.get("encoding", {})}
    if isinstance(spec.get("layer"), list):
        for child in spec["layer"]:
            name_views(child, encoding, views, details)
    elif any(isinstance(spec.get(k), list) for k in ("hconcat", "vconcat", "concat")):
        for key in ("hconcat", "vconcat", "concat"):
            for child in spec.get(key, []):
                name_views(child, {}, views)
    elif "mark" in spec:
        spec["name"] = spec.get("name") or f"bsv{len(views)}"  # (a selection's "views" name the view it is defined in)
        for channel in ("detail", "tooltip") if details else ():  # detail: grouped by; tooltip: kept by VegaFusion
            own = spec.setdefault("encoding", {}).get(channel, [])
            spec["encoding"][channel] = [*(own if isinstance(own, list) else [own] if own else []), *details]
        mark = spec["mark"]["type"] if isinstance(spec["mark"], dict) else str(spec["mark"])
        views.append(View(spec["name"], mark, encoding))


def mark_rows(vega: Mapping[str, Any], names: set[str]) -> dict[str, list[dict[str, Any]]]:
    """View name -> the rows its marks are drawn from, in the evaluated Vega spec."""
    data: dict[str, Mapping[str, Any]] = {}
    marks: list[tuple[Mapping[str, Any], Mapping[str, str]]] = []

    def walk(group: Mapping[str, Any], aliases: Mapping[str, str]) -> None:
        for item in group.get("data", []):
            data[item["name"]] = item
        for mark in group.get("marks", []):
            facet = mark.get("from", {}).get("facet")
            inner = (
                {**aliases, facet["name"]: aliases.get(facet["data"], facet["data"])} if isinstance(facet, dict) else aliases
            )  # (a facet of a facet)
            marks.append((mark, aliases))
            if mark.get("type") == "group":
                walk(mark, inner)

    walk(vega, {})
    found: dict[str, list[dict[str, Any]]] = {}
    for mark, aliases in marks:
        own = re.sub(r"_layer_\d+$", "", str(mark.get("name", "")).removesuffix("_marks"))  # bsv0_marks; bsv0_child_marks in a facet;
        name = own if own in names else own.removesuffix("_child")  # bsv0_layer_2_marks: a part of a boxplot or error bar
        source = mark.get("from", {}).get("data")
        if name not in names or not isinstance(source, str):
            continue
        rows = _rows_of(data, aliases, source)
        if rows is not None:  # (not evaluated: no table rather than a wrong one)
            earlier = found.get(name)
            found[name] = rows if earlier is None else _side_by_side(earlier, rows)
    return found


def _rows_of(data: Mapping[str, Mapping[str, Any]], aliases: Mapping[str, str], source: str) -> list[dict[str, Any]] | None:
    """A dataset's evaluated rows; for one left unevaluated inside a facet cell that only
    picks columns (``project``), the rows of the facet it reads."""
    dataset = data.get(aliases.get(source, source), {})
    if isinstance(dataset.get("values"), list):
        return list(dataset["values"])
    transforms = dataset.get("transform") or []
    if isinstance(dataset.get("source"), str) and all(t.get("type") == "project" for t in transforms):
        return _rows_of(data, aliases, dataset["source"])
    return None


def _side_by_side(rows: list[dict[str, Any]], more: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The parts of a composite mark (a boxplot's whiskers and boxes), one row per group."""
    if len(rows) != len(more) or rows is more:
        return rows
    return [{**a, **b} for a, b in zip(rows, more, strict=True)]

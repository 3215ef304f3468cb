"""The views of a Vega-Lite spec: how a chart is composed (layers, concatenations,
facets, repeats) and the walks over it that layout, colours and field checks share.

A spec is the JSON Vega-Lite reads, as a dict; these functions only read its structure.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

COMPOSITIONS = ("layer", "hconcat", "vconcat", "concat")  # keys holding a list of child views


def children(node: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """A node's child views: its layers and concatenated views in order, then the view a
    facet or repeat applies to (``spec``)."""
    for key in COMPOSITIONS:
        views = node.get(key)
        yield from (view for view in views if isinstance(view, dict)) if isinstance(views, list) else ()
    if isinstance(node.get("spec"), dict):
        yield node["spec"]


def compositions(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """``node`` and every view inside it, outermost first."""
    yield node
    for child in children(node):
        yield from compositions(child)


def is_view(node: Mapping[str, Any]) -> bool:
    """A single view or a layered one (no facet, no concatenation)."""
    if "mark" in node:
        return not any(k in node.get("encoding", {}) for k in ("row", "column", "facet"))
    return "layer" in node


def layers(view: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """A view and every layer inside it, outermost first."""
    yield view
    for child in view.get("layer", []):
        if isinstance(child, dict):
            yield from layers(child)


def inner_views(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The single or layered views inside a composition, outermost first."""
    if is_view(node) or "mark" in node:  # (a unit with row/column encodings is sized like a view)
        yield node
        return
    for child in children(node):
        yield from inner_views(child)


def field_domain(definition: Mapping[str, Any], rows: list[Any] | None) -> list[Any] | None:
    """The field's distinct values in the view's data, in Vega-Lite's default (ascending)
    order or the encoding's own list; None when the data is not in the spec."""
    if rows is None or not isinstance(definition["field"], str):
        return None
    field = definition["field"]
    values = {row[field] for row in rows if isinstance(row, dict) and row.get(field) is not None}
    if not values:
        return None
    order = definition.get("sort")
    if isinstance(order, list):
        return [v for v in order if v in values] + sorted(v for v in values if v not in order)
    if order not in (None, "ascending"):
        return None  # sorted by another field or descending: leave the scale to Vega-Lite
    return sorted(values, key=str)


def views_with_rows(
    node: dict[str, Any], datasets: Mapping[str, Any], rows: list[Any] | None, before_transforms: bool = False
) -> Iterator[tuple[dict[str, Any], list[Any] | None]]:
    """Every view with the rows it draws (inherited from its parents), or None where a
    transform may change them (a filter drops values from the domain); with
    ``before_transforms``, the rows its transforms start from (a filter's values among them)."""
    data = node.get("data")
    if isinstance(data, dict):
        rows = data.get("values") if isinstance(data.get("values"), list) else datasets.get(data.get("name", ""))
    if node.get("transform") and not before_transforms:
        rows = None
    yield node, rows
    for child in children(node):
        yield from views_with_rows(child, datasets, rows, before_transforms)

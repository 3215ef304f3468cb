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

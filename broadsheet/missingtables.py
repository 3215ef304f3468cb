"""Why a chart has no "Show the data" table, in a reader's words (under the chart) and an
author's (a build warning at the chart's line, with what to do).

A figure said of every chart without a table that its values were "a density, a
regression or a similar calculation", which was untrue of a map and of a repeat; and the
build said nothing. The reason is read from the chart's spec.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .views import compositions

COMPUTED = ("density", "regression", "loess", "quantile")  # transforms Vega computes as it draws, VegaFusion cannot
GEO_FORMATS = ("topojson", "geojson")
TABLE_BLOCK = "show its data with a ```table``` block beside it"


@dataclass(frozen=True)
class MissingTable:
    """Why a chart's table is missing: for the reader, and for the author (the warning)."""

    reader: str
    author: str


def missing_table(spec: Mapping[str, Any]) -> MissingTable:
    """Why the table step listed no rows for ``spec``: a map, a repeat, a computed transform,
    or else values it could not evaluate."""
    nodes = list(compositions(dict(spec)))
    computed = sorted({name for node in nodes for name in _transforms(node) if name in COMPUTED})
    if computed:
        what = " and a ".join(computed)
        return MissingTable(
            f"The values this chart draws are computed as it is drawn (a {what}) and cannot be listed here.",
            f"its values are computed as it is drawn (a {what} transform), which the table step cannot evaluate: {TABLE_BLOCK}",
        )
    if any(_is_map(node) for node in nodes):
        return MissingTable(
            "A map's shapes cannot be listed as a table.",
            f"a map's shapes are not listed as a table: {TABLE_BLOCK} if its values matter to a reader",
        )
    repeated = [field for node in nodes for field in _repeated(node)]
    if repeated:
        return MissingTable(
            f"This chart draws one view for each of several columns ({', '.join(dict.fromkeys(repeated))}); "
            "its values are not listed here.",
            f"the views of a repeat are not listed as tables: {TABLE_BLOCK}, or draw its views with alt.concat",
        )
    return MissingTable(
        "The values this chart draws could not be listed when the site was built.",
        f"the table step found no rows it draws: {TABLE_BLOCK}",
    )


def _transforms(node: Mapping[str, Any]) -> Iterator[str]:
    for transform in node.get("transform", []) if isinstance(node.get("transform"), list) else []:
        if isinstance(transform, dict):
            yield from (key for key in transform if key in COMPUTED)


def _is_map(node: Mapping[str, Any]) -> bool:
    mark = node.get("mark")
    kind = mark.get("type") if isinstance(mark, dict) else mark
    data = node.get("data")
    shapes = isinstance(data, dict) and isinstance(data.get("format"), dict) and data["format"].get("type") in GEO_FORMATS
    return kind == "geoshape" or shapes


def _repeated(node: Mapping[str, Any]) -> list[str]:
    repeat = node.get("repeat")
    if isinstance(repeat, list):
        return [str(field) for field in repeat]
    if isinstance(repeat, dict):
        return [str(field) for fields in repeat.values() if isinstance(fields, list) for field in fields]
    return []

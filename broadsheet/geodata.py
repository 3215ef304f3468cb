"""Geographic data: TopoJSON and GeoJSON files of the data package, for maps.

A map's shapes are read from a file in ``data/`` (never fetched from another site) and
given to a chart function as a ``GeoData``; its ``feature`` (TopoJSON) or ``features``
(GeoJSON) is Altair data with the shapes inline, so the static SVG is drawn at build
time and the live chart loads nothing from elsewhere.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from .errors import SiteError

FORMATS = ("topojson", "geojson")
GEOMETRIES = ("Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon", "GeometryCollection")
GEOJSON_TYPES = frozenset(("FeatureCollection", "Feature", *GEOMETRIES))


def geo_format(format: Any, mediatype: Any, path: str) -> str | None:
    """``topojson`` or ``geojson`` for a geographic resource (by its ``format``, its
    ``mediatype`` or its file name), None for a table."""
    for value in (format, str(mediatype or "").rpartition("/")[2], path.rpartition(".")[2]):
        if isinstance(value, str) and value.lower() in FORMATS:
            return value.lower()
    return None


def read_geo(src: str, raw: bytes, format: str) -> Any:
    """The parsed file, checked to be what its format says (errors at ``src``)."""
    try:
        value = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        line = exc.lineno if isinstance(exc, json.JSONDecodeError) else None
        raise SiteError(src, line, f"not valid JSON: {exc}") from None
    kind = value.get("type") if isinstance(value, dict) else None
    if format == "topojson" and (kind != "Topology" or not isinstance(value.get("objects"), dict)):
        raise SiteError(src, 1, 'not a TopoJSON topology (an object with "type": "Topology" and "objects")')
    if format == "geojson" and kind not in GEOJSON_TYPES:
        raise SiteError(src, 1, f'not GeoJSON: its "type" is {kind!r}', "expected a FeatureCollection, a Feature or a geometry")
    return value


@dataclass(frozen=True)
class GeoData:
    """A TopoJSON or GeoJSON resource as a chart function receives it.

    ``us_10m.feature("states")`` is the features of the TopoJSON object ``states``
    (what ``alt.topo_feature(url, "states")`` loads from a URL); ``quakes.features()``
    the features of a GeoJSON file. Either goes wherever Altair takes data."""

    name: str
    format: str  # "topojson" or "geojson"
    value: Any = field(repr=False)

    @property
    def objects(self) -> tuple[str, ...]:
        """The names of a TopoJSON file's objects (``feature`` takes one)."""
        return tuple(self.value.get("objects", {})) if self.format == "topojson" else ()

    def feature(self, name: str) -> Any:
        """The features of the TopoJSON object ``name``, as Altair data."""
        return self._topology(name, "feature")

    def mesh(self, name: str) -> Any:
        """The borders between the shapes of the TopoJSON object ``name``, as one line."""
        return self._topology(name, "mesh")

    def features(self) -> Any:
        """A GeoJSON file's features as Altair data: one row per feature, its ``geometry``
        and its properties as fields (``mag``, not ``properties.mag``), as Altair gives a
        GeoDataFrame's rows."""
        import altair as alt

        if self.format != "geojson":
            raise ValueError(f"'{self.name}' is TopoJSON: use .feature(name), name one of {', '.join(self.objects)}")
        kind = self.value.get("type")
        found = self.value.get("features", []) if kind == "FeatureCollection" else [self.value] if kind == "Feature" else []
        found = found or [{"type": "Feature", "geometry": self.value, "properties": {}}]
        rows = [{**(f.get("properties") or {}), "type": "Feature", "geometry": f.get("geometry")} for f in found if isinstance(f, dict)]
        return alt.InlineData(values=rows)

    def _topology(self, name: str, kind: str) -> Any:
        import altair as alt

        if self.format != "topojson":
            raise ValueError(f"'{self.name}' is GeoJSON: use .features()")
        if name not in self.objects:
            raise ValueError(f"'{self.name}' has no object '{name}'; it has {', '.join(self.objects)}")
        format = alt.TopoDataFormat(type="topojson", feature=name) if kind == "feature" else alt.TopoDataFormat(type="topojson", mesh=name)
        # As text, which Vega parses by the format: the same drawing, ten times faster
        # (2.3 s to 0.2 s for the United States' counties) than an object Altair, the
        # renderer and the plotted-data step would each walk through.
        return alt.InlineData(values=self.text, format=format)

    @property
    def text(self) -> str:
        return json.dumps(self.value, separators=(",", ":"))

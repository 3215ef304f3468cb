"""Datasets: the data packages in ``data/``, as their publishers wrote them.

``data/datapackage.yaml`` (or ``.json``) is the site's own package: its resources are
named as they are (``coal_monthly``). A package downloaded whole goes in a folder of its
own, ``data/gdp/datapackage.json`` with its files where it keeps them (``data/gdp/data/
gdp.csv``): its resources are named ``FOLDER/NAME`` (``gdp/gdp``). Sources, licences and
contributors given once for a package are every resource's that gives none; a resource
without a ``schema`` in a downloaded package is a file it ships (an image, a map), not a
dataset. Every table is read and checked when loaded (``tables.py``); a changed file is
validated before its ``hash`` is compared, so a bad value is reported at its line first.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from .bound import Binding, tokenize
from .descriptor import (
    COMPRESSED,
    Location,
    Notes,
    check_inside,
    check_properties,
    find_descriptors,
    read_descriptor,
    resource_contents,
    resource_format,
)
from .errors import SiteError, known
from .geodata import GeoData, geo_format, read_geo
from .pins import check_pins
from .schema import Dialect, Field, missing_values, read_dialect, read_field
from .tables import check_keys, decode, json_lines, read_csv, read_items, validate_csv
from .yamlmap import FieldSpec, YamlMap

__all__ = ["Dataset", "Dialect", "Field", "Package", "Source", "load_package", "validate_csv"]

DATA_DIR = "data"
PACKAGE_FILE = "data/datapackage.yaml"

PACKAGE_KEYS: FieldSpec = {
    **{key: ("any", False) for key in ("$schema", "profile", "id", "image", "created", "keywords", "version", "homepage")},
    "name": ("text", False),
    "title": ("string", False),  # (published packages leave some empty: "")
    "description": ("string", False),
    "resources": ("list", True),
    "licenses": ("list", False),
    "sources": ("list", False),
    "contributors": ("list", False),
}
RESOURCE_KEYS: FieldSpec = {
    **{key: ("any", False) for key in ("$schema", "profile", "type", "bytes", "homepage", "scheme", "encoding", "mediatype")},
    "compression": ("any", False),  # (a compressed table is not read: a warning says so)
    "name": ("text", True),
    "path": ("any", False),
    "data": ("any", False),
    "title": ("string", False),
    "description": ("string", False),
    "sources": ("list", False),
    "licenses": ("list", False),
    "contributors": ("list", False),
    "schema": ("text or mapping", False),  # (required for a table: a map's shapes have none)
    "format": ("text", False),
    "hash": ("text", False),
    "dialect": ("text or mapping", False),
}
SCHEMA_KEYS: FieldSpec = {
    "$schema": ("any", False),
    "fields": ("list", True),
    "fieldsMatch": ("text", False),
    "primaryKey": ("text or list", False),
    "uniqueKeys": ("list", False),
    "foreignKeys": ("any", False),  # (knowingly not checked: another package's keys may not be here)
    "missingValues": ("list", False),
}
SOURCE_KEYS: FieldSpec = {
    **{key: ("any", False) for key in ("role", "roles", "organization", "givenName", "familyName", "version")},
    "title": ("text", False),
    "name": ("text", False),
    "path": ("text", False),
    "email": ("text", False),
}
URL_SCHEMES = ("http", "https", "mailto")  # links the engine writes from data; and paths on the site


@dataclass(frozen=True)
class Source:
    title: str
    path: str = ""


@dataclass(frozen=True)
class Dataset:
    name: str  # coal_monthly, or gdp/gdp for a resource of data/gdp/datapackage.json
    src: str  # data/coal.csv
    title: str  # the resource's title, or its name
    description: str
    sources: tuple[Source, ...]
    licenses: tuple[Source, ...]
    fields: tuple[Field, ...]
    rows: tuple[tuple[str | None, ...], ...] = field(repr=False)  # canonical cells, None when missing
    raw: bytes = field(repr=False)  # published as it is
    dialect: Dialect = field(default=Dialect())  # (frozen: one shared default is safe)
    format: str = "csv"  # csv, tsv or json (the file's; inline data is published as JSON)
    package: str = ""  # the folder of a downloaded package (gdp), or "" for the site's own
    geo: str = ""  # "topojson" or "geojson": a map's shapes (``geodata``), not a table
    bindings: tuple[Binding, ...] = field(default=(), repr=False)  # bound values in ``description`` (as tokens there)
    descriptor: str = ""  # the file that describes it (data/datapackage.yaml): where its bindings are

    @property
    def digest(self) -> str:
        """A hash of what the dataset's rows are made from: the file, and how it is read
        (the same bytes with another ``format`` or ``missingValues`` are other data)."""
        return hashlib.sha256(self.raw + repr((self.fields, self.dialect, self.format)).encode()).hexdigest()

    @property
    def parameter(self) -> str:
        """The name a Python chart's function receives this dataset's frame under."""
        return parameter_name(self.name)

    @property
    def filename(self) -> str:
        return f"{PurePosixPath(self.name).name}.{self.format}"

    @property
    def url(self) -> str:
        return f"/data/{self.name}.{self.format}"

    @property
    def kind(self) -> str:
        """The download's format as readers know it: CSV, TSV, JSON, TopoJSON, GeoJSON."""
        return {"topojson": "TopoJSON", "geojson": "GeoJSON"}.get(self.geo, self.format.upper())

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def column(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    def frame(self) -> Any:
        """A pandas DataFrame typed by the schema (``frames``); a map's shapes as ``GeoData``."""
        if self.geo:
            return GeoData(self.name, self.geo, read_geo(self.src, self.raw, self.geo))
        from .frames import make_frame

        return make_frame(self)


@dataclass(frozen=True)
class Package:
    datasets: Mapping[str, Dataset]
    warnings: tuple[str, ...] = ()  # "path:line: warning: ...", printed by build, errors under check and --strict

    def get(self, name: str, path: str, line: int | None) -> Dataset:
        if name not in self.datasets:
            raise SiteError(path, line, f"unknown dataset '{name}'", known(self.datasets))
        return self.datasets[name]


@dataclass(frozen=True)
class Shared:
    """What a package gives once for all its resources."""

    location: Location
    sources: tuple[Source, ...]
    licenses: tuple[Source, ...]


def load_package(root: Path, verify: bool = True) -> Package:
    """Read and validate every data package in ``data/`` and every table they describe
    (``verify=False``: without comparing hashes, for ``broadsheet data pin``)."""
    locations = find_descriptors(root, DATA_DIR)
    csvs = sorted(p.relative_to(root).as_posix() for p in (root / DATA_DIR).glob("*.csv"))
    if csvs and not any(loc.prefix == "" for loc in locations):
        raise SiteError(csvs[0], None, "this CSV is not described", f"describe it in {PACKAGE_FILE}")
    datasets: dict[str, Dataset] = {}
    notes: Notes = []
    try:
        for location in locations:
            _load_location(root, location, datasets, notes, verify)
    except SiteError as error:  # (a misspelt key is often the cause: say so with the error)
        if notes:
            error.hint = "; ".join(filter(None, [error.hint, *notes]))
        raise
    described = {d.src for d in datasets.values()}
    for src in csvs:
        if src not in described:
            raise SiteError(src, None, "this CSV is not described", f"add a resource for it to {PACKAGE_FILE}")
    return Package(datasets, tuple(notes))


def _load_location(root: Path, location: Location, datasets: dict[str, Dataset], notes: Notes, verify: bool) -> None:
    doc = read_descriptor(root, location.src, None)
    check_properties(doc, PACKAGE_KEYS, "the data package", notes)
    entries = doc.items("resources")
    if any(not entry.values for entry in entries):
        raise doc.error("resources", "each resource must be a mapping (name, path, title, sources, schema)")
    shared = Shared(location, _sources(doc, "sources", notes), _sources(doc, "licenses", notes))
    parameters = {d.parameter: d.name for d in datasets.values()}
    for entry in entries:
        dataset = load_dataset(root, entry, shared, notes, verify)
        if dataset is None:
            continue
        if dataset.name in datasets:
            raise entry.error("name", f"two resources are named '{dataset.name}'")
        if dataset.parameter in parameters:
            raise entry.error(
                "name",
                f"resources '{parameters[dataset.parameter]}' and '{dataset.name}' would both reach Python charts as '{dataset.parameter}'",
                "rename one ('-', '.' and '/' in a name become '_' in a chart function's parameters)",
            )
        datasets[dataset.name] = dataset
        parameters[dataset.parameter] = dataset.name


def load_dataset(root: Path, entry: YamlMap, shared: Shared, notes: Notes, verify: bool = True) -> Dataset | None:
    """One resource as a dataset, or None for a file a downloaded package ships."""
    check_properties(entry, RESOURCE_KEYS, "a data resource", notes)
    values, location = entry.values, shared.location
    name = values["name"]
    if not re.match(r"[a-z0-9][a-z0-9._-]*\Z", name, re.ASCII):  # (\Z: "$" let a final newline through)
        raise entry.error("name", f"resource name {name!r} must use lowercase letters, digits, '-', '_' and '.'")
    check_inside(entry, location)  # (before anything else: a file out of the package is an error, read or not)
    geo = geo_format(values.get("format"), values.get("mediatype"), str(values.get("path", "")))
    if geo:
        return _geo_dataset(root, entry, shared, notes, geo, verify)
    if "schema" not in values:
        if location.prefix:
            return None
        raise entry.error(None, "a data resource needs 'schema'")
    kind = resource_format(entry)
    if "compression" in values or str(values.get("path", "")).lower().endswith(COMPRESSED):
        kind = None  # (a compressed file: unpack it beside the descriptor)
    if kind is None:
        notes.append(
            f"{entry.path}:{entry.line_of('name')}: warning: resource '{name}' is not read: Broadsheet reads CSV, TSV and JSON tables"
        )
        return None
    src, raw = resource_contents(root, entry, location)
    sources = _sources(entry, "sources", notes, url_required=True) or shared.sources
    if not sources:
        raise entry.error(
            "sources" if "sources" in values else "name",
            f"dataset '{location.prefix}{name}' has no source",
            "every dataset needs at least one source with a title and a path (URL), its own or its package's",
        )
    schema = _schema(root, entry, location, notes)
    fields = _fields(schema, notes)
    dialect = _dialect(root, entry, location, notes, "\t" if kind == "tsv" else ",")
    rows, lines = _rows(src, raw, kind, fields, dialect, entry, notes if location.prefix else None)
    check_keys(src, rows, lines, fields, _keys(schema, fields))
    if verify:
        check_pins(entry, src, raw)
    description, bindings = _description(entry)
    return Dataset(
        name=location.prefix + name,
        src=src,
        title=str(values.get("title") or name),
        description=description,
        sources=sources,
        licenses=_sources(entry, "licenses", notes) or shared.licenses,
        fields=fields,
        rows=rows,
        raw=raw,
        dialect=dialect,
        format="json" if "data" in values else kind,
        package=location.prefix.rstrip("/"),
        bindings=bindings,
        descriptor=entry.path,
    )


def _description(entry: YamlMap) -> tuple[str, tuple[Binding, ...]]:
    """The resource's description with its bound values as tokens (``bound``), filled in
    wherever a page shows it; each binding at its line in the descriptor."""
    text, found = tokenize(entry.path, str(entry.values.get("description") or "").strip())
    start = entry.line_of("description") - 1
    return text, tuple(replace(binding, line=start + binding.line) for binding in found)


def _geo_dataset(root: Path, entry: YamlMap, shared: Shared, notes: Notes, geo: str, verify: bool) -> Dataset:
    """A map's shapes (TopoJSON or GeoJSON, ``geodata``): checked to be what its format says,
    published as the JSON it is; no schema, no rows."""
    values, location = entry.values, shared.location
    src, raw = resource_contents(root, entry, location)
    read_geo(src, raw, geo)
    sources = _sources(entry, "sources", notes, url_required=True) or shared.sources
    if not sources:
        message = f"dataset '{location.prefix}{values['name']}' has no source"
        raise entry.error(
            "sources" if "sources" in values else "name", message, "every dataset needs at least one source with a title and a path (URL)"
        )
    if verify:
        check_pins(entry, src, raw)
    description, bindings = _description(entry)
    return Dataset(
        name=location.prefix + values["name"],
        src=src,
        title=str(values.get("title") or values["name"]),
        description=description,
        sources=sources,
        licenses=_sources(entry, "licenses", notes) or shared.licenses,
        fields=(),
        rows=(),
        raw=raw,
        format="json",
        package=location.prefix.rstrip("/"),
        geo=geo,
        bindings=bindings,
        descriptor=entry.path,
    )


def _schema(root: Path, entry: YamlMap, location: Location, notes: Notes) -> YamlMap:
    """The resource's schema, inline or in a file of the package (``schema: schema.json``)."""
    if isinstance(entry.values["schema"], str):
        return _referenced(root, entry, "schema", location)
    schema = entry.child("schema")
    check_properties(schema, SCHEMA_KEYS, "a schema", notes)
    return schema


def _dialect(root: Path, entry: YamlMap, location: Location, notes: Notes, delimiter: str) -> Dialect:
    if isinstance(entry.values.get("dialect"), str):
        spec = _referenced(root, entry, "dialect", location)
        entry = YamlMap({"dialect": spec.values}, {"dialect": spec.line}, spec.path, spec.line, {"dialect": spec})
    return read_dialect(entry, notes, delimiter)


def _referenced(root: Path, entry: YamlMap, key: str, location: Location) -> YamlMap:
    path = entry.values[key]
    if not path.endswith((".json", ".yaml", ".yml")):
        kind = "(fields, ...)" if key == "schema" else "(delimiter, quoteChar, ...)"
        raise entry.error(key, f"'{key}' must be a mapping {kind} or the path of a JSON or YAML file, found {path!r}")
    if "://" in path or path.startswith("/") or ".." in PurePosixPath(path).parts:
        raise entry.error(key, f"'{key}' {path!r} must be a file inside {location.folder}/", "Broadsheet reads no URLs")
    try:
        return read_descriptor(root, f"{location.folder}/{path}", entry.line_of(key), entry.path)
    except FileNotFoundError:
        raise entry.error(key, f"'{key}' points to {location.folder}/{path}, which does not exist") from None


def _fields(schema: YamlMap, notes: Notes) -> tuple[Field, ...]:
    check_properties(schema, SCHEMA_KEYS, "a schema", [])
    items = schema.items("fields")
    if not items:
        raise schema.error("fields", "schema needs a list of fields")
    missing = missing_values(schema, "missingValues") if "missingValues" in schema.values else ("",)  # (a field's own list replaces it)
    fields = tuple(read_field(item, missing, notes) for item in items)
    names = [f.name for f in fields]
    for item, f in zip(items, fields, strict=True):
        if names.count(f.name) > 1:
            raise item.error("name", f"two fields are named '{f.name}'")
    return fields


def _keys(schema: YamlMap, fields: tuple[Field, ...]) -> list[tuple[str, tuple[str, ...]]]:
    """``primaryKey``, ``uniqueKeys`` and ``unique`` columns, each checked to name fields."""
    names = {f.name for f in fields}
    keys: list[tuple[str, tuple[str, ...]]] = [("unique", (f.name,)) for f in fields if f.constraints.unique]
    found = [("primaryKey", schema.values["primaryKey"])] if "primaryKey" in schema.values else []
    found += [("uniqueKeys", key) for key in schema.values.get("uniqueKeys", [])]
    for what, key in found:
        columns = (key,) if isinstance(key, str) else tuple(key) if isinstance(key, list) else ()
        unknown = [c for c in columns if c not in names] or ([] if columns else [repr(key)])
        if unknown:
            raise schema.error(what, f"{what} names '{unknown[0]}', which is not a field", known(names))
        keys.append((what, columns))
    return keys


def _rows(
    src: str, raw: bytes, kind: str, fields: tuple[Field, ...], dialect: Dialect, entry: YamlMap, by_position: Notes | None
) -> tuple[Any, Any]:
    """The table's rows and their lines (``by_position``: a downloaded package's header may
    name its columns otherwise than its schema; a warning says so)."""
    encoding = str(entry.values.get("encoding", "utf-8"))
    if kind in ("csv", "tsv") and "data" not in entry.values:
        return read_csv(src, raw, fields, dialect, encoding, by_position)
    if "data" in entry.values:
        items, lines = entry.values["data"], [item.line for item in entry.items("data")]
    else:
        import json

        text = decode(src, raw, encoding)
        try:
            items = json.loads(text)
        except json.JSONDecodeError as exc:
            raise SiteError(src, exc.lineno, f"invalid JSON: {exc.msg}") from None
        lines = json_lines(text)
    if not isinstance(items, list):
        raise SiteError(src, entry.line_of("data") if "data" in entry.values else 1, "a table must be an array (of objects, or of arrays)")
    rows, row_lines = read_items(src, items, lines, fields, dialect.header)
    return tuple(rows), tuple(row_lines)


def url_problem(url: str) -> str | None:
    """Why ``url`` can't become a link on the site, or None: only web and mail
    addresses and paths on the site itself (``/data/``) may."""
    if url.startswith("/") and not url.startswith(("//", "/\\")) and "\\" not in url and not any(c.isspace() for c in url):
        return None  # (browsers read "/\\host" as "//host": another site)
    parts = urlsplit(url)
    if parts.scheme.lower() not in URL_SCHEMES or url != url.strip() or any(c.isspace() for c in url):
        return "must be an http(s) or mailto: URL, or a path on the site starting with /"
    if parts.scheme.lower() in ("http", "https") and not parts.netloc:
        return "must be an http(s) or mailto: URL, or a path on the site starting with /"
    return None


def _sources(entry: YamlMap, key: str, notes: Notes, url_required: bool = False) -> tuple[Source, ...]:
    """The ``sources`` (or ``licenses``) of a package or resource, each checked at its own line."""
    if key not in entry.values:
        return ()
    if not isinstance(entry.values[key], list):
        raise entry.error(key, f"'{key}' must be a list, found {entry.values[key]!r}")
    out = []
    for item in entry.items(key):
        if not item.values:
            raise item.error(None, f"each of '{key}' must be a mapping with a title and a path (URL)")
        check_properties(item, SOURCE_KEYS, f"an item of '{key}'", notes)
        title = item.values.get("title") or item.values.get("name")
        if not title:
            raise item.error(None, f"each of '{key}' needs a title")
        path = str(item.values.get("path", "")).strip()
        if url_required and not path:
            raise item.error(None, f"source '{title}' has no URL", "add 'path: https://...' (where a reader can check the data)")
        problem = url_problem(path) if path else None
        if problem:
            raise item.error("path", f"{key[:-1]} '{title}': path {path!r} {problem}")
        out.append(Source(title=title, path=path))
    return tuple(out)


def parameter_name(dataset: str) -> str:
    """``nk-trade`` -> ``nk_trade``, ``gdp/gdp`` -> ``gdp_gdp``: the keyword a chart function
    gets a dataset's frame under ('-', '.' and '/' can't be part of a Python name)."""
    return re.sub(r"[-./]", "_", dataset)


def chart_arguments(frames: Mapping[str, Any]) -> dict[str, Any]:
    """A chart function's keyword arguments: each dataset's frame by its parameter name."""
    return {parameter_name(name): frame for name, frame in frames.items()}

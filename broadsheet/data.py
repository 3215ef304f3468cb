"""Datasets: ``data/datapackage.yaml`` (a Frictionless Data Package) and its CSV files.

Every CSV is read with its resource's dialect and validated against its schema when
loaded; errors point at the CSV row. Cells are kept as canonical text (``schema.py``:
ISO dates, plain numbers, ``None`` when missing): tables and downloads need no pandas,
and ``frame`` builds a typed pandas DataFrame only for charts that need one.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .config import decode_utf8, read_site_file
from .errors import CONTROL, SiteError, known
from .geodata import GeoData, geo_format, read_geo
from .schema import TYPES, CellError, Dialect, Field, read_cell, read_dialect, read_field
from .yamlmap import FieldSpec, YamlMap, check_fields, parse_document

__all__ = ["TYPES", "Dataset", "Dialect", "Field", "Package", "Source", "load_package", "validate_csv"]

DATA_DIR = "data"
PACKAGE_FILE = "data/datapackage.yaml"

PACKAGE_KEYS: FieldSpec = {
    "name": ("text", False),
    "title": ("text", False),
    "description": ("text", False),
    "resources": ("list", True),
    "licenses": ("list", False),
    "sources": ("list", False),
    "profile": ("text", False),
    "homepage": ("text", False),
    "version": ("text", False),
}
RESOURCE_KEYS: FieldSpec = {
    "name": ("text", True),
    "path": ("text", True),
    "title": ("text", True),
    "description": ("text", False),
    "sources": ("list", True),
    "licenses": ("list", False),
    "schema": ("mapping", False),  # (required for a table: a map's shapes have none)
    "format": ("text", False),
    "mediatype": ("text", False),
    "encoding": ("text", False),
    "profile": ("text", False),
    "hash": ("text", False),
    "dialect": ("any", False),
}
SCHEMA_KEYS: FieldSpec = {
    "fields": ("list", True),
    "primaryKey": ("any", False),
    "foreignKeys": ("any", False),
    "missingValues": ("list of text", False),
}
SOURCE_KEYS: FieldSpec = {"title": ("text", False), "name": ("text", False), "path": ("text", False), "email": ("text", False)}
# Links the engine writes from data: web and mail addresses, and paths on the site.
URL_SCHEMES = ("http", "https", "mailto")
HASHES = ("md5", "sha1", "sha256", "sha512")  # Frictionless: "md5" when no "algorithm:" prefix


@dataclass(frozen=True)
class Source:
    title: str
    path: str = ""


@dataclass(frozen=True)
class Dataset:
    name: str
    src: str  # data/coal.csv
    title: str
    description: str
    sources: tuple[Source, ...]
    licenses: tuple[Source, ...]
    fields: tuple[Field, ...]
    rows: tuple[tuple[str | None, ...], ...] = field(repr=False)  # canonical cells, None when missing
    raw: bytes = field(repr=False)
    dialect: Dialect = field(default=Dialect())  # (frozen: one shared default is safe)
    geo: str = ""  # "topojson" or "geojson": a map's shapes (``geodata``), not a table

    @property
    def digest(self) -> str:
        """A hash of what the dataset's rows are made from: the file, and how it is read
        (the same bytes with another ``format`` or ``missingValues`` are other data)."""
        return hashlib.sha256(self.raw + repr((self.fields, self.dialect)).encode()).hexdigest()

    @property
    def parameter(self) -> str:
        """The name a Python chart's function receives this dataset's frame under."""
        return parameter_name(self.name)

    @property
    def url(self) -> str:
        return f"/data/{self.name}.{'json' if self.geo else 'csv'}"

    @property
    def format_label(self) -> str:
        """What a download link says the file is."""
        return {"topojson": "TopoJSON", "geojson": "GeoJSON"}.get(self.geo, "CSV")

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def column(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    def frame(self) -> Any:
        """A pandas DataFrame typed by the schema (integer -> Int64, date and datetime ->
        datetime64, time -> text "hh:mm:ss", missing values -> NA); a map's shapes as ``GeoData``.

        Made from the canonical cells ``validate_csv`` checked, not by parsing the file
        again, so the values a chart gets are exactly the values that passed the checks."""
        import pandas as pd

        if self.geo:
            return GeoData(self.name, self.geo, read_geo(self.src, self.raw, self.geo))

        frame = pd.DataFrame(list(self.rows), columns=list(self.columns), dtype=object)
        frame = frame.where(frame.notna(), float("nan"))
        for f in self.fields:
            if f.type in ("integer", "year"):  # exact, even past 2**53
                frame[f.name] = pd.array([int(c) if isinstance(c, str) else None for c in frame[f.name]], dtype="Int64")
            elif f.type == "number":
                frame[f.name] = pd.to_numeric(frame[f.name]).astype("float64")
            elif f.type == "date":
                frame[f.name] = pd.to_datetime(frame[f.name], format="%Y-%m-%d")
            elif f.type == "datetime":  # (UTC when the file gave an offset: see schema._datetime)
                frame[f.name] = pd.to_datetime(frame[f.name], format="ISO8601")
            elif f.type == "boolean":
                frame[f.name] = frame[f.name].map({"true": True, "false": False}).astype("boolean")
            else:  # text: pandas' string type, as read_csv gives (Altair writes its missing values as null, not NaN)
                frame[f.name] = frame[f.name].astype("str")
        return frame


@dataclass(frozen=True)
class Package:
    datasets: Mapping[str, Dataset]

    def get(self, name: str, path: str, line: int | None) -> Dataset:
        if name not in self.datasets:
            raise SiteError(path, line, f"unknown dataset '{name}'", known(self.datasets))
        return self.datasets[name]


def load_package(root: Path) -> Package:
    """Read and validate ``data/datapackage.yaml`` and every CSV it describes."""
    csvs = sorted(p.relative_to(root).as_posix() for p in (root / DATA_DIR).glob("*.csv"))
    try:
        raw = read_site_file(root, PACKAGE_FILE, line=1)
    except FileNotFoundError:
        if csvs:
            raise SiteError(csvs[0], None, "this CSV is not described", f"describe it in {PACKAGE_FILE}") from None
        return Package({})
    doc, lists = parse_document(decode_utf8(PACKAGE_FILE, raw).removeprefix("\ufeff"), PACKAGE_FILE)
    check_fields(doc, PACKAGE_KEYS, "the data package")
    if len(lists.get("resources", [])) != len(doc.values["resources"]):
        raise doc.error("resources", "each resource must be a mapping (name, path, title, sources, schema)")
    _sources(doc, "sources", url_required=False)
    _sources(doc, "licenses", url_required=False)
    datasets: dict[str, Dataset] = {}
    parameters: dict[str, str] = {}
    for entry in lists["resources"]:
        dataset = load_dataset(root, entry)
        if dataset.name in datasets:
            raise entry.error("name", f"two resources are named '{dataset.name}'")
        if dataset.parameter in parameters:
            raise entry.error(
                "name",
                f"resources '{parameters[dataset.parameter]}' and '{dataset.name}' would both reach Python charts as '{dataset.parameter}'",
                "rename one ('-' and '.' in a name become '_' in a chart function's parameters)",
            )
        datasets[dataset.name] = dataset
        parameters[dataset.parameter] = dataset.name
    described = {d.src for d in datasets.values()}
    for src in csvs:
        if src not in described:
            raise SiteError(src, None, "this CSV is not described", f"add a resource for it to {PACKAGE_FILE}")
    return Package(datasets)


def load_dataset(root: Path, entry: YamlMap) -> Dataset:
    check_fields(entry, RESOURCE_KEYS, "a data resource")
    values = entry.values
    name, path = values["name"], values["path"]
    if not re.match(r"^[a-z0-9][a-z0-9._-]*$", name, re.ASCII):
        raise entry.error("name", f"resource name '{name}' must use lowercase letters, digits, '-', '_' and '.'")
    src = f"{DATA_DIR}/{path}"
    geo = geo_format(values.get("format"), values.get("mediatype"), path)
    extensions = (".json", ".topojson", ".geojson") if geo else (".csv",)
    if "/" in path or "\\" in path or not path.endswith(extensions) or path.startswith("."):
        what = "a JSON file (TopoJSON or GeoJSON)" if geo else "a CSV file"
        raise entry.error("path", f"path '{path}' must name {what} in data/")
    try:
        raw = read_site_file(root, src, PACKAGE_FILE, entry.line_of("path"))
    except FileNotFoundError:
        raise entry.error("path", f"resource '{name}' points to {src}, which does not exist") from None
    sources = _sources(entry, "sources", url_required=True)
    if not sources:
        raise entry.error(
            "sources", f"dataset '{name}' has no source", "every dataset needs at least one source with a title and a path (URL)"
        )
    if "hash" in values:
        check_hash(entry, name, src, raw)
    if geo:
        read_geo(src, raw, geo)
        title, description = values["title"], str(values.get("description", "")).strip()
        licenses = _sources(entry, "licenses", url_required=False)
        return Dataset(name, src, title, description, sources, licenses, (), (), raw, geo=geo)
    if "schema" not in values:
        raise entry.error(None, f"resource '{name}' needs a schema", "list its columns under schema: fields:")
    fields = _fields(entry)
    dialect = read_dialect(entry)
    rows = validate_csv(src, raw, fields, dialect)
    return Dataset(
        name=name,
        src=src,
        title=values["title"],
        description=str(values.get("description", "")).strip(),
        sources=sources,
        licenses=_sources(entry, "licenses", url_required=False),
        fields=fields,
        rows=rows,
        raw=raw,
        dialect=dialect,
    )


def check_hash(entry: YamlMap, name: str, src: str, raw: bytes) -> None:
    """Verify the resource's Frictionless ``hash`` (``sha256:<hex>``; plain hex is MD5)."""
    algorithm, _, expected = str(entry.values["hash"]).rpartition(":")
    algorithm = algorithm.lower() or "md5"
    if algorithm not in HASHES:
        raise entry.error("hash", f"resource '{name}': unknown hash algorithm '{algorithm}'", known(HASHES))
    actual = hashlib.new(algorithm, raw).hexdigest()
    if len(expected) != len(actual) or not re.fullmatch("[0-9a-fA-F]+", expected):
        raise entry.error("hash", f"resource '{name}': hash must be {algorithm}:<{len(actual)} hex digits>, found {expected!r}")
    if expected.lower() != actual:
        raise entry.error(
            "hash",
            f"resource '{name}': {src} does not match its hash (its {algorithm} is {actual}; 'hash' says {expected.lower()})",
            "if the file changed on purpose, update 'hash'; otherwise restore the file",
        )


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


def _sources(entry: YamlMap, key: str, url_required: bool) -> tuple[Source, ...]:
    """The ``sources`` (or ``licenses``) of a resource, each checked at its own line."""
    if key not in entry.values:
        return ()
    if not isinstance(entry.values[key], list):
        raise entry.error(key, f"'{key}' must be a list, found {entry.values[key]!r}")
    out = []
    for item in entry.items(key):
        if not item.values:
            raise item.error(None, f"each of '{key}' must be a mapping with a title and a path (URL)")
        check_fields(item, SOURCE_KEYS, f"an item of '{key}'")
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


def _fields(entry: YamlMap) -> tuple[Field, ...]:
    schema = entry.child("schema")
    check_fields(schema, SCHEMA_KEYS, "a schema")
    items = schema.items("fields")
    if not items:
        raise schema.error("fields", "schema needs a list of fields")
    missing = tuple(schema.values.get("missingValues", [""]))  # (Frictionless: a field's own list replaces it)
    return tuple(read_field(item, missing) for item in items)


def parameter_name(dataset: str) -> str:
    """``nk-trade`` -> ``nk_trade``: the keyword a chart function gets a dataset's frame
    under ('-' and '.' can't be part of a Python name)."""
    return re.sub(r"[-.]", "_", dataset)


def chart_arguments(frames: Mapping[str, Any]) -> dict[str, Any]:
    """A chart function's keyword arguments: each dataset's frame by its parameter name."""
    return {parameter_name(name): frame for name, frame in frames.items()}


Row = tuple[str | None, ...]
DEFAULT_DIALECT = Dialect()


def validate_csv(src: str, raw: bytes, fields: tuple[Field, ...], dialect: Dialect = DEFAULT_DIALECT) -> tuple[Row, ...]:
    """Read the CSV with ``dialect``, check the header and every cell against the schema;
    return the rows as canonical cells (``schema.read_cell``)."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SiteError(src, line, "not valid UTF-8 text") from None
    control = CONTROL.search(text)
    if control:  # (a cell may end up in a chart's SVG, which the social-card rasteriser parses)
        line = text.count("\n", 0, control.start()) + 1
        raise SiteError(src, line, f"control character U+{ord(control.group()):04X} is not allowed", "remove it from the file")
    reader = csv.reader(io.StringIO(text, newline=""), **dialect.reader_options())  # type: ignore[arg-type]
    if dialect.header:
        try:
            header = next(reader)
        except StopIteration:
            raise SiteError(src, 1, "the file is empty", "the first line must name the columns") from None
        except csv.Error as exc:
            raise SiteError(src, 1, f"not valid CSV: {exc}") from None
        _check_header(src, header, fields, dialect)
    rows = []
    line = reader.line_num
    try:
        for row in reader:
            row_line = line + 1
            line = reader.line_num
            if not row:
                continue
            if len(row) != len(fields):
                raise SiteError(src, row_line, f"expected {len(fields)} cells, found {len(row)}", _delimiter_hint(row, dialect))
            rows.append(tuple(_cell(src, row_line, f, cell) for f, cell in zip(fields, row, strict=True)))
    except csv.Error as exc:
        raise SiteError(src, reader.line_num, f"not valid CSV: {exc}") from None
    return tuple(rows)


def _cell(src: str, line: int, field: Field, cell: str) -> str | None:
    try:
        return read_cell(field, cell)
    except CellError as exc:
        found = "" if str(exc) == "a value is required" else f", found {cell!r}"
        raise SiteError(src, line, f"column '{field.name}': {exc}{found}") from None


def _delimiter_hint(row: list[str], dialect: Dialect) -> str | None:
    """A hint when the file seems to use another delimiter than the dialect says."""
    if len(row) == 1:
        for other in (";", "\t", "|", ","):
            if other != dialect.delimiter and other in row[0]:
                return f"is the file separated by {other!r}? say so in the resource's dialect: {{delimiter: {other!r}}}"
    return None


def _check_header(src: str, header: list[str], fields: tuple[Field, ...], dialect: Dialect) -> None:
    names = [f.name for f in fields]
    if len(header) == 1 and len(names) > 1:
        hint = _delimiter_hint(header, dialect)
        if hint:
            raise SiteError(src, 1, f"the header has one column, {header[0]!r}; the schema lists {len(names)}", hint)
    for name in names:
        if name not in header:
            raise SiteError(src, 1, f"column '{name}' is missing", f"the schema in {PACKAGE_FILE} lists it")
    for name in header:
        if name not in names:
            raise SiteError(src, 1, f"column '{name}' is not in the schema", f"describe it in {PACKAGE_FILE} or remove it")
    if header != names:
        raise SiteError(src, 1, "columns are not in the schema's order", "expected: " + ", ".join(names))

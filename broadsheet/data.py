"""Datasets: ``data/datapackage.yaml`` (a Frictionless Data Package) and its CSV files.

Every CSV is validated against its schema when loaded; errors point at the CSV row.
Cells stay strings here (tables and downloads need no pandas); ``frame`` builds a
typed pandas DataFrame only for charts that need one.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import SiteError, known
from .yamlmap import FieldSpec, YamlMap, check_fields, parse_document

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
    "schema": ("mapping", True),
    "format": ("text", False),
    "mediatype": ("text", False),
    "encoding": ("text", False),
    "profile": ("text", False),
}
FIELD_KEYS = ("name", "type", "title", "description", "unit", "format", "constraints", "example")
TYPES = ("string", "integer", "number", "date", "year", "boolean")
_INTEGER = re.compile(r"^-?\d+$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_YEAR = re.compile(r"^\d{4}$")


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    title: str = ""
    description: str = ""
    unit: str = ""
    required: bool = False

    @property
    def label(self) -> str:
        return self.title or self.name


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
    rows: tuple[tuple[str, ...], ...] = field(repr=False)
    raw: bytes = field(repr=False)

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.raw).hexdigest()

    @property
    def url(self) -> str:
        return f"/data/{self.name}.csv"

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def column(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    def frame(self) -> Any:
        """A pandas DataFrame typed by the schema (integer -> Int64, date -> datetime64)."""
        import pandas as pd

        frame = pd.read_csv(io.BytesIO(self.raw), dtype=str, keep_default_na=False, na_values=[""])
        for f in self.fields:
            if f.type in ("integer", "year"):
                frame[f.name] = pd.to_numeric(frame[f.name]).astype("Int64")
            elif f.type == "number":
                frame[f.name] = pd.to_numeric(frame[f.name]).astype("float64")
            elif f.type == "date":
                frame[f.name] = pd.to_datetime(frame[f.name], format="%Y-%m-%d")
            elif f.type == "boolean":
                frame[f.name] = frame[f.name].map({"true": True, "false": False}).astype("boolean")
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
    descriptor = root / PACKAGE_FILE
    csvs = sorted(p.relative_to(root).as_posix() for p in (root / DATA_DIR).glob("*.csv"))
    if not descriptor.exists():
        if csvs:
            raise SiteError(csvs[0], None, "this CSV is not described", f"describe it in {PACKAGE_FILE}")
        return Package({})
    text = descriptor.read_text(encoding="utf-8")
    doc, lists = parse_document(text, PACKAGE_FILE)
    check_fields(doc, PACKAGE_KEYS, "the data package")
    if len(lists.get("resources", [])) != len(doc.values["resources"]):
        raise doc.error("resources", "each resource must be a mapping (name, path, title, sources, schema)")
    datasets: dict[str, Dataset] = {}
    for entry in lists["resources"]:
        dataset = load_dataset(root, entry)
        if dataset.name in datasets:
            raise entry.error("name", f"two resources are named '{dataset.name}'")
        datasets[dataset.name] = dataset
    described = {d.src for d in datasets.values()}
    for src in csvs:
        if src not in described:
            raise SiteError(src, None, "this CSV is not described", f"add a resource for it to {PACKAGE_FILE}")
    return Package(datasets)


def load_dataset(root: Path, entry: YamlMap) -> Dataset:
    check_fields(entry, RESOURCE_KEYS, "a data resource")
    values = entry.values
    name, path = values["name"], values["path"]
    if not re.match(r"^[a-z0-9][a-z0-9_-]*$", name):
        raise entry.error("name", f"resource name '{name}' must use lowercase letters, digits, '-' and '_'")
    src = f"{DATA_DIR}/{path}"
    if "/" in path or not path.endswith(".csv"):
        raise entry.error("path", f"path '{path}' must name a CSV file in data/")
    try:
        raw = (root / src).read_bytes()
    except FileNotFoundError:
        raise entry.error("path", f"resource '{name}' points to {src}, which does not exist") from None
    sources = _sources(entry, "sources")
    if not sources:
        raise entry.error(
            "sources", f"dataset '{name}' has no source", "every dataset needs at least one source with a title and a path (URL)"
        )
    fields = _fields(entry)
    rows = validate_csv(src, raw, fields)
    return Dataset(
        name=name,
        src=src,
        title=values["title"],
        description=str(values.get("description", "")).strip(),
        sources=sources,
        licenses=_sources(entry, "licenses"),
        fields=fields,
        rows=rows,
        raw=raw,
    )


def _sources(entry: YamlMap, key: str) -> tuple[Source, ...]:
    out = []
    for item in entry.values.get(key, []) or []:
        if not isinstance(item, dict) or not isinstance(item.get("title") or item.get("name"), str):
            raise entry.error(key, f"each of '{key}' needs a title")
        out.append(Source(title=item.get("title") or item["name"], path=str(item.get("path", ""))))
    return tuple(out)


def _fields(entry: YamlMap) -> tuple[Field, ...]:
    schema = entry.values["schema"]
    items = schema.get("fields")
    if not isinstance(items, list) or not items:
        raise entry.error("schema", "schema needs a list of fields")
    fields = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise entry.error("schema", f"each field needs a name, found {item!r}")
        for key in item:
            if key not in FIELD_KEYS:
                raise entry.error("schema", f"field '{item['name']}': unknown key '{key}'", known(FIELD_KEYS))
        kind = item.get("type", "string")
        if kind not in TYPES:
            raise entry.error("schema", f"field '{item['name']}': unknown type '{kind}'", known(TYPES))
        constraints = item.get("constraints") or {}
        fields.append(
            Field(
                name=item["name"],
                type=kind,
                title=str(item.get("title", "")),
                description=str(item.get("description", "")),
                unit=str(item.get("unit", "")),
                required=bool(constraints.get("required", False)),
            )
        )
    return tuple(fields)


def validate_csv(src: str, raw: bytes, fields: tuple[Field, ...]) -> tuple[tuple[str, ...], ...]:
    """Check header and every cell against the schema; return the rows as strings."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SiteError(src, line, "not valid UTF-8 text") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise SiteError(src, 1, "the file is empty", "the first line must name the columns") from None
    except csv.Error as exc:
        raise SiteError(src, 1, f"not valid CSV: {exc}") from None
    _check_header(src, header, fields)
    checks = [(f, _CELL[f.type]) for f in fields]
    rows = []
    line = reader.line_num
    try:
        for row in reader:
            row_line = line + 1
            line = reader.line_num
            if not row:
                continue
            if len(row) != len(fields):
                raise SiteError(src, row_line, f"expected {len(fields)} cells, found {len(row)}")
            for cell, (f, check) in zip(row, checks, strict=True):
                if cell == "":
                    if f.required:
                        raise SiteError(src, row_line, f"column '{f.name}': a value is required")
                    continue
                problem = check(cell)
                if problem:
                    raise SiteError(src, row_line, f"column '{f.name}': {problem}, found {cell!r}")
            rows.append(tuple(row))
    except csv.Error as exc:
        raise SiteError(src, reader.line_num, f"not valid CSV: {exc}") from None
    return tuple(rows)


def _check_header(src: str, header: list[str], fields: tuple[Field, ...]) -> None:
    names = [f.name for f in fields]
    for name in names:
        if name not in header:
            raise SiteError(src, 1, f"column '{name}' is missing", f"the schema in {PACKAGE_FILE} lists it")
    for name in header:
        if name not in names:
            raise SiteError(src, 1, f"column '{name}' is not in the schema", f"describe it in {PACKAGE_FILE} or remove it")
    if header != names:
        raise SiteError(src, 1, "columns are not in the schema's order", "expected: " + ", ".join(names))


def _check_integer(cell: str) -> str | None:
    return None if _INTEGER.match(cell) else "not an integer"


def _check_number(cell: str) -> str | None:
    try:
        value = float(cell)
    except ValueError:
        return "not a number"
    return None if math.isfinite(value) else "not a finite number"


def _check_date(cell: str) -> str | None:
    if not _DATE.match(cell):
        return "not a date (YYYY-MM-DD)"
    try:
        dt.date.fromisoformat(cell)
    except ValueError:
        return "not a calendar date"
    return None


def _check_year(cell: str) -> str | None:
    return None if _YEAR.match(cell) else "not a year (YYYY)"


def _check_boolean(cell: str) -> str | None:
    return None if cell in ("true", "false") else "not true or false"


_CELL = {
    "string": lambda cell: None,
    "integer": _check_integer,
    "number": _check_number,
    "date": _check_date,
    "year": _check_year,
    "boolean": _check_boolean,
}

"""Data package descriptors as published: where they are in ``data/``, reading them
(``datapackage.json``, ``.yaml`` or ``.yml``) with the line of every key, and checking
their properties against the specifications.

The Data Package, Data Resource, Table Schema and CSV Dialect specifications (v1 and v2)
allow properties of one's own, and real packages use them (``views``, ``collection``,
``last_updated``...): an unknown key is accepted, and a likely misspelling of a known one
(``licences``, ``missingValue``) is a warning (an error under ``--strict``), since the
property it was meant to be would be silently missing.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from .config import decode_utf8, read_site_file
from .errors import SiteError, control_problem
from .yamlmap import FieldSpec, YamlMap, check_types, parse_mapping

__all__ = ["FieldSpec", "Location", "Notes", "check_properties", "find_descriptors", "read_descriptor"]

NAMES = ("datapackage.json", "datapackage.yaml", "datapackage.yml")
Notes = list[str]  # warnings, each "path:line: warning: message"


@dataclass(frozen=True)
class Location:
    """A package's descriptor: ``data/datapackage.yaml`` (the site's own, ``prefix`` "")
    or ``data/gdp/datapackage.json`` (a package as downloaded, ``prefix`` "gdp/")."""

    src: str
    folder: str  # data or data/gdp
    prefix: str


def find_descriptors(root: Path, data_dir: str) -> list[Location]:
    """The site's own descriptor in ``data/`` and one in each folder directly under it."""
    found = []
    for folder in [root / data_dir, *sorted(p for p in (root / data_dir).glob("*/") if p.is_dir())]:
        # (a pipe or a link is found too: read_site_file refuses it at its name, never blocks on it)
        names = [name for name in NAMES if os.path.lexists(folder / name) and not (folder / name).is_dir()]
        rel = folder.relative_to(root).as_posix()
        if len(names) > 1:
            raise SiteError(f"{rel}/{names[1]}", None, f"two descriptors in {rel}/: {' and '.join(names)}", "keep one")
        if names:
            prefix = "" if folder == root / data_dir else folder.name + "/"
            if prefix and not re.fullmatch(r"[a-z0-9][a-z0-9._-]*/", prefix, re.ASCII):
                raise SiteError(
                    f"{rel}/{names[0]}", None, f"folder name '{folder.name}' must use lowercase letters, digits, '-', '_' and '.'"
                )
            found.append(Location(f"{rel}/{names[0]}", rel, prefix))
    return found


def read_descriptor(root: Path, src: str, line: int | None = None, referrer: str | None = None) -> YamlMap:
    """A descriptor (or a schema or dialect it refers to by path) as a mapping with lines."""
    text = decode_utf8(src, read_site_file(root, src, referrer, line if referrer else 1)).removeprefix("\ufeff")
    if src.endswith(".json"):
        return parse_json(text, src)
    return parse_mapping(text, src)


def parse_json(text: str, path: str) -> YamlMap:
    """JSON read by ``json`` (the values are JSON's), with the line of every key and item."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SiteError(path, exc.lineno, f"invalid JSON: {exc.msg}") from None
    if not isinstance(value, dict):
        raise SiteError(path, 1, "expected a JSON object ({...})")
    _check_text(value, path)
    lines = JsonLines(text)
    tree = lines.value()
    return _mapping(value, tree, path)


def _check_text(value: Any, path: str) -> None:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            problem = control_problem(item)
            if problem:
                raise SiteError(path, None, problem)
        elif isinstance(item, dict):
            stack += [*item.keys(), *item.values()]
        elif isinstance(item, list):
            stack += item


class JsonLines:
    """The structure of a JSON text as lines: for an object, its start line and each key's
    (line, value tree); for an array, its start line and each item's tree. Strings and
    brackets are tokens; numbers and literals are skipped (they hold no keys)."""

    TOKEN = re.compile(r'"(?:\\.|[^"\\])*"|[{}\[\]:,\n]')

    def __init__(self, text: str):
        self.tokens: list[tuple[str, int]] = []
        line = 1
        for match in self.TOKEN.finditer(text):
            token = match.group()
            if token == "\n":
                line += 1
            else:
                self.tokens.append((token, line))
        self.at = 0

    def value(self) -> Any:
        token, line = self.tokens[self.at] if self.at < len(self.tokens) else ("", 0)
        if token == "{":
            self.at += 1
            keys = {}
            while self.tokens[self.at][0] != "}":
                key, key_line = self.tokens[self.at]
                self.at += 2  # (the key and its ':')
                keys[json.loads(key)] = (key_line, self.value())
                self.at += self.tokens[self.at][0] == ","
            self.at += 1
            return ("object", line, keys)
        if token == "[":
            self.at += 1
            items = []
            while self.tokens[self.at][0] != "]":
                items.append(self.value())
                self.at += self.tokens[self.at][0] == ","
            self.at += 1
            return ("array", line, items)
        if token.startswith('"'):
            self.at += 1
            return ("string", line, None)
        return ("scalar", line, None)  # (a number or literal, before ',' '}' or ']': nothing consumed)


def _mapping(value: dict[str, Any], tree: Any, path: str) -> YamlMap:
    _, line, keys = tree
    lines: dict[str, int] = {}
    children: dict[str, Any] = {}
    for key, item in value.items():
        key_line, sub = keys.get(key, (line, ("scalar", line, None)))
        lines[key] = key_line
        if isinstance(item, dict) and sub[0] == "object":
            children[key] = _mapping(item, sub, path)
        elif isinstance(item, list) and sub[0] == "array":
            children[key] = tuple(
                _mapping(x, t, path) if isinstance(x, dict) and t[0] == "object" else YamlMap({}, {}, path, t[1])
                for x, t in zip(item, sub[2], strict=False)
            )
    return YamlMap(value, lines, path, line, children)


def _distance(a: str, b: str) -> int:
    """Edits (insert, delete, replace, swap two neighbours) from ``a`` to ``b``: a typo is
    one or two; ``related`` (a publisher's own key) is not ``created`` misspelt."""
    if abs(len(a) - len(b)) > 2:
        return 3
    rows = [list(range(len(b) + 1))]
    for i, x in enumerate(a, 1):
        row = [i]
        for j, y in enumerate(b, 1):
            row.append(min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + (x != y)))
            if i > 1 and j > 1 and x == b[j - 2] and a[i - 2] == y:
                row[j] = min(row[j], rows[-2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


def check_properties(doc: YamlMap, spec: FieldSpec, what: str, notes: Notes) -> None:
    """Check the known properties' types (at their lines) and required ones; note a key
    that looks like a misspelt known one. Other keys are the publisher's own: allowed."""
    for key in doc.values:
        if key not in spec:
            near = [k for k in spec if k.lower() == key.lower() or _distance(k, key) <= (1 if len(k) < 10 else 2)]
            if near:
                notes.append(f"{doc.path}:{doc.line_of(key)}: warning: unknown key '{key}' in {what}: did you mean '{near[0]}'?")
    check_types(doc, spec, what)


FORMATS = {"csv": "csv", "tsv": "tsv", "json": "json", "text/csv": "csv", "text/tab-separated-values": "tsv", "application/json": "json"}


def resource_format(entry: YamlMap) -> str | None:
    """csv, tsv or json, from ``format``, ``mediatype`` or the path's extension; None for another."""
    values = entry.values
    if "format" in values or "mediatype" in values:
        given = str(values.get("format") or values.get("mediatype")).lower().lstrip(".")
        return FORMATS.get(given)
    if "data" in values:
        return "json"
    path = values.get("path")
    return FORMATS.get(PurePosixPath(path).suffix.lower().lstrip(".")) if isinstance(path, str) else "csv"


COMPRESSED = (".zip", ".gz", ".bz2", ".xz", ".zst")


def check_inside(entry: YamlMap, location: Location) -> None:
    """A resource's ``path`` (each, if a list) names a file inside its package's folder:
    one rule, whether the file is read, skipped (compressed, not a table) or a map."""
    path = entry.values.get("path")
    for item in path if isinstance(path, list) else [path]:
        if not isinstance(item, str) or "://" in item:
            continue  # (said elsewhere: a path is needed; a URL is not read)
        parts = PurePosixPath(item).parts
        if item.startswith(("/", "\\")) or "\\" in item or ".." in parts or any(p.startswith(".") for p in parts):
            raise entry.error("path", f"path '{item}' must be a file inside {location.folder}/ (a relative path without '..')")


def resource_contents(root: Path, entry: YamlMap, location: Location) -> tuple[str, bytes]:
    """Where the table is and its bytes: the file at ``path`` (inside the package's folder),
    or the inline ``data`` (published as the JSON it is)."""
    values, name = entry.values, entry.values["name"]
    if "data" in values:
        return entry.path, json.dumps(values["data"], ensure_ascii=False, indent=1).encode()
    path = values.get("path")
    if isinstance(path, list):
        raise entry.error("path", f"resource '{name}' is in several files: Broadsheet reads a table from one", "join the files into one")
    if not isinstance(path, str) or not path.strip():
        raise entry.error(None, f"resource '{name}' needs a 'path' (or inline 'data')")
    if "://" in path:
        raise entry.error(
            "path",
            f"resource '{name}': path {path!r} is a URL; Broadsheet reads files in the site",
            "download the file beside the descriptor",
        )
    check_inside(entry, location)
    src = f"{location.folder}/{path}"
    try:
        return src, read_site_file(root, src, entry.path, entry.line_of("path"))
    except FileNotFoundError:
        raise entry.error("path", f"resource '{name}' points to {src}, which does not exist") from None

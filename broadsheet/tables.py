"""A resource's rows: CSV (and TSV) files, JSON tables and inline ``data``, every cell
read by its field (``cells.read_cell``) and every row by the schema's keys.

Errors point at the line a reader can open: the CSV line, the line of a JSON table's
row, or the descriptor's line for inline data. A blank row is an error at its line (it
is often a file cut short or two files joined); ``primaryKey``, ``uniqueKeys`` and
``unique`` constraints are checked across rows, a repeat reported at its own line with
the line of the row it repeats.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from typing import Any

from .cells import CellError, read_cell
from .errors import CONTROL, SiteError
from .schema import Dialect, Field

Row = tuple[str | None, ...]
DEFAULT_DIALECT = Dialect()


def decode(src: str, raw: bytes, encoding: str = "utf-8") -> str:
    """The file's text in its ``encoding`` (a UTF-8 byte-order mark is dropped), with no
    control characters (a cell may end up in a chart's SVG, which the card rasteriser parses)."""
    try:
        text = raw.decode("utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding)
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SiteError(src, line, "not valid UTF-8 text" if "utf" in encoding.lower() else f"not valid {encoding} text") from None
    except LookupError:
        raise SiteError(src, None, f"unknown encoding '{encoding}'") from None
    control = CONTROL.search(text)
    if control:
        line = text.count("\n", 0, control.start()) + 1
        raise SiteError(src, line, f"control character U+{ord(control.group()):04X} is not allowed", "remove it from the file")
    return text


def validate_csv(
    src: str, raw: bytes, fields: tuple[Field, ...], dialect: Dialect = DEFAULT_DIALECT, encoding: str = "utf-8"
) -> tuple[Row, ...]:
    """Read the CSV with ``dialect``, check the header and every cell against the schema;
    return the rows as canonical cells (``cells.read_cell``)."""
    return read_csv(src, raw, fields, dialect, encoding)[0]


def read_csv(
    src: str, raw: bytes, fields: tuple[Field, ...], dialect: Dialect, encoding: str = "utf-8", by_position: list[str] | None = None
) -> tuple[tuple[Row, ...], tuple[int, ...]]:
    """The rows as canonical cells, and the line each starts at. With ``by_position`` (a
    list of warnings), a header whose names differ from the schema's but whose columns are
    as many is read by position, as Table Schema v1 allows, with a warning."""
    text = decode(src, raw, encoding)
    reader = csv.reader(io.StringIO(text, newline=""), **dialect.reader_options())  # type: ignore[arg-type]
    comment = dialect.comment_char
    rows, lines = [], []
    line = 0
    try:
        header_seen = not dialect.header
        for row in reader:
            row_line = line + 1
            line = reader.line_num
            if comment and row and row[0].startswith(comment):
                continue
            if not header_seen:
                header_seen = True
                names = [f.name for f in fields]
                if by_position is not None and len(row) == len(names) and row != names:
                    differ = next(i for i, (a, b) in enumerate(zip(row, names, strict=True)) if a != b)
                    by_position.append(
                        f"{src}:{row_line}: warning: column {differ + 1} is {row[differ]!r} in the header and "
                        f"{names[differ]!r} in the schema: read by position"
                    )
                    continue
                check_header(src, row, fields, dialect)
                continue
            if not any(row):
                raise SiteError(src, row_line, "a blank row", "remove it (a missing value is an empty cell in a row that has others)")
            if len(row) != len(fields):
                raise SiteError(src, row_line, f"expected {len(fields)} cells, found {len(row)}", _delimiter_hint(row, dialect))
            rows.append(tuple(read(src, row_line, f, cell, dialect.null_sequence) for f, cell in zip(fields, row, strict=True)))
            lines.append(row_line)
    except csv.Error as exc:
        raise SiteError(src, reader.line_num, f"not valid CSV: {exc}") from None
    if not header_seen:
        raise SiteError(src, 1, "the file is empty", "the first line must name the columns")
    return tuple(rows), tuple(lines)


def read(src: str, line: int, field: Field, cell: str, null: str | None = None) -> str | None:
    if cell == null:  # (the dialect's nullSequence: missing in every column)
        if field.required:
            raise SiteError(src, line, f"column '{field.name}': a value is required")
        return None
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


def check_header(src: str, header: list[str], fields: tuple[Field, ...], dialect: Dialect) -> None:
    names = [f.name for f in fields]
    if len(header) == 1 and len(names) > 1:
        hint = _delimiter_hint(header, dialect)
        if hint:
            raise SiteError(src, 1, f"the header has one column, {header[0]!r}; the schema lists {len(names)}", hint)
    for name in names:
        if name not in header:
            raise SiteError(src, 1, f"column '{name}' is missing", "the resource's schema lists it")
    for name in header:
        if name not in names:
            raise SiteError(src, 1, f"column '{name}' is not in the schema", "describe it in the resource's schema or remove it")
    if header != names:
        raise SiteError(src, 1, "columns are not in the schema's order", "expected: " + ", ".join(names))


def read_items(
    src: str, items: Sequence[Any], lines: Sequence[int], fields: tuple[Field, ...], header: bool
) -> tuple[list[Row], list[int]]:
    """A JSON table (or inline ``data``): an array of objects, or of arrays whose first is
    the header row (unless the dialect says there is none)."""
    if items and all(isinstance(item, list) for item in items):
        if header:
            check_header(src, [str(c) for c in items[0]], fields, Dialect())
            items, lines = items[1:], lines[1:]
        return _array_rows(src, items, lines, fields)
    rows = []
    names = {f.name for f in fields}
    for item, line in zip(items, lines, strict=True):
        if not isinstance(item, dict):
            raise SiteError(src, line, "each row must be an object (or each an array)")
        extra = [key for key in item if key not in names]
        if extra:
            raise SiteError(src, line, f"key '{extra[0]}' is not in the schema", "describe it in the resource's schema")
        if not item:
            raise SiteError(src, line, "a blank row")
        rows.append(tuple(json_cell(src, line, f, item.get(f.name)) for f in fields))
    return rows, list(lines)


def _array_rows(src: str, items: Iterable[Any], lines: Sequence[int], fields: tuple[Field, ...]) -> tuple[list[Row], list[int]]:
    rows = []
    for item, line in zip(items, lines, strict=True):
        if len(item) != len(fields):
            raise SiteError(src, line, f"expected {len(fields)} cells, found {len(item)}")
        rows.append(tuple(json_cell(src, line, f, value) for f, value in zip(fields, item, strict=True)))
    return rows, list(lines)


def json_cell(src: str, line: int, field: Field, value: Any) -> str | None:
    """A JSON value read as its field says: null is missing; numbers and booleans as they
    would be written in a CSV; objects and arrays as JSON text."""
    if value is None:
        if field.required:
            raise SiteError(src, line, f"column '{field.name}': a value is required")
        return None
    if isinstance(value, bool):
        if field.type == "boolean":
            return "true" if value else "false"
        text = "true" if value else "false"
    elif isinstance(value, (dict, list)):
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    elif isinstance(value, float) and value.is_integer() and field.type in ("integer", "year"):
        text = str(int(value))  # (JSON's 10.0 is the number 10)
    else:
        text = repr(value) if isinstance(value, float) else str(value)
    return read(src, line, field, text)


def json_lines(text: str) -> list[int]:
    """The line of each item of a JSON document's top-level array (or of the array under
    the first key holding one): where a row's error is reported."""
    from .descriptor import JsonLines

    tree = JsonLines(text).value()
    return [item[1] for item in tree[2]] if tree[0] == "array" else []


def check_keys(
    src: str, rows: Sequence[Row], lines: Sequence[int], fields: tuple[Field, ...], keys: Sequence[tuple[str, tuple[str, ...]]]
) -> None:
    """Each key (``primaryKey``, ``uniqueKeys``, a ``unique`` column) holds once per row."""
    index = {f.name: i for i, f in enumerate(fields)}
    for what, names in keys:
        columns = [index[name] for name in names]
        seen: dict[tuple[str | None, ...], int] = {}
        for row, line in zip(rows, lines, strict=True):
            value = tuple(row[c] for c in columns)
            if None in value:
                if what == "primaryKey":
                    missing = names[value.index(None)]
                    raise SiteError(src, line, f"column '{missing}': a value is required (it is part of the primaryKey)")
                continue  # (a missing value repeats nothing)
            if value in seen:
                shown = ", ".join(f"{n} {v!r}" for n, v in zip(names, value, strict=True))
                raise SiteError(src, line, f"{shown} repeats line {seen[value]} ({what} {', '.join(names)} must be unique)")
            seen[value] = line

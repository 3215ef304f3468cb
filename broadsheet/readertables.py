"""Reader tables: the table a chart's author declares for "Show the data", in place of
one table per layer of the drawing.

A chart names the columns its readers need, with their headings, and the engine lists
them from the chart's data as plotted (``plotted``): the rows of every view that holds
all those columns (or of the one view named), each row once, in order. A pivot turns
long rows into a matrix (members x votes). Dates read as a reader reads them ("Feb 2016"
for months, "2016" for years, "5 Jul 2006" for days), numbers with one grouping per
column. The declaration is read as a Python literal (``@chart(..., table={...})``) or
from a declarative block's ``table`` key; both are checked here, where they are written.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from .errors import SiteError

KEYS = ("columns", "caption", "view", "sort", "pivot", "key")
PIVOT_KEYS = ("columns", "values")
ISO_MOMENT = re.compile(r"^\d{4}-\d\d-\d\d(?:[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?)?Z?$")
NBSP = "\u00a0"
ISO_DAY = re.compile(r"^\d{4}-\d\d-\d\d$")
EPOCH_LIMIT = 100_000  # ms: a smaller number on a time field is a year (as ``plotted`` reads it)
GROUP_FROM = 10_000  # a column holding a number this large groups the digits of all its numbers
HOW = 'write table={"columns": {"field": "Heading", ...}} (optional: caption, view, sort, key, pivot: {"columns": ..., "values": ...})'


@dataclass(frozen=True)
class ReaderTable:
    """A declared reader table: which columns, under which headings, from which rows."""

    columns: tuple[tuple[str, str], ...]  # (field, heading), in order; with a pivot, the row keys
    caption: str = ""  # "" : the chart's title
    view: str = ""  # the view whose rows are listed ("" : every view holding all the columns)
    sort: tuple[str, ...] = ()  # fields to sort by; "-field" sorts descending
    pivot: tuple[str, str] | None = None  # (the field whose values become columns, the field in the cells)
    key: tuple[str, ...] = ()  # fields naming a row (shown or not): its columns gathered from every view that holds the key

    @property
    def fields(self) -> tuple[str, ...]:
        """Every field the table reads."""
        shown = tuple(f for f, _ in self.columns) + (self.pivot or ())
        return shown + tuple(k for k in self.key if k not in shown)


Fail = Callable[[str], SiteError]


def read_tables(value: Any, fail: Fail) -> tuple[ReaderTable, ...]:
    """The reader tables a ``table`` declaration makes: one mapping, or a list of them."""
    items = value if isinstance(value, list | tuple) else [value]
    if not items:
        raise fail(f"'table' is an empty list: {HOW}")
    return tuple(_read_table(item, fail) for item in items)


def _read_table(value: Any, fail: Fail) -> ReaderTable:
    if not isinstance(value, Mapping):
        raise fail(f"'table' must be a mapping, found {type(value).__name__}: {HOW}")
    unknown = [k for k in value if k not in KEYS]
    if unknown:
        raise fail(f"unknown key '{unknown[0]}' in 'table' (known: {', '.join(KEYS)})")
    columns = value.get("columns")
    if not isinstance(columns, Mapping) or not columns:
        raise fail(f"'table' needs 'columns', a mapping of each field to its heading: {HOW}")
    if not all(isinstance(k, str) and k and isinstance(v, str) and v.strip() for k, v in columns.items()):
        raise fail("each of the table's 'columns' maps a field name to a heading (both text)")
    for key in ("caption", "view"):
        if not isinstance(value.get(key, ""), str):
            raise fail(f"the table's '{key}' must be text")
    sort = value.get("sort", ())
    sort = (sort,) if isinstance(sort, str) else sort
    if not isinstance(sort, list | tuple) or not all(isinstance(s, str) and s.lstrip("-") for s in sort):
        raise fail("the table's 'sort' is a field, or a list of fields ('-field' for descending)")
    pivot = value.get("pivot")
    if pivot is not None and (
        not isinstance(pivot, Mapping) or sorted(pivot) != sorted(PIVOT_KEYS) or not all(isinstance(v, str) and v for v in pivot.values())
    ):
        raise fail('the table\'s \'pivot\' is {"columns": FIELD, "values": FIELD}: one column for each value of the first')
    shown = [f for f in columns] + ([pivot["columns"]] if pivot else [])
    for field in sort:
        if field.lstrip("-") not in shown:
            raise fail(f"the table sorts by '{field.lstrip('-')}', which is not one of its columns")
    pair = (str(pivot["columns"]), str(pivot["values"])) if pivot else None
    headings = tuple((str(k), str(v).strip()) for k, v in columns.items())
    keys = _key(value.get("key", ()), list(columns), pair, fail)
    return ReaderTable(headings, str(value.get("caption", "")).strip(), str(value.get("view", "")), tuple(sort), pair, keys)


def _key(value: Any, columns: list[str], pivot: tuple[str, str] | None, fail: Fail) -> tuple[str, ...]:
    key = (value,) if isinstance(value, str) else value
    if not isinstance(key, list | tuple) or not all(isinstance(k, str) and k for k in key):
        raise fail("the table's 'key' is a field, or a list of fields: those that name a row (shown among its columns or not)")
    if key and pivot:
        raise fail("a table has a 'key' or a 'pivot', not both")
    return tuple(key)


# ---------------------------------------------------------------- listing


@dataclass(frozen=True)
class Listed:
    """A reader table listed: headings and formatted cells (``numeric``: right-aligned)."""

    caption: str
    headings: tuple[str, ...]
    numeric: tuple[bool, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Kinds:
    """What the chart says of its fields: those it reads as times, and as categories (a
    year on an ordinal axis: 2016, not 2,016, and not right-aligned as a quantity)."""

    times: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()


def list_table(table: ReaderTable, views: Sequence[tuple[str, list[dict[str, Any]]]], kinds: Kinds, caption: str) -> Listed:
    """The rows of ``table`` from ``views`` (each view's name and evaluated rows, in drawing
    order). ``ValueError`` names what is missing."""
    rows = _rows(table, views)
    rows = _sorted(rows, table.sort, kinds.times) if table.sort else rows
    if table.pivot:
        return _pivoted(table, rows, kinds, caption)
    fields = [f for f, _ in table.columns]
    cells = _format_columns([[row[f] for row in rows] for f in fields], [_kind(f, kinds) for f in fields])
    return Listed(caption, tuple(h for _, h in table.columns), tuple(numeric for _, numeric in cells), _transpose(cells, len(rows)))


def _rows(table: ReaderTable, views: Sequence[tuple[str, list[dict[str, Any]]]]) -> list[dict[str, Any]]:
    """Each distinct row, projected on the table's fields, of the views that hold them all."""
    if table.key:
        return _keyed_rows(table, views)
    fields = table.fields
    chosen = [(name, rows) for name, rows in views if rows and (table.view == name if table.view else all(f in rows[0] for f in fields))]
    if table.view and not chosen:
        raise ValueError(f"its reader table lists the view '{table.view}', which the chart does not draw (or draws with no rows)")
    if table.view and any(f not in chosen[0][1][0] for f in fields):
        missing = [f for f in fields if f not in chosen[0][1][0]]
        raise ValueError(f"its reader table's columns {', '.join(missing)} are not in the data of view '{table.view}'")
    if not chosen:
        raise ValueError(
            f"no view of the chart plots all of its reader table's columns ({', '.join(fields)}): "
            "a view's data as plotted holds the fields it encodes, its tooltip's included"
        )
    seen: dict[tuple[Any, ...], dict[str, Any]] = {}
    for _, rows in chosen:
        for row in rows:
            projected = {f: row.get(f) for f in fields}
            seen.setdefault(tuple(_hashable(v) for v in projected.values()), projected)
    return _without_partial(list(seen.values()))


def _without_partial(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows, less those that only repeat part of another (a line's row for a year with
    no value: the year alone)."""
    full = [tuple(_hashable(v) for v in row.values()) for row in rows]
    by_first: dict[Any, list[tuple[Any, ...]]] = {}
    for values in full:
        by_first.setdefault(values[0], []).append(values)

    def covers(other: tuple[Any, ...], values: tuple[Any, ...]) -> bool:
        return other != values and all(v is None or v == o for v, o in zip(values, other, strict=True))

    def partial(values: tuple[Any, ...]) -> bool:
        return None in values and any(covers(other, values) for other in by_first.get(values[0], []))

    return [row for row, values in zip(rows, full, strict=True) if not partial(values)]


def _keyed_rows(table: ReaderTable, views: Sequence[tuple[str, list[dict[str, Any]]]]) -> list[dict[str, Any]]:
    """One row per key, each column from the first view that holds it for that key (a bar's
    value from one layer, its label or its range from another)."""
    fields = table.fields

    def holds(name: str, rows: list[dict[str, Any]]) -> bool:
        keyed = all(k in rows[0] for k in table.key) and len(set(fields) & set(rows[0])) > len(table.key)
        return keyed and (not table.view or table.view == name)

    chosen = [rows for name, rows in views if rows and holds(name, rows)]
    held = {f for _, rows in views if rows and all(k in rows[0] for k in table.key) for f in rows[0]}
    if not chosen or not set(fields) <= held:
        missing = ", ".join(f for f in fields if f not in held) or "another of its columns"
        raise ValueError(f"no view of the chart that holds its reader table's key ({', '.join(table.key)}) holds {missing}")
    merged: dict[tuple[Any, ...], dict[str, Any]] = {}
    for rows in chosen:
        for row in rows:
            into = merged.setdefault(tuple(_hashable(row.get(k)) for k in table.key), {f: None for f in fields})
            for field in fields:
                if into[field] is None and _hashable(row.get(field)) is not None:
                    into[field] = row[field]
    return list(merged.values())


def _hashable(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_hashable(v) for v in value)
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _kind(field: str, kinds: Kinds) -> str:
    return "time" if field in kinds.times else "category" if field in kinds.categories else ""


def _sorted(rows: list[dict[str, Any]], keys: Sequence[str], times: frozenset[str]) -> list[dict[str, Any]]:
    for key in reversed(keys):  # (stable: the last key first)
        field = key.lstrip("-")

        def order(row: dict[str, Any], field: str = field) -> tuple[int, Any]:
            return _order(row[field], field in times)

        rows = sorted(rows, key=order, reverse=key.startswith("-"))
    return rows


def _order(value: Any, time: bool) -> tuple[int, Any]:
    """Missing values last; numbers, times and text each in their own order."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return (3, "")
    moment = _moment(value, time)
    if moment is not None:
        return (1, moment.timestamp())
    if isinstance(value, int | float) and not isinstance(value, bool):
        return (0, value)
    return (2, str(value))


def _pivoted(table: ReaderTable, rows: list[dict[str, Any]], kinds: Kinds, caption: str) -> Listed:
    across, within = table.pivot or ("", "")
    keys = [f for f, _ in table.columns]
    heads = list(dict.fromkeys(_hashable(r[across]) for r in rows))
    grid: dict[tuple[Any, ...], dict[Any, list[Any]]] = {}
    for row in rows:
        cell = grid.setdefault(tuple(_hashable(row[k]) for k in keys), {}).setdefault(_hashable(row[across]), [])
        if _hashable(row[within]) not in cell:
            cell.append(_hashable(row[within]))
    key_columns = [[key[i] for key in grid] for i in range(len(keys))]
    value_columns = [[_joined(grid[key].get(head, [])) for key in grid] for head in heads]
    cells = _format_columns(key_columns + value_columns, [_kind(k, kinds) for k in keys] + [_kind(within, kinds)] * len(heads))
    head_cells = _format_columns([heads], [_kind(across, kinds)])[0][0]
    headings = tuple(h for _, h in table.columns) + tuple(head_cells)
    return Listed(caption, headings, tuple(numeric for _, numeric in cells), _transpose(cells, len(grid)))


def _joined(values: list[Any]) -> Any:
    """One cell's values (a member's position in a vote): the value, or several joined."""
    present = [v for v in values if v is not None]
    return present[0] if len(present) == 1 else "; ".join(str(v) for v in present) if present else None


def _transpose(columns: list[tuple[list[str], bool]], count: int) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(cells[i] for cells, _ in columns) for i in range(count))


# ---------------------------------------------------------------- cells


def _format_columns(columns: list[list[Any]], kinds: list[str]) -> list[tuple[list[str], bool]]:
    """Each column's cells as text, and whether it is numeric (right-aligned)."""
    return [_format_column(values, kind) for values, kind in zip(columns, kinds, strict=True)]


def _format_column(values: list[Any], kind: str) -> tuple[list[str], bool]:
    present = [v for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]
    time = kind == "time"
    if kind == "category" and present and all(isinstance(v, int | float) and not isinstance(v, bool) for v in present):
        return [_number(v, False) if v in present else "" for v in values], False
    if time and present and all(isinstance(v, int | float) and float(v).is_integer() and 0 < v < 10_000 for v in present):
        return [str(int(v)) if v in present else "" for v in values], False  # (years written as numbers on a time axis)
    moments = [_moment(v, time) for v in present]
    if present and all(m is not None for m in moments):
        form = date_format([m for m in moments if m is not None])
        return [_moment_text(v, time, form) for v in values], False
    if present and all(isinstance(v, int | float) and not isinstance(v, bool) for v in present):
        group = any(abs(v) >= GROUP_FROM for v in present)
        return [_number(v, group) for v in values], True
    return [_text(v) for v in values], False


def _moment_text(value: Any, time: bool, form: str) -> str:
    moment = _moment(value, time)
    return reader_date(moment, form) if moment is not None else ""


def reader_date(moment: datetime, form: str) -> str:
    """A date as written with ``form``, kept on one line ("15 Jul 2006", not broken in a narrow column)."""
    return moment.strftime(form).replace(" ", NBSP)


def date_format(moments: Sequence[datetime]) -> str:
    """How a column of times reads: "2016" (every one a 1 January, more than one year),
    "Feb 2016" (every one a first of the month), "5 Jul 2006" (days), with the time of day
    only where one is not midnight."""
    if any((m.hour, m.minute, m.second) != (0, 0, 0) for m in moments):
        return "%-d %b %Y %H:%M"
    if all(m.day == 1 for m in moments):
        yearly = all(m.month == 1 for m in moments) and len({m.year for m in moments}) > 1
        return "%Y" if yearly else "%b %Y"
    return "%-d %b %Y"


def _moment(value: Any, time: bool) -> datetime | None:
    """A time, from an ISO text (any field) or milliseconds since 1970 (a field read as time)."""
    if isinstance(value, str) and ISO_MOMENT.match(value):
        try:
            moment = datetime.fromisoformat(value.removesuffix("Z"))
        except ValueError:
            return None
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
    if time and isinstance(value, int | float) and not isinstance(value, bool) and abs(value) >= EPOCH_LIMIT:
        return datetime.fromtimestamp(value / 1000, tz=UTC)
    return None


def _number(value: Any, group: bool) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if math.isinf(value):
        return "∞" if value > 0 else "-∞"
    comma = "," if group else ""
    if float(value).is_integer():
        return f"{int(value):{comma}}"
    places = 2 if abs(value) >= 1 else min(6, 2 - math.floor(math.log10(abs(value))))
    return f"{value:{comma}.{places}f}".rstrip("0").rstrip(".")


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, str) and value and all(ISO_DAY.match(part) for part in value.split("; ")):  # "2017-07-04; 2017-07-28"
        return "; ".join(reader_date(datetime.fromisoformat(part), "%-d %b %Y") for part in value.split("; "))
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):  # a label on several lines
        return " ".join(_text(v) for v in value)
    return str(value)

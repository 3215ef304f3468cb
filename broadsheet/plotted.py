"""What a chart plots: its data after its transforms, as tables.

The tables are evaluated by VegaFusion (what Altair's ``transformed_data()`` uses): the
Vega-Lite spec is compiled to Vega by vl-convert, every view is named so its marks can
be found, and VegaFusion's ``pre_transform_spec`` evaluates the transforms and writes the
results into the spec as JSON (so pyarrow is not needed). Times are evaluated in UTC,
like the renderer. Runs in the chart worker processes (see ``workers``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from .fields import definitions, unescape
from .legends import LEGEND_CHANNELS, MISSING
from .markrows import View, mark_rows, name_views
from .params import at_initial_state, filters_by_param
from .readertables import Kinds, ReaderTable, date_format, list_table, reader_date
from .tablecolumns import is_colour, is_layout, kept_columns, kept_tables, made_fields, says_unit

TIME_UNIT_NAMES = {
    "yearmonth": "month",
    "yearquarter": "quarter",
    "yearmonthdate": "day",
    "monthdate": "day of the year",
    "date": "day of the month",
    "day": "day of the week",
    "hours": "hour",
}
TIME_UNIT_FORMATS = {
    "year": "%Y",
    "yearmonth": "%B %Y",
    "month": "%B",
    "yearmonthdate": "%Y-%m-%d",
    "monthdate": "%B %-d",
    "date": "%-d",
    "day": "%A",
    "hours": "%H:00",
    "yearmonthdatehours": "%Y-%m-%d %H:00",
}
SUMMARIES = {  # what a composite mark computes, by the prefix Vega-Lite gives its columns (longest first)
    "lower_whisker": "Lower whisker",
    "lower_box": "Lower quartile",
    "mid_box": "Median",
    "upper_box": "Upper quartile",
    "upper_whisker": "Upper whisker",
    "center": "Centre",
    "lower": "Lower bound",
    "upper": "Upper bound",
}
FACET_CHANNELS = frozenset({"row", "column", "facet", "detail"})
UNENCODED = 10_000  # the rank of a column no channel shows
TIME_COLUMN = "time:"  # the type of a column a timeunit transform makes: "time:month"
AS_FIRST_SHOWN = "as the chart first appears (selecting in the live chart changes its rows)"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
YEAR_LIMIT = 100_000  # a number this small on a time axis is a year (Vega reads it as milliseconds from 1970)
YEAR = re.compile(r"^\d{4}$")
ISO_DATE = re.compile(r"^\d{4}-\d\d-\d\d([T ]|$)")
ISO_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z?$")


@dataclass(frozen=True)
class Column:
    """What the data package says about a column: a heading and a unit."""

    label: str
    unit: str
    type: str = ""  # the schema's: integer, number, year...


NO_COLUMN = Column("", "")


@dataclass(frozen=True)
class PlottedTable:
    """One view's data as plotted: headings and formatted cells (``numeric``: right-aligned)."""

    caption: str
    headings: tuple[str, ...]
    numeric: tuple[bool, ...]
    rows: tuple[tuple[str, ...], ...]

    def to_json(self) -> dict[str, Any]:
        return {"caption": self.caption, "headings": self.headings, "numeric": self.numeric, "rows": self.rows}

    @staticmethod
    def from_json(value: Mapping[str, Any]) -> PlottedTable:
        rows = tuple(tuple(row) for row in value["rows"])
        return PlottedTable(value["caption"], tuple(value["headings"]), tuple(value["numeric"]), rows)


# ---------------------------------------------------------------- plotted tables


Found = list[tuple[View, list[dict[str, Any]]]]  # each view with the rows it draws


class ReaderTableError(ValueError):
    """A declared reader table the chart's data as plotted cannot fill (a column no view holds)."""


def plotted_tables(
    spec: Mapping[str, Any], title: str, columns: Mapping[str, Column], declared: tuple[ReaderTable, ...] = ()
) -> list[PlottedTable]:
    """The data each view of a Vega-Lite ``spec`` draws, after its transforms; or, when the
    chart declares its reader tables, those tables, listed from the same data."""
    import vegafusion
    import vl_convert

    columns = {**columns, **_made_by_time_units(spec)}
    named = at_initial_state(spec)  # (what a reader first sees: selections as they start)
    temporal = _temporal_fields(named)
    for records in named.get("datasets", {}).values():
        _empty_dates_to_null(records)
        _years_to_dates(records, temporal)
    views: list[View] = []
    name_views(named, {}, views)
    vega = vl_convert.vegalite_to_vega(named)
    evaluated, _ = vegafusion.runtime.pre_transform_spec(vega, local_tz="UTC", default_input_tz="UTC", preserve_interactivity=False)
    values = mark_rows(evaluated, {v.name for v in views})
    found: Found = [(v, values[v.name]) for v in views if v.name in values]
    if declared:
        tables = _reader_tables(declared, found, _kinds(views, temporal, columns), title)
    else:
        tables = _view_tables(found, columns, title, made_fields(named.get("datasets", {}), frozenset(columns)))
    if filters_by_param(spec):  # (the rows change as a reader selects: say which ones these are)
        tables = [replace(t, caption=f"{t.caption}, {AS_FIRST_SHOWN}") for t in tables]
    return tables


def _kinds(views: list[View], temporal: set[str], columns: Mapping[str, Column]) -> Kinds:
    """The fields read as times, and as categories (on an ordinal or nominal channel, or a year)."""
    categories = {unescape(d["field"]) for v in views for _, d in definitions(v.encoding) if d.get("type") in ("ordinal", "nominal")}
    categories |= {name for name, column in columns.items() if column.type == "year"}
    return Kinds(frozenset(temporal), frozenset(c for c in categories if isinstance(c, str)))


def _reader_tables(declared: tuple[ReaderTable, ...], found: Found, kinds: Kinds, title: str) -> list[PlottedTable]:
    """The tables the chart declares, from its views' rows (in drawing order)."""
    views = [(view.name, rows) for view, rows in found]
    tables = []
    for number, table in enumerate(declared, 1):
        caption = table.caption or (f"{title} (part {number} of {len(declared)})" if len(declared) > 1 else title)
        try:
            listed = list_table(table, views, kinds, caption)
        except ValueError as exc:
            raise ReaderTableError(str(exc)) from None
        tables.append(PlottedTable(listed.caption, listed.headings, listed.numeric, listed.rows))
    return tables


def _view_tables(found: Found, columns: Mapping[str, Column], title: str, made: frozenset[str]) -> list[PlottedTable]:
    """One table for each view that draws data of its own, and rows no other lists."""
    made_tables = [t for t in (_table(view, rows, columns, title, made) for view, rows in found) if t[0].headings]
    tables = [made_tables[i][0] for i in kept_tables([(names, t.rows) for t, names in made_tables])]  # (by field: headings differ)
    if len(tables) > 1:
        tables = [_part(t, i, len(tables)) for i, t in enumerate(tables, 1)]
    return tables


def _made_by_time_units(spec: Any) -> dict[str, Column]:
    """Columns a ``timeunit`` transform makes (``month(date) as mon``): shown by their unit
    ("January"), not as the placeholder date Vega gives them."""
    found: dict[str, Column] = {}
    if isinstance(spec, dict):
        for t in spec.get("transform", []) if isinstance(spec.get("transform"), list) else []:
            if isinstance(t, dict) and isinstance(t.get("as"), str) and "timeUnit" in t:
                found[unescape(t["as"])] = Column(pretty(unescape(t["as"])), "", TIME_COLUMN + _time_unit(t))
        for value in spec.values():
            found.update(_made_by_time_units(value))
    elif isinstance(spec, list):
        for item in spec:
            found.update(_made_by_time_units(item))
    return found


def _temporal_fields(spec: Any) -> set[str]:
    """The fields some encoding reads as times."""
    found: set[str] = set()
    if isinstance(spec, dict):
        if (spec.get("type") == "temporal" or "timeUnit" in spec) and isinstance(spec.get("field"), str):
            found.add(unescape(spec["field"]))
        for key, value in spec.items():
            if key not in ("datasets", "data"):
                found |= _temporal_fields(value)
    elif isinstance(spec, list):
        for item in spec:
            found |= _temporal_fields(item)
    return found


def _years_to_dates(records: Any, temporal: set[str]) -> None:
    """A year written alone ("1875") as a time: Vega reads it as 1 January; VegaFusion
    tries other formats and fails."""
    if not isinstance(records, list) or not records or not isinstance(records[0], dict):
        return
    for key in temporal & set(records[0]):
        values = [r.get(key) for r in records if isinstance(r, dict)]
        if values and all(v is None or (isinstance(v, str) and YEAR.match(v)) for v in values):
            for record in records:
                if isinstance(record.get(key), str):
                    record[key] = f"{record[key]}-01-01"


def _empty_dates_to_null(records: Any) -> None:
    """Altair writes a missing date (NaT) as ""; Vega reads it as no date, VegaFusion fails."""
    if not isinstance(records, list) or not records or not isinstance(records[0], dict):
        return
    for key in records[0]:
        values = [r.get(key) for r in records if isinstance(r, dict)]
        texts = [v for v in values if isinstance(v, str) and v]
        if "" in values and texts and all(ISO_DATE.match(v) for v in texts):
            for record in records:
                if record.get(key) == "":
                    record[key] = None


def _part(table: PlottedTable, number: int, count: int) -> PlottedTable:
    return PlottedTable(f"{table.caption} (part {number} of {count})", table.headings, table.numeric, table.rows)


@dataclass(frozen=True)
class _Plotted:
    """A column of the evaluated data and the encoding that plots it."""

    name: str
    heading: str
    kind: str  # "number", "time", "label" (a number as a category) or "text"
    time_unit: str
    rank: int
    form: str = ""  # how a time with no time unit reads in this column (``readertables.date_format``)
    missing: str = ""  # what an empty cell says: a legend's categories say it as their legend does


def _table(
    view: View, rows: list[dict[str, Any]], columns: Mapping[str, Column], title: str, made: frozenset[str]
) -> tuple[PlottedTable, tuple[str, ...]]:
    """A view's table, and the field each of its columns shows."""
    names = list(dict.fromkeys(k for row in rows for k in row))
    for name in [n.removesuffix("_end") for n in names if n.endswith("_end")]:
        if name not in names and f"{name}_start" in names:  # a stacked value: the length of its segment
            names.append(name)
            for row in rows:
                start, end = row.get(f"{name}_start"), row.get(f"{name}_end")
                row[name] = round(end - start, 12) if isinstance(start, int | float) and isinstance(end, int | float) else None
    plotted = [p for p in (_plotted(n, names, view, columns, rows) for n in names) if p is not None]
    if any(p.rank < UNENCODED for p in plotted):  # columns no channel shows (VegaFusion keeps some) are left out
        plotted = [p for p in plotted if p.rank < UNENCODED]
    plotted.sort(key=lambda p: p.rank)
    channels = [c for c, _ in definitions(view.encoding)]
    if not any(p.rank < UNENCODED and channels[p.rank] not in FACET_CHANNELS for p in plotted):
        plotted = []  # a constant rule or label (repeated in each panel): no data of its own
    plotted = [p for p in plotted if not _styles(p, view, channels, made, rows)]
    plotted = [replace(p, form=_date_form(p, rows)) if p.kind == "time" and not p.time_unit else p for p in plotted]
    columns_shown = [[_cell(row.get(p.name), p) for row in rows] for p in plotted]
    plotted = [plotted[i] for i in kept_columns([p.heading for p in plotted], columns_shown)]
    cells = tuple(tuple(_cell(row.get(p.name), p) for p in plotted) for row in rows)
    table = PlottedTable(title, tuple(p.heading for p in plotted), tuple(p.kind == "number" for p in plotted), cells)
    return table, tuple(p.name for p in plotted)


def _date_form(column: _Plotted, rows: list[dict[str, Any]]) -> str:
    """Months as "Feb 2016", years as "2016", days as "5 Jul 2006", as in reader tables."""
    moments = [_instant(row.get(column.name)) for row in rows if row.get(column.name) is not None]
    return date_format([m for m in moments if isinstance(m, datetime)]) if moments else ""


def _styles(column: _Plotted, view: View, channels: list[str], made: frozenset[str], rows: list[dict[str, Any]]) -> bool:
    """A column that draws rather than informs: a colour, a label's place, a rule's end."""
    channel = channels[column.rank] if column.rank < UNENCODED else ""
    return is_layout(channel, view.mark, column.name, made, column.kind in ("number", "time")) or is_colour(
        [row.get(column.name) for row in rows]
    )


def _plotted(name: str, names: list[str], view: View, columns: Mapping[str, Column], rows: list[dict[str, Any]]) -> _Plotted | None:
    if name.endswith("_sort_index"):  # Vega-Lite's, for a custom sort order
        return None
    encoded = {unescape(d.get("field")) for _, d in definitions(view.encoding)}
    for suffix in ("_end", "_start"):  # the other edge of a time unit, a stack, a bin
        base = name.removesuffix(suffix)
        if name.endswith(suffix) and (base in names or base in encoded) and not name.startswith("bin_"):
            return None
    for rank, (channel, definition) in enumerate(definitions(view.encoding)):
        match = _matches(name, definition)
        if match is not None:
            heading = _heading(definition, columns, match)
            if definition.get("stack") == "normalize":  # (evaluated as each segment's share of its stack)
                heading = f"{heading}, share of its stack"
            made_unit = columns.get(name, NO_COLUMN).type.removeprefix(TIME_COLUMN) if _made_as_time(name, columns) else ""
            timed = definition.get("type") == "temporal" or definition.get("timeUnit") or made_unit
            kind = "time" if timed else _kind(name, rows)
            if kind == "number" and (definition.get("type") in ("ordinal", "nominal") or columns.get(name, NO_COLUMN).type == "year"):
                kind = "label"  # a year or a category: 2016, not 2,016
            missing = MISSING if channel in LEGEND_CHANNELS and definition.get("type") in ("nominal", "ordinal") else ""
            return _Plotted(name, heading, kind, _time_unit(definition) or made_unit, rank, missing=missing)
    return _summary(name, view, columns) or _Plotted(name, _label(name, columns), _kind(name, rows), "", UNENCODED)


def _summary(name: str, view: View, columns: Mapping[str, Column]) -> _Plotted | None:
    """A column a boxplot or error bar computes from the field it plots: its quartiles,
    whiskers, centre and bounds (``lower_box_people``: "Lower quartile of People")."""
    if view.mark not in ("boxplot", "errorbar", "errorband"):
        return None
    for rank, (_channel, definition) in enumerate(definitions(view.encoding)):
        field = unescape(definition.get("field", ""))
        for prefix, label in SUMMARIES.items():
            if field and name == f"{prefix}_{field}":
                return _Plotted(name, f"{label} of {_label(field, columns)}", "number", "", rank)
    return None


def _made_as_time(name: str, columns: Mapping[str, Column]) -> bool:
    return columns.get(name, NO_COLUMN).type.startswith(TIME_COLUMN)


def _matches(name: str, definition: Mapping[str, Any]) -> str | None:
    """How ``definition`` makes the column ``name``: "" (plainly), "from"/"to" (a bin), or None."""
    field = unescape(definition.get("field")) if isinstance(definition.get("field"), str) else ""
    aggregate, unit = definition.get("aggregate"), _time_unit(definition)
    if aggregate == "count":
        return "" if name == "__count" else None
    if isinstance(aggregate, str):
        return "" if name == f"{aggregate}_{field}" else None
    if unit:
        return "" if name == f"{unit}_{field}" else None
    if definition.get("bin") and name.startswith("bin_"):
        return "from" if name.endswith(f"_{field}") else "to" if name.endswith(f"_{field}_end") else None
    return "" if name == field else None


def _time_unit(definition: Mapping[str, Any]) -> str:
    unit = definition.get("timeUnit")
    if isinstance(unit, dict):
        return ("utc" if unit.get("utc") else "") + str(unit.get("unit", ""))
    return unit if isinstance(unit, str) else ""


def _heading(definition: Mapping[str, Any], columns: Mapping[str, Column], bin_edge: str) -> str:
    title = definition.get("title")
    if isinstance(title, list):
        title = " ".join(str(t) for t in title)
    field = unescape(str(definition.get("field", "")))
    aggregate, unit = definition.get("aggregate"), _time_unit(definition).removeprefix("utc")
    if isinstance(title, str) and title:
        heading = title if aggregate == "count" else _with_unit(title, field, columns)
    elif aggregate == "count":
        heading = "Count of records"
    elif isinstance(aggregate, str):
        heading = f"{aggregate.capitalize()} of {_label(field, columns)}"
    elif unit:
        heading = f"{_label(field, columns)} ({TIME_UNIT_NAMES.get(unit, unit)})"
    else:
        heading = _label(field, columns)
    return f"{heading} ({bin_edge})" if bin_edge else heading


def _with_unit(title: str, field: str, columns: Mapping[str, Column]) -> str:
    """An author's axis title, with the column's unit when the title does not say it."""
    unit = columns.get(field, NO_COLUMN).unit
    return f"{title} ({unit})" if unit and not says_unit(title, unit) else title


def _label(name: str, columns: Mapping[str, Column]) -> str:
    column = columns.get(name, Column(pretty(name), ""))
    return f"{column.label} ({column.unit})" if column.unit and not says_unit(column.label, column.unit) else column.label


def pretty(name: str) -> str:
    """A column's heading when the schema gives no title: ``coal_tonnes`` -> ``Coal tonnes``."""
    return name.replace("_", " ").capitalize()


def _kind(name: str, rows: list[dict[str, Any]]) -> str:
    values = [row.get(name) for row in rows if row.get(name) is not None]
    if values and all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return "number"
    if values and all(isinstance(v, str) and ISO_TIME.match(v) for v in values):
        return "time"
    return "text"


def _cell(value: Any, column: _Plotted) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return column.missing
    if column.kind == "time":
        return _time(value, column.time_unit, column.form)
    if isinstance(value, list):  # a label on several lines
        return " ".join(_cell(v, column) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return number(value) if column.kind == "number" else str(int(value)) if float(value).is_integer() else str(value)
    return str(value)


def number(value: float) -> str:
    """Up to two decimals (three significant digits below 1); digits grouped from 10,000
    (as in dataset tables: 2016 stays a year)."""
    if math.isinf(value):
        return "∞" if value > 0 else "-∞"
    group = "," if abs(value) >= 10_000 else ""
    if float(value).is_integer():
        return f"{int(value):{group}}"
    places = 2 if abs(value) >= 1 else min(6, 2 - math.floor(math.log10(abs(value))))
    return f"{value:{group}.{places}f}".rstrip("0").rstrip(".")


def _instant(value: Any) -> datetime | str:
    """A time as a moment, or the text it reads as (a year written as a number)."""
    if isinstance(value, int | float) and abs(value) < YEAR_LIMIT:  # a year written as a number (1565), shown as written
        return str(int(value)) if float(value).is_integer() else str(value)
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value / 1000, tz=UTC)
    if isinstance(value, str) and ISO_TIME.match(value):
        moment = datetime.fromisoformat(value.removesuffix("Z"))
        since = (moment.replace(tzinfo=UTC) - EPOCH).total_seconds() * 1000
        if 0 < abs(since) < YEAR_LIMIT and float(since).is_integer():  # (the same year, as VegaFusion returns it: 1970-01-01T00:00:01.565)
            return str(int(since))
        return moment
    return str(value)


def _time(value: Any, unit: str, form: str = "") -> str:
    moment = _instant(value)
    if isinstance(moment, str):
        return moment
    unit = unit.removeprefix("utc")
    if unit in TIME_UNIT_FORMATS:
        return moment.strftime(TIME_UNIT_FORMATS[unit])
    if unit in ("quarter", "yearquarter"):
        quarter = f"Q{(moment.month - 1) // 3 + 1}"
        return f"{moment.year} {quarter}" if unit == "yearquarter" else quarter
    if form:
        return reader_date(moment, form)
    if (moment.hour, moment.minute, moment.second) == (0, 0, 0):
        return moment.strftime("%Y-%m-%d")
    return moment.strftime("%Y-%m-%d %H:%M")

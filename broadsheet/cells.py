"""Reading one cell into its canonical text, by its Table Schema field.

Agencies publish ``2012/01/31``, ``35,361``, ``1.234,5``, ``$35``, ``n/a``, ``yes``,
``2012-01`` and timestamps; the field says how (``format``, ``groupChar``,
``decimalChar``, ``bareNumber``, ``trueValues``, ``missingValues``) and ``read_cell``
turns each cell into one canonical form: ISO dates and times, plain ASCII numbers
(``35361``, ``1234.5``), ``true``/``false``, or ``None`` for a missing value. Tables and
chart frames are made from that form only, so every cell the check accepts means one
thing everywhere. A cell whose sign could be lost is refused rather than guessed.
"""

from __future__ import annotations

import base64
import binascii
import calendar
import datetime as dt
import json
import math
import re
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from .schema import Field

# ASCII digits only (re.ASCII): Python's int() and float() also read Arabic-Indic and
# other digits, and "1_000", which pandas does not; a cell the check passes must load.
_INTEGER = re.compile(r"^[-+]?[0-9]+$", re.ASCII)
_NUMBER = re.compile(r"^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$", re.ASCII)
_YEAR = re.compile(r"^[0-9]{4}$", re.ASCII)
_YEARMONTH = re.compile(r"^([0-9]{4})-([0-9]{2})$", re.ASCII)
_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", re.ASCII)
# Frictionless' default datetime is ISO 8601 "YYYY-MM-DDThh:mm:ssZ"; fractions of a second
# and other offsets (+09:00), or none, are read too.
_ISO_DATETIME = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?(Z|[+-][0-9]{2}:[0-9]{2})?$", re.ASCII)
_ISO_TIME = re.compile(r"^[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?$", re.ASCII)
_DURATION = re.compile(r"^P(?!$)([0-9]+Y)?([0-9]+M)?([0-9]+W)?([0-9]+D)?(T(?=[0-9])([0-9]+H)?([0-9]+M)?([0-9]+(\.[0-9]+)?S)?)?$", re.ASCII)
_GEOPOINT = re.compile(r"^\s*(-?[0-9]+(\.[0-9]+)?)\s*,\s*(-?[0-9]+(\.[0-9]+)?)\s*$", re.ASCII)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
INT64 = 2**63 - 1
# Characters that mean "minus" to a reader but not to Python: a number next to one is
# refused rather than read without its sign (U+2212 minus is read: it is the minus sign).
DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\ufe58\ufe63\uff0d"
MINUS = "\u2212"
NUMERIC = ("integer", "number")


class CellError(ValueError):
    """Why a cell does not fit its field (the message a user reads)."""


def read_cell(field: Field, cell: str) -> str | None:
    """The cell's canonical text, or None when it is one of the field's missing values.
    Raises ``CellError`` when it does not fit the field or its constraints."""
    if cell in field.missing_values:
        if field.required:
            raise CellError("a value is required")
        return None
    value = _READERS[field.type](field, cell)
    if field.constraints.active:
        check_constraints(field, value)
    return value


def check_constraints(field: Field, value: str) -> None:
    c = field.constraints
    if c.enum is not None and value not in c.enum:
        raise CellError(f"not one of the allowed values ({', '.join(c.enum[:8])}{', ...' if len(c.enum) > 8 else ''})")
    if c.pattern is not None and not re.fullmatch(c.pattern, value):
        raise CellError(f"does not match the pattern {c.pattern!r}")
    if c.min_length is not None and _length(field, value) < c.min_length:
        raise CellError(f"shorter than the minimum length {c.min_length}")
    if c.max_length is not None and _length(field, value) > c.max_length:
        raise CellError(f"longer than the maximum length {c.max_length}")
    checks: tuple[tuple[str | None, Callable[[Any, Any], bool], str], ...] = (
        (c.minimum, lambda v, b: v < b, "below the minimum"),
        (c.maximum, lambda v, b: v > b, "above the maximum"),
        (c.exclusive_minimum, lambda v, b: v <= b, "not above the exclusive minimum"),
        (c.exclusive_maximum, lambda v, b: v >= b, "not below the exclusive maximum"),
    )
    for bound, fails, words in checks:
        if bound is not None and fails(order_key(field, value), order_key(field, bound)):
            raise CellError(f"{words} {bound}")


def order_key(field: Field, value: str) -> object:
    """What a canonical value sorts by: numbers by value, the rest as ISO text does."""
    return Decimal(value) if field.type in NUMERIC else value


def _length(field: Field, value: str) -> int:
    if field.type in ("array", "object"):
        return len(json.loads(value))
    return len(value)


def _string(field: Field, cell: str) -> str:
    if field.format == "email" and not _EMAIL.match(cell):
        raise CellError("not an email address")
    if field.format == "uri" and not (urlsplit(cell).scheme and ":" in cell and not any(c.isspace() for c in cell)):
        raise CellError("not a URI")
    if field.format == "uuid":
        try:
            uuid.UUID(cell)
        except ValueError:
            raise CellError("not a UUID") from None
    if field.format == "binary":
        try:
            base64.b64decode(cell, validate=True)
        except binascii.Error:
            raise CellError("not base64 data") from None
    return cell


def _integer(field: Field, cell: str) -> str:
    text = _bare(field, cell, "not an integer")
    if not _INTEGER.fullmatch(text):
        raise CellError("not an integer")
    if abs(int(text)) > INT64:
        raise CellError("an integer too large to store")
    return text.removeprefix("+")


def _number(field: Field, cell: str) -> str:
    text = _bare(field, cell, "not a number")
    if field.decimal_char != ".":
        if "." in text:
            raise CellError(f"not a number (the decimal mark is {field.decimal_char!r})")
        text = text.replace(field.decimal_char, ".")
    if not _NUMBER.fullmatch(text):
        raise CellError("not a number")
    if not math.isfinite(float(text)):
        raise CellError("not a finite number")
    return text.removeprefix("+")


def _bare(field: Field, cell: str, problem: str) -> str:
    """The number in ``cell`` without its group marks (and, unless it is a bare number,
    without the text around it: "$35", "12%", "EUR 95"), its sign kept or the cell refused."""
    text = cell
    if any(c in DASHES for c in cell):  # "–12" (an en dash) is a minus to a reader: never 12
        raise CellError(f"{problem} (a dash is not a minus sign: write -12)")
    if not field.bare_number:
        text = _strip_decoration(field, cell, problem)
    elif text.startswith(MINUS):  # U+2212, as statistics offices and Wikipedia write it
        text = "-" + text[1:]
    if field.group_char and field.group_char in text:
        sign = text[0] if text[:1] in ("+", "-") else ""
        decimal = field.decimal_char if field.type == "number" else "\0"  # (an integer has no decimal mark)
        whole, mark, fraction = text[len(sign) :].partition(decimal)
        if not re.fullmatch(rf"[0-9]{{1,3}}({re.escape(field.group_char)}[0-9]{{3}})+", whole, re.ASCII):
            raise CellError(f"{problem} (groups of three digits separated by {field.group_char!r})")
        text = sign + whole.replace(field.group_char, "") + mark + fraction
    return text


def _strip_decoration(field: Field, cell: str, problem: str) -> str:
    first = next((i for i, c in enumerate(cell) if "0" <= c <= "9"), None)
    if first is None:
        raise CellError(problem)
    last = max(i for i, c in enumerate(cell) if "0" <= c <= "9")
    if first > 0 and field.type == "number" and cell[first - 1] == field.decimal_char:  # ".5", "€.5"
        first -= 1
    before, after = cell[:first], cell[last + 1 :]
    if any(c.isdigit() or c.isnumeric() for c in before + after):  # (digits of other scripts are not decoration)
        raise CellError(problem)
    if "(" in before and ")" in after:  # an accountant's (35) is -35: never read it as 35
        raise CellError(f"{problem} (a negative in parentheses: write -35)")
    if any(c in "-+" + MINUS for c in after):  # "12-": a trailing minus, as some ledgers write
        raise CellError(f"{problem} (a sign after the number: write -12)")
    signs = [c for c in before if c in "-+" + MINUS]
    if len(signs) > 1:
        raise CellError(problem)
    sign = "-" if signs and signs[0] != "+" else ""  # "-$12", "$-12", "−12": all negative
    return sign + cell[first : last + 1]


def _year(field: Field, cell: str) -> str:
    if not _YEAR.fullmatch(cell):
        raise CellError("not a year (YYYY)")
    return cell


def _yearmonth(field: Field, cell: str) -> str:
    match = _YEARMONTH.fullmatch(cell)
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise CellError("not a year and month (YYYY-MM)")
    return cell


def _boolean(field: Field, cell: str) -> str:
    if cell in field.true_values:
        return "true"
    if cell in field.false_values:
        return "false"
    raise CellError(f"not one of {', '.join(field.true_values + field.false_values)}")


def _date(field: Field, cell: str) -> str:
    if field.format == "default":
        if not _ISO_DATE.fullmatch(cell):
            raise CellError("not a date (YYYY-MM-DD)")
        try:
            return dt.date.fromisoformat(cell).isoformat()
        except ValueError:
            raise CellError("not a calendar date") from None
    moment = _temporal(field, cell, "a date")
    if field.format == "any" and (moment.time() != dt.time() or moment.tzinfo is not None):
        raise CellError("a date and time, not a date: use a datetime field")
    return moment.date().isoformat()


def _datetime(field: Field, cell: str) -> str:
    if field.format == "default" and not _ISO_DATETIME.fullmatch(cell):
        raise CellError("not a date and time (YYYY-MM-DDThh:mm:ss, with Z or an offset such as +09:00 if known)")
    moment = _temporal(field, cell, "a date and time")
    if moment.tzinfo is not None:  # one clock for a column: UTC
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment.isoformat(timespec="microseconds" if moment.microsecond else "seconds")


def _time(field: Field, cell: str) -> str:
    if field.format == "default" and not _ISO_TIME.fullmatch(cell):
        raise CellError("not a time (hh:mm:ss)")
    if field.format in ("default", "any"):
        try:
            moment = dt.time.fromisoformat(cell)
        except ValueError:
            raise CellError("not a time (hh:mm:ss)") from None
        if moment.tzinfo is not None:
            raise CellError("a time with an offset: use a datetime field")
    else:
        moment = _parse(cell, field.format, "a time").time()
    return moment.isoformat(timespec="microseconds" if moment.microsecond else "seconds")


def _temporal(field: Field, cell: str, what: str) -> dt.datetime:
    if field.format == "any" or (field.format == "default" and field.type == "datetime"):
        try:  # "any": every ISO 8601 form Python reads (2012-01-31, 20120131, 2012-01-31 10:00+09:00)
            if not cell.isascii():
                raise ValueError
            return dt.datetime.fromisoformat(cell.replace("Z", "+00:00") if cell.endswith("Z") else cell)
        except ValueError:
            partial = _month(cell) if field.type == "date" and field.format == "any" else None
            if partial is None:
                raise CellError(f"not {what} in an ISO 8601 form, or a month such as 2012-01, 2012-Jan or Jan 2012") from None
            return partial
    return _parse(cell, field.format, what)


_MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_abbr) if name} | {
    name.lower(): number for number, name in enumerate(calendar.month_name) if name
}
_MONTH_FORMS = (
    re.compile(r"^(?P<year>[0-9]{4})-(?P<month>[0-9]{2})$", re.ASCII),  # 2012-01
    re.compile(r"^(?P<year>[0-9]{4})[- ](?P<name>[A-Za-z]{3,9})$", re.ASCII),  # 1993-Jan
    re.compile(r"^(?P<name>[A-Za-z]{3,9})[- ](?P<year>[0-9]{4})$", re.ASCII),  # Jan 1993, January-1993
    re.compile(r"^(?P<day>[0-9]{1,2}) (?P<name>[A-Za-z]{3,9}) (?P<year>[0-9]{4})$", re.ASCII),  # 31 Jan 2012
    re.compile(r"^(?P<name>[A-Za-z]{3,9}) (?P<day>[0-9]{1,2}), (?P<year>[0-9]{4})$", re.ASCII),  # Jan 31, 2012
)


def _month(cell: str) -> dt.datetime | None:
    """A date written with its month's name, or a month alone (its first day): what a
    ``date`` field of format ``any`` reads beyond ISO 8601. Numeric day/month orders
    (01/02/2012) are not guessed: they need a pattern."""
    for form in _MONTH_FORMS:
        match = form.fullmatch(cell)
        if match:
            parts = match.groupdict()
            month = int(parts["month"]) if parts.get("month") else _MONTHS.get(str(parts["name"]).lower())
            try:
                return dt.datetime(int(parts["year"]), month or 0, int(parts.get("day") or 1))
            except ValueError:
                return None
    return None


def _parse(cell: str, fmt: str, what: str) -> dt.datetime:
    # strptime reads digits of every script and surrounding space in places; a cell that
    # passes must mean the same in every tool, so ASCII only, no padding
    if not cell.isascii() or cell != cell.strip():
        raise CellError(f"not {what} in the format {fmt!r}")
    try:
        return dt.datetime.strptime(cell, fmt)
    except ValueError:
        raise CellError(f"not {what} in the format {fmt!r}") from None


def _duration(field: Field, cell: str) -> str:
    if not _DURATION.fullmatch(cell):
        raise CellError("not an ISO 8601 duration (P1Y2M3DT4H)")
    return cell


def _geopoint(field: Field, cell: str) -> str:
    match = _GEOPOINT.fullmatch(cell)
    if not match or abs(float(match.group(1))) > 180 or abs(float(match.group(3))) > 90:
        raise CellError("not a point 'longitude, latitude'")
    return f"{match.group(1)}, {match.group(3)}"


def _json(kind: type, what: str) -> Callable[[Field, str], str]:
    def read(field: Field, cell: str) -> str:
        try:
            value = json.loads(cell)
        except ValueError:
            raise CellError(f"not {what} (JSON)") from None
        if not isinstance(value, kind) or (field.type == "geojson" and "type" not in value):  # type: ignore[operator]
            raise CellError(f"not {what} (JSON)")
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    return read


def _text(field: Field, cell: str) -> str:
    return cell


_READERS: dict[str, Callable[[Field, str], str]] = {
    "string": _string,
    "integer": _integer,
    "number": _number,
    "date": _date,
    "datetime": _datetime,
    "time": _time,
    "year": _year,
    "yearmonth": _yearmonth,
    "boolean": _boolean,
    "duration": _duration,
    "geopoint": _geopoint,
    "object": _json(dict, "an object"),
    "array": _json(list, "an array"),
    "geojson": _json(dict, "a GeoJSON object"),
    "list": _text,
    "any": _text,
}
TYPES = tuple(_READERS)

"""A resource's Table Schema fields and CSV dialect, the Frictionless way, and the
reading of one cell into its canonical text.

Agencies publish ``2012/01/31``, ``35,361``, ``1.234,5``, ``$35``, ``n/a`` and
timestamps; the schema says how (``format``, ``groupChar``, ``decimalChar``,
``bareNumber``, ``missingValues``) and ``read_cell`` turns each cell into one canonical
form: ISO dates and times, plain ASCII numbers (``35361``, ``1234.5``), or ``None`` for
a missing value. Tables and chart frames are made from that form only, so every cell
the check accepts means one thing everywhere.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import math
import re
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit

from .errors import known
from .yamlmap import FieldSpec, YamlMap, check_fields

TYPES = ("string", "integer", "number", "date", "datetime", "time", "year", "boolean")
TEMPORAL = ("date", "datetime", "time")
STRING_FORMATS = ("default", "email", "uri", "uuid", "binary")
FIELD_KEYS: FieldSpec = {
    "name": ("text", True),
    "type": ("text", False),
    "title": ("text", False),
    "description": ("text", False),
    "unit": ("text", False),
    "format": ("text", False),
    "constraints": ("mapping", False),
    "example": ("any", False),
    "missingValues": ("list of text", False),
    "groupChar": ("any", False),
    "decimalChar": ("any", False),
    "bareNumber": ("boolean", False),
}
CONSTRAINT_KEYS: FieldSpec = {"required": ("boolean", False)}
DIALECT_KEYS: FieldSpec = {
    "delimiter": ("any", False),
    "quoteChar": ("any", False),
    "doubleQuote": ("boolean", False),
    "escapeChar": ("any", False),
    "skipInitialSpace": ("boolean", False),
    "header": ("boolean", False),
    "lineTerminator": ("any", False),  # (any line ending is read: accepted, checked, not needed)
    "csvddfVersion": ("any", False),
}
LINE_TERMINATORS = ("\r\n", "\n", "\r")
# ASCII digits only (re.ASCII): Python's int() and float() also read Arabic-Indic and
# other digits, and "1_000", which pandas does not; a cell the check passes must load.
_INTEGER = re.compile(r"^[-+]?[0-9]+$", re.ASCII)
_NUMBER = re.compile(r"^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$", re.ASCII)
_YEAR = re.compile(r"^[0-9]{4}$", re.ASCII)
_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", re.ASCII)
# Frictionless' default datetime is ISO 8601 "YYYY-MM-DDThh:mm:ssZ"; fractions of a second
# and other offsets (+09:00), or none, are read too.
_ISO_DATETIME = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?(Z|[+-][0-9]{2}:[0-9]{2})?$", re.ASCII)
_ISO_TIME = re.compile(r"^[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?$", re.ASCII)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
INT64 = 2**63 - 1
_SAMPLE = dt.datetime(2012, 1, 31, 13, 45, 30, tzinfo=dt.UTC)  # to try a format pattern on


class CellError(ValueError):
    """Why a cell does not fit its field (the message a user reads)."""


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    title: str = ""
    description: str = ""
    unit: str = ""
    required: bool = False
    format: str = "default"  # date/datetime/time: "default", "any" or a strptime pattern
    missing_values: tuple[str, ...] = ("",)
    group_char: str = ""  # integer/number: "," in "35,361"
    decimal_char: str = "."  # number: "," in "1234,5"
    bare_number: bool = True  # False: strip "$" in "$35", "%" in "12%"

    @property
    def label(self) -> str:
        return self.title or self.name


@dataclass(frozen=True)
class Dialect:
    """How a resource's CSV is written (Frictionless CSV Dialect)."""

    delimiter: str = ","
    quote_char: str = '"'
    double_quote: bool = True
    escape_char: str | None = None
    skip_initial_space: bool = False
    header: bool = True

    def reader_options(self) -> dict[str, object]:
        """Keyword arguments for ``csv.reader``."""
        return {
            "delimiter": self.delimiter,
            "quotechar": self.quote_char,
            "doublequote": self.double_quote,
            "escapechar": self.escape_char,
            "skipinitialspace": self.skip_initial_space,
        }


def read_dialect(entry: YamlMap) -> Dialect:
    """The resource's ``dialect`` mapping, each option checked at its own line."""
    if "dialect" not in entry.values:
        return Dialect()
    if not isinstance(entry.values["dialect"], dict):
        raise entry.error("dialect", f"'dialect' must be a mapping (delimiter, quoteChar, ...), found {entry.values['dialect']!r}")
    spec = entry.child("dialect")
    check_fields(spec, DIALECT_KEYS, "a CSV dialect")
    values = spec.values
    chars = {key: _one_char(spec, key) for key in ("delimiter", "quoteChar", "escapeChar") if key in values}
    if "lineTerminator" in values and values["lineTerminator"] not in LINE_TERMINATORS:
        raise spec.error("lineTerminator", f"lineTerminator must be one of {', '.join(map(repr, LINE_TERMINATORS))}")
    dialect = Dialect(
        delimiter=chars.get("delimiter", ","),
        quote_char=chars.get("quoteChar", '"'),
        double_quote=values.get("doubleQuote", True),
        escape_char=chars.get("escapeChar"),
        skip_initial_space=values.get("skipInitialSpace", False),
        header=values.get("header", True),
    )
    if dialect.delimiter == dialect.quote_char:
        raise spec.error("quoteChar", f"quoteChar and delimiter are both {dialect.delimiter!r}")
    return dialect


def _one_char(spec: YamlMap, key: str) -> str:
    value = spec.values[key]
    if not isinstance(value, str) or len(value) != 1 or value in "\r\n":
        raise spec.error(
            key, f"{key} must be one character (not a line break), found {value!r}", 'quote it in YAML: delimiter: ";" or "\\t"'
        )
    return value


def read_field(item: YamlMap, schema_missing: tuple[str, ...]) -> Field:
    """One schema field, its options checked at their lines."""
    if not item.values:
        raise item.error(None, "each field must be a mapping with a name and a type")
    check_fields(item, FIELD_KEYS, "a field")
    values = item.values
    name, kind = values["name"], values.get("type", "string")
    if kind not in TYPES:
        raise item.error("type", f"field '{name}': unknown type '{kind}'", known(TYPES))
    constraints = item.child("constraints")
    check_fields(constraints, CONSTRAINT_KEYS, "constraints")
    field = Field(
        name=name,
        type=kind,
        title=values.get("title", ""),
        description=values.get("description", ""),
        unit=values.get("unit", ""),
        required=constraints.values.get("required", False),
        format=_format(item, name, kind),
        missing_values=tuple(values["missingValues"]) if "missingValues" in values else schema_missing,
        group_char=_number_char(item, "groupChar", kind, ""),
        decimal_char=_number_char(item, "decimalChar", kind, "."),
        bare_number=values.get("bareNumber", True),
    )
    if "bareNumber" in values and kind not in ("integer", "number"):
        raise item.error("bareNumber", f"field '{name}': bareNumber applies to integer and number fields, not {kind}")
    if field.group_char and field.group_char == field.decimal_char:
        raise item.error("groupChar", f"field '{name}': groupChar and decimalChar are both {field.group_char!r}")
    return field


def _format(item: YamlMap, name: str, kind: str) -> str:
    """The field's ``format``: "default", "any" or a strptime pattern for date, datetime and
    time (a pattern is tried on a sample now, so a bad one fails at its line)."""
    fmt = str(item.values.get("format", "default")).removeprefix("fmt:")  # (Table Schema v1.0 spelled patterns "fmt:%d/%m/%Y")
    if fmt == "default":
        return fmt
    if kind == "string":
        if fmt not in STRING_FORMATS:
            raise item.error("format", f"field '{name}': unknown string format '{fmt}'", known(STRING_FORMATS))
        return fmt
    if kind not in TEMPORAL:
        raise item.error("format", f"field '{name}': a {kind} field has no format other than 'default', found '{fmt}'")
    if fmt == "any":
        return fmt
    hint = "use 'default', 'any' or strptime codes such as '%d/%m/%Y' or '%Y-%m-%dT%H:%M:%S%z'"
    if "%" not in fmt:
        raise item.error("format", f"field '{name}': format '{fmt}' is not a {kind} pattern", hint)
    try:
        dt.datetime.strptime(_SAMPLE.strftime(fmt), fmt)
    except ValueError as exc:
        raise item.error("format", f"field '{name}': format '{fmt}' is not a {kind} pattern ({exc})", hint) from None
    return fmt


def _number_char(item: YamlMap, key: str, kind: str, default: str) -> str:
    if key not in item.values:
        return default
    name = item.values["name"]
    allowed = ("number",) if key == "decimalChar" else ("integer", "number")
    if kind not in allowed:
        raise item.error(key, f"field '{name}': {key} applies to {' and '.join(allowed)} fields, not {kind}")
    value = item.values[key]
    if not isinstance(value, str) or len(value) != 1 or value.isdigit() or value in "+-eE\r\n":
        raise item.error(key, f"field '{name}': {key} must be one character other than a digit, sign or 'e', found {value!r}")
    return value


def read_cell(field: Field, cell: str) -> str | None:
    """The cell's canonical text, or None when it is one of the field's missing values.
    Raises ``CellError`` when it does not fit the field."""
    if cell in field.missing_values:
        if field.required:
            raise CellError("a value is required")
        return None
    return _READERS[field.type](field, cell)


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
    return text


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
    return text


def _bare(field: Field, cell: str, problem: str) -> str:
    """The number in ``cell`` without its group marks (and, unless it is a bare number,
    without the text around it: "$35", "12%", "EUR 95")."""
    text = cell
    if not field.bare_number:
        first = next((i for i, c in enumerate(cell) if "0" <= c <= "9"), None)
        if first is None:
            raise CellError(problem)
        last = max(i for i, c in enumerate(cell) if "0" <= c <= "9")
        while first > 0 and cell[first - 1] in ("+", "-", field.decimal_char if field.type == "number" else "-"):  # "-12", ".5", "€-12"
            first -= 1
        around = cell[:first] + cell[last + 1 :]
        if any(c.isdigit() or c.isnumeric() for c in around):  # (digits of other scripts are not decoration)
            raise CellError(problem)
        if "(" in cell[:first] and ")" in cell[last + 1 :]:  # an accountant's (35) is -35: never read it as 35
            raise CellError(f"{problem} (a negative in parentheses: write -35)")
        text = cell[first : last + 1]
    if field.group_char and field.group_char in text:
        sign = text[0] if text[:1] in ("+", "-") else ""
        decimal = field.decimal_char if field.type == "number" else "\0"  # (an integer has no decimal mark)
        whole, mark, fraction = text[len(sign) :].partition(decimal)
        if not re.fullmatch(rf"[0-9]{{1,3}}({re.escape(field.group_char)}[0-9]{{3}})+", whole, re.ASCII):
            raise CellError(f"{problem} (groups of three digits separated by {field.group_char!r})")
        text = sign + whole.replace(field.group_char, "") + mark + fraction
    return text


def _year(field: Field, cell: str) -> str:
    if not _YEAR.fullmatch(cell):
        raise CellError("not a year (YYYY)")
    return cell


def _boolean(field: Field, cell: str) -> str:
    if cell not in ("true", "false"):
        raise CellError("not true or false")
    return cell


def _date(field: Field, cell: str) -> str:
    if field.format == "default":
        if not _ISO_DATE.fullmatch(cell):
            raise CellError("not a date (YYYY-MM-DD)")
        try:
            return dt.date.fromisoformat(cell).isoformat()
        except ValueError:
            raise CellError("not a calendar date") from None
    return _temporal(field, cell, "a date").date().isoformat()


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
            raise CellError(f"not {what} in an ISO 8601 form") from None
    return _parse(cell, field.format, what)


def _parse(cell: str, fmt: str, what: str) -> dt.datetime:
    # strptime reads digits of every script and surrounding space in places; a cell that
    # passes must mean the same in every tool, so ASCII only, no padding
    if not cell.isascii() or cell != cell.strip():
        raise CellError(f"not {what} in the format {fmt!r}")
    try:
        return dt.datetime.strptime(cell, fmt)
    except ValueError:
        raise CellError(f"not {what} in the format {fmt!r}") from None


_READERS = {
    "string": _string,
    "integer": _integer,
    "number": _number,
    "date": _date,
    "datetime": _datetime,
    "time": _time,
    "year": _year,
    "boolean": _boolean,
}

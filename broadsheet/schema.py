"""A resource's Table Schema fields and CSV dialect, the Frictionless way (v1 and v2).

Every property the Table Schema and CSV Dialect specifications define is read here: used
(types and formats, ``missingValues``, ``groupChar``, ``decimalChar``, ``bareNumber``,
``trueValues``/``falseValues``, every constraint, ``categories``, the dialect's options)
or knowingly ignored (``rdfType``, ``example``, ``categoriesOrdered``, ``jsonSchema``,
``caseSensitiveHeader``, spreadsheet and SQL options); a misspelt one is a warning
(``descriptor.check_properties``). ``cells.py`` reads a cell by its field.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from .cells import NUMERIC, TYPES, CellError, read_cell
from .descriptor import FieldSpec, Notes, check_properties
from .errors import known
from .yamlmap import YamlMap

TEMPORAL = ("date", "datetime", "time")
STRING_FORMATS = ("default", "email", "uri", "uuid", "binary")
FIELD_KEYS: FieldSpec = {
    "name": ("text", True),
    "type": ("text", False),
    "title": ("string", False),  # (published packages leave some empty)
    "description": ("string", False),
    "unit": ("text", False),  # (Broadsheet's: the axis and table heading show it)
    "format": ("text", False),
    "constraints": ("mapping", False),
    "example": ("any", False),
    "rdfType": ("any", False),
    "missingValues": ("list", False),
    "groupChar": ("any", False),
    "decimalChar": ("any", False),
    "bareNumber": ("boolean", False),
    "trueValues": ("list of text", False),
    "falseValues": ("list of text", False),
    "categories": ("list", False),
    "categoriesOrdered": ("boolean", False),
    "itemType": ("text", False),
    "itemJoin": ("text", False),
}
CONSTRAINT_KEYS: FieldSpec = {
    "required": ("boolean", False),
    "unique": ("boolean", False),
    "minLength": ("integer", False),
    "maxLength": ("integer", False),
    "minimum": ("any", False),
    "maximum": ("any", False),
    "exclusiveMinimum": ("any", False),
    "exclusiveMaximum": ("any", False),
    "pattern": ("text", False),
    "enum": ("list", False),
    "jsonSchema": ("any", False),
}
DIALECT_KEYS: FieldSpec = {
    "$schema": ("any", False),
    "delimiter": ("any", False),
    "quoteChar": ("any", False),
    "doubleQuote": ("boolean", False),
    "escapeChar": ("any", False),
    "skipInitialSpace": ("boolean", False),
    "header": ("boolean", False),
    "headerRows": ("list", False),
    "headerJoin": ("text", False),
    "commentChar": ("any", False),
    "commentRows": ("list", False),
    "nullSequence": ("text", False),
    "lineTerminator": ("any", False),  # (any line ending is read: accepted, checked, not needed)
    "caseSensitiveHeader": ("boolean", False),
    "csvddfVersion": ("any", False),
    "property": ("text", False),  # JSON: where the table is in the document
    "itemType": ("text", False),
    "itemKeys": ("list of text", False),
    "sheetNumber": ("any", False),
    "sheetName": ("any", False),
    "table": ("any", False),
    "csv": ("mapping", False),  # frictionless-py's own form, {csv: {delimiter: ...}}, as vega-datasets writes it
    "json": ("mapping", False),
}
LINE_TERMINATORS = ("\r\n", "\n", "\r")
TRUE_VALUES = ("true", "True", "TRUE", "1")
FALSE_VALUES = ("false", "False", "FALSE", "0")
_SAMPLE = dt.datetime(2012, 1, 31, 13, 45, 30, tzinfo=dt.UTC)  # to try a format pattern on


@dataclass(frozen=True)
class Constraints:
    """A field's constraints beyond ``required``; bounds and ``enum`` as canonical cells."""

    unique: bool = False
    min_length: int | None = None
    max_length: int | None = None
    minimum: str | None = None
    maximum: str | None = None
    exclusive_minimum: str | None = None
    exclusive_maximum: str | None = None
    pattern: str | None = None
    enum: tuple[str, ...] | None = None

    @property
    def active(self) -> bool:
        """Whether a cell has anything to be checked against (``unique`` is a column's)."""
        return self != Constraints(unique=self.unique)


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
    true_values: tuple[str, ...] = TRUE_VALUES
    false_values: tuple[str, ...] = FALSE_VALUES
    constraints: Constraints = field(default_factory=Constraints)

    @property
    def label(self) -> str:
        return self.title or self.name


@dataclass(frozen=True)
class Dialect:
    """How a resource's CSV is written (Frictionless CSV Dialect, v1 and v2)."""

    delimiter: str = ","
    quote_char: str = '"'
    double_quote: bool = True
    escape_char: str | None = None
    skip_initial_space: bool = False
    header: bool = True
    comment_char: str | None = None  # lines starting with it are skipped
    null_sequence: str | None = None  # a cell that means "no value" in every column

    def reader_options(self) -> dict[str, object]:
        """Keyword arguments for ``csv.reader``."""
        return {
            "delimiter": self.delimiter,
            "quotechar": self.quote_char,
            "doublequote": self.double_quote,
            "escapechar": self.escape_char,
            "skipinitialspace": self.skip_initial_space,
        }


def read_dialect(entry: YamlMap, notes: Notes, delimiter: str = ",") -> Dialect:
    """The resource's ``dialect`` mapping, each option checked at its own line (``delimiter``:
    the format's default, a tab for TSV)."""
    if "dialect" not in entry.values:
        return Dialect(delimiter=delimiter)
    if not isinstance(entry.values["dialect"], dict):
        raise entry.error("dialect", f"'dialect' must be a mapping (delimiter, quoteChar, ...), found {entry.values['dialect']!r}")
    spec = entry.child("dialect")
    check_properties(spec, DIALECT_KEYS, "a CSV dialect", notes)
    if "csv" in spec.values:  # frictionless-py's form: its options are the dialect's
        spec = YamlMap({**spec.values, **spec.values["csv"]}, {**spec.lines, **spec.child("csv").lines}, spec.path, spec.line)
        check_properties(spec, DIALECT_KEYS, "a CSV dialect", notes)
    values = spec.values
    chars = {key: _one_char(spec, key) for key in ("delimiter", "quoteChar", "escapeChar", "commentChar") if key in values}
    if "lineTerminator" in values and values["lineTerminator"] not in LINE_TERMINATORS:
        raise spec.error("lineTerminator", f"lineTerminator must be one of {', '.join(map(repr, LINE_TERMINATORS))}")
    if values.get("headerRows", [1]) not in ([1], []):
        raise spec.error("headerRows", "headerRows other than [1] (a header of several rows) is not read", "join the header into one row")
    if values.get("commentRows"):
        raise spec.error("commentRows", "commentRows is not read", "use commentChar, or remove the rows")
    dialect = Dialect(
        delimiter=chars.get("delimiter", delimiter),
        quote_char=chars.get("quoteChar", '"'),
        double_quote=values.get("doubleQuote", True),
        escape_char=chars.get("escapeChar"),
        skip_initial_space=values.get("skipInitialSpace", False),
        header=values.get("header", True) and values.get("headerRows") != [],
        comment_char=chars.get("commentChar"),
        null_sequence=values.get("nullSequence"),
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


def read_field(item: YamlMap, schema_missing: tuple[str, ...], notes: Notes) -> Field:
    """One schema field, its options checked at their lines."""
    if not item.values:
        raise item.error(None, "each field must be a mapping with a name and a type")
    check_properties(item, FIELD_KEYS, "a field", notes)
    values = item.values
    name, kind = values["name"], values.get("type", "string")
    if kind not in TYPES:
        raise item.error("type", f"field '{name}': unknown type '{kind}'", known(TYPES))
    constraints = item.child("constraints")
    check_properties(constraints, CONSTRAINT_KEYS, "constraints", notes)
    field = Field(
        name=name,
        type=kind,
        title=str(values.get("title") or ""),
        description=str(values.get("description") or ""),
        unit=values.get("unit", ""),
        format=_format(item, name, kind),
        missing_values=missing_values(item, "missingValues") if "missingValues" in values else schema_missing,
        group_char=_number_char(item, "groupChar", kind, ""),
        decimal_char=_number_char(item, "decimalChar", kind, "."),
        bare_number=values.get("bareNumber", True),
        true_values=tuple(values.get("trueValues", TRUE_VALUES)),
        false_values=tuple(values.get("falseValues", FALSE_VALUES)),
    )
    for key in ("bareNumber", "trueValues", "falseValues"):
        applies = NUMERIC if key == "bareNumber" else ("boolean",)
        if key in values and kind not in applies:
            raise item.error(key, f"field '{name}': {key} applies to {' and '.join(applies)} fields, not {kind}")
    if field.group_char and field.group_char == field.decimal_char:
        raise item.error("groupChar", f"field '{name}': groupChar and decimalChar are both {field.group_char!r}")
    return _constrained(field, item, constraints)


def missing_values(item: YamlMap, key: str) -> tuple[str, ...]:
    """``missingValues``: text, or (Table Schema v2) ``{value, label}`` mappings."""
    out = []
    for value in item.values[key]:
        value = value.get("value") if isinstance(value, dict) else value
        if not isinstance(value, str):
            raise item.error(key, f"'{key}' must list text values (or {{value: ..., label: ...}}), found {value!r}")
        out.append(value)
    return tuple(out)


def _constrained(field: Field, item: YamlMap, spec: YamlMap) -> Field:
    """``field`` with its constraints, each bound and ``enum`` value read as a cell of the
    field (so ``minimum: 2012-01-01`` compares as a date), wrong ones at their line."""
    values, name = spec.values, field.name
    if field.type in ("string", "any", "list") and any(k in values for k in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")):
        raise spec.error("minimum", f"field '{name}': minimum and maximum apply to numbers, dates and times, not {field.type}")
    enum = values.get("enum")
    if "categories" in item.values:  # (Table Schema v2: the values a categorical field may take)
        categories = item.values["categories"]
        enum = [c.get("value") if isinstance(c, dict) else c for c in categories]

    def cell(key: str, value: object) -> str:
        text = str(value).lower() if isinstance(value, bool) else str(value)
        try:
            canonical = read_cell(Field(name, field.type, format=field.format, missing_values=()), text)
        except CellError as exc:
            raise spec.error(key, f"field '{name}': {key} {value!r} is {exc}") from None
        assert canonical is not None
        return canonical

    pattern = values.get("pattern")
    if pattern is not None:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise spec.error("pattern", f"field '{name}': pattern {pattern!r} is not a regular expression ({exc})") from None
    constraints = Constraints(
        unique=values.get("unique", False),
        min_length=values.get("minLength"),
        max_length=values.get("maxLength"),
        minimum=cell("minimum", values["minimum"]) if "minimum" in values else None,
        maximum=cell("maximum", values["maximum"]) if "maximum" in values else None,
        exclusive_minimum=cell("exclusiveMinimum", values["exclusiveMinimum"]) if "exclusiveMinimum" in values else None,
        exclusive_maximum=cell("exclusiveMaximum", values["exclusiveMaximum"]) if "exclusiveMaximum" in values else None,
        pattern=pattern,
        enum=tuple(cell("enum", v) for v in enum) if enum is not None else None,
    )
    return Field(**{**field.__dict__, "required": values.get("required", False), "constraints": constraints})


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
        if fmt == "any":  # (year, number...: "any" is what published packages write for "default")
            return "default"
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
    allowed = ("number",) if key == "decimalChar" else NUMERIC
    if kind not in allowed:
        raise item.error(key, f"field '{name}': {key} applies to {' and '.join(allowed)} fields, not {kind}")
    value = item.values[key]
    if key == "groupChar" and value == "":  # (no group mark: what the spec's default means)
        return ""
    if not isinstance(value, str) or len(value) != 1 or value.isdigit() or value in "+-eE\r\n":
        raise item.error(key, f"field '{name}': {key} must be one character other than a digit, sign or 'e', found {value!r}")
    return value

"""Bound values resolved against the site's data: each expression's figure, and the cells
it was read from.

``resolve_values`` runs on every build, after the data package is loaded: it finds each
row a binding names by its key fields (compared as the fields' types: ``year=2025``
against integers, dates as dates, text with quotes and spaces folded), reads the field,
does the arithmetic in exact decimals and formats the result with d3-format. Each mistake
stops the build at the binding's line in the Markdown, with a hint listing what exists.
The resolved values are part of the render keys of the files that show them, so a
corrected CSV renders exactly the pages, embeds and feeds that cite it again.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Context, Decimal, DivisionByZero, InvalidOperation

from .bound import TOKEN, TOKEN_START, Binding, Call, Expression, Number, Operation, Ref, source_of
from .charts import ChartBlock
from .content import Page
from .data import Dataset, Package, Source, url_problem
from .errors import SiteError, known
from .numberformat import FormatError, format_number, parse_format
from .render import format_cell, heading
from .schema import Field

NUMERIC = ("integer", "number", "year")
FOLD = str.maketrans({"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'", "\u00a0": " ", "\u202f": " ", "\u2009": " "})
ESCAPED_TOKEN = re.compile(r"\\ue000((?:\\ue1[0-9a-f]{2})*)\\ue001")  # a token inside a repr()
ROW_SOURCE = ("source_url", "source_name")  # a row's own source, when the dataset names one per row
PRECISE = Context(prec=15)
MAX_WIDTH = 50  # (a width pads a figure: the widest figure, 1e21 with commas and 20 decimals, is 48 characters)
LARGEST, SMALLEST = Decimal("1e21"), Decimal("1e-21")
SIZE_HINT = "a bound value is 0 or between 1e-21 and 1e21 in size, as is every number and cell it reads or reaches"
FORMAT_HINT = "a format is a d3-format specifier, such as ,.0f  .1%  $.3s, or $.3w for $2.73 billion"


@dataclass(frozen=True)
class Cell:
    """One cell a bound value was read from, as the reader's note shows it."""

    dataset: str  # name
    row: int  # 0-based, in the dataset's rows
    keys: tuple[tuple[str, str], ...]  # the row as selected: (field heading, value as shown)
    field: str  # heading of the field read (its title or name, with its unit)
    text: str  # the cell as tables show it
    source: Source | None = None  # the row's own source, if the dataset gives one per row


@dataclass(frozen=True)
class Resolved:
    """A binding's figure: as written in the page, as a machine reads it, and from where."""

    text: str  # "$2.73 billion"
    value: str  # "2730000000" (the <data value>); text values as they are
    cells: tuple[Cell, ...]
    computed: bool  # arithmetic, not a cell as it stands


@dataclass(frozen=True)
class DatasetNote:
    """What a reader's note says of a dataset: its title, its entry and its sources."""

    title: str
    entry: str  # the page and anchor that describe it (/data-and-methods/#data-x), else its CSV
    sources: tuple[Source, ...]


@dataclass(frozen=True)
class BoundValues:
    """Every bound value of the site, by its expression (``Binding.source``)."""

    values: Mapping[str, Resolved]
    datasets: Mapping[str, DatasetNote]  # the datasets the values read

    def digest(self, sources: Iterable[str]) -> str:
        """A hash of what the values ``sources`` show (figures, cells, notes): a render key part."""
        chosen = sorted(set(sources) & self.values.keys())
        if not chosen:
            return ""
        notes = {c.dataset: self.datasets[c.dataset] for s in chosen for c in self.values[s].cells}
        text = repr([(s, self.values[s]) for s in chosen] + sorted(notes.items()))
        return hashlib.sha256(text.encode()).hexdigest()

    def digest_in(self, text: str) -> str:
        """``digest`` of the values whose tokens ``text`` holds, raw or escaped by ``repr``."""
        found = [source_of(m.group(1)) for m in TOKEN.finditer(text)]
        found += [source_of("".join(chr(int(h[2:], 16)) for h in re.findall(r"\\u....", m.group(1)))) for m in ESCAPED_TOKEN.finditer(text)]
        return self.digest(found)

    def plain_titles(self, pages: Sequence[Page]) -> list[Page]:
        """``pages`` with their titles' figures written out (for social cards, drawn as text)."""
        return [replace(page, title=self.plain(page.title)) if TOKEN_START in page.title else page for page in pages]

    def plain(self, text: str) -> str:
        """``text`` with each token replaced by its figure (for a social card or an alt text)."""
        return TOKEN.sub(lambda m: self.values[source_of(m.group(1))].text, text) if "\ue000" in text else text


def drawn_texts(charts: Mapping[str, ChartBlock], values: BoundValues) -> dict[str, ChartBlock]:
    """``charts`` with the figures in the text they draw (a scrolly step's annotations)
    written out: drawn into the SVG, they can't be filled in later, and so a changed
    figure changes the chart's cache key and the chart is drawn again."""
    drawn = dict(charts)
    for chart_id, chart in charts.items():
        state = chart.state
        if state is not None and any(TOKEN_START in a.text for a in state.annotations):
            annotations = tuple(replace(a, text=values.plain(a.text)) for a in state.annotations)
            drawn[chart_id] = replace(chart, state=replace(state, annotations=annotations))
    return drawn


def resolve_values(pages: Sequence[Page], package: Package, entries: Mapping[str, str]) -> BoundValues:
    """Resolve every page's bindings, and those of the datasets' descriptions. ``entries``: each catalogued dataset's page and anchor."""
    values: dict[str, Resolved] = {}
    places = [(page.src, page.bindings) for page in pages] + [(d.descriptor, d.bindings) for d in package.datasets.values()]
    for src, bindings in places:
        for binding in bindings:
            if binding.source not in values:
                values[binding.source] = _Reading(package, src, binding.line).resolve(binding)
    names = sorted({cell.dataset for value in values.values() for cell in value.cells})
    notes = {name: _note(package.datasets[name], entries) for name in names}
    return BoundValues(values, notes)


def _note(dataset: Dataset, entries: Mapping[str, str]) -> DatasetNote:
    return DatasetNote(dataset.title, entries.get(dataset.name, dataset.url), dataset.sources)


class _Reading:
    """One binding being resolved: errors are at its line."""

    def __init__(self, package: Package, src: str, line: int):
        self.package, self.src, self.line = package, src, line
        self.cells: list[Cell] = []

    def error(self, message: str, hint: str | None = None) -> SiteError:
        return SiteError(self.src, self.line, message, hint)

    def resolve(self, binding: Binding) -> Resolved:
        value = self.evaluate(binding.expression)
        computed = not isinstance(binding.expression, Ref)
        if isinstance(value, str):
            if binding.format not in ("", "c"):
                field = binding.expression.field if isinstance(binding.expression, Ref) else ""
                message = f"bound value: format '{binding.format}' needs a number, but field '{field}' holds text"
                raise self.error(message, "leave the format out to write the text as it is")
            return Resolved(value, value, tuple(self.cells), computed)
        try:
            spec = parse_format(binding.format)
        except FormatError as exc:
            raise self.error(f"bound value: {exc}", FORMAT_HINT) from None
        except ValueError:  # (a width or precision of thousands of digits: Python reads ints of at most 4,300)
            raise self.error(f"bound value: format '{binding.format[:20]}...' is not a d3-format specifier", FORMAT_HINT) from None
        if spec.width is not None and spec.width > MAX_WIDTH:
            raise self.error(f"bound value: format '{binding.format}' pads the figure past {MAX_WIDTH} characters", FORMAT_HINT)
        text = format_number(spec, float(value))
        if binding.format == "c":
            raise self.error("bound value: format 'c' writes text, and this value is a number", FORMAT_HINT)
        return Resolved(text, _plain_decimal(value, computed), tuple(self.cells), computed)

    def evaluate(self, expression: Expression) -> Decimal | str:
        """The expression's value; every number in it, read or reached, a figure's size."""
        value = self.calculate(expression)
        if isinstance(value, Decimal) and not _is_figure(value):
            size = "small" if value.is_finite() and value.copy_abs() < SMALLEST else "large"
            raise self.error(f"bound value: {_named(expression, value)} too {size} to be a figure", SIZE_HINT)
        return value

    def calculate(self, expression: Expression) -> Decimal | str:
        if isinstance(expression, Number):
            return expression.value
        if isinstance(expression, Ref):
            return self.read(expression)
        if isinstance(expression, Call):
            inner = self.number(expression.argument)
            return -inner if expression.function == "-" else abs(inner)
        assert isinstance(expression, Operation)
        left, right = self.number(expression.left), self.number(expression.right)
        if expression.operator == "/":
            try:
                return left / right
            except (DivisionByZero, InvalidOperation):
                raise self.error("bound value: division by zero", "check the row the divisor is read from") from None
        return left + right if expression.operator == "+" else left - right if expression.operator == "-" else left * right

    def number(self, expression: Expression) -> Decimal:
        value = self.evaluate(expression)
        if isinstance(value, str):
            field = expression.field if isinstance(expression, Ref) else ""
            raise self.error(
                f"bound value: field '{field}' holds text, which arithmetic can't use", "use number fields (integer, number, year)"
            )
        return value

    def read(self, ref: Ref) -> Decimal | str:
        dataset = self.package.datasets.get(ref.dataset)
        if dataset is None:
            raise self.error(f"bound value: unknown dataset '{ref.dataset}'", _did_you_mean(ref.dataset, self.package.datasets))
        for name, _ in ref.keys:
            self.field(dataset, name)
        field = self.field(dataset, ref.field)
        row = self.row(dataset, ref)
        cell = dataset.rows[row][dataset.columns.index(field.name)]
        if cell is None:
            where = ", ".join(f"{k}={v}" for k, v in ref.keys)
            raise self.error(
                f"bound value: '{ref.dataset}[{where}].{field.name}' is empty in {dataset.src} (a missing value)",
                "choose another field or row: a missing value is never written as zero",
            )
        keys = tuple(_shown(dataset, row, name) for name, _ in ref.keys)
        self.cells.append(Cell(dataset.name, row, keys, heading(field), format_cell(field, cell), _row_source(dataset, row)))
        return Decimal(cell) if field.type in NUMERIC else cell

    def field(self, dataset: Dataset, name: str) -> Field:
        if name not in dataset.columns:
            raise self.error(f"bound value: dataset '{dataset.name}' has no field '{name}'", _did_you_mean(name, dataset.columns))
        return dataset.column(name)

    def row(self, dataset: Dataset, ref: Ref) -> int:
        """The one row whose key fields hold the values ``ref`` names."""
        wanted = [(dataset.columns.index(name), self.literal(dataset.column(name), value)) for name, value in ref.keys]
        rows = [i for i, row in enumerate(dataset.rows) if all(_typed(dataset.fields[c], row[c]) == want for c, want in wanted)]
        where = ", ".join(f"{k}={_show(v)}" for k, v in ref.keys)
        if not rows:
            raise self.error(f"bound value: no row of '{dataset.name}' has {where}", _nearest(dataset, ref, wanted))
        if len(rows) > 1:
            raise self.error(f"bound value: {len(rows)} rows of '{dataset.name}' have {where}", _tell_apart(dataset, rows, ref))
        return rows[0]

    def literal(self, field: Field, value: str) -> object:
        """A key's value as written, read as the field's type."""
        try:
            typed = _typed(field, value)
        except (InvalidOperation, ValueError):
            typed = None
        if typed is None:
            raise self.error(f"bound value: {field.name}={_show(value)} is not a {field.type}, as field '{field.name}' is", None)
        return typed


def _shown(dataset: Dataset, row: int, name: str) -> tuple[str, str]:
    """A key of the row as a reader sees it: the field's heading and the cell."""
    field = dataset.column(name)
    return heading(field), format_cell(field, dataset.rows[row][dataset.columns.index(name)])


def _typed(field: Field, cell: str | None) -> object:
    """A cell (or a key's value) in a form that compares as the field's type."""
    if cell is None:
        return None
    if field.type in ("integer", "year"):
        if not re.fullmatch(r"[-+]?[0-9]+", cell):
            raise ValueError(cell)
        return int(cell)
    if field.type == "number":
        number = Decimal(cell)
        if not number.is_finite():  # (NaN, which compares as nothing, or sNaN, which raises)
            raise ValueError(cell)
        return number
    if field.type == "boolean":
        return {"true": True, "false": False}[cell.lower()] if cell.lower() in ("true", "false") else None
    if field.type == "date" and not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", cell):
        raise ValueError(cell)
    return " ".join(cell.translate(FOLD).split())


def _show(value: str) -> str:
    return value if re.fullmatch(r"[\w.:-]+", value) else f'"{value}"'


def _nearest(dataset: Dataset, ref: Ref, wanted: list[tuple[int, object]]) -> str:
    """For each key, the values it holds among the rows the other keys select, nearest to
    the one asked for first: the key that excluded every row shows what it could be."""
    hints = []
    for k, (column, want) in enumerate(wanted):
        others = [(c, w) for j, (c, w) in enumerate(wanted) if j != k]
        rows = [row for row in dataset.rows if all(_typed(dataset.fields[c], row[c]) == w for c, w in others)]
        field = dataset.fields[column]
        present = sorted({v for row in rows if (v := row[column]) is not None}, key=lambda v: _distance(field, v, want))
        if present:
            scope = ", ".join(f"{name}={_show(value)}" for j, (name, value) in enumerate(ref.keys) if j != k)
            more = ", ..." if len(present) > 8 else ""
            hints.append(f"{field.name}{f' (where {scope})' if scope else ''} has: {', '.join(map(_show, present[:8]))}{more}")
    return "; ".join(hints) or "no row matches any of these values"


def _distance(field: Field, value: str, want: object) -> tuple[float, str]:
    try:
        typed = _typed(field, value)
        if isinstance(typed, int | Decimal) and isinstance(want, int | Decimal):
            return float(abs(Decimal(typed) - Decimal(want))), value
        if field.type == "date" and isinstance(want, str):
            return float(abs(dt.date.fromisoformat(value).toordinal() - dt.date.fromisoformat(want).toordinal())), value
    except (ArithmeticError, ValueError):  # (decimal's Overflow and InvalidOperation among them)
        pass
    return 1 - difflib.SequenceMatcher(None, str(want), value).ratio(), value


def _tell_apart(dataset: Dataset, rows: list[int], ref: Ref) -> str:
    """The fields (short ones first) whose values differ between ``rows``, to add as keys."""
    named = {name for name, _ in ref.keys}
    options = []
    for column, field in enumerate(dataset.fields):
        values = [dataset.rows[i][column] for i in rows]
        distinct = list(dict.fromkeys(v for v in values if v is not None))
        if field.name not in named and field.type != "number" and len(distinct) == len(rows) and max(map(len, distinct)) <= 40:
            options.append(f"{field.name} ({'; '.join(_show(v) for v in distinct)})")
    return "add a key to choose one: " + (", or ".join(options[:3]) if options else "no field tells them apart")


def _did_you_mean(name: str, names: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, sorted(names), n=1)
    return (f"did you mean '{close[0]}'? " if close else "") + known(names)


def _row_source(dataset: Dataset, row: int) -> Source | None:
    """The row's own source, when the dataset gives one per row (``source_url``, ``source_name``)."""
    if ROW_SOURCE[0] not in dataset.columns:
        return None
    url = dataset.rows[row][dataset.columns.index(ROW_SOURCE[0])]
    if not url or url_problem(url):
        return None
    name = dataset.rows[row][dataset.columns.index(ROW_SOURCE[1])] if ROW_SOURCE[1] in dataset.columns else None
    return Source(name or url, url)


def _named(expression: Expression, value: Decimal) -> str:
    if isinstance(expression, Number):
        return f"the number {value:.3g} is"
    if isinstance(expression, Ref):
        return f"the cell {expression.dataset}[...].{expression.field} holds {value:.3g},"
    return f"its arithmetic comes to {value:.3g},"


def _is_figure(value: Decimal) -> bool:
    """Finite, and zero or of a size JavaScript writes out in full (it writes 1e21 and
    1e-7 in exponent form; d3 formats floats): what a sentence can state."""
    return value.is_finite() and (value.is_zero() or SMALLEST <= value.copy_abs() < LARGEST)  # (copy_abs: exact, never overflows)


def _plain_decimal(value: Decimal, computed: bool) -> str:
    """The number as a machine reads it: no exponent, no trailing zeros (2.73E+9 -> 2730000000);
    arithmetic to 15 significant digits (a division's 28 would be noise)."""
    text = f"{value.normalize(PRECISE) if computed else value.normalize():f}"
    return "0" if text in ("-0", "0") else text

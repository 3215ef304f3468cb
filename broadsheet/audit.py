"""The audit of a site's numbers (``broadsheet check --numbers``): which figures in its
prose, titles and alt text are bound to its data, and which are still typed by hand.

Every number typed by hand (``numbers.typed_numbers``) is compared with every numeric cell
of the site's data. One that a bound value would write exactly as it stands (the same
digits, currency, scale word and percent sign) "equals" the cell, and the audit suggests
that binding; one within 1.5% of a cell is "near" it (a rounding, or another figure); the
rest match nothing: claims that rest on no row of the data. Numbers marked ``{! ... }``
are listed as typed by hand on purpose.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from itertools import combinations

from .config import Config, read_site_file
from .data import Dataset, Package
from .numberformat import format_number
from .numbers import Typed, typed_numbers
from .pages import decode
from .schema import Field

NUMERIC = ("integer", "number")
CALENDAR = ("year", "month", "day", "week", "quarter")  # parts of a date, not quantities
SCALE_WORDS = (("trillion", 12), ("billion", 9), ("bn", 9), ("million", 6), ("thousand", 3))
NEAR = 0.015  # a relative difference within which a figure is "near" a cell
KEY_LENGTH = 80  # text fields longer than this do not name rows (headlines, notes)


@dataclass(frozen=True)
class Match:
    """A cell that a typed number equals or is near, and the binding that would write it."""

    dataset: str
    row: int
    field: str
    cell: str
    binding: str  # "{= ... }" and any text typed after it (" billion", "%"), or "" if no key names the row
    exact: bool  # the binding writes the number as it stands
    rounded: bool = False  # ... from a cell that is not that number (0.5 million from 511,619)
    scaled: Decimal = Decimal(0)  # the cell in the typed number's unit (its absolute value)


@dataclass(frozen=True)
class Finding:
    typed: Typed
    matches: tuple[Match, ...]  # the best first

    @property
    def kind(self) -> str:
        if self.typed.marked:
            return "marked"
        if self.matches and self.matches[0].exact:
            return "equals"
        return "near" if self.matches else "none"


@dataclass(frozen=True)
class Audit:
    findings: tuple[Finding, ...]
    bound: int  # bound values in the pages

    def count(self, kind: str) -> int:
        return sum(1 for f in self.findings if f.kind == kind)

    def report(self) -> str:
        lines = [_line(finding) for finding in self.findings]
        typed = len(self.findings) - self.count("marked")
        lines.append(
            f"{self.bound} bound values; {typed} numbers typed by hand: {self.count('equals')} equal a value in the data "
            f"(bind them), {self.count('near')} are near one, {self.count('none')} match none; "
            f"{self.count('marked')} marked as typed on purpose ({{! }}). Years, dates, ordinals, times, resolution "
            "numbers and names are left out, and so are footnotes."
        )
        return "\n".join(lines)


@dataclass(frozen=True)
class Cited:
    """What a page already draws on: the likeliest sources of the figures it types by hand."""

    datasets: frozenset[str]  # those its charts and tables show and its bound values read
    rows: frozenset[tuple[str, int]] = frozenset()  # (dataset, row) its bound values read


def audit_site(config: Config, pages: Mapping[str, Cited], package: Package, bound: int) -> Audit:
    """The audit of ``pages`` (content/...md, with what each cites) against ``package``."""
    index = _index(package.datasets.values())
    findings = []
    for src, cited in sorted(pages.items()):
        text = decode(src, read_site_file(config.root, src))
        for typed in typed_numbers(src, text):
            if not _names_a_row(typed, index):
                matches = sorted(_matches(typed, index), key=lambda m: _rank(m, typed, cited))
                findings.append(Finding(typed, tuple(matches[:5])))
    return Audit(tuple(findings), bound)


def _rank(match: Match, typed: Typed, cited: Cited) -> tuple[bool, bool, bool, bool, bool, Decimal]:
    """The cell a figure is likeliest from: one it equals before one it rounds; then, among
    several (8 billion: 7.95 or 8.05 billion), the page's own datasets and rows, then the closest."""
    off = abs(match.scaled - abs(typed.value))
    cited_row = (match.dataset, match.row) in cited.rows
    return (not match.exact, match.rounded, match.dataset not in cited.datasets, not cited_row, not match.binding, off)


def _names_a_row(typed: Typed, index: _Index) -> bool:
    """A plain whole number that an identifying field of the data holds (resolution 2397):
    a name, not a quantity."""
    plain = typed.digits.isdigit() and not (typed.scale or typed.percent or typed.currency or typed.negative)
    return plain and int(typed.digits) in index.names


def _line(finding: Finding) -> str:
    typed = finding.typed
    where = f"{typed.src}:{typed.line}: {typed.text}"
    if finding.kind == "marked":
        return f"{where}: typed by hand on purpose"
    if not finding.matches:
        return f"{where}: no value in the data"
    best = finding.matches[0]
    cell = f"{best.dataset} (row {best.row + 1}) {best.field} = {best.cell}" + (", rounded" if best.rounded else "")
    if best.exact:
        return f"{where}: equals {cell}" + (f"\n  bind it: {best.binding}" if best.binding else " (no field tells the row apart)")
    return f"{where}: near {cell}"


@dataclass(frozen=True)
class _Cell:
    dataset: Dataset
    row: int
    field: str
    value: Decimal
    text: str
    scale: int  # the field's unit: 9 for "USD billion", 6 for million, 3 for thousand
    percent: bool  # the field holds percentages (57 for 57%)


@dataclass(frozen=True)
class _Index:
    """The site's numeric cells, by value (a figure is looked up, not compared with every cell)."""

    cells: tuple[_Cell, ...]  # sorted by value
    values: tuple[float, ...]
    names: frozenset[int]  # the values of integer fields that name rows (resolution 2397): not quantities

    def near(self, value: float, within: float) -> list[_Cell]:
        """The cells within ``within`` of ``value``, or within NEAR of it if that is more."""
        margin = max(abs(value) * NEAR, within)
        return list(self.cells[bisect_left(self.values, value - margin) : bisect_right(self.values, value + margin)])


def _index(datasets: Iterable[Dataset]) -> _Index:
    cells: list[_Cell] = []
    names: set[int] = set()
    for dataset in datasets:
        for column, field in enumerate(dataset.fields):
            values = [row[column] for row in dataset.rows]
            if _identifies(field, values):  # (a name, not a quantity: not matched either)
                names.update(int(v) for v in values if v is not None and int(v) >= 100)
                continue
            if field.type not in NUMERIC or field.name.lower() in CALENDAR:
                continue
            label = f"{field.name} {field.unit}".lower()
            scale = next((power for word, power in SCALE_WORDS if word in label), 0)
            percent = bool(re.search(r"pct|percent|%", label))
            for row, cell in enumerate(values):
                if cell is not None:
                    cells.append(_Cell(dataset, row, field.name, Decimal(cell), cell, scale, percent))
    cells.sort(key=lambda c: float(c.value))
    return _Index(tuple(cells), tuple(float(c.value) for c in cells), frozenset(names))


def _identifies(field: Field, values: list[str | None]) -> bool:
    """Whether a field names its rows with whole numbers (a resolution or test number)."""
    return (
        field.type in ("integer", "string")
        and not field.unit
        and None not in values
        and all(v is not None and v.isdigit() for v in values)
        and len(set(values)) == len(values)
    )


def _matches(typed: Typed, index: _Index) -> list[Match]:
    """The cells ``typed`` equals or is near: as a quantity (2.465 million and a cell of
    2465000 tonnes), in the unit of the field (2.73 billion and 2.73 USD billion), or as a
    bare figure written without the unit's word (6.39 in "6.39 and 6.36 billion")."""
    found = []
    half = float(Decimal(5).scaleb(typed.scale - typed.decimals - 1))  # (half the last digit written: 0.05 million)
    for sign in (1, -1):  # (a fall written as "down 51.2%", a cell of -51.2: abs())
        value = typed.value * sign
        for cell in index.near(float(value), half):
            if cell.percent == typed.percent and (cell.scale == 0 or not typed.scale):
                found.append(_match(typed, cell, 0, sign < 0))
        for power in (3, 6, 9, 12):
            for cell in index.near(float(value.scaleb(-power)), half / 10**power):
                if cell.scale == power and not typed.percent:
                    found.append(_match(typed, cell, power, sign < 0))
    return sorted(found, key=lambda m: (m.dataset, m.row))


def _match(typed: Typed, cell: _Cell, power: int, absolute: bool = False) -> Match:
    """The binding that writes ``typed`` from ``cell`` (scaled by 10**power, its absolute
    value if ``absolute``), if one does."""
    dataset, scaled = cell.dataset, abs(cell.value) * Decimal(1).scaleb(power)
    for factor, specifier, after in _forms(typed, power):
        written = format_number(specifier, float(abs(cell.value) if absolute else cell.value) * float(factor)) + after
        if _same(written, typed.text):
            keys, field = _row_keys(dataset, cell.row, cell.field), _quoted(cell.field)
            read = f"{dataset.name}[{keys}].{field}"
            read = f"abs({read})" if absolute else read
            times = f" * {_factor(factor)}" if factor != 1 else ""
            lead = "US" if typed.text.startswith("US$") else ""  # (d3's currency is "$")
            binding = f"{lead}{{= {read}{times} as {specifier} }}{after}" if keys and field else ""
            return Match(dataset.name, cell.row, cell.field, cell.text, binding, True, scaled != abs(typed.value), scaled)
    return Match(dataset.name, cell.row, cell.field, cell.text, "", False, scaled=scaled)


def _forms(typed: Typed, power: int) -> Iterable[tuple[Decimal, str, str]]:
    """(factor, d3-format, text after) that could write ``typed`` from a cell 10**-power of it."""
    factor = Decimal(1).scaleb(power)
    currency, comma = typed.currency, "," if "," in typed.digits else ""
    fixed = f"{currency}{comma}.{typed.decimals}f"
    if typed.scale:
        significant = len(typed.digits.replace(".", "").replace(",", "").lstrip("0")) or 1
        yield factor, f"{currency}.{significant}w", ""
        word = re.search(r"\s?(thousand|million|billion|trillion|bn)$", typed.text)
        yield factor.scaleb(-typed.scale), fixed, word.group() if word else ""
    elif typed.percent:
        sign = typed.text[len(typed.text.rstrip("% percnt")) :]
        yield factor, fixed, sign
        yield factor.scaleb(-2), f".{typed.decimals}%", ""
    else:
        yield factor, fixed if typed.decimals else f"{currency}{comma}d", ""


def _same(written: str, typed: str) -> bool:
    def plain(text: str) -> str:
        return text.replace("US$", "$").replace("\u2212", "-").replace("\u00a0", " ").replace(" bn", " billion").strip()

    return plain(written) == plain(typed)


def _factor(factor: Decimal) -> str:
    exponent = factor.normalize().as_tuple().exponent
    return f"1e{exponent}" if factor.normalize() == Decimal(1).scaleb(int(exponent)) else f"{factor.normalize():f}"


@cache
def _row_keys(dataset: Dataset, row: int, field: str) -> str:
    """The fewest short fields (in the schema's order) whose values name ``row`` alone."""
    candidates = [
        i
        for i, f in enumerate(dataset.fields)
        if f.name != field and f.type in ("string", "integer", "year", "date") and all(len(r[i] or "") <= KEY_LENGTH for r in dataset.rows)
    ]
    # (the fields first in the schema name rows best: year and series before a source's date)
    combos = sorted((c for size in (1, 2, 3) for c in combinations(candidates, size)), key=lambda c: (max(c), len(c)))
    for columns in combos:
        values = tuple(dataset.rows[row][c] for c in columns)
        if None not in values and sum(1 for r in dataset.rows if tuple(r[c] for c in columns) == values) == 1:
            keys = [
                (_quoted(dataset.fields[c].name), _quoted(v, bare=r"[\w.:-]+"))
                for c, v in zip(columns, values, strict=True)
                if v is not None
            ]
            if all(name and value for name, value in keys):
                return ", ".join(f"{name}={value}" for name, value in keys)
    return ""


def _quoted(text: str, bare: str = r"[A-Za-z_][A-Za-z0-9_]*") -> str:
    """``text`` as a bound value reads it: as it is if ``bare`` (a name, a plain value),
    else in quotes (``"Country Name"``; ``'The "Big" One'``), or "" if no quote will do
    (the parser has no escapes: a text holding both quotes can't be written)."""
    if re.fullmatch(bare, text):
        return text
    quote = next((q for q in "\"'" if q not in text), "")
    return f"{quote}{text}{quote}" if quote and text == " ".join(text.split()) else ""


def print_audit(config: Config) -> int:
    """``check --numbers``: read the site (every check of a build's reading included), print the audit."""
    from .site import load_site
    from .state import BuildState

    site = load_site(config, BuildState())
    cited = {}
    for page in site.pages:
        cells = [cell for binding in page.bindings for cell in site.values.values[binding.source].cells]
        shown = {d.name for block in site.blocks[page.src] for d in block.datasets()} | {cell.dataset for cell in cells}
        cited[page.src] = Cited(frozenset(shown), frozenset((cell.dataset, cell.row) for cell in cells))
    audit = audit_site(config, cited, site.package, sum(len(p.bindings) for p in site.pages))
    print(audit.report())
    return 0

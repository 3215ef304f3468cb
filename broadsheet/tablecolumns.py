"""Table columns: which columns of a view's plotted data a default "Show the data" table
keeps (``plotted``), when its chart declares no reader table (``readertables``).

A drawing's data holds more than its readers need: where a label sits, where a rule
ends, the bounds of a shaded period, a mark's colour written as data, and the same
values twice (a long and a short name for a series). These are left out; so is a table
whose every row another table already lists (a layer of value labels over its bars).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

POSITIONS = frozenset({"x", "y", "x2", "y2", "xOffset", "yOffset", "theta", "theta2", "radius", "radius2"})
ENDS = frozenset({"x2", "y2", "theta2", "radius2"})
PLACED = frozenset({"text", "rect"})  # marks whose position is often made up: a label, a shaded period
COLOUR = re.compile(r"^(#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?([0-9a-fA-F]{2})?|(rgb|hsl)a?\(.*\))$")


def made_fields(datasets: Any, known: Sequence[str] | frozenset[str]) -> frozenset[str]:
    """Fields of a spec's inline data that no dataset of the chart has: made by the chart
    function (a label's position, a rule's end), not by a Vega transform."""
    found: set[str] = set()
    for records in datasets.values() if isinstance(datasets, dict) else ():
        if isinstance(records, list) and records and isinstance(records[0], dict):
            found.update(records[0])
    return frozenset(found - set(known))


def is_layout(channel: str, mark: str, field: str, made: frozenset[str], quantity: bool) -> bool:
    """A column that places a mark rather than carries data: a field the chart function made,
    drawn as an end (a rule's, a band's), or as the coordinate (a number or a time, not a
    category) of a label or a shaded area."""
    return field in made and (channel in ENDS or (channel in POSITIONS and mark in PLACED and quantity))


def is_colour(values: Sequence[Any]) -> bool:
    """A column of colours (``#555555``): how a mark is drawn, not data."""
    present = [v for v in values if v is not None]
    return bool(present) and all(isinstance(v, str) and COLOUR.match(v.strip()) for v in present)


def kept_columns(headings: Sequence[str], columns: Sequence[Sequence[str]]) -> list[int]:
    """The columns (by index) that say something new: not a heading already used, not the
    same cells as an earlier column."""
    kept: list[int] = []
    for index, (heading, cells) in enumerate(zip(headings, columns, strict=True)):
        if any(headings[k] == heading or list(columns[k]) == list(cells) for k in kept):
            continue
        kept.append(index)
    return kept


Table = tuple[Sequence[str], Sequence[Sequence[str]]]  # headings, rows


def contained(table: Table, other: Table) -> bool:
    """Whether every row of ``table`` is a row of ``other``, in the other's columns."""
    (headings, rows), (other_headings, other_rows) = table, other
    if not headings or not set(headings) <= set(other_headings):
        return False
    where = [list(other_headings).index(h) for h in headings]
    listed = {tuple(row[i] for i in where) for row in other_rows}
    return all(tuple(row) in listed for row in rows)


def kept_tables(tables: Sequence[Table]) -> list[int]:
    """The tables (by index) that list rows no other table lists (of two that list the
    same, the first)."""
    return [
        i
        for i, table in enumerate(tables)
        if not any(j != i and contained(table, other) and (j < i or not contained(other, table)) for j, other in enumerate(tables))
    ]


UNIT_SPELLINGS = (("us$", "usd"), ("$", "usd"), ("per cent", "%"), ("percent", "%"))  # one unit, written two ways


def says_unit(text: str, unit: str) -> bool:
    """Whether ``text`` already gives ``unit``, however spelt ("US$ billion" gives "USD billion")."""

    def plain(words: str) -> str:
        words = words.lower()
        for spelling, same in UNIT_SPELLINGS:
            words = words.replace(spelling, same)
        return words

    return plain(unit) in plain(text)

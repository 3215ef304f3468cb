"""Parsed blocks: one frozen record per kind of fenced block a page may hold.

``parse_block`` turns a page's ``Block`` (its YAML, with lines) into a record, raising
``path:line: message`` on a mistake. Each record says what it contributes to the page
it sits on: its template, the datasets it shows, the parts of the page's render key it
adds, and its template's context. Nothing outside this module asks a record what kind
it is: a new kind (``scrolly``) is one more record here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from .charts import ChartBlock, ChartDef, parse_chart_block, slugify
from .config import Config
from .content import Block, CorrectionsLog, Page, corrections_log
from .data import Dataset, Package
from .errors import known
from .render import Table, make_table
from .yamlmap import FieldSpec, check_fields

if TYPE_CHECKING:  # (figures imports the chart records; blocks only reads figures)
    from .figures import Figure

TABLE_KEYS: FieldSpec = {
    "data": ("text", True),
    "title": ("text", True),
    "subtitle": ("text", False),
    "description": ("text", False),
    "notes": ("text", False),
    "columns": ("list or mapping", False),
}
DATASETS_KEYS: FieldSpec = {"names": ("list of text", False)}
Figures = Mapping[str, "Figure"]  # by chart id


class ParsedBlock:
    """What every block record offers (the records are frozen dataclasses)."""

    template: ClassVar[str]

    @property
    def chart(self) -> ChartBlock | None:
        """The chart the block shows, if any."""
        return None

    def datasets(self) -> tuple[Dataset, ...]:
        """The datasets the block shows or plots."""
        return ()

    def key_parts(self, figures: Figures) -> list[Any]:
        """What the page's HTML takes from the block (plain values: their repr is exact)."""
        return shown(self.datasets())

    def context(self, figures: Figures, config: Config) -> dict[str, Any]:
        """What the block's template gets."""
        raise NotImplementedError


@dataclass(frozen=True)
class ChartUse(ParsedBlock):
    """A ```chart block: a chart as written on this page, and the datasets it plots."""

    template: ClassVar[str] = "_figure.html"
    block: ChartBlock
    data: tuple[Dataset, ...]

    @property
    def chart(self) -> ChartBlock:
        return self.block

    def datasets(self) -> tuple[Dataset, ...]:
        return self.data

    def key_parts(self, figures: Figures) -> list[Any]:
        return [figures[self.block.id].spec_url, *shown(self.data)]

    def context(self, figures: Figures, config: Config) -> dict[str, Any]:
        from .figures import figure_context

        return figure_context(figures[self.block.id], self.block, config)


@dataclass(frozen=True)
class TableBlock(ParsedBlock):
    """A ```table block: some columns of one dataset, with a title and notes."""

    template: ClassVar[str] = "_table.html"
    values: Mapping[str, Any]  # the block's YAML (title, subtitle, description, notes, ...)
    anchor: str  # table-<slug of the title>
    table: Table
    dataset: Dataset

    def datasets(self) -> tuple[Dataset, ...]:
        return (self.dataset,)

    def context(self, figures: Figures, config: Config) -> dict[str, Any]:
        return {**self.values, "id": self.anchor, "table": self.table, "dataset": self.dataset}


@dataclass(frozen=True)
class DatasetsBlock(ParsedBlock):
    """A ```datasets block: a description of datasets and their fields (all by default)."""

    template: ClassVar[str] = "_datasets.html"
    listed: tuple[Dataset, ...]

    def datasets(self) -> tuple[Dataset, ...]:
        return self.listed

    def context(self, figures: Figures, config: Config) -> dict[str, Any]:
        return {"datasets": [(d, fields_table(d)) for d in self.listed]}


@dataclass(frozen=True)
class CorrectionsBlock(ParsedBlock):
    """A ```corrections block: every page's corrections, newest first."""

    template: ClassVar[str] = "_corrections.html"
    log: CorrectionsLog

    def key_parts(self, figures: Figures) -> list[Any]:
        return [repr(self.log)]

    def context(self, figures: Figures, config: Config) -> dict[str, Any]:
        return {"log": self.log}


def parse_block(block: Block, registry: Mapping[str, ChartDef], package: Package, pages: Sequence[Page]) -> ParsedBlock:
    if block.kind == "chart":
        chart = parse_chart_block(block, registry, package)
        return ChartUse(chart, tuple(package.datasets[name] for name in chart.datasets))
    if block.kind == "table":
        return parse_table_block(block, package)
    if block.kind == "corrections":
        check_fields(block.spec, {}, "a corrections block")
        return CorrectionsBlock(corrections_log(pages))
    check_fields(block.spec, DATASETS_KEYS, "a datasets block")
    names = block.spec.values.get("names") or list(package.datasets)
    return DatasetsBlock(tuple(package.get(name, block.spec.path, block.spec.line_of("names")) for name in names))


def parse_table_block(block: Block, package: Package) -> TableBlock:
    spec = block.spec
    check_fields(spec, TABLE_KEYS, "a table block")
    dataset = package.get(spec.values["data"], spec.path, spec.line_of("data"))
    columns = spec.values.get("columns") or list(dataset.columns)
    mapping = dict(columns) if isinstance(columns, dict) else {str(c): "" for c in columns}
    for name in mapping:
        if name not in dataset.columns:
            raise spec.error("columns", f"column '{name}' is not in dataset '{dataset.name}'", known(dataset.columns))
    anchor = "table-" + slugify(spec.values["title"])
    return TableBlock(spec.values, anchor, make_table(dataset, mapping), dataset)


def shown(datasets: Sequence[Dataset]) -> list[tuple[Any, ...]]:
    """What a page shows of its datasets (besides the charts' specs)."""
    return [(d.name, d.digest, d.sources, d.title, d.description, d.fields, d.licenses) for d in datasets]


def fields_table(dataset: Dataset) -> list[tuple[str, str, str, str]]:
    return [(f.name, f.type, f.unit, f.description or f.title) for f in dataset.fields]

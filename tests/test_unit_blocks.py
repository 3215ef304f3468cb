"""Unit tests of block parsing: one record per kind, what each contributes, and
mistakes reported at their file and line."""

from __future__ import annotations

import pytest
from conftest import SITES

from broadsheet.blocks import ChartUse, CorrectionsBlock, DatasetsBlock, ParsedBlock, TableBlock, parse_block, shown
from broadsheet.charts import discover_charts
from broadsheet.content import Page, read_page
from broadsheet.data import Package, load_package
from broadsheet.errors import SiteError

ROOT = SITES / "basic"
SRC = "content/t.md"


@pytest.fixture(scope="module")
def package() -> Package:
    return load_package(ROOT)


def page(body: str, front: str = "") -> Page:
    return read_page(SRC, f"---\ntitle: T\ndescription: D\n{front}---\n\n{body}")


def parse(package: Package, body: str, pages: tuple[Page, ...] = ()) -> list[ParsedBlock]:
    the_page = page(body)
    registry = discover_charts(ROOT)
    return [parse_block(block, registry, package, pages or (the_page,)) for block in the_page.blocks]


def error(package: Package, body: str) -> str:
    with pytest.raises(SiteError) as caught:
        parse(package, body)
    return str(caught.value)


DECLARATIVE = "```chart\ndata: missiles\nmark: bar\nx: year:O\ny: missiles:Q\ntitle: Missiles a year\ndescription: Bars.\n```\n"


def test_a_declarative_chart(package: Package) -> None:
    (block,) = parse(package, DECLARATIVE)
    assert isinstance(block, ChartUse) and block.template == "_figure.html"
    assert block.chart.id == "missiles-a-year" and block.chart.definition is None
    assert block.datasets() == (package.datasets["missiles"],)
    assert (block.chart.src, block.chart.line) == (SRC, 6)  # (its fence)


def test_a_python_chart(package: Package) -> None:
    (block,) = parse(package, "```chart\nid: yields\ntitle: Yields\ndescription: Points.\n```\n")
    assert isinstance(block, ChartUse) and block.chart.id == "yields"
    assert block.chart.definition is not None and block.chart.definition.src == "charts/yields.py"
    assert [d.name for d in block.datasets()] == ["tests"]


def test_a_table(package: Package) -> None:
    (block,) = parse(package, "```table\ndata: missiles\ntitle: The numbers\ncolumns:\n  year: Year\n  missiles: Missiles\n```\n")
    assert isinstance(block, TableBlock) and block.template == "_table.html" and block.chart is None
    assert block.anchor == "table-the-numbers" and block.table.headings == ("Year", "Missiles")
    assert block.datasets() == (package.datasets["missiles"],)
    context = block.context({}, None)  # type: ignore[arg-type]  # (a table needs neither figures nor config)
    assert context["id"] == "table-the-numbers" and context["title"] == "The numbers" and context["dataset"].name == "missiles"
    assert block.key_parts({}) == shown([package.datasets["missiles"]])


def test_a_datasets_block_lists_all_datasets_or_those_named(package: Package) -> None:
    (every,) = parse(package, "```datasets\n```\n")
    assert isinstance(every, DatasetsBlock) and every.template == "_datasets.html"
    assert [d.name for d in every.datasets()] == list(package.datasets)
    (named,) = parse(package, "```datasets\nnames: [tests]\n```\n")
    assert [d.name for d in named.datasets()] == ["tests"]


def test_a_corrections_block_logs_every_pages_corrections(package: Package) -> None:
    corrected = page("Text.\n", "corrections:\n  - {date: 2026-11-30, text: Fixed a figure.}\n")
    (block,) = parse(package, "```corrections\n```\n", pages=(corrected,))
    assert isinstance(block, CorrectionsBlock) and block.template == "_corrections.html"
    assert [entry.correction.text for entry in block.log.entries] == ["Fixed a figure."]
    assert block.datasets() == () and block.key_parts({}) == [repr(block.log)]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("```table\ndata: nope\ntitle: T\n```\n", "content/t.md:7: unknown dataset 'nope'"),
        ("```table\ndata: missiles\ntitle: T\ncolumns: [year, nope]\n```\n", "content/t.md:9: column 'nope' is not in dataset 'missiles'"),
        ("```table\ndata: missiles\n```\n", "content/t.md:6: a table block"),
        ("```datasets\nnames: [tests, nope]\n```\n", "content/t.md:7: unknown dataset 'nope'"),
        ("```datasets\ncolour: red\n```\n", "content/t.md:7: unknown key 'colour' in a datasets block"),
        ("```corrections\nsince: 2026\n```\n", "content/t.md:7: unknown key 'since' in a corrections block"),
        ("```chart\nid: nope\ntitle: T\ndescription: D\n```\n", "content/t.md:7: unknown chart id 'nope'"),
        (DECLARATIVE.replace("mark: bar", "mark: pie"), "content/t.md:8: unknown mark 'pie'"),
    ],
    ids=[
        "unknown dataset",
        "unknown column",
        "missing title",
        "unknown dataset named",
        "unknown key",
        "corrections key",
        "chart id",
        "mark",
    ],
)
def test_mistakes_are_reported_at_their_line(package: Package, body: str, expected: str) -> None:
    assert error(package, body).startswith(expected)


@pytest.mark.parametrize(
    ("info", "kind"),
    [
        ("charts", "chart"),
        ("dataset", "datasets"),
        ("tables", "table"),
        ("correction", "corrections"),
        ("scrollies", "scrolly"),
        ("chrat", "chart"),  # two letters swapped
        ("tabel", "table"),
        ("chat", "chart"),  # one left out
        ("datasetss", "datasets"),  # one too many
        ("scrolli", "scrolly"),  # one wrong
        ("CHARTS", "chart"),
        ("{chart}", "chart"),  # another tool's way of naming a block
        ("{.table}", "table"),
        ("chart:", "chart"),
    ],
)
def test_a_fence_that_nearly_names_a_block_is_an_error_at_its_line(info: str, kind: str) -> None:
    """```charts published its YAML as a code block and check found nothing."""
    with pytest.raises(SiteError) as caught:
        page(f"Text.\n\n```{info}\ndata: missiles\n```\n")
    error = caught.value
    expected = f"content/t.md:8: a fenced block named '{info}' is not one Broadsheet knows: did you mean ```{kind}?"
    assert f"{error.path}:{error.line}: {error.message}".startswith(expected)
    assert error.hint


@pytest.mark.parametrize("info", ["yaml", "python", "chartjs", "mermaid", "text", "", "sql", "json", "tablet-notes", "r"])
def test_code_blocks_of_other_languages_stay_code(info: str) -> None:
    body = f"```{info}\ndata: missiles\n```\n\n````markdown\n```charts\nid: shown\n```\n````\n"
    assert page(body).blocks == ()

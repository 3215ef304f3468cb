"""Property tests: any input gives a result or a clear ``SiteError``, never a crash."""

from __future__ import annotations

import string

from hypothesis import given, settings
from hypothesis import strategies as st

from broadsheet.charts import ChartDef, parse_chart_block
from broadsheet.content import Block, parse_page
from broadsheet.data import Dataset, Field, Package, Source, validate_csv
from broadsheet.errors import SiteError
from broadsheet.prose import new_converter
from broadsheet.yamlmap import parse_mapping

CONVERTER = new_converter()
FIELDS = (Field("year", "integer"), Field("value", "number"), Field("day", "date"), Field("label", "string"))
yaml_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20), st.dates())
yaml_values = st.recursive(
    yaml_scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=6
)
keys = st.sampled_from(
    ["title", "description", "date", "order", "draft", "authors", "template", "bogus", "id", "data", "mark", "x", "y", "tooltip", "notes"]
)


def yaml_dump(mapping: dict) -> str:
    import yaml

    return yaml.safe_dump(mapping, allow_unicode=True)


def location_ok(error: SiteError, path: str) -> bool:
    return error.path == path and (error.line is None or error.line >= 1) and bool(error.message)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=string.printable + "é—", max_size=200))
def test_any_page_text_parses_or_fails_cleanly(text: str) -> None:
    try:
        page = parse_page("content/x.md", text, CONVERTER)
    except SiteError as error:
        assert location_ok(error, "content/x.md")
    else:
        assert page.title and page.url == "/x/"


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(keys, yaml_values, max_size=6), st.text(max_size=80))
def test_any_front_matter_mapping_parses_or_fails_cleanly(meta: dict, body: str) -> None:
    text = "---\n" + yaml_dump(meta) + "---\n" + body
    try:
        page = parse_page("content/x.md", text, CONVERTER)
    except SiteError as error:
        assert location_ok(error, "content/x.md")
    else:
        assert isinstance(page.title, str) and isinstance(page.description, str)


DATASET = Dataset("d", "data/d.csv", "D", "", (Source("S", "https://example.org"),), (), FIELDS, (), b"")
PACKAGE = Package({"d": DATASET})
REGISTRY = {"known": ChartDef("known", ("d",), "charts/k.py", 3, "0")}


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(keys, yaml_values | st.sampled_from(["d", "bar", "year:O", "value:Q", "known"]), max_size=8))
def test_any_chart_block_parses_or_fails_cleanly(spec: dict) -> None:
    text = yaml_dump(spec)
    try:
        mapping = parse_mapping(text, "content/x.md", 10)
        chart = parse_chart_block(Block("chart", mapping), REGISTRY, PACKAGE)
    except SiteError as error:
        assert location_ok(error, "content/x.md") and error.line >= 10
    else:
        assert chart.title and chart.description and chart.datasets == ("d",)


cells = st.one_of(st.sampled_from(["", "1", "-3", "2.5", "2016-02-29", "2015-02-29", "x", '"q,uoted"', "1e400"]), st.text(max_size=6))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(cells, min_size=0, max_size=5), max_size=6), st.booleans())
def test_any_csv_validates_or_fails_cleanly(rows: list[list[str]], good_header: bool) -> None:
    header = "year,value,day,label" if good_header else "year,value"
    raw = "\n".join([header, *(",".join(r) for r in rows)]).encode()
    try:
        result = validate_csv("data/d.csv", raw, FIELDS)
    except SiteError as error:
        assert location_ok(error, "data/d.csv")
    else:
        assert all(len(r) == len(FIELDS) for r in result)


@given(st.binary(max_size=60))
def test_any_bytes_as_csv_validate_or_fail_cleanly(raw: bytes) -> None:
    try:
        validate_csv("data/d.csv", raw, FIELDS)
    except SiteError as error:
        assert location_ok(error, "data/d.csv")


# Characters that Python's int() and float() read but pandas does not (or not the same
# way): Arabic-Indic and full-width digits, "_", surrounding space; plus the plain ones.
numberish = st.text(alphabet="0123456789-+.eE_ \u0661\u0665\uff11\u0966", min_size=1, max_size=8)
typed_cells = st.tuples(numberish, numberish, st.sampled_from(["2016-02-29", "", "2015-02-28", "\u0662016-01-01"]), st.text(max_size=4))


@settings(max_examples=300, deadline=None)
@given(st.lists(typed_cells, min_size=1, max_size=4))
def test_a_csv_that_validates_loads_into_pandas_with_the_same_values(rows: list[tuple[str, str, str, str]]) -> None:
    import csv
    import io

    import pandas as pd

    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([["year", "value", "day", "label"], *rows])
    raw = out.getvalue().encode()
    try:
        checked = validate_csv("data/d.csv", raw, FIELDS)
    except SiteError:
        return
    dataset = Dataset("d", "data/d.csv", "D", "", (Source("S", "https://example.org"),), (), FIELDS, checked, raw)
    frame = dataset.frame()  # what a chart gets: must not raise
    for row, (year, value, day, _) in zip(frame.itertuples(index=False), checked, strict=True):
        assert pd.isna(row.year) if year is None else row.year == int(year)
        assert pd.isna(row.value) if value is None else row.value == float(value)
        assert pd.isna(row.day) if day is None else str(row.day)[:10] == day


STOCK = new_converter(stock=True)
# Fragments that exercise every inline pattern (and the block syntax around them).
markdown_bits = st.sampled_from(
    [
        "word",
        " ",
        "  \n",
        "\n",
        "\n\n",
        "*",
        "**",
        "_",
        "__",
        "`",
        "``",
        "\\",
        "[",
        "]",
        "(",
        ")",
        "![",
        "[^1]",
        "[^1]: note\n",
        "<",
        ">",
        "<b>",
        "</b>",
        "<https://example.org>",
        "<me@example.org>",
        "&amp;",
        "&",
        "&#8212;",
        "'",
        '"',
        "--",
        "---",
        "...",
        "'80s",
        "# ",
        "## Head {#id}",
        "{: .cls}",
        "- ",
        "1. ",
        "> ",
        "| a | b |\n|---|---|\n| 1 | 2 |\n",
        "```\ncode\n```\n",
        "[link](https://example.org 'title')",
        "[ref][r]",
        "\n[r]: https://example.org\n",
        '<div markdown="1">*x*</div>',
        "é",
        "—",
        # (the block tests and the table of contents that shortcuts.py skips)
        "#",
        "\n===",
        "\n---\n",
        "* * *",
        "___",
        "|",
        "[x]: /url",
        "[TOC]",
        "\n\n[TOC]\n\n",
        "~~~\n",
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(markdown_bits, max_size=40).map("".join))
def test_fast_markdown_is_byte_identical_to_stock_markdown(text: str) -> None:
    CONVERTER.reset()
    STOCK.reset()
    assert CONVERTER.convert(text) == STOCK.convert(text)

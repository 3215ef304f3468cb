"""Real-world CSVs described the Frictionless way: ``format`` for dates and times,
``datetime``/``time`` fields, ``missingValues``, ``groupChar``/``decimalChar``,
``bareNumber`` and the resource's CSV ``dialect``; hyphenated dataset names in Python
charts. Sites are built with the real command line (tests/sites/dialects)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from conftest import make_site, run, snapshot
from hypothesis import given, settings
from hypothesis import strategies as st

from broadsheet.data import Dataset, Dialect, Field, Source, validate_csv
from broadsheet.errors import SiteError


@pytest.fixture
def agency(tmp_path: Path) -> Path:
    return make_site(tmp_path, "dialects")


def test_an_agency_csv_reaches_charts_parsed_tables_readable_and_downloads_raw(agency: Path, shared_cache: Path) -> None:
    # charts/trade.py asserts the frame it gets (dtypes, values, NA, UTC): a wrong frame fails the build
    assert run(agency, cache=shared_cache) == 0
    html = (agency / "public/index.html").read_text()
    assert '<td>2012-01-01</td><td class="num">35,361</td><td class="num">12</td><td>2012-02-03 09:30:00</td>' in html
    assert '<td>2012-02-01</td><td class="num"></td><td class="num"></td><td>2012-03-05 09:00:00</td>' in html
    assert '<td class="num">1,234,567</td><td class="num">7.5</td>' in html
    assert (agency / "public/data/nk-trade.csv").read_bytes() == (agency / "data/nk-trade.csv").read_bytes()
    assert 'href="/data/nk-trade.csv"' in html


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


PACKAGE = "data/datapackage.yaml"
CSV = "data/nk-trade.csv"
ERRORS = {
    # name: (file, old, new, expected message)
    "date not in its format": (
        CSV,
        "2012/02/01",
        "2012-02-01",
        f"{CSV}:3: column 'month': not a date in the format '%Y/%m/%d', found '2012-02-01'",
    ),
    "impossible date": (CSV, "2012/02/01", "2012/02/30", f"{CSV}:3: column 'month': not a date in the format '%Y/%m/%d'"),
    "digits of another script": (CSV, "2012/02/01", "\u0662012/02/01", f"{CSV}:3: column 'month': not a date"),
    "bad grouping": (CSV, "35,361", "35,36", f"{CSV}:2: column 'exports_usd': not an integer (groups of three digits separated by ',')"),
    "decimal in an integer": (CSV, "35,361", "35.361", f"{CSV}:2: column 'exports_usd': not an integer, found '35.361'"),
    "accounting negative": (CSV, "7.5%", "(7.5%)", f"{CSV}:4: column 'share': not a number (a negative in parentheses: write -35)"),
    "two numbers in one cell": (CSV, "7.5%", "7 to 8%", f"{CSV}:4: column 'share': not a number, found '7 to 8%'"),
    "missing value not listed": (CSV, "n/a", "N/A", f"{CSV}:3: column 'exports_usd': not an integer, found 'N/A'"),
    "timestamp without time": (CSV, "2012-02-03T09:30:00Z", "2012-02-03", f"{CSV}:2: column 'reported_at': not a date and time"),
    "bad date pattern": (PACKAGE, '"%Y/%m/%d"', '"%Y/%Q"', f"{PACKAGE}:16: field 'month': format '%Y/%Q' is not a date pattern"),
    "pattern without codes": (
        PACKAGE,
        '"%Y/%m/%d"',
        "yyyy/mm/dd",
        f"{PACKAGE}:16: field 'month': format 'yyyy/mm/dd' is not a date pattern",
    ),
    "format on a number": (PACKAGE, "bareNumber: false", 'format: "0.0"', f"{PACKAGE}:23: field 'share': a number field has no format"),
    "two-character delimiter": (PACKAGE, 'delimiter: ";"', 'delimiter: ";;"', f"{PACKAGE}:10: delimiter must be one character"),
    "unknown dialect key": (
        PACKAGE,
        'delimiter: ";"',
        'delimter: ";"',
        f"{PACKAGE}:10: warning: unknown key 'delimter' in a CSV dialect: did you mean 'delimiter'?",
    ),
    "dialect not a mapping": (PACKAGE, 'dialect:\n      delimiter: ";"', 'dialect: ";"', f"{PACKAGE}:9: 'dialect' must be a mapping"),
    "groupChar on a date": (
        PACKAGE,
        '"%Y/%m/%d"',
        '"%Y/%m/%d"\n          groupChar: ","',
        f"{PACKAGE}:17: field 'month': groupChar applies",
    ),
    "groupChar a digit": (
        PACKAGE,
        'groupChar: ","',
        'groupChar: "1"',
        f"{PACKAGE}:19: field 'exports_usd': groupChar must be one character",
    ),
    "missingValues not text": (PACKAGE, '["", "n/a", "-"]', '["", 1]', f"{PACKAGE}:12: 'missingValues' must list text values"),
    "delimiter not said": (PACKAGE, 'dialect:\n      delimiter: ";"', "dialect: {}", f"{CSV}:1: the header has one column"),
    "unknown type": (PACKAGE, "type: datetime", "type: timestamp", f"{PACKAGE}:26: field 'reported_at': unknown type 'timestamp'"),
}


@pytest.mark.parametrize("case", ERRORS)
def test_a_bad_cell_or_option_stops_the_build_at_its_line(
    agency: Path, shared_cache: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    assert run(agency, cache=shared_cache) == 0
    capsys.readouterr()
    before = snapshot(agency / "public")
    file, old, new, expected = ERRORS[case]
    edit(agency / file, old, new)
    assert run(agency, cache=shared_cache) == 1
    err = capsys.readouterr().err
    assert expected in err, err
    assert "Traceback" not in err and err.count("\n") <= 2, err
    assert snapshot(agency / "public") == before


def test_the_delimiter_hint_names_the_delimiter(agency: Path, shared_cache: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(agency / PACKAGE, 'dialect:\n      delimiter: ";"', "dialect: {}")
    assert run(agency, cache=shared_cache) == 1
    assert "is the file separated by ';'? say so in the resource's dialect: {delimiter: ';'}" in capsys.readouterr().err


def test_two_names_that_reach_charts_as_one_parameter_are_refused(
    agency: Path, shared_cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (agency / PACKAGE).read_text()
    second = text.split("resources:\n", 1)[1].replace("name: nk-trade", "name: nk_trade").replace("nk-trade.csv", "nk_trade.csv")
    (agency / PACKAGE).write_text(text + second)
    (agency / "data/nk_trade.csv").write_bytes((agency / CSV).read_bytes())
    assert run(agency, cache=shared_cache) == 1
    err = capsys.readouterr().err
    assert f"{PACKAGE}:27: resources 'nk-trade' and 'nk_trade' would both reach Python charts as 'nk_trade'" in err, err


def test_a_schema_change_alone_renders_the_chart_again(agency: Path, shared_cache: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The CSV's bytes are the same, its values are not: no stale chart from the cache."""
    assert run(agency, cache=shared_cache) == 0
    edit(agency / PACKAGE, '["", "n/a", "-"]', '["", "-"]')
    edit(agency / CSV, "n/a", "-")
    assert run(agency, cache=shared_cache) == 0
    edit(agency / PACKAGE, '["", "-"]', '["", "-", "?"]')  # same bytes in the CSV
    capsys.readouterr()
    assert run(agency, cache=shared_cache) == 0
    assert "2 charts (0 from cache)" in capsys.readouterr().out


FIELDS = (Field("day", "date"), Field("value", "number"), Field("label", "string"))


def test_dialect_options_read_the_file_as_written() -> None:
    raw = b"1999-12-31| '3,5'|'it''s'\n2000-01-01| 2|x\n"
    dialect = Dialect(delimiter="|", quote_char="'", skip_initial_space=True, header=False)
    fields = (Field("day", "date"), Field("value", "number", decimal_char=","), Field("label", "string"))
    assert validate_csv("data/d.csv", raw, fields, dialect) == (("1999-12-31", "3.5", "it's"), ("2000-01-01", "2", "x"))


def test_formats_of_dates_datetimes_and_times() -> None:
    raw = b"d,t,w,a\n31/01/2012,09:30:05,2012-01-31T23:30:00-02:00,20120131\n"
    fields = (Field("d", "date", format="%d/%m/%Y"), Field("t", "time"), Field("w", "datetime"), Field("a", "date", format="any"))
    assert validate_csv("data/d.csv", raw, fields) == (("2012-01-31", "09:30:05", "2012-02-01T01:30:00", "2012-01-31"),)


def test_a_field_missing_values_replace_the_schema_ones_and_empty_text_stays_text() -> None:
    raw = b"a,b\n,x\n-,\n"
    fields = (Field("a", "string", missing_values=("-",)), Field("b", "string"))
    rows = validate_csv("data/d.csv", raw, fields)
    assert rows == (("", "x"), (None, None))
    frame = Dataset("d", "data/d.csv", "D", "", (Source("S", "https://example.org"),), (), fields, rows, raw).frame()
    assert frame["a"][0] == "" and frame["a"].isna()[1] and frame["b"].isna()[1]


def test_a_required_value_may_not_be_a_missing_value() -> None:
    fields = (Field("a", "integer", required=True, missing_values=("", "n/a")),)
    with pytest.raises(SiteError, match="column 'a': a value is required"):
        validate_csv("data/d.csv", b"a\nn/a\n", fields)


# Numbers as agencies write them, from values pandas must read the same way.
GROUPED = (",", ".", " ", "'")


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.one_of(st.none(), st.integers(-(10**12), 10**12)), min_size=1, max_size=5),
    st.lists(st.integers(0, 99), min_size=5, max_size=5),
    st.sampled_from(GROUPED),
    st.sampled_from([";", ",", "\t"]),
)
def test_a_grouped_number_column_loads_into_pandas_with_the_same_values(
    wholes: list[int | None], cents: list[int], group: str, delimiter: str
) -> None:
    """What the check accepts, pandas' own reader (thousands=, decimal=, na_values=) reads
    to the same values as the frame a chart gets."""
    import pandas as pd

    decimal = "," if group != "," else "."
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(["value", "count"])
    for whole, cent in zip(wholes, cents, strict=False):
        if whole is None:
            writer.writerow(["n/a", "n/a"])
        else:
            grouped = f"{abs(whole):,}".replace(",", group)
            sign = "-" if whole < 0 else ""
            writer.writerow([f"{sign}{grouped}{decimal}{cent:02d}", f"{sign}{grouped}"])
    raw = out.getvalue().encode()
    fields = (
        Field("value", "number", group_char=group, decimal_char=decimal, missing_values=("n/a",)),
        Field("count", "integer", group_char=group, missing_values=("n/a",)),
    )
    rows = validate_csv("data/d.csv", raw, fields, Dialect(delimiter=delimiter))
    frame = Dataset("d", "data/d.csv", "D", "", (Source("S", "https://example.org"),), (), fields, rows, raw).frame()
    theirs = pd.read_csv(io.BytesIO(raw), sep=delimiter, thousands=group, decimal=decimal, na_values=["n/a"], keep_default_na=False)
    assert frame["value"].equals(theirs["value"].astype("float64"))
    assert [None if pd.isna(c) else int(c) for c in frame["count"]] == [None if pd.isna(c) else int(c) for c in theirs["count"]]
    expected = [None if w is None else w + (c / 100 if w >= 0 else -c / 100) for w, c in zip(wholes, cents, strict=False)]
    assert [None if pd.isna(v) else round(v, 2) for v in frame["value"]] == [None if e is None else round(e, 2) for e in expected]


ZONES = [dt.UTC, dt.timezone(dt.timedelta(hours=9)), dt.timezone(dt.timedelta(hours=-5, minutes=-30))]
PATTERNS = ["%Y/%m/%d", "%d/%m/%Y", "%m-%d-%Y", "%d.%m.%Y", "%Y%m%d", "%b %d, %Y", "%d %B %Y"]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.dates(min_value=dt.date(1000, 1, 1)), min_size=1, max_size=5),
    st.sampled_from(PATTERNS),
    st.lists(st.datetimes(min_value=dt.datetime(1900, 1, 1), timezones=st.sampled_from(ZONES)), min_size=5, max_size=5),
)
def test_dates_in_a_pattern_and_timestamps_load_as_pandas_reads_them(days: list[dt.date], pattern: str, moments: list[dt.datetime]) -> None:
    import pandas as pd

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["day", "moment"])
    stamps = [m.isoformat(timespec="seconds").replace("+00:00", "Z") for m in moments]
    for day, stamp in zip(days, stamps, strict=False):
        writer.writerow([day.strftime(pattern), stamp])
    raw = out.getvalue().encode()
    fields = (Field("day", "date", format=pattern), Field("moment", "datetime"))
    rows = validate_csv("data/d.csv", raw, fields)
    frame = Dataset("d", "data/d.csv", "D", "", (Source("S", "https://example.org"),), (), fields, rows, raw).frame()
    theirs = pd.read_csv(io.BytesIO(raw), dtype=str, keep_default_na=False)
    assert list(frame["day"]) == list(pd.to_datetime(theirs["day"], format=pattern))
    assert list(frame["moment"]) == list(pd.to_datetime(theirs["moment"], format="ISO8601", utc=True).dt.tz_localize(None))

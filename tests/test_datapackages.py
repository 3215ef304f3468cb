"""Data packages as publishers write them: a package downloaded whole beside the site's
own, JSON tables and inline data, the Table Schema features real packages use, signs that
are never lost, and a hash that serves the editor (``broadsheet data pin``).

The packages here are small shapes written for these tests, after the ``datasets``
organisation's layout (``datapackage.json`` at the top, CSVs in ``data/``); the real ones
are compared with frictionless-py by ``bench/datapackages.py``."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from conftest import make_site, run, snapshot

from broadsheet.cli import main
from broadsheet.data import Dataset, load_package
from broadsheet.errors import SiteError

CSV = "Country Name,Country Code,Year,Value\nArgentina,ARG,2019,1.5\nArgentina,ARG,2020,-2.25\n"
GDP = {
    "name": "gdp",
    "title": "Country, Regional and World GDP (Gross Domestic Product)",
    "version": "2011",
    "keywords": ["GDP", "World"],
    "collection": "economic-data",  # (a publisher's own property)
    "views": [{"name": "graph", "spec": {"type": "lines-and-points"}}],
    "licenses": [{"name": "ODC-PDDL-1.0", "path": "http://opendatacommons.org/licenses/pddl/", "title": "Public Domain"}],
    "sources": [{"name": "World Bank and OECD", "path": "http://data.worldbank.org/", "title": "World Bank", "version": "2020"}],
    "resources": [
        {
            "name": "gdp",
            "path": "data/gdp.csv",
            "type": "table",
            "scheme": "file",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "bytes": len(CSV.encode()),
            "hash": "md5:" + hashlib.md5(CSV.encode()).hexdigest(),
            "schema": {
                "fields": [
                    {"name": "Country Name", "type": "string"},
                    {"name": "Country Code", "type": "string", "constraints": {"minLength": 3, "maxLength": 3}},
                    {"name": "Year", "type": "year", "format": "any"},
                    {"name": "Value", "type": "number", "groupChar": "", "decimalChar": "."},
                ],
                "primaryKey": ["Country Code", "Year"],
            },
        }
    ],
}


def pin(site: Path, *names: str) -> int:
    return main(["data", "pin", *names, "--root", str(site)])


def package_site(tmp: Path, descriptor: dict[str, object] = GDP, csv: str = CSV) -> Path:
    """The basic test site with ``data/gdp/`` as the ``datasets`` organisation publishes it."""
    site = make_site(tmp)
    folder = site / "data" / "gdp"
    (folder / "data").mkdir(parents=True)
    (folder / "datapackage.json").write_text(json.dumps(descriptor, indent=2))
    (folder / "data" / "gdp.csv").write_text(csv)
    (folder / "README.md").write_text("# GDP\n")
    (folder / "scripts").mkdir()
    (folder / "scripts" / "process.py").write_text("print('not ours')\n")
    return site


def with_resource(**changes: object) -> dict[str, object]:
    resource = {**GDP["resources"][0], **changes}  # type: ignore[index]
    return {**GDP, "resources": [{k: v for k, v in resource.items() if v is not None}]}


def test_a_package_as_downloaded_loads_beside_the_sites_own(tmp_path: Path) -> None:
    site = package_site(tmp_path)
    package = load_package(site)
    assert {"missiles", "tests", "gdp/gdp"} <= set(package.datasets)
    gdp = package.datasets["gdp/gdp"]
    assert gdp.src == "data/gdp/data/gdp.csv" and gdp.url == "/data/gdp/gdp.csv" and gdp.parameter == "gdp_gdp"
    assert gdp.title == "gdp"  # (no title: its name is shown)
    assert [s.title for s in gdp.sources] == ["World Bank"] and [s.title for s in gdp.licenses] == ["Public Domain"]
    assert gdp.rows == (("Argentina", "ARG", "2019", "1.5"), ("Argentina", "ARG", "2020", "-2.25"))
    assert package.warnings == ()  # (custom properties such as 'collection' and 'views' are the publisher's)


def test_a_downloaded_package_is_published_and_shown(tmp_path: Path, shared_cache: Path) -> None:
    site = package_site(tmp_path)
    page = site / "content" / "notes" / "coal.md"
    page.write_text(page.read_text() + "\n```table\ndata: gdp/gdp\ntitle: GDP growth\n```\n")
    assert run(site, cache=shared_cache) == 0
    public = site / "public"
    assert (public / "data" / "gdp" / "gdp.csv").read_bytes() == CSV.encode()
    html = (public / "notes" / "coal" / "index.html").read_text()
    assert 'href="/data/gdp/gdp.csv"' in html and "World Bank" in html
    assert not (public / "data" / "gdp" / "process.py").exists()


def test_a_likely_misspelling_warns_and_fails_check(tmp_path: Path, shared_cache: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = package_site(tmp_path, {"licences": GDP["licenses"], **GDP})
    capsys.readouterr()
    assert run(site, cache=shared_cache) == 0
    err = capsys.readouterr().err
    assert "data/gdp/datapackage.json:2: warning: unknown key 'licences' in the data package: did you mean 'licenses'?" in err
    assert run(site, "check", cache=shared_cache) == 1
    assert "data/gdp/datapackage.json:2: unknown key 'licences'" in capsys.readouterr().err


def table(tmp_path: Path, fields: list[dict[str, object]], text: str, **schema: object) -> Dataset:
    resource = {"name": "t", "path": "data/t.csv", "schema": {"fields": fields, **schema}}
    site = package_site(tmp_path, {**GDP, "resources": [resource]})
    (site / "data" / "gdp" / "data" / "t.csv").write_text(text)
    return load_package(site).datasets["gdp/t"]


def refused(tmp_path: Path, fields: list[dict[str, object]], text: str, **schema: object) -> str:
    with pytest.raises(SiteError) as caught:
        table(tmp_path, fields, text, **schema)
    return str(caught.value)


def test_json_tables_and_inline_data(tmp_path: Path) -> None:
    fields = [{"name": "a", "type": "integer"}, {"name": "b", "type": "boolean"}]
    site = package_site(
        tmp_path,
        {
            **GDP,
            "resources": [
                {"name": "objects", "path": "data/o.json", "schema": {"fields": fields}},
                {"name": "arrays", "path": "data/a.json", "format": "json", "schema": {"fields": fields}},
                {"name": "inline", "data": [{"a": 3, "b": False}], "schema": {"fields": fields}},
            ],
        },
    )
    (site / "data/gdp/data/o.json").write_text('[\n  {"a": 1, "b": true},\n  {"a": null, "b": false}\n]\n')
    (site / "data/gdp/data/a.json").write_text('[["a", "b"], [2, "true"]]')
    datasets = load_package(site).datasets
    assert datasets["gdp/objects"].rows == (("1", "true"), (None, "false"))
    assert datasets["gdp/arrays"].rows == (("2", "true"),)
    assert datasets["gdp/inline"].rows == (("3", "false"),) and datasets["gdp/inline"].url == "/data/gdp/inline.json"
    (site / "data/gdp/data/o.json").write_text('[\n  {"a": 1, "b": true},\n  {"a": "x", "b": false}\n]\n')
    with pytest.raises(SiteError, match="not an integer") as caught:
        load_package(site)
    assert (caught.value.path, caught.value.line) == ("data/gdp/data/o.json", 3)


def test_true_and_false_values_groups_and_months(tmp_path: Path) -> None:
    fields = [
        {"name": "ok", "type": "boolean", "trueValues": ["yes"], "falseValues": ["no"]},
        {"name": "n", "type": "integer", "groupChar": ""},
        {"name": "m", "type": "yearmonth"},
        {"name": "x", "type": "number", "groupChar": " ", "decimalChar": ","},
    ]
    dataset = table(tmp_path, fields, 'ok,n,m,x\nyes,1200,2012-01,"1 234,5"\nno,7,2012-12,\n')
    assert dataset.rows == (("true", "1200", "2012-01", "1234.5"), ("false", "7", "2012-12", None))
    frame = dataset.frame()
    assert str(frame["m"].dtype).startswith("datetime64") and bool(frame["ok"][0]) is True


@pytest.mark.parametrize(
    ("constraint", "cell", "message"),
    [
        ({"minimum": 10}, "9", "below the minimum 10"),
        ({"maximum": 10}, "11", "above the maximum 10"),
        ({"exclusiveMaximum": 10}, "10", "not below the exclusive maximum 10"),
        ({"enum": [1, 2, 10]}, "3", "not one of the allowed values (1, 2, 10)"),
        ({"required": True}, "", "a value is required"),
    ],
)
def test_constraints_are_checked_at_the_line(tmp_path: Path, constraint: dict[str, object], cell: str, message: str) -> None:
    fields = [{"name": "k", "type": "string"}, {"name": "n", "type": "integer", "constraints": constraint}]
    error = refused(tmp_path, fields, f"k,n\na,10\nb,{cell}\n" if "exclusive" not in str(constraint) else f"k,n\na,9\nb,{cell}\n")
    assert error.startswith(f"data/gdp/data/t.csv:3: column 'n': {message}"), error


def test_a_date_bound_compares_as_a_date(tmp_path: Path) -> None:
    fields = [{"name": "d", "type": "date", "constraints": {"minimum": "2012-01-01"}}]
    assert "t.csv:3: column 'd': below the minimum 2012-01-01" in refused(tmp_path, fields, "d\n2012-01-01\n2011-12-31\n")


@pytest.mark.parametrize(
    ("constraint", "cell", "message"),
    [
        ({"minLength": 2}, "a", "shorter than the minimum length 2"),
        ({"maxLength": 2}, "abc", "longer than the maximum length 2"),
        ({"pattern": "[A-Z]{3}"}, "abc", "does not match the pattern '[A-Z]{3}'"),
    ],
)
def test_text_constraints_are_checked_at_the_line(tmp_path: Path, constraint: dict[str, object], cell: str, message: str) -> None:
    error = refused(
        tmp_path,
        [{"name": "s", "type": "string", "constraints": constraint}],
        f"s\nAB\n{cell}\n".replace("AB", "ABC" if "pattern" in constraint else "AB"),
    )
    assert error.startswith(f"data/gdp/data/t.csv:3: column 's': {message}"), error


def test_keys_and_unique_columns_are_enforced(tmp_path: Path) -> None:
    fields = [{"name": "k", "type": "string"}, {"name": "y", "type": "integer"}]
    text = "k,y\na,1\nb,1\na,1\n"
    assert "t.csv:4: k 'a', y '1' repeats line 2 (primaryKey k, y must be unique)" in refused(tmp_path, fields, text, primaryKey=["k", "y"])
    assert "t.csv:3: y '1' repeats line 2 (uniqueKeys y must be unique)" in refused(tmp_path / "b", fields, text, uniqueKeys=[["y"]])
    unique = [fields[0], {"name": "y", "type": "integer", "constraints": {"unique": True}}]
    assert "t.csv:3: y '1' repeats line 2" in refused(tmp_path / "c", unique, text)
    assert "t.csv:3: column 'k': a value is required (it is part of the primaryKey)" in refused(
        tmp_path / "d", fields, "k,y\na,1\n,2\n", primaryKey="k"
    )
    assert "primaryKey names 'z', which is not a field" in refused(tmp_path / "e", fields, text, primaryKey="z")


def test_a_blank_row_is_reported_at_its_line(tmp_path: Path) -> None:
    assert refused(tmp_path, [{"name": "a", "type": "integer"}], "a\n1\n\n2\n").startswith("data/gdp/data/t.csv:3: a blank row")
    two = [{"name": "a", "type": "integer"}, {"name": "b", "type": "string"}]
    assert refused(tmp_path / "b", two, "a,b\n1,x\n,\n").startswith("data/gdp/data/t.csv:3: a blank row")


@pytest.mark.parametrize(
    ("cell", "read"),
    [("\u221212", "-12"), ("-$12", "-12"), ("$-12", "-12"), ("\u2212$1,200", "-1200"), ("$12", "12"), ("12%", "12")],
)
def test_a_decorated_number_keeps_its_sign(tmp_path: Path, cell: str, read: str) -> None:
    dataset = table(tmp_path, [{"name": "n", "type": "number", "bareNumber": False, "groupChar": ","}], f'n\n"{cell}"\n')
    assert dataset.rows == ((read,),)


@pytest.mark.parametrize(
    ("cell", "why"), [("\u201312", "a dash is not a minus sign"), ("12-", "a sign after the number"), ("(12)", "parentheses")]
)
def test_a_sign_that_could_be_lost_is_refused_at_its_line(tmp_path: Path, cell: str, why: str) -> None:
    error = refused(tmp_path, [{"name": "n", "type": "number", "bareNumber": False}], f"n\n1\n{cell}\n")
    assert error.startswith("data/gdp/data/t.csv:3: column 'n': not a number") and why in error, error


def test_a_bare_number_with_a_unicode_minus_is_negative(tmp_path: Path) -> None:
    assert table(tmp_path, [{"name": "n", "type": "integer"}], "n\n\u221212\n").rows == (("-12",),)
    assert "a dash is not a minus sign" in refused(tmp_path / "b", [{"name": "n", "type": "integer"}], "n\n\u201312\n")


def test_a_date_of_format_any_reads_months_by_name_never_guesses_day_and_month(tmp_path: Path) -> None:
    fields = [{"name": "d", "type": "date", "format": "any"}]
    assert table(tmp_path, fields, "d\n1993-Jan\n2012-02\nMar 2001\n2012-03-04\n").rows == (
        ("1993-01-01",),
        ("2012-02-01",),
        ("2001-03-01",),
        ("2012-03-04",),
    )
    assert "data/gdp/data/t.csv:2:" in refused(tmp_path / "b", fields, "d\n01/02/2012\n")


def test_a_changed_file_is_validated_before_its_hash(tmp_path: Path) -> None:
    site = package_site(tmp_path)
    (site / "data/gdp/data/gdp.csv").write_text(CSV.replace("-2.25", "n/a"))
    with pytest.raises(SiteError) as caught:
        load_package(site)
    assert str(caught.value).startswith("data/gdp/data/gdp.csv:3: column 'Value': not a number, found 'n/a'")
    (site / "data/gdp/data/gdp.csv").write_text(CSV.replace("-2.25", "-2.5"))
    with pytest.raises(SiteError) as caught:
        load_package(site)
    assert caught.value.path == "data/gdp/datapackage.json" and "does not match its hash" in caught.value.message
    assert "broadsheet data pin gdp" in str(caught.value.hint)


def test_data_pin_rewrites_only_the_hash_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = make_site(tmp_path)
    descriptor = site / "data" / "datapackage.yaml"
    text = descriptor.read_text().replace(
        "    path: missiles.csv\n", '    path: missiles.csv\n    hash: "sha1:0000000000000000000000000000000000000000"  # pinned\n'
    )
    descriptor.write_text(text)
    assert run(site) == 1
    assert "data/datapackage.yaml:5: resource 'missiles': data/missiles.csv does not match its hash" in capsys.readouterr().err
    before = snapshot(site / "data")
    assert pin(site) == 0
    sha1 = hashlib.sha1((site / "data" / "missiles.csv").read_bytes()).hexdigest()
    assert descriptor.read_text() == text.replace("0" * 40, sha1)  # (its comment and every other line kept)
    assert {k: v for k, v in snapshot(site / "data").items() if k != "datapackage.yaml"} == {
        k: v for k, v in before.items() if k != "datapackage.yaml"
    }
    assert "data/datapackage.yaml:5: updated the hash of 'missiles'" in capsys.readouterr().out
    assert pin(site, "tests") == 0  # a resource without a hash gets one, after its path
    sha256 = hashlib.sha256((site / "data" / "tests.csv").read_bytes()).hexdigest()
    assert f'    path: tests.csv\n    hash: "sha256:{sha256}"\n    title:' in descriptor.read_text()
    assert run(site) == 0


def test_data_pin_adds_a_hash_to_a_json_descriptor_and_checks_values_first(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = package_site(tmp_path, with_resource(hash=None, bytes=None))
    assert pin(site, "gdp/gdp") == 0
    descriptor = json.loads((site / "data/gdp/datapackage.json").read_text())
    assert descriptor["resources"][0]["hash"] == "sha256:" + hashlib.sha256(CSV.encode()).hexdigest()
    (site / "data/gdp/data/gdp.csv").write_text(CSV.replace("1.5", "one and a half"))
    capsys.readouterr()
    assert pin(site, "gdp/gdp") == 1
    assert "data/gdp/data/gdp.csv:2: column 'Value': not a number" in capsys.readouterr().err
    assert json.loads((site / "data/gdp/datapackage.json").read_text()) == descriptor  # untouched


def test_licence_names_link_to_their_path(tmp_path: Path, shared_cache: Path) -> None:
    site = package_site(tmp_path)
    page = site / "content" / "notes" / "coal.md"
    page.write_text(page.read_text() + "\n```datasets\nnames: [gdp/gdp]\n```\n")
    assert run(site, cache=shared_cache) == 0
    html = (site / "public" / "notes" / "coal" / "index.html").read_text()
    assert '<a href="http://opendatacommons.org/licenses/pddl/" rel="license external noopener">Public Domain</a>' in html


def test_a_hash_written_by_git_is_named_as_such(tmp_path: Path) -> None:
    blob = hashlib.sha1(b"blob %d\0" % len(CSV.encode()) + CSV.encode()).hexdigest()  # what vega-datasets publishes
    site = package_site(tmp_path, with_resource(hash=f"sha1:{blob}"))
    with pytest.raises(SiteError) as caught:
        load_package(site)
    assert "git's hash of the file (git hash-object)" in str(caught.value.hint)


def test_a_whole_json_number_is_an_integer_and_a_fraction_is_not(tmp_path: Path) -> None:
    fields = [{"name": "a", "type": "integer"}]
    site = package_site(tmp_path, {**GDP, "resources": [{"name": "j", "path": "data/j.json", "schema": {"fields": fields}}]})
    (site / "data/gdp/data/j.json").write_text('[{"a": 10.0}]')
    assert load_package(site).datasets["gdp/j"].rows == (("10",),)
    (site / "data/gdp/data/j.json").write_text('[{"a": 10.0},\n {"a": 17.5}]')
    with pytest.raises(SiteError, match=r"data/gdp/data/j.json:2: column 'a': not an integer, found '17.5'"):
        load_package(site)

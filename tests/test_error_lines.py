"""An error in chart code names the line an author must edit: the deepest frame in a module
of charts/ (a helper module counts), the line that made the Altair object a schema error
is about (found when the whole chart is validated, after the function returned), the line
that writes a field no dataset has."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import make_site, run

CHART = """\
import altair as alt

from broadsheet import chart
from helpers import central


@chart("lines", data=["tests"])
def lines(tests):
    base = alt.Chart(tests).mark_point()
    y = {y}
    return base.encode(x="date_utc:T", y=y)
"""
HELPERS = """\
def central(frame):
    return frame["yield_kt_centre"]
"""
PAGE = "---\ntitle: Lines\ndescription: Lines.\n---\n\n```chart\nid: lines\ntitle: Lines\ndescription: Points.\n```\n"


def error_of(tmp_path: Path, y: str, capfd: pytest.CaptureFixture[str]) -> str:
    site = make_site(tmp_path)
    (site / "charts/lines.py").write_text(CHART.format(y=y))
    (site / "charts/helpers.py").write_text(HELPERS)
    (site / "content/lines.md").write_text(PAGE)
    assert run(site, cache=tmp_path / "cache") == 1
    return capfd.readouterr().err


def test_an_exception_in_a_helper_module_names_the_helpers_line(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    err = error_of(tmp_path, "central(tests)", capfd)
    assert "error: charts/helpers.py:2: chart 'lines' failed: KeyError: 'yield_kt_centre'" in err, err


def test_a_schema_error_found_after_the_function_names_the_line_that_made_the_object(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    err = error_of(tmp_path, 'alt.Y("yield_kt_central", type="quantitativ")', capfd)
    assert "error: charts/lines.py:10: invalid chart: 'quantitativ' is an invalid value for `type`" in err, err


def test_a_field_no_dataset_has_is_named_at_the_line_that_writes_it(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    err = error_of(tmp_path, '"yield_kt_centre:Q"', capfd)
    assert "error: charts/lines.py:10: chart 'lines': field 'yield_kt_centre' is not in dataset 'tests'" in err, err


def test_an_invalid_object_made_in_the_function_names_the_line_that_made_it(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    """Altair checks such an object as it is made (its debug mode) or with the whole chart: either
    way the author reads the line and what is wrong."""
    err = error_of(tmp_path, 'alt.Y("yield_kt_central:Q", scale=alt.Scale(type="logg"))', capfd)
    assert "error: charts/lines.py:10: " in err and "'logg' is an invalid value for `type`" in err, err

"""Chart code is run as it was read: the chart cache's key and what a chart worker executes
come from the same bytes, whatever happens to the files in between (an editor saving while
the preview builds, a busy machine widening the gap)."""

from __future__ import annotations

from pathlib import Path

from conftest import make_site, run
from test_errors import edit

from broadsheet.charts import discover_charts, import_chart_module


def chart_site(tmp_path: Path, modules: dict[str, str]) -> Path:
    (tmp_path / "charts").mkdir()
    for stem, text in modules.items():
        (tmp_path / "charts" / f"{stem}.py").write_text(text)
    return tmp_path


CHART = 'from broadsheet import chart\nfrom helpers import TITLE\n\n\n@chart("one", data=[])\ndef one():\n    return TITLE\n'


def test_a_worker_runs_the_module_and_helpers_that_were_hashed_not_what_is_on_disk_later(tmp_path: Path) -> None:
    root = chart_site(tmp_path, {"story": CHART, "helpers": 'TITLE = "as read"\n'})
    definition = discover_charts(root)["one"]
    (root / "charts/story.py").write_text(CHART.replace("return TITLE", "return 'saved since'"))
    (root / "charts/helpers.py").write_text('TITLE = "saved since, too"\n')
    module = import_chart_module(root, definition)
    assert module.one() == "as read"


def test_the_key_covers_the_helpers_that_helpers_import(tmp_path: Path) -> None:
    helpers = "from constants import TITLE\n"
    root = chart_site(tmp_path, {"story": CHART, "helpers": helpers, "constants": 'TITLE = "first"\n'})
    before = discover_charts(root)["one"].code_digest
    (root / "charts/constants.py").write_text('TITLE = "second"\n')
    after = discover_charts(root)["one"]
    assert after.code_digest != before
    assert import_chart_module(root, after).one() == "second"


TWO = """import altair as alt
from broadsheet import chart

WIDTH = 300
COLOR = "#0072B2"


def bars(frame):
    return alt.Chart(frame).mark_bar(color=COLOR)


@chart("first", data=[])
def first():
    return bars(None).properties(width=WIDTH)


@chart("second", data=[])
def second():
    return alt.Chart().mark_point()
"""


def keys(tmp_path: Path, text: str) -> dict[str, str]:
    root = tmp_path / str(len(list(tmp_path.iterdir())))
    root.mkdir()
    return {id: d.code_digest for id, d in discover_charts(chart_site(root, {"story": text})).items()}


def test_a_chart_key_covers_its_function_and_what_it_reaches_not_the_whole_module(tmp_path: Path) -> None:
    before = keys(tmp_path, TWO)
    edits = {  # an edit -> the charts it must redraw
        ("mark_point()", "mark_point(size=9)"): {"second"},
        ("width=WIDTH)", "width=WIDTH, height=10)"): {"first"},
        ('COLOR = "#0072B2"', 'COLOR = "#D55E00"'): {"first"},  # a constant a helper uses
        ("mark_bar(color=COLOR)", "mark_bar(color=COLOR, opacity=1)"): {"first"},  # the helper
        ("import altair as alt", "import altair as alt  # charts"): {"first", "second"},  # the module's imports
        ("WIDTH = 300\n", "WIDTH = 300\nalt.themes.enable('none')\n"): {"first", "second"},  # a statement run on import
        ('\n\n@chart("second"', '\n\n# Second chart.\n@chart("second"'): set(),  # a comment between functions
    }
    for (old, new), redrawn in edits.items():
        assert old in TWO
        after = keys(tmp_path, TWO.replace(old, new, 1))
        assert {id for id in before if before[id] != after[id]} == redrawn, (old, new)


COUNTS = """

@chart("counts", data=["tests"])
def counts(tests):
    return alt.Chart(tests).mark_bar().encode(x="date_utc:T", y="yield_kt_central:Q")
"""


def test_editing_one_chart_function_redraws_that_chart_only(tmp_path: Path, shared_cache: Path, capsys) -> None:
    site = make_site(tmp_path)
    (site / "charts/yields.py").write_text((site / "charts/yields.py").read_text() + COUNTS)
    page = site / "content/index.md"
    page.write_text(page.read_text() + "\n```chart\nid: counts\ntitle: Counts\ndescription: Bars.\n```\n")
    assert run(site, cache=shared_cache) == 0
    capsys.readouterr()
    edit(site / "charts/yields.py", 'mark_bar().encode(x="date_utc:T"', 'mark_bar(opacity=0.9).encode(x="date_utc:T"')
    assert run(site, cache=shared_cache) == 0
    assert "3 charts (2 from cache)" in capsys.readouterr().out  # (yields, and the page's declarative chart)

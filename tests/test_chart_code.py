"""Chart code is run as it was read: the chart cache's key and what a chart worker executes
come from the same bytes, whatever happens to the files in between (an editor saving while
the preview builds, a busy machine widening the gap)."""

from __future__ import annotations

from pathlib import Path

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

"""A page over the 150 KB budget (compressed, before any interaction: what
bench/page_weight.py measures in a browser) gets a build warning that names the page and
its heaviest charts; the build still succeeds."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import make_site, run

from broadsheet.pageweight import BUDGET

DOTS = """\
import altair as alt
import pandas as pd

from broadsheet import chart


@chart("dots")
def dots():
    n = 10_000
    frame = pd.DataFrame({"x": [(i * 7919) % 9973 for i in range(n)], "y": [(i * 104729) % 8191 for i in range(n)]})
    return alt.Chart(frame).mark_point().encode(x="x:Q", y="y:Q")
"""
PAGE = "---\ntitle: Dots\ndescription: Many dots.\n---\n\n```chart\nid: dots\ntitle: Dots\ndescription: Ten thousand dots.\n```\n"


def test_a_page_over_budget_is_named_with_its_heaviest_chart(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    site = make_site(tmp_path)
    (site / "charts/dots.py").write_text(DOTS)
    (site / "content/dots.md").write_text(PAGE)
    assert run(site, cache=tmp_path / "cache") == 0
    err = capfd.readouterr().err
    warnings = [line for line in err.splitlines() if line.startswith("content/") and ": warning: " in line]
    assert len(warnings) == 1, err
    assert warnings[0].startswith("content/dots.md: warning: page /dots/ weighs about "), warnings
    assert f"over the {BUDGET // 1024} KB budget; heaviest charts: 'dots' (" in warnings[0], warnings

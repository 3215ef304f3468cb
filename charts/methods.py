"""Methods: how two counts of North Korean missile activity differ (CNS missiles vs CSIS incidents)."""

from __future__ import annotations

import json

import altair as alt
import pandas as pd

from broadsheet import chart

CNS = "CNS: missiles tested (one per missile)"
CSIS = "CSIS: missile \u201cprovocations\u201d (one per incident)"


@chart("provocations-vs-cns", data=["missile_tests_by_year_cns", "nk_provocations_by_year_csis"])
def provocations_vs_cns(missile_tests_by_year_cns: pd.DataFrame, nk_provocations_by_year_csis: pd.DataFrame) -> alt.LayerChart:
    """Both annual counts over the years both sources cover, as two separate lines."""
    first = int(missile_tests_by_year_cns["year"].min())
    last = int(missile_tests_by_year_cns["year"].max())
    cns = missile_tests_by_year_cns[["year", "missiles_tested_count"]]
    csis = nk_provocations_by_year_csis[["year", "missile_events"]]
    both = cns.merge(csis, on="year", how="outer")
    both = both[both["year"] >= first]
    labels = {"missiles_tested_count": CNS, "missile_events": CSIS}
    names = " : ".join(f"datum.count_field == '{f}' ? {json.dumps(label)}" for f, label in labels.items())
    x = alt.X("year:Q", title=None, scale=alt.Scale(domain=[first, last], nice=False), axis=alt.Axis(format="d", tickMinStep=1))
    y = alt.Y("count:Q", title="Count per year")
    color = alt.Color("counted_by:N", title=None, sort=[CNS, CSIS], legend=alt.Legend(orient="bottom", labelLimit=400))
    tooltip = [
        alt.Tooltip("year:Q", title="Year", format="d"),
        alt.Tooltip("missiles_tested_count:Q", title="CNS: missiles tested"),
        alt.Tooltip("missile_events:Q", title="CSIS: missile incidents"),
    ]
    base = (
        alt.Chart(both)
        .transform_fold(list(labels), as_=["count_field", "count"])
        .transform_filter("isValid(datum.count)")
        .transform_calculate(counted_by=f"{names} : datum.count_field")
        .encode(x=x, y=y, color=color, tooltip=tooltip)
    )
    lines = base.mark_line(strokeWidth=2)
    points = base.mark_point(filled=True, size=36, opacity=1)
    return alt.layer(lines, points)

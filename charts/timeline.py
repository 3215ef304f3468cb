"""Timeline: who acted when in 2016-2017, with China's own measures numbered."""

from __future__ import annotations

import altair as alt
import pandas as pd

from broadsheet import chart

LANES = {
    "nuclear_test": "North Korea: nuclear tests",
    "missile_launch": "North Korea: selected launches",
    "unsc_resolution": "UN Security Council",
    "china_measure": "China",
    "us_sanction": "United States: sanctions",
    "thaad": "THAAD decisions",
}
START, END = pd.Timestamp("2016-01-01"), pd.Timestamp("2018-01-01")


@chart("china-response-timeline", data=["timeline"])
def china_response_timeline(timeline: pd.DataFrame) -> alt.LayerChart:
    """Events of 2016-2017 in lanes by actor; China's five measures are numbered in date order."""
    events = timeline[(timeline["date"] >= START) & (timeline["date"] < END) & timeline["event_type"].isin(LANES)].copy()
    events["lane"] = events["event_type"].map(LANES)
    china = events["event_type"] == "china_measure"
    events["number"] = ""
    events.loc[china, "number"] = [str(i) for i in range(1, int(china.sum()) + 1)]
    events = events[["date", "lane", "actor", "event", "source_name", "number"]]
    lanes = list(LANES.values())
    x = alt.X(
        "date:T",
        title=None,
        scale=alt.Scale(domain=[START.isoformat(), END.isoformat()]),
        axis=alt.Axis(format="%b %Y", tickCount={"interval": "month", "step": 3}, labelAngle=0),
    )
    y = alt.Y("lane:N", title=None, sort=lanes, axis=alt.Axis(labelLimit=260))
    tooltip = [
        alt.Tooltip("date:T", title="Date", format="%-d %B %Y"),
        alt.Tooltip("actor:N", title="Actor"),
        alt.Tooltip("event:N", title="Event"),
        alt.Tooltip("source_name:N", title="Source"),
    ]
    base = alt.Chart(events).encode(x=x, y=y, tooltip=tooltip)
    points = base.mark_point(filled=True, size=110, opacity=0.85).encode(
        shape=alt.Shape("lane:N", sort=lanes, legend=None),
    )
    numbers = (
        base.transform_filter("datum.number != ''")
        .mark_text(baseline="bottom", dy=-9, fontSize=12, fontWeight="bold")
        .encode(text="number:N")
    )
    return alt.layer(points, numbers).properties(height=alt.Step(36))

"""After 2017: oil above the UN cap and missile launches, and the band the trade charts
share (the trade page charts China's trade to 2025; the after-2017 page links to it).

Every value plotted is a row of ``sanctions_monitoring_findings`` or
``missile_launches_by_year_reported``. Counts from different counters are never joined
by a line: they measure different things (see the page's notes).
"""

from __future__ import annotations

import altair as alt
import pandas as pd
from actors import CHINA_CUSTOMS, ESTIMATES, UN_1718, color_of  # sibling module: the site's colours

from broadsheet import chart

GACC = CHINA_CUSTOMS
GACC_BLUE = color_of(CHINA_CUSTOMS)  # the China customs colour on every page of the site
KOTRA_GREY = "#555555"  # KOTRA's figures and the counts of launches: no actor's colour (light grey on the dark page)
# North Korea closed its border on 31 January 2020; the annual figures for 2020, 2021
# and 2022 are the years it shaped (freight trains resumed only in January 2022).
CLOSURE_START, CLOSURE_END = 2019.5, 2022.5
CLOSURE_LABEL = "North Korea's own border closure, 2020-22"


def closure_band(x: alt.X, y_field: str, top: float) -> alt.LayerChart:
    """A shaded band over the border-closure years, labelled at its top left.

    ``x`` is the chart's own x encoding (a quantitative year), so the band shares its scale.
    """
    band = pd.DataFrame({x.shorthand.split(":")[0]: [CLOSURE_START], "end": [CLOSURE_END], y_field: [top], "label": [CLOSURE_LABEL]})
    base = alt.Chart(band)
    # (a translucent grey, so that the band is light on the light page and dark on the dark one)
    rect = base.mark_rect(color="#888888", opacity=0.2).encode(x=x, x2="end:Q")
    text = base.mark_text(align="left", baseline="top", dx=4, dy=4, fontSize=12, color="#333333").encode(
        x=x, y=alt.Y(f"{y_field}:Q"), text="label:N"
    )
    return alt.LayerChart(layer=[rect, text])


CAP_MILLION_BARRELS = 0.5  # resolution 2397's yearly cap on refined petroleum (unsc_resolutions)
OIL_ROWS = {
    # finding_id: (short label, kind): an estimate by a monitor or a government, or what
    # suppliers themselves reported to the UN 1718 Committee (the coal charts' UN 1718 colour)
    "F10": ("2019 (period not visible): UN Panel, citing US data", ESTIMATES),
    "F11": ("Jan-May 2020: 43 states' submission", ESTIMATES),
    "F16": ("Jan-Sep 2020: UN Panel, as reported by NHK", ESTIMATES),
    "F12": ("Jan-May 2020: reported to the UN by China and Russia", UN_1718),
    "F13": ("Jan-Aug 2020: reported to the UN by China and Russia", UN_1718),
    "F23": ("Mar 2024 alone: Russia, per the White House", ESTIMATES),
    "F28": ("Mar-Oct 2024: Russia, per the MSMT", ESTIMATES),
    "F24": ("7 Mar-5 Nov 2024: Russia, per Open Source Centre", ESTIMATES),
}


def _two_lines(text: str, limit: int = 36) -> str:
    """A finding's label broken at the last space before ``limit`` characters (on a phone)."""
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[:cut] + "\n" + text[cut + 1 :]


@chart(
    "oil-above-cap",
    data=["sanctions_monitoring_findings"],
    table={
        "columns": {
            "kind": "Kind",
            "period_label": "Period",
            "reporter": "Found or reported by",
            "million_barrels": "Million barrels",
            "value_as_reported": "As reported",
            "source_name": "Source",
        },
        "key": "label",
    },
)
def oil_above_cap(sanctions_monitoring_findings: pd.DataFrame, layout: str = "wide") -> alt.LayerChart:
    """Each refined-petroleum finding as a bar, against the 500,000-barrel yearly cap of resolution 2397.

    The cap is a tick across each bar, not a rule down the chart, which would run
    through the findings' names; a value whose bar stops short of the cap is written past
    it. On a phone each row is its label (on up to two lines) at the top, its bar under it
    and the value beside the bar. The cap is named in the legend."""
    narrow = layout == "narrow"
    found = sanctions_monitoring_findings
    rows = found[found["finding_id"].isin(list(OIL_ROWS))].copy()
    rows["label"] = rows["finding_id"].map(lambda f: OIL_ROWS[f][0])
    rows["kind"] = rows["finding_id"].map(lambda f: OIL_ROWS[f][1])
    rows["million_barrels"] = rows["quantity"].astype("float64") / 1e6
    qualifier = rows["qualifier"].fillna("")
    rows["value_text"] = (qualifier.where(qualifier == "", qualifier + " ") + rows["quantity"].map(lambda q: f"{q:,.0f}")).str.strip()
    rows["value_x"] = rows["million_barrels"].clip(lower=CAP_MILLION_BARRELS)
    rows["cap"] = CAP_MILLION_BARRELS
    rows["cap_text"] = "UN cap: 500,000 barrels a year"
    order = list(OIL_ROWS)
    y = alt.Y("label:N", title=None, sort=[OIL_ROWS[f][0] for f in order], axis=None, scale=alt.Scale(paddingInner=0.55, paddingOuter=0.3))
    x = alt.X(
        "million_barrels:Q",
        title="Million barrels",
        stack=None,
        scale=alt.Scale(domain=[0, 4.5]),
        axis=alt.Axis(values=[0, 0.5, 1, 2, 3, 4]),
    )
    color = alt.Color(
        "kind:N",
        title=None,
        scale=alt.Scale(domain=[ESTIMATES, UN_1718]),
        legend=alt.Legend(orient="top", labelFontSize=12),
    )
    tooltip = [
        alt.Tooltip("period_label:N", title="Period"),
        alt.Tooltip("reporter:N", title="Finding by"),
        alt.Tooltip("value_as_reported:N", title="As reported"),
        alt.Tooltip("source_name:N", title="Source"),
    ]
    if narrow:  # (whole millions on the axis: half a million between 0 and 1 leaves no room for 2)
        x = alt.X("million_barrels:Q", title="Million barrels", scale=alt.Scale(domain=[0, 4.5]), axis=alt.Axis(values=[0, 1, 2, 3, 4]))
        return _oil_rows(rows.assign(label=rows["label"].map(_two_lines)), x, color, tooltip, [OIL_ROWS[f][0] for f in order])
    base = alt.Chart(rows).encode(y=y)
    bars = base.mark_bar().encode(x=x, color=color, tooltip=tooltip)
    values = base.mark_text(align="left", dx=6, fontSize=12, fontWeight="bold").encode(x=alt.X("value_x:Q"), text="value_text:N")
    # The finding's label sits above its bar, so the bars keep the full width on a phone.
    names = base.mark_text(align="left", baseline="bottom", dy=-11, fontSize=12).encode(x=alt.datum(0), text="label:N")
    caps = base.mark_tick(color="#000000", thickness=2, size=22).encode(x="cap:Q", strokeDash=_cap_dash())
    return alt.LayerChart(layer=[bars, caps, values, names]).properties(height=alt.Step(44))


def _cap_dash() -> alt.StrokeDash:
    """The cap's key: a short upright line named in the legend (no colour: caps are drawn in ink)."""
    legend = alt.Legend(orient="top", symbolType="M-0.15,-1H0.15V1H-0.15Z", symbolFillColor="#000000", symbolStrokeWidth=0, symbolSize=150)
    return alt.StrokeDash("cap_text:N", title=None, scale=alt.Scale(range=[[1, 0]]), legend=legend)


def _oil_rows(rows: pd.DataFrame, x: alt.X, color: alt.Color, tooltip: list[alt.Tooltip], order: list[str]) -> alt.LayerChart:
    """The phone's rows: each finding takes two slots of a band scale, its label's lines in
    the first and its bar and value in the second."""
    slot = {label: 2 * i for i, label in enumerate(order)}
    rows = rows.assign(label_slot=rows["finding_id"].map(lambda f: slot[OIL_ROWS[f][0]]))
    rows = rows.assign(bar_slot=rows["label_slot"] + 1)
    scale = alt.Scale(domain=list(range(2 * len(order))), paddingInner=0, paddingOuter=0)
    base = alt.Chart(rows)
    bars = base.mark_bar(height=12).encode(
        x=x, x2=alt.datum(0), y=alt.Y("bar_slot:O", scale=scale, axis=None), color=color, tooltip=tooltip
    )
    values = base.mark_text(align="left", dx=6, fontSize=12, fontWeight="bold").encode(
        x=alt.X("value_x:Q"), y=alt.Y("bar_slot:O", scale=scale, axis=None), text="value_text:N"
    )
    names = base.mark_text(align="left", baseline="top", dy=-13, fontSize=12, lineBreak="\n", lineHeight=14).encode(
        x=alt.datum(0), y=alt.Y("label_slot:O", scale=scale, axis=None), text="label:N"
    )
    caps = base.mark_tick(color="#000000", thickness=2, size=18).encode(
        x="cap:Q", y=alt.Y("bar_slot:O", scale=scale, axis=None), strokeDash=_cap_dash()
    )
    return alt.LayerChart(layer=[bars, caps, values, names]).properties(height=alt.Step(30))


LINE_PX, PANEL_PX = 15, 170
DOT_ROW = 0.82  # on a phone, where in a year's row its dots sit (its labels are above them)
COUNTER_SHORT = {
    "Japan Ministry of Defense": "Japan MOD",
    "UN Panel of Experts": "UN Panel",
    "South Korea National Intelligence Service": "S. Korea NIS, Jan-Jul",
    "CSIS Missile Defense Project": "CSIS",
    "Japan Fire and Disaster Management Agency (white paper)": "Japan FDMA",
}


def _launch_rows(panel: str, part: pd.DataFrame, label: pd.DataFrame, top: int, tooltip: list[alt.Tooltip]) -> alt.LayerChart:
    """On a phone: one row per year, its labels at the top of the row and its dots under them
    (six years of labels side by side do not fit 340 px)."""
    years = list(range(2019, 2025))
    scale = alt.Scale(domain=years)
    on_row = alt.Y("year:O", title=None, scale=scale, bandPosition=DOT_ROW, axis=None)
    top_of_row = alt.Y("year:O", title=None, scale=scale, bandPosition=0, axis=None)
    label = label.assign(text=label["year"].astype(str) + ": " + label["text"])  # (the year starts its row's label)
    x = alt.X("count:Q", title=panel, scale=alt.Scale(domain=[0, top]), axis=alt.Axis(tickCount=4))
    stems = alt.Chart(part).mark_rule(color=KOTRA_GREY, strokeWidth=2).encode(y=on_row, x=x, x2=alt.datum(0))
    dots = alt.Chart(part).mark_circle(size=90, color=KOTRA_GREY, opacity=1).encode(y=on_row, x=x, tooltip=tooltip)
    text = alt.Chart(label).mark_text(align="left", baseline="top", dx=3, dy=2, fontSize=12, lineBreak="\n", lineHeight=LINE_PX)
    missing = pd.DataFrame({"year": [yr for yr in years if yr not in set(part["year"])], "count": 0})
    none = alt.Chart(missing.assign(text=missing["year"].astype(str) + ": no count found")).mark_text(
        align="left", baseline="top", dx=3, dy=2, fontSize=11, color=KOTRA_GREY
    )
    layers = [
        stems,
        dots,
        text.encode(y=top_of_row, x=alt.datum(0), text="text:N"),
        none.encode(y=top_of_row, x=alt.datum(0), text="text:N"),
    ]
    return alt.LayerChart(layer=layers).properties(height=alt.Step(2 * LINE_PX + 20))


@chart(
    "missile-launches-since-2019",
    data=["missile_launches_by_year_reported"],
    table={
        "columns": {
            "year": "Year",
            "counting_unit": "Counting",
            "count": "Count",
            "counter": "Counted by",
            "scope": "What was counted",
            "source_name": "Source",
        },
        "sort": ["year", "counting_unit"],
    },
)
def missile_launches_since_2019(missile_launches_by_year_reported: pd.DataFrame, layout: str = "wide") -> alt.VConcatChart:
    """Launch events and missiles fired per year, one dot per counter, labelled; counters never joined."""
    counts = missile_launches_by_year_reported
    rows = counts[counts["counting_unit"].isin(["launch events", "missiles", "ballistic missiles"])].copy()
    rows = rows[rows["counter"].isin(list(COUNTER_SHORT))]
    rows["panel"] = rows["counting_unit"].map(lambda u: "Launch events" if u == "launch events" else "Missiles fired")
    marks = rows["count_qualifier"].fillna("").map({"at least": "at least ", "about": "about ", "": ""})
    rows["text"] = marks + rows["count"].astype(str) + " (" + rows["counter"].map(COUNTER_SHORT) + ")"
    x = alt.X("year:O", title=None, scale=alt.Scale(domain=list(range(2019, 2025)), paddingOuter=0.6), axis=alt.Axis(labelAngle=0))
    tooltip = [
        alt.Tooltip("year:O", title="Year"),
        alt.Tooltip("counter:N", title="Counter"),
        alt.Tooltip("counting_unit:N", title="Counts"),
        alt.Tooltip("scope:N", title="Scope"),
        alt.Tooltip("value_as_reported:N", title="As reported"),
        alt.Tooltip("source_name:N", title="Source"),
    ]
    panels = []
    for panel, top in (("Launch events", 40), ("Missiles fired", 130)):
        part = rows[rows["panel"] == panel].sort_values("count", ascending=False)
        # One label per year, above its highest dot; a second counter goes on a second line.
        label = part.groupby("year", as_index=False).agg(count=("count", "max"), text=("text", "\n".join))
        if layout == "narrow":
            panels.append(_launch_rows(panel, part, label, top, tooltip))
            continue
        # Vega draws extra lines below the first, so a two-line label is lifted by one line.
        lines = label["text"].str.count("\n")
        label["label_y"] = label["count"].astype("float64") + lines * LINE_PX * top / PANEL_PX
        y = alt.Y("count:Q", title=panel, scale=alt.Scale(domain=[0, top]), axis=alt.Axis(tickCount=4))
        stems = alt.Chart(part).mark_rule(color=KOTRA_GREY, strokeWidth=2).encode(x=x, y=y, y2=alt.datum(0))
        dots = alt.Chart(part).mark_circle(size=90, color=KOTRA_GREY, opacity=1).encode(x=x, y=y, tooltip=tooltip)
        text = (
            alt.Chart(label)
            .mark_text(baseline="bottom", dy=-8, fontSize=12, lineBreak="\n", lineHeight=LINE_PX)
            .encode(x=x, y=alt.Y("label_y:Q"), text="text:N")
        )
        missing = pd.DataFrame({"year": [yr for yr in range(2019, 2025) if yr not in set(part["year"])], "text": "no count found"})
        none = (
            alt.Chart(missing).mark_text(baseline="bottom", dy=-4, fontSize=11, color=KOTRA_GREY).encode(x=x, y=alt.datum(0), text="text:N")
        )
        panels.append(alt.LayerChart(layer=[stems, dots, text, none]).properties(height=PANEL_PX))
    return alt.vconcat(*panels, spacing=18)

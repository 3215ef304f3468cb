"""After 2017: trade with China to 2025, oil above the UN cap, and missile launches.

Every value plotted is a row of ``china_nk_trade``, ``sanctions_monitoring_findings``
or ``missile_launches_by_year_reported``. Series from different compilers or counters
are never joined by a line: they measure different things (see the page's notes).
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from broadsheet import chart

GACC = "China customs (GACC)"
GACC_BLUE = "#0072B2"  # the China customs colour on every page of the site
KOTRA_GREY = "#555555"
MONITOR_RED = "#D55E00"
# North Korea closed its border on 31 January 2020; the annual figures for 2020, 2021
# and 2022 are the years it shaped (freight trains resumed only in January 2022).
CLOSURE_START, CLOSURE_END = 2019.5, 2022.5
CLOSURE_LABEL = "North Korea's own border closure, 2020-22"


def closure_band(x: alt.X, y_field: str, top: float) -> alt.LayerChart:
    """Grey band over the border-closure years, labelled at its top left.

    ``x`` is the chart's own x encoding (a quantitative year), so the band shares its scale.
    """
    band = pd.DataFrame({x.shorthand.split(":")[0]: [CLOSURE_START], "end": [CLOSURE_END], y_field: [top], "label": [CLOSURE_LABEL]})
    base = alt.Chart(band)
    rect = base.mark_rect(color="#e8e8e8").encode(x=x, x2="end:Q")
    text = base.mark_text(align="left", baseline="top", dx=4, dy=4, fontSize=12, color="#333333").encode(
        x=x, y=alt.Y(f"{y_field}:Q"), text="label:N"
    )
    return alt.LayerChart(layer=[rect, text])


def _totals(trade: pd.DataFrame, first_year: int) -> pd.DataFrame:
    """Total trade rows from ``first_year``, with a short compiler label for colour."""
    rows = trade[trade["total_trade_usd_billion"].notna() & (trade["year"] >= first_year)].copy()
    rows["compiler"] = rows["data_series"].where(rows["data_series"] == GACC, "KOTRA")
    rows["year_f"] = rows["year"].astype("float64")
    return rows


@chart(
    "trade-since-2013",
    data=["china_nk_trade"],
    table={
        "columns": {
            "year": "Year",
            "data_series": "Compiled by",
            "total_trade_usd_billion": "Total trade (US$ billion)",
            "total_trade_change_pct_as_reported": "Change on a year before, as reported (%)",
            "source_name": "Source",
        },
        "sort": ["year", "data_series"],
    },
)
def trade_since_2013(china_nk_trade: pd.DataFrame) -> alt.LayerChart:
    """China customs totals as a line (broken where a year is missing), KOTRA as grey dots."""
    rows = _totals(china_nk_trade, 2013)
    years = pd.DataFrame({"year": pd.array(range(2013, 2026), dtype="Int64")})
    gacc = years.merge(rows[rows["compiler"] == GACC], on="year", how="left")
    gacc["year_f"] = gacc["year"].astype("float64")
    kotra = rows[rows["compiler"] == "KOTRA"]
    x = alt.X(
        "year_f:Q",
        title=None,
        scale=alt.Scale(domain=[2012.5, 2025.5], nice=False),
        axis=alt.Axis(values=list(range(2013, 2026)), format="d", grid=False, labelAngle=0),
    )
    y = alt.Y("total_trade_usd_billion:Q", title="US$ billion", scale=alt.Scale(domain=[0, 7]))
    tooltip = [
        alt.Tooltip("year:O", title="Year"),
        alt.Tooltip("data_series:N", title="Compiled by"),
        alt.Tooltip("total_trade_usd_billion:Q", title="Total trade (US$ bn)", format=".3~f"),
        alt.Tooltip("total_trade_change_pct_as_reported:Q", title="Change on year, as reported (%)"),
        alt.Tooltip("source_name:N", title="Source"),
    ]
    line = alt.Chart(gacc).mark_line(color=GACC_BLUE, strokeWidth=2.5, invalid="break-paths-show-domains").encode(x=x, y=y)
    gacc_points = alt.Chart(gacc).mark_point(filled=True, size=70, color=GACC_BLUE, opacity=1).encode(x=x, y=y, tooltip=tooltip)
    kotra_points = (
        alt.Chart(kotra).mark_point(filled=False, size=70, strokeWidth=2, color=KOTRA_GREY, opacity=1).encode(x=x, y=y, tooltip=tooltip)
    )
    labels = (
        alt.Chart(gacc[gacc["year"].isin([2021, 2025])])
        .mark_text(dy=-12, fontSize=12, fontWeight="bold", color=GACC_BLUE)
        .encode(x=x, y=y, text=alt.Text("total_trade_usd_billion:Q", format="$.3~f"))
    )
    left = (
        alt.Chart(gacc[gacc["year"] == 2017])
        .mark_text(align="right", dx=-9, fontSize=12, fontWeight="bold", color=GACC_BLUE)
        .encode(x=x, y=y, text=alt.Text("total_trade_usd_billion:Q", format="$.3~f"))
    )
    below = (
        alt.Chart(gacc[gacc["year"] == 2018])
        .mark_text(dy=16, fontSize=12, fontWeight="bold", color=GACC_BLUE)
        .encode(x=x, y=y, text=alt.Text("total_trade_usd_billion:Q", format="$.3~f"))
    )
    names = pd.DataFrame(
        {
            "year_f": [2013.0, 2022.0],
            "total_trade_usd_billion": [6.0, 1.75],
            "name": ["KOTRA (South Korea), open dots", "China customs"],
            "color": [KOTRA_GREY, GACC_BLUE],
        }
    )
    name_text = (
        alt.Chart(names).mark_text(align="left", dx=8, fontSize=12).encode(x=x, y=y, text="name:N", color=alt.Color("color:N", scale=None))
    )
    gap = pd.DataFrame({"year_f": [2016.0], "total_trade_usd_billion": [0.25], "name": ["2016: no total found"]})
    gap_text = alt.Chart(gap).mark_text(fontSize=11, color="#555555").encode(x=x, y=y, text="name:N")
    return alt.LayerChart(
        layer=[closure_band(x, "total_trade_usd_billion", 7), line, gacc_points, kotra_points, labels, left, below, name_text, gap_text]
    ).properties(height=320)


OIL_ROWS = {
    # finding_id: (short label, kind); kinds are coloured apart
    "F10": ("2019 (period not visible): UN Panel, citing US data", "Monitors' estimate"),
    "F11": ("Jan-May 2020: 43 states' submission", "Monitors' estimate"),
    "F16": ("Jan-Sep 2020: UN Panel, as reported by NHK", "Monitors' estimate"),
    "F12": ("Jan-May 2020: reported to the UN by China and Russia", "Officially reported"),
    "F13": ("Jan-Aug 2020: reported to the UN by China and Russia", "Officially reported"),
    "F23": ("Mar 2024 alone: Russia, per the White House", "Monitors' estimate"),
    "F28": ("Mar-Oct 2024: Russia, per the MSMT", "Monitors' estimate"),
    "F24": ("7 Mar-5 Nov 2024: Russia, per Open Source Centre", "Monitors' estimate"),
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

    On a phone each row is its label (on up to two lines) at the top, its bar under it and
    the value beside the bar; the cap is named in the legend."""
    narrow = layout == "narrow"
    found = sanctions_monitoring_findings
    rows = found[found["finding_id"].isin(list(OIL_ROWS))].copy()
    rows["label"] = rows["finding_id"].map(lambda f: OIL_ROWS[f][0])
    rows["kind"] = rows["finding_id"].map(lambda f: OIL_ROWS[f][1])
    rows["million_barrels"] = rows["quantity"].astype("float64") / 1e6
    qualifier = rows["qualifier"].fillna("")
    rows["value_text"] = (qualifier.where(qualifier == "", qualifier + " ") + rows["quantity"].map(lambda q: f"{q:,.0f}")).str.strip()
    order = list(OIL_ROWS)
    y = alt.Y("label:N", title=None, sort=[OIL_ROWS[f][0] for f in order], axis=None, scale=alt.Scale(paddingInner=0.55, paddingOuter=0.3))
    x = alt.X("million_barrels:Q", title="Million barrels", scale=alt.Scale(domain=[0, 4.5]), axis=alt.Axis(values=[0, 0.5, 1, 2, 3, 4]))
    color = alt.Color(
        "kind:N",
        title=None,
        scale=alt.Scale(domain=["Monitors' estimate", "Officially reported"], range=[MONITOR_RED, KOTRA_GREY]),
        legend=alt.Legend(orient="top", labelFontSize=12),
    )
    tooltip = [
        alt.Tooltip("period_label:N", title="Period"),
        alt.Tooltip("reporter:N", title="Finding by"),
        alt.Tooltip("value_as_reported:N", title="As reported"),
        alt.Tooltip("source_name:N", title="Source"),
    ]
    cap = pd.DataFrame({"million_barrels": [0.5], "text": ["UN cap: 500,000 barrels a year"]})
    if narrow:  # (whole millions on the axis: half a million between 0 and 1 leaves no room for 2)
        x = alt.X("million_barrels:Q", title="Million barrels", scale=alt.Scale(domain=[0, 4.5]), axis=alt.Axis(values=[0, 1, 2, 3, 4]))
        return _oil_rows(rows.assign(label=rows["label"].map(_two_lines)), cap, x, color, tooltip, [OIL_ROWS[f][0] for f in order])
    base = alt.Chart(rows).encode(y=y)
    bars = base.mark_bar().encode(x=x, color=color, tooltip=tooltip)
    values = base.mark_text(align="left", dx=4, fontSize=12, fontWeight="bold").encode(x=x, text="value_text:N")
    # The finding's label sits above its bar, so the bars keep the full width on a phone.
    names = base.mark_text(align="left", baseline="bottom", dy=-9, fontSize=12).encode(x=alt.datum(0), text="label:N")
    rule = alt.Chart(cap).mark_rule(color="#000000", strokeDash=[4, 3], strokeWidth=1.5).encode(x="million_barrels:Q")
    cap_text = (
        alt.Chart(cap)
        .mark_text(align="left", baseline="bottom", dx=4, dy=-2, fontSize=12)
        .encode(x="million_barrels:Q", y=alt.value(0), text="text:N")
    )
    return alt.LayerChart(layer=[rule, bars, values, names, cap_text]).properties(height=alt.Step(44))


def _oil_rows(
    rows: pd.DataFrame, cap: pd.DataFrame, x: alt.X, color: alt.Color, tooltip: list[alt.Tooltip], order: list[str]
) -> alt.LayerChart:
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
    values = base.mark_text(align="left", dx=4, fontSize=12, fontWeight="bold").encode(
        x=x, y=alt.Y("bar_slot:O", scale=scale, axis=None), text="value_text:N"
    )
    names = base.mark_text(align="left", baseline="top", dy=-13, fontSize=12, lineBreak="\n", lineHeight=14).encode(
        x=alt.datum(0), y=alt.Y("label_slot:O", scale=scale, axis=None), text="label:N"
    )
    dash = alt.StrokeDash(
        "text:N", title=None, scale=alt.Scale(range=[[4, 3]]), legend=alt.Legend(orient="top", symbolStrokeColor="#000000")
    )
    rule = alt.Chart(cap).mark_rule(color="#000000", strokeWidth=1.5).encode(x="million_barrels:Q", strokeDash=dash)
    return alt.LayerChart(layer=[rule, bars, values, names]).properties(height=alt.Step(30))


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

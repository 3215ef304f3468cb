"""Methods: how two counts of North Korean missile activity differ (CNS missiles vs CSIS
incidents), and CSIS's full count of provocations by kind."""

from __future__ import annotations

import json

import altair as alt
import pandas as pd
from actors import NORTH_KOREA  # sibling module: the site's colours

from broadsheet import chart

CNS = "CNS: missiles tested (one per missile)"
CSIS = "CSIS: missile incidents (one per incident)"
# The two counts are told apart by form (a solid line with dots, a dashed line with
# squares) and named beside their lines: colours on this site stand for actors. Ink is
# #1a1a1a, light on the dark page.
INK = "#1a1a1a"
CNS_COLOUR = INK
# CSIS's kinds, all North Korea's, in its colour: how full a bar is tells the kind.
KIND_FILL = {"missile_events": 0.5, "nuclear_events": 1.0, "other_events": 0.12}
KIND_LABELS = {"missile_events": "Missile", "nuclear_events": "Nuclear", "other_events": "Other"}
# The CNS point and the CSIS point the direct labels point at: the CNS peak in the database
# mirror, and a year where the CSIS line lies above the CNS line, so the leader crosses nothing.
CNS_LABEL_YEAR = 2019
CSIS_LABEL_YEAR = 2012


def _absent_from_csis(csis: pd.DataFrame) -> pd.Series:
    """Rows the research added for years missing from the CSIS summary (flagged in `notes`).

    They are shown as gaps, not zeros: the site draws a zero only where a source reports
    none or its own totals confirm it, and here the source says nothing at all."""
    return csis["notes"].fillna("").str.contains("absent from source", regex=False)


def _leaders(cns: pd.DataFrame, csis: pd.DataFrame) -> pd.DataFrame:
    """Label text at (tx, ty) with a leader down to its series at (ex, ey)."""
    cns_y = float(cns.loc[cns["year"] == CNS_LABEL_YEAR, "missiles_tested_count"].iloc[0])
    csis_y = float(csis.loc[csis["year"] == CSIS_LABEL_YEAR, "missile_events"].iloc[0])
    return pd.DataFrame(
        [
            {"text": CNS, "align": "center", "tx": CNS_LABEL_YEAR, "ty": cns_y + 14, "ex": CNS_LABEL_YEAR, "ey": cns_y + 1.5},
            {"text": CSIS, "align": "right", "tx": CSIS_LABEL_YEAR - 2, "ty": csis_y + 17, "ex": CSIS_LABEL_YEAR, "ey": csis_y + 0.8},
        ]
    )


@chart(
    "provocations-vs-cns",
    data=["missile_tests_by_year_cns", "nk_provocations_by_year_csis"],
    table={
        "columns": {
            "year": "Year",
            "missiles_tested_count": "CNS: missiles tested",
            "missile_events": "CSIS: missile incidents",
        },
        "sort": "year",
    },
)
def provocations_vs_cns(missile_tests_by_year_cns: pd.DataFrame, nk_provocations_by_year_csis: pd.DataFrame) -> alt.LayerChart:
    """Both annual counts over the years both sources cover, as two separate lines.

    CNS's 2022 total (reported by TIME, not read from the database mirror) is a lone hollow
    point, not joined to the mirror's line; CSIS years absent from its file break its line."""
    first = int(missile_tests_by_year_cns["year"].min())
    last = int(missile_tests_by_year_cns["year"].max())
    mirror = missile_tests_by_year_cns["success_count"].notna()
    cns = missile_tests_by_year_cns.loc[mirror, ["year", "missiles_tested_count"]]
    later = missile_tests_by_year_cns.loc[~mirror, ["year", "missiles_tested_count"]]
    csis = nk_provocations_by_year_csis[["year", "missile_events", "notes"]].copy()
    csis.loc[_absent_from_csis(csis), "missile_events"] = pd.NA
    csis = csis[csis["year"] >= first].drop(columns="notes")
    both = cns.merge(csis, on="year", how="outer")
    labels = {"missiles_tested_count": CNS, "missile_events": CSIS}
    names = " : ".join(f"datum.count_field == '{f}' ? {json.dumps(label)}" for f, label in labels.items())
    x_scale = alt.Scale(domain=[first, last], nice=False)
    x = alt.X("year:Q", title=None, scale=x_scale, axis=alt.Axis(format="d", tickMinStep=1))
    y = alt.Y("count:Q", title="Count per year")
    dash = alt.StrokeDash("counted_by:N", scale=alt.Scale(domain=[CNS, CSIS], range=[[1, 0], [5, 3]]), legend=None)
    form = alt.Shape("counted_by:N", scale=alt.Scale(domain=[CNS, CSIS], range=["circle", "square"]), legend=None)
    tooltip = [
        alt.Tooltip("year:Q", title="Year", format="d"),
        alt.Tooltip("missiles_tested_count:Q", title="CNS: missiles tested"),
        alt.Tooltip("missile_events:Q", title="CSIS: missile incidents"),
    ]
    base = (
        alt.Chart(both)
        .transform_fold(list(labels), as_=["count_field", "count"])
        .transform_calculate(counted_by=f"{names} : datum.count_field")
        .encode(x=x, y=y, tooltip=tooltip)
    )
    # No filter before the line: a missing CSIS year must break the line, not be bridged.
    lines = base.mark_line(strokeWidth=2, color=INK).encode(strokeDash=dash)
    points = base.transform_filter("isValid(datum.count)").mark_point(filled=True, size=36, opacity=1, color=INK).encode(shape=form)
    later_tooltip = [alt.Tooltip("year:Q", title="Year", format="d"), alt.Tooltip("missiles_tested_count:Q", title="CNS total (TIME)")]
    later_point = (
        alt.Chart(later)
        .mark_point(filled=False, size=60, strokeWidth=2, color=CNS_COLOUR)
        .encode(x=x, y="missiles_tested_count:Q", tooltip=later_tooltip)
    )
    later_label = (
        alt.Chart(later)
        .mark_text(align="right", dx=-9, fontSize=11)
        .encode(x=x, y="missiles_tested_count:Q", text=alt.value("2022: CNS total reported by TIME, not joined"))
    )
    leaders = _leaders(cns, nk_provocations_by_year_csis)
    leader_lines = alt.Chart(leaders).mark_rule(color="#555555").encode(x=alt.X("tx:Q", scale=x_scale), x2="ex:Q", y="ty:Q", y2="ey:Q")
    leader_text = [
        alt.Chart(leaders)
        .transform_filter(alt.datum.align == align)
        .mark_text(align=align, baseline="bottom", dy=-2, fontSize=11, fontWeight="bold")
        .encode(x=alt.X("tx:Q", scale=x_scale), y="ty:Q", text="text:N")
        for align in ("center", "right")
    ]
    return alt.LayerChart(layer=[lines, points, later_point, later_label, leader_lines, *leader_text])


@chart(
    "csis-provocations",
    data=["nk_provocations_by_year_csis"],
    table={
        "columns": {
            "year": "Year",
            "total_events": "All provocations",
            "missile_events": "Missile",
            "nuclear_events": "Nuclear",
            "other_events": "Other",
        },
        "sort": "year",
    },
)
def csis_provocations(nk_provocations_by_year_csis: pd.DataFrame) -> alt.LayerChart:
    """CSIS's annual count of provocations, stacked by kind, with direct labels on the last bar.

    Years absent from the CSIS file get no bar and a hollow marker on the axis."""
    frame = nk_provocations_by_year_csis[["year", *KIND_LABELS, "total_events", "notes"]].copy()
    frame["absent"] = _absent_from_csis(frame)
    first, last = int(frame["year"].min()), int(frame["year"].max())
    x_scale = alt.Scale(domain=[first - 0.8, last + 5], nice=False, zero=False)
    x = alt.X("year:Q", title=None, scale=x_scale, axis=alt.Axis(format="d", values=list(range(1960, last + 1, 10))))
    tooltip = [
        alt.Tooltip("year:Q", title="Year", format="d"),
        alt.Tooltip("total_events:Q", title="All provocations"),
        alt.Tooltip("missile_events:Q", title="Missile"),
        alt.Tooltip("nuclear_events:Q", title="Nuclear"),
        alt.Tooltip("other_events:Q", title="Other"),
    ]
    names = " : ".join(f"datum.kind_field == '{f}' ? {json.dumps(label)}" for f, label in KIND_LABELS.items())
    order = " : ".join(f"datum.kind_field == '{f}' ? {i}" for i, f in enumerate(KIND_LABELS))
    fill = alt.Scale(type="ordinal", domain=list(KIND_LABELS.values()), range=list(KIND_FILL.values()))
    actor = alt.Scale(domain=[NORTH_KOREA])
    bars = (
        alt.Chart(frame)
        .transform_filter("!datum.absent")
        .transform_fold(list(KIND_LABELS), as_=["kind_field", "n"])
        .transform_filter("datum.n > 0")  # (an empty segment's outline would draw a stray line)
        .transform_calculate(kind=f"{names} : datum.kind_field", stack_order=f"{order} : 9", acted=f"'{NORTH_KOREA}'")
        .mark_bar(size=7, strokeWidth=1)
        .encode(
            x=x,
            y=alt.Y("n:Q", title="Provocations recorded per year", stack="zero"),
            color=alt.Color("acted:N", title=None, scale=actor, legend=None),
            stroke=alt.Stroke("acted:N", title=None, scale=actor, legend=None),
            fillOpacity=alt.FillOpacity("kind:O", scale=fill, legend=None),
            order=alt.Order("stack_order:Q"),
            tooltip=tooltip,
        )
    )
    absent = (
        alt.Chart(frame)
        .transform_filter("datum.absent")
        .mark_point(shape="circle", filled=False, size=30, color="#555555", strokeWidth=1.5)
        .encode(x=x, y=alt.datum(0), tooltip=[alt.Tooltip("year:Q", title="Year not in the CSIS file", format="d")])
    )
    end = frame[frame["year"] == last].iloc[0]
    tops = end[list(KIND_LABELS)].astype(float).cumsum()
    end_labels = pd.DataFrame(
        {
            "year": last,
            "mid": [float(tops[k] - end[k] / 2) for k in KIND_LABELS],
            "text": [f"{label} ({int(end[k])} in {last})" for k, label in KIND_LABELS.items()],
        }
    )
    labels = alt.Chart(end_labels).mark_text(align="left", dx=7, fontSize=11).encode(x=x, y="mid:Q", text="text:N")
    return alt.LayerChart(layer=[bars, absent, labels])

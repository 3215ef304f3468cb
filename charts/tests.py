"""Tests and resolutions: nuclear test yields, missile tests by year, and how fast the UN answered."""

from __future__ import annotations

import json

import altair as alt
import pandas as pd
from actors import NORTH_KOREA, UN_COUNCIL  # sibling module: the site's colours

from broadsheet import chart

# Short labels for the estimators named in nuclear_test_yield_estimates; the full
# name stays in the tooltip. An estimator not listed here keeps its full name.
ESTIMATOR_LABELS = {
    "Yao et al. 2018 (USTC/Wen group)": "Yao et al. 2018",
    "Murphy et al. 2013": "Murphy et al. 2013",
    "USTC (Wen group), as quoted in 2016 release": "USTC Wen group (2016)",
    "Zhang & Wen 2013": "Zhang & Wen 2013",
    "USTC (Wen group) same-day release": "USTC Wen group (same day)",
    "USTC (Wen group) release": "USTC Wen group (release)",
    "Jeffrey Lewis (Middlebury Institute), quoted by Reuters": "J. Lewis, via Reuters",
    "Korea Meteorological Administration, as reported by CSIS Missile Threat": "KMA, via CSIS",
    "NORSAR (Norway-based group), as reported by CSIS Missile Threat": "NORSAR, via CSIS",
    "38 North (revised estimate)": "38 North (revised)",
}

# The estimates are drawn in the page's ink (#1a1a1a, light on the dark page): colours on
# this site stand for actors, so the sixth test, the chart's finding, is drawn heavier.
INK = "#1a1a1a"
# Yield of the Hiroshima bomb, about 15 kt: Malik, Los Alamos report LA-8819 (1985), as
# cited in Physics Today (2003). Not a row in data/: the page cites it in a footnote.
HIROSHIMA_KT = 15


def _yield_kind(row: pd.Series) -> str:
    has_central = pd.notna(row["yield_kt_central"])
    has_low, has_high = pd.notna(row["yield_kt_low"]), pd.notna(row["yield_kt_high"])
    if has_central and has_low and has_high:
        return "central estimate with range"
    if has_central:
        return "central estimate, no range given"
    if has_low and has_high:
        return "range only, no central value"
    return "lower bound only"


def _kt(value: float) -> str:
    return f"{value:g}"


def _yield_label(row: pd.Series) -> str:
    """The estimate as a short direct label: '109.4 (60.8-158)', '50-60', 'over 100'."""
    kind = row["kind"]
    low, high, central = row["yield_kt_low"], row["yield_kt_high"], row["yield_kt_central"]
    if kind == "central estimate with range":
        return f"{_kt(central)} ({_kt(low)}\u2013{_kt(high)})"
    if kind == "central estimate, no range given":
        return _kt(central)
    if kind == "range only, no central value":
        return f"{_kt(low)}\u2013{_kt(high)}"
    return f"over {_kt(low)}"


def _yield_frame(estimates: pd.DataFrame, tests: pd.DataFrame) -> pd.DataFrame:
    """One row per estimate, with the test's panel title (date and USGS magnitude) and a label."""
    df = estimates.merge(tests[["test_number", "usgs_body_wave_magnitude_mb"]], on="test_number", how="left")
    df["test"] = df.apply(
        lambda r: (
            f"Test {r['test_number']}, {r['test_date_utc']:%-d %b %Y} \u00b7 seismic magnitude {r['usgs_body_wave_magnitude_mb']:.1f}"
        ),
        axis=1,
    )
    df["estimate_by"] = df["estimator"].map(ESTIMATOR_LABELS).fillna(df["estimator"])
    df["kind"] = df.apply(_yield_kind, axis=1)
    df["label"] = df.apply(_yield_label, axis=1)
    df["label_x"] = df[["yield_kt_central", "yield_kt_low", "yield_kt_high"]].max(axis=1)
    df["sixth"] = df["test_number"] == 6
    df["row_order"] = range(len(df))
    keep = ["test", "test_number", "estimate_by", "estimator", "kind", "label", "label_x", "sixth", "row_order"]
    keep += ["yield_kt_central", "yield_kt_low", "yield_kt_high", "yield_as_reported", "method_or_basis", "source_name"]
    keep += ["usgs_body_wave_magnitude_mb"]
    return df[keep]


@chart(
    "yield-estimates",
    data=["nuclear_test_yield_estimates", "nuclear_tests"],
    table={
        "columns": {
            "test": "Test",
            "estimator": "Estimated by",
            "yield_kt_central": "Central estimate (kt)",
            "yield_kt_low": "Low (kt)",
            "yield_kt_high": "High (kt)",
            "yield_as_reported": "As reported",
            "kind": "Kind of estimate",
            "source_name": "Source",
        },
        "key": ["test", "estimator"],
        "sort": "test",
    },
)
def yield_estimates(nuclear_test_yield_estimates: pd.DataFrame, nuclear_tests: pd.DataFrame) -> alt.FacetChart:
    """Every published yield estimate per test: ranges as rules, centres as dots, bounds as
    triangles, each labelled with its value; a dashed line marks the Hiroshima bomb.

    The panel titles carry each test's USGS magnitude, which replaced a separate magnitude
    chart (a log quantity that was drawn on a zero-based axis)."""
    df = _yield_frame(nuclear_test_yield_estimates, nuclear_tests)
    x_scale = alt.Scale(type="log", domain=[0.3, 400])
    x_axis = alt.Axis(values=[1, 10, 100], labelExpr="datum.value + ' kt'", grid=True)
    tooltip = [
        alt.Tooltip("test:N", title="Test"),
        alt.Tooltip("estimator:N", title="Estimate by"),
        alt.Tooltip("yield_as_reported:N", title="Yield as reported"),
        alt.Tooltip("kind:N", title="Kind of estimate"),
        alt.Tooltip("method_or_basis:N", title="Method"),
        alt.Tooltip("source_name:N", title="Source"),
    ]
    y = alt.Y("estimate_by:N", title=None, sort=alt.SortField("row_order"), axis=alt.Axis(labelLimit=220))
    base = alt.Chart().encode(y=y, tooltip=tooltip)
    ranges = (
        base.transform_filter("isValid(datum.yield_kt_low) && isValid(datum.yield_kt_high)")
        .mark_rule(color=INK)
        .encode(
            strokeWidth=alt.condition("datum.sixth", alt.value(4), alt.value(2)),
            x=alt.X("yield_kt_low:Q", scale=x_scale, axis=x_axis, title="Estimated yield, kilotonnes of TNT (log scale)"),
            x2="yield_kt_high:Q",
        )
    )
    ends = (
        base.transform_filter("datum.kind == 'range only, no central value'")
        .transform_fold(["yield_kt_low", "yield_kt_high"], as_=["end", "kt"])
        .mark_tick(thickness=2, size=10, color=INK)
        .encode(x=alt.X("kt:Q", scale=x_scale))
    )
    centres = (
        base.transform_filter("isValid(datum.yield_kt_central)")
        .mark_point(filled=True, opacity=1, shape="circle", color=INK)
        .encode(x=alt.X("yield_kt_central:Q", scale=x_scale), size=alt.condition("datum.sixth", alt.value(110), alt.value(55)))
    )
    lower = (
        base.transform_filter("datum.kind == 'lower bound only'")
        .mark_point(filled=True, size=80, opacity=1, shape="triangle-right", color=INK)
        .encode(x=alt.X("yield_kt_low:Q", scale=x_scale))
    )
    values = [
        base.transform_filter(f"{'' if sixth else '!'}datum.sixth")
        .mark_text(align="left", dx=7, fontSize=11, color=INK, fontWeight="bold" if sixth else "normal")
        .encode(x=alt.X("label_x:Q", scale=x_scale), text="label:N")
        for sixth in (False, True)
    ]
    one_per_panel = alt.Chart().transform_aggregate(n="count()", groupby=["test_number"])
    hiroshima = one_per_panel.mark_rule(strokeDash=[4, 3], color="#767676").encode(x=alt.datum(HIROSHIMA_KT, scale=x_scale))
    hiroshima_label = (
        one_per_panel.transform_filter("datum.test_number == 1")
        .mark_text(align="left", baseline="top", dx=4, dy=1, fontSize=11, color="#555555")
        .encode(x=alt.datum(HIROSHIMA_KT, scale=x_scale), y=alt.value(0), text=alt.value("Hiroshima bomb, about 15 kt"))
    )
    layered = alt.LayerChart(layer=[hiroshima, hiroshima_label, ranges, ends, centres, lower, *values], data=df)
    panels: alt.FacetChart = (  # named with its type: mypy reads altair's resolve_scale as returning Any
        layered.properties(width=460, height=alt.Step(17))
        .facet(
            row=alt.Row(
                "test:N",
                title=None,
                sort=alt.SortField("test_number"),
                header=alt.Header(
                    labelAngle=0, labelAlign="left", labelAnchor="start", labelOrient="top", labelFontWeight="bold", labelPadding=2
                ),
            ),
            spacing=10,
        )
        .resolve_scale(y="independent")
    )
    return panels


def _trigger_dates(text: object) -> list[pd.Timestamp]:
    if not isinstance(text, str) or not text.strip():
        return []
    return [pd.Timestamp(part.strip()) for part in text.split(";")]


def _lag_label(r: pd.Series, triggers: list[pd.Timestamp], first: int | None, later: int | None) -> str:
    """Direct label: the trigger and the days, with the second trigger's days where there is one."""
    if not triggers:
        return f"{r['trigger_event']}: no single trigger date"
    if later is None:
        return f"{first} days after the {r['trigger_event']}"
    return f"{r['trigger_event']}: {first} days after the first, {later} (tick) after the second"


@chart(
    "resolution-lag",
    data=["unsc_resolutions"],
    table={
        "columns": {
            "resolution": "Resolution",
            "trigger_event": "After",
            "trigger_event_date": "Date of the test or launch",
            "adoption_date": "Adopted",
            "days": "Days after",
            "days_from_last": "Days after the second test or launch",
        },
        "sort": "adoption_date",
    },
)
def resolution_lag(unsc_resolutions: pd.DataFrame) -> alt.LayerChart:
    """Days from the triggering test or launch (date in Korea) to the resolution's adoption;
    the longest wait is drawn in the highlight colour, and every bar carries its own label."""
    rows = []
    for _, r in unsc_resolutions.iterrows():
        triggers = _trigger_dates(r["trigger_event_date"])
        first = (r["adoption_date"] - triggers[0]).days if triggers else None
        later = (r["adoption_date"] - triggers[-1]).days if len(triggers) > 1 else None
        rows.append(
            {
                "resolution": f"{r['resolution']} ({r['adoption_date']:%b %Y})",
                "adoption_date": r["adoption_date"],
                "trigger_event": r["trigger_event"],
                "trigger_event_date": r["trigger_event_date"] if triggers else "no single trigger date",
                "days": first,
                "days_from_last": later,
                "label": _lag_label(r, triggers, first, later),
            }
        )
    df = pd.DataFrame(rows)
    df["days"] = df["days"].astype("Int64")
    df["days_from_last"] = df["days_from_last"].astype("Int64")
    df["label_x"] = df["days"].fillna(0)
    df["longest"] = df["days"] == df["days"].max()
    df["acted"] = UN_COUNCIL
    order = list(df["resolution"])
    y = alt.Y("resolution:N", title="Resolution (adopted)", sort=order, axis=alt.Axis(labelLimit=200))
    tooltip = [
        alt.Tooltip("resolution:N", title="Resolution"),
        alt.Tooltip("adoption_date:T", title="Adopted", format="%-d %B %Y"),
        alt.Tooltip("trigger_event:N", title="Trigger"),
        alt.Tooltip("trigger_event_date:N", title="Trigger date(s), Korea"),
        alt.Tooltip("days:Q", title="Days after (first) trigger"),
        alt.Tooltip("days_from_last:Q", title="Days after second trigger"),
    ]
    base = alt.Chart(df).encode(y=y, tooltip=tooltip)
    # The scale runs to 180 to leave room on the right for the direct labels; the axis stops at 100 days.
    bars = base.mark_bar(height=14).encode(
        x=alt.X(
            "days:Q",
            title="Days from triggering event to adoption",
            scale=alt.Scale(domain=[0, 180]),
            axis=alt.Axis(values=list(range(0, 101, 20))),
        ),
        color=alt.Color("acted:N", title=None, scale=alt.Scale(domain=[UN_COUNCIL]), legend=None),
    )
    second = (
        base.transform_filter("isValid(datum.days_from_last)").mark_tick(thickness=3, size=22, color="#000000").encode(x="days_from_last:Q")
    )
    labels = [  # the longest wait, the chart's finding, in bold
        base.transform_filter(f"{'' if longest else '!'}datum.longest")
        .mark_text(align="left", dx=5, fontSize=11, fontWeight="bold" if longest else "normal")
        .encode(x="label_x:Q", text="label:N")
        for longest in (False, True)
    ]
    return alt.LayerChart(layer=[bars, second, *labels]).properties(height=alt.Step(26))


OUTCOMES = {"success_count": "Succeeded", "failure_count": "Failed", "unknown_outcome_count": "Outcome unknown"}
OUTCOME_NAMES = list(OUTCOMES.values())
# Every bar is North Korea's, in its colour; the outcome is how full a segment is: solid for a
# success, a light fill for a failure, an outline alone for an unknown outcome.
OUTCOME_FILL = [1.0, 0.3, 0.0]
OUTCOME_SCALE = alt.Scale(type="ordinal", domain=OUTCOME_NAMES, range=OUTCOME_FILL)
# The bars that carry the direct labels: the first year with many successes, whose left side
# is empty, and the year with the most failures.
SUCCESS_LABEL_YEAR = 2014
FAILURE_LABEL_YEAR = 2016


# On a phone a year is 6 px wide: the totals labelled are the first year's, the peaks and
# the record (every year's total is in the chart's table and tooltips, and in its description).
NARROW_TOTALS = (1984, 2006, 2009, 2016, 2019, 2022)


def _outcome_labels(frame: pd.DataFrame, narrow: bool = False) -> pd.DataFrame:
    """Direct labels for the two main outcomes: text at (tx, ty), a leader line to its segment
    at (ex, ey); on a phone "Succeeded" stands higher, clear of the 2009 total."""
    # One row each (a Series): .loc on a year would give a DataFrame if the year repeated.
    ok = frame[frame["year"] == SUCCESS_LABEL_YEAR].iloc[0]
    bad = frame[frame["year"] == FAILURE_LABEL_YEAR].iloc[0]
    ok_y = float(ok["success_count"]) * 0.75
    bad_top = float(bad["missiles_tested_count"])
    text_y = float(ok["success_count"]) if narrow else ok_y
    return pd.DataFrame(
        [
            {"text": "Succeeded", "tx": SUCCESS_LABEL_YEAR - 1.2, "ty": text_y, "ex": SUCCESS_LABEL_YEAR - 0.4, "ey": ok_y},
            {
                "text": "Failed",
                "tx": FAILURE_LABEL_YEAR - 1.6,
                "ty": bad_top + 8,
                "ex": FAILURE_LABEL_YEAR - 0.3,
                "ey": float(bad["success_count"] + bad["failure_count"] / 2),
            },
        ]
    )


@chart(
    "missile-outcomes",
    data=["missile_tests_by_year_cns"],
    table={
        "columns": {
            "year": "Year",
            "missiles_tested_count": "Missiles tested",
            "success_count": "Succeeded",
            "failure_count": "Failed",
            "unknown_outcome_count": "Outcome unknown",
        },
        "sort": "year",
    },
)
def missile_outcomes(missile_tests_by_year_cns: pd.DataFrame, layout: str = "wide") -> alt.LayerChart:
    """Missiles tested per year in the CNS database, stacked by recorded outcome.

    Years with no outcome split (2022, a CNS total reported by TIME rather than read from the
    database mirror) are drawn as an outlined bar, apart from the stacked years."""
    frame = missile_tests_by_year_cns[["year", "missiles_tested_count", *OUTCOMES]].copy()
    frame["split"] = frame["success_count"].notna()
    first, last = int(frame["year"].min()), int(frame["year"].max())
    x_scale = alt.Scale(domain=[first - 0.6, last + 0.6], nice=False, zero=False)
    x = alt.X("year:Q", title=None, scale=x_scale, axis=alt.Axis(format="d", values=list(range(1985, last + 1, 5))))
    tooltip = [
        alt.Tooltip("year:Q", title="Year", format="d"),
        alt.Tooltip("missiles_tested_count:Q", title="Missiles tested"),
        alt.Tooltip("success_count:Q", title="Succeeded"),
        alt.Tooltip("failure_count:Q", title="Failed"),
        alt.Tooltip("unknown_outcome_count:Q", title="Outcome unknown"),
    ]
    names = " : ".join(f"datum.outcome_field == '{f}' ? {json.dumps(label)}" for f, label in OUTCOMES.items())
    order = " : ".join(f"datum.outcome_field == '{f}' ? {i}" for i, f in enumerate(OUTCOMES))
    bars = (
        alt.Chart(frame)
        .transform_filter("datum.split")
        .transform_fold(list(OUTCOMES), as_=["outcome_field", "outcome_count"])
        .transform_filter("datum.outcome_count > 0")  # (an empty segment's outline would draw a stray line)
        .transform_calculate(outcome=f"{names} : datum.outcome_field", stack_order=f"{order} : 9", acted=f"'{NORTH_KOREA}'")
        .mark_bar(size=11, strokeWidth=1)
        .encode(
            x=x,
            y=alt.Y("outcome_count:Q", title="Missiles tested per year", stack="zero"),
            color=alt.Color("acted:N", title=None, scale=alt.Scale(domain=[NORTH_KOREA]), legend=None),
            stroke=alt.Stroke("acted:N", title=None, scale=alt.Scale(domain=[NORTH_KOREA]), legend=None),
            fillOpacity=alt.FillOpacity("outcome:O", scale=OUTCOME_SCALE, legend=None),
            order=alt.Order("stack_order:Q"),
            tooltip=tooltip,
        )
    )
    unsplit = (
        alt.Chart(frame)
        .transform_filter("!datum.split")
        .mark_bar(size=11, filled=False, stroke="#000000", strokeWidth=1.5)
        .encode(x=x, y="missiles_tested_count:Q", tooltip=tooltip)
    )
    unsplit_label = (
        alt.Chart(frame)
        .transform_filter("!datum.split")
        .mark_text(align="right", dx=-10, baseline="middle", fontSize=11)
        .encode(
            x=x,
            y=alt.Y("missiles_tested_count:Q"),
            text=alt.value(["CNS total reported by TIME;", "outcomes not split"]),
        )
    )
    labelled = frame[frame["year"].isin(NARROW_TOTALS)] if layout == "narrow" else frame
    totals = (
        alt.Chart(labelled)
        .transform_filter("datum.missiles_tested_count > 0")
        .mark_text(baseline="bottom", dy=-2, fontSize=10)
        .encode(x=x, y="missiles_tested_count:Q", text="missiles_tested_count:Q", tooltip=tooltip)
    )
    labels = _outcome_labels(frame, layout == "narrow")
    leaders = alt.Chart(labels).mark_rule(color="#555555").encode(x=alt.X("tx:Q", scale=x_scale), x2="ex:Q", y="ty:Q", y2="ey:Q")
    texts = (
        alt.Chart(labels)
        .mark_text(align="right", dx=-3, fontSize=12, fontWeight="bold")
        .encode(x=alt.X("tx:Q", scale=x_scale), y="ty:Q", text="text:N")
    )
    return alt.LayerChart(layer=[bars, unsplit, unsplit_label, totals, leaders, texts]).properties(width=640)

"""Tests and resolutions: nuclear test yields, missile tests by year, and how fast the UN answered."""

from __future__ import annotations

import json

import altair as alt
import pandas as pd

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

KIND_LABELS = {
    "central": "Central estimate",
    "lower": "Lower bound only (\u201cover\u201d)",
}


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


@chart("yield-estimates", data=["nuclear_test_yield_estimates"])
def yield_estimates(nuclear_test_yield_estimates: pd.DataFrame) -> alt.FacetChart:
    """Every published yield estimate per test: ranges as rules, centres as dots, bounds as arrows."""
    df = nuclear_test_yield_estimates.copy()
    df["test"] = df.apply(lambda r: f"Test {r['test_number']}, {r['test_date_utc']:%-d %b %Y}", axis=1)
    df["estimate_by"] = df["estimator"].map(ESTIMATOR_LABELS).fillna(df["estimator"])
    df["kind"] = df.apply(_yield_kind, axis=1)
    df["row_order"] = range(len(df))
    df = df[
        [
            "test",
            "test_number",
            "estimate_by",
            "estimator",
            "kind",
            "yield_kt_central",
            "yield_kt_low",
            "yield_kt_high",
            "yield_as_reported",
            "method_or_basis",
            "source_name",
            "row_order",
        ]
    ]

    x_scale = alt.Scale(type="log", domain=[0.3, 400])
    tooltip = [
        alt.Tooltip("test:N", title="Test"),
        alt.Tooltip("estimator:N", title="Estimate by"),
        alt.Tooltip("yield_as_reported:N", title="Yield as reported"),
        alt.Tooltip("kind:N", title="Kind of estimate"),
        alt.Tooltip("method_or_basis:N", title="Method"),
        alt.Tooltip("source_name:N", title="Source"),
    ]
    y = alt.Y("estimate_by:N", title=None, sort=alt.SortField("row_order"), axis=alt.Axis(labelLimit=220))
    kinds = ["central estimate with range", "central estimate, no range given", "range only, no central value", "lower bound only"]
    color = alt.Color(
        "kind:N", title="Kind of estimate", scale=alt.Scale(domain=kinds), legend=alt.Legend(orient="bottom", columns=2, labelLimit=300)
    )
    base = alt.Chart().encode(y=y, color=color, tooltip=tooltip)
    ranges = (
        base.transform_filter("isValid(datum.yield_kt_low) && isValid(datum.yield_kt_high)")
        .mark_rule(strokeWidth=2.5)
        .encode(
            x=alt.X("yield_kt_low:Q", scale=x_scale, title="Estimated yield (kilotonnes, logarithmic scale)"),
            x2="yield_kt_high:Q",
        )
    )
    ends = (
        base.transform_filter("datum.kind == 'range only, no central value'")
        .transform_fold(["yield_kt_low", "yield_kt_high"], as_=["end", "kt"])
        .mark_tick(thickness=2, size=10)
        .encode(x=alt.X("kt:Q", scale=x_scale))
    )
    centres = (
        base.transform_filter("isValid(datum.yield_kt_central)")
        .mark_point(filled=True, size=55, opacity=1, shape="circle")
        .encode(x=alt.X("yield_kt_central:Q", scale=x_scale))
    )
    lower = (
        base.transform_filter("datum.kind == 'lower bound only'")
        .mark_point(filled=True, size=80, opacity=1, shape="triangle-right")
        .encode(x=alt.X("yield_kt_low:Q", scale=x_scale))
    )
    lower_label = (
        alt.Chart()
        .encode(y=y, tooltip=tooltip)
        .transform_filter("datum.kind == 'lower bound only'")
        .mark_text(align="left", dx=8, fontSize=11)
        .encode(x=alt.X("yield_kt_low:Q", scale=x_scale), text=alt.value("over 100 kt (lower bound only)"))
    )
    layered = alt.layer(ranges, ends, centres, lower, lower_label, data=df).properties(width=460, height=alt.Step(17))
    return layered.facet(
        row=alt.Row(
            "test:N",
            title=None,
            sort=alt.SortField("test_number"),
            header=alt.Header(
                labelAngle=0, labelAlign="left", labelAnchor="start", labelOrient="top", labelFontWeight="bold", labelPadding=2
            ),
        ),
        spacing=10,
    ).resolve_scale(y="independent")


def _trigger_dates(text: object) -> list[pd.Timestamp]:
    if not isinstance(text, str) or not text.strip():
        return []
    return [pd.Timestamp(part.strip()) for part in text.split(";")]


@chart("resolution-lag", data=["unsc_resolutions"])
def resolution_lag(unsc_resolutions: pd.DataFrame) -> alt.LayerChart:
    """Days from the triggering test or launch (date in Korea) to the resolution's adoption."""
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
                "label": r["trigger_event"] if triggers else f"{r['trigger_event']} (no single trigger date)",
            }
        )
    df = pd.DataFrame(rows)
    df["days"] = df["days"].astype("Int64")
    df["days_from_last"] = df["days_from_last"].astype("Int64")
    df["label_x"] = df["days"].fillna(0)
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
    first_label, second_label = "Days after the (first) trigger", "Days after the second trigger"
    color = alt.Color(
        "measure:N", title=None, scale=alt.Scale(domain=[first_label, second_label]), legend=alt.Legend(orient="bottom", labelLimit=300)
    )
    bars = (
        base.transform_calculate(measure=f"'{first_label}'")
        .mark_bar(height=14)
        .encode(
            x=alt.X("days:Q", title="Days from triggering event to adoption", scale=alt.Scale(domain=[0, 100])),
            color=color,
        )
    )
    second = (
        base.transform_filter("isValid(datum.days_from_last)")
        .transform_calculate(measure=f"'{second_label}'")
        .mark_tick(thickness=4, size=22)
        .encode(x="days_from_last:Q", color=color)
    )
    labels = base.mark_text(align="left", dx=5, fontSize=11).encode(x="label_x:Q", text="label:N")
    return alt.layer(bars, second, labels).properties(height=alt.Step(26))


@chart("missile-outcomes", data=["missile_tests_by_year_cns"])
def missile_outcomes(missile_tests_by_year_cns: pd.DataFrame) -> alt.LayerChart:
    """Missiles tested per year in the CNS database, stacked by recorded outcome."""
    outcomes = {"success_count": "Success", "failure_count": "Failure", "unknown_outcome_count": "Unknown"}
    frame = missile_tests_by_year_cns[["year", "missiles_tested_count", *outcomes]]
    years = frame["year"].dropna().astype(int)
    label_years = [y for y in years if y % 4 == 0]
    x = alt.X("year:O", title=None, axis=alt.Axis(values=label_years, labelAngle=0))
    tooltip = [
        alt.Tooltip("year:O", title="Year"),
        alt.Tooltip("missiles_tested_count:Q", title="Missiles tested"),
        alt.Tooltip("success_count:Q", title="Success"),
        alt.Tooltip("failure_count:Q", title="Failure"),
        alt.Tooltip("unknown_outcome_count:Q", title="Outcome unknown"),
    ]
    names = " : ".join(f"datum.outcome_field == '{f}' ? {json.dumps(label)}" for f, label in outcomes.items())
    order = " : ".join(f"datum.outcome_field == '{f}' ? {i}" for i, f in enumerate(outcomes))
    bars = (
        alt.Chart(frame)
        .transform_fold(list(outcomes), as_=["outcome_field", "outcome_count"])
        .transform_calculate(outcome=f"{names} : datum.outcome_field", stack_order=f"{order} : 9")
        .mark_bar()
        .encode(
            x=x,
            y=alt.Y("outcome_count:Q", title="Missiles tested", stack="zero"),
            color=alt.Color(
                "outcome:N",
                title="Outcome (as recorded by CNS)",
                sort=list(outcomes.values()),
                scale=alt.Scale(domain=list(outcomes.values())),
                legend=alt.Legend(orient="bottom"),
            ),
            order=alt.Order("stack_order:Q"),
            tooltip=tooltip,
        )
    )
    totals = (
        alt.Chart(frame)
        .transform_filter("datum.missiles_tested_count > 0")
        .mark_text(baseline="bottom", dy=-2, fontSize=10)
        .encode(x=x, y="missiles_tested_count:Q", text="missiles_tested_count:Q", tooltip=tooltip)
    )
    return alt.layer(bars, totals).properties(width=640)

"""Coal: China's imports of North Korean coal, by month and by year.

Every figure plotted comes straight from ``china_nk_coal_monthly`` or
``china_nk_coal_annual``; annotation dates come from ``unsc_resolutions`` and
``timeline``. Months without a published figure stay empty: they are shaded and
labelled as unpublished, never drawn as zero.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from broadsheet import chart

GACC = "China customs (GACC) imports from North Korea"
UN_1718 = "UN 1718 Committee (member-state reports of DPRK coal exports)"
KITA = "KITA compilation of Chinese customs data"
UN_CAP = "UN cap (not a flow)"

# Short legend labels for the long series names in the data.
SERIES_LABELS = {
    GACC: "China customs (GACC)",
    UN_1718: "UN 1718 Committee reports",
    KITA: "KITA compilation (value only)",
}
FIRST_MONTH = pd.Timestamp("2016-01-01")
LAST_MONTH = pd.Timestamp("2017-12-01")


def _months() -> pd.DatetimeIndex:
    return pd.date_range(FIRST_MONTH, LAST_MONTH, freq="MS")


def _unpublished_months(monthly: pd.DataFrame) -> pd.DataFrame:
    """Months in 2016-2017 with no China customs tonnage: shaded as 'not published'."""
    published = monthly.loc[(monthly["data_series"] == GACC) & monthly["coal_tonnes"].notna(), "month_start"]
    gaps = [m for m in _months() if m not in set(published)]
    return pd.DataFrame(
        {
            "month_start": gaps,
            "month_end": [m + pd.offsets.MonthBegin(1) for m in gaps],
            "status": "Shaded: no China customs tonnage published (not zero)",
        }
    )


def _tonnage_rows(monthly: pd.DataFrame, series: list[str]) -> pd.DataFrame:
    """One row per published monthly tonnage, with the bar's start/end inside its month.

    With two series, China customs takes the left half of the month and the UN
    1718 Committee figure the right half, so both stay visible and apart.
    """
    rows = monthly[monthly["data_series"].isin(series) & monthly["coal_tonnes"].notna()].copy()
    if len(series) > 1:
        is_customs = rows["data_series"] == GACC
        first_day = is_customs.map({True: 2, False: 16})
        last_day = is_customs.map({True: 15, False: 29})
    else:
        first_day, last_day = 3, 27
    rows["bar_start"] = rows["month_start"] + pd.to_timedelta(first_day - 1, unit="D")
    rows["bar_end"] = rows["month_start"] + pd.to_timedelta(last_day, unit="D")
    rows["bar_mid"] = rows["bar_start"] + (rows["bar_end"] - rows["bar_start"]) / 2
    rows["series"] = rows["data_series"].map(SERIES_LABELS)
    rows["million_tonnes"] = rows["coal_tonnes"].astype("float64") / 1e6
    return rows[
        [
            "month_start",
            "bar_start",
            "bar_end",
            "bar_mid",
            "series",
            "data_series",
            "coal_tonnes",
            "million_tonnes",
            "coal_value_usd_million",
            "value_as_reported",
            "source_name",
        ]
    ]


def _resolution_marker(resolutions: pd.DataFrame, number: int, label: str) -> dict[str, object]:
    row = resolutions.loc[resolutions["resolution"].astype(str) == str(number)].iloc[0]
    return {
        "marker_date": row["adoption_date"],
        "marker_label": label,
        "resolution": row["resolution"],
        "adoption_date": row["adoption_date"],
        "key_measures": row["key_measures"],
    }


def _china_marker(timeline: pd.DataFrame, words: str, label: str) -> dict[str, object]:
    measures = timeline[(timeline["event_type"] == "china_measure") & timeline["event"].str.contains(words, regex=False)]
    row = measures.iloc[0]
    return {"marker_date": row["date"], "marker_label": label, "date": row["date"], "event": row["event"]}


def _annotations(markers: list[dict[str, object]], top: float) -> alt.LayerChart:
    """Vertical rules with short, staggered labels at the top of the plot.

    Marker rows keep the column names of the dataset they come from (``resolution``,
    ``adoption_date``; ``date``, ``event``), so the figure's data tables show them.
    """
    frame = pd.DataFrame(markers)
    frame["marker_y"] = [top * (0.97 if i % 2 == 0 else 0.89) for i in range(len(frame))]
    is_resolution = "isValid(datum.resolution)"
    resolution_tooltip = [
        alt.Tooltip("resolution:N", title="UN resolution"),
        alt.Tooltip("adoption_date:T", title="Adopted", format="%-d %B %Y"),
        alt.Tooltip("key_measures:N", title="Key measures"),
    ]
    china_tooltip = [
        alt.Tooltip("date:T", title="Date", format="%-d %B %Y"),
        alt.Tooltip("event:N", title="China's measure"),
    ]
    layers = []
    for condition, tooltip in ((is_resolution, resolution_tooltip), (f"!{is_resolution}", china_tooltip)):
        base = alt.Chart(frame).transform_filter(condition)
        layers.append(base.mark_rule(strokeDash=[4, 3]).encode(x="marker_date:T", tooltip=tooltip))
        layers.append(
            base.mark_text(align="left", dx=4, baseline="middle", fontSize=11).encode(
                x="marker_date:T", y=alt.Y("marker_y:Q"), text="marker_label:N", tooltip=tooltip
            )
        )
    return alt.layer(*layers)


def _gap_layer(gaps: pd.DataFrame) -> alt.Chart:
    return (
        alt.Chart(gaps)
        .mark_rect(opacity=0.18)
        .encode(
            x="month_start:T",
            x2="month_end:T",
            fill=alt.Fill(
                "status:N",
                title=None,
                scale=alt.Scale(range=["#999999"]),
                legend=alt.Legend(orient="bottom", symbolOpacity=0.35, labelLimit=400),
            ),
            tooltip=[
                alt.Tooltip("month_start:T", title="Month", format="%B %Y"),
                alt.Tooltip("status:N", title="Status"),
            ],
        )
    )


def _tonnage_tooltip() -> list[alt.Tooltip]:
    return [
        alt.Tooltip("month_start:T", title="Month", format="%B %Y"),
        alt.Tooltip("data_series:N", title="Reported by"),
        alt.Tooltip("coal_tonnes:Q", title="Coal (tonnes)", format=","),
        alt.Tooltip("coal_value_usd_million:Q", title="Value (USD million)", format=",.2~f"),
        alt.Tooltip("value_as_reported:N", title="As reported"),
        alt.Tooltip("source_name:N", title="Source"),
    ]


# Value labels take their series' colour, darkened where the bar colour is too light for
# small text on a white page (WCAG AA, 4.5:1): Okabe-Ito orange #E69F00 is 2.3:1.
LABEL_COLORS = ["#0072B2", "#8F5F00"]


def _label_color(series_domain: list[str]) -> dict[str, object]:
    """The colour of a value label: the label colour of its series (no scale, no legend)."""
    if len(series_domain) < 2:
        return alt.value(LABEL_COLORS[0])
    return alt.condition(alt.datum.series == series_domain[1], alt.value(LABEL_COLORS[1]), alt.value(LABEL_COLORS[0]))


def _tonnage_layers(rows: pd.DataFrame, gaps: pd.DataFrame, top: float, series_domain: list[str]) -> list[alt.Chart]:
    x = alt.X(
        "bar_start:T",
        title=None,
        scale=alt.Scale(domain=[FIRST_MONTH.isoformat(), "2018-01-01"]),
        axis=alt.Axis(format="%b %Y", tickCount={"interval": "month", "step": 3}, labelAngle=0),
    )
    y = alt.Y("million_tonnes:Q", title="Coal imported (million tonnes)", scale=alt.Scale(domain=[0, top], nice=False))
    color = alt.Color("series:N", title="Reported by", scale=alt.Scale(domain=series_domain), legend=alt.Legend(orient="bottom"))
    bars = alt.Chart(rows).mark_bar().encode(x=x, x2="bar_end:T", y=y, y2=alt.datum(0), color=color, tooltip=_tonnage_tooltip())
    text_color = _label_color(series_domain)
    zeros = (
        alt.Chart(rows[rows["coal_tonnes"] == 0])
        .mark_text(baseline="bottom", dy=-2, fontSize=10)
        .encode(x="bar_mid:T", y=alt.Y("million_tonnes:Q"), text=alt.value("0"), color=text_color, tooltip=_tonnage_tooltip())
    )
    small = (
        alt.Chart(rows[(rows["coal_tonnes"] > 0) & (rows["coal_tonnes"] < 50_000)])
        .transform_calculate(small_label="format(datum.coal_tonnes, ',') + ' t'")
        .mark_text(baseline="bottom", dy=-12, fontSize=10)
        .encode(x="bar_mid:T", y=alt.Y("million_tonnes:Q"), text="small_label:N", color=text_color, tooltip=_tonnage_tooltip())
    )
    return [_gap_layer(gaps), bars, zeros, small]


@chart("coal-monthly", data=["china_nk_coal_monthly", "unsc_resolutions", "timeline"])
def coal_monthly(china_nk_coal_monthly: pd.DataFrame, unsc_resolutions: pd.DataFrame, timeline: pd.DataFrame) -> alt.LayerChart:
    """Monthly tonnage by reporting source, with the UN and Chinese measures marked."""
    series = [GACC, UN_1718]
    rows = _tonnage_rows(china_nk_coal_monthly, series)
    top = 3.0
    markers = [
        _resolution_marker(unsc_resolutions, 2270, "2270: ban, livelihood exemption"),
        _resolution_marker(unsc_resolutions, 2321, "2321: annual cap"),
        _china_marker(timeline, "Suspends all DPRK coal", "China suspends imports"),
        _resolution_marker(unsc_resolutions, 2371, "2371: full ban"),
    ]
    layers = _tonnage_layers(rows, _unpublished_months(china_nk_coal_monthly), top, [SERIES_LABELS[s] for s in series])
    return alt.layer(*layers, _annotations(markers, top)).properties(height=340)


@chart("coal-monthly-value", data=["china_nk_coal_monthly"])
def coal_monthly_value(china_nk_coal_monthly: pd.DataFrame) -> alt.LayerChart:
    """Monthly value in USD million, one line per reporting source, broken where a month is missing."""
    frames = []
    for series, group in china_nk_coal_monthly.groupby("data_series"):
        full = pd.DataFrame({"month_start": _months()})
        full = full.merge(group, on="month_start", how="left")
        full["series"] = SERIES_LABELS[series]
        full["data_series"] = series
        frames.append(full)
    values = pd.concat(frames, ignore_index=True)[
        [
            "month_start",
            "series",
            "data_series",
            "coal_value_usd_million",
            "coal_tonnes",
            "value_as_reported",
            "source_name",
            "other_sources",
            "notes",
        ]
    ]
    x = alt.X(
        "month_start:T",
        title=None,
        scale=alt.Scale(domain=[FIRST_MONTH.isoformat(), "2018-01-01"]),
        axis=alt.Axis(format="%b %Y", tickCount={"interval": "month", "step": 3}, labelAngle=0),
    )
    y = alt.Y("coal_value_usd_million:Q", title="Value of coal (USD million)", scale=alt.Scale(domain=[0, 160]))
    domain = [SERIES_LABELS[s] for s in (GACC, UN_1718, KITA)]
    color = alt.Color("series:N", title="Reported by", legend=alt.Legend(orient="bottom"), scale=alt.Scale(domain=domain))
    tooltip = [
        alt.Tooltip("month_start:T", title="Month", format="%B %Y"),
        alt.Tooltip("data_series:N", title="Reported by"),
        alt.Tooltip("coal_value_usd_million:Q", title="Value (USD million)", format=",.2~f"),
        alt.Tooltip("coal_tonnes:Q", title="Coal (tonnes)", format=","),
        alt.Tooltip("value_as_reported:N", title="As reported"),
        alt.Tooltip("source_name:N", title="Source"),
        alt.Tooltip("other_sources:N", title="Other sources"),
        alt.Tooltip("notes:N", title="Notes"),
    ]
    base = alt.Chart(values).encode(x=x, y=y, color=color, tooltip=tooltip)
    line = base.mark_line(strokeWidth=2)
    points = base.mark_point(filled=True, size=70, opacity=1).encode(
        shape=alt.Shape("series:N", title="Reported by", scale=alt.Scale(domain=domain), legend=alt.Legend(orient="bottom"))
    )
    return alt.layer(line, points)


@chart("coal-annual", data=["china_nk_coal_annual"])
def coal_annual(china_nk_coal_annual: pd.DataFrame) -> alt.LayerChart:
    """Annual and part-year flows as bars; the two UN caps as ceilings (ticks), not flows."""
    rows = china_nk_coal_annual.copy()
    rows["is_cap"] = rows["data_series"] == UN_CAP
    rows = rows.sort_values(["period_start", "is_cap", "period_end"]).reset_index(drop=True)
    rows["kind"] = rows["is_cap"].map({False: "Imports (China customs)", True: "UN cap (a ceiling, not a flow)"})
    rows["million_tonnes"] = rows["coal_tonnes"].astype("float64") / 1e6
    rows["label"] = rows.apply(lambda r: f"cap: {r['coal_tonnes']:,} t" if r["is_cap"] else f"{r['million_tonnes']:g} million t", axis=1)
    rows["row"] = rows.apply(
        lambda r: f"UN cap, {r['period_start']:%-d %b %Y}-{r['period_end']:%-d %b %Y}" if r["is_cap"] else r["period_label"],
        axis=1,
    )
    order = list(rows["row"])
    y = alt.Y("row:N", title=None, sort=order, axis=alt.Axis(labelLimit=240))
    x = alt.X("million_tonnes:Q", title="Coal (million tonnes)", scale=alt.Scale(domain=[0, 25]))
    color = alt.Color("kind:N", title=None, legend=alt.Legend(orient="bottom", labelLimit=300))
    tooltip = [
        alt.Tooltip("period_label:N", title="Period"),
        alt.Tooltip("period_start:T", title="From", format="%-d %b %Y"),
        alt.Tooltip("period_end:T", title="To", format="%-d %b %Y"),
        alt.Tooltip("data_series:N", title="Series"),
        alt.Tooltip("coal_tonnes:Q", title="Tonnes", format=","),
        alt.Tooltip("coal_value_usd_billion:Q", title="Value (USD billion)", format=",.9~g"),
        alt.Tooltip("value_as_reported:N", title="As reported"),
        alt.Tooltip("source_name:N", title="Source"),
    ]
    base = alt.Chart(rows).encode(y=y, x=x, tooltip=tooltip)
    bars = base.transform_filter("!datum.is_cap").mark_bar(height=18).encode(color=color)
    caps = base.transform_filter("datum.is_cap").mark_tick(thickness=4, size=26).encode(color=color)
    labels = base.mark_text(align="left", dx=8, fontSize=11).encode(text="label:N")
    return alt.layer(bars, caps, labels).properties(height=alt.Step(34))


@chart("pressure-and-coal", data=["china_nk_coal_monthly", "timeline"])
def pressure_and_coal(china_nk_coal_monthly: pd.DataFrame, timeline: pd.DataFrame) -> alt.VConcatChart:
    """Home page lead: tests and resolutions (top strip) above China's monthly customs figures."""
    window = timeline[(timeline["date"] >= FIRST_MONTH) & (timeline["date"] < pd.Timestamp("2018-01-01"))]
    lanes = {
        "nuclear_test": "Nuclear tests",
        "missile_launch": "Selected launches",
        "unsc_resolution": "UN resolutions",
        "china_measure": "China's measures",
    }
    events = window[window["event_type"].isin(lanes)].copy()
    events["lane"] = events["event_type"].map(lanes)
    scale = alt.Scale(domain=[FIRST_MONTH.isoformat(), "2018-01-01"])
    strip = (
        alt.Chart(events)
        .mark_point(filled=True, size=90, opacity=0.9)
        .encode(
            x=alt.X("date:T", title=None, scale=scale, axis=alt.Axis(labels=False, ticks=False, domain=False)),
            y=alt.Y("lane:N", title=None, sort=list(lanes.values()), axis=alt.Axis(labelLimit=200)),
            shape=alt.Shape("lane:N", sort=list(lanes.values()), legend=None),
            tooltip=[
                alt.Tooltip("date:T", title="Date", format="%-d %B %Y"),
                alt.Tooltip("event:N", title="Event"),
                alt.Tooltip("actor:N", title="Actor"),
            ],
        )
        .properties(height=110)
    )
    rows = _tonnage_rows(china_nk_coal_monthly, [GACC])
    layers = _tonnage_layers(rows, _unpublished_months(china_nk_coal_monthly), 2.6, [SERIES_LABELS[GACC]])
    bars = alt.layer(*layers).properties(height=260)
    return alt.vconcat(strip, bars, spacing=6).resolve_scale(x="shared", color="independent")

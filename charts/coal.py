"""Coal: China's imports of North Korean coal, by month and by year, and the UN caps.

Every figure plotted comes straight from ``china_nk_coal_monthly``,
``china_nk_coal_annual`` or ``un_coal_cap_usage``; annotation dates come from
``unsc_resolutions`` and ``timeline``. Months without a customs figure in the reports
used stay empty: they are shaded and labelled as a gap, never drawn as zero.
"""

from __future__ import annotations

import altair as alt
import pandas as pd
from actors import CHINA_CUSTOMS, CHINA_GOVERNMENT, NORTH_KOREA, UN_COUNCIL, color_of  # sibling module: the site's colours
from altair.typing import ChannelColor

from broadsheet import chart

GACC = "China customs (GACC) imports from North Korea"
UN_1718 = "UN 1718 Committee (member-state reports of DPRK coal exports)"
KITA = "KITA compilation of Chinese customs data"
UN_CAP = "UN cap (not a flow)"

# Short labels for the long series names in the data: the names site.toml gives a colour.
SERIES_LABELS = {
    GACC: CHINA_CUSTOMS,
    UN_1718: "UN 1718 Committee reports",
    KITA: "KITA compilation (value only)",
}
# Text in a series' colour uses a darker shade where the mark colour is under 4.5:1 on white
# (the UN 1718 vermilion); on the dark page every chart text is drawn in the page's ink.
TEXT_COLORS = {GACC: color_of(CHINA_CUSTOMS), UN_1718: "#B34700"}
CAP_COLOR = "#000000"
MARKER_COLOR = "#555555"
GAP_LABEL = "No customs figure found in the reports used (not a zero)"
FIRST_MONTH = pd.Timestamp("2016-01-01")
LAST_MONTH = pd.Timestamp("2017-12-01")
DAY = pd.Timedelta(days=1)
# A legend label on lines of at most 30 characters (a phone's legend is 300 px wide).
WRAPPED = "split(trim(replace(datum.label, regexp('(.{1,30})(\\\\s+|$)', 'g'), '$1\\n')), '\\n')"


def _months() -> pd.DatetimeIndex:
    return pd.date_range(FIRST_MONTH, LAST_MONTH, freq="MS")


def _customs_gaps(monthly: pd.DataFrame) -> pd.DataFrame:
    """Months in 2016-2017 with no China customs tonnage in the reports used: shaded, not zero."""
    found = set(monthly.loc[(monthly["data_series"] == GACC) & monthly["coal_tonnes"].notna(), "month_start"])
    gaps = [m for m in _months() if m not in found]
    return pd.DataFrame({"month_start": gaps, "month_end": [m + pd.offsets.MonthBegin(1) for m in gaps], "status": GAP_LABEL})


def _tonnage_rows(monthly: pd.DataFrame, series: list[str]) -> pd.DataFrame:
    """One row per monthly tonnage found, with the bar's start/end inside its month.

    With two series, China customs takes the left half of the month and the UN
    1718 Committee figure the right half, so both stay visible and apart.
    """
    rows = monthly[monthly["data_series"].isin(series) & monthly["coal_tonnes"].notna()].copy()
    # Days of the month: one pair for every row, or a pair per row when two series share the month.
    first_day: pd.Series[int] | int
    last_day: pd.Series[int] | int
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


def _resolution_marker(resolutions: pd.DataFrame, number: int, label: str, level: int) -> dict[str, object]:
    row = resolutions.loc[resolutions["resolution"].astype(str) == str(number)].iloc[0]
    return {
        "marker_date": row["adoption_date"],
        "marker_label": label,
        "level": level,
        "resolution": row["resolution"],
        "adoption_date": row["adoption_date"],
        "key_measures": row["key_measures"],
    }


def _timeline_marker(timeline: pd.DataFrame, event_type: str, words: str, label: str, level: int) -> dict[str, object]:
    row = timeline[(timeline["event_type"] == event_type) & timeline["event"].str.contains(words, regex=False)].iloc[0]
    return {"marker_date": row["date"], "marker_label": label, "level": level, "date": row["date"], "event": row["event"]}


def _annotations(markers: list[dict[str, object]], top: float) -> alt.LayerChart:
    """Vertical rules with short labels at the top of the plot, on three staggered levels.

    Marker rows keep the column names of the dataset they come from (``resolution``,
    ``adoption_date``; ``date``, ``event``), so the figure's data tables show them.
    """
    frame = pd.DataFrame(markers)
    frame["marker_y"] = [top * (0.97 - 0.08 * int(level)) for level in frame["level"]]
    is_resolution = "isValid(datum.resolution)"
    resolution_tooltip = [
        alt.Tooltip("resolution:N", title="UN resolution"),
        alt.Tooltip("adoption_date:T", title="Adopted", format="%-d %B %Y"),
        alt.Tooltip("key_measures:N", title="Key measures"),
    ]
    event_tooltip = [alt.Tooltip("date:T", title="Date", format="%-d %B %Y"), alt.Tooltip("event:N", title="Event")]
    layers = []
    for condition, tooltip in ((is_resolution, resolution_tooltip), (f"!{is_resolution}", event_tooltip)):
        base = alt.Chart(frame).transform_filter(condition)
        layers.append(base.mark_rule(strokeDash=[4, 3], color=MARKER_COLOR).encode(x="marker_date:T", tooltip=tooltip))
        layers.append(
            base.mark_text(align="left", dx=4, baseline="middle", fontSize=11, color="#1a1a1a").encode(
                x="marker_date:T", y=alt.Y("marker_y:Q"), text="marker_label:N", tooltip=tooltip
            )
        )
    return alt.LayerChart(layer=layers)


def _gap_layer(gaps: pd.DataFrame, narrow: bool = False) -> alt.Chart:
    layer: alt.Chart = (  # named with its type: mypy reads altair's mark_* methods as returning Any
        alt.Chart(gaps)
        .mark_rect(opacity=0.18)
        .encode(
            x="month_start:T",
            x2="month_end:T",
            fill=alt.Fill(
                "status:N",
                title=None,
                scale=alt.Scale(range=["#999999"]),
                legend=alt.Legend(orient="bottom", symbolOpacity=0.35, labelLimit=400, labelExpr=WRAPPED if narrow else alt.Undefined),
            ),
            tooltip=[
                alt.Tooltip("month_start:T", title="Month", format="%B %Y"),
                alt.Tooltip("status:N", title="Status"),
            ],
        )
    )
    return layer


def _tonnage_tooltip() -> list[alt.Tooltip]:
    return [
        alt.Tooltip("month_start:T", title="Month", format="%B %Y"),
        alt.Tooltip("data_series:N", title="Reported by"),
        alt.Tooltip("coal_tonnes:Q", title="Coal (tonnes)", format=","),
        alt.Tooltip("coal_value_usd_million:Q", title="Value (USD million)", format=",.2~f"),
        alt.Tooltip("value_as_reported:N", title="As reported"),
        alt.Tooltip("source_name:N", title="Source"),
    ]


def _label_color(series: list[str]) -> ChannelColor:
    """The colour of a value label: the text colour of its series (no scale, no legend)."""
    if len(series) < 2:
        return alt.value(TEXT_COLORS[series[0]])
    return alt.condition(alt.datum.data_series == series[1], alt.value(TEXT_COLORS[series[1]]), alt.value(TEXT_COLORS[series[0]]))


def _month_axis(field: str) -> alt.X:
    return alt.X(
        field,
        title=None,
        scale=alt.Scale(domain=[FIRST_MONTH.isoformat(), "2018-01-01"]),
        axis=alt.Axis(format="%b %Y", tickCount={"interval": "month", "step": 3}, labelAngle=0),
    )


def _tonnage_layers(rows: pd.DataFrame, gaps: pd.DataFrame, top: float, series: list[str], narrow: bool = False) -> list[alt.Chart]:
    y = alt.Y("million_tonnes:Q", title="Coal imported (million tonnes)", scale=alt.Scale(domain=[0, top], nice=False))
    color = alt.Color(
        "series:N",
        title="Reported by",
        scale=alt.Scale(domain=[SERIES_LABELS[s] for s in series]),
        legend=alt.Legend(orient="bottom"),
    )
    bars = (
        alt.Chart(rows)
        .mark_bar()
        .encode(x=_month_axis("bar_start:T"), x2="bar_end:T", y=y, y2=alt.datum(0), color=color, tooltip=_tonnage_tooltip())
    )
    text_color = _label_color(series)
    zero_rows = rows[rows["coal_tonnes"] == 0]
    if narrow:  # (a month is 10 px wide: where both sources report zero, one "0" over the month)
        zero_rows = zero_rows.drop_duplicates("month_start").assign(bar_mid=lambda f: f["month_start"] + pd.Timedelta(days=15))
    zeros = (
        alt.Chart(zero_rows)
        .mark_text(baseline="bottom", dy=-2, fontSize=10)
        .encode(
            x="bar_mid:T",
            y=alt.Y("million_tonnes:Q"),
            text=alt.value("0"),
            color=alt.value("#1a1a1a") if narrow else text_color,
            tooltip=_tonnage_tooltip(),
        )
    )
    small = (  # (above the zeros of the next month)
        alt.Chart(rows[(rows["coal_tonnes"] > 0) & (rows["coal_tonnes"] < 50_000)])
        .transform_calculate(small_label="format(datum.coal_tonnes, ',') + ' t'")
        .mark_text(baseline="bottom", dy=-17, fontSize=10)
        .encode(x="bar_mid:T", y=alt.Y("million_tonnes:Q"), text="small_label:N", color=text_color, tooltip=_tonnage_tooltip())
    )
    return [_gap_layer(gaps, narrow), bars, zeros, small]


def _cap_rows(annual: pd.DataFrame) -> pd.DataFrame:
    """The two resolution 2321 caps, with tonnage and dollar limits as whole numbers for labels."""
    caps = annual[annual["data_series"] == UN_CAP].sort_values("period_start").copy()
    caps["million_tonnes"] = caps["coal_tonnes"] / 1e6
    caps["usd_million"] = caps["coal_value_usd_billion"] * 1000
    caps["tonnes_label"] = caps["coal_tonnes"].map(lambda v: f"{int(v):,} t")
    caps["usd_label"] = caps["coal_value_usd_billion"].map(lambda v: f"${round(v * 1e9):,}")
    return caps


def _december_cap(annual: pd.DataFrame, narrow: bool = False) -> alt.LayerChart:
    """The cap for 30 Nov-31 Dec 2016 as a short rule over its own period, labelled
    beside it; on a phone, where the December bars leave no room, named in the legend."""
    cap = _cap_rows(annual).iloc[[0]].copy()
    cap["rule_end"] = cap["period_end"] + DAY
    tooltip = [
        alt.Tooltip("period_label:N", title="Cap"),
        alt.Tooltip("value_as_reported:N", title="As reported"),
        alt.Tooltip("source_name:N", title="Source"),
    ]
    position = {"x": "period_start:T", "x2": "rule_end:T", "y": "million_tonnes:Q", "tooltip": tooltip}
    if narrow:
        cap["legend"] = f"UN cap, Dec 2016: {cap['tonnes_label'].iloc[0]}"
        stroke = alt.Stroke("legend:N", title=None, scale=alt.Scale(range=[CAP_COLOR]), legend=alt.Legend(orient="bottom"))
        return alt.LayerChart(layer=[alt.Chart(cap).mark_rule(strokeWidth=2.5).encode(stroke=stroke, **position)])
    cap["label"] = [["Short line: UN cap for 30 Nov-31 Dec 2016,", f"{cap['tonnes_label'].iloc[0]} (or {cap['usd_label'].iloc[0]})"]]
    # Right of the December bars, above January's: the only clear space near the cap.
    cap["label_x"] = cap["period_end"] + 3 * DAY
    cap["label_y"] = 2.05
    base = alt.Chart(cap)
    rule = base.mark_rule(color=CAP_COLOR, strokeWidth=2.5).encode(**position)
    label = base.mark_text(fontSize=10, color=CAP_COLOR, align="left", baseline="middle", lineHeight=12).encode(
        x="label_x:T", y="label_y:Q", text="label", tooltip=tooltip
    )
    return alt.LayerChart(layer=[rule, label])


@chart(
    "coal-monthly",
    data=["china_nk_coal_monthly", "china_nk_coal_annual", "unsc_resolutions", "timeline"],
    context={"unsc_resolutions": "Dates of events", "timeline": "Dates of events"},
    table=[
        {
            "caption": "China's coal imports from North Korea, by month, 2016-2017",
            "columns": {
                "month_start": "Month",
                "series": "Reported by",
                "coal_tonnes": "Coal (tonnes)",
                "coal_value_usd_million": "Value (US$ million)",
                "source_name": "Source",
            },
            "sort": ["month_start", "series"],
        },
        {"caption": "The UN cap drawn", "columns": {"period_label": "Cap", "value_as_reported": "As set by resolution 2321"}},
    ],
)
def coal_monthly(
    china_nk_coal_monthly: pd.DataFrame,
    china_nk_coal_annual: pd.DataFrame,
    unsc_resolutions: pd.DataFrame,
    timeline: pd.DataFrame,
    layout: str = "wide",
) -> alt.LayerChart:
    """Monthly tonnage by reporting source, the December 2016 cap, and the UN and Chinese measures.

    On a phone (``layout="narrow"``) the six event labels are cut to a word or a number
    and staggered on three levels, so they do not overlap in a 340 px plot; the December
    cap is named in the legend, and a month where both sources report zero says so once."""
    series = [GACC, UN_1718]
    rows = _tonnage_rows(china_nk_coal_monthly, series)
    top = 3.0
    narrow = layout == "narrow"
    labels = [
        ("2270: ban, livelihood exemption", "2270", 0, 0),
        ("Fifth nuclear test", "Test 5", 0, 0),
        ("2321: cap", "2321", 1, 1),
        ("China halts, 11-31 Dec", "Halt", 2, 2),
        ("China suspends imports", "Suspends", 0, 0),
        ("2371: full ban", "2371", 1, 1),
    ]
    text = [(short, at) for _, short, _, at in labels] if narrow else [(long, at) for long, _, at, _ in labels]
    markers = [
        _resolution_marker(unsc_resolutions, 2270, *text[0]),
        _timeline_marker(timeline, "nuclear_test", "no. 5", *text[1]),
        _resolution_marker(unsc_resolutions, 2321, *text[2]),
        _timeline_marker(timeline, "china_measure", "Halts DPRK coal", *text[3]),
        _timeline_marker(timeline, "china_measure", "Suspends all DPRK coal", *text[4]),
        _resolution_marker(unsc_resolutions, 2371, *text[5]),
    ]
    layers = _tonnage_layers(rows, _customs_gaps(china_nk_coal_monthly), top, series, narrow)
    cap = _december_cap(china_nk_coal_annual, narrow)
    return alt.LayerChart(layer=[*layers, cap, _annotations(markers, top)]).properties(height=340)


def _cap_use_rows(monthly: pd.DataFrame) -> pd.DataFrame:
    """UN 1718 Committee monthly reports, December 2016 on its own, 2017 months laid end to end.

    Each 2017 month is a segment that starts where the previous one ends, so the bar's
    length is what the reports add up to; the labels give each month's own figure.
    """
    un = monthly[(monthly["data_series"] == UN_1718) & (monthly["coal_tonnes"] > 0)].sort_values("month_start").copy()
    un["period"] = un["month_start"].map(lambda m: "Dec 2016" if m.year == 2016 else "2017, Jan-Apr")
    un["month"] = un["month_start"].dt.strftime("%b")
    un["million_tonnes"] = un["coal_tonnes"] / 1e6
    un["usd_million"] = un["coal_value_usd_million"]
    for measure in ("million_tonnes", "usd_million"):
        un[f"{measure}_end"] = un.groupby("period")[measure].cumsum()
        un[f"{measure}_start"] = un[f"{measure}_end"] - un[measure]
    return un


def _month_lines(un: pd.DataFrame, unit: str) -> pd.DataFrame:
    """One row for 2017: each month's own figure on a line of its own (a phone's segments are too short for them)."""
    months = un[un["period"] != "Dec 2016"]

    def figure(row: pd.Series) -> str:
        if unit == "usd":
            return f"{row['month']} ${row['usd_million']:,.2f}".rstrip("0").rstrip(".") + " m"
        return f"{row['month']} {int(row['coal_tonnes']):,} t"

    return pd.DataFrame({"period": ["2017, Jan-Apr"], "x": [0.0], "lines": ["\n".join(figure(row) for _, row in months.iterrows())]})


def _cap_use_panel(un: pd.DataFrame, caps: pd.DataFrame, measure: str, unit: str, narrow: bool = False) -> alt.LayerChart:
    """One panel: stacked monthly reports per cap period, the cap as a black tick with its label.
    Each month's figure labels its segment; on a phone they are listed under the bar."""
    periods = ["Dec 2016", "2017, Jan-Apr"]
    labels = {"usd_million": ("usd_label", "US$ million", [0, 450]), "million_tonnes": ("tonnes_label", "million tonnes", [0, 8])}
    cap_label, axis_title, domain = labels[measure]
    caps = caps.assign(period=periods, cap=caps[measure], cap_text="cap " + caps[cap_label])
    y = alt.Y("period:N", title=None, sort=periods, axis=alt.Axis(labelFontSize=12, labelLimit=160))
    x = alt.X(f"{measure}_start:Q", title=f"Exports reported to the UN 1718 Committee ({axis_title})", scale=alt.Scale(domain=domain))
    tooltip = [
        alt.Tooltip("month_start:T", title="Month", format="%B %Y"),
        alt.Tooltip("coal_tonnes:Q", title="Coal (tonnes)", format=","),
        alt.Tooltip("coal_value_usd_million:Q", title="Value (USD million)", format=",.2~f"),
        alt.Tooltip("value_as_reported:N", title="As reported"),
        alt.Tooltip("source_name:N", title="Source"),
    ]
    base = alt.Chart(un).encode(y=y)
    bars = base.mark_bar(height=26, color=color_of(SERIES_LABELS[UN_1718]), stroke="white", strokeWidth=1.5).encode(
        x=x, x2=f"{measure}_end:Q", tooltip=tooltip
    )
    fmt = "'$' + format(datum.usd_million, ',.2~f') + ' m'" if unit == "usd" else "format(datum.coal_tonnes, ',') + ' t'"
    month_labels = (
        base.transform_filter("datum.period != 'Dec 2016'")
        .transform_calculate(text=f"datum.month + ' ' + {fmt}")
        .mark_text(baseline="top", dy=16, dx=2, fontSize=10, color=TEXT_COLORS[UN_1718], align="left")
        .encode(x=alt.X(f"{measure}_start:Q"), text="text:N", tooltip=tooltip)
    )
    if narrow:
        month_labels = (
            alt.Chart(_month_lines(un, unit))
            .mark_text(baseline="top", dy=16, dx=2, fontSize=11, lineHeight=13, lineBreak="\n", color=TEXT_COLORS[UN_1718], align="left")
            .encode(x="x:Q", y=alt.Y("period:N", sort=periods), text="lines:N")
        )
    december = "'about 2 million t'" if unit == "tonnes" else "'some $184 m'"
    dec_label = (
        base.transform_filter("datum.period == 'Dec 2016'")
        .transform_calculate(text=december)
        .mark_text(align="left", dx=6, fontSize=11, color=TEXT_COLORS[UN_1718], fontWeight="bold")
        .encode(x=alt.X(f"{measure}_end:Q"), text="text:N", tooltip=tooltip)
    )
    cap_tooltip = [alt.Tooltip("period_label:N", title="Cap"), alt.Tooltip("value_as_reported:N", title="As reported")]
    cap_base = alt.Chart(caps).encode(y=alt.Y("period:N", sort=periods), x=alt.X("cap:Q"))
    cap_ticks = cap_base.mark_tick(color=CAP_COLOR, thickness=3, size=40).encode(tooltip=cap_tooltip)
    cap_text = cap_base.mark_text(baseline="bottom", dy=-21, fontSize=10, color=CAP_COLOR, align="center").encode(
        text="cap_text:N", tooltip=cap_tooltip
    )
    return alt.LayerChart(layer=[bars, month_labels, dec_label, cap_ticks, cap_text]).properties(height=alt.Step(112 if narrow else 62))


@chart(
    "coal-cap-use",
    data=["china_nk_coal_monthly", "china_nk_coal_annual", "un_coal_cap_usage"],
    table=[
        {
            "caption": "North Korea's coal exports reported to the UN 1718 Committee",
            "columns": {
                "period": "Period",
                "month_start": "Month",
                "coal_tonnes": "Coal (tonnes)",
                "coal_value_usd_million": "Value (US$ million)",
                "source_name": "Source",
            },
            "sort": "month_start",
        },
        {
            "caption": "The UN caps drawn",
            "columns": {"period_label": "Cap", "cap_text": "Drawn as", "value_as_reported": "As set by resolution 2321"},
        },
    ],
)
def coal_cap_use(
    china_nk_coal_monthly: pd.DataFrame, china_nk_coal_annual: pd.DataFrame, un_coal_cap_usage: pd.DataFrame, layout: str = "wide"
) -> alt.VConcatChart:
    """Reported exports against the resolution 2321 caps, in dollars (top) and tonnes (bottom).

    The dollar cap ("whichever is lower") is the one that bound; Yonhap's 57% is shown as
    reported, not recomputed.
    """
    un = _cap_use_rows(china_nk_coal_monthly)
    caps = _cap_rows(china_nk_coal_annual).reset_index(drop=True)
    share = un_coal_cap_usage[un_coal_cap_usage["cap_basis"] == "value"].iloc[[0]].copy()
    share["period"] = "2017, Jan-Apr"
    share["x"] = 0.0
    share["text"] = share["share_of_cap_pct_as_reported"].map(lambda v: f"{v:g}% of the 2017 dollar cap used by April (Yonhap)")
    note = (
        alt.Chart(share)
        .mark_text(align="left", baseline="bottom", dy=-17, dx=2, fontSize=11, fontWeight="bold", color="#1a1a1a")
        .encode(
            x="x:Q",
            y=alt.Y("period:N", sort=["Dec 2016", "2017, Jan-Apr"]),
            text="text:N",
            tooltip=[
                alt.Tooltip("period_label:N", title="Period"),
                alt.Tooltip("value_as_reported:N", title="As reported"),
                alt.Tooltip("cap_as_reported:N", title="Cap as reported"),
                alt.Tooltip("source_name:N", title="Source"),
            ],
        )
    )
    narrow = layout == "narrow"
    dollars = alt.LayerChart(layer=[_cap_use_panel(un, caps, "usd_million", "usd", narrow), note])
    tonnes = _cap_use_panel(un, caps, "million_tonnes", "tonnes", narrow)
    return alt.vconcat(dollars, tonnes, spacing=24)


@chart(
    "coal-annual",
    data=["china_nk_coal_annual", "china_nk_coal_monthly"],
    table={
        "columns": {
            "row": "Period",
            "data_series": "Reported by",
            "coal_tonnes": "Coal (tonnes)",
            "coal_value_usd_billion": "Value (US$ billion)",
            "source_name": "Source",
        },
    },
)
def coal_annual(china_nk_coal_annual: pd.DataFrame, china_nk_coal_monthly: pd.DataFrame) -> alt.LayerChart:
    """Full years and part-years as bars, and the UN's December 2016 figure with its cap as a
    tick on its own row. The 2017 cap is not drawn: it applied to 2017 only, and its dollar
    limit, which bound first, has no tonnage to draw (the chart above draws both caps)."""
    flows = china_nk_coal_annual[china_nk_coal_annual["data_series"] != UN_CAP].copy()
    flows["full_year"] = flows["period_label"].str.fullmatch(r"\d{4}")
    flows["row"] = flows.apply(lambda r: r["period_label"] if r["full_year"] else f"{r['period_label']} (part of the year)", axis=1)
    flows["kind"] = SERIES_LABELS[GACC]
    december = china_nk_coal_monthly[(china_nk_coal_monthly["data_series"] == UN_1718) & (china_nk_coal_monthly["year"] == 2016)]
    december = december.assign(
        row="Dec 2016, reported to the UN 1718 Committee",
        kind=SERIES_LABELS[UN_1718],
        period_label="December 2016",
        period_start=december["month_start"],
        coal_value_usd_billion=december["coal_value_usd_million"] / 1000,
    )
    rows = pd.concat([flows, december], ignore_index=True).sort_values(["period_start", "row"])
    rows["million_tonnes"] = rows["coal_tonnes"] / 1e6
    caps = _cap_rows(china_nk_coal_annual).reset_index(drop=True)
    december_label = f"about 2 million t; cap {caps['tonnes_label'].iloc[0]}"
    rows["label"] = rows.apply(
        lambda r: december_label if r["kind"] == SERIES_LABELS[UN_1718] else f"{r['million_tonnes']:g} million t", axis=1
    )
    order = [
        "2015",
        "Jan-Oct 2016 (part of the year)",
        "2016",
        "Dec 2016, reported to the UN 1718 Committee",
        "Jan-Jun 2017 (part of the year)",
    ]
    assert sorted(order) == sorted(rows["row"]), rows["row"].tolist()
    y = alt.Y("row:N", title=None, sort=order, axis=alt.Axis(labelLimit=300, labelFontSize=12))
    x = alt.X("million_tonnes:Q", title="Coal (million tonnes)", scale=alt.Scale(domain=[0, 25]))
    kinds = [SERIES_LABELS[GACC], SERIES_LABELS[UN_1718]]
    color = alt.Color("kind:N", title=None, scale=alt.Scale(domain=kinds), legend=alt.Legend(orient="bottom", labelLimit=300))
    tooltip = [
        alt.Tooltip("period_label:N", title="Period"),
        alt.Tooltip("data_series:N", title="Series"),
        alt.Tooltip("coal_tonnes:Q", title="Tonnes", format=","),
        alt.Tooltip("coal_value_usd_billion:Q", title="Value (USD billion)", format=",.9~g"),
        alt.Tooltip("value_as_reported:N", title="As reported"),
        alt.Tooltip("source_name:N", title="Source"),
    ]
    base = alt.Chart(rows).encode(y=y, x=x, tooltip=tooltip)
    bars = base.mark_bar(height=20).encode(color=color)
    labels = base.mark_text(align="left", dx=6, fontSize=11, color="#1a1a1a").encode(text="label:N")
    cap_tooltip = [alt.Tooltip("period_label:N", title="Cap"), alt.Tooltip("value_as_reported:N", title="As reported")]
    dec_cap = caps.iloc[[0]].assign(row=order[3])
    dec_tick = alt.Chart(dec_cap).mark_tick(color=CAP_COLOR, thickness=3, size=30)
    ticks = dec_tick.encode(y=alt.Y("row:N", sort=order), x="million_tonnes:Q", tooltip=cap_tooltip)
    return alt.LayerChart(layer=[bars, labels, ticks]).properties(height=alt.Step(40))


# The events labelled on the home page's strip and ruled through the bars below it.
LEAD_LABELS = {
    "2016-01-06": "4th test",
    "2016-03-02": "2270",
    "2016-04-05": "China's ban, with exemption",
    "2016-09-09": "5th test",
    "2016-11-30": "2321",
    "2016-12-10": "halt",
    "2017-02-18": "China suspends",
    "2017-08-05": "2371",
    "2017-08-14": "ban",
    "2017-09-03": "6th test",
    "2017-09-11": "2375",
    "2017-12-22": "2397",
}
LEAD_RULES = ("2016-03-02", "2016-09-09", "2016-11-30", "2017-02-18", "2017-08-05")
# Labels that stand above and right of their point, clear of its dashed line: the next
# event of their lane is too close for the label to stand beside it (2375 and China's
# September measure are five weeks after 2371 and China's full ban).
LEAD_ABOVE = {"2017-08-05", "2017-08-14"}
# Who acted, in the site's colours (site.toml): the same as the China page's lanes and the timeline.
LEAD_ACTORS = {
    "nuclear_test": NORTH_KOREA,
    "missile_launch": NORTH_KOREA,
    "unsc_resolution": UN_COUNCIL,
    "china_measure": CHINA_GOVERNMENT,
}
# On a phone: the labels that fit beside each other in a 340 px strip (the others' points stay).
LEAD_LABELS_NARROW = {
    "2016-01-06": "4th",
    "2016-03-02": "2270",
    "2016-09-09": "5th",
    "2016-11-30": "2321",
    "2017-02-18": "suspends",
    "2017-08-05": "2371",
    "2017-09-03": "6th",
}


@chart(
    "pressure-and-coal",
    data=["china_nk_coal_monthly", "timeline"],
    context={"timeline": "Dates of events"},
    table=[
        {
            "caption": "China's coal imports from North Korea, by month, 2016-2017",
            "columns": {
                "month_start": "Month",
                "series": "Reported by",
                "coal_tonnes": "Coal (tonnes)",
                "coal_value_usd_million": "Value (US$ million)",
                "source_name": "Source",
            },
            "sort": ["month_start", "series"],
        },
        {
            "caption": "Events on the strip",
            "columns": {"date": "Date", "lane": "Kind", "event": "Event", "actor": "By"},
            "sort": "date",
        },
    ],
)
def pressure_and_coal(china_nk_coal_monthly: pd.DataFrame, timeline: pd.DataFrame, layout: str = "wide") -> alt.VConcatChart:
    """Home page lead: a labelled strip of tests, launches, resolutions and China's measures
    above China's monthly customs figures, with the key events ruled through both. On a
    phone the strip labels only the events whose labels fit side by side."""
    window = timeline[(timeline["date"] >= FIRST_MONTH) & (timeline["date"] < pd.Timestamp("2018-01-01"))]
    lanes = {
        "nuclear_test": "Nuclear tests",
        "missile_launch": "Selected launches",
        "unsc_resolution": "UN resolutions",
        "china_measure": "China's measures",
    }
    events = window[window["event_type"].isin(lanes)].copy()
    events["lane"] = events["event_type"].map(lanes)
    events["acted"] = events["event_type"].map(LEAD_ACTORS)
    events["label"] = events["date"].dt.strftime("%Y-%m-%d").map(LEAD_LABELS_NARROW if layout == "narrow" else LEAD_LABELS).fillna("")
    events["ruled"] = events["date"].dt.strftime("%Y-%m-%d").isin(LEAD_RULES)
    events["place"] = events["date"].dt.strftime("%Y-%m-%d").map(lambda d: "above" if d in LEAD_ABOVE else "right")
    x = alt.X("date:T", title=None, scale=alt.Scale(domain=[FIRST_MONTH.isoformat(), "2018-01-01"]), axis=None)
    y = alt.Y("lane:N", title=None, sort=list(lanes.values()), axis=alt.Axis(labelLimit=200, labelFontSize=11, domain=False, ticks=False))
    tooltip = [
        alt.Tooltip("date:T", title="Date", format="%-d %B %Y"),
        alt.Tooltip("event:N", title="Event"),
        alt.Tooltip("actor:N", title="Actor"),
    ]
    base = alt.Chart(events)
    rules = base.transform_filter("datum.ruled").mark_rule(strokeDash=[4, 3], color=MARKER_COLOR).encode(x=x)
    actors = list(dict.fromkeys(LEAD_ACTORS.values()))
    acted = alt.Color("acted:N", title=None, scale=alt.Scale(domain=actors), legend=alt.Legend(orient="top", symbolOpacity=1))
    points = base.mark_point(filled=True, size=70, opacity=1).encode(
        x=x, y=y, color=acted, shape=alt.Shape("lane:N", sort=list(lanes.values()), legend=None), tooltip=tooltip
    )
    marks = {"right": {"align": "left", "dx": 6}, "above": {"align": "left", "dx": 3, "baseline": "bottom", "dy": -6}}
    labels = [
        base.transform_filter(f"datum.place == '{side}'")
        .mark_text(fontSize=10, color="#1a1a1a", **mark)  # type: ignore[arg-type]
        .encode(x=x, y=y, text="label:N", tooltip=tooltip)
        for side, mark in marks.items()
    ]
    strip = alt.LayerChart(layer=[rules, points, *labels]).properties(height=120)
    rows = _tonnage_rows(china_nk_coal_monthly, [GACC])
    ruled = events[events["ruled"]]
    bar_rules = alt.Chart(ruled).mark_rule(strokeDash=[4, 3], color=MARKER_COLOR).encode(x="date:T", tooltip=tooltip)
    layers = _tonnage_layers(rows, _customs_gaps(china_nk_coal_monthly), 2.6, [GACC], layout == "narrow")
    bars = alt.LayerChart(layer=[*layers, bar_rules]).properties(height=260)
    # named with its type: mypy reads altair's resolve_scale as returning Any
    stacked: alt.VConcatChart = alt.vconcat(strip, bars, spacing=4).resolve_scale(x="shared", color="independent")
    return stacked

"""Trade: North Korea-China goods trade as compiled by KOTRA, Statistics Korea and China customs.

The compilations differ and are revised, so each ``data_series`` keeps its own
colour and is never joined to another series by a line.
"""

from __future__ import annotations

import json

import altair as alt
import pandas as pd

from broadsheet import chart

FIRST_YEAR, LAST_YEAR = 2012, 2018


# Fixed colour order so a compilation has the same colour in every trade chart.
PREFERRED_ORDER = [
    "KOTRA",
    "KOTRA (annual report)",
    "China customs (GACC)",
    "KOTRA (preliminary, Beijing office)",
    "Statistics Korea",
]


def _series_domain(trade: pd.DataFrame) -> list[str]:
    present = list(dict.fromkeys(trade["data_series"]))
    return [s for s in PREFERRED_ORDER if s in present] + [s for s in present if s not in PREFERRED_ORDER]


@chart("trade-totals", data=["china_nk_trade"])
def trade_totals(china_nk_trade: pd.DataFrame) -> alt.LayerChart:
    """Annual total trade, one colour and shape per compilation; lines only join consecutive years of one series."""
    with_total = china_nk_trade[china_nk_trade["total_trade_usd_billion"].notna()]
    frames = []
    for series, group in with_total.groupby("data_series", sort=False):
        years = pd.DataFrame({"year": pd.array(range(FIRST_YEAR, LAST_YEAR + 1), dtype="Int64")})
        full = years.merge(group, on="year", how="left")
        full["data_series"] = series
        frames.append(full)
    df = pd.concat(frames, ignore_index=True)[
        ["year", "data_series", "total_trade_usd_billion", "total_trade_change_pct_as_reported", "source_name", "notes"]
    ]
    domain = _series_domain(china_nk_trade)
    # Series that share a year sit a little left or right of it so neither hides the other.
    nudge = {"KOTRA (annual report)": 0.12, "China customs (GACC)": 0.12}
    df["x_pos"] = df["year"].astype("float64") + df["data_series"].map(nudge).fillna(-0.12)
    x = alt.X(
        "x_pos:Q",
        title=None,
        scale=alt.Scale(domain=[FIRST_YEAR - 0.5, LAST_YEAR + 0.5], nice=False),
        axis=alt.Axis(values=list(range(FIRST_YEAR, LAST_YEAR + 1)), format="d", grid=False),
    )
    y = alt.Y("total_trade_usd_billion:Q", title="Total trade (USD billion)", scale=alt.Scale(domain=[0, 7]))
    shown = _series_domain(with_total)
    legend = alt.Legend(orient="bottom", columns=2, labelLimit=320, values=shown)
    color = alt.Color("data_series:N", title="Compiled by", scale=alt.Scale(domain=domain), legend=legend)
    shape = alt.Shape("data_series:N", title="Compiled by", scale=alt.Scale(domain=domain), legend=legend)
    tooltip = [
        alt.Tooltip("year:O", title="Year"),
        alt.Tooltip("data_series:N", title="Compiled by"),
        alt.Tooltip("total_trade_usd_billion:Q", title="Total trade (USD billion)", format=".3~f"),
        alt.Tooltip("total_trade_change_pct_as_reported:Q", title="Change on year, as reported (%)"),
        alt.Tooltip("source_name:N", title="Source"),
        alt.Tooltip("notes:N", title="Notes"),
    ]
    base = alt.Chart(df).encode(x=x, y=y, color=color, tooltip=tooltip)
    lines = base.mark_line(strokeWidth=2)
    points = base.mark_point(filled=True, size=90, opacity=1).encode(shape=shape)
    # Value labels above each point; the one series that shares a year with a close
    # value (KOTRA's 2014 annual report vs its preliminary figure) is labelled below.
    below = "datum.data_series == 'KOTRA (annual report)'"
    text = alt.Text("total_trade_usd_billion:Q", format=".3~f")
    label_base = alt.Chart(df).encode(x=x, y=y, text=text, tooltip=tooltip)
    above = label_base.transform_filter(f"!({below})").mark_text(baseline="bottom", dy=-9, fontSize=10)
    under = label_base.transform_filter(below).mark_text(baseline="top", dy=9, fontSize=10)
    return alt.layer(lines, points, above, under).properties(width=640)


@chart("trade-components", data=["china_nk_trade"])
def trade_components(china_nk_trade: pd.DataFrame) -> alt.FacetChart:
    """North Korea's exports to and imports from China, by year and by compiler, side by side."""
    flows = {
        "nk_exports_to_china_usd_billion": "North Korea's exports to China (China's imports)",
        "nk_imports_from_china_usd_billion": "North Korea's imports from China (China's exports)",
    }
    frame = china_nk_trade[["year", "data_series", *flows, "source_name"]]
    domain = _series_domain(china_nk_trade)
    with_components = _series_domain(frame[frame[list(flows)].notna().any(axis=1)])
    years = list(range(FIRST_YEAR, LAST_YEAR))
    flow_names = " : ".join(f"datum.flow_field == '{f}' ? {json.dumps(label)}" for f, label in flows.items())
    bars = (
        alt.Chart()
        .transform_fold(list(flows), as_=["flow_field", "usd_billion"])
        .transform_filter("isValid(datum.usd_billion)")
        .transform_calculate(flow=f"{flow_names} : datum.flow_field")
        .mark_bar()
        .encode(
            x=alt.X("year:O", title=None, scale=alt.Scale(domain=years), axis=alt.Axis(labelAngle=0)),
            xOffset=alt.XOffset("data_series:N", scale=alt.Scale(domain=domain)),
            y=alt.Y("usd_billion:Q", title="USD billion", scale=alt.Scale(domain=[0, 4])),
            color=alt.Color(
                "data_series:N",
                title="Compiled by",
                scale=alt.Scale(domain=domain),
                legend=alt.Legend(orient="bottom", labelLimit=320, values=with_components),
            ),
            tooltip=[
                alt.Tooltip("year:O", title="Year"),
                alt.Tooltip("data_series:N", title="Compiled by"),
                alt.Tooltip("nk_exports_to_china_usd_billion:Q", title="North Korea's exports to China (USD bn)"),
                alt.Tooltip("nk_imports_from_china_usd_billion:Q", title="North Korea's imports from China (USD bn)"),
                alt.Tooltip("source_name:N", title="Source"),
            ],
        )
        .properties(width=300, height=240)
    )
    return alt.layer(bars, data=frame).facet(
        column=alt.Column("flow:N", title=None, sort=list(flows.values()), header=alt.Header(labelFontWeight="bold", labelLimit=320)),
        spacing=24,
    )

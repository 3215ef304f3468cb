"""Charts of every shape Altair makes: layered, faceted, concatenated, repeated."""

import altair as alt

from broadsheet import chart


@chart("layered", data=["trade"])
def layered(trade):
    base = alt.Chart(trade).encode(x=alt.X("year:Q", axis=alt.Axis(format="d")), y=alt.Y("value_usd_million:Q", title="US$ million"))
    lines = base.mark_line().encode(color=alt.Color("partner:N", legend=None))  # (labelled at their ends)
    last = trade[trade.year == 2025]
    labels = alt.Chart(last).mark_text(align="left", dx=6, fontSize=9).encode(x="year:Q", y="value_usd_million:Q", text="partner:N")
    rule = alt.Chart(trade[trade.year == 2006].head(1)).mark_rule(strokeDash=[4, 3]).encode(x="year:Q")
    note = (  # (top left, where the lines are still low: clear of the direct labels at the right)
        alt.Chart(trade[trade.year == 2006].head(1))
        .mark_text(align="left", dx=4, y=10, fontSize=8)
        .encode(x="year:Q", text=alt.value("Coal sanctions"))
    )
    return alt.layer(lines, labels, rule, note)


@chart("faceted", data=["trade"])
def faceted(trade):
    recent = trade[trade.year >= 2015]
    return (
        alt.Chart(recent)
        .mark_bar()
        .encode(x=alt.X("year:O"), y=alt.Y("value_usd_million:Q"), color=alt.Color("partner:N", legend=None))
        .properties(width=220, height=160)
        .facet(column=alt.Column("partner:N", title=None, header=alt.Header(labelFontSize=9)))
    )


@chart("wrapped", data=["trade"])
def wrapped(trade):
    return (
        alt.Chart(trade)
        .mark_area()
        .encode(x=alt.X("year:Q", axis=alt.Axis(format="d")), y="share:Q")
        .properties(width=200, height=120)
        .facet(facet=alt.Facet("partner:N"), columns=3)
    )


@chart("side-by-side", data=["trade"])
def side_by_side(trade):
    totals = (
        alt.Chart(trade)
        .mark_bar()
        .encode(
            y=alt.Y("region:N", title=None, axis=alt.Axis(labelLimit=400)), x=alt.X("sum(value_usd_million):Q", title="Total, US$ million")
        )
        .properties(width=300)
    )
    shares = (
        alt.Chart(trade)
        .mark_point()
        .encode(x=alt.X("year:Q", axis=alt.Axis(format="d"), scale=alt.Scale(zero=False)), y="share:Q", color="partner:N")
        .properties(width=300)
    )
    return alt.hconcat(totals, shares)


@chart("repeated", data=["trade"])
def repeated(trade):
    return (
        alt.Chart(trade)
        .mark_line()
        .encode(x=alt.X("year:Q", axis=alt.Axis(format="d")), y=alt.Y(alt.repeat("column"), type="quantitative"), color="partner:N")
        .properties(width=260, height=150)
        .repeat(column=["value_usd_million", "share"])
    )


@chart("own-narrow", data=["trade"])
def own_narrow(trade, layout="wide"):
    """A chart that draws its own narrow layout: no direct labels on a phone, a legend instead."""
    lines = (
        alt.Chart(trade)
        .mark_line()
        .encode(x=alt.X("year:Q", axis=alt.Axis(format="d")), y="value_usd_million:Q", color=alt.Color("partner:N", legend=None))
    )
    if layout == "narrow":
        return lines.encode(color=alt.Color("partner:N", legend=alt.Legend(orient="bottom")))
    labels = (
        alt.Chart(trade[trade.year == 2025]).mark_text(align="left", dx=6).encode(x="year:Q", y="value_usd_million:Q", text="partner:N")
    )
    return alt.layer(lines, labels)


@chart("long-legend", data=["trade"])
def long_legend(trade):
    """Six series with long names: the theme's one-row legend would be 2,000 px wide."""
    recent = trade[trade.year >= 2024]
    named = recent.assign(series=recent.partner + ", reported for " + recent.year.astype(str) + " in current US dollars")
    return alt.Chart(named).mark_bar().encode(x="partner:N", y="value_usd_million:Q", color=alt.Color("series:N", title="Series"))


@chart("long-facets", data=["trade"])
def long_facets(trade):
    """Panels 120 px wide under labels of 40 to 60 characters."""
    return (
        alt.Chart(trade[trade.year >= 2020])
        .mark_bar()
        .encode(x="year:O", y="value_usd_million:Q", column=alt.Column("region:N", title=None))
        .properties(width=120, height=140)
    )

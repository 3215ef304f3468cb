import altair as alt

from broadsheet import chart


@chart("yields", data=["tests"])
def yields(tests):
    base = alt.Chart(tests).encode(x=alt.X("date_utc:T", title="Test date"))
    bars = base.mark_rule().encode(y=alt.Y("yield_kt_low:Q", title="Yield (kt)"), y2="yield_kt_high:Q")
    points = base.mark_point(filled=True).encode(
        y="yield_kt_central:Q", tooltip=[alt.Tooltip("date_utc:T"), alt.Tooltip("yield_kt_central:Q")]
    )
    return alt.layer(bars, points)

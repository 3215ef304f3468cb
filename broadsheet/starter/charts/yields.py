"""Python charts: one function per chart, registered with @chart(id, data=[datasets])."""

import altair as alt
import pandas as pd

from broadsheet import chart


@chart("yield-ranges", data=["nuclear_tests"])
def yield_ranges(nuclear_tests: pd.DataFrame) -> alt.LayerChart:
    """Each test's central yield, with the published uncertainty as a bar behind it."""
    base = alt.Chart(nuclear_tests).encode(x=alt.X("date_utc:T", title="Test date"))
    ranges = base.mark_rule(strokeWidth=6, opacity=0.4).encode(y=alt.Y("yield_kt_low:Q", title="Yield (kilotonnes)"), y2="yield_kt_high:Q")
    central = base.mark_point(filled=True, size=80).encode(
        y="yield_kt_central:Q", tooltip=["date_utc:T", "yield_kt_central:Q", "yield_kt_low:Q", "yield_kt_high:Q"]
    )
    return alt.LayerChart(layer=[ranges, central])

"""One chart per shape of the Altair gallery that once stopped a build or lost a part on a phone."""

import altair as alt
import pandas as pd

from broadsheet import chart


@chart("brush-filter", data=["sales"])
def brush_filter(sales):
    brush = alt.selection_interval(encodings=["x"])
    points = alt.Chart(sales).mark_point().encode(x="month:T", y="amount:Q").add_params(brush)
    bars = alt.Chart(sales).mark_bar().encode(x="region:N", y="sum(amount):Q").transform_filter(brush)
    return points & bars


@chart("initial-brush", data=["sales"])
def initial_brush(sales):
    brush = alt.selection_interval(encodings=["x"], value={"x": [2, 6]})
    points = alt.Chart(sales).mark_point().encode(x="units:Q", y="amount:Q").add_params(brush)
    bars = alt.Chart(sales).mark_bar().encode(x="region:N", y="count():Q").transform_filter(brush)
    return points | bars


@chart("slider-cutoff", data=["sales"])
def slider_cutoff(sales):
    cutoff = alt.param(name="cutoff", value=50, bind=alt.binding_range(min=0, max=100, step=1))
    return alt.Chart(sales).mark_point().encode(x="month:T", y="amount:Q").add_params(cutoff).transform_filter(alt.datum.amount < cutoff)


@chart("legend-pick", data=["sales"])
def legend_pick(sales):
    pick = alt.selection_point(fields=["region"], bind="legend")
    return (
        alt.Chart(sales)
        .mark_line()
        .encode(x="month:T", y="amount:Q", color="region:N", opacity=alt.when(pick).then(alt.value(1)).otherwise(alt.value(0.2)))
        .add_params(pick)
    )


@chart("ranked", data=["sales"])
def ranked(sales):
    return (
        alt.Chart(sales)
        .transform_window(rank="rank()", row="row_number()", sort=[alt.SortField("amount", order="descending")])
        .transform_filter(alt.datum.rank <= 3)
        .mark_bar()
        .encode(x="rank:O", y="amount:Q")
    )


@chart("latest", data=["sales"])
def latest(sales):
    line = alt.Chart(sales).mark_line().encode(x="month:T", y="amount:Q", color="region:N")
    last = (
        alt.Chart(sales)
        .mark_circle()
        .encode(x=alt.X("last_month['month']:T"), y=alt.Y("last_month['amount']:Q"), color="region:N")
        .transform_aggregate(last_month="argmax(month)", groupby=["region"])
    )
    return line + last


@chart("repeat-brush", data=["sales"])
def repeat_brush(sales):
    brush = alt.selection_interval(encodings=["x"])
    base = alt.Chart().mark_bar().encode(x=alt.X(alt.repeat("column"), type="quantitative", bin=alt.Bin(maxbins=5)), y="count()")
    background = base.encode(color=alt.value("#ddd")).add_params(brush)
    return alt.layer(background, base.transform_filter(brush), data=sales).repeat(column=["amount", "units"])


@chart("matrix", data=["sales"])
def matrix(sales):
    return (
        alt.Chart(sales)
        .mark_circle()
        .encode(alt.X(alt.repeat("column"), type="quantitative"), alt.Y(alt.repeat("row"), type="quantitative"), color="region:N")
        .properties(width=150, height=150)
        .repeat(row=["amount", "units"], column=["units", "amount"])
        .interactive()
    )


@chart("years-as-text")
def years_as_text():
    towns = pd.DataFrame({"year": ["1875", "1890", "1910"], "people": [1309, 1558, 4512]})
    return alt.Chart(towns).mark_line().encode(x="year:T", y="people:Q")


@chart("squares-map", data=["squares"])
def squares_map(squares):
    return alt.Chart(squares.feature("squares")).mark_geoshape(stroke="white").encode(color="properties.name:N").project("identity", reflectY=True)


@chart("towns-map", data=["squares", "towns"])
def towns_map(squares, towns):
    land = alt.Chart(squares.feature("squares")).mark_geoshape(fill="#ddd", stroke="white")
    places = alt.Chart(towns.features()).mark_circle().encode(longitude="lon:Q", latitude="lat:Q", size="people:Q", tooltip=["town:N"])
    places = places.transform_calculate(lon="datum.geometry.coordinates[0]", lat="datum.geometry.coordinates[1]")
    return (land + places).project("equirectangular")


@chart("faceted", data=["sales"])
def faceted(sales):
    return alt.Chart(sales).mark_area().encode(x="month:T", y="amount:Q", row="region:N")


@chart("spread", data=["sales"])
def spread(sales):
    return alt.Chart(sales).mark_boxplot(extent="min-max").encode(x="region:N", y="amount:Q")


@chart("shares", data=["sales"])
def shares(sales):
    return alt.Chart(sales).mark_bar().encode(x=alt.X("sum(amount):Q", stack="normalize"), y="region:N", color="category:N")


@chart("years-as-numbers")
def years_as_numbers():
    wheat = pd.DataFrame({"year": [1565, 1570, 1575], "price": [41, 45, 42]})
    return alt.Chart(wheat).mark_line().encode(x="year:T", y="price:Q")

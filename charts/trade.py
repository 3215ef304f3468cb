"""Trade: North Korea-China goods trade as compiled by KOTRA, Statistics Korea and China customs.

The compilations differ and are revised, so each compiler keeps its own colour and is
never joined to another by a line. China customs (GACC) and Statistics Korea have the
colours site.toml gives them on every page; KOTRA is grey.
"""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd
from actors import STATISTICS_KOREA, color_of  # sibling module: the site's colours
from after import GACC, GACC_BLUE, KOTRA_GREY, closure_band  # sibling module: the shared colours and band

from broadsheet import chart

FIRST_YEAR, LAST_YEAR = 2012, 2025
STATS_KOREA_TEXT = "#00676B"  # Statistics Korea's teal, dark enough for text (6.7:1 on white)
COMPILER_COLOURS = {GACC: GACC_BLUE, "KOTRA": KOTRA_GREY, STATISTICS_KOREA: color_of(STATISTICS_KOREA)}
# Where two compilers give a figure for the same year, KOTRA sits a little left of the
# year and China customs a little right, so neither hides the other.
NUDGE = {"KOTRA": -0.16, GACC: 0.16, "Statistics Korea": 0.0}


def _compiler(series: pd.Series) -> pd.Series:
    """KOTRA's preliminary and annual-report figures are one compiler, told apart in the tooltip."""
    return series.where(~series.str.startswith("KOTRA"), "KOTRA")


def _x() -> alt.X:
    return alt.X(
        "x_pos:Q",
        title=None,
        scale=alt.Scale(domain=[FIRST_YEAR - 0.6, LAST_YEAR + 0.6], nice=False),
        axis=alt.Axis(values=list(range(FIRST_YEAR, LAST_YEAR + 1)), format="d", grid=False, labelAngle=0, labelOverlap=False),
    )


def _placed(rows: pd.DataFrame) -> pd.DataFrame:
    """Add the compiler and an x position nudged only in years that two compilers share."""
    rows = rows.copy()
    rows["compiler"] = _compiler(rows["data_series"])
    shared = rows.groupby("year")["compiler"].transform("nunique") > 1
    rows["x_pos"] = rows["year"].astype("float64") + rows["compiler"].map(NUDGE).where(shared, 0.0)
    return rows


def _colour(legend: alt.Legend | None = None) -> alt.Color:
    """Each compiler's colour (no legend, but on a phone: the direct labels have no room there)."""
    scale = alt.Scale(domain=list(COMPILER_COLOURS), range=list(COMPILER_COLOURS.values()))
    return alt.Color("compiler:N", title=None, scale=scale, legend=legend)


def _note(x_pos: float, y: float, text: str | list[str], field: str, **mark: Any) -> alt.Chart:
    """A text label at (x_pos, y); ``mark`` is any text-mark properties (fontSize, color, dy...), Any as their types differ by name."""
    frame = pd.DataFrame({"x_pos": [x_pos], field: [y], "text": ["\n".join(text) if isinstance(text, list) else text]})
    # named with its type: mypy reads altair's mark_* methods as returning Any
    mark = {"fontSize": 12, "lineBreak": "\n", **mark}
    note: alt.Chart = alt.Chart(frame).mark_text(**mark).encode(x=_x(), y=alt.Y(f"{field}:Q"), text="text:N")
    return note


# On a phone a year is 18 px wide: the values labelled there are China customs' turning
# points and KOTRA's first (every value is in the chart's table and tooltips).
NARROW_VALUES = {GACC: (2017, 2021, 2025), "KOTRA": (2013,)}


@chart(
    "trade-totals",
    data=["china_nk_trade"],
    table={
        "columns": {
            "year": "Year",
            "data_series": "Compiled by",
            "total_trade_usd_billion": "Total trade (US$ billion)",
            "total_trade_change_pct_as_reported": "Change on a year before, as reported (%)",
            "source_name": "Source",
        },
        "sort": ["year", "data_series"],
    },
)
def trade_totals(china_nk_trade: pd.DataFrame, layout: str = "wide") -> alt.LayerChart:
    """Annual total trade: China customs as a line broken at missing years, KOTRA as grey dots."""
    narrow = layout == "narrow"
    rows = _placed(china_nk_trade[china_nk_trade["total_trade_usd_billion"].notna()])
    years = pd.DataFrame({"year": pd.array(range(FIRST_YEAR, LAST_YEAR + 1), dtype="Int64")})
    gacc = years.merge(rows[rows["compiler"] == GACC], on="year", how="left")
    gacc["x_pos"] = gacc["x_pos"].fillna(gacc["year"].astype("float64"))
    x, y = _x(), alt.Y("total_trade_usd_billion:Q", title="US$ billion", scale=alt.Scale(domain=[0, 7.5], nice=False))
    tooltip = [
        alt.Tooltip("year:O", title="Year"),
        alt.Tooltip("data_series:N", title="Compiled by"),
        alt.Tooltip("total_trade_usd_billion:Q", title="Total trade (US$ bn)", format=".3~f"),
        alt.Tooltip("total_trade_change_pct_as_reported:Q", title="Change on year, as reported (%)"),
        alt.Tooltip("source_name:N", title="Source"),
        alt.Tooltip("notes:N", title="Notes"),
    ]
    line = alt.Chart(gacc).mark_line(color=GACC_BLUE, strokeWidth=2.5, invalid="break-paths-show-domains").encode(x=x, y=y)
    kotra = rows["compiler"] == "KOTRA"
    dots = (
        alt.Chart(rows)
        .mark_point(size=70, strokeWidth=2, opacity=1)
        .encode(
            x=x,
            y=y,
            color=_colour(),
            fill=alt.condition("datum.compiler == 'KOTRA'", alt.value("transparent"), alt.value(GACC_BLUE)),  # (open on either page)
            tooltip=tooltip,
        )
    )
    value = alt.Text("total_trade_usd_billion:Q", format=".3~f")
    # KOTRA's values go above its dots and China's below, so the labels of shared years stay apart;
    # KOTRA's two 2014 figures (6.39 preliminary, 6.36 annual report) share one label.
    kotra_rows, gacc_rows = rows[kotra & (rows["year"] != 2014)], rows[~kotra]
    lowest = gacc_rows["year"] == -1
    if narrow:  # (and the lowest value above its dot, clear of the year labels)
        kotra_rows = kotra_rows[kotra_rows["year"].isin(NARROW_VALUES["KOTRA"])]
        gacc_rows = gacc_rows[gacc_rows["year"].isin(NARROW_VALUES[GACC])]
        lowest = gacc_rows["total_trade_usd_billion"] == gacc_rows["total_trade_usd_billion"].min()
    above = alt.Chart(kotra_rows).mark_text(dy=-11, fontSize=11, color=KOTRA_GREY).encode(x=x, y=y, text=value)
    under = alt.Chart(gacc_rows[~lowest]).mark_text(dy=14, fontSize=11, fontWeight="bold", color=GACC_BLUE).encode(x=x, y=y, text=value)
    low = alt.Chart(gacc_rows[lowest]).mark_text(dy=-12, fontSize=11, fontWeight="bold", color=GACC_BLUE).encode(x=x, y=y, text=value)
    field = "total_trade_usd_billion"
    notes = [
        _note(2014.0, 6.39, "6.39, 6.36", field, dy=-11, fontSize=11, color=KOTRA_GREY),
        _note(2012.0, 0.3, "no total found", field, fontSize=11, color=KOTRA_GREY),
        _note(2016.0, 0.3, "no total found", field, fontSize=11, color=KOTRA_GREY),
        _note(2013.3, 4.3, "KOTRA (open dots)", field, align="left", color=KOTRA_GREY),
        _note(2019.0, 3.5, "China customs", field, color=GACC_BLUE, fontWeight="bold"),
    ]
    if narrow:  # (the compilers are named in the legend)
        notes = [_note(FIRST_YEAR - 0.5, 0.3, "no total found: 2012, 2016", field, align="left", fontSize=11, color=KOTRA_GREY)]
        dots = dots.encode(color=_key("color", [GACC_BLUE, KOTRA_GREY]), fill=_key("fill", [GACC_BLUE, "transparent"]))
    return alt.LayerChart(layer=[closure_band(x, field, 7.5), line, dots, above, under, low, *notes]).properties(height=340)


def _key(channel: str, colours: list[str]) -> Any:
    """China customs and KOTRA in one legend on top: the stroke and the fill of their dots."""
    scale = alt.Scale(domain=[GACC, "KOTRA"], range=colours)
    legend = alt.Legend(orient="top", direction="vertical", title=None)
    return alt.Color("compiler:N", scale=scale, legend=legend) if channel == "color" else alt.Fill("compiler:N", scale=scale, legend=legend)


@chart(
    "trade-components",
    data=["china_nk_trade"],
    table={
        "columns": {
            "year": "Year",
            "compiler": "Compiled by",
            "nk_imports_from_china_usd_billion": "North Korea's imports from China (US$ billion)",
            "nk_exports_to_china_usd_billion": "North Korea's exports to China (US$ billion)",
            "source_name": "Source",
        },
        "sort": ["year", "compiler"],
    },
)
def trade_components(china_nk_trade: pd.DataFrame, layout: str = "wide") -> alt.LayerChart:
    """Imports from China (filled) and exports to China (open) for each year and compiler, joined by the gap between them.

    On a phone (a year is 18 px wide) the compilers are named in a legend, "none" stands
    upright in its year, and the open dots are explained where the plot is empty."""
    narrow = layout == "narrow"
    flows = china_nk_trade[china_nk_trade[["nk_exports_to_china_usd_billion", "nk_imports_from_china_usd_billion"]].notna().any(axis=1)]
    rows = _placed(flows)
    x = _x()
    y = alt.Y("nk_imports_from_china_usd_billion:Q", title="US$ billion", scale=alt.Scale(domain=[0, 4]))
    tooltip = [
        alt.Tooltip("year:O", title="Year"),
        alt.Tooltip("data_series:N", title="Compiled by"),
        alt.Tooltip("nk_imports_from_china_usd_billion:Q", title="North Korea's imports from China (US$ bn)", format=".3~f"),
        alt.Tooltip("nk_exports_to_china_usd_billion:Q", title="North Korea's exports to China (US$ bn)", format=".3~f"),
        alt.Tooltip("source_name:N", title="Source"),
    ]
    base = alt.Chart(rows).encode(x=x, color=_colour(alt.Legend(orient="top", symbolOpacity=1) if narrow else None), tooltip=tooltip)
    gap = base.mark_rule(strokeWidth=3, opacity=0.45).encode(y=y, y2="nk_exports_to_china_usd_billion:Q")
    imports = base.mark_circle(size=80, opacity=1).encode(y=y)
    exports = base.mark_point(size=80, strokeWidth=2, filled=False, opacity=1).encode(y=alt.Y("nk_exports_to_china_usd_billion:Q"))
    field = "nk_imports_from_china_usd_billion"
    missing = [yr for yr in range(FIRST_YEAR, LAST_YEAR + 1) if yr not in set(rows["year"])]
    no_split = pd.DataFrame({"x_pos": [float(yr) for yr in missing], field: 0.12, "text": "none"})
    notes = [
        _note(2017.8, 0.213, "exports to China", field, align="right"),
        _note(2012.0, 3.85, "KOTRA", field, color=KOTRA_GREY, fontWeight="bold"),
        _note(2015.5, 3.85, "Statistics Korea", field, color=STATS_KOREA_TEXT, fontWeight="bold"),
        _note(2018.0, 2.6, "China customs", field, color=GACC_BLUE, fontWeight="bold"),
    ]
    none = alt.Chart(no_split).mark_text(fontSize=10, angle=0, color=KOTRA_GREY)
    if narrow:
        notes = [_note(FIRST_YEAR - 0.4, 1.0, ["open dots:", "exports to China"], field, align="left")]
        none = alt.Chart(no_split.assign(**{field: 0.04})).mark_text(fontSize=10, angle=270, align="left", color=KOTRA_GREY)
    layers = [
        closure_band(x, field, 4),
        gap,
        imports,
        exports,
        _note(2018.2, 2.22, "imports from China", field, align="left"),
        *notes,
        none.encode(x=x, y=alt.Y(f"{field}:Q"), text="text:N"),
    ]
    return alt.LayerChart(layer=layers).properties(height=320)

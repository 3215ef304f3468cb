"""Sanctions: which goods and activities each UN resolution restricted, and how hard.

The grid is a reading of the ``key_measures`` column of ``unsc_resolutions``. Each
cell names the phrase it rests on, and the chart refuses to build if that phrase is
no longer in the data, so the classification cannot drift away from its source.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from broadsheet import chart

BAN = "Ban"
EXEMPT = "Ban with livelihood exemption"
CAP = "Cap or freeze"
OTHER = "Other restriction"
LEVELS = [BAN, EXEMPT, CAP, OTHER]

# (row label, resolution, level, phrase that must appear in that resolution's key_measures)
MEASURES: list[tuple[str, int, str, str]] = [
    ("Arms, nuclear and missile items", 1695, OTHER, "missile-related transfers"),
    ("Arms, nuclear and missile items", 1718, BAN, "heavy arms, nuclear/missile items"),
    ("Arms, nuclear and missile items", 1874, BAN, "wider arms embargo"),
    ("Luxury goods", 1718, BAN, "luxury goods"),
    ("Luxury goods", 2094, OTHER, "luxury-goods curbs"),
    ("Asset freezes and travel bans", 1718, BAN, "asset freeze and travel ban"),
    ("Asset freezes and travel bans", 1874, OTHER, "new designations"),
    ("Asset freezes and travel bans", 2087, OTHER, "adds 6 entities and 4 individuals"),
    ("Asset freezes and travel bans", 2094, OTHER, "new designations"),
    ("Asset freezes and travel bans", 2356, OTHER, "adds individuals and entities"),
    ("Asset freezes and travel bans", 2371, OTHER, "9 individuals and 4 entities designated"),
    ("Finance and bulk cash", 1695, OTHER, "related financial transfers"),
    ("Finance and bulk cash", 1874, OTHER, "targeted financial restrictions"),
    ("Finance and bulk cash", 2094, OTHER, "financial sanctions incl. on bulk cash"),
    ("Cargo inspection", 1718, OTHER, "cargo inspection"),
    ("Cargo inspection", 1874, OTHER, "inspection and destruction of banned cargo"),
    ("Cargo inspection", 2094, OTHER, "stronger cargo inspection"),
    ("Cargo inspection", 2270, OTHER, "mandatory inspection of all DPRK cargo"),
    ("Cargo inspection", 2397, OTHER, "ship seizure powers"),
    ("Coal exports", 2270, EXEMPT, "coal, iron and iron ore (livelihood exemption)"),
    ("Coal exports", 2321, CAP, "annual cap on DPRK coal exports"),
    ("Coal exports", 2371, BAN, "full ban on DPRK exports of coal"),
    ("Iron and iron ore exports", 2270, EXEMPT, "coal, iron and iron ore (livelihood exemption)"),
    ("Iron and iron ore exports", 2371, BAN, "iron, iron ore"),
    ("Gold, titanium, rare earths", 2270, BAN, "gold, titanium, rare earths"),
    ("Aviation and rocket fuel supply", 2270, BAN, "aviation/rocket fuel ban"),
    ("Copper, nickel, silver, zinc", 2321, BAN, "copper, nickel, silver, zinc"),
    ("Lead and lead ore exports", 2371, BAN, "lead, lead ore"),
    ("Seafood exports", 2371, BAN, "seafood"),
    ("New joint ventures", 2371, BAN, "ban on new joint ventures"),
    ("New joint ventures", 2375, BAN, "joint-venture ban"),
    ("Workers abroad", 2371, CAP, "freeze on new work authorizations"),
    ("Workers abroad", 2375, CAP, "no new work permits"),
    ("Workers abroad", 2397, OTHER, "repatriation of DPRK workers within 24 months"),
    ("Textile exports", 2375, BAN, "textile export ban"),
    ("Condensate and natural gas liquids supply", 2375, BAN, "ban on condensate and natural gas liquid supplies"),
    ("Refined petroleum supply", 2375, CAP, "refined petroleum capped"),
    ("Refined petroleum supply", 2397, CAP, "refined petroleum cap cut to 500,000 barrels"),
    ("Crude oil supply", 2375, CAP, "crude oil frozen at prior 12-month level"),
    ("Crude oil supply", 2397, CAP, "crude oil capped at 4 million barrels"),
    ("Food, machinery, wood, vessels and other exports", 2397, BAN, "food and farm products, machinery, electrical equipment"),
    ("Machinery, vehicles and metals supply", 2397, BAN, "industrial machinery, vehicles, iron, steel"),
]


def _cells(unsc_resolutions: pd.DataFrame) -> pd.DataFrame:
    by_number = unsc_resolutions.set_index(unsc_resolutions["resolution"].astype(int))
    rows = []
    for sector, number, level, phrase in MEASURES:
        resolution = by_number.loc[number]
        if phrase not in resolution["key_measures"]:
            raise ValueError(f"resolution {number}: key_measures no longer mentions {phrase!r}")
        rows.append(
            {
                "sector": sector,
                "column": f"{number} {resolution['adoption_date']:%Y}",
                "resolution": resolution["resolution"],
                "number": number,
                "adoption_date": resolution["adoption_date"],
                "level": level,
                "basis": phrase,
                "key_measures": resolution["key_measures"],
            }
        )
    return pd.DataFrame(rows)


@chart("sanctions-grid", data=["unsc_resolutions"])
def sanctions_grid(unsc_resolutions: pd.DataFrame) -> alt.Chart:
    """A grid of resolutions (columns) by sector (rows), coloured by the strength of the measure."""
    cells = _cells(unsc_resolutions)
    columns = [f"{int(r['resolution'])} {r['adoption_date']:%Y}" for _, r in unsc_resolutions.iterrows()]
    sectors = list(dict.fromkeys(sector for sector, *_ in MEASURES))
    return (
        alt.Chart(cells)
        .mark_point(filled=True, shape="square", size=150, opacity=1)
        .encode(
            x=alt.X(
                "column:O",
                title="Resolution and year adopted",
                sort=columns,
                scale=alt.Scale(domain=columns),
                axis=alt.Axis(orient="top", labelAngle=0, labelExpr="split(datum.label, ' ')", labelPadding=18),
            ),
            y=alt.Y("sector:N", title=None, sort=sectors, axis=alt.Axis(labelLimit=320)),
            color=alt.Color("level:N", title="Measure", scale=alt.Scale(domain=LEVELS), legend=alt.Legend(orient="bottom")),
            shape=alt.Shape("level:N", title="Measure", scale=alt.Scale(domain=LEVELS), legend=alt.Legend(orient="bottom")),
            tooltip=[
                alt.Tooltip("resolution:N", title="Resolution"),
                alt.Tooltip("adoption_date:T", title="Adopted", format="%-d %B %Y"),
                alt.Tooltip("sector:N", title="Area"),
                alt.Tooltip("level:N", title="Measure"),
                alt.Tooltip("key_measures:N", title="Key measures (all)"),
            ],
        )
        .properties(width=alt.Step(44), height=alt.Step(20))
    )

"""Sanctions: which goods and activities each UN resolution restricted, and how hard.

The grid is a reading of the ``key_measures`` column of ``unsc_resolutions``. Each
cell names the phrase it rests on, and the chart refuses to build if that phrase is
no longer in the data, so the classification cannot drift away from its source.
"""

from __future__ import annotations

import re
from typing import NamedTuple

import altair as alt
import pandas as pd
from actors import UN_COUNCIL, color_of  # sibling module: the site's colours

from broadsheet import chart

BAN = "Ban"
EXEMPT = "Ban with livelihood exemption"
CAP = "Cap or freeze"
OTHER = "Other restriction"
LEVELS = [BAN, EXEMPT, CAP, OTHER]
# Every measure is the Council's, in its colour; how strong it is shows in how full its
# square is, not in another actor's colour: a full square for a ban, a square with a small
# hole for a ban with an exemption, a wide frame for a cap, a thin frame for the rest.


def _frame(width: float) -> str:
    """A square of side 2 (the unit Vega scales a symbol from) with a square hole: the
    hole is drawn the other way round, so the nonzero fill rule leaves it empty."""
    inner = 1 - width
    return f"M-1,-1H1V1H-1Z M{-inner:g},{-inner:g}V{inner:g}H{inner:g}V{-inner:g}Z"


LEVEL_SHAPES = ["M-1,-1H1V1H-1Z", _frame(0.62), _frame(0.38), _frame(0.18)]
ERA_NAMES = ("2006-2013: weapons and names", "2016-2017: the export economy")

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
    # 2375 ordered existing joint ventures closed within 120 days (para. 18), a step beyond 2371
    ("Existing joint ventures closed", 2375, BAN, "joint-venture ban"),
    # 2371 capped the total of work authorisations at its level; 2375 banned new ones outright
    ("Workers abroad", 2371, CAP, "freeze on new work authorizations"),
    ("Workers abroad", 2375, BAN, "no new work permits"),
    # 2397 required every North Korean worker abroad to be sent home: a ban, not a lesser step
    ("Workers abroad", 2397, BAN, "repatriation of DPRK workers within 24 months"),
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
                "era": ERA_NAMES[0] if resolution["adoption_date"].year < 2016 else ERA_NAMES[1],
                "resolution": resolution["resolution"],
                "number": number,
                "adoption_date": resolution["adoption_date"],
                "level": level,
                "basis": phrase,
                "key_measures": resolution["key_measures"],
            }
        )
    return pd.DataFrame(rows)


@chart(
    "sanctions-grid",
    data=["unsc_resolutions"],
    table={
        "columns": {"resolution": "Resolution", "adoption_date": "Adopted", "sector": "Area", "level": "Measure"},
        "sort": "adoption_date",
    },
)
def sanctions_grid(unsc_resolutions: pd.DataFrame) -> alt.FacetChart:
    """A grid of resolutions (columns) by sector (rows), split into the two eras; a square's
    fill says how strong the measure is."""
    cells = _cells(unsc_resolutions).assign(acted=UN_COUNCIL)
    sectors = list(dict.fromkeys(sector for sector, *_ in MEASURES))
    legend = alt.Legend(orient="bottom", columns=2, symbolFillColor=color_of(UN_COUNCIL), symbolStrokeWidth=0, symbolSize=150)
    grid: alt.FacetChart = (  # named with its type: mypy reads altair's resolve_scale as returning Any
        alt.Chart(cells)
        .mark_point(filled=True, size=150, opacity=1, strokeWidth=0)
        .encode(
            x=alt.X(
                "column:O",
                title=None,
                sort=alt.SortField("adoption_date"),
                axis=alt.Axis(orient="top", labelAngle=0, labelExpr="split(datum.label, ' ')", labelPadding=18),
            ),
            y=alt.Y("sector:N", title=None, sort=sectors, axis=alt.Axis(labelLimit=320)),
            color=alt.Color("acted:N", title=None, scale=alt.Scale(domain=[UN_COUNCIL]), legend=None),
            shape=alt.Shape("level:N", title="Measure", scale=alt.Scale(domain=LEVELS, range=LEVEL_SHAPES), legend=legend),
            tooltip=[
                alt.Tooltip("resolution:N", title="Resolution"),
                alt.Tooltip("adoption_date:T", title="Adopted", format="%-d %B %Y"),
                alt.Tooltip("sector:N", title="Area"),
                alt.Tooltip("level:N", title="Measure"),
                alt.Tooltip("key_measures:N", title="Key measures (all)"),
            ],
        )
        .properties(width=alt.Step(40), height=alt.Step(20))
        .facet(
            row=alt.Row(
                "era:N",
                title=None,
                sort=list(ERA_NAMES),
                header=alt.Header(
                    labelAngle=0, labelOrient="top", labelFontWeight="bold", labelAlign="left", labelAnchor="start", labelFontSize=13
                ),
            ),
            spacing=12,
        )
        .resolve_scale(x="independent", y="independent")
    )
    return grid


# The Council's members as rows of the vote matrix: the five permanent members by name,
# the ten elected members (who change every two years) as one row.
PERMANENT = ["China", "Russia", "United States", "United Kingdom", "France"]
ELECTED = "Ten elected members"
IN_FAVOUR, AGAINST, ABSTAINED = "In favour", "Against (veto)", "Abstained"
ERAS = ("Sanctions resolutions, 2006-2017", "Panel renewals and vetoed drafts, 2018-2024")
# An abstention: a ring (an outer circle and, drawn the other way round, a hole), in the
# unit square Vega scales a symbol from.
RING = "M0,-1A1,1,0,1,1,0,1A1,1,0,1,1,0,-1ZM0,-0.55A0.55,0.55,0,1,0,0,0.55A0.55,0.55,0,1,0,0,-0.55Z"


class Vote(NamedTuple):
    """One Security Council vote, read from a row of unsc_resolutions or unsc_votes.

    (A NamedTuple: chart modules are loaded outside sys.modules, where dataclasses fail.)
    """

    label: str  # "2270 2016" or "Draft May 2022"
    date: pd.Timestamp
    era: str
    in_favour: int
    against: tuple[str, ...]
    abstained: tuple[str, ...]
    as_reported: str


def _votes(unsc_resolutions: pd.DataFrame, unsc_votes: pd.DataFrame) -> list[Vote]:
    # Rows as Series (iterrows): a cell's type is the dataset schema's, unknown to mypy (Any).
    votes = [
        Vote(
            f"{int(r['resolution'])} {r['adoption_date']:%Y}",
            r["adoption_date"],
            ERAS[0],
            int(r["vote_in_favour"]),
            (),
            (),
            r["vote_as_reported"],
        )
        for _, r in unsc_resolutions.iterrows()
    ]
    for _, r in unsc_votes.iterrows():
        # 2397 is a reference row repeated from unsc_resolutions; unvoted drafts have no vote
        if r["date"] <= votes[-1].date or pd.isna(r["vote_in_favour"]):
            continue
        number = re.search(r"resolution (\d+)", r["draft_or_resolution"])
        label = f"{number.group(1)} {r['date']:%Y}" if number else f"Draft {r['date']:%Y}"
        against = tuple(m.strip() for m in str(r["vetoed_by"]).split(";")) if isinstance(r["vetoed_by"], str) else ()
        abstained = tuple(m for m in PERMANENT if re.search(rf"{m}\w* abstain", r["vote_as_reported"]))
        votes.append(Vote(label, r["date"], ERAS[1], int(r["vote_in_favour"]), against, abstained, r["vote_as_reported"]))
    return votes


def _positions(vote: Vote) -> list[tuple[str, str]]:
    """Each member's position; refuses to guess when the counts do not add up."""
    positions = [(m, AGAINST if m in vote.against else ABSTAINED if m in vote.abstained else IN_FAVOUR) for m in PERMANENT]
    permanent_for = sum(1 for _, p in positions if p == IN_FAVOUR)
    if vote.in_favour - permanent_for != 10:
        raise ValueError(f"{vote.label}: {vote.in_favour} in favour does not leave all ten elected members in favour")
    return [*positions, (ELECTED, IN_FAVOUR)]


@chart(
    "council-votes",
    data=["unsc_resolutions", "unsc_votes"],
    table={
        "columns": {"vote": "Vote", "date": "Date"},
        "pivot": {"columns": "member", "values": "position"},
        "sort": "date",
    },
)
def council_votes(unsc_resolutions: pd.DataFrame, unsc_votes: pd.DataFrame, layout: str = "wide") -> alt.FacetChart:
    """A members x votes matrix: unanimous from 2006 until the vetoes of 2022 and 2024.

    A vote is a form, not a colour (the site's colours are its actors): a small dot in
    favour, a large cross for a veto, a ring for an abstention, in the page's ink, so that
    every cell shows on the light and the dark page. On a phone a column is 20 px wide:
    every vote's heading stands upright on one line (none is left out)."""
    narrow = layout == "narrow"
    rows = [
        {
            "member": member,
            "position": position,
            "vote": vote.label,
            "era": vote.era,
            "date": vote.date,
            "vote_as_reported": vote.as_reported,
        }
        for vote in _votes(unsc_resolutions, unsc_votes)
        for member, position in _positions(vote)
    ]
    cells = pd.DataFrame(rows)
    members = [*PERMANENT, ELECTED]
    heading = alt.Axis(orient="top", labelAngle=0, labelExpr="split(datum.label, ' ')", labelPadding=18, ticks=False, domain=False)
    if narrow:
        heading = alt.Axis(
            orient="top", labelAngle=-90, labelAlign="left", labelBaseline="middle", labelOverlap=False, ticks=False, domain=False
        )
    x = alt.X("vote:O", title=None, sort=alt.SortField("date"), axis=heading)
    y = alt.Y("member:N", title=None, sort=members, axis=alt.Axis(labelLimit=200, ticks=False, domain=False))
    tooltip = [
        alt.Tooltip("vote:N", title="Vote"),
        alt.Tooltip("date:T", title="Date", format="%-d %B %Y"),
        alt.Tooltip("member:N", title="Member"),
        alt.Tooltip("position:N", title="Position"),
        alt.Tooltip("vote_as_reported:N", title="Vote as reported"),
    ]
    positions = [IN_FAVOUR, AGAINST, ABSTAINED]
    legend = alt.Legend(title=None, orient="bottom", symbolFillColor="#1a1a1a", symbolStrokeWidth=0)
    form = alt.Shape("position:N", scale=alt.Scale(domain=positions, range=["circle", "cross", RING]), legend=legend)
    size = alt.Size("position:N", scale=alt.Scale(domain=positions, range=[30, 220, 170]), legend=legend)
    squares = alt.Chart().mark_rect(filled=False, stroke="#555555", strokeWidth=1).encode(x=x, y=y, tooltip=tooltip)
    votes = alt.Chart().mark_point(filled=True, opacity=1, color="#1a1a1a").encode(x=x, y=y, shape=form, size=size, tooltip=tooltip)
    matrix: alt.FacetChart = (  # named with its type: mypy reads altair's resolve_scale as returning Any
        alt.LayerChart(layer=[squares, votes], data=cells)
        .properties(width=alt.Step(31), height=alt.Step(28))
        .facet(
            row=alt.Row(
                "era:N",
                title=None,
                sort=list(ERAS),
                header=alt.Header(
                    labelAngle=0, labelOrient="top", labelFontWeight="bold", labelAlign="left", labelAnchor="start", labelFontSize=13
                ),
            ),
            spacing=12,
        )
        .resolve_scale(x="independent")
    )
    return matrix

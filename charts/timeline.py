"""Timelines: who acted when in 2016-2017 (China's measures numbered), and every event by phase."""

from __future__ import annotations

import json
import re

import altair as alt
import pandas as pd
from actors import ALLIES, CHINA_CUSTOMS, CHINA_GOVERNMENT, NORTH_KOREA, RUSSIA, UN_COUNCIL  # sibling module: the site's colours

from broadsheet import chart

# Lanes name what happened; the colour says who acted, as on the home page and the timeline.
LANES = {
    "nuclear_test": "Nuclear tests",
    "missile_launch": "Launches (a selection)",
    "unsc_resolution": "UN resolutions",
    "china_measure": "China's measures",
    "us_sanction": "US sanctions",
    "thaad": "THAAD decisions",
}
LANE_ACTORS = {
    "nuclear_test": NORTH_KOREA,
    "missile_launch": NORTH_KOREA,
    "unsc_resolution": UN_COUNCIL,
    "china_measure": CHINA_GOVERNMENT,
    "us_sanction": ALLIES,
    "thaad": ALLIES,
}
ACTORS = list(dict.fromkeys(LANE_ACTORS.values()))
# Through January 2018, so that China's notice implementing resolution 2397 is shown
START, END = pd.Timestamp("2016-01-01"), pd.Timestamp("2018-02-01")


@chart(
    "china-response-timeline",
    data=["timeline"],
    table={
        "columns": {"date": "Date", "actor": "Who", "event": "Event", "source_name": "Source"},
        "sort": "date",
    },
)
def china_response_timeline(timeline: pd.DataFrame) -> alt.LayerChart:
    """Events of 2016 to January 2018 in lanes by actor; China's six measures numbered, resolutions named."""
    events = timeline[(timeline["date"] >= START) & (timeline["date"] < END) & timeline["event_type"].isin(LANES)].copy()
    events["lane"] = events["event_type"].map(LANES)
    events["acted"] = events["event_type"].map(LANE_ACTORS)
    china = events["event_type"] == "china_measure"
    events["label"] = ""
    events.loc[china, "label"] = [str(i) for i in range(1, int(china.sum()) + 1)]
    resolutions = events["event_type"] == "unsc_resolution"
    events.loc[resolutions, "label"] = events.loc[resolutions, "event"].map(_resolution_number)
    events = events[["date", "lane", "acted", "actor", "event", "source_name", "label"]]
    lanes = list(LANES.values())
    x = alt.X(
        "date:T",
        title=None,
        scale=alt.Scale(domain=[(START - pd.Timedelta(days=20)).isoformat(), END.isoformat()]),  # room for 6 Jan 2016
        axis=alt.Axis(format="%b %Y", tickCount={"interval": "month", "step": 3}, labelAngle=0),
    )
    y = alt.Y("lane:N", title=None, sort=lanes, axis=alt.Axis(labelLimit=260))
    tooltip = [
        alt.Tooltip("date:T", title="Date", format="%-d %B %Y"),
        alt.Tooltip("actor:N", title="Actor"),
        alt.Tooltip("event:N", title="Event"),
        alt.Tooltip("source_name:N", title="Source"),
    ]
    base = alt.Chart(events).encode(x=x, y=y, tooltip=tooltip)
    points = base.mark_point(filled=True, size=110, opacity=1).encode(
        shape=alt.Shape("lane:N", sort=lanes, legend=None),
        color=alt.Color("acted:N", title=None, scale=alt.Scale(domain=ACTORS), legend=alt.Legend(orient="top", columns=2)),
    )
    # Resolutions come weeks apart in 2017: their numbers stand on three levels in turn.
    numbers = list(events.loc[resolutions, "label"])
    levels = [json.dumps(numbers[level::3]) for level in range(3)]
    labels = [
        base.transform_filter(
            f"indexof({on}, datum.label) >= 0"
            if level
            else f"datum.label != '' && indexof({levels[1]}, datum.label) < 0 && indexof({levels[2]}, datum.label) < 0"
        )
        .mark_text(baseline="bottom", dy=-9 - 14 * level, fontSize=12, fontWeight="bold")
        .encode(text="label:N")
        for level, on in enumerate(levels)
    ]
    return alt.LayerChart(layer=[points, *labels]).properties(height=alt.Step(60))


def _resolution_number(event: str) -> str:
    found = re.search(r"Resolution (\d+)", event)
    return found.group(1) if found else ""


# The phased timeline: every row of the timeline data, listed down the page in date order,
# one panel per phase, each row labelled with its date and a short label. Empty years
# (2007-08, 2010-11, 2014-15) fall between panels instead of taking up space.
PHASES = [
    ("2006-2013: tests answered by arms and luxury sanctions", "2006-01-01"),
    ("2016-January 2018: the economic squeeze", "2016-01-01"),
    ("2018-2019: summits and a push to ease sanctions", "2018-02-01"),
    ("2020-2026: border closure, a split Council and Russia", "2020-01-01"),
]
# Who acted, by kind of event; summits and the monitoring team by the actor in the row's
# ``actor`` column other than North Korea (the MSMT is eleven states outside the UN).
KINDS = {
    "nuclear_test": NORTH_KOREA,
    "missile_launch": NORTH_KOREA,
    "border_closure": NORTH_KOREA,
    "unsc_resolution": UN_COUNCIL,
    "unsc_vote": UN_COUNCIL,
    "china_measure": CHINA_GOVERNMENT,
    "trade_data": CHINA_CUSTOMS,
    "us_sanction": ALLIES,
    "thaad": ALLIES,
    "russia_dprk": RUSSIA,
}
GROUPS = [NORTH_KOREA, UN_COUNCIL, CHINA_GOVERNMENT, CHINA_CUSTOMS, ALLIES, RUSSIA]


def _group(event_type: str, actor: str) -> str:
    """The colour group of one timeline row."""
    if event_type in KINDS:
        return KINDS[event_type]
    if event_type == "sanctions_monitoring":
        return UN_COUNCIL if actor.startswith("UN ") else ALLIES
    if event_type == "summit":  # (the other party to a summit with North Korea)
        return CHINA_GOVERNMENT if "China" in actor else RUSSIA if "Russia" in actor else ALLIES
    raise ValueError(f"timeline event type {event_type!r} has no colour group")


# Short labels, one per row of timeline.csv by date, written for the chart; the chart
# refuses to build if a row has none, so a new row cannot silently go unlabelled.
SHORT = {
    "2006-07-05": "Missile launches, incl. Taepodong-2",
    "2006-07-15": "UN resolution 1695",
    "2006-10-09": "First nuclear test",
    "2006-10-14": "UN resolution 1718; sanctions committee",
    "2009-05-25": "Second nuclear test",
    "2009-06-12": "UN resolution 1874",
    "2012-12-12": "Unha-3 satellite launch",
    "2013-01-22": "UN resolution 2087",
    "2013-02-12": "Third nuclear test",
    "2013-03-07": "UN resolution 2094",
    "2016-01-06": "Fourth nuclear test",
    "2016-02-07": "Unha-3 satellite launch",
    "2016-03-02": "UN resolution 2270: coal ban with exemption",
    "2016-04-05": "China bans coal and iron, with exemption",
    "2016-07-07": "THAAD deployment agreed",
    "2016-07-13": "Seongju chosen as THAAD site",
    "2016-09-09": "Fifth nuclear test",
    "2016-09-26": "US sanctions Dandong Hongxiang",
    "2016-09-30": "THAAD site moved within Seongju",
    "2016-11-30": "UN resolution 2321: coal cap",
    "2016-12-10": "China halts coal imports for rest of 2016",
    "2017-02-12": "Pukguksong-2 launch",
    "2017-02-18": "China suspends coal imports for 2017",
    "2017-06-02": "UN resolution 2356",
    "2017-06-29": "US acts against Bank of Dandong",
    "2017-07-04": "Hwasong-14 ICBM launch",
    "2017-07-28": "Hwasong-14 ICBM launch",
    "2017-08-05": "UN resolution 2371: coal, iron, seafood banned",
    "2017-08-14": "China bans coal, iron, lead, seafood",
    "2017-09-03": "Sixth nuclear test",
    "2017-09-11": "UN resolution 2375: oil caps, textile ban",
    "2017-09-20": "US executive order 13810",
    "2017-09-23": "China bans textiles, limits oil exports",
    "2017-11-02": "Bank of Dandong cut off from US system",
    "2017-11-29": "Hwasong-15 ICBM launch",
    "2017-12-22": "UN resolution 2397: oil cut, workers home",
    "2018-01-05": "China implements resolution 2397",
    "2018-01-12": "China: 2017 trade down 10.5%",
    "2018-03-25": "Kim Jong Un visits Beijing",
    "2018-06-12": "Trump-Kim summit, Singapore",
    "2019-02-28": "Hanoi summit ends without a deal",
    "2019-06-20": "Xi Jinping visits Pyongyang",
    "2019-12-16": "China-Russia draft to ease sanctions",
    "2020-01-31": "North Korea closes border with China",
    "2021-01-18": "China: 2020 trade down 80.7%",
    "2022-03-24": "ICBM launch",
    "2022-05-26": "China and Russia veto US draft",
    "2023-09-13": "Kim-Putin summit, Vostochny",
    "2024-03-28": "Russia vetoes Panel renewal",
    "2024-04-30": "UN Panel of Experts ends",
    "2024-06-19": "Russia-North Korea treaty",
    "2024-10-16": "11 states launch monitoring team",
    "2024-10-18": "Troops to Russia, says Seoul's NIS",
    "2025-05-29": "Monitoring team's first report",
    "2025-09-03": "Kim at Beijing parade",
    "2025-09-04": "Xi-Kim talks in Beijing",
    "2025-10-09": "Li Qiang in Pyongyang",
    "2025-10-22": "Monitoring team's second report",
    "2026-01-20": "China: 2025 trade up about 25%",
}


def _phased(timeline: pd.DataFrame) -> pd.DataFrame:
    events = timeline.sort_values("date").reset_index(drop=True).copy()
    keys = events["date"].dt.strftime("%Y-%m-%d")
    missing = sorted(set(keys) - set(SHORT))
    if missing:
        raise ValueError(f"timeline rows without a short label: {', '.join(missing)}")
    starts = [pd.Timestamp(start) for _, start in PHASES]
    events["phase"] = [PHASES[sum(d >= s for s in starts) - 1][0] for d in events["date"]]
    events["row"] = events.groupby("phase").cumcount()
    events["when"] = events["date"].dt.strftime("%-d %b %Y")
    events["label"] = keys.map(SHORT)
    events["group"] = [_group(t, a) for t, a in zip(events["event_type"], events["actor"], strict=True)]
    return events[["date", "when", "label", "group", "phase", "row", "event", "actor", "source_name"]]


def _lines(label: str, limit: int = 30) -> str:
    """A label broken at the last space before ``limit`` characters (a phone's label column is 230 px)."""
    if len(label) <= limit:
        return label
    cut = label.rfind(" ", 0, limit)
    return label[:cut] + "\n" + label[cut + 1 :]


@chart(
    "timeline-by-phase",
    data=["timeline"],
    table={
        "columns": {"phase": "Phase", "date": "Date", "actor": "Who", "event": "Event", "source_name": "Source"},
    },
)
def timeline_by_phase(timeline: pd.DataFrame, layout: str = "wide") -> alt.FacetChart:
    """Every event, one labelled row each, in four phases (on a phone, a label takes up to
    two lines of the column right of the dates)."""
    events = _phased(timeline)
    narrow = layout == "narrow"
    if narrow:
        events = events.assign(label=events["label"].map(_lines))
    y = alt.Y("row:O", title=None, axis=None)
    tooltip = [
        alt.Tooltip("date:T", title="Date", format="%-d %B %Y"),
        alt.Tooltip("actor:N", title="Actor"),
        alt.Tooltip("event:N", title="Event"),
        alt.Tooltip("source_name:N", title="Source"),
    ]
    base = alt.Chart().encode(y=y, tooltip=tooltip)
    dates = base.mark_text(align="left", fontSize=12, color="#555555").encode(x=alt.value(0), text="when:N")
    dots = base.mark_point(filled=True, size=70, opacity=1).encode(
        x=alt.value(92),
        color=alt.Color("group:N", title=None, scale=alt.Scale(domain=GROUPS), legend=alt.Legend(orient="top", columns=3, labelLimit=240)),
    )
    labels = base.mark_text(align="left", fontSize=12)
    if narrow:  # (the first line level with the date, the second under it)
        labels = base.mark_text(align="left", fontSize=12, lineBreak="\n", baseline="top", dy=-7)
    phases: alt.FacetChart = (  # named with its type: mypy reads altair's resolve_scale as returning Any
        alt.LayerChart(layer=[dates, dots, labels.encode(x=alt.value(104), text="label:N")], data=events)
        .properties(width=370, height=alt.Step(34 if narrow else 19))
        .facet(
            row=alt.Row(
                "phase:N",
                title=None,
                sort=[name for name, _ in PHASES],
                header=alt.Header(
                    labelAngle=0, labelAlign="left", labelAnchor="start", labelOrient="top", labelFontWeight="bold", labelFontSize=13
                ),
            ),
            spacing=16,
        )
        .resolve_scale(y="independent")
    )
    return phases

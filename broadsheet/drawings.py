"""What a drawn chart holds, read off its SVG: the titles of its axes, its labelled axes,
its legends and its groups of marks (one per view and panel).

The narrow layout is a rewrite of the chart's spec; comparing the two drawings is how the
build knows that the rewrite lost nothing a reader of the wide chart would see.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

_AXIS_TITLE = re.compile(r'<g class="mark-text role-axis-title"[^>]*>(.*?)</g>', re.S)
_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Drawing:
    axis_titles: Counter[str]
    labelled_axes: int
    legends: int
    mark_groups: int


def read_drawing(svg: str) -> Drawing:
    titles = Counter(_flat(m.group(1)) for m in _AXIS_TITLE.finditer(svg))
    labelled = len(re.findall(r'<g class="mark-text role-axis-label"[^>]*>\s*<text', svg))
    legends = svg.count('class="mark-group role-legend"')
    marks = len(re.findall(r'class="mark-[a-z]+ role-mark\b', svg))
    return Drawing(titles, labelled, legends, marks)


def _flat(markup: str) -> str:
    return re.sub(r"\s+", " ", _TAG.sub(" ", markup)).replace("&amp;", "&").strip()


def lost(wide_svg: str, narrow_svg: str) -> list[str]:
    """What the narrow drawing lacks of the wide one: axis titles (one cut short with an
    ellipsis, or wrapped, still counts), labelled axes, legends, groups of marks."""
    wide, narrow = read_drawing(wide_svg), read_drawing(narrow_svg)
    shown = [title.rstrip("…").strip() for title in narrow.axis_titles]
    missing = sorted(t for t in wide.axis_titles if t and not any(s and t.startswith(s) for s in shown))
    found = [f"the axis titled '{t}'" for t in missing]
    for what, before, after in (
        ("labelled axes", wide.labelled_axes, narrow.labelled_axes),
        ("legends", wide.legends, narrow.legends),
        ("groups of marks", wide.mark_groups, narrow.mark_groups),
    ):
        if after < before and not (what == "labelled axes" and missing):
            found.append(f"{before - after} of its {before} {what}")
    return found

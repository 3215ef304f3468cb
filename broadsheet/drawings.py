"""What a drawn chart holds, read off its SVG: the titles of its axes, its labelled axes,
its legends and its groups of marks (one per view and panel).

The narrow layout is a rewrite of the chart's spec; comparing the two drawings is how the
build knows that the rewrite lost nothing a reader of the wide chart would see.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

_AXIS_TITLE = re.compile(r'<g class="mark-text role-axis-title"[^>]*>(.*?)</g>', re.S)
_TAG = re.compile(r"<[^>]+>")
_TRANSLATE = re.compile(r"\s*translate\(\s*([-\d.e]+)[\s,]+([-\d.e]+)\s*\)\s*")
_WIDTH = re.compile(r"M0,0h([\d.e]+)")  # a group's background: M0,0h{width}v{height}h-{width}Z
SVG = "{http://www.w3.org/2000/svg}"


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


def legend_right(svg: str) -> float | None:
    """The right edge of the rightmost legend, in the drawing's coordinates (None if it has
    none). Vega places groups by translations; an element turned or scaled (an axis title,
    a rotated label) holds no legend and is not followed."""
    edges = [x + width for x, width in _legends(ET.fromstring(svg), 0.0)]
    return max(edges) if edges else None


def _legends(element: ET.Element, x: float) -> Iterator[tuple[float, float]]:
    """Each legend's left edge and width: a legend group holds the legend, placed by a
    translation, whose first child is its background."""
    transform = element.get("transform")
    moved = _TRANSLATE.fullmatch(transform) if transform else None
    if transform and moved is None:
        return
    x += float(moved.group(1)) if moved else 0.0
    if element.tag == SVG + "g" and "role-legend" in (element.get("class") or "").split():
        for item in element:
            placed = _TRANSLATE.fullmatch(item.get("transform") or "")
            background = _WIDTH.match(item[0].get("d") or "") if len(item) and placed else None
            if placed and background:
                yield (x + float(placed.group(1)), float(background.group(1)))
        return
    for child in element:
        yield from _legends(child, x)

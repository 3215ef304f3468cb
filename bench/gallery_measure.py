"""What ``bench/gallery.py`` reads off a built page: its tables, its two drawings, and how
they compare with Altair's ``transformed_data()`` and with each other."""

from __future__ import annotations

import html
import math
import re
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

PHONE_COLUMN = 335  # px: the chart column of a 375 px phone; the narrow SVG is drawn at its width (style.css)
SVG_NS = "{http://www.w3.org/2000/svg}"


@dataclass
class Table:
    caption: str
    headings: list[str]
    rows: list[list[str]]


@dataclass
class Page:
    tables: list[Table] = field(default_factory=list)
    wide_svg: str = ""
    narrow_svg: str = ""
    scrollable: bool = False  # the narrow layout is the wide drawing, scrolled sideways


@dataclass
class Measured:
    narrow: str  # "keeps everything", or what it lost
    smallest_375: float | None


class _Tables(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[Table] = []
        self.cell: list[str] | None = None
        self.row: list[str] | None = None
        self.caption: list[str] | None = None
        self.in_head = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.tables.append(Table("", [], []))
        elif tag == "caption":
            self.caption = []
        elif tag == "thead":
            self.in_head = True
        elif tag == "tr":
            self.row = []
        elif tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "caption" and self.caption is not None and self.tables:
            self.tables[-1].caption = "".join(self.caption).strip()
            self.caption = None
        elif tag in ("td", "th") and self.cell is not None and self.row is not None:
            self.row.append("".join(self.cell).strip())
            self.cell = None
        elif tag == "tr" and self.row is not None and self.tables:
            if self.in_head:
                self.tables[-1].headings = self.row
            else:
                self.tables[-1].rows.append(self.row)
            self.row = None
        elif tag == "thead":
            self.in_head = False

    def handle_data(self, data: str) -> None:
        for part in (self.cell, self.caption):
            if part is not None:
                part.append(data)


def read_page(public: Path, chart_id: str) -> Page:
    text = (public / chart_id / "index.html").read_text()
    start = text.find(f'<figure class="chart" id="{chart_id}"')
    figure = text[start : text.find("</figure>", start)]
    details = re.search(r'<details class="data-table">.*?</details>', figure, re.S)
    parser = _Tables()
    parser.feed(details.group(0) if details else "")
    wide = re.search(r'<div class="chart-wide">\s*(<svg.*?</svg>)', figure, re.S)
    narrow = re.search(r'<div class="chart-narrow[^"]*">\s*(<svg.*?</svg>)', figure, re.S)
    only = re.search(r"(<svg.*?</svg>)", figure, re.S)
    scrollable = bool(re.search(r'class="chart-narrow[^"]*chart-scroll', figure))
    return Page(parser.tables, (wide or only).group(1) if (wide or only) else "", narrow.group(1) if narrow else "", scrollable)


# ---------------------------------------------------------------- drawings


@dataclass(frozen=True)
class Drawing:
    width: float
    axis_titles: Counter[str]
    labelled_axes: int
    legends: int
    legend_titles: Counter[str]
    mark_groups: int
    font_sizes: tuple[float, ...]


def read_drawing(svg: str) -> Drawing:
    root = ET.fromstring(svg)
    width = float(root.get("width", "0"))
    axis_titles: Counter[str] = Counter()
    legend_titles: Counter[str] = Counter()
    labelled = legends = marks = 0
    for group in root.iter(f"{SVG_NS}g"):
        classes = (group.get("class") or "").split()
        if "role-axis-title" in classes:
            axis_titles[_text(group)] += 1
        elif "role-legend-title" in classes:
            legend_titles[_text(group)] += 1
        elif classes[:2] == ["mark-group", "role-axis"] and any(
            "role-axis-label" in (g.get("class") or "") and _text(g) for g in group.iter(f"{SVG_NS}g")
        ):
            labelled += 1
        elif classes[:2] == ["mark-group", "role-legend"]:
            legends += 1
        elif "role-mark" in classes:
            marks += 1
    sizes = tuple(float(m) for m in re.findall(r'font-size="([0-9.]+)px"', svg))
    return Drawing(width, axis_titles, labelled, legends, legend_titles, marks, sizes)


def _text(node: ET.Element) -> str:
    return " ".join("".join(t.itertext()).strip() for t in node.iter(f"{SVG_NS}text")).strip()


def measure_svgs(page: Page) -> Measured:
    if not page.wide_svg:
        return Measured("no drawing", None)
    wide = read_drawing(page.wide_svg)
    if not page.narrow_svg:
        return Measured("no narrow drawing", None)
    narrow = read_drawing(page.narrow_svg)
    lost = []
    missing_titles = _missing(wide.axis_titles, narrow.axis_titles)
    if missing_titles:
        lost.append(f"axis titles {', '.join(sorted(missing_titles))}")
    if narrow.labelled_axes < min(wide.labelled_axes, 99) and not missing_titles:
        lost.append(f"labelled axes {wide.labelled_axes} -> {narrow.labelled_axes}")
    if narrow.legends < wide.legends:
        lost.append(f"legends {wide.legends} -> {narrow.legends}")
    if narrow.mark_groups < wide.mark_groups:
        lost.append(f"mark groups {wide.mark_groups} -> {narrow.mark_groups}")
    scale = PHONE_COLUMN / narrow.width if narrow.width else 1.0
    smallest = min(narrow.font_sizes) * scale if narrow.font_sizes else None
    how = "keeps everything" + (" (wide drawing, scrolled)" if page.scrollable else "")
    return Measured(how if not lost else "lost " + "; ".join(lost), smallest)


def _missing(wide: Counter[str], narrow: Counter[str]) -> set[str]:
    """Titles of the wide drawing that the narrow one lacks (a title cut with an ellipsis,
    or wrapped onto lines, still counts)."""
    flat = [re.sub(r"\s+", " ", n).rstrip("…").strip() for n in narrow]
    return {t for t in wide if t and not any(re.sub(r"\s+", " ", t).startswith(n) and n for n in flat)}


# ---------------------------------------------------------------- tables


def compare_tables(altair: list[Any] | str, ours: list[Table]) -> str:
    """Whether our tables hold what Altair's ``transformed_data()`` gives."""
    if isinstance(altair, str):
        return altair + ("" if ours else "; no table of ours either")
    theirs = [t for t in altair if t is not None and len(t)]
    if not theirs:
        return "no table (Altair none)" if not ours else f"ours only ({len(ours)} tables; Altair none)"
    if not ours:
        return f"missing: Altair has {len(theirs)} table(s) ({', '.join(str(len(t)) + ' rows' for t in theirs)})"
    problems = []
    unmatched = list(range(len(theirs)))
    for table in ours:
        best = None
        for i in unmatched:
            problem = _compare(theirs[i], table)
            if problem is None:
                best = i
                break
        if best is None:
            details = "; ".join(filter(None, (_compare(theirs[i], table) for i in unmatched[:2])))
            problems.append(f"'{table.caption[-30:]}' ({len(table.rows)} rows) matches none: {details}")
        else:
            unmatched.remove(best)
    if problems:
        return "differ: " + " / ".join(problems)
    if unmatched:
        return f"agree, but {len(unmatched)} of Altair's tables have no table of ours"
    return "agree"


def _compare(frame: Any, table: Table) -> str | None:
    if len(frame) != len(table.rows):
        return f"{len(table.rows)} rows against {len(frame)}"
    columns = {str(c): list(frame[c]) for c in frame.columns}
    for index, heading in enumerate(table.headings):
        cells = [row[index] if index < len(row) else "" for row in table.rows]
        if not any(_same(cells, values) for values in columns.values()):
            return f"column '{heading}' equals none of {', '.join(list(columns)[:8])}"
    return None


# (our time units' forms, and the forms a column of plain dates reads in: "Feb 2016", "5 Jul 2006")
TIME_FORMATS = ("%Y-%m-%d", "%Y", "%B %Y", "%B", "%A", "%Y-%m-%d %H:%M", "%H:00", "%B %-d", "%-d", "%Y-%m-%d %H:00")
TIME_FORMATS += ("%b %Y", "%-d %b %Y", "%-d %b %Y %H:%M")


def _same(cells: list[str], values: list[Any]) -> bool:
    theirs_raw = [_value(v) for v in values]
    if any(isinstance(v, tuple) for v in theirs_raw):  # times: shown in one of our formats
        ours_text = sorted(html.unescape(c).replace("\u00a0", " ").strip() for c in cells)  # (dates are kept on one line)
        for form in TIME_FORMATS:
            shown = sorted("" if v is None else _strftime(v[1], form) if isinstance(v, tuple) else str(v) for v in theirs_raw)
            if shown == ours_text:
                return True
        quarters = sorted("" if not isinstance(v, tuple) else f"Q{(v[1].month - 1) // 3 + 1}" for v in theirs_raw)
        return quarters == ours_text
    ours = sorted((_key(c) for c in cells), key=_order)
    theirs = sorted(theirs_raw, key=_order)
    return all(_close(a, b) for a, b in zip(ours, theirs, strict=True))


def _strftime(moment: Any, form: str) -> str:
    try:
        return str(moment.strftime(form))
    except ValueError:
        return str(moment)


def _key(cell: str) -> Any:
    cell = html.unescape(cell).replace("\u00a0", " ").strip()
    if cell in ("", "No data"):  # (a missing value, as our tables and legends write it: legends.MISSING)
        return None
    number = cell.replace(",", "").replace("∞", "inf")
    try:
        return float(number)
    except ValueError:
        return cell


def _value(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "isoformat") and hasattr(value, "year"):  # a datetime or Timestamp
        try:
            if value != value:  # NaT
                return None
        except TypeError:
            pass
        return ("time", value.replace(tzinfo=None) if getattr(value, "tzinfo", None) else value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    try:
        return float(value)
    except (TypeError, ValueError):
        return str(value)


def _order(value: Any) -> tuple[int, Any]:
    if value is None:
        return (0, 0)
    if isinstance(value, float):
        return (1, value)
    if isinstance(value, tuple):
        return (2, str(value[1]))
    return (3, value)


def _close(ours: Any, theirs: Any) -> bool:
    if ours is None or theirs is None:
        return ours is None and theirs is None
    if isinstance(theirs, tuple):  # a time: ours is a date, a year, a month name...
        moment = theirs[1]
        shown = {moment.strftime(f) for f in TIME_FORMATS}
        shown.add(f"Q{(moment.month - 1) // 3 + 1}")
        shown.add(f"{moment.year} Q{(moment.month - 1) // 3 + 1}")
        return (str(int(ours)) if isinstance(ours, float) else str(ours)) in shown
    if isinstance(theirs, float) and isinstance(ours, float):
        if math.isinf(theirs) or math.isinf(ours):
            return theirs == ours
        if abs(theirs) > 1e11 and abs(ours - theirs) > 1:  # epoch milliseconds shown as a number
            return False
        return abs(ours - theirs) <= 0.0051 or abs(ours - theirs) <= 0.006 * abs(theirs)
    if isinstance(theirs, float) and isinstance(ours, str) and abs(theirs) > 1e9:  # a time in ms, shown as a date
        moment = datetime.fromtimestamp(theirs / 1000, tz=UTC).replace(tzinfo=None)
        return _close(ours, ("time", moment))
    return str(ours) == str(theirs)

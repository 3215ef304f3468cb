"""The chart text check: text that overlaps other text, runs outside the chart, or was
shortened by the renderer, found in a drawn SVG.

Every visible ``<text>`` of the SVG vl-convert drew is measured as a browser lays it out:
each line's advance width and the font's ascent and descent (``fontmetrics``), placed by
its anchor (start, middle, end) and the transforms of the text and its groups (rotation
included). Text Vega hid on purpose (``labelOverlap`` sets its opacity to 0) is not
visible and does not count. The SVG is parsed once; nothing is rendered again.
"""

from __future__ import annotations

import hashlib
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from .fontmetrics import METRICS_FILE, Font, chart_font

SVG = "{http://www.w3.org/2000/svg}"
ELLIPSIS = "\u2026"  # what Vega cuts a label with (its ``limit``)
TOLERANCE = 0.5  # px: boxes that overlap less than this (rounding, touching lines) do not count
NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
Matrix = tuple[float, float, float, float, float, float]  # a b c d e f, as in SVG's matrix()
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


@dataclass(frozen=True)
class TextBox:
    """One drawn text item (all its lines): the corners of its box in the SVG's coordinates
    (a rectangle, turned if the text is rotated), and their upright bounds. A browser's
    ``getBBox`` of the ``<text>``, transformed as it is drawn."""

    item: int  # which ``<text>`` of the drawing
    lines: tuple[str, ...]
    corners: tuple[tuple[float, float], ...]
    bounds: tuple[float, float, float, float]  # x1, y1, x2, y2: what getBoundingClientRect gives
    upright: bool  # not rotated: the bounds are the box

    @property
    def text(self) -> str:
        """The text as the reader sees it, its lines joined."""
        return " ".join(self.lines)


def text_boxes(svg: str, font: Font | None = None) -> tuple[list[TextBox], tuple[float, float]]:
    """Every visible text item in ``svg``, and the drawing's width and height."""
    font = font or chart_font()
    root = ET.fromstring(svg)
    size = (_number(root.get("width")), _number(root.get("height")))
    boxes: list[TextBox] = []
    for element, matrix, style in _visible(root, IDENTITY, {}):
        box = _box(len(boxes), element, matrix, style, font) if element.tag == SVG + "text" else None
        if box is not None:
            boxes.append(box)
    return boxes, size


def _visible(element: ET.Element, matrix: Matrix, style: Mapping[str, str]) -> Iterator[tuple[ET.Element, Matrix, dict[str, str]]]:
    """Elements that are drawn, with their transform and inherited font and fill attributes."""
    if element.get("display") == "none" or element.get("visibility") == "hidden" or _number(element.get("opacity"), 1.0) <= 0:
        return
    own = {**style, **{k: v for k, v in element.attrib.items() if k in INHERITED}}
    here = multiply(matrix, transform_of(element.get("transform", "")))
    yield element, here, own
    if element.tag != SVG + "text":
        for child in element:
            if child.tag not in (SVG + "defs", SVG + "clipPath"):
                yield from _visible(child, here, own)


INHERITED = ("font-size", "font-weight", "font-style", "text-anchor", "fill", "fill-opacity", "stroke")


def _box(item: int, element: ET.Element, matrix: Matrix, style: Mapping[str, str], font: Font) -> TextBox | None:
    """The box of a ``<text>`` and its lines (Vega writes each line after the first as a
    ``<tspan x="0" dy="...">``), or None if nothing of it is drawn."""
    if style.get("fill") in ("none", "transparent") and style.get("stroke") in (None, "none") or _number(style.get("fill-opacity"), 1) <= 0:
        return None
    size = _number(style.get("font-size"), 11.0)
    weight = style.get("font-weight", "normal")
    bold = weight in ("bold", "bolder") or (weight.isdigit() and int(weight) >= 600)
    italic = style.get("font-style") in ("italic", "oblique")
    anchor = style.get("text-anchor", "start")
    spans = [(element.text or "", 0.0, None)] if len(element) == 0 else [(s.text or "", _number(s.get("dy")), s.get("x")) for s in element]
    x = y = 0.0
    lines, edges = [], []
    for text, dy, new_x in spans:
        y += dy
        x = _number(new_x) if new_x is not None else x
        width = font.width(text, size, bold, italic)
        start, end = font.extent(text, size, bold, italic)
        left = x - width / 2 if anchor == "middle" else x - width if anchor == "end" else x
        if text.strip():
            lines.append(text.strip())
            edges.append((left + start, y - font.ascent_px(size), left + end, y + font.descent_px(size)))
        x = left + width if anchor == "start" else x
    if not lines:
        return None
    a, top, b, bottom = min(e[0] for e in edges), min(e[1] for e in edges), max(e[2] for e in edges), max(e[3] for e in edges)
    corners = tuple(_apply(matrix, px, py) for px, py in ((a, top), (b, top), (b, bottom), (a, bottom)))
    xs, ys = [p[0] for p in corners], [p[1] for p in corners]
    return TextBox(item, tuple(lines), corners, (min(xs), min(ys), max(xs), max(ys)), matrix[1] == 0 and matrix[2] == 0)


def code_digest() -> str:
    """A hash of the check and the font metrics it measures with: part of every chart's
    cache key (a chart's cache entry keeps its warnings)."""
    engine = Path(__file__).parent
    files = (engine / "textcheck.py", engine / "fontmetrics.py", METRICS_FILE)
    return hashlib.sha256(b"".join(path.read_bytes() for path in files)).hexdigest()[:12]


def chart_warnings(chart_id: str, drawings: Mapping[str, str]) -> tuple[str, ...]:
    """The text problems of each layout of a chart (``drawings``: layout name -> SVG), as
    ``chart 'id' (narrow): 'Jan $126.39 m' overlaps 'Feb $104.59 m'``."""
    return tuple(f"chart '{chart_id}' ({name}): {problem}" for name, svg in drawings.items() for problem in check_text(svg))


def check_text(svg: str, font: Font | None = None) -> list[str]:
    """Text in ``svg`` that overlaps other text, runs outside the drawing, or was cut with
    an ellipsis, each said once."""
    boxes, (width, height) = text_boxes(svg, font)
    problems: list[str] = []
    for box in boxes:
        if any(line.endswith(ELLIPSIS) for line in box.lines):
            problems.append(f"'{box.text}' is cut short")
        x1, y1, x2, y2 = box.bounds
        outside = max(-x1, -y1, x2 - width, y2 - height)
        if outside > TOLERANCE:
            problems.append(f"'{box.text}' runs {math.ceil(outside)} px outside the chart")
    problems.extend(f"'{a.text}' overlaps '{b.text}'" for a, b in overlaps(boxes))
    return list(dict.fromkeys(problems))


def overlaps(boxes: list[TextBox]) -> Iterator[tuple[TextBox, TextBox]]:
    """Pairs of text items whose boxes overlap by more than ``TOLERANCE``
    (a sweep along x: only boxes whose upright bounds meet are compared)."""
    ordered = sorted(boxes, key=lambda b: b.bounds[0])
    for i, a in enumerate(ordered):
        _, ay1, ax2, ay2 = a.bounds
        for b in ordered[i + 1 :]:
            bx1, by1, bx2, by2 = b.bounds
            if bx1 >= ax2 - TOLERANCE:
                break
            if min(ay2, by2) - max(ay1, by1) <= TOLERANCE or min(ax2, bx2) - bx1 <= TOLERANCE:
                continue
            if (a.upright and b.upright) or _depth(a.corners, b.corners) > TOLERANCE:
                yield (a, b) if a.item < b.item else (b, a)  # (in the drawing's order)


def _depth(p: tuple[tuple[float, float], ...], q: tuple[tuple[float, float], ...]) -> float:
    """How far two convex quadrilaterals overlap along the axis that separates them best
    (0 or less: they do not overlap)."""
    depth = math.inf
    for shape in (p, q):
        for i in range(len(shape)):
            (x1, y1), (x2, y2) = shape[i], shape[(i + 1) % len(shape)]
            nx, ny = y1 - y2, x2 - x1
            norm = math.hypot(nx, ny) or 1.0
            pa = [(x * nx + y * ny) / norm for x, y in p]
            qa = [(x * nx + y * ny) / norm for x, y in q]
            depth = min(depth, min(max(pa), max(qa)) - max(min(pa), min(qa)))
    return depth


def transform_of(text: str) -> Matrix:
    matrix = IDENTITY
    for name, args in re.findall(r"(\w+)\s*\(([^)]*)\)", text):
        values = [float(v) for v in NUMBER.findall(args)]
        matrix = multiply(matrix, _one(name, values))
    return matrix


def _one(name: str, v: list[float]) -> Matrix:
    if name == "translate":
        return (1.0, 0.0, 0.0, 1.0, v[0], v[1] if len(v) > 1 else 0.0)
    if name == "scale":
        return (v[0], 0.0, 0.0, v[1] if len(v) > 1 else v[0], 0.0, 0.0)
    if name == "rotate":
        a = math.radians(v[0])
        turn = (math.cos(a), math.sin(a), -math.sin(a), math.cos(a), 0.0, 0.0)
        if len(v) == 3:
            return multiply(multiply((1.0, 0.0, 0.0, 1.0, v[1], v[2]), turn), (1.0, 0.0, 0.0, 1.0, -v[1], -v[2]))
        return turn
    if name == "matrix" and len(v) == 6:
        return (v[0], v[1], v[2], v[3], v[4], v[5])
    return IDENTITY  # (skewX, skewY: Vega never writes them)


def multiply(m: Matrix, n: Matrix) -> Matrix:
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (a * a2 + c * b2, b * a2 + d * b2, a * c2 + c * d2, b * c2 + d * d2, a * e2 + c * f2 + e, b * e2 + d * f2 + f)


def _apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    return (m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5])


def _number(value: str | None, default: float = 0.0) -> float:
    match = NUMBER.match(value or "")
    return float(match.group(0)) if match else default

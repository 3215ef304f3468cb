"""Dark colours: each colour of a chart as it reads on the dark page.

A chart is drawn once, for the white page. The palette's colours read on both pages
(``colors``: 3:1 on each), but a black rule, a white cell or a pale band do not: black
vanishes on the dark page, and a white cell glares and hides the light text drawn on it.
Each such colour gets its dark-page counterpart, of the same hue, with the contrast
against the dark page that it had against the white one (black becomes the dark page's
ink, white the dark page itself, a pale grey a dark one). The static SVG carries it on
each element (``style="--dark-fill: ..."``, which the stylesheet applies under
``prefers-color-scheme: dark``), and text drawn on a mark is given a colour that reads on
that mark's dark colour; the live chart gets the same map in its spec (``usermeta``) for
``charts.js`` to apply.
"""

from __future__ import annotations

import colorsys
import hashlib
import itertools
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping
from pathlib import Path

from .colors import DARK, LIGHT, MIN_CONTRAST, contrast
from .textcheck import IDENTITY, SVG, Matrix, multiply, transform_of

INK = "#ececec"  # the dark page's text (static/style.css)
TEXT_CONTRAST = 4.5  # WCAG 1.4.3, for text on a mark
NAMES = {"black": "#000000", "white": "#ffffff", "gray": "#808080", "grey": "#808080", "silver": "#c0c0c0", "lightgray": "#d3d3d3"}
HEX = re.compile(r"^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
PAINTED = re.compile(r"<(path|rect|line|circle|ellipse|polygon|polyline|g)\b([^>]*)>")
TEXT = re.compile(r"<text\b")
PATH_NUMBERS = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
Box = tuple[float, float, float, float]


def normal(color: str) -> str | None:
    """``#rrggbb`` in lower case for a colour written as hex or a common name; else None."""
    value = NAMES.get(color.strip().lower(), color.strip())
    if not HEX.match(value):
        return None
    value = value.lower()
    return "#" + "".join(c * 2 for c in value[1:]) if len(value) == 4 else value


def dark_color(color: str) -> str | None:
    """The colour's counterpart on the dark page, or None when it reads on both pages."""
    value = normal(color)
    if value is None:
        return None
    on_light = contrast(value, LIGHT)
    if on_light >= MIN_CONTRAST and contrast(value, DARK) >= MIN_CONTRAST:
        return None
    target = min(on_light, contrast(INK, DARK))
    red, green, blue = (int(value[i : i + 2], 16) / 255 for i in (1, 3, 5))
    hue, _, saturation = colorsys.rgb_to_hls(red, green, blue)
    low, high = colorsys.rgb_to_hls(*(int(DARK[i : i + 2], 16) / 255 for i in (1, 3, 5)))[1], 1.0
    for _ in range(30):  # (contrast with the dark page grows with lightness above it)
        middle = (low + high) / 2
        low, high = (middle, high) if contrast(_hex(hue, middle, saturation), DARK) < target else (low, middle)
    return _hex(hue, low, saturation)


def _hex(hue: float, lightness: float, saturation: float) -> str:
    return "#" + "".join(f"{round(c * 255):02x}" for c in colorsys.hls_to_rgb(hue, lightness, saturation))


def dark_map(*svgs: str) -> dict[str, str]:
    """Every fill and stroke colour of the drawings that changes on the dark page, and its counterpart."""
    found: dict[str, str] = {}
    for svg in svgs:
        for color in re.findall(r'(?:fill|stroke)="([^"]+)"', svg):
            key = normal(color)
            dark = dark_color(color) if key and key not in found else None
            if key and dark:
                found[key] = dark
    return found


def mark(svg: str, colors: Mapping[str, str]) -> str:
    """``svg`` with each painted element's dark colours, and a colour that reads for each text drawn on a mark."""
    if not svg:
        return svg
    on_marks = _text_on_marks(svg, colors)
    svg = PAINTED.sub(lambda m: _painted(m, colors), svg)
    order = itertools.count()
    return TEXT.sub(lambda m: f'<text style="--dark-fill:{on_marks[i]}"' if (i := next(order)) in on_marks else m.group(0), svg)


def _painted(match: re.Match[str], colors: Mapping[str, str]) -> str:
    attributes = match.group(2)
    style = []
    for paint in ("fill", "stroke"):
        found = re.search(rf'\b{paint}="([^"]+)"', attributes)
        key = normal(found.group(1)) if found else None
        if key is not None and key in colors:
            style.append(f"--dark-{paint}:{colors[key]}")
    if not style or "style=" in attributes:
        return match.group(0)
    closing = "/>" if attributes.endswith("/") else ">"
    return f'<{match.group(1)}{attributes.removesuffix("/")} style="{";".join(style)}"{closing}'


def _text_on_marks(svg: str, colors: Mapping[str, str]) -> dict[int, str]:
    """Text (by its order in the drawing) placed on a filled mark, and the colour it is
    given on the dark page: its own if it reads on the mark's dark colour, else the ink."""
    root = ET.fromstring(svg)
    shapes: list[tuple[Box, str]] = []
    found: dict[int, str] = {}
    texts = 0
    for element, matrix, in_mark in _drawn(root, IDENTITY, False):
        if element.tag == SVG + "text":
            point = (matrix[4], matrix[5])
            under = next((fill for box, fill in reversed(shapes) if box[0] <= point[0] <= box[2] and box[1] <= point[1] <= box[3]), None)
            if under is not None:  # (the mark's colour on the dark page, changed or not)
                own, fill = normal(element.get("fill", "")) or "#000000", normal(under) or DARK
                background = colors.get(fill, fill)
                readable = own if contrast(own, background) >= TEXT_CONTRAST else max((INK, DARK), key=lambda c: contrast(c, background))
                found[texts] = readable
            texts += 1
        elif in_mark and _opaque(element):
            box = _box(element.get("d", ""), matrix)
            if box is not None and normal(element.get("fill", "")):
                shapes.append((box, element.get("fill", "")))
    return found


def _drawn(element: ET.Element, matrix: Matrix, in_mark: bool) -> Iterator[tuple[ET.Element, Matrix, bool]]:
    here = multiply(matrix, transform_of(element.get("transform", "")))
    inside = in_mark or "role-mark" in (element.get("class") or "").split()
    yield element, here, inside
    if element.tag != SVG + "text":
        for child in element:
            if child.tag not in (SVG + "defs", SVG + "clipPath"):
                yield from _drawn(child, here, inside)


def _opaque(element: ET.Element) -> bool:
    opacity = float(element.get("opacity", "1") or 1) * float(element.get("fill-opacity", "1") or 1)
    return element.tag == SVG + "path" and opacity >= 0.5


def _box(path: str, matrix: Matrix) -> Box | None:
    """The bounds of a path drawn with straight lines (a bar, a cell), where it is drawn; None for curves."""
    if not path or re.search(r"[aAcCqQsStT]", path):
        return None
    x = y = 0.0
    points: list[tuple[float, float]] = []
    for command, numbers in re.findall(r"([MmLlHhVvZz])([^MmLlHhVvZz]*)", path):
        values = [float(v) for v in PATH_NUMBERS.findall(numbers)]
        step = 1 if command in "HhVv" else 2 if command not in "Zz" else 0
        for i in range(0, len(values) - step + 1, step) if step else ():
            if command in "Hh":
                x = values[i] + (x if command == "h" else 0)
            elif command in "Vv":
                y = values[i] + (y if command == "v" else 0)
            else:
                relative = command in "ml"
                x, y = values[i] + (x if relative else 0), values[i + 1] + (y if relative else 0)
            points.append((x, y))
    if not points:
        return None
    a, b, c, d, e, f = matrix
    placed = [(a * px + c * py + e, b * px + d * py + f) for px, py in points]
    return (min(p[0] for p in placed), min(p[1] for p in placed), max(p[0] for p in placed), max(p[1] for p in placed))


def with_dark_map(spec: str, colors: Mapping[str, str]) -> str:
    """The spec (JSON) with the map in ``usermeta.broadsheet.dark``, for the live chart."""
    if not colors:
        return spec
    value = json.loads(spec)
    value.setdefault("usermeta", {}).setdefault("broadsheet", {})["dark"] = dict(sorted(colors.items()))
    return json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=False)


def code_digest() -> str:
    """A hash of this module: part of every chart's cache key (the entry keeps marked drawings)."""
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:12]

"""The chart font's metrics: how wide and tall a line of chart text is drawn.

Chart text is laid out by vl-convert with the Liberation Sans it bundles (see
``renderers._bundled_font_only``) and drawn by browsers with Arial or Liberation Sans,
which have the same advance widths. ``vendor/liberation-sans-metrics.json`` holds each
face's advance widths and kerning pairs, made from the font files by
``tools/font_metrics.py``; a line's width is the sum of its characters' advances and the
kerning between them, as HarfBuzz (browsers) and rustybuzz (vl-convert) shape it.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

METRICS_FILE = Path(__file__).parent / "vendor" / "liberation-sans-metrics.json"


@dataclass(frozen=True)
class Face:
    """One face of the font (normal, bold, italic, bold italic), in font units."""

    advances: dict[str, int]
    ink: dict[str, tuple[int, int]]  # a character's ink from its origin: xMin, xMax
    missing: int  # the advance of a character the font lacks (its .notdef glyph)
    kerning: dict[str, int]  # two characters -> the adjustment between them


@dataclass(frozen=True)
class Font:
    units_per_em: int
    ascent: int  # above the baseline, as browsers size a text box (hhea)
    descent: int  # below it
    faces: dict[str, Face]

    def width(self, text: str, size: float, bold: bool = False, italic: bool = False) -> float:
        """The advance width of one line of ``text`` at ``size`` px."""
        face = self.faces[face_name(bold, italic)]
        advances, kerning, missing = face.advances, face.kerning, face.missing
        units = sum(advances.get(c, missing) for c in text)
        units += sum(kerning.get(text[i : i + 2], 0) for i in range(len(text) - 1))
        return units * size / self.units_per_em

    def extent(self, text: str, size: float, bold: bool = False, italic: bool = False) -> tuple[float, float]:
        """Where a browser's box of one line of ``text`` starts and ends, from the line's
        origin: its advance width, widened to the ink of a first or last glyph that
        overhangs it, each glyph's ink rounded out to whole pixels (Chromium's getBBox)."""
        width = self.width(text, size, bold, italic)
        if not text:
            return 0.0, 0.0
        face, scale = self.faces[face_name(bold, italic)], size / self.units_per_em
        first, last = face.ink.get(text[0], (0, 0)), face.ink.get(text[-1], (0, 0))
        last_origin = width - face.advances.get(text[-1], face.missing) * scale
        return min(0.0, math.floor(first[0] * scale)), max(width, last_origin + math.ceil(last[1] * scale))

    def ascent_px(self, size: float) -> float:
        """Above the baseline, in whole pixels, as Chromium sizes a text box: 11 px of 14 for
        12 px text (see ``descent_px``)."""
        return float(round(self.ascent * size / self.units_per_em)) - self._borrowed(size)

    def descent_px(self, size: float) -> float:
        """Below the baseline, rounded; when that rounds it down, Chromium (positioning
        glyphs by subpixels, as chart text is drawn) takes a pixel from the ascent instead
        so descenders are not cut: 9 and 3 px for 11 px text, not 10 and 2."""
        return float(round(self.descent * size / self.units_per_em)) + self._borrowed(size)

    def _borrowed(self, size: float) -> int:
        descent = self.descent * size / self.units_per_em
        return 1 if round(descent) < descent and round(self.ascent * size / self.units_per_em) >= 1 else 0

    def covers(self, text: str) -> bool:
        """Whether the font has every character of ``text`` (a browser draws others in another font)."""
        advances = self.faces["normal"].advances
        return all(c in advances for c in text)


def face_name(bold: bool, italic: bool) -> str:
    return " ".join(name for name, on in (("bold", bold), ("italic", italic)) if on) or "normal"


@cache
def chart_font() -> Font:
    """The font chart text is measured with (read once per process)."""
    table = json.loads(METRICS_FILE.read_text(encoding="utf-8"))
    faces = {}
    for name, face in table["faces"].items():
        advances = {chr(first + i): width for first, widths in face["advances"] for i, width in enumerate(widths)}
        ink = {chr(first + i): (low, high) for first, extents in face["ink"] for i, (low, high) in enumerate(extents)}
        faces[name] = Face(advances, ink, face["missing"], face["kerning"])
    return Font(table["units_per_em"], table["ascent"], table["descent"], faces)

"""Make ``broadsheet/vendor/liberation-sans-metrics.json``: the widths the chart text
check measures with (``broadsheet/fontmetrics.py``).

vl-convert lays chart text out with the Liberation Sans it bundles (2.00.1, SIL Open
Font License), shaped by rustybuzz; browsers draw the SVG with Arial or Liberation Sans
(the same advance widths), shaped by HarfBuzz. This script reads the four TTF files and
writes, for each face, every mapped character's advance width and every kerning pair
(the GPOS ``kern`` pairs, each one's value as HarfBuzz applies it), in font units.

Browsers do not all kern alike: Debian's Liberation Sans 1.07.4 (``fonts-liberation``,
what Chromium draws Arial with there) does not kern "11", which 2.00.1 and Arial do.
Given that older font's folder too, a pair's value is the one that sets it wider, so a
label the check passes fits in either browser.

Not a dependency of the engine: run it in a virtual environment of its own when
vl-convert's bundled font changes::

    python3 -m venv /tmp/fm && /tmp/fm/bin/pip install fonttools==4.69.1 uharfbuzz==0.57.0
    git -C VL_CONVERT_CHECKOUT archive vl-convert@1.9.0 vl-convert-rs/fonts/liberation-sans | tar -x -C /tmp/fonts
    /tmp/fm/bin/python tools/font_metrics.py /tmp/fonts/vl-convert-rs/fonts/liberation-sans \
        /usr/share/fonts/truetype/liberation broadsheet/vendor/liberation-sans-metrics.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from fontTools.ttLib import TTFont

FACES = {"normal": "Regular", "bold": "Bold", "italic": "Italic", "bold italic": "BoldItalic"}


def advances(font: Any) -> tuple[dict[int, int], int]:
    """Every mapped code point's advance width, and the missing glyph's."""
    metrics = font["hmtx"].metrics
    return {code: metrics[glyph][0] for code, glyph in font.getBestCmap().items()}, metrics[".notdef"][0]


def ink(font: Any) -> dict[int, list[int]]:
    """Every mapped code point's ink from its origin, ``[xMin, xMax]``: browsers' text boxes
    reach the ink of a first or last glyph that overhangs its advance (the "t" of "test")."""
    glyphs = font["glyf"]
    out = {}
    for code, name in font.getBestCmap().items():
        glyph = glyphs[name]
        glyph.recalcBounds(glyphs)
        out[code] = [glyph.xMin, glyph.xMax] if hasattr(glyph, "xMin") and glyph.numberOfContours else [0, 0]
    return out


def kern_candidates(font: Any) -> set[tuple[str, str]]:
    """Glyph pairs that the ``kern`` feature's pair-positioning lookups name."""
    table = font["GPOS"].table
    lookups = {i for record in table.FeatureList.FeatureRecord if record.FeatureTag == "kern" for i in record.Feature.LookupListIndex}
    pairs: set[tuple[str, str]] = set()
    for index in lookups:
        for sub in table.LookupList.Lookup[index].SubTable:
            sub = getattr(sub, "ExtSubTable", sub)
            if sub.Format == 1:
                for first, pair_set in zip(sub.Coverage.glyphs, sub.PairSet, strict=True):
                    pairs.update((first, record.SecondGlyph) for record in pair_set.PairValueRecord)
            else:  # class-based pairs: every glyph of the first coverage with every glyph of a second class
                seconds = set(sub.ClassDef2.classDefs)
                pairs.update((first, second) for first in sub.Coverage.glyphs for second in seconds)
    return pairs


def shaped_width(blob: Any, text: str) -> int:
    import uharfbuzz as hb

    face = hb.Face(blob)
    font = hb.Font(face)
    buffer = hb.Buffer()
    buffer.add_str(text)
    buffer.guess_segment_properties()
    hb.shape(font, buffer, {})
    return sum(position.x_advance for position in buffer.glyph_positions)


def face_metrics(path: Path, older: Path) -> dict[str, Any]:
    """One face's advances, and its kerning where the ``older`` version of the face kerns
    as much (each pair as the wider of the two sets it)."""
    widths, notdef = advances(TTFont(path))
    looser = kerning_pairs(older)
    kerning = {pair: max(value, looser.get(pair, 0)) for pair, value in kerning_pairs(path).items()}
    kerning = {pair: value for pair, value in kerning.items() if value}
    return {"advances": runs(widths), "ink": runs(ink(TTFont(path))), "missing": notdef, "kerning": kerning}


def kerning_pairs(path: Path) -> dict[str, int]:
    """Every kerned pair of characters of the font at ``path``, as HarfBuzz applies it."""
    import uharfbuzz as hb

    font = TTFont(path)
    widths = advances(font)[0]
    by_glyph: dict[str, list[int]] = {}  # (a glyph may be mapped from several code points: the space and no-break space)
    for code, glyph in sorted(font.getBestCmap().items()):
        by_glyph.setdefault(glyph, []).append(code)
    blob = hb.Blob.from_file_path(str(path))
    kerning: dict[str, int] = {}
    for first, second in sorted(kern_candidates(font)):
        if first not in by_glyph or second not in by_glyph:
            continue
        a, b = by_glyph[first][0], by_glyph[second][0]
        value = shaped_width(blob, chr(a) + chr(b)) - widths[a] - widths[b]
        if value:
            kerning.update({chr(x) + chr(y): value for x in by_glyph[first] for y in by_glyph[second]})
    return kerning


def runs(widths: dict[int, Any]) -> list[list[Any]]:
    """Consecutive code points as ``[first, [value, ...]]``: a tenth of the size of a map."""
    out: list[list[Any]] = []
    for code in sorted(widths):
        if out and out[-1][0] + len(out[-1][1]) == code:
            out[-1][1].append(widths[code])
        else:
            out.append([code, [widths[code]]])
    return out


def main(folder: str, older: str, dest: str) -> int:
    regular, old = TTFont(Path(folder, "LiberationSans-Regular.ttf")), TTFont(Path(older, "LiberationSans-Regular.ttf"))
    hhea = regular["hhea"]
    table = {
        "font": f"Liberation Sans {regular['name'].getDebugName(5)}, as bundled by vl-convert (SIL Open Font License 1.1)",
        "made_by": "tools/font_metrics.py (fontTools, and uharfbuzz for each kerning pair's value)",
        "units_per_em": regular["head"].unitsPerEm,
        "ascent": hhea.ascent,
        "descent": -hhea.descent,
        "older_font": f"Liberation Sans {old['name'].getDebugName(5)}: its kerning where it is looser",
        "faces": {name: face_metrics(*(Path(f, f"LiberationSans-{file}.ttf") for f in (folder, older))) for name, file in FACES.items()},
    }
    Path(dest).write_text(json.dumps(table, ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))

"""Dark colours: each chart colour that would vanish or glare on the dark page gets its
counterpart, carried by the drawing (static) and the spec (live)."""

from __future__ import annotations

import json

import pytest

from broadsheet.colors import DARK, LIGHT, PALETTE, contrast
from broadsheet.darkcolors import INK, dark_color, dark_map, mark, normal, with_dark_map


@pytest.mark.parametrize("color", ["#000000", "black", "#1a1a1a", "#555555", "#d9d9d9", "#ffffff", "#FFF", "#f4f4f1", "#999999"])
def test_a_colour_keeps_on_the_dark_page_the_contrast_it_had_on_the_white_one(color: str) -> None:
    dark, light = dark_color(color), normal(color)
    assert dark is not None and light is not None
    assert contrast(dark, DARK) == pytest.approx(min(contrast(light, LIGHT), contrast(INK, DARK)), rel=0.03)


def test_the_palette_reads_on_both_pages_and_is_left_alone() -> None:
    assert [dark_color(c) for c in PALETTE] == [None] * len(PALETTE)
    assert dark_color("none") is None and dark_color("url(#g)") is None


CELLS = """<svg xmlns="http://www.w3.org/2000/svg" width="100" height="40"><g fill="none">
<g class="mark-rect role-mark"><path transform="translate(0,0)" d="M0,0h30v30h-30Z" fill="#FFFFFF" stroke="#555555"/>
<path transform="translate(40,0)" d="M0,0h30v30h-30Z" fill="#D55E00" stroke="#555555"/></g>
<g class="mark-rule role-mark"><line x2="100" stroke="#000000"/></g>
<g class="mark-text role-mark"><text transform="translate(15,17)" fill="#000000">Abst.</text>
<text transform="translate(55,17)" fill="#000000">Veto</text><text transform="translate(90,17)" fill="#000000">page</text></g></g></svg>"""


def test_a_drawing_carries_its_dark_colours_and_text_on_a_mark_reads_on_it() -> None:
    colors = dark_map(CELLS)
    assert set(colors) == {"#ffffff", "#555555", "#000000"}
    marked = mark(CELLS, colors)
    assert f'fill="#FFFFFF" stroke="#555555" style="--dark-fill:{colors["#ffffff"]};--dark-stroke:{colors["#555555"]}"' in marked
    assert f'fill="#D55E00" stroke="#555555" style="--dark-stroke:{colors["#555555"]}"' in marked  # (vermilion reads on both)
    assert f'<line x2="100" stroke="#000000" style="--dark-stroke:{colors["#000000"]}"/>' in marked  # (a black rule turns light)
    assert f'<text style="--dark-fill:{INK}" transform="translate(15,17)" fill="#000000">Abst.' in marked  # (on the white cell, now dark)
    assert '<text style="--dark-fill:#000000" transform="translate(55,17)" fill="#000000">Veto' in marked  # (black reads on vermilion)
    assert '<text transform="translate(90,17)" fill="#000000">page' in marked  # (on the page: the stylesheet's ink)


def test_the_live_chart_gets_the_same_map_in_its_spec() -> None:
    spec = json.dumps({"mark": "rule", "config": {"mark": {"color": "#000000"}}}, sort_keys=True, separators=(",", ":"))
    live = json.loads(with_dark_map(spec, {"#000000": "#ebebeb"}))
    assert live["usermeta"] == {"broadsheet": {"dark": {"#000000": "#ebebeb"}}}
    assert with_dark_map(spec, {}) == spec

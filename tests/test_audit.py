"""``broadsheet check --numbers``: every number typed by hand in prose, titles and alt text,
whether it equals a value of the data (and the binding that would write it), and what is
left out as not a quantity."""

from __future__ import annotations

import json
import re
from pathlib import Path

from conftest import run
from test_errors import edit

PAGE = """---
title: Numbers of 2016
description: 24 missiles, by hand.
corrections:
  - date: 2026-11-30
    text: The page said 23 missiles.
---

In 2016 North Korea tested 24 missiles, {= missiles[year=2016].missiles as d } of them bound.
The sixth test, on 3 September 2017, yielded 109.4 kilotonnes; the fifth, 18.0.
Resolution 2270 and resolutions 2321 and 2371, the Hwasong-15, COVID-19, the 80th anniversary,
the 1990s, at 09:30, [a link](https://example.org/2016/24/) and `code 42` are not quantities.
China's total imports were {! 204 million } tonnes; another report said $9.99 million; 2.3% fewer.
Failures fell by 40%.[^1]

```chart
id: yields
title: Yields of up to 109.4 kt
description: Point chart. The sixth test, 109.4 kt, in 2017.
notes: Figures from Yao et al. 2018, page 7.
```

```python
print(1234)
```

[^1]: A source, "Tests fell 15% in 2017".
"""


def audit(site: Path, capsys) -> list[str]:
    assert run(site, "check", "--numbers") == 0
    return capsys.readouterr().out.splitlines()


def test_lists_each_typed_number_with_the_binding_that_would_write_it(site: Path, capsys) -> None:
    (site / "content/index.md").write_text(PAGE)
    lines = audit(site, capsys)
    assert lines[:10] == [
        "content/index.md:3: 24: equals missiles (row 5) missiles = 24",
        "  bind it: {= missiles[year=2016].missiles as d }",
        "content/index.md:6: 23: no value in the data",
        "content/index.md:9: 24: equals missiles (row 5) missiles = 24",
        "  bind it: {= missiles[year=2016].missiles as d }",
        "content/index.md:10: 109.4: equals tests (row 6) yield_kt_central = 109.4",
        "  bind it: {= tests[test_number=6].yield_kt_central as .1f }",
        "content/index.md:10: 18.0: equals tests (row 5) yield_kt_central = 18.0",
        "  bind it: {= tests[test_number=5].yield_kt_central as .1f }",
        "content/index.md:13: 204 million: typed by hand on purpose",
    ]
    assert lines[10:] == [
        "content/index.md:13: $9.99 million: no value in the data",
        "content/index.md:13: 2.3%: no value in the data",
        "content/index.md:14: 40%: no value in the data",
        "content/index.md:18: 109.4: equals tests (row 6) yield_kt_central = 109.4",
        "  bind it: {= tests[test_number=6].yield_kt_central as .1f }",
        "content/index.md:19: 109.4: equals tests (row 6) yield_kt_central = 109.4",
        "  bind it: {= tests[test_number=6].yield_kt_central as .1f }",
        "content/notes/coal.md:17: 24: equals missiles (row 5) missiles = 24",  # (its chart's alt text)
        "  bind it: {= missiles[year=2016].missiles as d }",
        "1 bound values; 11 numbers typed by hand: 7 equal a value in the data (bind them), 0 are near one, 4 match none; "
        "1 marked as typed on purpose ({! }). Years, dates, ordinals, times, resolution numbers and names are left out, "
        "and so are footnotes.",
    ]


def test_a_figure_in_another_unit_or_rounded_is_matched(site: Path, capsys) -> None:
    edit(site / "data/tests.csv", "6,2017-09-03,109.4,", "6,2017-09-03,109400,")  # (kilotonnes written as tonnes)
    edit(site / "data/datapackage.yaml", "          unit: kt\n", "          unit: tonnes\n")
    (site / "content/index.md").write_text("---\ntitle: T\ndescription: D\n---\n\nAbout 0.1 million tonnes; 109,400 tonnes; 110,000.\n")
    lines = audit(site, capsys)
    assert lines[:5] == [
        "content/index.md:6: 0.1 million: equals tests (row 6) yield_kt_central = 109400, rounded",
        "  bind it: {= tests[test_number=6].yield_kt_central * 1e-6 as .1f } million",
        "content/index.md:6: 109,400: equals tests (row 6) yield_kt_central = 109400",
        "  bind it: {= tests[test_number=6].yield_kt_central as ,d }",
        "content/index.md:6: 110,000: near tests (row 6) yield_kt_central = 109400",
    ]


WORLD = {
    "name": "world",
    "sources": [{"title": "World Bank", "path": "https://data.worldbank.org/"}],
    "licenses": [{"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/", "title": "CC BY 4.0"}],
    "resources": [
        {
            "name": name,
            "path": f"{name}.csv",
            "schema": {
                "fields": [
                    {"name": "Country Name", "type": "string"},
                    {"name": "Year", "type": "year"},
                    {"name": "Value", "type": "number"},
                ]
            },
        }
        for name in ("gdp", "population")
    ]
    + [
        {
            "name": "films",
            "path": "films.csv",
            "schema": {
                "fields": [
                    {"name": "Title", "type": "string"},
                    {"name": "IMDB Rating", "type": "number"},
                    {"name": "IMDB Votes", "type": "integer", "unit": "votes"},
                ]
            },
        }
    ],
}
WORLD_CSV = {
    "gdp": "Country Name,Year,Value\nAlbania,2005,8052077248.1\nEurope & Central Asia,2022,25389267749915.9\nWorld,2022,100881000000000\n",
    "population": "Country Name,Year,Value\nWorld,2021,7888000000\nWorld,2022,7951150000\n",
    "films": 'Title,IMDB Rating,IMDB Votes\nDamnation Alley,4.7,1850\n"Arnold\'s Park",5.1,301\n"The ""Big"" One",6.3,99\n',
}
WORLD_PAGE = """---
title: World
description: D
---

In 2022 the world's population was {= world/population["Country Name"=World, Year=2022].Value as .3w }: 8 billion people
produced 100.9 trillion, and Europe and Central Asia 25.4 trillion. Films rated 4.7, 5.1 and 6.3; 301 votes.
Temperatures since 1850, from 1066 to 1850 and in 1850-1900; 1850 votes.
"""


def world_site(site: Path) -> Path:
    folder = site / "data" / "world"
    folder.mkdir()
    (folder / "datapackage.json").write_text(json.dumps(WORLD))
    for name, text in WORLD_CSV.items():
        (folder / f"{name}.csv").write_text(text)
    (site / "content/index.md").write_text(WORLD_PAGE)
    return site


def test_every_suggested_binding_parses_and_writes_the_number(site: Path, shared_cache: Path, capsys) -> None:
    """Field and key names with spaces, text with quotes and datasets named FOLDER/NAME: a
    suggestion pasted into the page must build and say what was typed."""
    lines = audit(world_site(site), capsys)
    suggested = [
        (typed.split(": ")[1], line.removeprefix("  bind it: "))
        for typed, line in zip(lines, lines[1:], strict=False)
        if line.startswith("  bind it: ") and typed.startswith("content/index.md")
    ]
    assert {typed for typed, _ in suggested} == {"8 billion", "100.9 trillion", "25.4 trillion", "4.7", "5.1", "6.3", "301", "1850"}, lines
    items = "".join(f"\n- {binding}|\n" for _, binding in suggested)
    (site / "content/index.md").write_text(f"---\ntitle: World\ndescription: D\n---\n{items}")
    assert run(site, cache=shared_cache) == 0, capsys.readouterr().err
    html = (site / "public/index.html").read_text()
    notes = re.sub(r'<span class="bound-note".*?</span>', "", html)  # (the reader's note: where the figure comes from)
    written = [re.sub(r"<[^>]+>", "", text) for text in re.findall(r"<data value=[^>]*>(.*?)\|", notes)]
    assert written == [typed for typed, _ in suggested]


def test_a_figure_is_matched_first_to_what_its_page_cites(site: Path, capsys) -> None:
    """ "8 billion people" beside a bound value of the world's population is that row, not an
    unrelated cell that rounds the same (Albania's GDP in 2005)."""
    lines = audit(world_site(site), capsys)
    assert "content/index.md:6: 8 billion: equals world/population (row 2) Value = 7951150000, rounded" in lines, lines


def test_years_before_1900_are_left_out(site: Path, capsys) -> None:
    lines = audit(world_site(site), capsys)
    assert [line for line in lines if "1850" in line or "1066" in line or "1900" in line] == [
        "content/index.md:8: 1850: equals world/films (row 1) IMDB Votes = 1850"
    ], lines

"""``broadsheet check --numbers``: every number typed by hand in prose, titles and alt text,
whether it equals a value of the data (and the binding that would write it), and what is
left out as not a quantity."""

from __future__ import annotations

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

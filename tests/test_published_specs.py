"""Every Vega-Lite spec a build publishes (each chart's wide and narrow layout, which its
page, its embed page and a scrolly section load) is valid against the schema it declares:
the Vega-Lite JSON schema Altair ships, checked with jsonschema. Over the test sites and
the explainer. A spec the live chart loads must not depend on Vega-Lite forgiving it."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from conftest import Explainer, make_site, run


@cache
def validator() -> Any:
    import altair as alt
    import jsonschema

    schema = json.loads((Path(alt.__file__).parent / "vegalite/v6/schema/vega-lite-schema.json").read_text())
    return jsonschema.Draft7Validator(schema)


def problems(public: Path) -> list[str]:
    """Each published spec's schema errors, and each spec a page names that is not published."""
    import altair as alt

    found = []
    specs = sorted((public / "charts").rglob("*.json"))
    assert specs, "the site publishes specs"
    for path in specs:
        spec = json.loads(path.read_text())
        if spec.get("$schema") != alt.SCHEMA_URL:
            found.append(f"{path.name}: declares {spec.get('$schema')!r}, not {alt.SCHEMA_URL}")
        for error in validator().iter_errors(spec):
            where = "/".join(str(p) for p in error.absolute_path)
            found.append(f"{path.relative_to(public)}: at {where}: {error.message[:200]}")
            break
    for page in public.rglob("*.html"):
        for url in re.findall(r'data-spec(?:-narrow)?="([^"]+)"', page.read_text()):
            if not (public / url.lstrip("/")).is_file():
                found.append(f"{page.relative_to(public)}: names {url}, which is not published")
    return found


@pytest.mark.parametrize("name", ["layouts", "gallery", "basic"])
def test_every_spec_a_test_site_publishes_is_valid_vega_lite(name: str, tmp_path: Path, shared_cache: Path) -> None:
    site = make_site(tmp_path, name)
    assert run(site, cache=shared_cache) == 0
    assert problems(site / "public") == []


def test_every_spec_the_explainer_publishes_is_valid_vega_lite(explainer: Explainer) -> None:
    assert problems(explainer.public) == []


def test_the_check_finds_an_invalid_spec(tmp_path: Path) -> None:
    """(The test above can fail: a Vega object where Vega-Lite allows an expression.)"""
    import altair as alt

    charts = tmp_path / "charts"
    charts.mkdir()
    spec = {"$schema": alt.SCHEMA_URL, "mark": "point", "config": {"legend": {"layout": {"top": {"direction": "vertical"}}}}}
    (charts / "x.json").write_text(json.dumps(spec))
    assert [p.split(":")[0] for p in problems(tmp_path)] == ["charts/x.json"]

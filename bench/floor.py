#!/usr/bin/env python3
"""The renderer's own limit: plain vl-convert drawing the specs a build drew, on the same cores.

A chart build compiles each chart, draws it in two layouts (fitting each to its column,
which may draw it again), evaluates its plotted data and draws each scrolly step. The
floor is what vl-convert alone takes to draw the final specs once each: after a cold
build, every chart's cache entry (``CACHE/chart/**/*.json``) holds the wide and narrow
spec it drew, steps included. This script draws them all with ``vegalite_to_svg`` in as
many processes as the build uses (``pool.worker_count()``), each measuring text with the
bundled font as the chart workers do, and times it from a fresh process: Python start,
``import vl_convert`` and V8's warm-up included, as in the build.

    python bench/floor.py CACHE_DIR [--processes N]    # prints seconds, drawings, processes

``bench/run.py`` calls it after each cold chart build and prints build / floor.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent


def cached_specs(cache: Path) -> list[str]:
    """Every spec a build drew, as JSON text: each chart entry's wide and narrow spec."""
    specs = []
    for path in sorted((cache / "chart").rglob("*.json")):
        entry = json.loads(path.read_text(encoding="utf-8"))
        specs += [entry[name] for name in ("spec", "narrow_spec") if entry.get(name)]
    return specs


def _bundled_font_only() -> None:
    """What the chart workers do (``renderers._bundled_font_only``): no system font."""
    folder = tempfile.mkdtemp(prefix="floor-fonts-")
    conf = Path(folder, "fonts.conf")
    conf.write_text(f'<?xml version="1.0"?>\n<fontconfig><dir>{folder}</dir></fontconfig>\n', encoding="utf-8")
    os.environ["FONTCONFIG_FILE"] = str(conf)
    os.environ["TZ"] = "UTC"


def _warm() -> None:
    _bundled_font_only()
    import vl_convert

    vl_convert.vegalite_to_svg({"mark": "point", "data": {"values": [{"a": 1}]}, "encoding": {"x": {"field": "a", "type": "quantitative"}}})


def _draw(spec: str) -> int:
    import vl_convert

    return len(vl_convert.vegalite_to_svg(json.loads(spec)))


def draw_all(specs: list[str], processes: int) -> float:
    """Seconds to draw ``specs`` in ``processes`` spawned processes (as the chart workers are)."""
    import multiprocessing

    start = time.perf_counter()
    with multiprocessing.get_context("spawn").Pool(processes, initializer=_warm) as pool:
        pool.map(_draw, specs, chunksize=1)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("cache", type=Path, help="the cache folder of a cold build (its chart/ entries)")
    parser.add_argument("--processes", type=int, default=0, help="default: as many as the build's chart workers")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(REPO))
    from broadsheet.pool import worker_count

    specs = cached_specs(args.cache)
    processes = args.processes or worker_count()
    seconds = draw_all(specs, processes) if specs else 0.0
    result: dict[str, Any] = {"seconds": seconds, "drawings": len(specs), "processes": processes}
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Where a chart build's time goes, chart by chart (a profile, not a benchmark).

Loads a site (default: this repository's explainer) and makes each of its charts, scrolly
steps included, the way a chart worker does (``renderers.render_chart``), in this one
process, timing each part: the worker's warm-up, compiling the chart (its function or
declarative block, then Altair's ``to_dict``), each drawing by vl-convert (the fitting
passes of each layout), the plotted data's evaluation (VegaFusion) and what is left
(layout transforms, JSON). CPU time of this process (vl-convert's and VegaFusion's
threads included), so a busy machine inflates it less than wall time.

    python bench/chart_costs.py [--root SITE]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

SPENT: defaultdict[str, Counter[str]] = defaultdict(Counter)  # chart id -> part -> seconds
CALLS: defaultdict[str, Counter[str]] = defaultdict(Counter)  # chart id -> part -> calls
CURRENT = {"chart": ""}


def timed(module: Any, name: str, part: str) -> None:
    """Count and time every call of ``module.name`` under ``part`` for the current chart."""
    function: Callable[..., Any] = getattr(module, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            SPENT[CURRENT["chart"]][part] += time.process_time() - start
            CALLS[CURRENT["chart"]][part] += 1

    setattr(module, name, wrapper)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=REPO, help="site folder (default: the explainer)")
    args = parser.parse_args(argv)
    os.environ["TZ"] = "UTC"
    from broadsheet import charts, renderers, workers
    from broadsheet.config import load_config
    from broadsheet.site import load_site
    from broadsheet.state import BuildState

    site = load_site(load_config(args.root.resolve()), BuildState())
    with workers._bundled_font_only():
        start = time.process_time()
        renderers.warm_up()
        warm = time.process_time() - start
        timed(renderers, "compile_spec", "compile")
        timed(charts, "_to_dict", "  of which to_dict")
        timed(renderers, "render_svg", "draw")
        timed(renderers, "plotted_tables", "evaluate")
        frames: dict[str, Any] = {}
        for chart in site.charts.values():
            CURRENT["chart"] = chart.id
            start = time.process_time()
            renderers.render_chart(chart, site.package, site.config.root, frames)
            SPENT[chart.id]["total"] += time.process_time() - start
    print_report(site.charts, warm)
    return 0


def print_report(charts: Any, warm: float) -> None:
    parts = ["compile", "  of which to_dict", "draw", "evaluate"]
    print("| chart | kind | total | " + " | ".join(p.strip() for p in parts) + " | other | drawings |")
    print("|---|---|---:|" + "---:|" * (len(parts) + 2))
    sums: Counter[str] = Counter()
    for chart_id, chart in charts.items():
        spent, calls = SPENT[chart_id], CALLS[chart_id]
        kind = "step" if chart.state is not None else ("python" if chart.definition else "declarative")
        other = spent["total"] - spent["compile"] - spent["draw"] - spent["evaluate"]
        cells = [f"{spent[p] * 1000:.0f} ms ({calls[p]})" if calls[p] else "-" for p in parts]
        row = [chart_id, kind, f"{spent['total'] * 1000:.0f} ms", *cells, f"{other * 1000:.0f} ms", str(calls["draw"])]
        print("| " + " | ".join(row) + " |")
        sums.update(spent)
        sums["drawings"] += calls["draw"]
        sums["final drawings"] += 2
    total = sums["total"]
    print()
    print(f"{len(charts)} charts and steps: {total:.2f} s of CPU, plus {warm:.2f} s to warm one worker up (imports, a first drawing).")
    for part in parts:
        print(f"- {part.strip()}: {sums[part]:.2f} s ({sums[part] / total:.0%})")
    other = total - sums["compile"] - sums["draw"] - sums["evaluate"]
    print(f"- other (layout transforms, JSON): {other:.2f} s ({other / total:.0%})")
    extra = sums["drawings"] - sums["final drawings"]
    print(f"- drawings: {sums['drawings']:.0f}, of which {extra:.0f} fitting passes beyond one per layout")


if __name__ == "__main__":
    sys.exit(main())

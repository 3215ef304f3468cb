"""Compiled chart specs, remembered within a chart worker.

A scrolly step is its chart's spec transformed (``states.apply_state``). Compiling a
chart (running its function, then Altair's validating ``to_dict``) cost more than
drawing it, and each step compiled it again: the explainer's coal-monthly ran its
function twelve times for one chart and five steps in two layouts. ``charts.compile_spec``
now keeps the spec it compiled under a key of everything it is made from (the block, the
function's code, the data, the layout, the site's colours, the site folder) and applies
each step's state to that.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .cache import cache_key
from .data import Package
from .scrolly import StepState
from .states import apply_state

if TYPE_CHECKING:  # (charts imports this module)
    from .charts import ChartBlock

KEPT = 16  # specs kept: a long preview session compiles many versions of its charts
SPECS: dict[str, dict[str, Any]] = {}  # key -> a chart's spec before any step's state


def key(chart: ChartBlock, package: Package, root: Path, layout: str, series_colors: Mapping[str, str] | None) -> str:
    """What a compiled spec is made from (not the step's state, nor the chart's id)."""
    code = chart.definition.code_digest if chart.definition else ""
    data = [package.datasets[name].digest for name in chart.datasets]
    return cache_key(json.dumps([dict(chart.spec), code, str(root), layout, dict(series_colors or {}), data], default=str))


def remember(made: str, spec: dict[str, Any], state: StepState | None) -> dict[str, Any]:
    """Keep ``spec`` under ``made`` and return it as the step ``state`` shows it."""
    SPECS[made] = spec
    while len(SPECS) > KEPT:
        del SPECS[next(iter(SPECS))]
    return shown(made, state)


def shown(made: str, state: StepState | None) -> dict[str, Any]:
    """The spec kept under ``made``, as the step ``state`` shows it (a copy: callers change it)."""
    return apply_state(SPECS[made], state) if state else copy.deepcopy(SPECS[made])

"""Parallel work for cold builds: parsing Markdown and rendering chart SVGs on every core.

Small jobs stay in the calling process (starting workers costs more than it saves).
Output does not depend on the number of workers: results come back in input order.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Sequence
from typing import Any

from .content import Page, new_converter, parse_page

MIN_PAGES = 64  # below this, parsing in one process is faster
MIN_CHARTS = 6  # below this, a renderer's warm-up (~0.8 s) costs more than it saves
_converter: Any = None  # one Markdown converter per worker process


def worker_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def parse_pages(items: Sequence[tuple[str, str]], converter: Any = None) -> list[Page]:
    """Parse ``(src, text)`` pairs into pages, in parallel when there are many.
    ``converter`` is a Markdown converter to reuse for small batches (making one costs
    more than parsing a page)."""
    workers = min(worker_count(), len(items) // MIN_PAGES)
    if workers < 2:
        converter = converter or new_converter()
        return [parse_page(src, text, converter) for src, text in items]
    # fork: workers inherit the imported modules, so they start in milliseconds
    with multiprocessing.get_context("fork").Pool(workers, initializer=_start_parser) as pool:
        return pool.map(_parse, items, chunksize=max(1, len(items) // (workers * 8)))


def _start_parser() -> None:
    global _converter
    _converter = new_converter()


def _parse(item: tuple[str, str]) -> Page:
    return parse_page(item[0], item[1], _converter)


def render_svgs(jobs: Sequence[tuple[dict[str, Any], str, str]]) -> list[str]:
    """Render ``(spec, chart id, description)`` jobs to SVG, in parallel when there are many.

    vl-convert serialises calls within a process, so parallel rendering needs processes;
    they are spawned (not forked) because the converter runs threads of its own.
    """
    from .charts import render_svg

    workers = min(worker_count(), len(jobs) // MIN_CHARTS)
    if workers < 2:
        return [render_svg(*job) for job in jobs]
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        return pool.starmap(render_svg, jobs, chunksize=1)

"""Parallel work for cold builds: pages (Markdown and templates) and chart SVGs on every core.

Small jobs stay in the calling process (starting workers costs more than it saves).
Output does not depend on the number of workers: results come back in input order.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from typing import Any

from .content import Page, to_html
from .output import Output

MIN_PAGES = 64  # below this, rendering in one process is faster
MIN_CHARTS = 6  # below this, a renderer's warm-up (~0.8 s) costs more than it saves
_job: tuple[Sequence[Page], Callable[[Page, str], str], Output, Any, bool] | None = None  # what forked workers inherit


def worker_count() -> int:
    """The cores this process may use, or ``$BROADSHEET_WORKERS`` if set (1: no workers)."""
    if os.environ.get("BROADSHEET_WORKERS", "").isdigit():
        return max(1, int(os.environ["BROADSHEET_WORKERS"]))
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def render_pages(pages: Sequence[Page], render: Callable[[Page, str], str], output: Output, converter: Any) -> list[str]:
    """Convert each page's Markdown (unless it has its HTML already), ``render`` it and
    write it to ``output``, in parallel when there are many. Return the HTML converted
    for each page ("" for those that had it), for the next build to reuse.

    The workers are forked once everything a page needs is known (navigation, charts,
    templates): they inherit it, so nothing is sent to them but page numbers. They
    write into a staging folder themselves; an in-place output gets the pages back."""
    global _job
    workers = min(worker_count(), len(pages) // MIN_PAGES)
    try:
        if workers < 2:
            _job = (pages, render, output, converter, False)
            return [_render(i)[0] for i in range(len(pages))]
        _job = (pages, render, output, converter, output.in_place)  # in place: the parent holds the writes
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            results = pool.map(_render, range(len(pages)), chunksize=max(1, len(pages) // (workers * 8)))
    finally:
        _job = None
    for page, (_, content) in zip(pages, results, strict=True):
        if content is None:
            output.produced.add(page.dest)  # written by the worker
        else:
            output.write(page.dest, content)
    return [html for html, _ in results]


def _render(index: int) -> tuple[str, str | None]:
    """Page ``index`` of the job: (its HTML if converted now, else ""; the rendered page
    if the parent must write it, else None)."""
    assert _job is not None
    pages, render, output, converter, send_back = _job
    page = pages[index]
    html = page.html or to_html(page, converter)
    content = render(page, html)
    if send_back:
        return ("" if page.html else html), content
    output.write(page.dest, content)
    return ("" if page.html else html), None


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

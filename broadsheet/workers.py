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


class SvgRenderer:
    """Renders charts to SVG as they are submitted: in spawned worker processes when there
    are many (vl-convert serialises calls within a process, and it runs threads of its
    own, so the workers are spawned, not forked), else here, one by one.

    The workers start at once and warm their renderer up (~0.5 s) while the caller is
    still compiling the charts it will submit. Results come back in submission order."""

    def __init__(self, count: int):
        workers = min(worker_count(), count // MIN_CHARTS)
        self.pool = multiprocessing.get_context("spawn").Pool(workers, initializer=_warm_up) if workers >= 2 else None
        self.pending: list[Any] = []

    def submit(self, spec: dict[str, Any], chart_id: str, description: str) -> None:
        from .charts import render_svg

        if self.pool is None:
            self.pending.append(render_svg(spec, chart_id, description))
        else:
            self.pending.append(self.pool.apply_async(render_svg, (spec, chart_id, description)))

    def results(self) -> list[str]:
        return [job if self.pool is None else job.get() for job in self.pending]

    def __enter__(self) -> SvgRenderer:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            self.pool.terminate()  # (after results(), every job is done)
            self.pool.join()


def _warm_up() -> None:
    """Start a worker's renderer with a one-point chart: its first call costs ~0.5 s."""
    import vl_convert

    from .charts import render_svg  # noqa: F401  (imported now, not with the first job)

    vl_convert.vegalite_to_svg({"mark": "point", "data": {"values": [{"a": 1}]}, "encoding": {"x": {"field": "a", "type": "quantitative"}}})

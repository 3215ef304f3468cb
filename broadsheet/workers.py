"""Parallel work for cold builds: pages (Markdown and templates) and chart SVGs on every core.

Small jobs stay in the calling process (starting workers costs more than it saves).
Output does not depend on the number of workers: results come back in input order.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

from .output import Output

MIN_PAGES = 64  # below this, rendering in one process is faster
BLOCK_WEIGHT = 8  # a chart or table (its data table, notes, sources) costs about as much as 8 pages
MIN_CHARTS = 6  # below this, a renderer's warm-up (~0.8 s) costs more than it saves
Task = Callable[[], tuple[str, str, str]]  # -> (file to write, its content, an extra result)
_job: tuple[Sequence[Task], Output, bool] | None = None  # what forked workers inherit


def worker_count() -> int:
    """The cores this process may use, or ``$BROADSHEET_WORKERS`` if set (1: no workers)."""
    if os.environ.get("BROADSHEET_WORKERS", "").isdigit():
        return max(1, int(os.environ["BROADSHEET_WORKERS"]))
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def run_tasks(tasks: Sequence[Task], work: int, output: Output) -> list[str]:
    """Run rendering tasks and write what they make to ``output``, in parallel when
    ``work`` (about one unit per plain page) is large. Return each task's extra result
    (a page's HTML converted on the way, or "").

    The workers are forked once everything a task needs is known (navigation, charts,
    templates, the Markdown converter): they inherit it, so nothing is sent to them but
    task numbers. They write into a staging folder themselves; in place, the output
    gets the files back (it writes nothing before the whole build has succeeded)."""
    global _job
    workers = min(worker_count(), work // MIN_PAGES)
    if workers < 2:
        extras = []
        for task in tasks:
            dest, content, extra = task()
            output.write(dest, content)
            extras.append(extra)
        return extras
    _job = (tasks, output, output.in_place)
    try:
        import multiprocessing  # (here: a build that needs no workers does not import it)

        with multiprocessing.get_context("fork").Pool(workers) as pool:
            results = pool.map(_run, range(len(tasks)), chunksize=max(1, len(tasks) // (workers * 8)))
    finally:
        _job = None
    for dest, sent, _ in results:
        if sent is None:
            output.produced.add(dest)  # written by the worker
        else:
            output.write(dest, sent)
    return [extra for _, _, extra in results]


def _run(index: int) -> tuple[str, str | None, str]:
    """Task ``index`` of the job: (its file, its content if the parent must write it
    else None, its extra result)."""
    assert _job is not None
    tasks, output, send_back = _job
    dest, content, extra = tasks[index]()
    if send_back:
        return dest, content, extra
    output.write(dest, content)
    return dest, None, extra


class SvgRenderer:
    """Renders charts to SVG as they are submitted: in spawned worker processes when there
    are many (vl-convert serialises calls within a process, and it runs threads of its
    own, so the workers are spawned, not forked), else here, one by one.

    The workers start at once and warm their renderer up (~0.5 s) while the caller is
    still compiling the charts it will submit. Results come back in submission order."""

    def __init__(self, count: int):
        workers = min(worker_count(), count // MIN_CHARTS)
        self.pool: Any = None
        if workers >= 2:
            import multiprocessing

            self.pool = multiprocessing.get_context("spawn").Pool(workers, initializer=_warm_up)
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

"""Parallel work for cold builds: pages (Markdown and templates) rendered on every core.

Small jobs stay in the calling process (starting workers costs more than it saves).
Output does not depend on the number of workers: results come back in input order.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from .config import WORKERS
from .output import Output

MIN_PAGES = 64  # below this, rendering in one process is faster
BLOCK_WEIGHT = 8  # a chart or table (its data table, notes, sources) costs about as much as 8 pages


@dataclass(frozen=True)
class Made:
    """What a task makes: a file to write, its content, and an extra result for the caller."""

    dest: str
    content: str | bytes
    extra: str = ""  # (a page: its Markdown converted to HTML on the way, to keep)


Task = Callable[[], Made]
_job: tuple[Sequence[Task], Output, bool] | None = None  # what forked workers inherit
_calls: Sequence[Callable[[], Any]] = ()  # what forked workers of ``call_all`` inherit
Result = TypeVar("Result")


def worker_count() -> int:
    """The cores this process may use, or ``$BROADSHEET_WORKERS`` if set (1: no workers)."""
    if WORKERS.value():
        return int(WORKERS.value())
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def run_tasks(
    tasks: Sequence[Task],
    work: int,
    output: Output,
    before_fork: Callable[[], None] | None = None,
    meanwhile: Callable[[], None] | None = None,
) -> list[str]:
    """Run rendering tasks and write what they make to ``output``, in parallel when
    ``work`` (about one unit per plain page) is large. Return each task's extra result
    (a page's HTML converted on the way, or "").

    The workers are forked once everything a task needs is known (navigation, charts,
    templates, the Markdown converter): they inherit it, so nothing is sent to them but
    task numbers. They write into a staging folder themselves; in place, the output
    gets the files back (it writes nothing before the whole build has succeeded).
    ``before_fork`` runs first when workers are forked; ``meanwhile`` runs in this
    process while they work (after the tasks, without workers)."""
    global _job
    workers = min(worker_count(), work // MIN_PAGES)
    if workers < 2:
        extras = []
        for task in tasks:
            made = task()
            output.write(made.dest, made.content)
            extras.append(made.extra)
        if meanwhile is not None:
            meanwhile()
        return extras
    if before_fork is not None:
        before_fork()
    _job = (tasks, output, output.in_place)
    try:
        import multiprocessing  # (here: a build that needs no workers does not import it)

        with multiprocessing.get_context("fork").Pool(workers) as pool:
            pending = pool.map_async(_run, range(len(tasks)), chunksize=_chunk(len(tasks), workers))
            if meanwhile is not None:
                meanwhile()  # (an error here ends the workers as it leaves the pool)
            results = pending.get()
    finally:
        _job = None
    for dest, sent, _ in results:
        if sent is None:
            output.produced.add(dest)  # written by the worker
        else:
            output.write(dest, sent)
    return [extra for _, _, extra in results]


def call_all(calls: Sequence[Callable[[], Result]], per_worker: int, before_fork: Callable[[], None] | None = None) -> list[Result]:
    """Each of ``calls``, on every core when there are at least ``per_worker`` calls a
    core, in this process otherwise; results in input order. Forked workers inherit
    the calls; only their numbers are sent, and results come back pickled."""
    global _calls
    workers = min(worker_count(), len(calls) // max(1, per_worker))
    if workers < 2:
        return [call() for call in calls]
    if before_fork is not None:
        before_fork()
    _calls = calls
    try:
        import multiprocessing

        with multiprocessing.get_context("fork").Pool(workers) as pool:
            return pool.map(_call, range(len(calls)), chunksize=_chunk(len(calls), workers))
    finally:
        _calls = ()


def _chunk(count: int, workers: int) -> int:
    """Tasks a worker takes at a time: few enough that the last ones end together (at
    4,000 pages, chunks of 250 left one core idle for up to half a second)."""
    return max(1, min(64, count // (workers * 8)))


def _call(index: int) -> Any:
    return _calls[index]()


def _run(index: int) -> tuple[str, str | bytes | None, str]:
    """Task ``index`` of the job: (its file, its content if the parent must write it
    else None, its extra result)."""
    assert _job is not None
    tasks, output, send_back = _job
    made = tasks[index]()
    if send_back:
        return made.dest, made.content, made.extra
    output.write(made.dest, made.content)
    return made.dest, None, made.extra

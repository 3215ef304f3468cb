"""Chart workers: the spawned processes that compile, render and evaluate charts.

Chart code is the user's, so it never runs in the build's own process. Each worker runs
``renderers.render_chart`` for one chart at a time, under a time limit and a memory limit;
a worker that dies is replaced, and its chart tried once more in a fresh one before it is
blamed; a worker whose memory has grown is replaced before the limit kills it.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from xml.sax.saxutils import escape

from . import compiled
from .charts import ChartBlock
from .config import CHART_MEMORY, CHART_TIMEOUT
from .data import Package
from .errors import SiteError
from .pool import worker_count
from .renderers import RenderedChart, render_chart, warm_up

if TYPE_CHECKING:  # (imported when workers start: a build that renders no chart does not)
    from multiprocessing.connection import Connection
    from multiprocessing.process import BaseProcess

MIN_CHARTS = 6  # below this, a renderer's warm-up (~0.8 s) costs more than it saves
# The limits of a chart are read by config.py (CHART_TIMEOUT: seconds of the chart's own CPU
# time; CHART_MEMORY: MB a chart worker may allocate, 3 GB by default: V8 alone reserves
# ~730 MB; the gallery's 41,000 zip codes need 2.3 GB).
ARENAS = "2"  # malloc arenas in a worker: VegaFusion's threads would reserve ~1 GB of the limit (MALLOC_ARENA_MAX)
WALL_TIMES = 4  # a chart may wait (not compute) up to this many times its time limit
START_TIMEOUT = 120.0  # a worker importing Altair, pandas and vl-convert on a busy machine


# Charts a worker draws before a fresh one takes over. A fresh worker costs ~1.1 s of CPU
# (imports, the renderer's warm-up) and draws its first ~25 charts a third slower while V8
# compiles its code again; a warm one's memory stays level on ordinary charts (276 MB after
# 25 charts of the benchmark, 282 MB after 200), so this only bounds what the memory check
# below does not see.
RECYCLE_AFTER = 250
# A worker whose resident memory passes this share of the limit is replaced before its
# next chart (a fresh one holds ~180 MB; large charts add memory that is never given
# back), so that memory piled up chart after chart is not what makes the limit kill a chart.
RECYCLE_RESIDENT = 0.5


class _Died(Exception):
    """A worker process ended: its ``SiteError`` if the chart is to be blamed."""

    def __init__(self, error: SiteError, served: int):
        super().__init__(str(error))
        self.error, self.served = error, served  # (the charts it had drawn before)


def chart_memory() -> int:
    """``$BROADSHEET_CHART_MEMORY`` (MB), else the default (checked by ``config`` before any build)."""
    return int(CHART_MEMORY.value())


def _cpu_seconds(pid: int | None) -> float | None:
    """A process's CPU time (user and system) in seconds; None where there is no /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _resident_megabytes(pid: int | None) -> float:
    """A process's resident memory in MB (0 where there is no /proc). Not its data
    segment, which the limit counts: that holds address space reserved for threads' heaps
    (VegaFusion's), ~1.9 GB without a limit, far more than is ever used."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    found = re.search(r"^VmRSS:\s+(\d+) kB", status, re.M)
    return int(found.group(1)) / 1024 if found else 0.0


def chart_timeout() -> float:
    """``$BROADSHEET_CHART_TIMEOUT`` (seconds), else the default (checked by ``config`` before any build)."""
    return CHART_TIMEOUT.value()


@dataclass(frozen=True)
class ChartJob:
    """One chart to make, and where to report its errors."""

    chart: ChartBlock
    src: str
    line: int


@dataclass(frozen=True)
class _Worker:
    conn: Connection  # the parent's end of the pipe
    proc: BaseProcess
    log: int  # a file descriptor: the worker's stderr (Python tracebacks, V8's fatal errors)

    def stop(self) -> None:
        self.conn.close()
        self.proc.kill()
        self.proc.join()
        os.close(self.log)

    def last_words(self) -> str:
        size = os.fstat(self.log).st_size
        return os.pread(self.log, 65536, max(0, size - 65536)).decode("utf-8", "replace")


_idle: list[_Worker] = []  # workers left warm by the last build (the preview server's next rebuild reuses them)


def stop_idle_workers() -> None:
    """Stop the workers left warm (~270 MB each): the next chart rendered starts one again."""
    while _idle:
        _idle.pop().stop()


class ChartWorkers:
    """Compiles, renders and evaluates charts in spawned worker processes, never in the
    build's own: chart code is the user's (it may call ``sys.exit``, loop forever or
    exhaust memory) and vl-convert aborts the whole process when V8 runs out of memory.
    Each chart has a time limit; a worker that overruns or dies is killed and the chart
    reported at its file and line, so the preview server outlives any chart. The workers
    run in UTC, so temporal charts are laid out the same on every machine. Several
    workers when there are many charts (vl-convert serialises calls within a process);
    workers that finished cleanly stay warm for the next build in this process.
    Results come back in submission order."""

    def __init__(self, package: Package, root: Path, count: int, series_colors: Mapping[str, str] | None = None):
        self.package, self.root, self.series_colors = package, root, dict(series_colors or {})
        self.size = max(1, min(worker_count(), count // MIN_CHARTS))
        self.timeout = chart_timeout()
        self.workers: dict[Connection, _Worker] = {}  # by connection
        self.idle: list[Connection] = []
        self.served: dict[Connection, int] = {}  # charts each worker has drawn
        self.cpu_at_start: dict[Connection, tuple[float, float | None]] = {}  # when its chart started, and its CPU seconds then
        self.holds: dict[Connection, set[str]] = {}  # the compiled specs each worker keeps (``compiled.key``)

    def run(self, jobs: Sequence[ChartJob], done: Callable[[int, RenderedChart], None] | None = None) -> list[RenderedChart]:
        """Each job's ``RenderedChart``, or the first ``SiteError`` raised. ``done(index,
        chart)`` is called as each chart arrives, so what was made before an error is kept."""
        from multiprocessing.connection import wait

        results: list[RenderedChart | None] = [None] * len(jobs)
        todo = list(range(len(jobs)))  # in order, but see ``_pick``
        busy: dict[Connection, tuple[int, float]] = {}  # connection -> (job, deadline)
        retried: set[int] = set()  # jobs whose worker died once: run again in a fresh one
        families = [compiled.key(job.chart, self.package, self.root, "wide", self.series_colors) for job in jobs]
        starting = {self._start(): time.monotonic() + START_TIMEOUT for _ in range(min(self.size, len(jobs)) - self._reuse())}
        while todo or busy:
            self._dispatch(jobs, todo, busy, families)
            if not busy and not starting and todo:  # (every worker was recycled or died)
                starting[self._start()] = time.monotonic() + START_TIMEOUT
            deadline = min([d for _, d in busy.values()] + list(starting.values()))
            for ready in wait([*busy, *starting], timeout=max(0.0, deadline - time.monotonic())):
                conn = cast("Connection", ready)
                index = busy.pop(conn)[0] if conn in busy else -1  # (-1: a worker saying it is ready)
                starting.pop(conn, None)
                try:
                    value = self._receive(conn, jobs[index] if index >= 0 else None)
                except _Died as died:
                    if index < 0 or index in retried or not died.served:  # (a fresh worker died of the chart itself)
                        raise died.error from None
                    retried.add(index)  # (memory a warm worker had piled up, perhaps: once more, in a fresh one)
                    todo.insert(0, index)
                    starting[self._start()] = time.monotonic() + START_TIMEOUT
                    continue
                self._keep_or_recycle(conn, starting, served=index >= 0)
                self._dispatch(jobs, todo, busy, families)  # (before ``done``, which may take a while: a social card)
                if index >= 0 and value is not None:
                    results[index] = value
                    if done is not None:
                        done(index, value)
            self._check_deadlines(jobs, busy, starting)
        return [result for result in results if result is not None]  # (every job has one)

    def _dispatch(self, jobs: Sequence[ChartJob], todo: list[int], busy: dict[Connection, tuple[int, float]], families: list[str]) -> None:
        """Send a chart to each idle worker."""
        while self.idle and todo:
            conn = self.idle.pop()
            index = todo.pop(self._pick(conn, todo, families))
            self.holds.setdefault(conn, set()).add(families[index])
            conn.send((jobs[index].chart, self._data_of(jobs[index].chart), str(self.root), self.series_colors))
            busy[conn] = (index, time.monotonic() + self.timeout)
            self.cpu_at_start[conn] = (time.monotonic(), _cpu_seconds(self.workers[conn].proc.pid))

    def _pick(self, conn: Connection, todo: list[int], families: list[str]) -> int:
        """Where in ``todo`` the worker's next chart is: the first whose spec it compiled
        already (a scrolly step transforms its chart's spec: ``compiled``), else the first
        that no other worker has begun (its steps will follow it there), else the first."""
        mine = self.holds.get(conn, set())
        others = {family for other, held in self.holds.items() if other != conn and other in self.workers for family in held}
        kept = next((at for at, index in enumerate(todo) if families[index] in mine), None)
        return kept if kept is not None else next((at for at, index in enumerate(todo) if families[index] not in others), 0)

    def _keep_or_recycle(self, conn: Connection, starting: dict[Connection, float], served: bool) -> None:
        """A worker that has drawn ``RECYCLE_AFTER`` charts, or whose memory is past its
        marks, is replaced by a fresh one before the limit kills it (vl-convert's and
        pandas' memory grows chart after chart in a warm process)."""
        worker = self.workers[conn]
        self.served[conn] = self.served.get(conn, 0) + served
        if self.served[conn] < RECYCLE_AFTER and _resident_megabytes(worker.proc.pid) < RECYCLE_RESIDENT * chart_memory():
            self.idle.append(conn)
            return
        del self.workers[conn]
        worker.stop()
        starting[self._start()] = time.monotonic() + START_TIMEOUT

    def _data_of(self, chart: ChartBlock) -> Package:
        """The datasets one chart reads (each worker keeps the DataFrames it made, by digest)."""
        return replace(self.package, datasets={name: self.package.datasets[name] for name in chart.datasets})

    def _reuse(self) -> int:
        while _idle and len(self.idle) < self.size:
            worker = _idle.pop()
            if worker.proc.is_alive():
                self.workers[worker.conn] = worker
                self.idle.append(worker.conn)
            else:
                worker.stop()
        return len(self.idle)

    def _receive(self, conn: Connection, job: ChartJob | None) -> RenderedChart | None:
        try:
            kind, value = conn.recv()
        except (EOFError, OSError):
            error = self._died(conn, job)
            del self.workers[conn]
            raise _Died(error, self.served.get(conn, 0)) from None
        if kind == "error":  # (the chart's mistake: the worker is healthy and waits for the next chart)
            self.idle.append(conn)
            raise value
        made: RenderedChart | None = value  # (None: a worker saying it is ready)
        return made

    def _check_deadlines(
        self, jobs: Sequence[ChartJob], busy: dict[Connection, tuple[int, float]], starting: Mapping[Connection, float]
    ) -> None:
        """A chart is stopped once it has used its time limit in CPU time (a loop), or four
        times the limit in wall time (a chart that waits): a busy machine, which slows every
        chart, does not make one fail."""
        now = time.monotonic()
        for conn, (index, deadline) in list(busy.items()):
            if now < deadline:
                continue
            started, cpu = self.cpu_at_start.get(conn, (now, None))
            used = _cpu_seconds(self.workers[conn].proc.pid)
            spent = used - cpu if used is not None and cpu is not None else now - started
            if spent < self.timeout and now - started < WALL_TIMES * self.timeout:
                busy[conn] = (index, now + max(0.5, self.timeout - spent))  # (look again when it may have used its time)
                continue
            job = jobs[index]
            raise SiteError(
                job.src,
                job.line,
                f"chart '{job.chart.id}' took longer than {self.timeout:g} s and was stopped",
                "an endless loop? (the limit is $BROADSHEET_CHART_TIMEOUT, in seconds of the chart's own CPU time)",
            )
        if any(now >= d for d in starting.values()):
            raise SiteError("charts", None, f"the chart renderer did not start within {START_TIMEOUT:g} s")

    def _start(self) -> Connection:
        import multiprocessing
        import tempfile

        context = multiprocessing.get_context("spawn")
        parent, child = context.Pipe()
        log, log_path = tempfile.mkstemp(prefix="broadsheet-chart-", suffix=".log")
        proc = context.Process(target=_serve, args=(child, log_path), daemon=True)
        arenas = os.environ.get("MALLOC_ARENA_MAX")
        os.environ["MALLOC_ARENA_MAX"] = arenas or ARENAS  # (read by the new process as it starts)
        try:
            proc.start()
        finally:
            if arenas is None:
                del os.environ["MALLOC_ARENA_MAX"]
        child.close()
        self.workers[parent] = _Worker(parent, proc, log)
        return parent

    def _died(self, conn: Connection, job: ChartJob | None) -> SiteError:
        worker = self.workers[conn]
        worker.proc.join(5)
        code = worker.proc.exitcode
        how = f"killed by signal {-code}" if code is not None and code < 0 else f"exit code {code}"
        words = worker.last_words()
        worker.stop()
        if "out of memory" in words or "MemoryError" in words:
            how = f"out of memory, {how}"
        if job is None:
            hint = f"each chart worker may use {chart_memory()} MB: raise $BROADSHEET_CHART_MEMORY" if "memory" in how else None
            return SiteError("charts", None, f"the chart renderer could not start ({how})", hint)
        return SiteError(
            job.src,
            job.line,
            f"chart '{job.chart.id}' could not be rendered: the renderer process died ({how})",
            "usually memory: too many marks, ticks (tickCount) or rows (each chart worker may use "
            f"{chart_memory()} MB: $BROADSHEET_CHART_MEMORY); "
            "or chart code that ended its process",
        )

    def __enter__(self) -> ChartWorkers:
        return self

    def __exit__(self, *exc: object) -> None:
        for conn, worker in self.workers.items():
            if conn in self.idle and worker.proc.is_alive():
                _idle.append(worker)  # between charts: safe to reuse
            else:  # hung, dead, or still starting
                worker.stop()


def _serve(conn: Connection, log_path: str) -> None:
    """A chart worker: in UTC, with bounded memory and the renderer's own font, warmed up,
    then one chart at a time. Its stderr goes to a file only the parent reads (and only if the worker dies)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C in the terminal is for the parent
    _die_with_parent()
    log = os.open(log_path, os.O_WRONLY | os.O_APPEND)
    os.dup2(log, 2)
    os.close(log)
    os.unlink(log_path)  # (the parent keeps it open)
    os.environ["TZ"] = "UTC"
    time.tzset()
    _limit_memory()
    with _bundled_font_only():
        warm_up()  # (loads the renderer's fonts)
    conn.send(("ready", None))
    frames: dict[tuple[str, Any], Any] = {}  # (CSV digest, schema) -> DataFrame, read into pandas once per worker
    while True:
        try:
            chart, package, root, series_colors = conn.recv()
        except (EOFError, OSError):
            return
        if len(frames) > 64:  # (a long preview session: forget old versions of the data)
            frames.clear()
        try:
            for dataset in package.datasets.values():
                if (dataset.digest, dataset.fields) not in frames:
                    frames[dataset.digest, dataset.fields] = dataset.frame()
            mine = {d.name: frames[d.digest, d.fields] for d in package.datasets.values()}
            made = render_chart(chart, package, Path(root), mine, series_colors)
            conn.send(("ok", made))
        except SiteError as exc:
            conn.send(("error", exc))
        except BaseException as exc:  # an engine bug must still name the chart
            where = chart.definition or chart
            conn.send(("error", SiteError(where.src, where.line, f"chart '{chart.id}' failed: {type(exc).__name__}: {exc}")))


def _die_with_parent() -> None:
    """A worker busy with an endless chart would outlive a killed build; Linux can kill it."""
    try:
        import ctypes
        import signal

        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not on Linux
        pass


@contextmanager
def _bundled_font_only() -> Iterator[None]:
    """Chart text is measured with vl-convert's bundled Liberation Sans (Arial's metrics),
    never with the machine's fonts: the same SVG on every machine, and charts render 1.6x
    faster (usvg opens and maps a system font's file again for every label it measures;
    the bundled font is in memory). vl-convert's font database reads system fonts from the
    folders $FONTCONFIG_FILE lists, so it is given one that lists an empty folder."""
    import shutil
    import tempfile

    folder = tempfile.mkdtemp(prefix="broadsheet-fonts-")
    conf = Path(folder, "fonts.conf")
    conf.write_text(f'<?xml version="1.0"?>\n<fontconfig><dir>{escape(folder)}</dir></fontconfig>\n')
    os.environ["FONTCONFIG_FILE"] = str(conf)
    try:
        yield
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _limit_memory() -> None:
    """V8 exhausting its heap aborts the process after ~30 s and 2.4 GB; a limit on the
    data segment makes it fail in seconds (RLIMIT_AS would stop V8 from starting)."""
    try:
        import resource

        megabytes = chart_memory()
        resource.setrlimit(resource.RLIMIT_DATA, (megabytes * 2**20, resource.RLIM_INFINITY))
    except (ImportError, ValueError, OSError):  # not on Linux, or a bad value: no limit
        pass

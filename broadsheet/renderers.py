"""The chart renderer: worker processes that compile, render and evaluate charts.

Chart code is the user's, so it never runs in the build's own process (see
``ChartWorkers``). In a worker, ``render_chart`` makes everything a chart's cache entry
holds: the Vega-Lite spec and a static accessible SVG of each layout (wide and narrow,
``layout.py``), and the plotted data as tables.
"""

from __future__ import annotations

import json
import math
import os
import re
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from xml.sax.saxutils import escape

from . import colors, layout, textcheck
from .charts import ChartBlock, chart_location, compile_spec, first_line
from .data import Package
from .errors import SiteError
from .plotted import Column, PlottedTable, plotted_tables, pretty
from .pool import worker_count

if TYPE_CHECKING:  # (imported when workers start: a build that renders no chart does not)
    from multiprocessing.connection import Connection
    from multiprocessing.process import BaseProcess

MIN_CHARTS = 6  # below this, a renderer's warm-up (~0.8 s) costs more than it saves
DEFAULT_CHART_TIMEOUT = 30.0  # seconds a chart may take to compile, render and evaluate
DEFAULT_CHART_MEMORY = 1024  # MB a chart worker may allocate (V8 would take 2.4 GB and 30 s to fail)
START_TIMEOUT = 120.0  # a worker importing Altair, pandas and vl-convert on a busy machine


def chart_timeout() -> float:
    """``$BROADSHEET_CHART_TIMEOUT`` (seconds), else the default."""
    try:
        return max(0.1, float(os.environ.get("BROADSHEET_CHART_TIMEOUT", DEFAULT_CHART_TIMEOUT)))
    except ValueError:
        return DEFAULT_CHART_TIMEOUT


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

    def run(self, jobs: Sequence[ChartJob]) -> list[RenderedChart]:
        """Each job's ``RenderedChart``, or the first ``SiteError`` raised."""
        from multiprocessing.connection import wait

        results: list[RenderedChart | None] = [None] * len(jobs)
        todo = list(range(len(jobs)))[::-1]
        busy: dict[Connection, tuple[int, float]] = {}  # connection -> (job, deadline)
        starting = {self._start(): time.monotonic() + START_TIMEOUT for _ in range(min(self.size, len(jobs)) - self._reuse())}
        while todo or busy:
            while self.idle and todo:
                conn, index = self.idle.pop(), todo.pop()
                conn.send((jobs[index].chart, self._data_of(jobs[index].chart), str(self.root), self.series_colors))
                busy[conn] = (index, time.monotonic() + self.timeout)
            deadline = min([d for _, d in busy.values()] + list(starting.values()))
            for ready in wait([*busy, *starting], timeout=max(0.0, deadline - time.monotonic())):
                conn = cast("Connection", ready)
                index = busy.pop(conn)[0] if conn in busy else -1  # (-1: a worker saying it is ready)
                starting.pop(conn, None)
                value = self._receive(conn, jobs[index] if index >= 0 else None)
                if index >= 0:
                    results[index] = value
                self.idle.append(conn)
            self._check_deadlines(jobs, busy, starting)
        return [result for result in results if result is not None]  # (every job has one)

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
            raise self._died(conn, job) from None
        if kind == "error":  # (the chart's mistake: the worker is healthy and waits for the next chart)
            self.idle.append(conn)
            raise value
        made: RenderedChart | None = value  # (None: a worker saying it is ready)
        return made

    def _check_deadlines(
        self, jobs: Sequence[ChartJob], busy: Mapping[Connection, tuple[int, float]], starting: Mapping[Connection, float]
    ) -> None:
        now = time.monotonic()
        for index, deadline in busy.values():
            if now >= deadline:
                job = jobs[index]
                raise SiteError(
                    job.src,
                    job.line,
                    f"chart '{job.chart.id}' took longer than {self.timeout:g} s and was stopped",
                    "an endless loop? (the limit is $BROADSHEET_CHART_TIMEOUT, in seconds)",
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
        proc.start()
        child.close()
        self.workers[parent] = _Worker(parent, proc, log)
        return parent

    def _died(self, conn: Connection, job: ChartJob | None) -> SiteError:
        worker = self.workers[conn]
        worker.proc.join(5)
        code = worker.proc.exitcode
        how = f"killed by signal {-code}" if code is not None and code < 0 else f"exit code {code}"
        words = worker.last_words()
        if "out of memory" in words or "MemoryError" in words:
            how = f"out of memory, {how}"
        if job is None:
            return SiteError("charts", None, f"the chart renderer could not start ({how})")
        return SiteError(
            job.src,
            job.line,
            f"chart '{job.chart.id}' could not be rendered: the renderer process died ({how})",
            "usually memory: too many marks, ticks (tickCount) or rows (each chart worker may use "
            f"{os.environ.get('BROADSHEET_CHART_MEMORY', DEFAULT_CHART_MEMORY)} MB: $BROADSHEET_CHART_MEMORY); "
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

        megabytes = int(os.environ.get("BROADSHEET_CHART_MEMORY", DEFAULT_CHART_MEMORY))
        resource.setrlimit(resource.RLIMIT_DATA, (megabytes * 2**20, resource.RLIM_INFINITY))
    except (ImportError, ValueError, OSError):  # not on Linux, or a bad value: no limit
        pass


@dataclass(frozen=True)
class RenderedChart:
    """What a chart worker returns: the Vega-Lite spec (JSON) and SVG of each layout, the
    plotted data, and the problems of its text (``textcheck``)."""

    spec: str
    svg: str
    tables: tuple[PlottedTable, ...]
    narrow_spec: str
    narrow_svg: str
    warnings: tuple[str, ...] = ()  # what the text and colour checks found: "chart 'id' (narrow): 'a' overlaps 'b'"
    series: tuple[tuple[str, str], ...] = ()  # each named series and its colour (``colors.series_scales``)


def render_chart(
    chart_block: ChartBlock, package: Package, root: Path, frames: dict[str, Any], series_colors: Mapping[str, str] | None = None
) -> RenderedChart:
    """Everything a chart's cache entry holds, made from its block and data (in a worker)."""
    spec = compile_spec(chart_block, package, root, frames, series_colors=series_colors)
    wide, svg = layout.fit(layout.wide(spec), layout.WIDE_WIDTH, partial(render_svg, chart_block=chart_block))
    authored = bool(chart_block.definition and chart_block.definition.layouts)
    source = compile_spec(chart_block, package, root, frames, series_colors=series_colors, layout="narrow") if authored else spec
    narrow = layout.narrow(source, authored=authored, overhang=layout.overhang(wide, svg))
    narrow, narrow_svg = layout.fit(narrow, layout.NARROW_WIDTH, partial(render_svg, chart_block=chart_block, variant="n-"))
    columns: dict[str, Column] = {}
    for name in chart_block.datasets:
        for f in package.datasets[name].fields:
            columns.setdefault(f.name, Column(f.title or pretty(f.name), f.unit, f.type))  # (as in dataset tables)
    try:  # (a scrolly step shows no data table: its chart's figure does)
        tables = plotted_tables(spec, chart_block.title, columns) if chart_block.embeddable else []
    except Exception as exc:  # drawn by vl-convert but not evaluated: say so rather than publish a wrong table
        reason = f"chart '{chart_block.id}': its data could not be evaluated: {first_line(exc)}"
        raise SiteError(*chart_location(chart_block), reason) from None
    scales = colors.series_scales(spec)
    warnings = textcheck.chart_warnings(chart_block.id, {"wide": svg, "narrow": narrow_svg}) + colors.color_warnings(chart_block.id, scales)
    series = tuple(dict.fromkeys((name, color) for scale in scales for name, color in zip(scale.names, scale.colors, strict=True)))
    return RenderedChart(spec_json(wide), svg, tuple(tables), spec_json(narrow), narrow_svg, warnings, series)


def spec_json(spec: Mapping[str, Any]) -> str:
    """The spec as strict JSON, which browsers parse: a NaN or infinity a chart left in its
    data (a computed column, an object column) becomes null, Vega's missing value."""
    try:
        return json.dumps(spec, sort_keys=True, separators=(",", ":"), allow_nan=False)
    except ValueError:
        return json.dumps(_finite(spec), sort_keys=True, separators=(",", ":"), allow_nan=False)


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


def render_svg(spec: Mapping[str, Any], chart_block: ChartBlock, variant: str = "") -> str:
    """Render Vega-Lite to a static, accessible SVG whose ids are unique on the page
    (``variant`` tells a chart's narrow drawing from its wide one)."""
    import vl_convert

    chart_id, description = chart_block.id, chart_block.description
    try:
        svg = vl_convert.vegalite_to_svg(dict(spec))
    except Exception as exc:  # a spec Altair accepted but Vega cannot draw
        raise SiteError(*chart_location(chart_block), f"chart '{chart_id}' could not be rendered: {first_line(exc)}") from None
    prefix = f"c-{chart_id}-{variant}"
    svg = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{prefix}{m.group(1)}"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{prefix}{m.group(1)})", svg)
    svg = re.sub(r'href="#([^"]+)"', lambda m: f'href="#{prefix}{m.group(1)}"', svg)
    svg = re.sub(r'\s(aria-[a-z]+|role)="[^"]*"', "", svg)
    return svg.replace("<svg ", f'<svg role="img" aria-label="{_attr(description)}" focusable="false" ', 1)


def _attr(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")


def warm_up() -> None:
    """Import what a chart needs and start the renderer with a one-point chart (~0.5 s),
    in a worker, before its first chart arrives."""
    import altair  # noqa: F401
    import pandas  # noqa: F401
    import vegafusion  # noqa: F401
    import vl_convert

    vl_convert.vegalite_to_svg({"mark": "point", "data": {"values": [{"a": 1}]}, "encoding": {"x": {"field": "a", "type": "quantitative"}}})

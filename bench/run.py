#!/usr/bin/env python3
"""Broadsheet's build benchmark (issue 7). Not a test: the figures depend on the machine.

For each size it generates a site (``bench/gen_site.py``: the shared plain corpus plus
charts and synthetic datasets) in a temporary folder and times the real CLI,
``python build.py build --root SITE``, each build a fresh process:

- cold build (``.cache/`` and ``public/`` deleted first), pages per second;
- warm no-op rebuild (nothing changed);
- rebuild after a one-word edit of one page;
- rebuild after editing one value of one dataset, and how many charts it re-rendered
  (charts - "from cache" in the build's summary line);
- peak memory: the most resident memory of the build's whole process tree (sampled),
  or the largest process's ``ru_maxrss`` if that is higher;
- "200 charts": a ~50-page site with 200 charts, cold and warm.

With ``--peers`` it also builds the plain corpus (no charts) with Hugo, Eleventy, MkDocs,
Pelican and a naive Python-Markdown + Jinja script, side by side with Broadsheet (cold,
interleaved run by run), and reports the ratios. Peers are installed on demand outside
the repository (see ``bench/peers.py``); a peer that cannot be installed is skipped.

Every figure is the median of ``--runs`` runs. The Markdown table is printed and written
to ``bench/results.md``.

usage: python bench/run.py [--sizes 250,1000,4000] [--charts 200] [--datasets 10] [--runs 3] [--peers]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from gen_site import dataset_name, generate_corpus, generate_site  # noqa: E402
from peers import Peer, all_peers  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
BUILD = REPO / "build.py"
RESULTS = REPO / "bench" / "results.md"
FLOOR = REPO / "bench" / "floor.py"
# "Built 4000 pages (12 rendered), 200 charts (180 from cache), 10 datasets in 1.23 s"; "(N rendered)" is optional
SUMMARY = re.compile(
    r"Built (?P<pages>\d+) pages?(?: \((?P<rendered>\d+) rendered\))?, (?P<charts>\d+) charts? \((?P<cached>\d+) from cache\)"
)
SAMPLE_SECONDS = 0.02
# Share of the machine's CPU that other processes used during each measured build: on a
# shared machine, other work inflates wall times, so the report says how much there was.
CONTENTION: list[float] = []
QUIET = {"wait": 30.0}  # seconds to wait, at most, for the machine to go quiet before each build


# --- running one measured process ---------------------------------------------------------


@dataclass(frozen=True)
class Measured:
    seconds: float
    cpu_seconds: float  # user + system, of the process and the children it waited for
    peak_mb: float
    contention: float  # share of the machine's CPU used by other processes meanwhile
    returncode: int
    output: str


def _tree_rss_kb(pid: int) -> int:
    """Resident memory of ``pid`` and all its descendants, in KiB (0 once it is gone)."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            with open(f"/proc/{current}/statm") as file:
                total += int(file.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as file:
                    todo.extend(int(child) for child in file.read().split())
        except (OSError, ValueError):
            continue
    return total


def busy_cpu_seconds() -> float:
    """CPU seconds the whole machine has spent busy since boot (``/proc/stat``)."""
    with open("/proc/stat") as file:
        user, nice, system, _idle, _iowait, irq, softirq, steal = (int(v) for v in file.readline().split()[1:9])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def runnable_others() -> float:
    """Processes ready to run besides this one, averaged over a second (``procs_running``)."""
    counts = []
    for _ in range(10):
        with open("/proc/stat") as file:
            counts.extend(int(line.split()[1]) - 1 for line in file if line.startswith("procs_running"))
        time.sleep(0.1)
    return sum(counts) / len(counts)


def wait_for_quiet(limit: float) -> None:
    """Wait, ``limit`` seconds at most, until no other process wants the CPU."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline and runnable_others() > 0.5:
        pass


def measure(argv: list[str], cwd: Path | None = None) -> Measured:
    """Run ``argv`` to the end; wall-clock seconds and peak memory of its process tree."""
    wait_for_quiet(QUIET["wait"])
    machine_before = busy_cpu_seconds()
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        process = subprocess.Popen(argv, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        peak_kb = 0
        done = threading.Event()

        def sample() -> None:
            nonlocal peak_kb
            while not done.is_set():
                peak_kb = max(peak_kb, _tree_rss_kb(process.pid))
                done.wait(SAMPLE_SECONDS)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        done.set()
        sampler.join()
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        output = out.read().decode("utf-8", "replace")
    cpu = usage.ru_utime + usage.ru_stime
    others = max(0.0, busy_cpu_seconds() - machine_before - cpu)
    contention = others / (seconds * (os.cpu_count() or 1))
    CONTENTION.append(contention)
    return Measured(seconds, cpu, max(peak_kb, usage.ru_maxrss) / 1024, contention, process.returncode, output)


# --- Broadsheet builds ------------------------------------------------------------------


@dataclass(frozen=True)
class Build:
    seconds: float
    cpu_seconds: float
    peak_mb: float
    contention: float
    pages: int
    pages_rendered: int  # as the summary line says; all pages for an engine that does not say
    charts: int
    cached: int

    @property
    def rerendered(self) -> int:
        return self.charts - self.cached


UNUSED: dict[int, list[Build]] = {}  # pages -> cold builds of the plain corpus beside the explainer's unused data/ and charts/


def clear_cache(site: Path) -> None:
    for name in (".cache", "public"):
        shutil.rmtree(site / name, ignore_errors=True)


def broadsheet(site: Path, prepare: Callable[[], None] = lambda: None, retries: int = 3) -> Build:
    """``prepare()``, then one build with the real CLI. A failed build (the engine may be
    mid-edit) is reported and retried after a minute, preparation included."""
    for attempt in range(1, retries + 1):
        prepare()
        run = measure([sys.executable, str(BUILD), "build", "--root", str(site)])
        match = SUMMARY.search(run.output)
        if run.returncode == 0 and match:
            rendered = int(match["rendered"]) if match["rendered"] else int(match["pages"])
            return Build(
                run.seconds,
                run.cpu_seconds,
                run.peak_mb,
                run.contention,
                int(match["pages"]),
                rendered,
                int(match["charts"]),
                int(match["cached"]),
            )
        tail = "\n    ".join(run.output.strip().splitlines()[-5:])
        print(f"  build failed (exit {run.returncode}, attempt {attempt}/{retries}):\n    {tail}", file=sys.stderr, flush=True)
        if attempt < retries:
            time.sleep(60)
    raise SystemExit(f"Broadsheet build of {site} failed {retries} times; see the output above")


def edit_page(page: Path, counter: int) -> None:
    """Replace one word of the body (the first word of its last paragraph) with a new one."""
    text = page.read_text(encoding="utf-8")
    head, sep, body = text.partition("\n---\n")
    paragraphs = body.rstrip("\n").split("\n\n")
    index = max(i for i, p in enumerate(paragraphs) if p and p[0].isalpha())
    first, _, rest = paragraphs[index].partition(" ")
    paragraphs[index] = f"Edited{counter} {rest}"
    page.write_text(head + sep + "\n\n".join(paragraphs) + "\n", encoding="utf-8", newline="\n")


def edit_dataset(csv_path: Path, counter: int) -> None:
    """Change one number (the ``value`` of the middle row)."""
    lines = csv_path.read_text(encoding="utf-8").splitlines()
    row = len(lines) // 2
    month, value, count = lines[row].split(",")
    lines[row] = f"{month},{float(value) + 0.01 * (counter + 1):.2f},{count}"
    csv_path.write_text("\n".join(lines) + "\n", encoding="utf-8", newline="\n")


@dataclass
class SizeResult:
    pages: int
    charts: int
    datasets: int
    cold: list[Build] = field(default_factory=list)
    warm: list[Build] = field(default_factory=list)
    page_edit: list[Build] = field(default_factory=list)
    data_edit: list[Build] = field(default_factory=list)

    def all_builds(self) -> list[Build]:
        return self.cold + self.warm + self.page_edit + self.data_edit


def edited_page(site: Path, pages: int, charts: int) -> Path:
    """A page past the ones that carry charts (the common case: an editor fixes prose)."""
    number = max(pages // 2, min(charts, pages) + 1) if pages > 1 else 1
    number = min(number, pages)
    return site / "content" / ("index.md" if number == 1 else f"page-{number:05d}.md")


def bench_size(folder: Path, pages: int, charts: int, datasets: int, runs: int) -> SizeResult:
    site = generate_site(folder / f"site-{pages}", pages, charts, datasets)
    result = SizeResult(pages, charts, datasets)
    page = edited_page(site, pages, charts)
    csv_path = site / "data" / f"{dataset_name(0)}.csv"
    for run in range(runs):
        print(f"  {pages} pages, run {run + 1}/{runs}: cold", file=sys.stderr, flush=True)
        result.cold.append(broadsheet(site, lambda: clear_cache(site)))
        print("    warm no-op", file=sys.stderr, flush=True)
        result.warm.append(broadsheet(site))
        print("    one-page edit", file=sys.stderr, flush=True)
        result.page_edit.append(broadsheet(site, lambda run=run: edit_page(page, run)))
        if datasets:
            print("    one-dataset edit", file=sys.stderr, flush=True)
            result.data_edit.append(broadsheet(site, lambda run=run: edit_dataset(csv_path, run)))
    return result


@dataclass
class ChartsResult:
    name: str
    pages: int
    charts: int
    cold: list[Build] = field(default_factory=list)
    warm: list[Build] = field(default_factory=list)
    floor: list[Measured] = field(default_factory=list)  # plain vl-convert drawing what each cold build drew
    drawings: int = 0


def draw_floor(site: Path) -> tuple[Measured, int]:
    """Plain vl-convert drawing the specs the last cold build of ``site`` drew, on the
    same cores, from a fresh process (``bench/floor.py``); and how many drawings."""
    run = measure([sys.executable, str(FLOOR), str(site / ".cache")])
    if run.returncode != 0:
        raise SystemExit(f"bench/floor.py failed:\n{run.output}")
    return run, int(json.loads(run.output.strip().splitlines()[-1])["drawings"])


def bench_charts(site: Path, name: str, runs: int) -> ChartsResult:
    """Cold (then the renderer's floor for what it drew) and warm builds of a chart site."""
    result = ChartsResult(name, 0, 0)
    for run in range(runs):
        print(f"  {name}, run {run + 1}/{runs}: cold, plain vl-convert, warm", file=sys.stderr, flush=True)
        result.cold.append(broadsheet(site, lambda: clear_cache(site)))
        floor, result.drawings = draw_floor(site)
        result.floor.append(floor)
        result.warm.append(broadsheet(site))
    result.pages, result.charts = result.cold[-1].pages, result.cold[-1].charts
    return result


def explainer_site(folder: Path) -> Path:
    """A copy of this repository's site (the explainer): its sources, not its build."""
    site = folder / "explainer"
    for name in ("content", "data", "charts", "templates", "static"):
        shutil.copytree(REPO / name, site / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy2(REPO / "site.toml", site / "site.toml")
    return site


def with_unused_data(site: Path, folder: Path) -> Path:
    """``site`` with the explainer's data/ and charts/ beside its pages, which use neither."""
    copy = folder / f"{site.name}-unused-data"
    shutil.copytree(site, copy)
    for name in ("data", "charts"):  # (the generated site's data/ is empty)
        shutil.copytree(REPO / name, copy / name, ignore=shutil.ignore_patterns("__pycache__"), dirs_exist_ok=True)
    return copy


# --- peers, side by side ----------------------------------------------------------------


@dataclass
class PeerResult:
    name: str
    version: str
    seconds: dict[int, list[float]] = field(default_factory=dict)  # pages -> cold runs
    peak_mb: dict[int, list[float]] = field(default_factory=dict)
    contention: dict[int, list[float]] = field(default_factory=dict)
    problem: str = ""


def ready_peers(install: bool) -> tuple[list[Peer], list[PeerResult]]:
    """The peers that can run, and a result for every peer (with the reason if not)."""
    usable, results = [], []
    for peer in all_peers():
        problem = peer.ensure(install)
        if problem:
            print(f"  peer {peer.name}: {problem}; to install it: {peer.install_hint}", file=sys.stderr, flush=True)
            results.append(PeerResult(peer.name, "", problem=problem))
            continue
        usable.append(peer)
        results.append(PeerResult(peer.name, peer.version()))
    return usable, results


def bench_peers(folder: Path, sizes: Iterable[int], runs: int, install: bool) -> tuple[dict[int, list[Build]], list[PeerResult]]:
    """Cold builds of the plain corpus: Broadsheet and each peer, interleaved run by run."""
    peers, results = ready_peers(install)
    by_name = {r.name: r for r in results}
    plain: dict[int, list[Build]] = {}
    for pages in sizes:
        corpus = folder / f"corpus-{pages}"
        generate_corpus(pages, corpus)
        site = generate_site(folder / f"plain-{pages}", pages)
        workdirs = {}
        for peer in peers:
            workdirs[peer.name] = workdir = folder / f"{peer.name.replace(' ', '-').lower()}-{pages}"
            workdir.mkdir()
            peer.prepare(corpus, workdir)
        unused = with_unused_data(site, folder)
        plain[pages] = []
        for run in range(runs):
            print(f"  side by side, {pages} pages, run {run + 1}/{runs}: Broadsheet", file=sys.stderr, flush=True)
            plain[pages].append(broadsheet(site, lambda site=site: clear_cache(site)))
            print("    Broadsheet, the explainer's data/ and charts/ unused", file=sys.stderr, flush=True)
            UNUSED.setdefault(pages, []).append(broadsheet(unused, lambda unused=unused: clear_cache(unused)))
            for peer in peers:
                record = by_name[peer.name]
                if record.problem:
                    continue
                print(f"    {peer.name}", file=sys.stderr, flush=True)
                workdir = workdirs[peer.name]
                peer.clean(workdir)
                measured = measure(peer.command(workdir), cwd=workdir)
                if measured.returncode != 0:
                    record.problem = f"build failed (exit {measured.returncode}): {measured.output.strip().splitlines()[-1:]}"
                    print(f"    {peer.name} {record.problem}", file=sys.stderr, flush=True)
                    continue
                record.seconds.setdefault(pages, []).append(measured.seconds)
                record.peak_mb.setdefault(pages, []).append(measured.peak_mb)
                record.contention.setdefault(pages, []).append(measured.contention)
    return plain, results


# --- the report -------------------------------------------------------------------------


def median(values: Iterable[float]) -> float:
    values = list(values)
    return statistics.median(values) if values else float("nan")


def secs(value: float) -> str:
    return "n/a" if value != value else f"{value:.2f} s"


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---:" if i else "---" for i in range(len(header))) + "|"]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


def _count(builds: list[Build], attribute: str) -> str:
    return f"{median(getattr(b, attribute) for b in builds):.0f}" if builds else "n/a"


def size_rows(sizes: list[SizeResult]) -> list[str]:
    rows = []
    for s in sizes:
        cold = median(b.seconds for b in s.cold)
        rows.append(
            [
                f"{s.pages:,}",
                f"{s.charts} / {s.datasets}",
                secs(cold),
                secs(median(b.cpu_seconds for b in s.cold)),
                secs(median(b.seconds for b in s.warm)),
                secs(median(b.seconds for b in s.page_edit)),
                secs(median(b.seconds for b in s.data_edit)) if s.data_edit else "n/a",
                " / ".join(_count(b, "pages_rendered") for b in (s.warm, s.page_edit, s.data_edit)),
                f"{_count(s.warm, 'rerendered')} / {_count(s.data_edit, 'rerendered')}"
                f" (expected 0 / {expected_rerendered(s.charts, s.datasets)})",
                f"{max(b.peak_mb for b in s.all_builds()):.0f} MB",
                f"{s.pages / cold:,.0f}",
                f"{median(b.contention for b in s.all_builds()):.0%}",
            ]
        )
    header = [
        "pages",
        "charts / datasets",
        "cold build",
        "cold CPU time",
        "warm no-op",
        "one-page edit",
        "one-dataset edit",
        "pages rendered: warm / page edit / dataset edit",
        "charts rendered: warm / dataset edit",
        "peak memory",
        "pages/s (cold)",
        "others' CPU",
    ]
    return table(header, rows)


def expected_rerendered(charts: int, datasets: int) -> int:
    """Charts that use dataset 0: chart k uses dataset k mod D."""
    return len(range(0, charts, datasets)) if datasets else 0


def charts_rows(results: list[ChartsResult]) -> list[str]:
    rows = []
    for result in results:
        cold, floor = median(b.seconds for b in result.cold), median(f.seconds for f in result.floor)
        rows.append(
            [
                f"{result.name}: {result.charts} charts on {result.pages} pages",
                secs(cold),
                secs(median(b.cpu_seconds for b in result.cold)),
                f"{max(b.peak_mb for b in result.cold):.0f} MB",
                f"{result.drawings}: {secs(floor)}",
                f"{cold / floor:.2f}x" if floor else "n/a",
                secs(median(b.seconds for b in result.warm)),
                f"{median(b.rerendered for b in result.warm):.0f}",
                f"{median([*(b.contention for b in result.cold), *(f.contention for f in result.floor)]):.0%}",
            ]
        )
    header = [
        "chart site",
        "cold build",
        "cold CPU time",
        "cold peak memory",
        "plain vl-convert: drawings, time",
        "build / vl-convert",
        "warm no-op",
        "charts rendered warm",
        "others' CPU",
    ]
    return table(header, rows)


def peer_rows(plain: dict[int, list[Build]], peers: list[PeerResult]) -> list[str]:
    usable = [p for p in peers if p.seconds]
    header = ["pages", "Broadsheet (no charts)", *(f"{p.name}" for p in usable), *(f"Broadsheet / {p.name}" for p in usable), "others' CPU"]
    rows = []
    for pages, builds in plain.items():
        ours = median(b.seconds for b in builds)
        theirs = [median(p.seconds.get(pages, [])) for p in usable]
        others = median([*(b.contention for b in builds), *(c for p in usable for c in p.contention.get(pages, []))])
        ratios = [f"{ours / t:.2f}x" if t == t else "n/a" for t in theirs]
        rows.append([f"{pages:,}", secs(ours), *(secs(t) for t in theirs), *ratios, f"{others:.0%}"])
    lines = table(header, rows)
    for pages, builds in UNUSED.items():
        ours = median(b.seconds for b in builds)
        eleventy = median(next((p.seconds.get(pages, []) for p in usable if p.name == "Eleventy"), []))
        lines += [
            "",
            f"With the explainer's data/ and charts/ beside the {pages:,} pages (unused): {secs(ours)}"
            + (f", {ours / eleventy:.2f}x Eleventy" if eleventy == eleventy else "")
            + f" ({ours - median(b.seconds for b in plain[pages]):+.2f} s against the plain site).",
        ]
    lines += [
        "",
        "Peak memory of the cold builds (largest run): "
        + "; ".join(f"{p.name} " + ", ".join(f"{n:,} pages {max(v):.0f} MB" for n, v in p.peak_mb.items()) for p in usable),
    ]
    lines += ["", "Versions: " + "; ".join(f"{p.name}: {p.version}" for p in usable)]
    missing = [p for p in peers if not p.seconds]
    if missing:
        lines += ["", "Left out: " + "; ".join(f"{p.name} ({p.problem})" for p in missing)]
    return lines


def target_rows(sizes: list[SizeResult], charts: list[ChartsResult], plain: dict[int, list[Build]], peers: list[PeerResult]) -> list[str]:
    """Issue 7's targets on the largest size, each with the measured value and the verdict."""
    rows: list[list[str]] = []
    largest = max(sizes, key=lambda s: s.pages) if sizes else None

    def add(name: str, measured: float, limit: float, unit: str = "s") -> None:
        if measured != measured or limit != limit:
            rows.append([name, "n/a", "n/a", "not measured"])
            return
        verdict = "met" if measured <= limit else f"missed by {measured - limit:.2f} {unit} ({measured / limit:.1f}x the limit)"
        rows.append([name, f"{measured:.2f} {unit}", f"{limit:.2f} {unit}", verdict])

    peer_cold = {p.name: p.seconds for p in peers}
    if plain:
        n = max(plain)
        ours = median(b.seconds for b in plain[n])
        for name, factor in (("MkDocs", 0.5), ("Pelican", 0.5), ("Eleventy", 1.0)):
            limit = median(peer_cold.get(name, {}).get(n, [])) * factor
            add(f"cold build, {n:,} plain pages, at most {'half of ' if factor < 1 else ''}{name}", ours, limit)
        if largest:
            add(
                f"warm no-op ({largest.pages:,} pages) faster than Hugo's cold build ({n:,} pages)",
                median(b.seconds for b in largest.warm),
                median(peer_cold.get("Hugo", {}).get(n, [])),
            )
    if largest:
        add(f"one-page edit rebuild, {largest.pages:,} pages, under 0.3 s", median(b.seconds for b in largest.page_edit), 0.3)
        if largest.data_edit:
            expected = expected_rerendered(largest.charts, largest.datasets)
            add(
                f"one-dataset edit re-renders only its {expected} charts",
                median(b.rerendered for b in largest.data_edit),
                expected,
                "charts",
            )
        add(f"peak memory, {largest.pages:,} pages, under 500 MB", max(b.peak_mb for b in largest.all_builds()), 500, "MB")
        # (issue 24, item 4: editing at 4,000 pages; the row above includes the cold builds' chart workers)
        add(f"one-page edit, {largest.pages:,} pages: peak memory under 500 MB", max(b.peak_mb for b in largest.page_edit), 500, "MB")
    for result in charts:
        cold = median(b.seconds for b in result.cold)
        if result.name == "generated":
            add(f"{result.charts} charts cold, under 4 s", cold, 4.0)
        add(f"{result.name} charts cold, within 1.5x of plain vl-convert", cold, 1.5 * median(f.seconds for f in result.floor))
        add(f"{result.name} charts cold: peak memory under 500 MB", max(b.peak_mb for b in result.cold), 500, "MB")
        add(f"{result.name} charts warm: none re-rendered", median(b.rerendered for b in result.warm), 0, "charts")
    return table(["target (issue 7)", "measured", "limit", "verdict"], rows)


FLOOR_NOTE = (
    "Plain vl-convert: `bench/floor.py` draws every spec the cold build drew (each chart's wide and narrow layout, "
    "scrolly steps included, as its cache entries hold them) once each with `vl_convert.vegalite_to_svg`, in as many "
    "processes as the build uses, from a fresh process (start-up and V8 warm-up included), measuring text with the "
    "bundled font as the chart workers do. Build / vl-convert is the cold build's wall time over that."
)


def load_note() -> str:
    """How busy other work kept the machine: wall times on a busy machine are inflated."""
    if not CONTENTION:
        return ""
    note = f"Other processes used {median(CONTENTION):.0%} of the machine's CPU during the median build (at most {max(CONTENTION):.0%})"
    return note + (": wall times are inflated; the side-by-side ratios less so." if median(CONTENTION) > 0.1 else ".")


def compile_engine() -> None:
    """Compile the engine's bytecode first, as pip does for an installed package: where
    PYTHONDONTWRITEBYTECODE is set (as on the benchmark machine), every build would
    otherwise compile the engine's modules from source again (~50 ms)."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "broadsheet"), str(REPO / "charts")], check=True)


def engine_revision() -> str:
    """The commit, and a digest of the engine's files as they are (the engine may be mid-edit)."""
    digest = hashlib.sha256()
    for path in sorted([*(REPO / "broadsheet").rglob("*.py"), *(REPO / "templates").rglob("*")]):
        if path.is_file():
            digest.update(path.relative_to(REPO).as_posix().encode() + b"\0" + path.read_bytes())
    try:
        commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown commit"
    return f"{commit.strip()} (engine files {digest.hexdigest()[:8]})"


def engine_note(start: str) -> str:
    end = engine_revision()
    return f"Engine: {end}." if end == start else f"Engine changed during the run: {start} at the start, {end} at the end."


def report(
    args: argparse.Namespace, sizes: list[SizeResult], charts: list[ChartsResult], plain: dict[int, list[Build]], peers: list[PeerResult]
) -> str:
    lines = [
        "# Broadsheet build benchmark",
        "",
        f"`python bench/run.py {' '.join(sys.argv[1:])}`: median of {args.runs} runs, "
        "each build a fresh `python build.py build` process timed by wall clock. "
        f"Machine: {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()} {platform.machine()}. "
        f"{engine_note(args.engine)} {load_note()}",
        "",
        "## Broadsheet",
        "",
        *size_rows(sizes),
        "",
        "One-page edit: one word of a page without charts. One-dataset edit: one value of one of the datasets. "
        "Peak memory: the largest of all the builds of that size (whole process tree). "
        "Others' CPU: the share of the machine's CPU that other processes used during the median build.",
    ]
    if charts:
        lines += ["", "## Charts", "", *charts_rows(charts), "", FLOOR_NOTE]
    if plain:
        lines += ["", "## Side by side: the plain corpus (no charts), cold builds", "", *peer_rows(plain, peers)]
    lines += ["", "## Targets", "", *target_rows(sizes, charts, plain, peers), ""]
    return "\n".join(lines)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Broadsheet build benchmark: prints a Markdown table and writes bench/results.md")
    parser.add_argument("--sizes", default="250,1000,4000", help="page counts, comma-separated (default: 250,1000,4000)")
    parser.add_argument("--charts", type=int, default=200, help="charts in each generated site (default: 200)")
    parser.add_argument("--datasets", type=int, default=10, help="datasets in each generated site (default: 10)")
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement; medians are reported (default: 3)")
    parser.add_argument("--chart-pages", type=int, default=50, help="pages of the '200 charts' site (default: 50)")
    parser.add_argument("--chart-count", type=int, default=200, help="charts of the '200 charts' site (default: 200; 0 skips it)")
    parser.add_argument(
        "--peers", action="store_true", help="also build the plain corpus with Hugo, Eleventy, MkDocs, Pelican and a naive script"
    )
    parser.add_argument("--no-install", action="store_true", help="with --peers: do not install missing peers, skip them")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where to write the table (default: bench/results.md)")
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=30.0,
        help="before each build, wait up to this many seconds for other processes to go idle (default: 30)",
    )
    parser.add_argument(
        "--no-explainer", dest="explainer", action="store_false", help="skip the explainer's cold build against plain vl-convert"
    )
    parser.add_argument("--keep", action="store_true", help="keep the generated sites (their folder is printed)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    compile_engine()
    args.engine = engine_revision()
    QUIET["wait"] = args.quiet_wait
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    folder = Path(tempfile.mkdtemp(prefix="broadsheet-bench-"))
    print(f"benchmark sites in {folder}", file=sys.stderr, flush=True)
    try:
        plain, peers = bench_peers(folder, sizes, args.runs, not args.no_install) if args.peers else ({}, [])
        charts = []
        if args.explainer:
            charts.append(bench_charts(explainer_site(folder), "explainer", args.runs))
        if args.chart_count:
            generated = generate_site(folder / f"charts-{args.chart_count}", args.chart_pages, args.chart_count, args.datasets)
            charts.append(bench_charts(generated, "generated", args.runs))
        results = [bench_size(folder, pages, args.charts, args.datasets, args.runs) for pages in sizes]
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    text = report(args, results, charts, plain, peers)
    print(text)
    args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

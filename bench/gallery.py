#!/usr/bin/env python3
"""The Altair example gallery, ported into a Broadsheet site, built, and measured.

Not a test: the gallery is the Altair project's and its data the vega-datasets package's;
both are read from local copies given on the command line, and nothing of them is kept in
this repository. For each example of ``tests/examples_arguments_syntax/`` (and, with
``--syntax both``, the method-syntax variants) it writes a chart module to a scratch site
(``charts/``: the example's code as the body of an ``@chart`` function, its data taken
from the function's arguments instead of ``altair.datasets``), a page with its chart
block, and the datasets it reads in ``data/`` (tables as CSV with the vega-datasets
schema; TopoJSON and GeoJSON as they are). Then it builds the site with the real command
line, removing an example whose chart stops the build (its error is recorded) and
building again, until the build succeeds; and it prints, per example:

- ``built``: yes, or the build's error;
- ``table``: whether the page's "Show the data" tables hold what ``transformed_data()``
  returns (same rows, each of our columns equal to one of Altair's, numbers to the
  precision shown), needing pyarrow (run it with a Python that has it);
- ``narrow``: whether the narrow drawing keeps every panel, mark group, axis and legend
  of the wide one (counted in the published SVGs: axis and legend titles, mark groups);
- ``min px``: the smallest text of the drawing a 375 px phone shows (its font size,
  scaled down when the SVG is wider than the 335 px column).

usage: python bench/gallery.py ALTAIR_REPO VEGA_DATASETS [--site DIR] [--only NAME ...]
           [--syntax arguments|methods|both] [--table bench/gallery.md]
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from gallery_measure import Measured, compare_tables, measure_svgs, read_page  # noqa: E402

SYNTAX_DIRS = {"arguments": "examples_arguments_syntax", "methods": "examples_methods_syntax"}
GEO_FORMATS = ("topojson", "geojson")
TYPES = {"string": "string", "integer": "integer", "number": "number", "date": "date", "datetime": "datetime", "boolean": "boolean"}


@dataclass
class Example:
    name: str  # scatter_matrix, or m-scatter_matrix for the method syntax
    path: Path
    title: str
    description: str
    datasets: list[str]
    module: str  # the chart module's source
    chart_id: str
    error: str = ""  # why it could not be ported or built
    warnings: list[str] = field(default_factory=list)  # what the build said of its chart
    measured: Measured | None = None
    transformed: str = ""


# ---------------------------------------------------------------- porting


class _DataCalls(ast.NodeTransformer):
    """``data.cars()`` -> ``cars.copy()``; ``data.cars.url`` -> ``cars``;
    ``alt.topo_feature(data.us_10m.url, "states")`` -> ``us_10m.feature("states")``;
    ``data.world_110m(layer="countries")`` -> ``world_110m.feature("countries")``;
    ``data.earthquakes()`` (GeoJSON) -> ``earthquakes.features()``."""

    def __init__(self, catalogue: dict[str, dict[str, Any]]):
        self.catalogue = catalogue
        self.used: list[str] = []

    def _dataset(self, node: ast.AST) -> str | None:
        """``data.NAME`` or ``data.NAME.url``: NAME."""
        if isinstance(node, ast.Attribute) and node.attr == "url":
            node = node.value
        named = isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "data"
        if named and isinstance(node, ast.Attribute) and node.attr in self.catalogue:
            if node.attr not in self.used:
                self.used.append(node.attr)
            return node.attr
        return None

    def _geo(self, name: str) -> str:
        return str(self.catalogue[name].get("format", ""))

    def visit_Call(self, node: ast.Call) -> Any:
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "topo_feature" and node.args:
            name = self._dataset(node.args[0])
            feature = node.args[1] if len(node.args) > 1 else next(k.value for k in node.keywords if k.arg == "feature")
            if name:
                return ast.Call(ast.Attribute(ast.Name(name, ast.Load()), "feature", ast.Load()), [feature], [])
        if isinstance(func, ast.Attribute) and func.attr in ("read_json", "read_csv", "UrlData") and node.args:
            name = self._dataset(node.args[0])
            if name:
                return ast.Call(ast.Attribute(ast.Name(name, ast.Load()), "copy", ast.Load()), [], [])
        name = self._dataset(func)
        if name and not (isinstance(func, ast.Attribute) and func.attr == "url"):
            layer = next((k.value for k in node.keywords if k.arg == "layer"), None)
            if self._geo(name) == "topojson":
                return ast.Call(ast.Attribute(ast.Name(name, ast.Load()), "feature", ast.Load()), [layer or ast.Constant("")], [])
            method = "features" if self._geo(name) == "geojson" else "copy"
            return ast.Call(ast.Attribute(ast.Name(name, ast.Load()), method, ast.Load()), [], [])
        return self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> Any:
        name = self._dataset(node)
        if name and node.attr == "url":
            return ast.Name(name, ast.Load())
        return self.generic_visit(node)


def port(path: Path, catalogue: dict[str, dict[str, Any]], prefix: str = "") -> Example:
    """The example at ``path`` as a Broadsheet chart module."""
    source = path.read_text()
    tree = ast.parse(source)
    doc = ast.get_docstring(tree) or path.stem
    lines = [line for line in doc.splitlines() if line.strip() and not set(line.strip()) <= set("=-~")]
    title, description = (lines[0].strip(), " ".join(lines[1:]).strip() or lines[0].strip())
    name = prefix + path.stem
    chart_id = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    calls = _DataCalls(catalogue)
    tree = calls.visit(tree)
    imports, body = [], []
    for node in tree.body:
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            continue  # the docstring
        if isinstance(node, ast.ImportFrom) and node.module in ("altair.datasets", "vega_datasets"):
            continue
        (imports if isinstance(node, (ast.Import, ast.ImportFrom)) else body).append(node)
    if not body or not isinstance(body[-1], ast.Expr):
        return Example(name, path, title, description, calls.used, "", chart_id, error="port: the example does not end in a chart")
    body[-1] = ast.Return(body[-1].value)
    function = re.sub(r"\W", "_", f"chart_{name}")
    arguments = ", ".join(calls.used)
    code = "\n".join(ast.unparse(node) for node in imports)
    code += "\nfrom broadsheet import chart\n\n\n"
    code += f"@chart({chart_id!r}, data={calls.used!r})\ndef {function}({arguments}):\n"
    code += "\n".join("    " + line for node in body for line in ast.unparse(node).splitlines()) + "\n"
    return Example(name, path, title, description, calls.used, code, chart_id)


# ---------------------------------------------------------------- data


def catalogue_of(vega_datasets: Path) -> dict[str, dict[str, Any]]:
    package = json.loads((vega_datasets / "datapackage.json").read_text())
    return {r["name"]: r for r in package["resources"]}


def port_dataset(name: str, resource: dict[str, Any], vega_datasets: Path, site: Path) -> dict[str, Any]:
    """Copy or convert one dataset into ``site/data``; return its resource descriptor."""
    import pandas as pd

    source = vega_datasets / "data" / resource["path"]
    base = {"name": name, "title": resource.get("description", name).split(".")[0][:80] or name}
    base["sources"] = [{"title": "vega-datasets", "path": "https://github.com/vega/vega-datasets"}]
    if resource.get("format") in GEO_FORMATS:
        shutil.copyfile(source, site / "data" / f"{name}.json")
        return {**base, "path": f"{name}.json", "format": resource["format"]}
    if source.suffix == ".json":
        frame = pd.read_json(source, dtype=False)
    else:
        frame = pd.read_csv(source, sep="\t" if source.suffix == ".tsv" else ",", keep_default_na=True)
    fields = []
    declared = {f["name"]: f["type"] for f in resource.get("schema", {}).get("fields", [])}
    for column in frame.columns:
        kind = TYPES.get(declared.get(column, ""), "")
        frame[column], kind = _typed(frame[column], kind)
        fields.append({"name": str(column), "type": kind})
    frame.to_csv(site / "data" / f"{name}.csv", index=False)
    return {**base, "path": f"{name}.csv", "schema": {"fields": fields}}


def _typed(values: Any, kind: str) -> tuple[Any, str]:
    """The column as ISO text for the kind its values support (the declared one if they do)."""
    import pandas as pd

    present = values.dropna()
    numeric = pd.to_numeric(present, errors="coerce")
    if kind in ("integer", "number", "") and len(present) and numeric.notna().all():
        whole = (numeric == numeric.round()).all() and (numeric.abs() < 2**53).all()
        return (values.map(lambda v: "" if pd.isna(v) else str(int(float(v)))) if whole else values), "integer" if whole else "number"
    if kind in ("date", "datetime") or (kind == "" and len(present) and present.astype(str).str.match(r"^\d{4}-\d\d-\d\d").all()):
        moments = pd.to_datetime(present.astype(str), errors="coerce", format="mixed")
        if moments.notna().all() and len(present):
            dated = (moments.dt.normalize() == moments).all()
            text = moments.dt.strftime("%Y-%m-%d" if dated else "%Y-%m-%dT%H:%M:%S")
            return values.map(lambda v: "" if pd.isna(v) else None).where(values.isna(), text), "date" if dated else "datetime"
    if kind == "boolean" and present.isin([True, False]).all():
        return values.map(lambda v: "" if pd.isna(v) else str(bool(v)).lower()), "boolean"
    return values, "string"


def write_site(site: Path, examples: list[Example], catalogue: dict[str, dict[str, Any]], vega_datasets: Path) -> None:
    if site.exists():
        shutil.rmtree(site)
    for folder in ("charts", "content", "data"):
        (site / folder).mkdir(parents=True)
    (site / "site.toml").write_text(
        'title = "The Altair gallery"\ndescription = "Every example of the Altair gallery, as Broadsheet publishes it."\n'
        'base_url = "/"\nauthor = "Bench"\n'
    )
    used = sorted({name for example in examples for name in example.datasets})
    resources = [port_dataset(name, catalogue[name], vega_datasets, site) for name in used]
    (site / "data" / "datapackage.yaml").write_text(json.dumps({"resources": resources}, indent=1))
    listing = ["---", "title: The Altair gallery", "description: Every example.", "---", ""]
    for example in examples:
        write_example(site, example)
        listing.append(f"- [{example.title}](/{example.chart_id}/)")
    (site / "content" / "index.md").write_text("\n".join(listing) + "\n")


def write_example(site: Path, example: Example) -> None:
    (site / "charts" / f"{module_name(example)}.py").write_text(example.module)
    block = {"id": example.chart_id, "title": example.title, "description": example.description}
    page = ["---", f"title: {json.dumps(example.title)}", f"description: {json.dumps(example.description[:150] or example.title)}"]
    page += ["---", "", "```chart", *(f"{k}: {json.dumps(v)}" for k, v in block.items()), "```", ""]
    (site / "content" / f"{example.chart_id}.md").write_text("\n".join(page))


def module_name(example: Example) -> str:
    return re.sub(r"\W", "_", example.chart_id)


def remove_example(site: Path, example: Example) -> None:
    (site / "charts" / f"{module_name(example)}.py").unlink(missing_ok=True)
    (site / "content" / f"{example.chart_id}.md").unlink(missing_ok=True)


# ---------------------------------------------------------------- building


@dataclass
class Build:
    seconds: float
    code: int
    output: str
    summary: str = ""


def build(site: Path, python: str) -> Build:
    started = time.monotonic()
    done = subprocess.run([python, str(REPO / "build.py"), "build", "--root", str(site)], capture_output=True, text=True, cwd=REPO)
    seconds = time.monotonic() - started
    summary = next((line for line in done.stdout.splitlines() if line.startswith("Built ")), "")
    return Build(seconds, done.returncode, done.stdout + done.stderr, summary)


def build_until_clean(site: Path, examples: list[Example], python: str, log: list[str]) -> list[Build]:
    """Build; an example whose chart stops the build is recorded and removed; again."""
    by_module = {f"charts/{module_name(e)}.py": e for e in examples}
    by_page = {f"content/{e.chart_id}.md": e for e in examples}
    builds = []
    while True:
        result = build(site, python)
        builds.append(result)
        log.append(f"build {len(builds)}: exit {result.code} in {result.seconds:.1f} s: {result.summary or result.output.strip()[-300:]}")
        if result.code == 0:
            return builds
        culprit = _culprit(result.output, by_module, by_page)
        if culprit is None:
            raise SystemExit("the build failed on no example:\n" + result.output)
        culprit.error = _error_line(result.output)
        remove_example(site, culprit)


def _too_long(signum: int, frame: Any) -> None:
    raise TimeoutError("over 120 s")


def _culprit(output: str, by_module: dict[str, Example], by_page: dict[str, Example]) -> Example | None:
    for line in output.splitlines():
        match = re.search(r"\b(charts/[\w.]+\.py|content/[\w.-]+\.md):", line)
        if match:
            return by_module.get(match.group(1)) or by_page.get(match.group(1))
    return None


def _error_line(output: str) -> str:
    lines = [line.removeprefix("error: ") for line in output.splitlines() if re.search(r"\b(charts|content|data)/", line)]
    return lines[0] if lines else output.strip().splitlines()[-1]


# ---------------------------------------------------------------- Altair's own tables


def transformed(example: Example, site: Path, package: Any) -> list[Any] | str:
    """What ``chart.transformed_data()`` gives for the ported chart, with the site's data."""
    import importlib.util
    import signal

    from broadsheet.data import chart_arguments

    frames = {name: package.datasets[name].frame() for name in example.datasets}
    module_path = site / "charts" / f"{module_name(example)}.py"
    spec = importlib.util.spec_from_file_location(f"gallery_{example.chart_id.replace('-', '_')}", module_path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    signal.signal(signal.SIGALRM, _too_long)
    signal.alarm(120)
    try:
        spec.loader.exec_module(module)
        function = next(f for f in vars(module).values() if getattr(f, "__broadsheet_chart__", (None,))[0] == example.chart_id)
        made = function(**chart_arguments(frames))
        tables = made.transformed_data()
    except Exception as exc:  # noqa: BLE001 (reported in the table)
        return f"transformed_data() failed: {type(exc).__name__}: {str(exc).splitlines()[0][:120] if str(exc) else ''}"
    finally:
        signal.alarm(0)
    return tables if isinstance(tables, list) else [tables]


# ---------------------------------------------------------------- timing


def cold_timings(site: Path) -> list[str]:
    """A cold build of the ported site (cache and output deleted), against plain
    vl-convert drawing the specs that build published, on as many processes as cores."""
    import multiprocessing
    import os

    shutil.rmtree(site / ".cache", ignore_errors=True)
    shutil.rmtree(site / "public", ignore_errors=True)
    cold = build(site, sys.executable)
    specs = sorted(str(p) for p in (site / "public" / "charts").rglob("*.json"))
    started = time.monotonic()
    with multiprocessing.get_context("spawn").Pool(len(os.sched_getaffinity(0))) as pool:
        drawn = sum(pool.map(_draw, specs, chunksize=4))
    plain = time.monotonic() - started
    return [
        f"Cold build of the ported site: {cold.seconds:.1f} s ({cold.summary}).",
        f"Plain vl-convert drawing the {len(specs)} specs it published (wide and narrow) on {len(os.sched_getaffinity(0))} processes: "
        f"{plain:.1f} s ({drawn} drawn): the build takes {cold.seconds / plain:.2f}x.",
    ]


def _draw(path: str) -> int:
    import vl_convert

    try:
        vl_convert.vegalite_to_svg(json.loads(Path(path).read_text()))
    except Exception:  # noqa: BLE001 (counted as not drawn)
        return 0
    return 1


# ---------------------------------------------------------------- report


def report(examples: list[Example], builds: list[Build], extra: list[str]) -> str:
    built = [e for e in examples if not e.error]
    lines = [
        "| example | built | table vs transformed_data() | narrow layout | min px at 375 | build warnings |",
        "|---|---|---|---|---|---|",
    ]
    for e in examples:
        m = e.measured
        status = "yes" if not e.error else f"no: `{_cell(e.error)}`"
        table = _cell(e.transformed) if not e.error else ""
        narrow = _cell(m.narrow) if m else ""
        smallest = f"{m.smallest_375:.1f}" if m and m.smallest_375 else ""
        said = _cell("; ".join(e.warnings))
        lines.append(f"| {e.name} | {status} | {table} | {narrow} | {smallest} | {said} |")
    agree = sum(1 for e in built if e.transformed.startswith(("agree", "no table (Altair none)")))
    keeps = sum(1 for e in built if e.measured and e.measured.narrow.startswith("keeps"))
    small = sum(1 for e in built if e.measured and e.measured.smallest_375 and e.measured.smallest_375 < 10)
    head = [
        f"Examples: {len(examples)}; built: {len(built)}; tables that agree (or both none): {agree}; "
        f"narrow layouts that keep everything: {keeps}; text under 10 px at 375 px: {small}.",
        "",
        *extra,
        "",
        *(f"- {b}" for b in (f"build {i}: {x.seconds:.1f} s, exit {x.code}, {x.summary}" for i, x in enumerate(builds, 1))),
        "",
    ]
    return "\n".join(head + lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")[:240]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("altair", type=Path, help="a local copy of the vega/altair repository")
    parser.add_argument("vega_datasets", type=Path, help="the vega-datasets npm package, unpacked (holds datapackage.json)")
    parser.add_argument("--site", type=Path, default=Path("/tmp/broadsheet-gallery"))
    parser.add_argument("--only", nargs="*", default=None)
    parser.add_argument("--syntax", choices=("arguments", "methods", "both"), default="arguments")
    parser.add_argument("--table", type=Path, default=None, help="also write the report to this file")
    parser.add_argument("--no-compare", action="store_true", help="skip transformed_data() (no pyarrow)")
    parser.add_argument("--reuse", action="store_true", help="measure the site --site holds, built before, without building")
    parser.add_argument("--cold", action="store_true", help="then time a cold build, and plain vl-convert drawing its specs")
    args = parser.parse_args()
    vega = args.vega_datasets / "package" if (args.vega_datasets / "package").is_dir() else args.vega_datasets
    catalogue = catalogue_of(vega)
    syntaxes = ["arguments", "methods"] if args.syntax == "both" else [args.syntax]
    examples = []
    for syntax in syntaxes:
        folder = args.altair / "tests" / SYNTAX_DIRS[syntax]
        for path in sorted(folder.glob("*.py")):
            if path.stem.startswith("_") or (args.only is not None and path.stem not in args.only):
                continue
            examples.append(port(path, catalogue, "m-" if syntax == "methods" and args.syntax == "both" else ""))
    log: list[str] = []
    if args.reuse:  # (measure a site built before, again: the comparisons only)
        builds: list[Build] = []
        for example in examples:
            if not (args.site / "public" / example.chart_id / "index.html").is_file():
                example.error = example.error or "not in the site reused"
    else:
        write_site(args.site, [e for e in examples if not e.error], catalogue, vega)
        builds = build_until_clean(args.site, [e for e in examples if not e.error], sys.executable, log)
    print("\n".join(log), file=sys.stderr)
    from broadsheet.data import load_package

    package = load_package(args.site)
    # (warnings read "charts/NAME.py:LINE: warning: message"; before 0.2.0, "warning: charts/NAME.py:LINE: message")
    lines = [line.removeprefix("warning: ") for b in builds for line in b.output.splitlines()]
    said = [re.sub(r"^(charts/[^:]+:\d+): warning: ", r"\1: ", line) for line in lines]
    warnings = [line for line in said if line.startswith("charts/")]
    for example in examples:
        if example.error:
            continue
        example.warnings = [w.split(": ", 1)[1] for w in warnings if w.startswith(f"charts/{module_name(example)}.py:")]
        page = read_page(args.site / "public", example.chart_id)
        example.measured = measure_svgs(page)
        if not args.no_compare:
            example.transformed = compare_tables(transformed(example, args.site, package), page.tables)
        print(f"{example.name}: {example.transformed[:80]}", file=sys.stderr, flush=True)
    extra = [f"Python: {sys.version.split()[0]}; site: {args.site}"]
    if args.cold:
        extra += cold_timings(args.site)
    text = report(examples, builds, extra)
    print(text)
    if args.table:
        args.table.write_text(text)


if __name__ == "__main__":
    main()

"""Charts: ```chart blocks, the registry of Python chart functions, and compiling.

``compile_spec`` turns a chart into a Vega-Lite dict (Altair), in a chart worker
(``renderers``, which also draws the SVG and evaluates the plotted data; ``figures``
caches the result). Discovery of Python charts reads ``charts/*.py`` as source
(``ast``), so a build that needs no new chart never imports Altair or pandas.
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from . import blame, chartcode, colors, compiled, declarative, fetches
from .charttheme import THEME
from .config import read_site_file
from .content import Block
from .data import Package, chart_arguments, parameter_name
from .errors import SiteError, known
from .fields import did_you_mean, escape_fields, unknown_fields
from .pagefiles import FileRef
from .prose import check_prose
from .readertables import ReaderTable, read_tables
from .scrolly import StepState
from .sourcelines import Context, read_context
from .states import transform_digest
from .yamlmap import FieldSpec, check_fields

CHARTS_DIR = "charts"
_TEXT_KEYS: FieldSpec = {
    "title": ("text", True),
    "subtitle": ("text", False),
    "description": ("text", True),
    "notes": ("text", False),
}
PYTHON_KEYS: FieldSpec = {"id": ("text", True), **_TEXT_KEYS}
DECLARATIVE_KEYS: FieldSpec = {**declarative.KEYS, **_TEXT_KEYS, "table": ("any", False)}
CHART_ID = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*\Z")  # what slugify makes: safe in a URL, a file name and an SVG id
LAYOUT_ARGUMENT = "layout"  # a chart function that takes it is called once per layout, with its name
ALTAIR_DEFAULT_SIZE = 300  # Altair's default theme writes this size into every spec


F = TypeVar("F", bound=Callable[..., Any])


def chart(
    id: str, data: list[str] | tuple[str, ...] = (), *, table: Any = None, context: list[str] | dict[str, str] | tuple[str, ...] = ()
) -> Callable[[F], F]:
    """Register a function in ``charts/*.py`` as the chart ``id``.

    The function receives one pandas DataFrame per dataset named in ``data`` (as keyword
    arguments named after the datasets, with '-' and '.' as '_') and returns an Altair
    chart. ``id`` and ``data`` must be literals: the build reads them without running
    the module. So must ``table``, the chart's reader table (``readertables``: the columns
    "Show the data" lists, with their headings) and ``context``, the datasets it uses only
    for markers and annotations, whose sources are listed apart (``sourcelines``).

    Every chart is drawn in a wide layout and laid out again for phones (``layout.py``).
    A function with a ``layout`` parameter is called once for each, with ``"wide"`` and
    ``"narrow"``, and may draw its narrow chart its own way (fewer annotations, another
    arrangement); the engine keeps what it sets and still stacks, sizes and enforces the
    minimum text size.
    """

    def mark(fn: F) -> F:
        fn.__broadsheet_chart__ = (id, tuple(data))  # type: ignore[attr-defined]
        return fn

    return mark


@dataclass(frozen=True)
class ChartDef:
    """A Python chart found in ``charts/*.py``."""

    id: str
    datasets: tuple[str, ...]
    src: str  # charts/coal.py
    line: int
    code_digest: str  # hash of the function and what it reaches (``chartcode.function_digest``)
    layouts: bool = False  # the function takes ``layout``: it draws its own narrow layout (called once per layout)
    code: chartcode.ModuleTexts = ()  # those modules' texts as read: what a chart worker runs (``chartcode``)
    tables: tuple[ReaderTable, ...] = ()  # its declared reader tables (none: a table per view)
    context: Context = ()  # datasets used only as context, with what each gives


@dataclass(frozen=True)
class ChartBlock:
    """A validated ```chart block."""

    id: str
    title: str
    subtitle: str
    description: str
    notes: str
    datasets: tuple[str, ...]
    src: str
    line: int
    definition: ChartDef | None  # Python form
    spec: Mapping[str, Any]  # the block's YAML (declarative form: data, mark, encodings)
    state: StepState | None = None  # a ```scrolly step: the chart as it looks at that step
    refs: tuple[FileRef, ...] = ()  # the relative and /static/ paths in its notes (images, files)
    tables: tuple[ReaderTable, ...] = ()  # its declared reader tables (``readertables``)
    context: Context = ()  # datasets used only as context (``sourcelines``)

    @property
    def key(self) -> str:
        """Hash of everything the chart's Vega-Lite spec is made from, except data."""
        code = self.definition.code_digest if self.definition else ""
        step = [repr(self.state), transform_digest()] if self.state else []  # (a chart's key stays what it was)
        return _digest(json.dumps([dict(self.spec), code, *step], sort_keys=True, default=str))

    @property
    def embeddable(self) -> bool:
        """Whether the chart gets an embed page and a published spec (a step's does not)."""
        return self.state is None


def read_chart_sources(root: Path) -> dict[str, bytes]:
    """The text of every ``charts/*.py``, by module name (no pipe, no link out of the site)."""
    folder = root / CHARTS_DIR
    files = sorted(folder.glob("*.py")) if folder.is_dir() else []
    return {p.stem: read_site_file(root, f"{CHARTS_DIR}/{p.name}") for p in files}


def discover_charts(root: Path, sources: Mapping[str, bytes] | None = None) -> dict[str, ChartDef]:
    """Find every ``@chart("id", data=[...])`` in ``charts/*.py`` (or in ``sources``, their
    texts as already read) by reading the source."""
    sources = read_chart_sources(root) if sources is None else sources
    trees: dict[str, ast.Module] = {}
    for stem, raw in sources.items():
        try:
            trees[stem] = ast.parse(raw, filename=f"{CHARTS_DIR}/{stem}.py")
        except SyntaxError as exc:
            raise SiteError(f"{CHARTS_DIR}/{stem}.py", exc.lineno, f"Python syntax error: {exc.msg}") from None
    imports = {stem: chartcode.imported_siblings(stem, tree, sources) for stem, tree in trees.items()}
    found: dict[str, ChartDef] = {}
    for stem, tree in trees.items():
        src = f"{CHARTS_DIR}/{stem}.py"
        texts = chartcode.module_texts(stem, imports, sources)
        for chart_def in _chart_decorators(tree, src, texts):
            if chart_def.id in found:
                other = found[chart_def.id]
                raise SiteError(src, chart_def.line, f"chart id '{chart_def.id}' is already used at {other.src}:{other.line}")
            found[chart_def.id] = chart_def
    return found


def _chart_decorators(tree: ast.Module, src: str, texts: chartcode.ModuleTexts) -> Iterator[ChartDef]:
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef):
            continue
        for deco in node.decorator_list:
            if not (isinstance(deco, ast.Call) and _name(deco.func) == "chart"):
                continue
            try:
                chart_id = ast.literal_eval(deco.args[0]) if deco.args else None
                data = next((ast.literal_eval(k.value) for k in deco.keywords if k.arg == "data"), ())
                if len(deco.args) > 1:
                    data = ast.literal_eval(deco.args[1])
            except ValueError:
                chart_id = None
            if not isinstance(chart_id, str) or not all(isinstance(d, str) for d in data):
                raise SiteError(
                    src,
                    deco.lineno,
                    "@chart needs a literal id and a literal list of dataset names",
                    'write @chart("my-chart", data=["dataset"])',
                )
            if not CHART_ID.match(chart_id) or len(chart_id) > 100:
                raise SiteError(
                    src,
                    deco.lineno,
                    f"chart id {chart_id!r} must be lowercase letters, digits and hyphens",
                    f'write @chart("{slugify(chart_id)}", ...)',
                )
            clash = next((name for name in data if parameter_name(name) == LAYOUT_ARGUMENT), None)
            if clash is not None:  # (the engine passes the layout's name under that argument)
                message = f"chart '{chart_id}': dataset '{clash}' would arrive as the argument 'layout', which holds the layout drawn"
                raise SiteError(src, deco.lineno, message, "give the dataset another name in data/datapackage.yaml")
            arguments = [a.arg for a in (*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs)]
            digest = chartcode.function_digest(tree, node, texts)
            tables, context = _reader_parts(deco, src, chart_id, tuple(data))
            yield ChartDef(chart_id, tuple(data), src, deco.lineno, digest, LAYOUT_ARGUMENT in arguments, texts, tables, context)


def _reader_parts(deco: ast.Call, src: str, chart_id: str, data: tuple[str, ...]) -> tuple[tuple[ReaderTable, ...], Context]:
    """The ``table`` and ``context`` arguments of a ``@chart``, read as literals."""
    found: dict[str, Any] = {}
    for keyword in deco.keywords:
        if keyword.arg in ("table", "context"):
            try:
                found[keyword.arg] = ast.literal_eval(keyword.value)
            except ValueError:
                message = f"chart '{chart_id}': '{keyword.arg}' must be a literal (no names or calls)"
                raise SiteError(src, keyword.value.lineno, message) from None

    def fail(message: str, key: str) -> SiteError:
        line = next(k.value.lineno for k in deco.keywords if k.arg == key)
        return SiteError(src, line, f"chart '{chart_id}': {message}")

    tables = read_tables(found["table"], lambda m: fail(m, "table")) if found.get("table") is not None else ()
    context = read_context(found["context"], data, lambda m: fail(m, "context")) if found.get("context") else ()
    return tables, context


def _name(node: ast.expr) -> str:
    return node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""


def parse_chart_block(block: Block, registry: Mapping[str, ChartDef], package: Package) -> ChartBlock:
    """Validate a ```chart block against the registry and the data package."""
    spec = block.spec
    values = spec.values
    if "id" in values and "data" not in values:
        check_fields(spec, PYTHON_KEYS, "a chart block (Python form: id)")
        definition = registry.get(values["id"])
        if definition is None:
            raise spec.error(
                "id", f"unknown chart id '{values['id']}'", known(registry) + " (or use the declarative form: data, mark, x, y)"
            )
        for name in definition.datasets:
            package.get(name, definition.src, definition.line)
        chart_id, datasets, tables = definition.id, definition.datasets, definition.tables
    else:
        check_fields(spec, DECLARATIVE_KEYS, "a chart block (declarative form: data, mark, x, y)")
        definition = None
        dataset = package.get(values["data"], spec.path, spec.line_of("data"))
        declarative.check(spec, dataset)
        chart_id, datasets = values.get("id") or slugify(values["title"]), (dataset.name,)
        tables = read_tables(values["table"], lambda m: spec.error("table", m)) if "table" in values else ()
        if not CHART_ID.match(chart_id):  # (it names the embed page and the files of the chart)
            raise spec.error(
                "id", f"chart id {chart_id!r} must be lowercase letters, digits and hyphens", f"for example '{slugify(chart_id)}'"
            )
    refs: tuple[FileRef, ...] = ()
    for key in _TEXT_KEYS:  # (notes are Markdown; a template may show the others as Markdown too)
        if isinstance(values.get(key), str):
            found = check_prose(spec.path, values[key], spec.line_of(key))
            refs += found if key == "notes" else ()
    return ChartBlock(
        id=chart_id,
        title=values["title"].strip(),
        subtitle=str(values.get("subtitle", "")).strip(),
        description=values["description"].strip(),
        notes=str(values.get("notes", "")).strip(),
        datasets=datasets,
        src=spec.path,
        line=spec.line,
        definition=definition,
        spec={k: v for k, v in values.items() if k not in _TEXT_KEYS},
        refs=refs,
        tables=tables,
        context=definition.context if definition else (),
    )


def slugify(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:60].rstrip("-") or "chart"


def compile_spec(
    chart_block: ChartBlock,
    package: Package,
    root: Path,
    frames: dict[str, Any] | None = None,
    *,
    series_colors: Mapping[str, str] | None = None,
    layout: str = "wide",
) -> dict[str, Any]:
    """Run the chart's Python function or its declarative spec; return Vega-Lite JSON.
    ``frames``: DataFrames already read, by dataset name, to share between charts (each
    chart gets its own copy, so one that changes its frame cannot change another's).
    ``series_colors``: the site's colour for each named series. ``layout``: "wide" or
    "narrow", given to a chart function that takes it (``ChartDef.layouts``). A scrolly
    step's spec is its chart's, compiled once per process and input (``compiled``)."""
    made = compiled.key(chart_block, package, root, layout, series_colors)
    if made in compiled.SPECS:
        return compiled.shown(made, chart_block.state)
    frames = frames if frames is not None else {}
    for name in chart_block.datasets:
        if name not in frames:
            frames[name] = package.datasets[name].frame()
    frames = {name: getattr(frames[name], "copy", lambda f=frames[name]: f)() for name in chart_block.datasets}  # (a GeoData is frozen)
    if chart_block.definition:
        altair_chart = _call_definition(chart_block.definition, frames, root, layout)
    else:
        name = chart_block.datasets[0]
        altair_chart = declarative.build(chart_block.spec, frames[name], package.datasets[name])
    try:  # a declarative chart was checked field by field already: skip Altair's (slow) validation
        spec: dict[str, Any] = _to_dict(altair_chart, chart_block)
    except SiteError:
        raise
    except Exception as exc:  # Altair's schema errors are the user's to fix: at the line that made the object at fault
        where = chart_block.definition
        at = (where and blame.schema_error_line(exc, altair_chart)) or chart_location(chart_block)
        raise SiteError(*at, f"invalid chart: {first_line(exc)}") from None
    module = root / chart_block.definition.src if chart_block.definition else None
    fetches.check_fetches(spec, chart_block.id, *chart_location(chart_block), module)
    columns = frozenset(c for name in chart_block.datasets for c in package.datasets[name].columns)
    spec = escape_fields(spec, columns)
    if chart_block.definition:
        _check_fields(spec, chart_block.definition, [package.datasets[name] for name in chart_block.datasets], root)
        spec = declarative.title_from_schema(spec, [package.datasets[name] for name in chart_block.datasets])
    config = spec.get("config", {})
    view = config.get("view", {})
    if view.get("continuousWidth") == ALTAIR_DEFAULT_SIZE and view.get("continuousHeight") == ALTAIR_DEFAULT_SIZE:
        config["view"] = {k: v for k, v in view.items() if k not in ("continuousWidth", "continuousHeight")}
    spec["config"] = _merge(THEME, config)
    return compiled.remember(made, colors.apply_series_colors(spec, series_colors) if series_colors else spec, chart_block.state)


def _check_fields(spec: Mapping[str, Any], definition: ChartDef, datasets: list[Any], root: Path) -> None:
    """A misspelt field draws nothing, silently: report it at the line that names it."""
    for unknown in unknown_fields(spec):
        dataset = next((d for d in datasets if frozenset(d.columns) == unknown.columns), None)
        where = f"dataset '{dataset.name}'" if dataset else "the chart's data"
        made = sorted(unknown.known - unknown.columns)
        also = f" nor made by a transform ({', '.join(made)})" if made else ""
        raise SiteError(
            definition.src,
            blame.field_line(root / definition.src, definition.line, unknown.field),
            f"chart '{definition.id}': field '{unknown.field}' is not in {where}{also}",
            did_you_mean(unknown.field, unknown.known),
        )


def _to_dict(altair_chart: Any, chart_block: ChartBlock) -> dict[str, Any]:
    """The chart's Vega-Lite spec. A declarative chart embeds at most 5,000 rows of data
    (Altair's default), unless its block's ``max_rows`` raises the limit on purpose. A
    Python chart draws what its author gave it (the gallery's maps draw 41,000 zip codes):
    a page made heavy by it is named by the build's page-weight warning."""
    import altair as alt
    from altair.utils.schemapi import debug_mode

    max_rows = chart_block.spec.get("max_rows", 5000) if not chart_block.definition else None
    python = chart_block.definition is not None  # (validated whole here; the objects to_dict makes need no check of their own)
    try:
        with alt.data_transformers.enable("default", max_rows=max_rows), debug_mode(not python):
            return dict(altair_chart.to_dict(validate=python))
    except alt.MaxRowsError:
        where = chart_block.definition
        hint = "aggregate in pandas first (monthly totals, not daily rows), or filter the rows the chart needs"
        hint += "; a declarative block may set max_rows: N if every row must be drawn" if not where else ""
        raise SiteError(
            where.src if where else chart_block.src,
            where.line if where else chart_block.line,
            f"chart '{chart_block.id}' would embed more than {max_rows or 0:,} rows of data in the page",
            hint,
        ) from None


def _call_definition(definition: ChartDef, frames: dict[str, Any], root: Path, layout: str) -> Any:
    from altair.utils.schemapi import debug_mode

    with chartcode.running(root / CHARTS_DIR, definition.code):
        module = _load_module(root, definition)
        function = next(
            (f for f in vars(module).values() if getattr(f, "__broadsheet_chart__", (None,))[0] == definition.id),
            None,
        )
        if function is None:
            raise SiteError(definition.src, definition.line, f"chart '{definition.id}' is not a function decorated with @chart")
        try:
            extra = {LAYOUT_ARGUMENT: layout} if definition.layouts else {}
            # (Altair's debug mode checks each object as it is made, ~15% of compiling; ``_to_dict``
            # checks the whole chart, and ``blame`` finds the line that made an object at fault)
            with blame.recording_lines(root / CHARTS_DIR), debug_mode(False):
                return function(**chart_arguments(frames), **extra)  # (nk-trade -> nk_trade)
        except SiteError:
            raise
        except SystemExit as exc:  # would end the build (or the preview server) with no error
            raise SiteError(*_user_line(exc, definition, root), f"chart '{definition.id}' called sys.exit({exc.code!r})") from None
        except BaseException as exc:
            where = _user_line(exc, definition, root)
            raise SiteError(*where, f"chart '{definition.id}' failed: {type(exc).__name__}: {first_line(exc)}") from None


def import_chart_module(root: Path, definition: ChartDef) -> Any:
    """Import the chart's module afresh from the texts the build read (``chartcode``: never
    from what is on disk by now; the preview server re-imports after edits)."""
    with chartcode.running(root / CHARTS_DIR, definition.code):
        return _load_module(root, definition)


def _load_module(root: Path, definition: ChartDef) -> Any:
    try:
        return chartcode.load_module(root / definition.src, definition.code)
    except SiteError:
        raise
    except BaseException as exc:  # (SystemExit too: a module must not end the build)
        where = _user_line(exc, definition, root)
        raise SiteError(*where, f"importing the module failed: {type(exc).__name__}: {first_line(exc)}") from None


def _user_line(exc: BaseException, definition: ChartDef, root: Path) -> tuple[str, int]:
    """The deepest traceback line in a module of ``charts/``, else the decorator line."""
    return blame.traceback_line(exc, root / CHARTS_DIR) or (definition.src, definition.line)


def first_line(exc: BaseException) -> str:
    """The message's first line that says something (vl-convert's first is only a preamble)."""
    lines = [line.strip() for line in str(exc).strip().splitlines() if line.strip()]
    lines = [line for line in lines if not line.endswith(" failed:")] or lines
    return lines[0] if lines else type(exc).__name__


def _merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        merged[key] = _merge(merged[key], value) if isinstance(value, dict) and isinstance(merged.get(key), dict) else value
    return merged


def chart_location(chart_block: ChartBlock) -> tuple[str, int]:
    """Where a chart's errors are reported: its function, or its block."""
    where = chart_block.definition
    return (where.src, where.line) if where else (chart_block.src, chart_block.line)


def _digest(data: str) -> str:
    return hashlib.sha256(data.encode()).hexdigest()

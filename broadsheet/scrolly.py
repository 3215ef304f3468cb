"""Scrollytelling: ```scrolly blocks, and each step's chart state as a change to a chart's spec.

A writer names one chart on the site and lists steps; each step has Markdown text, the
alt text of its own rendering, and what the chart shows at that step::

    chart: coal-monthly
    title: How China's coal imports moved with the sanctions      # optional
    steps:
      - text: In March 2016 resolution 2270 banned coal exports ...
        alt: Bars for March to December 2016 stand out; the rest are faint.
        highlight: {field: month_start, range: [2016-03-01, 2016-12-31]}
      - text: China suspended imports on 19 February 2017 ...
        alt: ...
        annotate: {x: 2017-02-19, text: China suspends imports}
        zoom: {x: [2016-12-01, 2017-12-31]}

``parse_scrolly`` checks the block (keys, types, dates, the chart id) into frozen
records; ``states.apply_state`` draws each step's state (a chart's fields and rows are
only known once it is compiled, in the chart workers).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from .errors import known
from .fields import did_you_mean
from .prose import check_prose
from .yamlmap import FieldSpec, YamlMap, check_fields, written

Value = dt.date | int | float | str  # what a step compares with: a date, a number or text

BLOCK_KEYS: FieldSpec = {"chart": ("text", True), "title": ("text", False), "steps": ("list", True)}
STEP_KEYS: FieldSpec = {
    "text": ("text", True),
    "alt": ("text", True),
    "highlight": ("mapping", False),
    "filter": ("mapping", False),
    "annotate": ("list or mapping", False),
    "zoom": ("mapping", False),
}
PREDICATE_KEYS: FieldSpec = {
    "field": ("text", False),
    "series": ("any", False),
    "equal": ("any", False),
    "oneOf": ("list", False),
    "range": ("list", False),
}
TESTS = ("equal", "oneOf", "range")
ANNOTATION_KEYS: FieldSpec = {"x": ("any", True), "text": ("text", True), "y": ("any", False)}
ZOOM_KEYS: FieldSpec = {"x": ("list", False), "y": ("list", False)}


@dataclass(frozen=True)
class Predicate:
    """A test on one field: equal to one of ``one_of``, or within ``range`` (inclusive).
    An empty ``field`` means the chart's colour field (``highlight: {series: ...}``)."""

    field: str
    one_of: tuple[Value, ...] = ()
    range: tuple[Value, Value] | None = None
    line: int = 0


@dataclass(frozen=True)
class Annotation:
    """A labelled rule across the chart at ``x`` (and the label at ``y``, or at the top)."""

    x: Value
    text: str
    y: float | None = None
    line: int = 0


@dataclass(frozen=True)
class StepState:
    """What the chart shows at one step; ``src`` and ``line`` say where it was written."""

    src: str
    line: int
    highlight: Predicate | None = None
    filter: Predicate | None = None
    annotations: tuple[Annotation, ...] = ()
    zoom_x: tuple[Value, Value] | None = None
    zoom_y: tuple[Value, Value] | None = None
    chart: str = ""  # the chart's id (for messages)
    zoom_line: int = 0  # the line of 'zoom'


@dataclass(frozen=True)
class Step:
    text: str  # Markdown
    alt: str  # the text alternative of this step's rendering
    state: StepState
    line: int
    text_line: int = 0  # the text's first line


@dataclass(frozen=True)
class Scrolly:
    """A validated ```scrolly block: one chart, told in steps."""

    chart: str
    steps: tuple[Step, ...]
    src: str
    line: int
    title: str = ""  # the section's heading (optional)


# --- parsing -------------------------------------------------------------------------


def parse_scrolly(spec: YamlMap, chart_ids: Collection[str]) -> Scrolly:
    """Check a ```scrolly block's YAML; ``chart_ids``: the charts on the site."""
    check_fields(spec, BLOCK_KEYS, "a scrolly block")
    chart = spec.values["chart"].strip()
    if chart not in chart_ids:
        raise spec.error("chart", f"unknown chart '{chart}'", did_you_mean(chart, frozenset(chart_ids)) if chart_ids else known(()))
    items = spec.items("steps")
    if len(items) < 2:
        raise spec.error("steps", "a scrolly block needs at least two steps", "list them under 'steps:', each starting with '- text:'")
    steps = tuple(_step(item, value, chart) for item, value in zip(items, spec.values["steps"], strict=True))
    if isinstance(spec.values.get("title"), str):
        check_prose(spec.path, spec.values["title"], spec.line_of("title"))
    return Scrolly(chart, steps, spec.path, spec.line, spec.values.get("title", "").strip())


def _step(item: YamlMap, value: Any, chart: str) -> Step:
    if not isinstance(value, dict):
        raise item.error(None, f"a scrolly step must be a mapping (text, alt, highlight, ...), found {written(value)}")
    check_fields(item, STEP_KEYS, "a scrolly step")
    values = item.values
    state = StepState(
        src=item.path,
        line=item.line,
        highlight=_predicate(item, "highlight") if "highlight" in values else None,
        filter=_predicate(item, "filter") if "filter" in values else None,
        annotations=_annotations(item),
        zoom_x=_zoom(item, "x"),
        zoom_y=_zoom(item, "y"),
        chart=chart,
        zoom_line=item.line_of("zoom") if "zoom" in values else 0,
    )
    text = values["text"]
    text_line = item.line_of("text") + (1 if "\n" in text.rstrip("\n") or text.endswith("\n") else 0)  # (a | block starts below)
    check_prose(item.path, text, text_line)
    for key in ("alt",):  # (a template may show it as Markdown)
        check_prose(item.path, values[key], item.line_of(key))
    return Step(text.strip(), values["alt"].strip(), state, item.line, text_line)


def _predicate(step: YamlMap, key: str) -> Predicate:
    doc = step.child(key)
    check_fields(doc, PREDICATE_KEYS, f"'{key}'")
    values = doc.values
    tests = [name for name in TESTS if name in values]
    line = step.line_of(key)
    if "series" in values:
        if "field" in values or tests:
            raise doc.error("series", f"'{key}: {{series: ...}}' stands alone", "or write {field: ..., equal: ...}")
        return Predicate("", one_of=(_value(doc, "series"),), line=line)
    if "field" not in values:
        raise doc.error(None, f"'{key}' needs 'field' (or 'series': a value of the chart's colour field)")
    if len(tests) != 1:
        raise doc.error(tests[1] if tests else None, f"'{key}' takes one of {', '.join(TESTS)}")
    field = values["field"].strip()
    if tests[0] == "range":
        return Predicate(field, range=_pair(doc, "range"), line=line)
    if tests[0] == "oneOf":
        return Predicate(field, one_of=tuple(_value(doc, "oneOf", v) for v in values["oneOf"]), line=line)
    return Predicate(field, one_of=(_value(doc, "equal"),), line=line)


def _value(doc: YamlMap, key: str, value: Any = None) -> Value:
    value = doc.values[key] if value is None else value
    if isinstance(value, (bool, dt.datetime)) or not isinstance(value, (dt.date, int, float, str)):
        raise doc.error(key, f"'{key}' must be a date (YYYY-MM-DD), a number or text, found {written(value)}")
    return value.strip() if isinstance(value, str) else value


def _pair(doc: YamlMap, key: str) -> tuple[Value, Value]:
    """Two values of one kind, low then high: a range or a zoomed domain."""
    raw = doc.values[key]
    if not isinstance(raw, list) or len(raw) != 2:
        raise doc.error(key, f"'{key}' must be two values, low and high: [2016-03-01, 2016-12-31] or [0, 3]")
    low, high = (_value(doc, key, v) for v in raw)
    if _kind(low) != _kind(high):
        raise doc.error(key, f"'{key}' must be two values of one kind (dates, numbers or text), found {written(raw)}")
    if low > high:  # type: ignore[operator]  # (of one kind, so comparable)
        raise doc.error(key, f"'{key}' must go from low to high, found {written(raw)}")
    return low, high


def _kind(value: Value) -> str:
    return "date" if isinstance(value, dt.date) else "text" if isinstance(value, str) else "number"


def _annotations(step: YamlMap) -> tuple[Annotation, ...]:
    if "annotate" not in step.values:
        return ()
    raw = step.values["annotate"]
    docs = [step.child("annotate")] if isinstance(raw, dict) else list(step.items("annotate"))
    found = []
    for doc, value in zip(docs, [raw] if isinstance(raw, dict) else raw, strict=True):
        if not isinstance(value, dict):
            raise doc.error(None, f"an annotation must be a mapping (x, text), found {written(value)}")
        for key in ("x", "text"):
            if key not in doc.values:
                raise doc.error(None, f"an annotation needs '{key}'", "write annotate: {x: 2017-02-19, text: China suspends imports}")
        check_fields(doc, ANNOTATION_KEYS, "an annotation")
        y = doc.values.get("y")
        if y is not None and (isinstance(y, bool) or not isinstance(y, (int, float))):
            raise doc.error("y", f"an annotation's 'y' must be a number, found {written(y)}")
        check_prose(doc.path, doc.values["text"], doc.line_of("text"))
        found.append(Annotation(_value(doc, "x"), doc.values["text"].strip(), y, doc.line_of("x")))
    return tuple(found)


def _zoom(step: YamlMap, axis: str) -> tuple[Value, Value] | None:
    if "zoom" not in step.values:
        return None
    doc = step.child("zoom")
    check_fields(doc, ZOOM_KEYS, "'zoom'")
    if not doc.values:
        raise step.error("zoom", "'zoom' needs 'x' or 'y': zoom: {x: [2016-12-01, 2017-12-31]}")
    return _pair(doc, axis) if axis in doc.values else None

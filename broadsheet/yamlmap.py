"""YAML mappings that remember the line of each key, and typed field checks.

Front matter, chart blocks, ``datapackage.yaml`` entries: all are YAML mappings whose
errors must point at a line. ``parse_mapping`` keeps that line for every key (and, in
``children``, for the keys of nested mappings and the items of lists), and
``check_fields`` validates keys and types against a small declarative spec.

Every YAML document the engine reads goes through ``parse_document``, which refuses
what would publish something broken or take the build down: impossible dates, control
characters (invalid in XML feeds, fatal to the social-card rasteriser) and aliases that
expand into more values than any real document holds (a "billion laughs").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from .errors import SiteError, control_problem, known

MAX_VALUES = 100_000  # values in a YAML document once its aliases are expanded


@dataclass(frozen=True)
class YamlMap:
    """A parsed YAML mapping: ``values`` plus the 1-based source line of every key.

    ``children`` holds, for a key whose value is a mapping, its ``YamlMap``; for a key
    whose value is a list, one ``YamlMap`` per item (empty for an item that is not a
    mapping, but still at the item's line)."""

    values: Mapping[str, Any]
    lines: Mapping[str, int]
    path: str
    line: int  # line of the mapping itself
    children: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def line_of(self, key: str) -> int:
        return self.lines.get(key, self.line)

    def error(self, key: str | None, message: str, hint: str | None = None) -> SiteError:
        return SiteError(self.path, self.line_of(key) if key else self.line, message, hint)

    def child(self, key: str) -> YamlMap:
        """The mapping under ``key`` (an empty one at the key's line if it is not one)."""
        found = self.children.get(key)
        return found if isinstance(found, YamlMap) else YamlMap({}, {}, self.path, self.line_of(key))

    def items(self, key: str) -> tuple[YamlMap, ...]:
        """One ``YamlMap`` per item of the list under ``key`` (none if it is not a list)."""
        found = self.children.get(key)
        return found if isinstance(found, tuple) else ()


class _BadValue(yaml.MarkedYAMLError):
    """A value YAML can parse but the site can't use, at its line."""


_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: ~10x faster


class _Loader(_Base):  # type: ignore[misc]  # (the C loader, when built, or the Python one)
    """The safe loader, with impossible dates and control characters as marked errors."""


def _timestamp(loader: Any, node: Any) -> Any:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except (ValueError, OverflowError) as exc:
        raise _BadValue(problem=f"'{node.value}' is not a calendar date ({exc})", problem_mark=node.start_mark) from None


def _text(loader: Any, node: Any) -> Any:
    value = yaml.SafeLoader.construct_yaml_str(loader, node)
    problem = control_problem(value)
    if problem:
        raise _BadValue(problem=problem, problem_mark=node.start_mark)
    return value


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)
_Loader.add_constructor("tag:yaml.org,2002:str", _text)


def parse_mapping(text: str, path: str, first_line: int = 1, empty_ok: bool = False) -> YamlMap:
    """Parse ``text`` (which starts at ``first_line`` of ``path``) as a YAML mapping."""
    return parse_document(text, path, first_line, empty_ok)[0]


def parse_document(text: str, path: str, first_line: int = 1, empty_ok: bool = False) -> tuple[YamlMap, dict[str, list[YamlMap]]]:
    """Parse a YAML mapping; also return, for each key holding a list of mappings, one
    ``YamlMap`` per item (so each resource of a data package knows its own lines)."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            if empty_ok:
                return YamlMap({}, {}, path, first_line), {}
            raise SiteError(path, first_line, "expected a YAML mapping (key: value lines), found nothing")
        _check_size(node, path, first_line)
        top = _mapping(loader, node, path, first_line)
        lists = {key: list(items) for key, items in top.children.items() if isinstance(items, tuple) and _all_mappings(top.values[key])}
        return top, lists
    except _BadValue as exc:
        raise SiteError(path, first_line + (exc.problem_mark.line if exc.problem_mark else 0), str(exc.problem)) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = first_line + mark.line if mark else first_line
        raise SiteError(path, line, f"invalid YAML: {exc.problem or exc.context}") from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow, by offset
        line = first_line + text.count("\n", 0, exc.position)
        raise SiteError(path, line, f"invalid YAML: {exc.reason} (character U+{exc.character:04X})") from None
    except yaml.YAMLError as exc:
        raise SiteError(path, first_line, f"invalid YAML: {exc}") from None
    finally:
        loader.dispose()


def _all_mappings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, dict) for item in value)


def _check_size(node: Any, path: str, first_line: int) -> None:
    """Refuse a document whose aliases expand it past ``MAX_VALUES`` values, before
    anything walks it: each alias is a reference, so expansion grows exponentially with
    nesting while the text stays a few hundred bytes."""
    sizes: dict[int, int] = {}
    visiting: set[int] = set()

    def size(n: Any) -> int:
        if id(n) in visiting:
            raise SiteError(path, first_line + n.start_mark.line, "this YAML value contains itself (through an alias, '*name')")
        if id(n) not in sizes:
            visiting.add(id(n))
            if isinstance(n, yaml.MappingNode):
                total = sum(size(k) + size(v) for k, v in n.value)
            elif isinstance(n, yaml.SequenceNode):
                total = sum(size(item) for item in n.value)
            else:
                total = 0
            sizes[id(n)] = min(1 + total, MAX_VALUES + 1)
            visiting.discard(id(n))
        return sizes[id(n)]

    items = node.value if isinstance(node, yaml.MappingNode) else [(node, node)]
    total = 0
    try:
        for key_node, value_node in items:
            total += size(value_node)
            if total > MAX_VALUES:
                raise SiteError(
                    path,
                    first_line + key_node.start_mark.line,
                    f"this YAML expands to more than {MAX_VALUES:,} values (through aliases, '*name')",
                    "write the values out, or use fewer aliases",
                )
    except RecursionError:
        raise SiteError(path, first_line + node.start_mark.line, "YAML nested too deeply") from None


def _mapping(loader: Any, node: Any, path: str, first_line: int) -> YamlMap:
    if not isinstance(node, yaml.MappingNode):
        raise SiteError(path, first_line + node.start_mark.line, "expected a YAML mapping (key: value lines)")
    values: dict[str, Any] = {}
    lines: dict[str, int] = {}
    children: dict[str, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = first_line + key_node.start_mark.line
        if not isinstance(key, str):
            raise SiteError(path, line, f"keys must be text, found {key!r}")
        if key in values:
            raise SiteError(path, line, f"key '{key}' appears twice")
        values[key] = loader.construct_object(value_node, deep=True)
        lines[key] = line
        if isinstance(value_node, yaml.MappingNode):
            children[key] = _mapping(loader, value_node, path, first_line)
        elif isinstance(value_node, yaml.SequenceNode):
            children[key] = tuple(_item(loader, item, path, first_line) for item in value_node.value)
    return YamlMap(values, lines, path, first_line + node.start_mark.line, children)


def _item(loader: Any, node: Any, path: str, first_line: int) -> YamlMap:
    if isinstance(node, yaml.MappingNode):
        return _mapping(loader, node, path, first_line)
    return YamlMap({}, {}, path, first_line + node.start_mark.line)


# A field spec: key -> (type name, required). Type names are the ones users read in errors.
FieldSpec = Mapping[str, tuple[str, bool]]

_CHECKS: dict[str, Any] = {
    "text": lambda v: isinstance(v, str) and v.strip() != "",
    "string": lambda v: isinstance(v, str),  # (text, possibly empty: published descriptors leave some titles empty)
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "date": lambda v: isinstance(v, dt.date) and not isinstance(v, dt.datetime),
    "list of text": lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v),
    "text or mapping": lambda v: isinstance(v, (str, dict)),
    "mapping": lambda v: isinstance(v, dict),
    "list": lambda v: isinstance(v, list),
    "list or mapping": lambda v: isinstance(v, (list, dict)),
    "text or list": lambda v: isinstance(v, (str, list)),
    "any": lambda v: True,
}

_DESCRIBE = {"date": "a date (YYYY-MM-DD)", "text": "non-empty text", "string": "text"}


def check_fields(doc: YamlMap, spec: FieldSpec, what: str) -> None:
    """Raise a ``SiteError`` at the offending line for unknown, missing or mistyped keys."""
    for key in doc.values:
        if key not in spec:
            raise doc.error(key, f"unknown key '{key}' in {what}", known(spec))
    check_types(doc, spec, what)


def check_types(doc: YamlMap, spec: FieldSpec, what: str) -> None:
    """Raise a ``SiteError`` at the offending line for missing or mistyped keys of ``spec``."""
    for key, (kind, required) in spec.items():
        if key not in doc.values:
            if required:
                raise doc.error(None, f"{what} needs '{key}'")
            continue
        value = doc.values[key]
        if not _CHECKS[kind](value):
            raise doc.error(key, f"'{key}' must be {_DESCRIBE.get(kind, kind)}, found {_show(value)}")


def _show(value: Any) -> str:
    if value is None:
        return "nothing"
    text = written(value)
    return text if len(text) < 60 else text[:57] + "..."


def written(value: Any) -> str:
    """A YAML value as its author wrote it, near enough, for a message: 2017-01-01 and
    [2017-12-31, 2016-12-01], not datetime.date(2017, 1, 1); text in quotes."""
    if isinstance(value, dt.date):  # (and datetimes: 2017-02-19 10:30:00)
        return str(value)
    if isinstance(value, bool) or value is None:
        return {True: "true", False: "false", None: "null"}[value]
    if isinstance(value, list):
        return "[" + ", ".join(written(item) for item in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{key}: {written(item)}" for key, item in value.items()) + "}"
    return repr(value)

"""YAML mappings that remember the line of each key, and typed field checks.

Front matter, chart blocks, ``datapackage.yaml`` entries: all are YAML mappings whose
errors must point at a line. ``parse_mapping`` keeps that line for every key, and
``check_fields`` validates keys and types against a small declarative spec.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from .errors import SiteError, known


@dataclass(frozen=True)
class YamlMap:
    """A parsed YAML mapping: ``values`` plus the 1-based source line of every key."""

    values: Mapping[str, Any]
    lines: Mapping[str, int]
    path: str
    line: int  # line of the mapping itself

    def line_of(self, key: str) -> int:
        return self.lines.get(key, self.line)

    def error(self, key: str | None, message: str, hint: str | None = None) -> SiteError:
        return SiteError(self.path, self.line_of(key) if key else self.line, message, hint)


_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: ~10x faster


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
        top = _mapping(loader, node, path, first_line)
        lists = {}
        for key_node, value_node in node.value:
            if isinstance(value_node, yaml.SequenceNode) and all(isinstance(i, yaml.MappingNode) for i in value_node.value):
                lists[str(key_node.value)] = [_mapping(loader, item, path, first_line) for item in value_node.value]
        return top, lists
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = first_line + mark.line if mark else first_line
        raise SiteError(path, line, f"invalid YAML: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise SiteError(path, first_line, f"invalid YAML: {exc}") from None
    finally:
        loader.dispose()


def _mapping(loader: Any, node: Any, path: str, first_line: int) -> YamlMap:
    if not isinstance(node, yaml.MappingNode):
        raise SiteError(path, first_line + node.start_mark.line, "expected a YAML mapping (key: value lines)")
    values: dict[str, Any] = {}
    lines: dict[str, int] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = first_line + key_node.start_mark.line
        if not isinstance(key, str):
            raise SiteError(path, line, f"keys must be text, found {key!r}")
        if key in values:
            raise SiteError(path, line, f"key '{key}' appears twice")
        values[key] = loader.construct_object(value_node, deep=True)
        lines[key] = line
    return YamlMap(values, lines, path, first_line + node.start_mark.line)


# A field spec: key -> (type name, required). Type names are the ones users read in errors.
FieldSpec = Mapping[str, tuple[str, bool]]

_CHECKS: dict[str, Any] = {
    "text": lambda v: isinstance(v, str) and v.strip() != "",
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

_DESCRIBE = {"date": "a date (YYYY-MM-DD)", "text": "non-empty text"}


def check_fields(doc: YamlMap, spec: FieldSpec, what: str) -> None:
    """Raise a ``SiteError`` at the offending line for unknown, missing or mistyped keys."""
    for key in doc.values:
        if key not in spec:
            raise doc.error(key, f"unknown key '{key}' in {what}", known(spec))
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
    text = repr(value)
    return text if len(text) < 60 else text[:57] + "..."

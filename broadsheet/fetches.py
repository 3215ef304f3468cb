"""What a chart would fetch: the addresses in a compiled Vega-Lite spec that a reader's
browser (and the renderer at build time) would request.

Readers' pages make no request to another website. A spec names an address in three
places: a data source (``alt.Chart("https://.../cars.json")``, ``alt.topo_feature(url,
...)``, a lookup's ``from``), an image mark's ``url``, and the ``url`` channel (a constant,
a condition's value, or a field whose values are addresses). ``offsite_fetch`` finds the
first that is not a path on the site; ``check_fetches`` stops the build at its line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .blame import field_line
from .errors import SiteError
from .prose import SAFE_DATA, shown

# An address that leaves the site: a scheme (https:, file:, ftp:...) or a host of its own
# (//example.org, and /\example.org, which browsers read the same way).
_OFFSITE = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:|[/\\]{2}")
_LEADING = re.compile(r"^[\x00-\x20]+")  # (as the URL parser: spaces and controls before an address are dropped)


DATA_HINT = 'describe the data in the data package (the file downloaded beside it) and pass it: @chart("id", data=["name"])'
IMAGE_HINT = "put the image in static/ and give its path on the site (/static/...)"


@dataclass(frozen=True)
class Fetch:
    """An address a chart would fetch from another website (or the build machine's files)."""

    address: str
    what: str  # "loads its data from", "draws an image from"...
    field: str = ""  # the field whose values are addresses (a url channel), if any


def check_fetches(spec: Mapping[str, Any], chart_id: str, src: str, line: int, module: Path | None) -> None:
    """A chart that would fetch from another website (or the build machine's files) stops
    the build at ``src:line``: in a chart ``module``, the line naming the address or its field."""
    fetch = offsite_fetch(spec)
    if fetch is None:
        return
    if module is not None:
        line = field_line(module, line, fetch.field or fetch.address)
    where = f"field '{fetch.field}' holds an address on another website" if fetch.field else "not a path on this site"
    message = f"chart '{chart_id}' {fetch.what} '{shown(fetch.address)}', {where}: readers' pages make no request elsewhere"
    raise SiteError(src, line, message, IMAGE_HINT if "image" in fetch.what else DATA_HINT)


def is_offsite(address: str) -> bool:
    """Whether a browser fetching ``address`` from a page of the site would leave it. A
    ``data:`` picture is in the address itself: it fetches nothing."""
    cleaned = _LEADING.sub("", re.sub(r"[\t\n\r]", "", address))
    if cleaned.lower().startswith("data:"):
        return not SAFE_DATA.match(cleaned, 5)
    return bool(_OFFSITE.match(cleaned))


def offsite_fetch(spec: Mapping[str, Any]) -> Fetch | None:
    """The first address in ``spec`` that is not a path on the site, or None."""
    datasets = spec.get("datasets") if isinstance(spec.get("datasets"), dict) else {}
    return next((f for f in _fetches(spec, datasets or {}) if is_offsite(f.address)), None)


def _fetches(spec: Mapping[str, Any], datasets: Mapping[str, Any]) -> Iterator[Fetch]:
    """Every address the spec names, with what it is for (a walk without recursion: a spec
    may nest deeply)."""
    stack: list[tuple[str, Any]] = [("", spec)]
    while stack:
        key, node = stack.pop()
        if isinstance(node, list):
            stack.extend((key, item) for item in node)
            continue
        if not isinstance(node, dict):
            continue
        url = node.get("url")
        if isinstance(url, str):
            yield Fetch(url, "draws an image from" if key == "mark" or node.get("type") == "image" else "loads its data from")
        elif isinstance(url, dict) and key == "encoding":
            yield from _channel(url, datasets)
        # (inline rows are data, not spec: a column named "url" is not an address to fetch)
        stack.extend((k, v) for k, v in node.items() if k not in ("datasets", "values") and not (k == "url" and key == "encoding"))


def _channel(definition: Mapping[str, Any], datasets: Mapping[str, Any]) -> Iterator[Fetch]:
    """The addresses a ``url`` channel gives its marks: constants, conditions' values, and
    the values of its field in the spec's inline data."""
    for item in [definition, *_conditions(definition)]:
        if isinstance(item.get("value"), str):
            yield Fetch(item["value"], "draws an image from")
        field = item.get("field")
        if isinstance(field, str):
            for rows in datasets.values():
                for row in rows if isinstance(rows, list) else ():
                    value = row.get(field) if isinstance(row, dict) else None
                    if isinstance(value, str):
                        yield Fetch(value, "draws an image from", field)


def _conditions(definition: Mapping[str, Any]) -> list[dict[str, Any]]:
    condition = definition.get("condition")
    return [c for c in (condition if isinstance(condition, list) else [condition]) if isinstance(c, dict)]

"""Source lines: what a chart's figure says its figures come from, as a reader can follow it.

The sources of the values a chart plots come first; the sources of datasets a chart
uses only as context (the dates of the events its rules mark, the text of an
annotation) come apart, under what they give ("Dates of events from: ..."), and never
repeat a source already listed. At most ``VISIBLE`` links show under a chart; the rest
are one click away, in a ``<details>`` (no JavaScript). A chart names its context
datasets where it names its data: ``@chart(..., context=["timeline"])``, or with what
each gives, ``context={"timeline": "Dates of events"}``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .data import Dataset, Source
from .errors import SiteError

VISIBLE = 8  # links shown under a chart before "N more sources" (nine when the ninth is the last)
CONTEXT_LABEL = "Dates of events"  # what a context dataset gives, unless the chart says
Context = tuple[tuple[str, str], ...]  # datasets a chart uses only as context, with what each gives
HOW = 'write context=["dataset"] or context={"dataset": "What it gives"} (a dataset of the chart\'s data)'


@dataclass(frozen=True)
class SourceLine:
    """One line of sources under a chart: its label ("Sources", "Dates of events from"),
    the sources shown, and those one click away."""

    label: str
    shown: tuple[Source, ...]
    more: tuple[Source, ...] = ()
    context: bool = False  # the sources of context datasets, not of plotted values

    @property
    def sources(self) -> tuple[Source, ...]:
        return self.shown + self.more


def read_context(value: Any, datasets: Sequence[str], fail: Callable[[str], SiteError]) -> Context:
    """The context datasets a chart declares, each with what it gives: (name, label)."""
    pairs = list(value.items()) if isinstance(value, Mapping) else None
    if isinstance(value, list | tuple):
        pairs = [(name, CONTEXT_LABEL) for name in value]
    if pairs is None or not all(isinstance(name, str) and isinstance(label, str) and label.strip() for name, label in pairs):
        raise fail(f"'context' must be a list of dataset names or a mapping of dataset to what it gives: {HOW}")
    for name, _ in pairs:
        if name not in datasets:
            raise fail(f"context dataset '{name}' is not in the chart's data ({', '.join(datasets)}): {HOW}")
    if len({name for name, _ in pairs}) >= len(set(datasets)):
        raise fail("every dataset of the chart is context: at least one must hold the values it plots")
    return tuple((name, label.strip()) for name, label in pairs)


def source_lines(datasets: Sequence[Dataset], context: Sequence[tuple[str, str]] = ()) -> list[SourceLine]:
    """A figure's source lines: the plotted values' sources, then each kind of context."""
    labels = dict(context)
    plotted = unique_sources([d for d in datasets if d.name not in labels])
    listed = {(s.title, s.path) for s in plotted}
    lines = [_split("Source" if len(plotted) == 1 else "Sources", plotted, VISIBLE)]
    budget = VISIBLE - len(lines[0].shown)
    for label in dict.fromkeys(labels.values()):
        found = [s for s in unique_sources([d for d in datasets if labels.get(d.name) == label]) if (s.title, s.path) not in listed]
        listed |= {(s.title, s.path) for s in found}
        if found:
            shown = len(found) <= budget  # (a context line is shown whole, or left one click away)
            budget -= len(found) if shown else 0
            lines.append(SourceLine(f"{label} from", tuple(found) if shown else (), () if shown else tuple(found), context=True))
    return lines


def lines_of(sources: Sequence[Source]) -> list[SourceLine]:
    """A list of sources (a dataset's own) as one source line."""
    return [_split("Source" if len(sources) == 1 else "Sources", list(sources), VISIBLE)]


def _split(label: str, sources: list[Source], visible: int) -> SourceLine:
    """The first ``visible`` in view, the rest one click away (one more is shown: a click for one link is no saving)."""
    if len(sources) <= visible + 1:
        return SourceLine(label, tuple(sources))
    return SourceLine(label, tuple(sources[:visible]), tuple(sources[visible:]))


def unique_sources(datasets: Sequence[Dataset]) -> list[Source]:
    """Every source of ``datasets`` once, in order."""
    seen: dict[tuple[str, str], Source] = {}
    for dataset in datasets:
        for source in dataset.sources:
            seen.setdefault((source.title, source.path), source)
    return list(seen.values())

"""Bound values as readers get them: the figure in a ``<data>`` element, and a note that
says which dataset, row and source it was read from.

``fill`` replaces each token (``bound``) of a finished file by its figure. In running
text the figure is ``<data value="2730000000">$2.73 billion</data>``, focusable, with a
note beside it that CSS shows on hover and on keyboard focus, with no JavaScript: the
dataset (linked to its entry on the site), the row, the field and the cell, and the
source (the row's own when the dataset gives one, else the dataset's). Where a note's
links can't go (inside a link, a button, a summary) the figure is a bare ``<data>``;
where no element can (an attribute such as an SVG's ``aria-label``, ``<title>``,
``<textarea>``, an SVG) it is plain text; in a feed or a sitemap, plain text everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html import escape
from typing import Any

from .bound import TOKEN, TOKEN_START, source_of
from .boundvalues import BoundValues, Cell, Resolved
from .data import Source

PLAIN_INSIDE = frozenset({"title", "textarea", "script", "style", "option", "select", "svg"})  # no element there
NO_NOTE_INSIDE = frozenset({"a", "button", "summary", "label", "caption"})  # no link there (a caption repeats a title)
PLAIN_CLASSES = frozenset({"visually-hidden"})  # text for screen readers only: an alt text, not a figure to focus
_PIECES = re.compile(
    r"<!--.*?-->|<(?:svg|script|style)\b.*?</(?:svg|script|style)>"  # (whole: a chart's thousands of tags are not walked)
    r"|<(/?)([a-zA-Z][a-zA-Z0-9:-]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>"
    r"|\ue000[\ue100-\ue1ff]*\ue001",
    re.S,
)
_CLASS = re.compile(r"""\sclass\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")


def fill(html: str, values: BoundValues, url: Callable[[str], str], markup: bool = True) -> str:
    """``html`` with its tokens replaced: figures with notes (``markup``) or plain text.
    ``url`` makes a site path a link (the site's base path)."""
    if TOKEN_START not in html:
        return html
    if not markup:
        return TOKEN.sub(lambda m: escape(_resolved(values, m.group(0)).text), html)
    out, context, count, i = [], _Context(), 0, 0
    for match in _PIECES.finditer(html):
        piece = match.group(0)
        if piece.startswith(TOKEN_START):
            out.append(html[i : match.start()])
            resolved = _resolved(values, piece)
            if context.plain():
                out.append(escape(resolved.text))
            elif context.no_note():
                out.append(_data(resolved))
            else:
                count += 1
                out.append(_with_note(resolved, values, url, f"bound-{count}"))
            i = match.end()
            continue
        if match.group(2):
            context.tag(match.group(2).lower(), bool(match.group(1)), match.group(3))
        if TOKEN_START in piece:  # (in an attribute, or in a drawing: text only)
            out.append(html[i : match.start()])
            out.append(TOKEN.sub(lambda m: escape(_resolved(values, m.group(0)).text), piece))
            i = match.end()
    out.append(html[i:])
    return "".join(out)


class _Context:
    """Which elements a point of a page is inside, as far as a figure's form depends on it."""

    def __init__(self) -> None:
        self.open = dict.fromkeys(PLAIN_INSIDE | NO_NOTE_INSIDE, 0)
        self.hidden: list[list[Any]] = []  # [tag, depth] of each open element of a PLAIN_CLASSES class

    def tag(self, name: str, closing: bool, attributes: str) -> None:
        if attributes.rstrip().endswith("/"):
            return
        step = -1 if closing else 1
        if name in self.open:
            self.open[name] = max(0, self.open[name] + step)
        if self.hidden and self.hidden[-1][0] == name:
            self.hidden[-1][1] += step
            if self.hidden[-1][1] == 0:
                self.hidden.pop()
        elif not closing and _classes(attributes) & PLAIN_CLASSES:
            self.hidden.append([name, 1])

    def plain(self) -> bool:
        return bool(self.hidden) or any(self.open[name] for name in PLAIN_INSIDE)

    def no_note(self) -> bool:
        return any(self.open[name] for name in NO_NOTE_INSIDE)


def _classes(attributes: str) -> set[str]:
    match = _CLASS.search(attributes)
    return set(next(g for g in match.groups() if g is not None).split()) if match else set()


def _resolved(values: BoundValues, token: str) -> Resolved:
    return values.values[source_of(token[1:-1])]


def _data(resolved: Resolved, extra: str = "") -> str:
    return f'<data value="{escape(resolved.value)}"{extra}>{escape(resolved.text)}</data>'


def _with_note(resolved: Resolved, values: BoundValues, url: Callable[[str], str], note_id: str) -> str:
    data = _data(resolved, f' tabindex="0" aria-describedby="{note_id}"')
    return f'<span class="bound">{data}<span class="bound-note" id="{note_id}">{note(resolved, values, url)}</span></span>'


def note(resolved: Resolved, values: BoundValues, url: Callable[[str], str]) -> str:
    """Where a figure comes from, as HTML: per dataset, its linked title, the cells read and
    their sources. "Calculated from" when the figure is arithmetic on them."""
    parts = []
    for name in dict.fromkeys(cell.dataset for cell in resolved.cells):
        dataset = values.datasets[name]
        cells = [cell for cell in resolved.cells if cell.dataset == name]
        own = [cell.source for cell in cells if cell.source is not None]
        sources = list(dict.fromkeys(own)) if len(own) == len(cells) else list(dataset.sources)
        label = "Source" if len(sources) == 1 else "Sources"
        listed = "; ".join(_source(source, url) for source in sources)
        rows = "; ".join(_cell(cell) for cell in cells)
        parts.append(f'<a href="{escape(url(dataset.entry))}">{escape(dataset.title)}</a>: {rows}. {label}: {listed}.')
    return ("Calculated from " if resolved.computed else "From ") + " ".join(parts)


def _cell(cell: Cell) -> str:
    row = ", ".join(f"{escape(name)} {escape(value)}" for name, value in cell.keys)
    return f"{row}: {escape(cell.field)} {escape(cell.text)}"


def _source(source: Source, url: Callable[[str], str]) -> str:
    if not source.path:
        return escape(source.title)
    href = url(source.path) if source.path.startswith("/") else source.path
    return f'<a href="{escape(href)}" rel="external noopener">{escape(source.title)}</a>'

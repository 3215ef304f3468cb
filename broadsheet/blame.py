"""Where in the user's chart modules a chart's error arose: the line an author must edit.

Three ways, in order of certainty: the deepest frame of a traceback that is in a module
of ``charts/`` (an exception in chart code, or a schema error Altair raised while the
chart was being built); the line where the Altair object an error is about was made
(a schema error found when the whole chart is validated, after the function returned);
the line of the chart function that names a field (a field no dataset has).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

LINE_ATTRIBUTE = "_broadsheet_line"  # (src, line) where an Altair object was made


def _in_charts(filename: str, charts: Path) -> str | None:
    """``charts/NAME.py`` if ``filename`` is a module in the site's ``charts`` folder."""
    path = Path(filename)
    try:
        return f"charts/{path.resolve().relative_to(charts.resolve()).as_posix()}"
    except (ValueError, OSError, RuntimeError):  # (RuntimeError: a loop of links)
        return None


def traceback_line(exc: BaseException, charts: Path) -> tuple[str, int] | None:
    """The deepest frame of ``exc``'s traceback in a module of ``charts`` (a helper module
    the chart imports counts)."""
    found = None
    tb = exc.__traceback__
    while tb is not None:
        src = _in_charts(tb.tb_frame.f_code.co_filename, charts)
        if src is not None:
            found = (src, tb.tb_lineno)
        tb = tb.tb_next
    return found


@contextmanager
def recording_lines(charts: Path) -> Iterator[None]:
    """While the chart function runs, every Altair object it makes remembers the line in
    ``charts`` that made it (``LINE_ATTRIBUTE``), for ``schema_error_line``."""
    from altair.utils.schemapi import SchemaBase

    original = SchemaBase.__init__
    known: dict[str, str | None] = {}  # file name -> charts/NAME.py or None (resolving a path is slow: a chart makes thousands of objects)

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        frame = sys._getframe(1)
        while frame is not None:
            filename = frame.f_code.co_filename
            if filename not in known:
                known[filename] = _in_charts(filename, charts) if "site-packages" not in filename else None
            src = known[filename]
            if src is not None:
                object.__setattr__(self, LINE_ATTRIBUTE, (src, frame.f_lineno))
                break
            frame = frame.f_back  # type: ignore[assignment]

    SchemaBase.__init__ = init  # type: ignore[method-assign]
    try:
        yield
    finally:
        SchemaBase.__init__ = original  # type: ignore[method-assign]


def schema_error_line(exc: BaseException, chart: Any) -> tuple[str, int] | None:
    """The line that made the object a schema error (raised by ``to_dict``) is about:
    its path into the chart's dict is followed through the chart's Altair objects."""
    errors = getattr(exc, "_errors", None)
    paths = [list(getattr(e, "absolute_path", [])) for group in (errors or {}).values() for e in group] if isinstance(errors, dict) else []
    for path in paths or [[]]:
        found = getattr(chart, LINE_ATTRIBUTE, None)
        node = chart
        for key in path:
            node = _child(node, key)
            if node is None:
                break
            found = getattr(node, LINE_ATTRIBUTE, found)
        if found is not None:
            return found  # type: ignore[no-any-return]
    return None


def _child(node: Any, key: Any) -> Any:
    kwds = getattr(node, "_kwds", None)
    if isinstance(kwds, dict):
        return kwds.get(key)
    if isinstance(node, dict):
        return node.get(key)
    if isinstance(node, list) and isinstance(key, int) and key < len(node):
        return node[key]
    return None


def literal_line(source: str, text: str, after: int) -> int | None:
    """The first line from ``after`` on with ``text`` as a word inside a string literal:
    a field (``"rate"``), a shorthand (``"mean(rate):Q"``), an expression (``"datum.rate > 2"``)."""
    word = re.escape(text)
    pattern = re.compile(rf"""(['"])[^'"\n]*(?<![\w]){word}(?![\w])[^'"\n]*\1""")
    for number, line in enumerate(source.splitlines()[after - 1 :], start=after):
        if pattern.search(line):
            return number
    return None


def field_line(module: Path, decorator: int, field: str) -> int:
    """The line of a chart's module that names ``field``, else its ``@chart`` line."""
    source = module.read_text(encoding="utf-8", errors="replace")
    return literal_line(source, field, decorator) or decorator

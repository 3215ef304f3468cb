#!/usr/bin/env python3
"""Does Broadsheet's fast Markdown path give stock Python-Markdown's bytes on others' inputs?

Not a test (its inputs are others' files, kept outside the repository): it reads a local
copy of Python-Markdown's own test inputs and of CommonMark's spec examples, converts
each with Broadsheet's converter (``content.new_converter()``: the fast inline pass) and
with the same extensions unmodified (``new_converter(stock=True)``), and reports every
input whose output differs. Exit 1 if any does.

    # a bare copy of each repository (git clone, or the snapshot the search tool fetches)
    git --git-dir=MARKDOWN_REPO archive HEAD tests | tar x -C /tmp/corpus/pm
    git --git-dir=COMMONMARK_REPO archive HEAD spec.txt | tar x -C /tmp/corpus
    python bench/markdown_corpus.py --python-markdown /tmp/corpus/pm/tests --commonmark /tmp/corpus/spec.txt

Python-Markdown's inputs: every ``*.txt`` under its ``tests/`` and the first argument of
every ``assertMarkdownRenders`` call in its ``test_syntax`` modules (literal strings, and
``self.dedent(...)`` of one), read from the source without importing it. CommonMark's:
the Markdown half of every example in ``spec.txt`` (``→`` is a tab, as the spec says).
"""

from __future__ import annotations

import argparse
import ast
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

try:  # (the converter moved to prose.py on main: this script reads either engine)
    from broadsheet.prose import new_converter  # type: ignore[attr-defined]  # noqa: E402
except ImportError:
    from broadsheet.content import new_converter  # noqa: E402

FENCE = "`" * 32


def python_markdown_inputs(tests: Path) -> Iterator[tuple[str, str]]:
    """(where, Markdown) for each input of Python-Markdown's test suite."""
    for path in sorted(tests.rglob("*.txt")):
        yield str(path.relative_to(tests)), path.read_text(encoding="utf-8", errors="replace")
    for path in sorted(tests.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "assertMarkdownRenders" and node.args:
                text = _literal(node.args[0])
                if text is not None:
                    yield f"{path.relative_to(tests)}:{node.lineno}", text


def _literal(node: ast.expr) -> str | None:
    """A string literal, or ``self.dedent(literal)``; None for anything computed."""
    if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "dedent" and node.args:
        inner = _literal(node.args[0])
        return None if inner is None else textwrap.dedent(inner).strip("\n")
    try:
        value = ast.literal_eval(node)
    except ValueError:
        return None
    return value if isinstance(value, str) else None


def commonmark_inputs(spec: Path) -> Iterator[tuple[str, str]]:
    """(where, Markdown) for each example of CommonMark's ``spec.txt``."""
    lines = spec.read_text(encoding="utf-8").split("\n")
    number, i = 0, 0
    while i < len(lines):
        if lines[i].startswith(FENCE + " example"):
            number += 1
            start = i + 1
            i = start
            while lines[i] != ".":
                i += 1
            yield f"spec.txt example {number} (line {start})", "\n".join(lines[start:i]).replace("→", "\t") + "\n"
        i += 1


def compare(inputs: list[tuple[str, str]]) -> list[str]:
    """The inputs whose fast and stock outputs differ (or whose conversion fails differently)."""
    fast, stock = new_converter(), new_converter(stock=True)
    differing = []
    for where, text in inputs:
        outputs = []
        for converter in (fast, stock):
            converter.reset()
            try:
                outputs.append(converter.convert(text))
            except Exception as error:  # (stock Python-Markdown fails on a few inputs: both must fail alike)
                outputs.append(f"{type(error).__name__}: {error}")
        if outputs[0] != outputs[1]:
            differing.append(where)
    return differing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--python-markdown", type=Path, help="Python-Markdown's tests/ folder")
    parser.add_argument("--commonmark", type=Path, help="CommonMark's spec.txt")
    args = parser.parse_args(argv)
    if args.python_markdown is None and args.commonmark is None:
        parser.error("give --python-markdown, --commonmark or both")
    failed = 0
    for name, inputs in (
        ("Python-Markdown's test inputs", list(python_markdown_inputs(args.python_markdown)) if args.python_markdown else None),
        ("CommonMark's spec examples", list(commonmark_inputs(args.commonmark)) if args.commonmark else None),
    ):
        if inputs is None:
            continue
        differing = compare(inputs)
        print(f"{name}: {len(inputs) - len(differing)} of {len(inputs)} byte-identical to stock Python-Markdown")
        for where in differing:
            print(f"  differs: {where}")
        failed += len(differing)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

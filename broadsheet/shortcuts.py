"""Python-Markdown's block parser and table of contents, made to skip what cannot apply.

The block parser offers every block to each block processor in turn, and most of them
search the whole block with a regular expression before saying no: a heading needs a
``#``, a quote a ``>``, a reference definition ``]:``. ``ShortcutExtension`` puts a test
for that character (a C-level ``in``) before each of these, so a block without it is
passed on as the processor itself would pass it. The raw HTML and fenced code
preprocessors are skipped on pages without a tag or an entity, or without a fence. The
table of contents looks for its ``[TOC]`` marker in every paragraph of every page; it is
now looked for only in pages whose text holds it, attribute lists (``{: .class}``) only
in pages with a ``{``, and escapes to restore only in pages with a backslash. Names an
element is tested with (``is_block_level``) are remembered.

As with ``inline.py``, the output is byte-identical to stock Python-Markdown:
``tests/test_properties.py`` compares them on generated documents,
``tests/test_build.py`` on every page of the explainer, and ``bench/markdown_corpus.py``
on Python-Markdown's own test inputs and CommonMark's examples.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import markdown
from markdown.preprocessors import Preprocessor

# Block processor -> what a block must hold for it to take the block. Each stock test
# (or, for "reference" and "footnote", each run that gives the block back) is False
# without it, with no effect on the parser.
_NEEDS: dict[str, Callable[[str], bool]] = {
    "hashheader": lambda block: "#" in block,
    "setextheader": lambda block: "\n=" in block or "\n-" in block,  # (its second line is === or ---)
    "hr": lambda block: block.count("-") >= 3 or block.count("_") >= 3 or block.count("*") >= 3,
    "quote": lambda block: ">" in block,
    "table": lambda block: "|" in block,  # (the separator row needs a pipe; its test's other state is set again)
    "reference": lambda block: "]:" in block,
    "footnote": lambda block: "[^" in block and "]:" in block,
}


# Preprocessor -> what a line must hold for it to change the text (else it gives the
# lines back as they are): raw HTML needs a tag (HTML's parser reads text without '<' or
# '&' as plain data), a fenced code block its fence.
_LINES_NEED: dict[str, Callable[[str], bool]] = {
    "html_block": lambda line: "<" in line or "&" in line,
    "fenced_code_block": lambda line: "```" in line or "~~~" in line,
}


def _lines_prefiltered(run: Callable[[list[str]], list[str]], needs: Callable[[str], bool]) -> Callable[[list[str]], list[str]]:
    def quick(lines: list[str]) -> list[str]:
        return run(lines) if any(map(needs, lines)) else lines

    return quick


def _prefiltered(test: Callable[[Any, str], bool], needs: Callable[[str], bool]) -> Callable[[Any, str], bool]:
    def quick(parent: Any, block: str) -> bool:
        return needs(block) and test(parent, block)

    return quick


class SourceNote(Preprocessor):  # type: ignore[misc]  # (Markdown ships no type stubs)
    """Remembers whether the text being converted holds the table of contents' marker,
    a '{' (an attribute list needs one) and a backslash (an escape does)."""

    def __init__(self, md: Any, marker: str):
        super().__init__(md)
        self.marker = marker
        self.present = True
        self.braces = True
        self.backslashes = True

    def run(self, lines: list[str]) -> list[str]:
        # (STX and ETX are removed from the text next: a marker could be split by them)
        self.present = bool(self.marker) and any(self.marker in line or "\x02" in line or "\x03" in line for line in lines)
        self.braces = any("{" in line for line in lines)
        self.backslashes = any("\\" in line for line in lines)
        return lines


def _only_if(processor: Any, needed: Callable[[], bool]) -> None:
    """Run a tree pass only when ``needed()``: the attribute-list pass for a text with a
    '{' (it changes only elements whose text matches ``{...}``, and no pass before it makes
    one); the unescape pass for a text with a backslash (the escapes it restores,
    STX digits ETX, are made only from a backslash escape)."""
    run = processor.run

    def run_if_needed(doc: Any) -> None:
        if needed():
            run(doc)

    processor.run = run_if_needed


# The stock search recurses once per level of the tree: on a tree deeper than this it
# runs anyway, so that a page nested past Python's recursion limit (thousands of '*')
# fails as it does with stock Python-Markdown.
DEEP_TREE = 50


def _marker_only_if_present(toc: Any, note: SourceNote) -> None:
    """``toc.replace_marker`` only for a text that holds the marker: elsewhere no
    paragraph can be the marker (an escaped or encoded one is not, by then)."""
    replace = toc.replace_marker

    def replace_marker(root: Any, elem: Any) -> None:
        if note.present or _deeper_than(root, DEEP_TREE):
            replace(root, elem)

    toc.replace_marker = replace_marker


def _deeper_than(root: Any, limit: int) -> bool:
    level = [root]
    for _ in range(limit):
        level = [child for element in level for child in element]
        if not level:
            return False
    return True


def _remembering(md: Any) -> Callable[[Any], bool]:
    """``md.is_block_level``, remembering each tag's answer while the list of block
    tags stays as it is."""
    stock = md.is_block_level
    elements = md.block_level_elements
    size = len(elements)
    known: dict[Any, bool] = {}

    def is_block_level(tag: Any) -> bool:
        if md.block_level_elements is not elements or len(elements) != size:
            return bool(stock(tag))
        try:
            return known[tag]
        except KeyError:
            known[tag] = answer = bool(stock(tag))
            return answer
        except TypeError:  # (a tag that is not hashable)
            return bool(stock(tag))

    return is_block_level


class ShortcutExtension(markdown.Extension):  # type: ignore[misc]  # (Markdown ships no type stubs)
    """Put the shortcuts above in front of the block processors and the table of
    contents. Register it after every other extension."""

    def extendMarkdown(self, md: Any) -> None:  # noqa: N802
        for name, needs in _NEEDS.items():
            if name in md.parser.blockprocessors:
                processor = md.parser.blockprocessors[name]
                processor.test = _prefiltered(processor.test, needs)
        for name, needs in _LINES_NEED.items():
            if name in md.preprocessors:
                processor = md.preprocessors[name]
                processor.run = _lines_prefiltered(processor.run, needs)
        note = SourceNote(md, md.treeprocessors["toc"].marker if "toc" in md.treeprocessors else "")
        md.preprocessors.register(note, "broadsheet-source-note", 1000)  # (first: the text as written)
        if "toc" in md.treeprocessors:
            _marker_only_if_present(md.treeprocessors["toc"], note)
        if "attr_list" in md.treeprocessors:
            _only_if(md.treeprocessors["attr_list"], lambda: note.braces)
        if "unescape" in md.treeprocessors:
            _only_if(md.treeprocessors["unescape"], lambda: note.backslashes)
        md.is_block_level = _remembering(md)

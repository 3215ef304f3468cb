"""Python-Markdown's inline pass, made to skip patterns that cannot match.

Python-Markdown tries every inline pattern (about twenty, fifteen more with smarty) on
every run of text, and most of a conversion's time is spent in those calls coming back
empty-handed. Each built-in pattern needs a literal character to match at all - a link
needs ``[``, a code span a backtick, a smart quote a quote - so before calling a pattern
we look for that character in the text (a C-level ``in``), and pass over the pattern when
it is absent, exactly as the stock processor does when the pattern finds nothing.

The output is byte-identical to stock Python-Markdown (tests/test_properties.py checks
it on generated documents and tests/test_build.py on every page of the explainer), and a
pattern this table does not know always runs. It halves the cost of a conversion.
``markdown`` is pinned; the override relies on the inline processor's private
``__handleInline``/``__applyPattern`` pair, which the equality tests guard.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from functools import cache
from typing import Any

import markdown
from markdown import inlinepatterns, util
from markdown.extensions import smarty
from markdown.treeprocessors import InlineProcessor

# A pattern's regular expression -> substrings one of which any match must contain.
_LITERALS: dict[str, tuple[str, ...]] = {
    inlinepatterns.BACKTICK_RE: ("`",),
    inlinepatterns.ESCAPE_RE: ("\\",),
    inlinepatterns.LINK_RE: ("[",),  # also REFERENCE_RE, the same expression
    inlinepatterns.IMAGE_LINK_RE: ("![",),  # also IMAGE_REFERENCE_RE
    inlinepatterns.AUTOLINK_RE: ("<",),
    inlinepatterns.AUTOMAIL_RE: ("<",),
    inlinepatterns.HTML_RE: ("<",),
    inlinepatterns.ENTITY_RE: ("&",),
    inlinepatterns.LINE_BREAK_RE: ("  \n",),
    r"\[\^([^\]]*)\]": ("[^",),  # footnote references
    # smarty's dashes and ellipses (its quote patterns are added below)
    r"(?<!-)---(?!-)": ("---",),
    r"(?<!-)--(?!-)": ("--",),
    r"(?<!\.)\.{3}(?!\.)": ("...",),
}
for _name, _value in vars(smarty).items():
    if _name.endswith(("Re", "Re2", "Regex", "Regex2")) and _name != "HTML_STRICT_RE":
        _LITERALS[_value] = ("'", '"')  # every quote pattern matches a quote


def literals_of(pattern: Any) -> tuple[str, ...] | None:
    """What a match of ``pattern`` must contain, or None if unknown (always try it)."""
    if isinstance(pattern, inlinepatterns.DelimiterProcessor):  # emphasis: * and _
        return tuple(pattern.tokens)
    return _LITERALS.get(getattr(pattern, "pattern", None))  # type: ignore[arg-type]


@cache
def _any_literal(literals: tuple[tuple[str, ...] | None, ...]) -> re.Pattern[str] | None:
    """A regular expression that finds any of ``literals`` or the start of a placeholder
    (STX), or None if some pattern needs no literal (then every text is processed)."""
    if any(needed is None for needed in literals):
        return None
    wanted = sorted({literal for needed in literals if needed for literal in needed} | {util.STX})
    return re.compile("|".join(map(re.escape, wanted)))


class SkippingInlineProcessor(InlineProcessor):  # type: ignore[misc]  # (Markdown ships no type stubs)
    """``InlineProcessor`` that skips a pattern when its literal is not in the text, and
    a text that holds no pattern's literal altogether."""

    def run(self, tree: Any, ancestors: list[str] | None = None) -> Any:
        if getattr(self, "_known", None) is None:  # (the patterns are all registered by the first run)
            self._known = [literals_of(p) for p in self.inlinePatterns]
            self._references = [isinstance(p, inlinepatterns.ReferenceInlineProcessor) for p in self.inlinePatterns]
        # A reference ([text][id], [id], ![alt][id]) is made only from an id the page
        # defines: without definitions those patterns can only come back empty-handed.
        self._literals = (
            self._known if self.md.references else [() if ref else lit for lit, ref in zip(self._known, self._references, strict=True)]
        )
        self._any = _any_literal(tuple(self._literals))
        return self._run(tree, ancestors)

    def _inert(self, text: str) -> bool:
        """Whether the stock pass would leave ``text`` as it is: no pattern's literal and
        no placeholder in it (then no pattern matches, and ``__processPlaceholders``
        gives the text back to the same element)."""
        return self._any is not None and self._any.search(text) is None

    def _run(self, tree: Any, ancestors: list[str] | None) -> Any:
        """Stock ``InlineProcessor.run`` (Python-Markdown 3.11), but an inert text or
        tail is left in place instead of being taken apart and put back."""
        self.stashed_nodes: dict[str, Any] = {}
        tree_parents = [] if ancestors is None else ancestors[:]
        self.parent_map = {c: p for p in tree.iter() for c in p}
        stack = [(tree, tree_parents)]
        self._InlineProcessor__build_ancestors(tree, tree_parents)
        process = self._InlineProcessor__processPlaceholders
        handle = self._InlineProcessor__handleInline
        while stack:
            current, parents = stack.pop(0)
            self.ancestors = parents
            if current is not tree:
                self.ancestors.append(current.tag.lower())
            queue = []
            for child in current:
                text = child.text
                if text and not isinstance(text, util.AtomicString) and not self._inert(text):
                    self.ancestors.append(child.tag.lower())
                    child.text = None
                    found = process(handle(text), child)
                    for item in found:
                        self.parent_map[item[0]] = child
                    stack += found
                    queue.append((child, found))
                    self.ancestors.pop()
                if child.tail and not self._inert(child.tail):
                    self._run_tail(current, child)
                if len(child):
                    self.parent_map[child] = current
                    stack.append((child, self.ancestors[:]))
            for element, found in queue:
                for i, obj in enumerate(found):
                    element.insert(i, obj[0])
        return tree

    def _run_tail(self, current: Any, child: Any) -> None:
        tail = self._InlineProcessor__handleInline(child.tail)
        dummy = etree.Element("d")
        child.tail = None
        result = self._InlineProcessor__processPlaceholders(tail, dummy, False)
        if dummy.tail:
            child.tail = dummy.tail
        position = list(current).index(child) + 1
        result.reverse()
        for new in result:
            self.parent_map[new[0]] = current
            current.insert(position, new[0])

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:  # noqa: N802, N803
        if isinstance(data, util.AtomicString) or self._inert(data):
            return data  # (an AtomicString is a str Markdown must not parse; an inert one has nothing to parse)
        patterns = self.inlinePatterns
        literals = self._literals
        apply = self._InlineProcessor__applyPattern
        count = len(patterns)
        start = 0
        while patternIndex < count:
            needed = literals[patternIndex]
            if needed is not None:
                for literal in needed:  # (a loop, not any(): this is the hottest line)
                    if literal in data:
                        break
                else:
                    patternIndex += 1  # what a failed match does: next pattern, from the start
                    start = 0
                    continue
            data, matched, start = apply(patterns[patternIndex], data, patternIndex, start)
            if not matched:
                patternIndex += 1
        return data


# The inline processors Python-Markdown and smarty register, with their priorities.
_INLINE_PROCESSORS = {"inline": 20, "smarty": 6}


class SkippingInlineExtension(markdown.Extension):  # type: ignore[misc]  # (Markdown ships no type stubs)
    """Swap the inline processors (the main one and smarty's) for skipping ones.

    Register it after every extension that adds inline patterns."""

    def extendMarkdown(self, md: Any) -> None:  # noqa: N802
        for name, priority in _INLINE_PROCESSORS.items():
            if name in md.treeprocessors:
                fast = SkippingInlineProcessor(md)
                fast.inlinePatterns = md.treeprocessors[name].inlinePatterns
                md.treeprocessors.register(fast, name, priority)  # replaces the stock one

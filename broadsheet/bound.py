"""Bound values as written: ``{= dataset[key=value].field as FORMAT }`` in a page.

A bound value names one row of a dataset by its key fields, one field of that row, and a
d3-format specifier (``numberformat``); several can be combined with ``+ - * /``,
parentheses, numbers and ``abs()``. ``{! 204 million }`` marks a number typed by hand
on purpose: it is published as written, and the audit (``numbers.py``) leaves it out.

``tokenize`` reads a page's whole text (front matter, body and blocks) before anything
else does: each bound value is parsed (a mistake is ``path:line: message``) and replaced
by a token, a run of private-use characters that spells the expression. Tokens pass
through YAML, Markdown (which changes nothing in them and leaves them out of heading
ids), templates and the HTML cache unchanged; the data is read later (``boundvalues``)
and each token is replaced in the finished file (``provenance``). So a page's converted
HTML does not depend on its data, and an expression needs no quoting in YAML.

What a copy editor's tools do to text is undone before parsing: curly quotes, non-breaking
and thin spaces, the minus sign and en dash, the multiplication and division signs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cached_property

from .errors import SiteError
from .yamlmap import YamlMap

OPEN, UNBOUND = "{=", "{!"
TOKEN_START, TOKEN_END, BYTE_BASE = "\ue000", "\ue001", 0xE100  # a token: start, one character per UTF-8 byte, end
TOKEN = re.compile("\ue000([\ue100-\ue1ff]*)\ue001")
RESERVED = re.compile("[\ue000\ue001\ue100-\ue1ff]")
SYNTAX = '{= dataset[key=value, key="text"].field as FORMAT }, e.g. {= trade[year=2025].total_usd as $.3w }'
TYPOGRAPHY = str.maketrans(
    {"\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2018": "'", "\u2019": "'", "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u2007": " "}
)
OPERATORS = str.maketrans({"\u2212": "-", "\u2013": "-", "\u00d7": "*", "\u00f7": "/"})
FUNCTIONS = ("abs",)
# A sentence's arithmetic is a change, a share or a ratio: a few operands, nested a few
# deep. The limits keep the parser's and the evaluator's recursion far from Python's.
MAX_OPERANDS, MAX_DEPTH = 100, 30


@dataclass(frozen=True)
class Ref:
    """``dataset[key=value, ...].field``: one cell of one row."""

    dataset: str
    keys: tuple[tuple[str, str], ...]  # (field, value as written, quotes removed)
    field: str


@dataclass(frozen=True)
class Number:
    value: Decimal


@dataclass(frozen=True)
class Operation:
    operator: str  # + - * /
    left: Expression
    right: Expression


@dataclass(frozen=True)
class Call:
    function: str  # abs, or "-" for negation
    argument: Expression


Expression = Ref | Number | Operation | Call


@dataclass(frozen=True)
class Binding:
    """One ``{= ... }`` of a page: what it says, where, and its token."""

    source: str  # the expression as written, normalised (the token spells it)
    expression: Expression
    format: str  # the d3-format specifier after ``as`` ("" if none)
    line: int

    @cached_property
    def token(self) -> str:
        return token_of(self.source)

    def refs(self) -> Iterator[Ref]:
        return refs_of(self.expression)


_TO_TOKEN = {b: BYTE_BASE + b for b in range(256)}  # (str.translate over the bytes read as Latin-1)
_FROM_TOKEN = {BYTE_BASE + b: b for b in range(256)}


def token_of(source: str) -> str:
    return TOKEN_START + source.encode("utf-8").decode("latin-1").translate(_TO_TOKEN) + TOKEN_END


def source_of(token_body: str) -> str:
    """The expression a token spells (``TOKEN``'s group)."""
    return token_body.translate(_FROM_TOKEN).encode("latin-1").decode("utf-8")


def refs_of(expression: Expression) -> Iterator[Ref]:
    if isinstance(expression, Ref):
        yield expression
    elif isinstance(expression, Operation):
        yield from refs_of(expression.left)
        yield from refs_of(expression.right)
    elif isinstance(expression, Call):
        yield from refs_of(expression.argument)


def tokenize(src: str, text: str, code_lines: Collection[int] = ()) -> tuple[str, tuple[Binding, ...]]:
    """``text`` with every bound value replaced by its token (and every ``{! ... }`` by
    what it holds), and the bindings found. Code is left alone: the lines in
    ``code_lines`` (0-based: fenced code blocks), code spans and HTML comments."""
    reserved = RESERVED.search(text)
    if reserved:
        line = text.count("\n", 0, reserved.start()) + 1
        raise SiteError(src, line, f"character U+{ord(reserved.group()):04X} is reserved for bound values", "remove it from the file")
    if OPEN not in text and UNBOUND not in text:
        return text, ()
    out, bindings, i = [], [], 0
    for start, end in spans(src, text, code_lines):
        out.append(text[i:start])
        inner, line = text[start + 2 : end - 1], text.count("\n", 0, start) + 1
        if text.startswith(UNBOUND, start):
            out.append(inner.strip() + "\n" * inner.count("\n"))
        else:
            binding = parse_binding(src, line, inner)
            bindings.append(binding)
            out.append(binding.token + "\n" * inner.count("\n"))  # (lines below keep their numbers)
        i = end
    out.append(text[i:])
    return "".join(out), tuple(bindings)


def line_starts(text: str) -> list[int]:
    return [0, *(m.end() for m in re.finditer("\n", text))]


_SCAN = re.compile(r"\\.|`+|<!--|\{[=!]", re.S)


def spans(src: str, text: str, code_lines: Collection[int] = ()) -> Iterator[tuple[int, int]]:
    """Each ``{= ... }`` and ``{! ... }`` outside code and comments: (start, end)."""
    starts = line_starts(text)
    skipped = [(starts[n], starts[n + 1] if n + 1 < len(starts) else len(text)) for n in sorted(code_lines) if n < len(starts)]
    i = 0
    for match in _SCAN.finditer(text):
        start = match.start()
        if start < i:
            continue
        region = next((end for begin, end in skipped if begin <= start < end), None)
        found = match.group()
        if region is not None:
            i = region
        elif found.startswith("`") and len(found) >= 3 and re.fullmatch(r" {0,3}", text[text.rfind("\n", 0, start) + 1 : start]):
            i = match.end()  # (a fence of a ```chart block: its YAML is read)
        elif found.startswith("`"):
            i = _after_code_span(text, start, len(found))
        elif found == "<!--":
            close = text.find("-->", start + 4)
            i = len(text) if close < 0 else close + 3
        elif found.startswith("{"):
            i = _closing_brace(src, text, start)
            yield start, i
        else:
            i = match.end()  # (an escaped character, \{= among them, is text)


def _after_code_span(text: str, i: int, run: int) -> int:
    """Where a run of ``run`` backticks at ``i`` ends its code span (CommonMark: the next run
    of as many backticks, within the paragraph), or just past the run if it opens none."""
    end = i + run
    paragraph = re.search(r"\n[ \t]*\n", text[end:])
    limit = end + paragraph.start() if paragraph else len(text)
    for match in re.finditer(r"`+", text[end:limit]):
        if len(match.group()) == run:
            return end + match.end()
    return end


_BRACE_OR_QUOTE = re.compile("[}\"'\u201c\u201d\u201e\u2018\u2019]|\n[ \t]*\n")


def _closing_brace(src: str, text: str, start: int) -> int:
    """Just past the ``}`` that closes the bound value at ``start`` (quotes may hold one)."""
    quote = ""
    for match in _BRACE_OR_QUOTE.finditer(text, start + 2):
        char = match.group().translate(TYPOGRAPHY)
        if char.startswith("\n"):
            break  # (a blank line: the paragraph ended first)
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'" and text[start + 1] == "=":
            quote = char
        elif char == "}":
            return match.end()
    line = text.count("\n", 0, start) + 1
    raise SiteError(src, line, f"'{text[start : start + 2]}' is not closed with '}}'", f"a bound value is written {SYNTAX}")


def parse_binding(src: str, line: int, inner: str) -> Binding:
    """Parse what stands between ``{=`` and ``}``."""
    text = " ".join(inner.translate(TYPOGRAPHY).split())
    try:
        parser = _Parser(text)
        expression = parser.expression()
        specifier = parser.format()
    except _Syntax as exc:
        shown = text if len(text) <= 120 else text[:117] + "..."
        raise SiteError(src, line, f"bound value: {exc}, in '{{= {shown} }}'", f"a bound value is written {SYNTAX}") from None
    return Binding(text, expression, specifier, line)


class _Syntax(ValueError):
    pass


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DATASET = re.compile(r"([A-Za-z0-9_][A-Za-z0-9_./-]*)\s*\[")
_NUMBER = re.compile(r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
_BARE = re.compile(r"[^\s,\]=\"']+")


class _Parser:
    """Recursive descent over ``expression ["as" format]``."""

    def __init__(self, text: str):
        self.text, self.i = text, 0
        self.depth = self.operands = 0

    def peek(self) -> str:
        while self.i < len(self.text) and self.text[self.i] == " ":
            self.i += 1
        return self.text[self.i : self.i + 1]

    def expect(self, char: str, what: str) -> None:
        if self.peek() != char:
            raise _Syntax(f"expected {what} at '{self.rest()}'")
        self.i += 1

    def rest(self) -> str:
        rest = self.text[self.i :]
        return (rest if len(rest) <= 60 else rest[:57] + "...") or "the end"

    def format(self) -> str:
        if self.peek() == "":
            return ""
        if not re.match(r"as(\s|$)", self.text[self.i :]):
            raise _Syntax(f"expected an operator or 'as FORMAT' at '{self.rest()}'")
        specifier = self.text[self.i + 2 :].strip()
        if not specifier:
            raise _Syntax("'as' needs a format, such as ,.0f or $.3w")
        return specifier

    def expression(self) -> Expression:
        return self.operations(self.term, "+-")

    def term(self) -> Expression:
        return self.operations(self.factor, "*/")

    def operations(self, operand: Callable[[], Expression], operators: str) -> Expression:
        """``operand`` joined by ``operators``, left to right."""
        left = operand()
        while self.peek() and self.peek().translate(OPERATORS) in operators:
            operator = self.text[self.i].translate(OPERATORS)
            self.i += 1
            left = Operation(operator, left, operand())
        return left

    def factor(self) -> Expression:
        """One operand, a sign, a call or parentheses, counted against the limits."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _Syntax(f"nested more than {MAX_DEPTH} deep (parentheses, signs, abs)")
        try:
            return self.operand()
        finally:
            self.depth -= 1

    def operand(self) -> Expression:
        char = self.peek()
        if char and char.translate(OPERATORS) in "+-":
            self.i += 1
            inner = self.factor()
            return Call("-", inner) if char.translate(OPERATORS) == "-" else inner
        if char == "(":
            self.i += 1
            inner = self.expression()
            self.expect(")", "')'")
            return inner
        self.operands += 1
        if self.operands > MAX_OPERANDS:
            raise _Syntax(f"more than {MAX_OPERANDS} numbers and cells in one bound value")
        number = _NUMBER.match(self.text, self.i)
        if number and not _DATASET.match(self.text, self.i):
            self.i = number.end()
            try:
                return Number(Decimal(number.group()))
            except InvalidOperation:  # pragma: no cover (the pattern admits only numbers)
                raise _Syntax(f"'{number.group()}' is not a number") from None
        name = _NAME.match(self.text, self.i)
        if name and name.group() in FUNCTIONS and self.text[name.end() :].lstrip().startswith("("):
            self.i = name.end()
            self.expect("(", "'('")
            inner = self.expression()
            self.expect(")", "')'")
            return Call(name.group(), inner)
        return self.ref()

    def ref(self) -> Ref:
        dataset = _DATASET.match(self.text, self.i)
        if dataset is None:
            raise _Syntax(f"expected a dataset and a row, such as trade[year=2025], at '{self.rest()}'")
        self.i = dataset.end()
        keys: list[tuple[str, str]] = []
        while self.peek() != "]":
            if keys:
                self.expect(",", "',' or ']'")
            field = self.name("a field name")
            self.expect("=", "'=' after the field name")
            keys.append((field, self.value()))
        self.i += 1
        if not keys:
            raise _Syntax(f"'{dataset.group(1)}[]' selects no row: name it by a field, such as [year=2025]")
        self.expect(".", "'.field' after the row")
        return Ref(dataset.group(1), tuple(keys), self.name("a field name after '.'"))

    def name(self, what: str) -> str:
        if self.peek() in ("'", '"'):
            return self.quoted()
        match = _NAME.match(self.text, self.i)
        if match is None:
            raise _Syntax(f"expected {what} at '{self.rest()}'")
        self.i = match.end()
        return match.group()

    def value(self) -> str:
        if self.peek() in ("'", '"'):
            return self.quoted()
        match = _BARE.match(self.text, self.i)
        if match is None:
            raise _Syntax(f"expected a value at '{self.rest()}' (quote text: \"China customs (GACC)\")")
        self.i = match.end()
        return match.group()

    def quoted(self) -> str:
        quote = self.text[self.i]
        end = self.text.find(quote, self.i + 1)
        if end < 0:
            raise _Syntax(f"the text {self.text[self.i :]} has no closing {quote}")
        value, self.i = self.text[self.i + 1 : end], end + 1
        return value


# Where a bound value may stand in a page's YAML: the text a reader reads. Elsewhere (a
# chart's data, a step's filter) a token would be taken for a name. A nested mapping is
# the keys allowed in each item of a list.
Places = Mapping[str, "bool | Places"]
FRONT_MATTER: Places = {"title": True, "description": True, "nav_title": True, "corrections": {"text": True}}
BLOCKS: Mapping[str, Places] = {
    "chart": {"title": True, "subtitle": True, "description": True, "notes": True},
    "table": {"title": True, "subtitle": True, "description": True, "notes": True},
    "scrolly": {"title": True, "steps": {"text": True, "alt": True, "annotate": {"text": True}}},
}


def check_places(spec: YamlMap, places: Places) -> None:
    """A bound value outside the keys ``places`` allows stops the build at its key."""
    for key, value in spec.values.items():
        if not _holds_token(value):
            continue
        allowed = places.get(key, False)
        if allowed is False:
            where = ", ".join(k for k, v in places.items() if v is True) or "nothing"
            raise spec.error(key, f"a bound value can't stand in '{key}'", f"bound values go in text a reader reads: {where}")
        if isinstance(allowed, Mapping):  # (a mapping, or a list of them)
            for item in spec.items(key) if isinstance(value, list) else (spec.child(key),):
                check_places(item, allowed)


def _holds_token(value: object) -> bool:
    if isinstance(value, str):
        return TOKEN_START in value
    if isinstance(value, dict):
        return any(_holds_token(v) for v in value.values())
    return isinstance(value, list) and any(_holds_token(v) for v in value)

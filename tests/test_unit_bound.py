"""Bound values as written (``broadsheet.bound``): what is read as one, what is left alone,
and what a copy editor's tools may do to one."""

from __future__ import annotations

from decimal import Decimal

import pytest

from broadsheet.bound import TOKEN, Call, Number, Operation, Ref, parse_binding, source_of, tokenize
from broadsheet.content import code_lines
from broadsheet.errors import SiteError


def bindings(text: str) -> list[str]:
    return [b.source for b in tokenize("content/x.md", text, code_lines(text))[1]]


def test_an_expression_reads_as_a_tree_of_rows_numbers_and_operators() -> None:
    binding = parse_binding("x.md", 3, ' abs(t[year=2025, series="A, B"].v - t[year=2024].v) / 1e9 as $.3w ')
    assert binding.format == "$.3w" and binding.line == 3
    a, b = Ref("t", (("year", "2025"), ("series", "A, B")), "v"), Ref("t", (("year", "2024"),), "v")
    assert binding.expression == Operation("/", Call("abs", Operation("-", a, b)), Number(Decimal("1e9")))
    assert parse_binding("x.md", 1, "-t[k=v].f * (2 + 3)").expression == Operation(
        "*", Call("-", Ref("t", (("k", "v"),), "f")), Operation("+", Number(Decimal(2)), Number(Decimal(3)))
    )
    assert parse_binding("x.md", 1, "gdp/gdp[year=2020].value").expression == Ref("gdp/gdp", (("year", "2020"),), "value")


def test_a_copy_editors_typography_reads_as_typed() -> None:
    typed = parse_binding("x.md", 1, "t[series=\u201cChina\u2019s customs\u201d].v \u2212 t[k=\u20182\u2019].v \u00d7 2\u00a0as ,d")
    plain = parse_binding("x.md", 1, "t[series=\"China's customs\"].v - t[k='2'].v * 2 as ,d")
    assert typed.expression == plain.expression and typed.format == ",d"


def test_tokens_spell_the_expression_and_keep_the_lines_below() -> None:
    text = 'A {= t[series="a}b"].v\n as d } B\nC {! 204 million } D {= t[k=1].v }'
    out, found = tokenize("x.md", text)
    assert [b.line for b in found] == [1, 3] and out.count("\n") == text.count("\n")
    assert [source_of(m.group(1)) for m in TOKEN.finditer(out)] == ['t[series="a}b"].v as d', "t[k=1].v"]
    assert "C 204 million D" in out


def test_code_comments_and_escapes_are_left_alone_but_broadsheet_blocks_are_read() -> None:
    text = "`{= a[k=1].v }` ``x `{= b[k=1].v }` y`` <!-- {= c[k=1].v } --> \\{= d[k=1].v }\n\n"
    text += "```python\n{= e[k=1].v }\n```\n\n```chart\ntitle: {= f[k=1].v }\n```\n"
    assert bindings(text) == ["f[k=1].v"]


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("a\n{= t[k=1].v as d\n\nnext", 2, "'{=' is not closed with '}'"),
        ("{= t.v }", 1, "expected a dataset and a row"),
        ("{= t[].v }", 1, "'t[]' selects no row"),
        ("{= t[k=1].v as }", 1, "'as' needs a format"),
        ("{= t[k=1].v t[k=2].v }", 1, "expected an operator or 'as FORMAT'"),
        ("x\ny \ue000", 2, "character U+E000 is reserved for bound values"),
    ],
)
def test_a_slip_is_an_error_at_its_line(text: str, line: int, message: str) -> None:
    with pytest.raises(SiteError) as error:
        tokenize("content/x.md", text)
    assert error.value.line == line and message in error.value.message

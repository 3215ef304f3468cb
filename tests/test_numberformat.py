"""d3-format in Python (``broadsheet.numberformat``): d3-format's own documented examples,
rounding as JavaScript rounds, and Broadsheet's one addition (``w``). The whole port is
compared with the real d3-format by ``bench/d3_format_compare.py`` (not a test: it needs Node)."""

from __future__ import annotations

import pytest

from broadsheet.numberformat import FormatError, format_number, parse_format

# d3-format's README (v3.1.0), "API Reference" and the examples above it, in the default locale.
README = [
    (".0%", 0.123, "12%"),
    ("($.2f", -3.5, "($3.50)"),  # the README's "(£3.50)" is with the en-GB locale; the default is en-US
    ("+20", 42, "                 +42"),
    (".^20", 42, ".........42........."),
    (".2s", 42e6, "42M"),
    ("#x", 48879, "0xbeef"),
    (",.2r", 4223, "4,200"),
    ("s", 1500, "1.50000k"),
    ("~s", 1500, "1.5k"),
    (".2", 42, "42"),
    (".2", 4.2, "4.2"),
    (".1", 42, "4e+1"),
    (".1", 4.2, "4"),
    (".1f", 0.1 * 3, "0.3"),
    (".0f", 1, "1"),
    (".1f", 1.5, "1.5"),
    (".0%", 0.45, "45%"),
    (".0%", 0.55, "55%"),
    (".3r", 0.99, "0.990"),
    (".3r", 1.0, "1.00"),
    (".2r", 0.9, "0.90"),
    (".1e", 0.01, "1.0e-2"),
    (".2e", 1.01, "1.01e+0"),
    ("$,", 1234.56, "$1,234.56"),
]


@pytest.mark.parametrize(("specifier", "value", "expected"), README)
def test_d3_formats_readme_examples(specifier: str, value: float, expected: str) -> None:
    assert format_number(specifier, value) == expected


# What d3-format 3.1.0 in Node gives (checked with bench/d3_format_compare.py): JavaScript
# rounds the exact binary value half up, where Python's format() rounds ties to even.
JAVASCRIPT = [
    (".2f", 0.125, "0.13"),  # Python's format(0.125, ".2f") is "0.12"
    (".2f", 2.675, "2.67"),  # 2.675 is 2.67499999... in binary
    (".0f", 0.5, "1"),
    (".0f", 2.5, "3"),
    (",d", 2.5, "3"),
    ("d", -0.4, "0"),  # a negative value rounded to zero loses its sign
    ("+d", -0.4, "\u22120"),
    (",.0f", -1234.5, "\u22121,235"),  # d3's minus is U+2212
    (".3s", 999.5, "1.00k"),
    (".3s", 0.0015, "1.50m"),
    ("~e", 1e21, "1e+21"),
    ("d", 1.5e21, "1500000000000000000000"),
    ("020,.2f", -1234.5, "\u22120,000,000,001,234.50"),
    ("$.1%", 0.5, "$50.0"),  # d3: the currency symbol's suffix replaces the percent sign
    ("", 1 / 3, "0.333333333333"),
    ("n", 1234567.891, "1.23457e+6"),  # "n" is ",g": exponent past six digits
]


@pytest.mark.parametrize(("specifier", "value", "expected"), JAVASCRIPT)
def test_rounds_as_javascript_and_d3_do(specifier: str, value: float, expected: str) -> None:
    assert format_number(specifier, value) == expected


WORDS = [
    ("$.3w", 2_730_000_000, "$2.73 billion"),
    ("$.3s", 2_730_000_000, "$2.73G"),  # d3's own, for comparison
    ("$.4w", 1_028_000_000, "$1.028 billion"),
    ("$.3w", 539_100_000, "$539 million"),
    ("$~w", 1e9, "$1 billion"),
    (".4w", 22_490_000, "22.49 million"),
    (".3w", 1_500, "1.50 thousand"),
    (".3w", 950, "950"),
    (".3w", 0.5, "0.500"),
    (".3w", 2.4e15, "2400 trillion"),
    ("$.3w", -2_730_000_000, "\u2212$2.73 billion"),
]


@pytest.mark.parametrize(("specifier", "value", "expected"), WORDS)
def test_w_spells_the_si_prefix_as_a_word(specifier: str, value: float, expected: str) -> None:
    assert format_number(specifier, value) == expected


@pytest.mark.parametrize("specifier", ["$.3S", ".2q", "1.5.f", ",,d", ".f3"])
def test_a_mistyped_specifier_is_an_error_not_twelve_digits(specifier: str) -> None:
    with pytest.raises(FormatError):
        parse_format(specifier)


def test_c_writes_text_as_it_is() -> None:
    assert format_number("c", "China customs (GACC)") == "China customs (GACC)"
    assert not parse_format("c").numeric and parse_format(",.0f").numeric

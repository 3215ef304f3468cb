"""Number formats: d3-format's specifiers (``$.3s``, ``,.0f``, ``.1%``), in Python.

Vega-Lite formats axes and tooltips with d3-format, so a bound value in prose written with
the same specifier reads the same as the axis beside it. This is d3-format 3.1.0 (the
version inside the Vega runtime the site ships, ``broadsheet/vendor``) in its default
locale (en-US: ``,`` for thousands, ``.`` for decimals, ``$`` for currency, ``−`` U+2212
for minus), ported function by function: ``formatSpecifier``, ``formatTypes``,
``formatDecimalParts``, ``formatPrefixAuto``, ``formatRounded``, ``formatTrim``,
``formatGroup``. JavaScript's ``toFixed``, ``toPrecision``, ``toExponential`` and
``Math.round`` round the exact binary value of a double half up; ``decimal.Decimal`` of a
float is that exact value, so the digits agree with a browser's to the last one.

Two departures, both errors rather than other output: an unknown type letter (d3 quietly
formats it as ``.12~g``) is refused, so a typo is caught at build; and one type is added,
``w``: ``s`` with the SI prefix spelt as a word of journalism (k thousand, M million,
G billion, T trillion, and no prefix under a thousand), so ``$.3w`` writes 2730000000 as
"$2.73 billion" where ``$.3s`` writes "$2.73G". Vega-Lite does not know ``w``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal

SPECIFIER = re.compile(r"^(?:(.)?([<>=^]))?([+\-( ])?([$#])?(0)?(\d+)?(,)?(\.\d+)?(~)?([a-z%])?$", re.IGNORECASE)
PREFIXES = ("y", "z", "a", "f", "p", "n", "µ", "m", "", "k", "M", "G", "T", "P", "E", "Z", "Y")
WORDS = ("", " thousand", " million", " billion", " trillion")  # the ``w`` type's prefixes, 10^0 to 10^12
MINUS = "\u2212"  # d3's default locale writes a minus sign, not a hyphen
TYPES = frozenset("%bcdefgoprsXxw")
SIGNIFICANT = frozenset("gprsw")  # precision counts significant digits (else digits after the point)
SPLITS = frozenset("defgprs%w")  # formatted text may have a fraction or an exponent after its integer part
# Enough digits for the exact value of any double (at most 767 significant): no step rounds twice.
EXACT = Context(prec=800, rounding=ROUND_HALF_UP)


class FormatError(ValueError):
    """Why a specifier is not one this module formats (the message a user reads)."""


@dataclass(frozen=True)
class NumberFormat:
    """A parsed specifier: ``[[fill]align][sign][symbol][0][width][,][.precision][~][type]``."""

    specifier: str
    fill: str = " "
    align: str = ">"
    sign: str = "-"
    symbol: str = ""
    zero: bool = False
    width: int | None = None
    comma: bool = False
    precision: int | None = None
    trim: bool = False
    type: str = ""

    @property
    def numeric(self) -> bool:
        """Whether the format expects a number (``c`` writes text as it is)."""
        return self.type != "c"


def parse_format(specifier: str) -> NumberFormat:
    """``specifier`` parsed, or ``FormatError``."""
    match = SPECIFIER.match(specifier)
    if match is None:
        raise FormatError(f"'{specifier}' is not a d3-format specifier ([[fill]align][sign][symbol][0][width][,][.precision][~][type])")
    fill, align, sign, symbol, zero, width, comma, precision, trim, kind = match.groups()
    if kind and kind != "n" and kind not in TYPES:
        raise FormatError(f"'{specifier}': unknown format type '{kind}'")
    return NumberFormat(
        specifier,
        fill=" " if fill is None else fill,
        align=align or ">",
        sign=sign or "-",
        symbol=symbol or "",
        zero=bool(zero),
        width=None if width is None else int(width),
        comma=bool(comma),
        precision=None if precision is None else int(precision[1:]),
        trim=bool(trim),
        type=kind or "",
    )


def format_number(spec: NumberFormat | str, value: float | str) -> str:
    """``value`` formatted as d3-format's ``format(specifier)(value)`` would."""
    spec = parse_format(spec) if isinstance(spec, str) else spec
    kind, comma, trim, fill, align, zero = spec.type, spec.comma, spec.trim, spec.fill, spec.align, spec.zero
    precision = spec.precision
    if kind == "n":  # "n" is ",g"
        comma, kind = True, "g"
    elif kind == "":  # no type: ".12~g"
        precision, trim, kind = 12 if precision is None else precision, True, "g"
    if zero or (fill == "0" and align == "="):
        zero, fill, align = True, "0", "="
    prefix = "$" if spec.symbol == "$" else "0" + kind.lower() if spec.symbol == "#" and kind in "boxX" else ""
    suffix = "" if spec.symbol == "$" else "%" if kind in "%p" else ""
    if precision is None:
        precision = 6
    elif kind in SIGNIFICANT:
        precision = max(1, min(21, precision))
    else:
        precision = max(0, min(20, precision))
    if kind == "c":
        body, suffix = "", (value if isinstance(value, str) else js_string(value)) + suffix
    else:
        body, prefix, suffix = _number(float(value), kind, precision, trim, spec.sign, prefix, suffix)
    return _pad(body, prefix, suffix, fill, align, zero, comma, spec.width)


def _number(x: float, kind: str, precision: int, trim: bool, sign: str, prefix: str, suffix: str) -> tuple[str, str, str]:
    """The digits of ``x`` with the sign, symbol and suffix around them (d3's ``format``)."""
    negative = x < 0 or math.copysign(1.0, x) < 0  # (-0 too)
    scale = ""
    if math.isnan(x):
        text = "NaN"
    else:
        text, exponent = _format_type(kind, abs(x), precision)
        if kind == "s":
            scale = PREFIXES[8 + exponent // 3]
        elif kind == "w":
            scale = WORDS[exponent // 3]
    if trim:
        text = trim_zeros(text)
    if negative and _js_number(text) == 0 and sign != "+":
        negative = False
    prefix = (("(" if sign == "(" else MINUS) if negative else "" if sign in "-(" else sign) + prefix
    suffix = scale + suffix + (")" if negative and sign == "(" else "")
    if kind in SPLITS:
        for i, char in enumerate(text):
            if not "0" <= char <= "9":
                suffix = ("." + text[i + 1 :] if char == "." else text[i:]) + suffix
                text = text[:i]
                break
    return text, prefix, suffix


def _pad(body: str, prefix: str, suffix: str, fill: str, align: str, zero: bool, comma: bool, width: int | None) -> str:
    """Group, pad and align (the end of d3's ``format``)."""
    if comma and not zero:
        body = group(body, math.inf)
    length = len(prefix) + len(body) + len(suffix)
    padding = fill * (width - length) if width is not None and length < width else ""
    if comma and zero:
        body = group(padding + body, width - len(suffix) if padding and width is not None else math.inf)
        padding = ""
    if align == "<":
        return prefix + body + suffix + padding
    if align == "=":
        return prefix + padding + body + suffix
    if align == "^":
        half = len(padding) >> 1
        return padding[:half] + prefix + body + suffix + padding[half:]
    return padding + prefix + body + suffix


def _format_type(kind: str, x: float, p: int) -> tuple[str, int]:
    """d3's ``formatTypes[kind](x, p)`` for ``x >= 0``, with the SI exponent ``s`` and ``w`` chose."""
    if kind == "s":
        return prefix_auto(x, p, -8, 8)
    if kind == "w":  # (under 1, d3's last branch is for numbers past its smallest prefix: not this)
        parts = decimal_parts(x, p)
        return (rounded(x, p), 0) if parts is not None and parts[1] < 0 else prefix_auto(x, p, 0, 4)
    if kind == "%":
        return to_fixed(x * 100, p), 0
    if kind == "p":
        return rounded(x * 100, p), 0
    if kind == "r":
        return rounded(x, p), 0
    if kind == "e":
        return to_exponential(x, p), 0
    if kind == "f":
        return to_fixed(x, p), 0
    if kind == "g":
        return to_precision(x, p), 0
    if not math.isfinite(x):
        return js_string(x), 0
    whole = js_round(x)
    if kind == "d":  # (toString(10), or past 1e21 toLocaleString: the shortest digits, then zeros)
        digits, exponent = js_digits(float(whole))
        return digits + "0" * (exponent + 1 - len(digits)), 0
    return format(whole, kind), 0


def prefix_auto(x: float, p: int, low: int, high: int) -> tuple[str, int]:
    """d3's ``formatPrefixAuto``, with the prefix's power of a thousand kept in [low, high]."""
    parts = decimal_parts(x, p)
    if parts is None:
        return js_string(x), 0
    coefficient, exponent = parts
    prefix = max(low, min(high, math.floor(exponent / 3))) * 3
    i, n = exponent - prefix + 1, len(coefficient)
    if i == n:
        return coefficient, prefix
    if i > n:
        return coefficient + "0" * (i - n), prefix
    if i > 0:
        return coefficient[:i] + "." + coefficient[i:], prefix
    smaller = decimal_parts(x, max(0, p + i - 1))
    return "0." + "0" * (-i) + (smaller[0] if smaller else ""), prefix


def rounded(x: float, p: int) -> str:
    """d3's ``formatRounded``: decimal notation, rounded to ``p`` significant digits."""
    parts = decimal_parts(x, p)
    if parts is None:
        return js_string(x)
    coefficient, exponent = parts
    if exponent < 0:
        return "0." + "0" * (-exponent - 1) + coefficient
    if len(coefficient) > exponent + 1:
        return coefficient[: exponent + 1] + "." + coefficient[exponent + 1 :]
    return coefficient + "0" * (exponent - len(coefficient) + 1)


def decimal_parts(x: float, p: int | None) -> tuple[str, int] | None:
    """d3's ``formatDecimalParts``: the digits of ``x`` (``p`` significant, or as many as it
    takes) and its decimal exponent; None for NaN and infinities."""
    text = to_exponential(x, p - 1) if p else to_exponential(x, None)
    if "e" not in text:
        return None
    coefficient, _, exponent = text.partition("e")
    return (coefficient[0] + coefficient[2:] if len(coefficient) > 1 else coefficient), int(exponent)


def trim_zeros(s: str) -> str:
    """d3's ``formatTrim``: 1.2000k -> 1.2k (insignificant zeros after the point)."""
    i0, i1 = -1, -1
    for i in range(1, len(s)):
        char = s[i]
        if char == ".":
            i0 = i1 = i
        elif char == "0":
            if i0 == 0:
                i0 = i
            i1 = i
        elif "1" <= char <= "9":
            if i0 > 0:
                i0 = 0
        else:
            break
    return s[:i0] + s[i1 + 1 :] if i0 > 0 else s


def group(value: str, width: float) -> str:
    """d3's ``formatGroup`` for groups of three, separated by ``,``."""
    i, parts, size, length = len(value), [], 3, 0
    while i > 0 and size > 0:
        if length + size + 1 > width:
            size = max(1, int(width) - length)
        i -= size
        parts.append(value[max(i, 0) : max(i + size, 0)])
        length += size + 1
        if length > width:
            break
        size = 3
    return ",".join(reversed(parts))


# JavaScript's Number methods, for finite x >= 0 unless said otherwise.


def js_round(x: float) -> int:
    """``Math.round`` of ``x >= 0``: the nearest integer, halves up."""
    return int(Decimal(x).to_integral_value(context=EXACT))


def to_fixed(x: float, digits: int) -> str:
    """``x.toFixed(digits)``."""
    if not math.isfinite(x) or abs(x) >= 1e21:
        return js_string(x)
    sign = "-" if x < 0 else ""
    n = Decimal(abs(x)).quantize(Decimal(1).scaleb(-digits, context=EXACT), context=EXACT)
    return sign + f"{n:f}"


def to_exponential(x: float, digits: int | None) -> str:
    """``x.toExponential(digits)``; ``None``: as many digits as it takes to tell x apart."""
    if not math.isfinite(x):
        return js_string(x)
    if digits is None:
        coefficient, exponent = js_digits(x)
    else:
        coefficient, exponent = _significant(x, digits + 1)
    mantissa = coefficient[0] + ("." + coefficient[1:] if len(coefficient) > 1 else "")
    return f"{mantissa}e{'+' if exponent >= 0 else '-'}{abs(exponent)}"


def to_precision(x: float, digits: int) -> str:
    """``x.toPrecision(digits)``."""
    if not math.isfinite(x):
        return js_string(x)
    coefficient, exponent = _significant(x, digits)
    if exponent < -6 or exponent >= digits:
        mantissa = coefficient[0] + ("." + coefficient[1:] if digits > 1 else "")
        return f"{mantissa}e{'+' if exponent >= 0 else '-'}{abs(exponent)}"
    if exponent >= 0:
        return coefficient[: exponent + 1] + ("." + coefficient[exponent + 1 :] if exponent + 1 < digits else "")
    return "0." + "0" * (-exponent - 1) + coefficient


def _significant(x: float, digits: int) -> tuple[str, int]:
    """``digits`` significant digits of ``x`` (rounded half up) and its decimal exponent."""
    if x == 0:
        return "0" * digits, 0
    exact = Decimal(abs(x))
    exponent = exact.adjusted()
    n = exact.scaleb(digits - 1 - exponent, context=EXACT).quantize(Decimal(1), context=EXACT)
    if n >= 10**digits:  # 9.99 rounded up to 10.0
        n, exponent = n.scaleb(-1, context=EXACT), exponent + 1
    return str(int(n)), exponent


def js_digits(x: float) -> tuple[str, int]:
    """The shortest digits that tell ``x`` apart from every other double (as JavaScript and
    Python's ``repr`` both choose them), and the decimal exponent of the first."""
    if x == 0:
        return "0", 0
    _, digits, exponent = Decimal(repr(abs(x))).normalize().as_tuple()
    text = "".join(map(str, digits))
    return text, int(exponent) + len(text) - 1


def js_string(x: float) -> str:
    """``String(x)``: JavaScript's Number to text (``1e+21``, ``0.000001``, ``1e-7``)."""
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    if x == 0:
        return "0"
    if x < 0:
        return "-" + js_string(-x)
    digits, exponent = js_digits(x)
    k, n = len(digits), exponent + 1
    if k <= n <= 21:
        return digits + "0" * (n - k)
    if 0 < n <= 21:
        return digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return "0." + "0" * (-n) + digits
    mantissa = digits[0] + ("." + digits[1:] if k > 1 else "")
    return f"{mantissa}e{'+' if n - 1 >= 0 else '-'}{abs(n - 1)}"


def _js_number(text: str) -> float:
    """``+text`` for what the formatter writes (digits, a point, an exponent)."""
    try:
        return float(text)
    except ValueError:
        return math.nan

"""Numbers typed by hand in a page: where a reader reads them, what they say.

``typed_numbers`` finds every number a page's reader reads that is not a bound value: in
the front matter's title, description and corrections, the Markdown body, and the text of
its blocks (a chart's title, subtitle, notes and alt text; a scrolly step's text, alt
text and annotations). Code, links' addresses, HTML tags, footnotes (citations: their
numbers are the sources' headlines) and ``{! ... }`` (marked as typed on purpose) are
left out, and so are numbers that are not quantities: years and spans of years, days of
months, ordinals, times, resolution and article numbers, and numbers that are part of a
name (Hwasong-15, COVID-19, SC/14911). What remains is read as a quantity: currency,
grouping, decimals, a percent sign and a scale word (2.73 billion) included.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .bound import BLOCKS, FRONT_MATTER, Places, line_starts, spans
from .content import BLOCK_KINDS, code_lines, split_front_matter
from .yamlmap import YamlMap, parse_mapping

SCALES = {"thousand": 3, "million": 6, "billion": 9, "trillion": 12, "bn": 9}
MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
)
LABELS = (
    r"(?:[Rr]esolutions?|[Oo]rder|Article|Chapter|[Nn]o\.|[Nn]umber|[Cc]ode|[Pp]age|p\.|[Ss]ection|[Pp]aragraph"
    r"|[Aa]nnex|[Tt]able|[Ff]igure)"
)
NUMBER = re.compile(
    r"(?<![\w./:#&-])(?P<currency>US\$|\$|€|£)?(?P<sign>[−-])?"
    r"(?P<digits>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?![\w,]\d|\.\d|[:/]\d)"
    r"(?P<percent>\s?%|\s(?:percent|per cent)\b)?"
    r"(?:[ \u00a0](?P<scale>thousand|million|billion|trillion)\b|(?P<short>bn)\b)?"
)
_OLD_YEAR, _YEAR = r"1[0-8]\d{2}\b", r"(?:(?:1[0-9]|20)?\d{2})\b"  # (a span may end in two digits: 1850-99)
_OLD_YEAR_WORDS = r"(?:[Ss]ince|[Ii]n|[Ff]rom|[Uu]ntil|[Tt]ill|[Bb]efore|[Aa]fter|[Bb]etween|[Cc]irca|[Aa]round|c\.)"
_NOT_AMOUNT = r"(?![,.]\d|\s?%|\s(?:million|billion|thousand))"
_NOT_QUANTITIES = [
    re.compile(rf"\b{LABELS}\s+(?:\d+(?:\s*(?:,|and|or|to|-|–)\s*)?)+"),  # resolution 2270, resolutions 2270 and 2321
    re.compile(rf"\b\d{{1,2}}(?:\s*[-–]\s*\d{{1,2}})?\s+(?:{MONTHS})\b"),  # 19 February, 11-31 December
    re.compile(rf"\b(?:{MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?\b(?!,\d)"),  # February 19
    re.compile(r"\b\d+(?:st|nd|rd|th|s)\b"),  # 80th, 1990s
    re.compile(r"\b\d+(?=\s+[Cc]ommittee\b)"),  # the 1718 Committee
    re.compile(r"\b\d{1,2}:\d{2}(?::\d{2})?\b"),  # 09:30
    # Years before 1900 (1000-1899) only where a word or a span says so: "1850 tonnes" is a quantity.
    re.compile(rf"\b{_OLD_YEAR_WORDS}\s+{_OLD_YEAR}(?:\s*(?:[-–]|to|and|until)\s*{_YEAR})?{_NOT_AMOUNT}"),  # since 1850, from 1066 to 1850
    re.compile(rf"(?<![\d,.$])\b{_OLD_YEAR}\s*[-–]\s*{_YEAR}{_NOT_AMOUNT}"),  # 1850-1900, 1850-99
    re.compile(r"(?<![\d,.$])\b(?:19|20)\d{2}(?:\s*[-–/]\s*(?:(?:19|20)?\d{2}))?\b(?![,.]\d|\s?%|\s(?:million|billion|thousand))"),  # years
]
# Addresses and markup a reader does not read as text.
_MARKUP = re.compile(
    r"`[^`\n]*`|<!--.*?-->|<[^>\n]*>|\]\([^)\n]*\)|https?://\S+|\[\^[^\]\n]*\]|\{[:#.][^}\n]*\}|&#?\w+;|\ue000[^\ue001]*\ue001", re.S
)
STEP_TEXT: Places = {"text": True, "alt": True, "annotate": True}  # (an annotation's text is found in its line)
BLOCK_TEXT: Mapping[str, Places] = {**BLOCKS, "scrolly": {"title": True, "steps": STEP_TEXT}}


@dataclass(frozen=True)
class Typed:
    """A number as a reader reads it in a page."""

    src: str
    line: int
    text: str  # as written: "$2.73 billion", "22.49 million", "57%"
    digits: str  # "2.73"
    scale: int  # power of ten of the scale word (9 for billion), 0 if none
    percent: bool
    currency: str  # "$" or ""
    negative: bool = False
    marked: bool = False  # inside {! ... }: typed by hand on purpose

    @property
    def value(self) -> Decimal:
        """The quantity, scale included (2.73 billion: 2730000000)."""
        number = Decimal(self.digits.replace(",", "")).scaleb(self.scale)
        return -number if self.negative else number

    @property
    def decimals(self) -> int:
        return len(self.digits.partition(".")[2])


def typed_numbers(src: str, text: str) -> Iterator[Typed]:
    """Every quantity typed by hand in the reader's text of a page (``src``, its ``text``)."""
    blank, marked = _without_values(src, text)
    keep = _prose(src, blank)
    starts = line_starts(text)
    for start, end in keep:
        region = _MARKUP.sub(lambda m: " " * len(m.group()), blank[start:end])
        for pattern in _NOT_QUANTITIES:
            region = pattern.sub(lambda m: " " * len(m.group()), region)
        for match in NUMBER.finditer(region):
            at = start + match.start()
            line = _line(starts, at)
            yield _typed(src, line, match, any(a <= at < b for a, b in marked))


def _typed(src: str, line: int, match: re.Match[str], marked: bool) -> Typed:
    scale = SCALES.get((match.group("scale") or match.group("short") or "").lower(), 0)
    text = match.group().strip()
    currency = "$" if (match.group("currency") or "").endswith("$") else match.group("currency") or ""
    return Typed(src, line, text, match.group("digits"), scale, bool(match.group("percent")), currency, bool(match.group("sign")), marked)


def _line(starts: list[int], at: int) -> int:
    low, high = 0, len(starts)
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (middle, high) if starts[middle] <= at else (low, middle)
    return low + 1


def _without_values(src: str, text: str) -> tuple[str, list[tuple[int, int]]]:
    """``text`` with bound values blanked (same length, same lines), and the spans of ``{! }``:
    their numbers are read, as marked, with the braces blanked."""
    chars, marked = list(text), []
    for start, end in spans(src, text, code_lines(text)):
        if text.startswith("{!", start):
            chars[start : start + 2], chars[end - 1] = [" ", " "], " "
            marked.append((start, end))
        else:
            chars[start:end] = [c if c == "\n" else " " for c in text[start:end]]
    return "".join(chars), marked


def _prose(src: str, text: str) -> list[tuple[int, int]]:
    """The spans of ``text`` a reader reads as text: front matter values, the body outside
    code and footnotes, and the text values of Broadsheet's blocks."""
    front = split_front_matter(src, text)
    starts = line_starts(text)
    kept = list(_values(front.meta, FRONT_MATTER, text, starts, front.body_line - 1))
    lines = text.split("\n")
    fence_lines = code_lines(text)
    i = front.body_line - 1
    while i < len(lines):
        block = _block_at(src, lines, i)
        if block is not None:
            spec, end = block
            kept += _values(spec, BLOCK_TEXT.get(lines[i].strip("`~ ").lower(), {}), text, starts, end)
            i = end
            continue
        if i not in fence_lines and not re.match(r"\s*\[(?:\^[^\]]+|[^\]]+)\]:", lines[i]):
            kept.append((starts[i], starts[i] + len(lines[i])))
        elif re.match(r"\s*\[\^", lines[i]):  # a footnote: its indented continuation lines too
            while i + 1 < len(lines) and lines[i + 1].startswith(("    ", "\t")):
                i += 1
        i += 1
    return kept


def _block_at(src: str, lines: list[str], i: int) -> tuple[YamlMap, int] | None:
    """The YAML of the Broadsheet block whose fence opens line ``i`` (0-based), and the line
    after its closing fence."""
    match = re.match(r" {0,3}(`{3,}|~{3,})\s*([^`\s]*)", lines[i])
    if not match or match.group(2).lower() not in BLOCK_KINDS:
        return None
    fence = match.group(1)
    end = next((j for j in range(i + 1, len(lines)) if lines[j].strip() and set(lines[j].strip()) == {fence[0]}), len(lines))
    spec = parse_mapping("\n".join(lines[i + 1 : end]), src, i + 2, empty_ok=True)
    return spec, end + 1


def _values(spec: YamlMap, places: Places, text: str, starts: list[int], end_line: int) -> Iterator[tuple[int, int]]:
    """The spans of the text values of ``spec``'s keys that ``places`` names (a key's value
    runs from its line to the line before the next key's, or ``end_line``, 1-based: the last)."""
    keys = sorted(spec.lines.items(), key=lambda item: item[1])
    for n, (key, line) in enumerate(keys):
        last = keys[n + 1][1] - 1 if n + 1 < len(keys) else end_line
        allowed = places.get(key, False)
        if allowed is False or line - 1 >= len(starts):
            continue
        first, stop = starts[line - 1], starts[last] if last < len(starts) else len(text)
        if isinstance(allowed, Mapping):
            items = spec.items(key)
            for k, item in enumerate(items):
                next_line = items[k + 1].line - 1 if k + 1 < len(items) else last
                yield from _values(item, allowed, text, starts, next_line)
        elif isinstance(spec.values.get(key), str):
            at = text.find(f"{key}:", first, stop)
            yield (at + len(key) + 1 if at >= 0 else first), stop  # (after "key:")
        else:
            yield from _inline_texts(spec.values.get(key), text, first, stop)


def _inline_texts(value: Any, text: str, first: int, stop: int) -> Iterator[tuple[int, int]]:
    """Where the ``text`` values of an annotation (a mapping, or a list of them) stand."""
    for item in value if isinstance(value, list) else [value]:
        label = item.get("text") if isinstance(item, dict) else None
        if isinstance(label, str) and label and (at := text.find(label, first, stop)) >= 0:
            yield at, at + len(label)

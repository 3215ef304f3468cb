"""Author Markdown as HTML, through one guarded path.

Every piece of Markdown an author writes becomes HTML through ``markdown_html``: a page's
body, a scrolly step's text, a chart's or a table's notes, and any text a template gives
the ``markdown`` filter (a correction, a dataset's description, front matter). On the way:

- **limits** that keep Python-Markdown to seconds: size, runs of ``[`` in long paragraphs,
  tags that never close, nesting (``check_limits``);
- **no script links**: a link, image or raw-HTML address that would run a script
  (``javascript:``, ``vbscript:``, a ``data:`` document) is an error. ``markdown_html``
  looks for it in the HTML it made, as a browser reads an address: entities decoded,
  tabs and newlines (which browsers drop from addresses) removed, in any case, in any
  attribute that holds an address.

``check_prose`` runs the limits and the script check on the Markdown itself, without
converting, when a page is read (so that an error names its line), and returns the
relative paths the text refers to (images, files), which the build resolves.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from functools import cache
from html import escape as html_escape
from typing import Any

from .errors import SiteError
from .pagefiles import FileRef, find_refs, link_targets

# Python-Markdown's time grows with the square of some inputs (a few MB of text, runs of
# unclosed '[' or '<x'); these limits keep any text to a second or two (measured on the
# 2-core build machine: 100 KB of plain text 0.3 s, of list items ~2.5 s; 1,000 '['
# in 1,000 characters 0.2 s, in 11,000 characters 4.5 s; 4,000 unclosed '<x' 3.7 s).
MAX_PAGE_BYTES = 100_000
MAX_BRACKET_WORK = 4_000_000  # per text: characters the link patterns scan (``bracket_work``)
# A line that starts an inline run of its own (a list item, a heading), a table's rule.
_RUN_START = re.compile(r"[ \t>]*(?:[-*+]|\d{1,9}[.)]|#{1,6})(?:[ \t]|$)")
_TABLE_RULE = re.compile(r"[ \t>]*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$")
_BRACKET = re.compile(r"\\.|[\[\]()]", re.S)
MAX_OPEN_TAGS = 500  # per text: '<x' with no '>' before the next '<'
_OPEN_TAG = re.compile(r"<[A-Za-z/!?][^<>]*(?=<|\Z)")
FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})\s*(?P<info>[^`\s]*)[^`]*$")

# Attributes whose value is an address a browser may follow or load (HTML, SVG, MathML).
URL_ATTRIBUTES = (
    "href|src|action|formaction|poster|data|xlink:href|background|cite|longdesc|codebase|classid|"
    "archive|usemap|icon|manifest|profile|ping|lowsrc|dynsrc|srcset|content"
)
URL_NAMES = frozenset(URL_ATTRIBUTES.split("|"))
# SVG animation (SMIL) sets an attribute over time: <set attributeName="href" to="...">
# makes the link it sits in go to "to", as <animate values="a;b"> does to each value.
ANIMATIONS = frozenset({"set", "animate", "animatecolor", "animatemotion", "animatetransform"})
ANIMATED = ("to", "from", "by", "values")
_TAG = re.compile(r"""<([a-zA-Z][^\s/>]*)(?:"[^"]*"|'[^']*'|[^'">])*>""")  # (a '>' inside a quoted value does not end it)
_ATTRIBUTE = re.compile(r"""(?<![\w:-])([^\s"'<>/=]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""")
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")
_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*):")
_REFRESH = re.compile(r"^\s*\d*\s*[;,]?\s*url\s*=\s*(.*)$", re.IGNORECASE | re.DOTALL)  # <meta http-equiv=refresh content=...>
_LEADING = re.compile(r"^[\x00-\x20]+")  # C0 controls and spaces before an address
SCRIPT_SCHEMES = ("javascript", "vbscript")
SAFE_DATA = re.compile(r"image/(png|gif|jpeg|webp|avif)[;,]", re.IGNORECASE)  # data: pictures show, never run


def markdown_html(text: str, src: str, line: int, *, inline: bool = False, converter: Any = None) -> str:
    """``text``, Markdown written at ``src:line``, as HTML: every limit and the script-link
    check applied, on the Markdown and on the HTML. ``inline``: short text (a chart's
    notes) as the inside of one paragraph, several paragraphs kept apart by line breaks.
    ``converter``: another Python-Markdown converter (the tests compare with stock).

    Script links are looked for in the HTML made, which shows them however they were
    written; ``check_prose``, run when a page is read, finds the line of most of them."""
    check_limits(src, text, line)
    converter = converter or _converter(inline)
    converter.reset()
    try:
        made = str(converter.convert(text))
    except RecursionError:  # Python-Markdown recurses once per level of nested lists and quotes
        raise SiteError(src, line or None, "Markdown nested too deeply (lists or quotes inside each other)") from None
    script = script_in_html(made)
    if script is not None:
        raise SiteError(src, _line_of(text, line, script), f"link '{shown(script)}' would run a script", _HINT)
    if not inline:
        return scrollable_tables(made)
    made = made.strip()
    if made.startswith("<p>") and made.endswith("</p>"):
        made = made[3:-4].replace("</p>\n<p>", "<br><br>")
    return made


_HINT = "links may go to web, mail or site addresses only"


def check_prose(src: str, text: str, first_line: int) -> tuple[FileRef, ...]:
    """Refuse Markdown that would keep Python-Markdown busy for minutes or link to a
    script, at its line; return the relative and ``/static/`` paths it refers to."""
    markdown = check_limits(src, text, first_line)
    targets = link_targets(markdown, first_line)
    for ref in (*targets, *_attributes(markdown, first_line)) if _names_a_scheme(markdown) else ():
        if is_script_url(ref.target):
            raise SiteError(src, ref.line, f"link '{shown(ref.target)}' would run a script", _HINT)
    return find_refs(targets)


def _names_a_scheme(text: str) -> bool:
    """Whether ``text``, decoded as a browser decodes an address, names a script scheme
    anywhere (most texts do not, and are not searched further)."""
    decoded = re.sub(r"[\t\n\r]", "", html.unescape(text)).lower()
    return any(f"{scheme}:" in decoded for scheme in (*SCRIPT_SCHEMES, "data"))


def check_limits(src: str, text: str, first_line: int) -> str:
    """Refuse Markdown that would keep Python-Markdown busy for minutes, at its line;
    return it with its code blocks emptied."""
    if len(text) > MAX_PAGE_BYTES // 4 and len(text.encode("utf-8")) > MAX_PAGE_BYTES:
        message = f"this text is {len(text.encode('utf-8')):,} bytes of Markdown; at most {MAX_PAGE_BYTES:,} are converted"
        raise SiteError(src, first_line or None, message, "split it, or put long tables in data/ and show them with a ```table block")
    markdown = without_code(text)  # (code is not parsed for links or tags)
    check_brackets(src, markdown, first_line)
    return markdown


def check_brackets(src: str, markdown: str, first_line: int) -> None:
    """Brackets that keep Python-Markdown busy for minutes (``bracket_work``), and many tags
    that are never closed."""
    work, worst, worst_line = 0, 0, first_line
    for line, run in inline_runs(markdown, first_line):
        cost = bracket_work(run)
        work += cost
        if cost > worst:
            worst, worst_line = cost, line
    if work > MAX_BRACKET_WORK:
        raise SiteError(
            src,
            worst_line or None,
            "too many '[' for Markdown to convert in reasonable time: they never close (this paragraph, item or cell has the most)",
            "close each '[' with ']' and a link's '(' with ')', write a literal bracket as \\[, or split long paragraphs",
        )
    open_tags = _OPEN_TAG.findall(markdown)
    if len(open_tags) > MAX_OPEN_TAGS:
        where = first_line + markdown.count("\n", 0, markdown.find(open_tags[MAX_OPEN_TAGS]))
        message = f"more than {MAX_OPEN_TAGS} '<' that start a tag but never close it"
        raise SiteError(src, where or None, message, "write a literal '<' as &lt;")


def inline_runs(markdown: str, first_line: int) -> Iterator[tuple[int, str]]:
    """The runs of text Python-Markdown's inline patterns scan one at a time, each with the
    line it starts at: a paragraph, a list item, a heading, a table cell."""
    line = first_line
    for block in re.split(r"\n[ \t]*\n", markdown):
        lines = block.split("\n")
        table = "|" in block and any(_TABLE_RULE.match(text) and "|" in text for text in lines)
        start, current = line, list[str]()
        for offset, text in enumerate(lines):
            if table:
                yield from ((line + offset, cell) for cell in re.split(r"(?<!\\)\|", text))
            elif not current and not text.strip():
                continue  # (a run is at its first line that is not blank)
            elif not current or _RUN_START.match(text):
                yield from [(start, "\n".join(current))] if current else []
                start, current = line + offset, [text]
            else:
                current.append(text)
        if current:
            yield start, "\n".join(current)
        line += block.count("\n") + 2


def bracket_work(run: str) -> int:
    """What Python-Markdown's link patterns cost on one inline run, in characters scanned:
    each '[' scans to its ']' (nesting counted) or, never closed, to the run's end; so does
    the '(' after a link's ']'. A closed link costs its length (2,000 in one paragraph
    convert in 0.2 s); 2,800 '[' that never close, 4 million (1.2 s of stock Python-Markdown,
    measured on the shared 2-core machine: noisy)."""
    if "[" not in run:
        return 0
    stacks: dict[str, list[int]] = {"[": [], "(": []}
    spans: dict[int, int] = {}  # where a '[' or '(' opens -> where it closes (or the run ends)
    closing = []  # each ']' that closes a '['
    for match in _BRACKET.finditer(run):
        char, at = match.group(), match.start()
        if char in "[(":
            stacks[char].append(at)
        elif char in "])" and stacks["[" if char == "]" else "("]:
            spans[stacks["[" if char == "]" else "("].pop()] = at
            closing += [at] if char == "]" else []
    for stack in stacks.values():
        spans.update(dict.fromkeys(stack, len(run)))
    work = sum(end - at for at, end in spans.items() if run[at] == "[")
    return work + sum(spans[at + 1] - at for at in closing if run.startswith("(", at + 1))


def is_script_url(value: str, decoded: bool = False) -> bool:
    """Whether a browser following or loading the address ``value`` (an attribute's value
    as written in HTML, or ``decoded`` already) would run a script or open a document
    made in the address."""
    address = _LEADING.sub("", re.sub(r"[\t\n\r]", "", value if decoded else html.unescape(value)))  # (as the URL parser does)
    scheme = _SCHEME.match(address)
    if scheme is None:
        return False
    name = scheme.group(1).lower()
    return name in SCRIPT_SCHEMES or (name == "data" and not SAFE_DATA.match(address, scheme.end()))


def shown(address: str) -> str:
    """An address as a message shows it: on one line, and not too long."""
    one_line = address.replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return one_line if len(one_line) <= 80 else one_line[:77] + "..."


def script_in_html(made: str) -> str | None:
    """The first address in ``made`` (HTML) that would run a script, as written, or None."""
    if not _names_a_scheme(made):
        return None
    return next((ref.target for ref in _attributes(made, 1) if is_script_url(ref.target)), None)


def addresses(name: str, value: str) -> list[str]:
    """The addresses an attribute holds: ``srcset`` lists several; ``content`` one only
    when it is a refresh's ``url=``."""
    if name == "srcset":
        return [part.strip().split(" ")[0] for part in html.unescape(value).split(",")]
    if name == "content":
        refresh = _REFRESH.match(html.unescape(value))
        return [refresh.group(1).strip("'\" ")] if refresh else []
    return [value]


def tag_addresses(tag: str, attributes: list[tuple[str, str]]) -> list[tuple[int, str]]:
    """The addresses a tag (``tag``, its ``attributes`` as written) holds, each with the
    index of its attribute: address attributes' values, and those an SVG animation gives
    an address attribute."""
    found = [(i, a) for i, (name, value) in enumerate(attributes) if name.lower() in URL_NAMES for a in addresses(name.lower(), value)]
    if tag.lower() in ANIMATIONS:
        names = [name.lower() for name, _ in attributes]
        animated = html.unescape(attributes[names.index("attributename")][1]).strip().lower() if "attributename" in names else ""
        if animated.rpartition(":")[2] in URL_NAMES:  # (href, xlink:href...)
            for i, name in enumerate(names):
                found += [(i, part.strip()) for part in html.unescape(attributes[i][1]).split(";")] if name in ANIMATED else []
    return found


def _attributes(text: str, first_line: int) -> list[FileRef]:
    """Every address in the tags of ``text`` (HTML, or Markdown's raw HTML outside code
    spans), with its line."""
    if "`" in text:
        text = _CODE_SPAN.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), text)
    found = []
    for tag in _TAG.finditer(text) if "=" in text else ():
        matches = list(_ATTRIBUTE.finditer(text, tag.end(1), tag.end()))
        attributes = [(m.group(1), next(v for v in m.groups()[1:] if v is not None)) for m in matches]
        for i, address in tag_addresses(tag.group(1), attributes):
            found.append(FileRef(address, first_line + text.count("\n", 0, matches[i].start()), False))
    return found


def _line_of(text: str, first_line: int, address: str) -> int | None:
    """The line of ``text`` that holds ``address`` (found in the HTML made from it), if it
    can be told: a link can be split over lines or encoded in ways the HTML no longer shows."""
    wanted = re.sub(r"[\t\n\r]", "", html.unescape(address)).lower()[:20]
    for number, line in enumerate(text.split("\n"), first_line):
        if wanted and wanted in re.sub(r"[\t\n\r]", "", html.unescape(line)).lower():
            return number
    return first_line or None


def without_code(markdown: str) -> str:
    """``markdown`` with the lines inside fenced code blocks emptied (lines kept)."""
    if "```" not in markdown and "~~~" not in markdown:
        return markdown
    lines = markdown.split("\n")
    i = 0
    while i < len(lines):
        match = FENCE.match(lines[i])
        if match:
            end = closing_fence(lines, i, match.group("fence"))
            lines[i : end + 1] = [""] * (min(end, len(lines) - 1) - i + 1)
            i = end
        i += 1
    return "\n".join(lines)


def closing_fence(lines: list[str], start: int, fence: str) -> int:
    for j in range(start + 1, len(lines)):
        stripped = lines[j].strip()
        if stripped.startswith(fence[0] * len(fence)) and set(stripped) == {fence[0]}:
            return j
    return len(lines)


_TABLE = re.compile(r"<table(?:\s[^>]*)?>.*?</table>", re.S)
_LABEL = re.compile(r"<caption[^>]*>(.*?)</caption>|<h[2-6][^>]*>(.*?)</h[2-6]>", re.S)


def scrollable_tables(made: str) -> str:
    """Each table in a focusable region that scrolls sideways, as the engine's own tables
    are: a wide table must not make a phone's page scroll. The region is labelled by the
    table's caption, else by the heading above it."""

    def wrap(match: re.Match[str]) -> str:
        own = _LABEL.search(match.group(0))
        above = [m for m in _LABEL.finditer(made, 0, match.start()) if m.group(2)]
        found = own.group(1) if own and own.group(1) else above[-1].group(2) if above else "Table"
        label = html_escape(re.sub(r"<[^>]+>", "", found).strip() or "Table", quote=True)
        return f'<div class="table-scroll" tabindex="0" role="region" aria-label="{label}">{match.group(0)}</div>'

    return _TABLE.sub(wrap, made) if "<table" in made else made


EXTENSIONS = ["tables", "footnotes", "attr_list", "toc", "smarty", "fenced_code", "md_in_html"]
EXTENSION_CONFIGS: dict[str, dict[str, Any]] = {"toc": {"permalink": False}, "smarty": {"smart_angled_quotes": False}}


def prepare_converters() -> None:
    """Make the converters now (before the pool forks, so that its workers share them)."""
    _converter(inline=False)
    _converter(inline=True)


@cache
def _converter(inline: bool) -> Any:
    """One converter of each kind per process (making one costs ~35 ms; the pool's forked
    workers inherit it). Short text (notes) gets typographic quotes only."""
    if inline:
        import markdown

        return markdown.Markdown(extensions=["smarty"], output_format="html")
    return new_converter()


def new_converter(stock: bool = False) -> Any:
    """A Python-Markdown converter with the extensions the contract names.

    Its inline pass skips patterns that cannot match (``inline.py``); ``stock=True``
    gives the unmodified converter, which the tests compare it with. The extensions are
    passed as objects: by name, Python-Markdown looks them up in the installed packages'
    entry points, which costs more than the rest of making a converter."""
    import importlib

    import markdown

    extensions: list[Any] = []
    for name in EXTENSIONS:
        module = importlib.import_module(f"markdown.extensions.{name}")
        extensions.append(module.makeExtension(**EXTENSION_CONFIGS.get(name, {})))
    if not stock:
        from .inline import SkippingInlineExtension
        from .shortcuts import ShortcutExtension

        extensions += [SkippingInlineExtension(), ShortcutExtension()]
    return markdown.Markdown(extensions=extensions, output_format="html")

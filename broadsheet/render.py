"""Rendering: the Jinja environment (autoescape, strict undefined) and page HTML."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import CodeType
from typing import TYPE_CHECKING, Any

from .config import Config
from .content import PLACEHOLDER_RE
from .data import Dataset, Field
from .errors import SiteError
from .pagefiles import STATIC_PREFIX, rewrite_refs
from .prose import markdown_html
from .sourcelines import lines_of

if TYPE_CHECKING:  # (Jinja is imported when a template is first rendered)
    from jinja2 import Environment, Template

TEMPLATES_DIR = "templates"
_ROOT_LINK = re.compile(r'(\s(?:href|src|action|poster)=")/(?!/)')


@dataclass(frozen=True)
class Table:
    """Rows of one dataset restricted to some columns, ready for a template."""

    dataset: Dataset
    fields: tuple[Field, ...]
    headings: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def make_table(dataset: Dataset, columns: Mapping[str, str] | None = None) -> Table:
    """A ``Table`` of ``columns`` (name -> heading; all columns when ``None``)."""
    names = list(columns) if columns else list(dataset.columns)
    index = [dataset.columns.index(n) for n in names]
    fields = tuple(dataset.fields[i] for i in index)
    headings = tuple((columns or {}).get(f.name) or heading(f) for f in fields)
    rows = tuple(tuple(format_cell(fields[k], row[i]) for k, i in enumerate(index)) for row in dataset.rows)
    return Table(dataset, fields, headings, rows)


def heading(field: Field) -> str:
    label = field.title or field.name.replace("_", " ").capitalize()
    return f"{label} ({field.unit})" if field.unit and field.unit not in label else label


def format_cell(field: Field, cell: str | None) -> str:
    """A canonical cell as a reader sees it: missing as empty, the digits of large numbers
    grouped (19600000 -> 19,600,000; the source's decimals kept), a time of day after its
    date (2024-03-01 09:30:00)."""
    if cell is None:
        return ""
    if field.type == "datetime":
        return cell.replace("T", " ")
    if field.type not in ("integer", "number"):
        return cell
    whole, dot, fraction = cell.partition(".")
    sign = "-" if whole.startswith("-") else ""
    digits = whole.lstrip("-")
    if not digits.isdigit() or len(digits) < 5:
        return cell
    return f"{sign}{int(digits):,}{dot}{fraction}"


THEME_PREFIX = "theme/"


def new_environment(config: Config) -> Environment:
    """A Jinja environment over ``templates/``: autoescape on, undefined names are errors.
    Templates are compiled once per process (``_environment_class``): compiling them all
    takes ~12 ms, less than writing them to a cache folder cost on a new site."""
    import jinja2

    env = _environment_class()(
        loader=jinja2.ChoiceLoader(
            [
                jinja2.FileSystemLoader(config.theme_dirs(TEMPLATES_DIR)),
                # "theme/base.html" is always the default theme's, so a site's own base.html
                # can extend it and fill a block instead of copying it
                jinja2.PrefixLoader({THEME_PREFIX.rstrip("/"): jinja2.FileSystemLoader(config.default_theme_dir(TEMPLATES_DIR))}),
            ]
        ),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # (an environment lives while its templates' texts do: see publish.environment)
    )
    env.globals.update(site=config, url=config.url, absolute_url=config.absolute_url)

    @jinja2.pass_context
    def markdown(context: Any, text: Any, inline: bool = True) -> Any:
        """``{{ chart.notes | markdown }}``: the page's ``prose`` (its paths resolved) or, on
        a file that is no page's, author Markdown with nothing to resolve."""
        prose = context.get("prose")
        return (prose if isinstance(prose, Prose) else Prose(config)).html(str(text), inline=inline)

    env.filters["markdown"] = markdown
    env.filters["source_lines"] = lines_of  # (``sources | source_lines``: a dataset's own, in the same form)
    return env


@cache
def _environment_class() -> type[Environment]:
    import jinja2

    class CompilingOnce(jinja2.Environment):
        """Compiles each template text once per process: the preview's rebuilds and the
        tests' many sites make a new environment each time, over the same templates. Every
        environment here has the same settings, so the code depends only on the text and
        the template's name; the file name (for tracebacks) is set to each one's own."""

        def compile(
            self, source: Any, name: str | None = None, filename: str | None = None, raw: bool = False, defer_init: bool = False
        ) -> Any:
            if raw:  # (Python source, not code: nothing to keep)
                return super().compile(source, name, filename, True, defer_init)
            if not isinstance(source, str):
                return super().compile(source, name, filename, False, defer_init)
            key = (source, name, defer_init)
            if key not in _compiled:
                if len(_compiled) >= KEEP_COMPILED:  # (a long preview session: forget old versions)
                    _compiled.clear()
                _compiled[key] = super().compile(source, name, filename, False, defer_init)
            return _with_filename(_compiled[key], filename or "<template>")

    return CompilingOnce


_compiled: dict[tuple[str, str | None, bool], CodeType] = {}  # (template text, name, defer_init) -> code
KEEP_COMPILED = 512  # templates: a theme has ~20


def _with_filename(code: CodeType, filename: str) -> CodeType:
    """``code`` (and the functions inside it: blocks, macros) as compiled from ``filename``."""
    if code.co_filename == filename:
        return code
    consts = tuple(_with_filename(c, filename) if isinstance(c, CodeType) else c for c in code.co_consts)
    return code.replace(co_filename=filename, co_consts=consts)


@dataclass(frozen=True)
class Prose:
    """How author Markdown on one page becomes the HTML it publishes: converted through the
    guarded path (``prose.markdown_html``), its relative and ``/static/`` paths pointed at
    what they resolved to (``paths``: as written -> site path) and its root links put under
    the base path. Templates reach it through the ``markdown`` filter."""

    config: Config
    paths: Mapping[str, str] = field(default_factory=dict)
    asset_url: Callable[[str], str] = field(default=lambda name: STATIC_PREFIX + name)

    def html(self, text: str, src: str = "", line: int = 0, inline: bool = True) -> Any:
        """``text`` (Markdown written at ``src:line``; unknown in a template) as HTML."""
        from markupsafe import Markup

        return Markup(self.publish(markdown_html(text, src, line, inline=inline)))

    def publish(self, made: str) -> str:
        """HTML made from author Markdown, with its paths as published."""
        return rewrite_links(rewrite_refs(made, self.paths, self.asset_url), self.config)


class LazyEnvironment:
    """A Jinja environment made on first use: a build that renders nothing (every file
    kept) does not even import Jinja."""

    def __init__(self, make: Callable[[], Environment]):
        self._make = make
        self._env: Environment | None = None

    def ready(self) -> Environment:
        if self._env is None:
            self._env = self._make()
        return self._env

    def get_template(self, name: str) -> Template:
        return self.ready().get_template(name)


def render_template(env: Environment | LazyEnvironment, name: str, context: Mapping[str, Any]) -> str:
    """Render ``name``; template mistakes become ``SiteError``s at the template line."""
    import jinja2

    try:
        return str(env.get_template(name).render(context))
    except jinja2.TemplateSyntaxError as exc:
        raise SiteError(f"{TEMPLATES_DIR}/{exc.name or name}", exc.lineno, f"template syntax error: {exc.message}") from None
    except jinja2.TemplateNotFound as exc:
        raise SiteError(
            f"{TEMPLATES_DIR}/{name}", None, f"template '{exc.name}' not found", f"templates live in {TEMPLATES_DIR}/"
        ) from None
    except jinja2.UndefinedError as exc:
        path, line = _template_frame(exc, name)
        raise SiteError(path, line, f"template error: {exc.message}") from None
    except SiteError as exc:
        if exc.path:
            raise
        path, line = _template_frame(exc, name)  # (in text a template gave the markdown filter)
        raise SiteError(path, line, f"{exc.message}, in text this template converts with the markdown filter", exc.hint) from None
    except RecursionError as exc:  # (a template that extends or includes itself, or a macro that calls itself)
        path, line = _template_frame(exc, name)
        message = f"template '{path.removeprefix(TEMPLATES_DIR + '/')}' uses itself without end (through extends, include or a macro)"
        raise SiteError(path, line, message, 'to extend the default theme\'s base.html, write {% extends "theme/base.html" %}') from None


def _template_frame(exc: BaseException, name: str) -> tuple[str, int | None]:
    """The innermost template file and line in a rendering traceback."""
    path, line = f"{TEMPLATES_DIR}/{name}", None
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if f"/{TEMPLATES_DIR}/" in filename:
            path, line = f"{TEMPLATES_DIR}/{Path(filename).name}", tb.tb_lineno
        tb = tb.tb_next
    return path, line


def fill_blocks(body: str, blocks: list[str]) -> str:
    """Put each rendered block where its placeholder stands in a page body."""
    return PLACEHOLDER_RE.sub(lambda m: blocks[int(m.group(1))], body)


def rewrite_links(html: str, config: Config) -> str:
    """Root-relative links written by authors (``/coal/``) get the site's base path."""
    if config.base_path == "/":
        return html
    return _ROOT_LINK.sub(lambda m: m.group(1) + config.base_path, html)

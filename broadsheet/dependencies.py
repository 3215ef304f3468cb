"""What each output file is made from: hashes of its inputs (render keys).

A page's key covers its text, its templates (with every template they extend, include
or import: ``TemplateGraph``), what its blocks show (chart specs, datasets), where its
paths lead, and what every page shares (config, navigation, static files, its social
card). A file whose key is the one the last build wrote it under is kept as it is.
Memo keys (``folder_digest``) say when a whole folder (data/, charts/) must be read again.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .config import Config, read_theme_file
from .errors import SiteError
from .render import TEMPLATES_DIR, THEME_PREFIX


def folder_digest(folder: Path, pattern: str) -> str:
    """A hash of the names and bytes of the files matching ``pattern`` under ``folder``."""
    digest = hashlib.sha256()
    for path in sorted(folder.glob(pattern)) if folder.is_dir() else []:
        if path.is_symlink():  # (a link to the same bytes elsewhere is a change: it may now lead outside)
            digest.update(b"link\0" + os.path.realpath(path).encode() + b"\0")  # (realpath: a loop of links is no error here)
        if path.is_file():
            digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
        elif not path.is_dir():  # a pipe (never read: it would block) or a dangling link
            digest.update(b"special\0" + path.relative_to(folder).as_posix().encode() + b"\0")
    return digest.hexdigest()


def digest_json(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


def key_of(parts: Sequence[Any]) -> str:
    """The render key of a file made from ``parts`` (plain values only: their repr is exact)."""
    return hashlib.sha256(repr(list(parts)).encode()).hexdigest()


@dataclass(frozen=True)
class TemplateGraph:
    """Each template's digest and the templates it extends, includes or imports."""

    digests: Mapping[str, str]
    references: Mapping[str, frozenset[str]]
    _closures: dict[frozenset[str], str] = field(default_factory=dict, compare=False, repr=False)

    @property
    def signature(self) -> str:
        return digest_json(sorted(self.digests.items()))

    def digest(self, name: str) -> str:
        return self.digests.get(name, "")

    def closure_digest(self, names: frozenset[str]) -> str:
        """One hash of the templates ``names``, with every template they use."""
        if names not in self._closures:
            self._closures[names] = digest_json([self.digest(name) for name in sorted(self.closure(set(names)))])
        return self._closures[names]

    def closure(self, names: set[str]) -> set[str]:
        found: set[str] = set()
        todo = list(names)
        while todo:
            name = todo.pop()
            if name not in found:
                found.add(name)
                todo.extend(self.references.get(name, ()))
        return found


def templates_key(config: Config) -> str:
    """Changes whenever a template file of the site or its theme does."""
    return "".join(folder_digest(d, "**/*") for d in config.theme_dirs(TEMPLATES_DIR))


def template_graph(config: Config) -> TemplateGraph:
    import jinja2
    import jinja2.meta

    env = jinja2.Environment()
    digests, references = {}, {}
    folders = [(THEME_PREFIX, config.default_theme_dir(TEMPLATES_DIR))]
    folders += [("", folder) for folder in reversed(config.theme_dirs(TEMPLATES_DIR))]  # the site's own files win
    for prefix, folder in folders:
        for path in sorted(folder.rglob("*")) if folder.is_dir() else ():
            if path.is_dir():
                continue
            name = prefix + path.relative_to(folder).as_posix()
            text = read_theme_file(config, path)
            digests[name] = digest = hashlib.sha256(text).hexdigest()
            if digest not in _references:
                if len(_references) >= KEEP_PARSED:  # (a long preview session: forget old versions)
                    _references.clear()
                try:
                    refs = jinja2.meta.find_referenced_templates(env.parse(text.decode("utf-8")))
                except jinja2.TemplateSyntaxError as exc:
                    raise SiteError(f"{TEMPLATES_DIR}/{name}", exc.lineno, f"template syntax error: {exc.message}") from None
                _references[digest] = frozenset(r for r in refs if r)
            references[name] = _references[digest]
    return TemplateGraph(digests, references)


# What each template text references, by its digest: a template is parsed once per process
# (the preview's rebuilds, the tests' many sites), not on every build that reads the folder.
_references: dict[str, frozenset[str]] = {}
KEEP_PARSED = 512  # templates: a theme has ~20

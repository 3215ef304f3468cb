"""Chart code: the text of ``charts/*.py`` as a build read it, and running exactly that text.

A chart's cache key is a hash of its module and of every sibling module it imports (at
any depth). A chart worker runs the module some time after the build read it: on a busy
machine, or while an editor saves during the preview, the file on disk may by then be
another version, and a cache entry keyed by one text would hold the drawing of another
(a later build with the first text would publish it). So the worker never reads
``charts/`` itself: it imports the texts the key was made from, carried with the chart.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.abc
import importlib.util
import os
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from importlib.machinery import ModuleSpec
from pathlib import Path
from types import ModuleType
from typing import Any

ModuleTexts = tuple[tuple[str, bytes], ...]  # (module name, its text): a chart's module first, then what it imports


def imported_siblings(stem: str, tree: ast.Module, sources: Mapping[str, bytes]) -> set[str]:
    """The modules of ``charts/`` that a module imports by name (``import x``, ``from x import y``)."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level:
            names = [node.module or ""]
        else:
            continue
        found.update(n.split(".")[0] for n in names if n.split(".")[0] in sources and n.split(".")[0] != stem)
    return found


def module_texts(stem: str, imports: Mapping[str, set[str]], sources: Mapping[str, bytes]) -> ModuleTexts:
    """A module's text and the texts of every sibling it reaches through imports."""
    reached: set[str] = set()
    todo = [stem]
    while todo:
        for name in imports.get(todo.pop(), set()) - reached - {stem}:
            reached.add(name)
            todo.append(name)
    return tuple((name, sources[name]) for name in [stem, *sorted(reached)])


def digest_sources(sources: Mapping[str, bytes]) -> str:
    """A hash of every module's name and text."""
    return hashlib.sha256(b"".join(name.encode() + b"\0" + text + b"\0" for name, text in sorted(sources.items()))).hexdigest()


def function_digest(tree: ast.Module, function: ast.FunctionDef, texts: ModuleTexts) -> str:
    """A hash of what one chart function's drawing can depend on: its own lines, the
    module-level functions, classes and constants it reaches (at any depth), the module's
    imports and other statements run on import, and the sibling modules it imports, whole.
    Editing another chart's function in the same module leaves it unchanged. (Names
    reached only through ``globals()`` or ``getattr`` on the module are not seen.)"""
    lines = texts[0][1].splitlines(keepends=True)
    defined: dict[str, list[ast.stmt]] = {}
    shared: list[ast.stmt] = []
    for index, statement in enumerate(tree.body):
        names = _defines(statement)
        if names:
            for name in names:
                defined.setdefault(name, []).append(statement)
        elif not (index == 0 and _is_docstring(statement)):
            shared.append(statement)  # imports, and whatever runs on import
    reached: dict[int, ast.stmt] = {id(function): function}
    todo: list[ast.stmt] = [function]
    while todo:
        for name in _names_used(todo.pop()):
            for statement in defined.get(name, []):
                if id(statement) not in reached:
                    reached[id(statement)] = statement
                    todo.append(statement)
    statements = sorted([*shared, *reached.values()], key=lambda s: s.lineno)
    parts = [b"".join(lines[_first_line(s) - 1 : s.end_lineno]) for s in statements]
    return hashlib.sha256(b"\0".join([*parts, *(text for _, text in texts[1:])])).hexdigest()


def _defines(statement: ast.stmt) -> list[str]:
    """The module-level names a definition or an assignment binds (none for other statements)."""
    if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return [statement.name]
    targets = (
        statement.targets
        if isinstance(statement, ast.Assign)
        else [statement.target]
        if isinstance(statement, ast.AnnAssign | ast.AugAssign)
        else []
    )
    return [n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)]


def _names_used(node: ast.AST) -> set[str]:
    names = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
    return names | {g for n in ast.walk(node) if isinstance(n, ast.Global | ast.Nonlocal) for g in n.names}


def _is_docstring(statement: ast.stmt) -> bool:
    return isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant) and isinstance(statement.value.value, str)


def _first_line(statement: ast.stmt) -> int:
    decorators: list[ast.expr] = getattr(statement, "decorator_list", [])
    return min([statement.lineno, *(d.lineno for d in decorators)])


class _ReadText(importlib.abc.SourceLoader):
    """Loads a module from the text the build read, under its file's name (tracebacks and
    line numbers point at the user's file)."""

    def __init__(self, path: Path, text: bytes):
        self.path, self.text = path, text

    def get_filename(self, fullname: str) -> str:
        return str(self.path)

    def get_data(self, path: str) -> bytes:
        return self.text


class _TextFinder(importlib.abc.MetaPathFinder):
    """Finds a chart's sibling modules among the texts carried with it, before ``sys.path``."""

    def __init__(self, folder: Path, texts: ModuleTexts):
        self.folder, self.texts = folder, dict(texts)

    def find_spec(self, fullname: str, path: Any = None, target: ModuleType | None = None) -> ModuleSpec | None:
        if fullname not in self.texts:
            return None
        file = self.folder / f"{fullname}.py"
        return importlib.util.spec_from_file_location(fullname, file, loader=_ReadText(file, self.texts[fullname]))


@contextmanager
def running(folder: Path, texts: ModuleTexts) -> Iterator[None]:
    """While chart code runs (its import, and its call: an import inside a function happens
    then), its siblings come from ``texts``; other modules of the folder from disk, as usual."""
    for stale in [n for n, m in list(sys.modules.items()) if _folder_of(m) == folder.name]:
        del sys.modules[stale]  # imported for an earlier chart (or another site's charts/): it may have changed since
    finder = _TextFinder(folder, texts)
    sys.meta_path.insert(0, finder)
    sys.path.insert(0, str(folder))
    try:
        yield
    finally:
        sys.path.remove(str(folder))
        sys.meta_path.remove(finder)


def _folder_of(module: Any) -> str:
    """The name of the folder a module was loaded from (by string: a ``Path`` for each of
    the ~2,000 modules a chart worker holds cost ~3 ms a chart)."""
    return os.path.basename(os.path.dirname(getattr(module, "__file__", None) or "/"))


def load_module(path: Path, texts: ModuleTexts) -> ModuleType:
    """The chart module ``path`` made from its text in ``texts`` (call inside ``running``)."""
    name = f"broadsheet_chart_{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path, loader=_ReadText(path, dict(texts)[path.stem]))
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module

"""The engine's shape, measured from its source: small modules, short functions, and
parsed blocks asked what kind they are only where they are defined (blocks.py)."""

from __future__ import annotations

import ast
from pathlib import Path

ENGINE = Path(__file__).resolve().parent.parent / "broadsheet"
MAX_MODULE_LINES = 450
MAX_FUNCTION_LINES = 60
BLOCK_RECORDS = {"ParsedBlock", "ChartUse", "TableBlock", "DatasetsBlock", "CorrectionsBlock", "ChartBlock", "CorrectionsLog"}


def modules() -> list[Path]:
    return sorted(ENGINE.glob("*.py"))


def test_no_engine_module_is_over_the_limit() -> None:
    sizes = {path.name: len(path.read_text(encoding="utf-8").splitlines()) for path in modules()}
    assert {name: n for name, n in sizes.items() if n > MAX_MODULE_LINES} == {}


def test_no_engine_function_is_over_the_limit() -> None:
    long = {}
    for path in modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    long[f"{path.name}:{node.lineno} {node.name}"] = lines
    assert long == {}


def dispatches(source: str) -> list[str]:
    """The ``isinstance``/``hasattr`` tests on parsed blocks in ``source``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("isinstance", "hasattr")):
            continue
        names = {n.id for arg in node.args for n in ast.walk(arg) if isinstance(n, ast.Name)}
        if names & BLOCK_RECORDS or (node.func.id == "hasattr" and names & {"block", "item", "items"}):
            found.append(f"{node.lineno}: {ast.unparse(node)}")
    return found


def test_block_records_are_not_dispatched_on_outside_blocks() -> None:
    found = {path.name: dispatches(path.read_text(encoding="utf-8")) for path in modules() if path.name != "blocks.py"}
    assert {name: calls for name, calls in found.items() if calls} == {}


def test_the_measure_finds_a_dispatch() -> None:
    code = "def f(item):\n    if hasattr(item, 'datasets'):\n        return 1\n    return isinstance(item, ChartBlock)\n"
    assert dispatches(code) == ["2: hasattr(item, 'datasets')", "4: isinstance(item, ChartBlock)"]

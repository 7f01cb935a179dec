"""The values feature is a package below the apps, and nothing in it imports back up (issue #15 part 6).

apps/values.py and apps/values_results.py used to import each other (one of
them only while type checking); the import graph here counts every import, at
module level, inside functions and under TYPE_CHECKING, so a circle cannot
come back unnoticed.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "workbook"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """workbook module -> the workbook modules it imports anywhere in its text."""
    modules = {module_name(path): path for path in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets.add(node.module)
                targets |= {f"{node.module}.{alias.name}" for alias in node.names}
        graph[name] = {t for t in targets if t in modules and t != name}
    return graph


def reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = list(graph[start])
    while todo:
        module = todo.pop()
        if module not in seen:
            seen.add(module)
            todo += graph[module]
    return seen


def test_the_values_package_never_imports_the_apps() -> None:
    graph = import_graph()
    values = [name for name in graph if name == "workbook.values" or name.startswith("workbook.values.")]
    expected = {"workbook.values", "workbook.values.respondent", "workbook.values.results", "workbook.values.html"}
    assert expected <= set(values)
    for name in values:
        assert not {m for m in reachable(graph, name) if m.startswith("workbook.apps")}, name


def test_no_values_module_is_in_an_import_circle() -> None:
    graph = import_graph()
    involved = [name for name in graph if "values" in name.split(".")[-1] or name.startswith("workbook.values")]
    assert "workbook.apps.values" in involved
    assert "workbook.apps.values_results" not in graph  # merged into workbook.values and apps/values.py
    circles = [name for name in involved if name in reachable(graph, name)]
    assert circles == []


def test_the_check_finds_a_circle() -> None:
    """The graph reader sees function-level and TYPE_CHECKING imports (the old circle's two halves)."""
    graph = {"a": {"b"}, "b": {"a"}, "c": {"a"}}
    assert "a" in reachable(graph, "a") and "c" not in reachable(graph, "c")
    source = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from workbook.apps.values import X\n" \
             "def f():\n    from workbook.values.html import results_html\n"
    found = {n.module for n in ast.walk(ast.parse(source)) if isinstance(n, ast.ImportFrom)}
    assert {"workbook.apps.values", "workbook.values.html"} <= found


@pytest.mark.parametrize("module", ["workbook.values", "workbook.values.html", "workbook.apps.values"])
def test_each_values_module_imports_alone_in_a_fresh_interpreter(module: str) -> None:
    run = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True, text=True, timeout=120,
                         check=False)
    assert run.returncode == 0, run.stderr

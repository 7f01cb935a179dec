"""The package stays typed and lint-clean: ruff and mypy as the project configures them.

Both read their settings from pyproject.toml, so what runs here is what a
developer runs by hand: ``ruff check workbook devtools tests benchmarks`` and
``mypy workbook devtools``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *command], cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_ruff_finds_nothing() -> None:
    run = _run("ruff", "check", "--no-cache", "workbook", "devtools", "tests", "benchmarks")
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]


def test_mypy_finds_nothing() -> None:
    run = _run("mypy", "workbook", "devtools")
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]


def test_test_file_names_are_unique() -> None:
    """pytest imports test files by base name (no __init__.py): two of one name stop the whole run."""
    from collections import Counter

    tests = Path(__file__).resolve().parent
    names = Counter(path.name for path in tests.rglob("test_*.py"))
    assert [name for name, count in names.items() if count > 1] == []

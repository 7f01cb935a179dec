"""The workshop's sections depend on the WorkshopHost protocols, not on the app that builds them.

If the playbook, review or scorecard module imported ``WorkshopApp`` (even
under ``TYPE_CHECKING``) the modules would import each other again; mypy
checks that the app satisfies the protocols where it passes itself in.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

APPS = Path(__file__).resolve().parents[1] / "workbook" / "apps"
SECTIONS = ("workshop_playbook", "workshop_review", "workshop_scorecard", "workshop_host")


def _imported(path: Path) -> set[str]:
    """Every module a file imports, wherever the import stands (TYPE_CHECKING blocks and functions too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_no_section_imports_the_workshop_app_package() -> None:
    offenders = {name: sorted(m for m in _imported(APPS / f"{name}.py") if m.startswith("workbook.apps.workshop")
                              and not m.startswith(tuple(f"workbook.apps.{s}" for s in SECTIONS)))
                 for name in SECTIONS}
    assert {name: found for name, found in offenders.items() if found} == {}


def test_the_sections_load_first_and_alone_without_the_app() -> None:
    code = "import sys\n" + "".join(
        f"import workbook.apps.{name}\nassert 'workbook.apps.workshop' not in sys.modules, {name!r}\n"
        for name in SECTIONS)
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]

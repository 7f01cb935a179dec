"""Wheel build hook: the installed package carries the notebooks without their stored outputs.

notebooks/ in the repository keeps each notebook's outputs, because nbval
compares a fresh run against them (tests/test_*notebook*.py).  An installed
workbook only needs the code cells: ``workbook report`` and ``workbook serve``
run the notebooks afresh, and the report notebook's ~200 KB of stored charts
and tables (made from the sample organisation) would otherwise ship as if
they were run input.  This hook writes a copy of each notebook with outputs
and execution counts cleared and bundles those copies as
``workbook/_bundled/notebooks`` instead of the folder itself.

Only the standard library is used: the hook runs inside hatchling's isolated
build environment, where the workbook's own dependencies are not installed.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

BUNDLED = "workbook/_bundled/notebooks"


def strip_outputs(notebook: dict[str, Any]) -> dict[str, Any]:
    """The notebook with every code cell's outputs and execution count cleared (cell ids and sources kept)."""
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
    return notebook


class NotebooksWithoutOutputs(BuildHookInterface):
    """Replaces the bundled notebooks folder by copies without stored outputs (wheel builds only)."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel":
            return
        self._folder = tempfile.TemporaryDirectory(prefix="workbook-notebooks-")
        out = Path(self._folder.name)
        for source in sorted(Path(self.root, "notebooks").glob("*.ipynb")):
            notebook = strip_outputs(json.loads(source.read_text(encoding="utf-8")))
            (out / source.name).write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        build_data["force_include"][str(out)] = BUNDLED

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        if self.target_name == "wheel":
            self._folder.cleanup()

"""The thin notebook ``notebooks/charter_builder.ipynb`` runs under papermill with its parameters."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from workbook.paths import notebooks_dir
from workbook.store import open_store

NOTEBOOK = notebooks_dir() / "charter_builder.ipynb"


def _outputs(path: Path) -> str:
    notebook = json.loads(path.read_text(encoding="utf-8"))
    return json.dumps([cell.get("outputs", []) for cell in notebook["cells"]])


def test_parameters_are_key_and_db() -> None:
    import papermill

    parameters = papermill.inspect_notebook(str(NOTEBOOK))
    assert set(parameters) == {"key", "db"}
    assert all(p["default"] == "None" for p in parameters.values())


@pytest.mark.slow
def test_the_notebook_opens_the_builder_with_a_key_and_a_friendly_page_without(tmp_path: Path) -> None:
    import papermill

    db = str(tmp_path / "nb.db")
    with open_store(db) as store:
        store.organisations.create("Notebook Hotels", "nb", threshold=3)
        key = store.organisations.facilitator_key("nb")
    out = tmp_path / "out.ipynb"
    papermill.execute_notebook(str(NOTEBOOK), str(out), parameters={"key": key, "db": db}, progress_bar=False,
                               kernel_name="python3", cwd=str(tmp_path))
    assert "application/vnd.jupyter.widget-view+json" in _outputs(out)
    with open_store(db) as store:
        from workbook.charter import Charters

        assert [c.number for c in Charters(store.transactions).versions("nb")] == [1]

    papermill.execute_notebook(str(NOTEBOOK), str(out), parameters={"key": None, "db": db}, progress_bar=False,
                               kernel_name="python3", cwd=str(tmp_path))
    assert "application/vnd.jupyter.widget-view+json" in _outputs(out)  # the friendly page is a widget too

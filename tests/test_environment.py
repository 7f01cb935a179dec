"""The environment the set-up builds: lean imports, and nothing broken by it.

``requirements.lock`` leaves out ``rfc3987-syntax`` (pulled in by jupyter-events'
``jsonschema[format-nongpl]``), which costs about a second on every import of
altair, papermill, nbformat and voila.  These tests prove it is gone and that
the pieces that could have used it still work.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

import workbook


def test_rfc3987_syntax_is_not_installed() -> None:
    assert importlib.util.find_spec("rfc3987_syntax") is None, (
        "rfc3987-syntax slows every kernel and report by ~1 s: run scripts/setup "
        "(or pip uninstall rfc3987-syntax)"
    )


def test_jupyter_events_still_validates_events_with_uri_ids() -> None:
    import io
    import logging

    from jupyter_events import EventLogger

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger = EventLogger(handlers=[handler])
    schema = {
        "$id": "https://events.example.org/workbook/test",
        "version": "1",
        "title": "test",
        "description": "a test event",
        "type": "object",
        "properties": {"link": {"type": "string", "format": "uri"}},
    }
    logger.register_event_schema(schema)
    logger.emit(schema_id=schema["$id"], data={"link": "https://example.org/x"})
    handler.flush()
    assert json.loads(stream.getvalue().strip())["link"] == "https://example.org/x"


def test_papermill_runs_a_parameterised_notebook_in_a_real_kernel(tmp_path: Path) -> None:
    import papermill

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        nbformat.v4.new_code_cell("who = 'nobody'", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("print(f'hello {who}')"),
    ]
    source, out = tmp_path / "in.ipynb", tmp_path / "out.ipynb"
    nbformat.write(nb, source)
    papermill.execute_notebook(str(source), str(out), parameters={"who": "Ada"}, progress_bar=False,
                               kernel_name="python3")
    executed = nbformat.read(out, as_version=4)
    assert executed.cells[-1].outputs[0]["text"] == "hello Ada\n"


def test_voila_and_its_server_import() -> None:
    result = subprocess.run(
        [sys.executable, "-c", "import voila.app, voila.utils, jupyter_server.serverapp; print('ok')"],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_public_api_is_explicit() -> None:
    assert sorted(workbook.__all__) == sorted(
        ["Framework", "Store", "WorkbookError", "__version__", "check_framework_file", "load_framework",
         "open_store"]
    )
    for name in workbook.__all__:
        assert getattr(workbook, name) is not None
    with pytest.raises(AttributeError):
        _ = workbook.not_a_thing  # type: ignore[attr-defined]

"""The report notebook itself: thin, parameterised, and its stored outputs still what it shows.

nbval runs the committed notebook on a fresh demo organisation and compares every
output with the stored one (text and HTML, charts included: the SVGs are
byte-identical between runs).  A copy with one stored sentence changed must fail,
which proves the comparison really compares.  After a deliberate change, refresh
the stored outputs with ``python -m devtools.refresh_report`` and review the diff.
"""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import nbformat
import pytest

from workbook.paths import notebooks_dir
from workbook.report import REPORT_NOTEBOOK

HERE = Path(__file__).resolve().parent
NOTEBOOK = notebooks_dir() / REPORT_NOTEBOOK
PARAMETERS = {"organisation", "cycle", "threshold", "comment_threshold", "db"}


def test_notebook_is_thin_and_parameterised() -> None:
    import papermill

    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code[0].source == "from workbook.report import sections"
    assert "parameters" in code[1].metadata.get("tags", [])
    assert set(papermill.inspect_notebook(str(NOTEBOOK))) == PARAMETERS
    for cell in code[2:]:
        assert len(cell.source.splitlines()) == 1 and "sections." in cell.source, cell.source


def test_stored_outputs_cover_every_section() -> None:
    """Plain --nbval compares nothing on a stripped notebook: make sure ours is not stripped."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    shown = [c for c in nb.cells if c.cell_type == "code" and c.source.startswith("sections.")
             and c.source != "sections.load(organisation, cycle, threshold, comment_threshold, db)"]
    assert len(shown) >= 15
    assert all(c.outputs for c in shown), [c.source for c in shown if not c.outputs]
    html = "".join(o["data"].get("text/html", "") for c in shown for o in c.outputs if "data" in o)
    assert html.count("<svg") == 7, "run: python -m devtools.refresh_report"


def _junit(path: Path) -> dict[str, list[str]]:
    """Test outcomes per notebook file name: a list of 'passed' / 'failed' / 'skipped'."""
    results: dict[str, list[str]] = {}
    for case in ET.parse(path).getroot().iter("testcase"):
        status = "failed" if case.find("failure") is not None or case.find("error") is not None else (
            "skipped" if case.find("skipped") is not None else "passed")
        results.setdefault(case.get("classname", ""), []).append(status)
    return results


@pytest.mark.slow
def test_nbval_compares_outputs_and_catches_a_change(demo_db: str, tmp_path: Path) -> None:
    good = tmp_path / "good.ipynb"
    broken = tmp_path / "broken.ipynb"
    good.write_bytes(NOTEBOOK.read_bytes())
    nb = nbformat.read(NOTEBOOK, as_version=4)
    summary = next(c for c in nb.cells if c.source == "sections.executive_summary(report)")
    changed = 0
    for output in summary.outputs:
        for kind in ("text/plain", "text/html"):
            before = output["data"][kind]
            output["data"][kind] = before.replace("(80%)", "(81%)")
            changed += before != output["data"][kind]
    assert changed == 2, "the stored summary no longer says (80%): update this test's edit"
    nbformat.write(nb, broken)
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    report = tmp_path / "junit.xml"
    env = {**os.environ, "WORKBOOK_DB": demo_db}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-c", str(tmp_path / "pytest.ini"),
         "--rootdir", str(tmp_path), "--nbval", "--nbval-current-env",
         "--nbval-sanitize-with", str(HERE / "nbval_sanitize.cfg"), f"--junitxml={report}",
         str(good), str(broken)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600,
    )
    results = _junit(report)
    good_results = next(v for k, v in results.items() if "good" in k)
    broken_results = next(v for k, v in results.items() if "broken" in k)
    assert len(good_results) == 19 and set(good_results) == {"passed"}, run.stdout[-3000:]
    assert broken_results.count("failed") == 1, run.stdout[-3000:]
    assert "(81%)" in run.stdout and "(80%)" in run.stdout

"""``workbook report``: real kernels, real papermill, real files (one batch shared by the tests).

The batch (``report_folder`` in conftest) runs the demo (ok), ``quiet`` (people but no
answers) and ``broken`` (a team named like the pool, refused while the notebook runs)
with two workers and --pdf.
"""

from __future__ import annotations

import json
import os
import time

import nbformat
import pytest
from report_helpers import ReportFolder, cli_runner_invoke

pytestmark = pytest.mark.slow


def test_one_failure_does_not_stop_the_others(report_folder: ReportFolder) -> None:
    assert report_folder.exit_code == 1, report_folder.stdout + report_folder.stderr
    lines = report_folder.stdout.splitlines()
    assert lines[0].split() == ["ORGANISATION", "CYCLE", "STATUS", "TIME", "FILE", "NOTE"]
    status = {line.split()[0]: line for line in lines[1:4]}
    assert set(status) == {"broken", "demo", "quiet"}
    assert " ok " in status["demo"]
    assert "too few answers" in status["quiet"]
    assert "FAILED" in status["broken"] and "InputError" in status["broken"] and "'Other teams'" in status["broken"]
    assert lines[-1].startswith("2 made, 1 failed in ")


def test_each_report_has_its_files(report_folder: ReportFolder) -> None:
    out = report_folder.out
    names = sorted(os.listdir(out))
    stems = {n.rsplit(".", 1)[0] for n in names if n.endswith(".ipynb")}
    demo = next(s for s in stems if s.startswith("demo-"))
    quiet = next(s for s in stems if s.startswith("quiet-"))
    broken = next(s for s in stems if s.startswith("broken-"))
    for stem in (demo, quiet):
        assert {f"{stem}.html", f"{stem}.pdf", f"{stem}.ipynb"} <= set(names)
    assert f"{broken}.ipynb" in names and f"{broken}.html" not in names and f"{broken}.pdf" not in names
    assert not [n for n in names if n.startswith(".")], "temporary files left behind"
    assert (out / f"{demo}.pdf").read_bytes().startswith(b"%PDF-")
    html = (out / f"{demo}.html").read_text(encoding="utf-8")
    # 4 charts, 2 of trends (the demo has past quarters) and 1 of ourselves vs the organisation; the
    # statements heatmap is a table
    assert "Harbour &amp; Vine Hotels" in html and "Values profile" in html and html.count("<svg") == 7
    assert "<caption>Average answer per statement</caption>" in html
    assert "sections." not in html and "<script" not in html
    quiet_html = (out / f"{quiet}.html").read_text(encoding="utf-8")
    assert "No one has submitted answers" in quiet_html and "<svg" not in quiet_html


def test_the_failed_notebook_is_kept_with_its_error(report_folder: ReportFolder) -> None:
    path = next(report_folder.out.glob("broken-*.ipynb"))
    nb = nbformat.read(path, as_version=4)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.output_type == "error"]
    assert len(errors) == 1 and errors[0].ename == "InputError"
    assert "reserved for combining small teams" in errors[0].evalue
    # The cells before the failure ran and kept their outputs; papermill marked the failing cell.
    assert any("text/html" in o.get("data", {}) for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "papermill-error-cell-tag" in nb.cells[0].metadata.get("tags", [])


def test_the_database_password_never_reaches_a_notebook(report_folder: ReportFolder) -> None:
    for path in report_folder.out.glob("*.ipynb"):
        text = path.read_text(encoding="utf-8")
        assert report_folder.db not in text
        nb = nbformat.read(path, as_version=4)
        injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
        assert injected and "db =" not in injected[0].source
        assert [c.execution_count for c in nb.cells if c.cell_type == "code" and c.execution_count][:2] == [1, 2]


def test_index_lists_every_report_with_date_and_status(report_folder: ReportFolder) -> None:
    index = (report_folder.out / "index.html").read_text(encoding="utf-8")
    assert "Harbour &amp; Vine Hotels" in index and "Quiet" in index and "Broken" in index
    assert "Ready" in index and "Too few answers yet" in index and "Failed" in index
    manifest = json.loads((report_folder.out / "reports.json").read_text())
    statuses = {e["organisation"]: e["status"] for e in manifest["reports"].values()}
    assert statuses == {"demo": "ok", "quiet": "too few answers", "broken": "failed"}


def test_unknown_organisation_is_one_line_and_exit_2(report_folder: ReportFolder, tmp_path: object) -> None:
    result = cli_runner_invoke(["--db", report_folder.db, "report", "demo", "nope", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "workbook: error: no organisation with the id 'nope' (see: workbook org list)"]
    assert result.stdout == ""


@pytest.mark.parametrize(("args", "message"), [
    (["report"], "name at least one organisation"),
    (["report", "demo", "--all"], "not both"),
    (["report", "demo", "--cycle", "1999-Q1"], "no cycle called '1999-Q1'"),
    (["report", "demo", "--threshold", "3"], "below 'demo''s own anonymity threshold (5)"),
])
def test_bad_requests_fail_before_any_work(report_folder: ReportFolder, tmp_path: object, args: list[str],
                                           message: str) -> None:
    out = os.path.join(str(tmp_path), "never")
    result = cli_runner_invoke(["--db", report_folder.db, *args, "--out", out])
    assert result.exit_code == 2 and message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not os.path.exists(out)


def test_rerun_replaces_the_report_and_keeps_the_index(report_folder: ReportFolder) -> None:
    out = report_folder.out
    html = next(out.glob("demo-*.html"))
    before = html.stat().st_mtime_ns
    inode = html.stat().st_ino
    time.sleep(0.01)
    result = cli_runner_invoke(["--db", report_folder.db, "report", "demo", "--out", str(out), "--jobs", "1",
                                "--no-progress"])
    assert result.exit_code == 0, result.stdout + result.stderr
    assert html.stat().st_mtime_ns > before and html.stat().st_ino != inode  # a new file moved into place
    assert not next(out.glob("demo-*.pdf"), None), "a report made without --pdf must not keep an old PDF"
    manifest = json.loads((out / "reports.json").read_text())
    assert {e["organisation"] for e in manifest["reports"].values()} == {"demo", "quiet", "broken"}


def test_a_made_report_is_recorded_as_a_release_and_a_failed_one_is_not(report_folder: ReportFolder) -> None:
    """The notebook's last cell records the release, so a report that failed half-way records nothing."""
    from workbook.store import open_store

    with open_store(report_folder.db) as store:
        made = store.releases.for_cycle(store.responses.cycle("demo").id)
        assert len(made) == 1
        assert made[0].groups[("everyone", "All respondents")]  # person ids behind the groups shown
        assert store.releases.for_cycle(store.responses.cycle("broken").id) == ()

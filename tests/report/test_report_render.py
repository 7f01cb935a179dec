"""Executed notebook -> HTML -> PDF, atomic writes and the folder index (no kernel needed)."""

from __future__ import annotations

import json
import os
import re
from datetime import UTC, datetime
from pathlib import Path

import nbformat
import pytest

from workbook.report import render
from workbook.report.batch import ReportOutcome, write_index
from workbook.report.files import atomic_write
from workbook.report.sections import RECORD_MIMETYPE

OUTSIDE = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//|@import|url\(|<script|<link""", re.I)


def executed(blocks: list[str], *, record: dict[str, object] | None = None,
             error: tuple[str, str] | None = None) -> nbformat.NotebookNode:
    """A notebook as papermill leaves it: a parameters cell, section outputs, a record."""
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("organisation = 'x'", metadata={"tags": ["parameters"]})
    params.outputs = [nbformat.v4.new_output("display_data", data={"text/html": "<p>PARAMS</p>"})]
    nb.cells.append(params)
    nb.cells.append(nbformat.v4.new_markdown_cell("# not part of the report"))
    for block in blocks:
        cell = nbformat.v4.new_code_cell("sections.x(report)")
        cell.outputs = [nbformat.v4.new_output("execute_result", data={"text/html": block, "text/plain": "x"},
                                               execution_count=1),
                        nbformat.v4.new_output("stream", name="stdout", text="noise")]
        nb.cells.append(cell)
    if error:
        cell = nbformat.v4.new_code_cell("boom")
        cell.outputs = [nbformat.v4.new_output("error", ename=error[0], evalue=error[1], traceback=[])]
        nb.cells.append(cell)
    if record is not None:
        cell = nbformat.v4.new_code_cell("sections.record(report)")
        cell.outputs = [nbformat.v4.new_output("display_data", data={RECORD_MIMETYPE: record, "text/plain": "r"})]
        nb.cells.append(cell)
    return nb


def test_html_holds_the_outputs_in_order_and_nothing_else() -> None:
    nb = executed(["<section id='one'>ONE</section>", "<section id='two'>TWO</section>"],
                  record={"organisation": "acme", "organisation_name": "Acme & Co"})
    html = render.report_html(nb, generated=datetime(2026, 3, 2, tzinfo=UTC))
    assert html.index("ONE") < html.index("TWO")
    assert "PARAMS" not in html and "noise" not in html and "not part of the report" not in html
    assert "sections.x" not in html  # no code
    assert "<title>Acme &amp; Co – Values assessment report</title>" in html
    assert "Prepared for Acme &amp; Co on 2 March 2026" in html
    assert "DIME™ is a trademark of Chris Smoje (dimecustomerservice.com)" in html
    assert not OUTSIDE.search(html), OUTSIDE.search(html)
    assert '<html lang="en-GB">' in html and "@page" in html and "size: A4" in html


def test_an_error_makes_the_report_say_it_is_incomplete() -> None:
    nb = executed(["<p>fine</p>"], error=("InputError", "A team is named 'Other teams'"))
    rendered = render.extract(nb)
    assert rendered.errors == ("InputError: A team is named 'Other teams'",)
    html = render.report_html(nb)
    assert "This report is incomplete" in html and "A team is named &#39;Other teams&#39;" in html


def test_pdf_is_made_without_fetching_anything(tmp_path: Path) -> None:
    page = ("<section class='wb-section'><h2>Hello</h2><img src='https://example.org/x.png' alt='x'>"
            "<svg xmlns='http://www.w3.org/2000/svg' width='100' height='50'><rect width='100' height='50'/></svg>"
            "</section>")
    pdf = render.html_to_pdf(render.report_html(executed([page], record={"organisation_name": "Acme"})))
    assert pdf.startswith(b"%PDF-")
    assert b"example.org" not in pdf


# --- atomic writes -----------------------------------------------------------------------------
def test_atomic_write_replaces_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "r.html"
    atomic_write(target, "old")
    atomic_write(target, "new ✓")
    assert target.read_text(encoding="utf-8") == "new ✓"
    assert os.listdir(tmp_path) == ["r.html"]
    assert oct(target.stat().st_mode & 0o777) == "0o644"


def test_a_failed_write_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "r.html"
    atomic_write(target, "old report")

    def broken_replace(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        atomic_write(target, "half a new report")
    assert target.read_text() == "old report"
    assert os.listdir(tmp_path) == ["r.html"]


# --- the index ---------------------------------------------------------------------------------
def outcome(org: str, status: str, files: dict[str, str], name: str = "", message: str = "") -> ReportOutcome:
    return ReportOutcome(org, name or org.capitalize(), "2026-Q1", status, message, 1.0, files,  # type: ignore[arg-type]
                         "2026-03-02T09:05:00+00:00")


def test_index_lists_every_report_with_date_and_status(tmp_path: Path) -> None:
    for name in ("a-2026-Q1.html", "a-2026-Q1.ipynb", "b-2026-Q1.ipynb", "c-2026-Q1.html"):
        (tmp_path / name).write_text("x")
    write_index(tmp_path, [
        outcome("a", "ok", {"HTML": "a-2026-Q1.html", "notebook": "a-2026-Q1.ipynb"}, name="<Alpha> & Co"),
        outcome("b", "failed", {"notebook": "b-2026-Q1.ipynb"}, message="InputError: bad team"),
        outcome("c", "too few answers", {"HTML": "c-2026-Q1.html"}),
        outcome("d", "skipped", {}),
    ], now=datetime(2026, 3, 2, 9, 6, tzinfo=UTC))
    html = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "&lt;Alpha&gt; &amp; Co" in html and "<Alpha>" not in html
    assert '<a href="a-2026-Q1.html">HTML</a>' in html
    # A notebook is linked only where it explains a failure; a good report's stays in the folder, unlinked.
    assert '<a href="b-2026-Q1.ipynb">What went wrong (notebook)</a>' in html and "a-2026-Q1.ipynb" not in html
    assert (tmp_path / "a-2026-Q1.ipynb").is_file()
    assert "Ready" in html and "Failed" in html and "InputError: bad team" in html and "Too few answers yet" in html
    assert "2 March 2026, 09:05 UTC" in html
    assert "3 reports" in html and "id=\"d-" not in html
    manifest = json.loads((tmp_path / "reports.json").read_text())
    assert set(manifest["reports"]) == {"a-2026-Q1", "b-2026-Q1", "c-2026-Q1"}
    assert not OUTSIDE.search(html)


def test_index_keeps_earlier_runs_and_forgets_deleted_files(tmp_path: Path) -> None:
    (tmp_path / "a-2026-Q1.html").write_text("x")
    (tmp_path / "b-2026-Q1.html").write_text("x")
    write_index(tmp_path, [outcome("a", "ok", {"HTML": "a-2026-Q1.html"}),
                           outcome("b", "ok", {"HTML": "b-2026-Q1.html"})])
    (tmp_path / "b-2026-Q1.html").unlink()
    (tmp_path / "c-2026-Q1.html").write_text("x")
    write_index(tmp_path, [outcome("c", "ok", {"HTML": "c-2026-Q1.html"})])
    manifest = json.loads((tmp_path / "reports.json").read_text())
    assert set(manifest["reports"]) == {"a-2026-Q1", "c-2026-Q1"}


def test_index_survives_a_damaged_manifest(tmp_path: Path) -> None:
    (tmp_path / "reports.json").write_text("{not json")
    (tmp_path / "a-2026-Q1.html").write_text("x")
    write_index(tmp_path, [outcome("a", "ok", {"HTML": "a-2026-Q1.html"})])
    assert "a-2026-Q1" in json.loads((tmp_path / "reports.json").read_text())["reports"]

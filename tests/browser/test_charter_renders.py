"""The charter with its brand promise and latest results, and the report's "Quarter at a glance", as pictures.

Both are rendered in real Chromium, offline (any request to another host
fails the test), and saved under ``tests/artifacts/screens/`` for a person to
look at; the test also checks what a reader sees on them.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from harness import screenshot

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from workbook.store import Store

BRAND = "A warm welcome by name, and a room that is ready when you arrive."
PURPOSE = "Whoever takes a guest's request owns it until the guest is happy, and we learn our regulars' names."


@pytest.fixture
def store(tmp_path: Path) -> Store:
    """The demo organisation with an approved charter (brand promise, three targets) and two quarters of figures."""
    from workbook.charter import Charters, PromiseRecord
    from workbook.demo import seed_demo
    from workbook.framework import load_framework
    from workbook.store import open_store

    framework = load_framework()
    opened = open_store(str(tmp_path / "renders.db"))
    seed_demo(opened)
    targets = {"P01": ("answered-20s", ">=", 95.0), "P03": ("complaints", "<=", 5.0),
               "P10": ("first-contact", ">=", 80.0)}
    promises = []
    for p in framework.promises:
        measure, op, value = targets.get(p.id, (None, None, None))
        promises.append(PromiseRecord(p.text, p.value, p.step, p.standard, "Front-desk manager",
                                      date(2099, 3, 31), p.id, measure, op, value))
    charters = Charters(opened.transactions)
    draft = charters.start_draft("demo", promises, framework=framework)
    draft = charters.save_foundation("demo", draft.number, draft.version, brand_promise=BRAND,
                                     common_purpose=PURPOSE)
    charters.approve("demo", draft.number, draft.version, approved_by="Dana Reid, General Manager",
                     framework=framework, today=date(2026, 11, 30))
    first = opened.responses.cycles("demo")[0]
    later = opened.responses.open_cycle("demo", "2099-Q1")
    figures = {first.id: {"answered-20s": 96, "complaints": 4, "first-contact": 78, "sat-attitude": 84},
               later.id: {"answered-20s": 93, "complaints": 3, "first-contact": 82, "sat-attitude": 81}}
    for cycle_id, values in figures.items():
        for measure_id, value in values.items():
            opened.measures.set("demo", cycle_id, measure_id, value, framework=framework)
    return opened


def test_the_charter_with_its_brand_promise_and_latest_results(store: Store, page: Page) -> None:
    from workbook.charter.export import export_charter

    for audience in ("team", "customers"):
        exported = export_charter(store, "demo", "html", audience=audience, with_results=True)  # type: ignore[arg-type]
        page.set_content(exported.data.decode("utf-8"))
        body = page.inner_text("body")
        assert body.index("OUR BRAND PROMISE") < body.index("OUR COMMON PURPOSE") < body.index("We will answer")
        assert "Results for 2099-Q1: 2 of 3 promises with a target kept." in body
        assert "✗ 2099-Q1: 93 % · not kept · trending the wrong way" in body
        # A count shows bare: the target beside it already names it ("Complaints received: at most 5").
        assert "Target: Complaints received: at most 5 · Latest: ✓ 2099-Q1: 3 · kept" in body
        screenshot(page, f"charter-export-with-results-{audience}")


def test_the_quarter_at_a_glance_page_in_the_report(store: Store, page: Page) -> None:
    import nbformat

    from workbook.report import sections
    from workbook.report.model import load_report
    from workbook.report.render import report_html

    report = load_report("demo", store=store)  # the newest cycle, 2099-Q1
    shown = sections.quarter_at_a_glance(report)
    assert shown is not None
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("sections.quarter_at_a_glance(report)")
    cell.outputs = [nbformat.v4.new_output("display_data", data={"text/html": shown.html})]
    nb.cells.append(cell)
    page.set_content(report_html(nb))
    body = page.inner_text("body")
    assert "Quarter at a glance" in body
    assert "2099-Q1: 2 of 3 promises with a target kept; 2 measures moved the wrong way since" in body
    assert "Promises and their targets" in body and "Customer scorecard" in body
    screenshot(page, "report-quarter-at-a-glance")

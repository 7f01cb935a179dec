"""A questionnaire kernel stays small: it imports none of the libraries only the results need.

Every respondent with a page open holds one kernel, so its memory sets how
many people one server takes at once (``benchmarks/kernel_memory.py``: about
100 MB of unique memory a questionnaire kernel, against 180 MB when the pool
warmed a chart).  These tests fail if a later change
makes the questionnaire path import the heavy libraries again; the results
page (after submitting) may import them, when it is shown.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from workbook.people_csv import PersonRow
from workbook.store import open_store

#: Imported by nothing a respondent does before submitting.  Each costs
#: megabytes in every kernel: pandas+numpy ~50 MB, altair ~30 MB, vl-convert
#: ~90 MB once it renders.
HEAVY = ("pandas", "numpy", "altair", "vl_convert", "alembic", "papermill")

#: What a pre-heated kernel runs (the notebook's cells), then what a respondent does:
#: the welcome page, Start, one answer saved, the next page, the review page.
QUESTIONNAIRE = """
import json, os, sys
from workbook.apps import values
os.environ["VOILA_PREHEAT"] = "True"
values.warm_up(os.environ["DB"])                       # cell 1, in a pooled kernel
os.environ["VOILA_PREHEAT"] = "False"                  # the page's query is in QUERY_STRING below
from workbook.apps.request import query_parameter      # cell 3 reads the page's query
token = query_parameter("token")
from workbook.framework import load_framework
from workbook.store import open_store
from workbook.apps.values import results_panel
store = open_store(os.environ["DB"])
app = values.ValuesAssessment(store, load_framework(), values.open_assessment(store, token), results=results_panel)
app.show_value(0)
first = next(iter(app.inputs))
app.inputs[first].choice.value = 4
app.inputs[first].comment.value = "a comment"
assert "Saved" in app.inputs[first].status.value, app.inputs[first].status.value
app.show_value(1)
app.show_review()
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""


@pytest.fixture
def respondent(tmp_path: Path) -> tuple[str, str]:
    """A database with one respondent; their database path and token."""
    db = str(tmp_path / "kernel.db")
    with open_store(db) as store:
        store.organisations.create("Harbour & Vine Hotels", "hv", threshold=3)
        store.people.import_rows("hv", [PersonRow("Ben Staff", "ben@example.org", "staff", "Front Desk")])
        return db, store.people.invite("hv", "ben@example.org").token


def _imported_by(code: str, env: dict[str, str]) -> set[str]:
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         env={**os.environ, **env}, check=False)
    assert run.returncode == 0, run.stderr[-3000:]
    return set(json.loads(run.stdout.strip().splitlines()[-1]))


def test_questionnaire_path_imports_none_of_the_heavy_libraries(respondent: tuple[str, str]) -> None:
    db, token = respondent
    imported = _imported_by(QUESTIONNAIRE, {"DB": db, "QUERY_STRING": f"token={token}", "VOILA_PREHEAT": "False"})
    assert "sqlalchemy" in imported and "ipywidgets" in imported  # the check can see imports at all
    assert not imported & set(HEAVY), f"the questionnaire imported {sorted(imported & set(HEAVY))}"


def test_results_page_still_draws_its_chart(respondent: tuple[str, str]) -> None:
    """The heavy imports moved to the results page; it must still work from a cold kernel."""
    db, token = respondent
    code = QUESTIONNAIRE.replace("app.show_review()", """
for entry in app.inputs.values():
    entry.choice.value = 3
assert app.submit()
html = app.body.children[-1].value
assert "<svg" in html and "Your strongest value" in html, html[:300]
""")
    imported = _imported_by(code, {"DB": db, "QUERY_STRING": f"token={token}", "VOILA_PREHEAT": "False"})
    assert {"pandas", "altair", "vl_convert"} <= imported

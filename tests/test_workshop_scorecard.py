"""The workshop's scorecard page, driven through its widgets (no browser)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import ipywidgets as widgets
import pytest
from widget_tree import texts, walk

from workbook.apps.workshop import WorkshopApp, open_workshop
from workbook.apps.workshop_scorecard import MeasureInput
from workbook.framework import Framework
from workbook.store import Store, open_store


@pytest.fixture
def store(tmp_path: Path, framework: Framework) -> Iterator[Store]:
    with open_store(str(tmp_path / "scorecard.db")) as opened:
        opened.organisations.create("Harbour & <Vine>", "hv", threshold=3, first_cycle="2026-Q3")
        q3 = opened.responses.cycle("hv", "2026-Q3")
        opened.measures.set("hv", q3.id, "wait-time", 40, framework=framework)
        opened.measures.set("hv", q3.id, "first-contact", 80, framework=framework)
        opened.responses.open_cycle("hv", "2026-Q4")
        yield opened


def open_page(store: Store, framework: Framework, name: str | None = None) -> WorkshopApp:
    app = WorkshopApp(store, framework, open_workshop(store, store.organisations.facilitator_key("hv")),
                      facilitator=name)
    [nav] = [w for w in walk(app.widget) if isinstance(w, widgets.Button) and w.description == "Scorecard"]
    nav.click()
    return app


def entry(app: WorkshopApp, measure_id: str) -> MeasureInput:
    assert app.scorecard is not None
    return app.scorecard.entries[measure_id]


def q4_values(store: Store) -> dict[str, float]:
    cycle = store.responses.cycle("hv", "2026-Q4")
    return {k: r.value for k, r in store.measures.of_cycle("hv", cycle.id).items()}


def test_page_lists_every_measure_with_last_quarters_figure(store: Store, framework: Framework) -> None:
    app = open_page(store, framework)
    shown = texts(app.body)
    assert "Customer scorecard" in shown and "2026-Q4" in shown and "(2026-Q3)" in shown
    assert app.scorecard is not None
    assert set(app.scorecard.entries) == {m.id for m in framework.measures}
    assert shown.index("From the satisfaction survey") < shown.index("Satisfaction with staff attitude")
    assert "Last quarter: <strong>40 seconds</strong>" in texts(entry(app, "wait-time").widget)
    assert "Last quarter: <strong>no figure</strong>" in texts(entry(app, "retention").widget)
    assert "lower is better" in texts(entry(app, "wait-time").widget)


def test_a_figure_is_saved_at_once_and_kept_on_reopening(store: Store, framework: Framework) -> None:
    app = open_page(store, framework, name="Sam")
    wait = entry(app, "wait-time")
    wait.note.value = "queue system report"
    assert q4_values(store) == {}  # a note alone is not a figure
    assert "type a figure first" in wait.status.value
    wait.value.value = "55"
    assert "Saved ✓" in wait.status.value
    assert "▼ worse than last quarter" in wait.trend.value  # waiting longer is worse
    assert q4_values(store) == {"wait-time": 55.0}
    assert app.scorecard is not None
    assert f"1 of {len(framework.measures)} figures entered" in app.scorecard.tally.value
    assert "Worse than last quarter: Average waiting time." in app.scorecard.tally.value
    cycle = store.responses.cycle("hv", "2026-Q4")
    stored = store.measures.of_cycle("hv", cycle.id)["wait-time"]
    assert (stored.note, stored.updated_by) == ("queue system report", "Sam")
    again = open_page(store, framework)
    assert entry(again, "wait-time").value.value == "55"
    assert entry(again, "wait-time").note.value == "queue system report"


@pytest.mark.parametrize(("measure", "typed", "message"), [
    ("first-contact", "120", "First-contact resolution: 120 is out of range; enter a number from 0 to 100 (%)"),
    ("complaints", "-4", "out of range"),
    ("complaints", "3.5", "not a whole number"),
    ("retention", "about ninety", "is not a number"),
])
def test_an_invalid_figure_is_refused_with_a_clear_message(store: Store, framework: Framework, measure: str,
                                                          typed: str, message: str) -> None:
    app = open_page(store, framework)
    box = entry(app, measure)
    box.value.value = typed
    assert "Not saved" in box.status.value and message in box.status.value
    assert box.value.value == typed  # left on screen to correct
    assert q4_values(store) == {}


def test_emptying_the_box_removes_the_figure(store: Store, framework: Framework) -> None:
    app = open_page(store, framework)
    box = entry(app, "first-contact")
    box.value.value = "85"
    assert "▲ better than last quarter" in box.trend.value
    box.value.value = ""
    assert "Removed ✓" in box.status.value
    assert q4_values(store) == {}
    assert box.trend.value == ""


def test_two_facilitators_never_overwrite_each_other_silently(store: Store, framework: Framework) -> None:
    projector = open_page(store, framework, name="Ana")
    laptop = open_page(store, framework, name="Bo")
    entry(projector, "retention").value.value = "91"
    mine = entry(laptop, "retention")
    mine.value.value = "88"
    assert "someone else (Ana) changed Customer retention" in mine.status.value
    assert mine.value.value == "91"  # their figure is shown
    assert q4_values(store) == {"retention": 91.0}
    mine.value.value = "88"  # entered again on purpose, from the version now shown
    assert q4_values(store) == {"retention": 88.0}

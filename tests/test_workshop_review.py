"""The workshop's review of last cycle's actions, driven through its widgets (no browser).

The workshop opens on the review when actions came with the cycle; each
verdict is saved as it is chosen, a dropped action needs a note, two
facilitators never overwrite each other's verdicts silently, and what people
typed is shown escaped.  The browser test is in tests/browser/test_workshop.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import ipywidgets as widgets
import pytest
from widget_tree import texts, walk

from workbook.apps.workshop import WorkshopApp, open_workshop
from workbook.apps.workshop_review import REVIEW_PAGE, ReviewItem
from workbook.framework import Framework
from workbook.store import Store, open_store
from workbook.workshop import Workshop

DC = "deliberate-culture"
HOSTILE = "<img src=x onerror=alert(1)> Greet guests"


@pytest.fixture
def store(tmp_path: Path, framework: Framework) -> Iterator[Store]:
    with open_store(str(tmp_path / "review.db")) as opened:
        opened.organisations.create("Harbour & Vine", "hv", threshold=3, first_cycle="2026-Q3")
        q3 = opened.responses.cycle("hv")
        workshop = Workshop(opened)
        workshop.add_action(q3.id, DC, "Share a customer story weekly", "Priya", framework=framework)
        workshop.add_action(q3.id, "human-connections", HOSTILE, "Tom", None, "in_progress", framework=framework)
        workshop.add_action(q3.id, DC, "Already done", "Lena", None, "done", framework=framework)
        opened.responses.open_cycle("hv", "2026-Q4")
        yield opened


def make_app(store: Store, framework: Framework, by: str | None = None, cycle: str | None = None) -> WorkshopApp:
    key = store.organisations.facilitator_key("hv")
    return WorkshopApp(store, framework, open_workshop(store, key, cycle), facilitator=by)


def items(app: WorkshopApp) -> list[ReviewItem]:
    return list(app.review.items.values())


def test_the_workshop_opens_on_the_review_of_carried_actions(store: Store, framework: Framework) -> None:
    app = make_app(store, framework)
    assert app.page == REVIEW_PAGE and app.nav_buttons[REVIEW_PAGE].button_style == "primary"
    page = texts(app.widget)
    assert "Last cycle's actions" in page and "<strong>0 of 2</strong> actions reviewed" in page
    assert "Carried from 2026-Q3" in page and "Already done" not in page
    headings = " ".join(i.heading.value for i in items(app))
    assert "<img" not in headings and "&lt;img src=x onerror=alert(1)&gt;" in headings


def test_without_carried_actions_the_workshop_opens_on_the_live_panel(store: Store, framework: Framework) -> None:
    app = make_app(store, framework, cycle="2026-Q3")  # the first quarter: nothing came with it
    assert app.page == "live" and REVIEW_PAGE not in app.nav_buttons


def test_each_verdict_is_saved_as_chosen_and_dropping_needs_a_note(store: Store, framework: Framework) -> None:
    app = make_app(store, framework, by="Sam")
    story, greet = items(app)
    story.choice.value = "dropped"
    assert "why this action is dropped" in story.status.value and "wb-warn" in story.status.value
    cycle_id = app.session.cycle.id
    assert all(a.review is None for a in Workshop(store).carried_in(cycle_id))  # nothing half-saved
    story.note.value = "=HYPERLINK(\"x\") <script>alert(1)</script> replaced by the booking flow"
    assert "Saved ✓ Dropped" in story.status.value
    assert "Owner: Priya · Dropped" in story.heading.value  # the card says what it is now
    greet.choice.value = "carried"
    assert "Saved ✓ Carried again" in greet.status.value
    stored = {a.what: a for a in Workshop(store).carried_in(cycle_id)}
    assert (stored["Share a customer story weekly"].status, stored["Share a customer story weekly"].review) == \
        ("dropped", "dropped")
    assert stored["Share a customer story weekly"].review_note.startswith("=HYPERLINK")  # stored as typed
    assert stored[HOSTILE].review == "carried" and stored[HOSTILE].status == "in_progress"
    assert stored[HOSTILE].updated_by == "Sam"
    assert "<strong>2 of 2</strong> actions reviewed" in app.review.progress.value
    # reopening the link shows the verdicts as saved
    again = make_app(store, framework)
    assert [(i.choice.value, i.note.value[:11]) for i in items(again)] == [("dropped", "=HYPERLINK("),
                                                                          ("carried", "")]
    # the summary shows the history, escaped
    again.show("summary")
    summary_html = " ".join(w.value for w in walk(again.widget) if isinstance(w, widgets.HTML))
    assert "review: dropped: =HYPERLINK" in summary_html and "<script>alert" not in summary_html


def test_two_facilitators_never_overwrite_each_others_verdict(store: Store, framework: Framework) -> None:
    sam, alex = make_app(store, framework, by="Sam"), make_app(store, framework, by="Alex")
    items(sam)[0].choice.value = "done"
    alex_item = items(alex)[0]
    alex_item.note.value = "We never started it"
    alex_item.choice.value = "dropped"  # from the version before Sam's verdict
    assert "someone else (Sam) changed this action" in alex_item.status.value
    assert alex_item.choice.value == "done"  # Sam's verdict is shown
    assert "We never started it" in alex_item.unsaved.value  # Alex's note kept to copy from
    stored = Workshop(store).carried_in(sam.session.cycle.id)[0]
    assert (stored.review, stored.updated_by) == ("done", "Sam")


def test_step_pages_keep_history_rows_from_being_removed_or_rewritten(store: Store, framework: Framework) -> None:
    app = make_app(store, framework)
    app.show(DC)
    (row,) = app.steps[DC].action_rows.values()
    assert row.remove.layout.display == "none"  # a carried action is dropped in the review, not removed
    assert "Carried from an earlier cycle. Not reviewed yet." in row.origin.value
    old = make_app(store, framework, cycle="2026-Q3")
    old.show(DC)
    rows = {r.what.value: r for r in old.steps[DC].action_rows.values()}
    carried = rows["Share a customer story weekly"]
    assert carried.status_choice.value == "carried" and carried.what.disabled and carried.status_choice.disabled
    assert carried.done.layout.display == "none" and carried.remove.layout.display == "none"
    assert "Carried forward into the next cycle" in carried.origin.value
    assert "Carried forward" in [label for label, _ in carried.status_choice.options]
    assert not rows["Already done"].what.disabled

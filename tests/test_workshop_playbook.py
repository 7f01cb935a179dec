"""The recovery playbook on the workshop's positive-memories page, driven through its widgets (no browser)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import ipywidgets as widgets
import pytest
from widget_tree import texts, walk

from workbook.apps.workshop import WorkshopApp, open_workshop
from workbook.apps.workshop_playbook import PlaybookSection
from workbook.framework import Framework
from workbook.store import Store, open_store
from workbook.workshop.playbook import Playbook
from workbook.workshop.records import PlayFields

PM = "positive-memories"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with open_store(str(tmp_path / "playbook.db")) as opened:
        opened.organisations.create("Harbour & <Vine>", "hv", threshold=3, first_cycle="2026-Q3")
        yield opened


def open_page(store: Store, framework: Framework, name: str | None = None) -> tuple[WorkshopApp, PlaybookSection]:
    app = WorkshopApp(store, framework, open_workshop(store, store.organisations.facilitator_key("hv")),
                      facilitator=name)
    [nav] = [w for w in walk(app.widget) if isinstance(w, widgets.Button) and "Positive memories" in w.description]
    nav.click()
    section = app.steps[PM].playbook
    assert section is not None
    return app, section


def stored(store: Store) -> list[PlayFields]:
    return [p.fields for p in Playbook(store).plays(store.responses.cycle("hv").id)]


def test_only_the_positive_memories_page_holds_the_playbook(store: Store, framework: Framework) -> None:
    app, section = open_page(store, framework)
    assert [s for s, page in app.steps.items() if page.playbook is not None] == [PM]
    shown = texts(app.body)
    assert "Service recovery playbook" in shown
    for stage in ("Acknowledge and apologise", "Here is what we will do", "Follow up"):
        assert stage in shown
    assert "How to fill it in" in shown
    assert "<strong>Strong:</strong> A room is not ready when the guest arrives" in shown
    assert "<strong>Weak:</strong> Service issues." in shown
    assert "No failures in the playbook yet" in section.count.value


def test_a_row_is_added_then_saved_field_by_field(store: Store, framework: Framework) -> None:
    _app, section = open_page(store, framework, name="Sam")
    section.add.click()
    assert "Please say what goes wrong first" in section.add_status.value and stored(store) == []
    section.new_failure.value = "Wrong dish served"
    section.add.click()
    assert "Added ✓" in section.add_status.value and section.new_failure.value == ""
    [entry] = section.rows.values()
    entry.say.value = "I am sorry, that is not what you ordered."
    entry.offer.value = "Replace it at once and take it off the bill"
    entry.limit.value = "£18.50"
    entry.speed.value = "Within 10 minutes"
    entry.follow_up_by.value = "Duty manager"
    entry.follow_up_when.value = "Before the guest leaves"
    assert "Saved ✓" in entry.message.value
    assert stored(store) == [PlayFields("Wrong dish served", "I am sorry, that is not what you ordered.",
                                        "Replace it at once and take it off the bill", 18.5, "Within 10 minutes",
                                        "Duty manager", "Before the guest leaves")]
    assert entry.limit.value == "18.5"  # shown as stored
    assert "1 failure in this quarter" in section.count.value
    _again, reopened = open_page(store, framework)
    [shown] = reopened.rows.values()
    assert (shown.failure.value, shown.limit.value, shown.follow_up_when.value) == (
        "Wrong dish served", "18.5", "Before the guest leaves")


@pytest.mark.parametrize(("box", "typed", "message"), [
    ("limit", "lots", "must be a number, such as 25"),
    ("limit", "-5", "must be from 0 to 1000000, not -5"),
    ("failure", "", "the failure"),
    ("speed", "x" * 201, "how fast"),
])
def test_a_bad_value_is_refused_and_stays_on_screen(store: Store, framework: Framework, box: str, typed: str,
                                                    message: str) -> None:
    Playbook(store).add(store.responses.cycle("hv").id, PlayFields("Late delivery", limit=10))
    _app, section = open_page(store, framework)
    [entry] = section.rows.values()
    getattr(entry, box).value = typed
    assert "Not saved" in entry.message.value and message in entry.message.value
    assert getattr(entry, box).value == typed
    assert stored(store) == [PlayFields("Late delivery", limit=10.0)]


def test_two_facilitators_never_overwrite_each_other(store: Store, framework: Framework) -> None:
    Playbook(store).add(store.responses.cycle("hv").id, PlayFields("Late delivery"))
    _a, first = open_page(store, framework, name="Ann")
    _b, second = open_page(store, framework, name="Bo")
    [mine] = first.rows.values()
    [theirs] = second.rows.values()
    mine.speed.value = "Same day"
    theirs.speed.value = "Next day"
    assert "someone else (Ann) changed this row of the playbook" in theirs.message.value
    assert theirs.speed.value == "Same day"  # Ann's row is shown ...
    assert "Next day" in theirs.unsaved.value  # ... and Bo's text stays to copy from
    assert [f.speed for f in stored(store)] == ["Same day"]


def test_removing_asks_first_and_the_other_page_catches_up(store: Store, framework: Framework) -> None:
    Playbook(store).add(store.responses.cycle("hv").id, PlayFields("Late delivery"))
    _a, first = open_page(store, framework)
    _b, second = open_page(store, framework)
    [entry] = first.rows.values()
    entry.remove.click()
    assert "Remove this failure" in entry.message.value and stored(store) == [PlayFields("Late delivery")]
    entry.confirm.click()
    assert stored(store) == [] and first.rows == {}
    [other] = second.rows.values()
    other.offer.value = "A refund"
    assert "removed this row" in second.add_status.value and second.rows == {}


def test_hostile_text_is_stored_as_typed_and_shown_inert(store: Store, framework: Framework) -> None:
    _app, section = open_page(store, framework)
    section.new_failure.value = "<script>alert(1)</script> & =SUM(A1)"
    section.add.click()
    [entry] = section.rows.values()
    assert entry.failure.value == "<script>alert(1)</script> & =SUM(A1)"  # a text box shows text as text
    assert "<script>" not in texts(section.widget)


def test_last_quarters_playbook_opens_ready_to_refine(store: Store, framework: Framework) -> None:
    Playbook(store).add(store.responses.cycle("hv").id, PlayFields("Late delivery", limit=15))
    store.responses.open_cycle("hv", "2026-Q4")
    _app, section = open_page(store, framework)
    [entry] = section.rows.values()
    assert entry.limit.value == "15" and "From last quarter's playbook" in entry.origin.value

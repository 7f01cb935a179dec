"""The DIME™ steps workshop app, driven through its widgets (no browser).

The browser test (tests/browser/test_workshop.py) checks what people see; these
check the rules the kernel keeps whatever the browser sends, and the rule that
two facilitators never overwrite each other silently (two app instances).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import ipywidgets as widgets
import pytest
from widget_tree import texts, walk

from workbook.apps import workshop as app_module
from workbook.apps.ui import UNEXPECTED, UNSAVED_LABEL
from workbook.apps.workshop import PROJECTOR_CLASS, ActionRow, WorkshopApp, build, open_workshop
from workbook.errors import StoreError
from workbook.framework import Framework
from workbook.people_csv import PersonRow
from workbook.store import Store, open_store
from workbook.workshop import Workshop

CREDIT = "DIME™ is a trademark of Chris Smoje (dimecustomerservice.com)"


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "workshop.db")


@pytest.fixture
def store(db: str, framework: Framework) -> Iterator[Store]:
    with open_store(db) as opened:
        opened.organisations.create("Harbour & <Vine>", "hv", threshold=3, first_cycle="2026-Q3")
        opened.responses.open_cycle("hv", "2026-Q4")
        opened.organisations.create("Other Org", "other", threshold=3)
        opened.people.import_rows("hv", [
            PersonRow("Ada Lovelace", "ada@example.org", "leader", "Front Desk"),
            PersonRow("Ben Staff", "ben@example.org", "staff", "Front Desk"),
            PersonRow("Cy Cook", "cy@example.org", "staff", "Kitchen"),
            PersonRow("Di Chef", "di@example.org", "staff", "Kitchen"),
        ])
        yield opened


def key(store: Store, org: str = "hv") -> str:
    return store.organisations.facilitator_key(org)


def make_app(store: Store, framework: Framework, facilitator: str | None = None,
             cycle: str | None = None) -> WorkshopApp:
    return WorkshopApp(store, framework, open_workshop(store, key(store), cycle), facilitator=facilitator)


def button(root: widgets.Widget, description: str) -> widgets.Button:
    found = [w for w in walk(root) if isinstance(w, widgets.Button) and w.description == description
             and w.layout.display != "none"]
    assert found, f"no visible button {description!r}; page says: {texts(root)[:300]}"
    return found[0]


def submit(store: Store, framework: Framework, email: str) -> None:
    person = store.people.get("hv", email)
    cycle = store.responses.cycle("hv")
    for statement in framework.statements:
        store.responses.save_answer(person.id, cycle.id, statement.id, 4, framework=framework)
    store.responses.submit(person.id, cycle.id, framework=framework)


FIRST = "deliberate-culture"


# --- links that do not work -------------------------------------------------------------------------------
@pytest.mark.parametrize("bad", [None, "", "nope", "A" * 43, "<script>", ["list"]])
def test_without_a_valid_key_no_team_data_is_shown(store: Store, db: str, bad: object) -> None:
    page = build(bad, db)
    shown = texts(page)
    assert "facilitator link" in shown or "This link does not work" in shown
    assert "Harbour" not in shown and "Front Desk" not in shown and "Kitchen" not in shown
    assert not any(isinstance(w, widgets.RadioButtons | widgets.Button) for w in walk(page))


@pytest.mark.parametrize("cycle", ["2025-Q1", "../../etc", "x" * 40])
def test_an_unknown_cycle_in_the_link_gets_a_friendly_page(store: Store, db: str, cycle: str) -> None:
    shown = texts(build(key(store), db, cycle=cycle))
    assert "This workshop cannot be opened" in shown and "<script" not in shown
    assert not any(isinstance(w, widgets.RadioButtons) for w in walk(build(key(store), db, cycle=cycle)))


def test_a_broken_database_is_a_friendly_page(tmp_path: Path) -> None:
    assert "not available" in texts(build("A" * 43, str(tmp_path / "missing" / "x.db")))


def test_the_right_key_opens_the_current_cycle_for_the_projector(store: Store, db: str) -> None:
    page = build(key(store), db)
    assert PROJECTOR_CLASS in page._dom_classes and "wb-app" in page._dom_classes
    shown = texts(page)
    assert "Harbour &amp; &lt;Vine&gt; · DIME™ steps workshop · 2026-Q4" in shown
    assert "font-size: 1.3rem" in shown
    assert CREDIT not in shown  # the page's footer credits DIME™ once; the app does not repeat it
    # A newcomer learns why Human connections is "I" on the first screen.
    assert "DIME™ is named after its four steps: D, a Deliberate service culture; I, human connections in every " \
           "Interaction; M, positive Memories for customers; E, brand Experiences at every point of contact." in shown
    assert "2026-Q3" in texts(build(key(store), db, cycle="2026-Q3"))
    assert "Other Org" not in shown


def test_show_reads_key_and_cycle_from_one_request(store: Store, db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []

    def fake_request() -> dict[str, str]:
        calls.append(1)
        return {"key": key(store), "cycle": "2026-Q3"}

    monkeypatch.setattr("workbook.apps.request.query_parameters", fake_request)
    monkeypatch.setattr("IPython.display.display", lambda *_a, **_k: None)
    page = app_module.show(db=db)
    assert "2026-Q3" in texts(page) and calls == [1]


def test_request_parameters_outside_voila_are_empty() -> None:
    from workbook.apps.request import query_parameters

    query_parameters.cache_clear()
    assert query_parameters() == {}


# --- live panel ----------------------------------------------------------------------------------------------
def test_live_panel_counts_by_team_without_names_and_waits_for_the_threshold(store: Store,
                                                                           framework: Framework) -> None:
    app = make_app(store, framework)
    shown = texts(app.body)
    assert "<strong>0</strong> people have submitted" in shown and "4 still to submit" in shown
    assert "appears once 3 people have submitted" in shown and "<svg" not in shown
    submit(store, framework, "ada@example.org")
    submit(store, framework, "ben@example.org")
    button(app.body, "Refresh").click()
    shown = texts(app.body)
    assert "<strong>2</strong> people have submitted" in shown and "fewer than 3 still to submit" in shown
    assert "Ada" not in shown and "Ben" not in shown and "Cy" not in shown and "example.org" not in shown
    assert "<svg" not in shown
    submit(store, framework, "cy@example.org")
    button(app.body, "Refresh").click()
    shown = texts(app.body)
    assert "<svg" in shown and "Our values profile (3 people)" in shown and "aria-label" in shown


# --- rating practices --------------------------------------------------------------------------------------------
def test_each_rating_is_saved_at_once_and_kept_on_reopening(store: Store, framework: Framework) -> None:
    app = make_app(store, framework, facilitator="Alex")
    button(app.nav, "1 · D · Deliberate culture").click()
    assert app.page == FIRST
    page = app.steps[FIRST]
    shown = texts(app.body)
    assert framework.steps[0].purpose in shown and framework.steps[0].prompts[0].replace("'", "&#x27;") in shown
    assert "1 = Not started" in shown and "The reward this step earns" in shown
    assert "<h3>Hiring for service <span" in shown and "DC1" not in shown  # no code without meaning on screen
    assert [p.folded for p in page.practices.values()] == [False, True, True, True, True]  # the next to rate
    entry = page.practices["DC1"]
    assert [label for label, _v in entry.choice.options][3] == "4 · Well established"
    entry.choice.value = 4
    entry.show_note()
    entry.note.value = "Seen in   two interviews"
    assert "Saved" in entry.status.value
    stored = Workshop(store).state(app.session.cycle.id).rating("DC1")
    assert (stored.rating, stored.note, stored.updated_by, stored.version) == (4, "Seen in two interviews", "Alex", 2)
    assert "4 · Well established" in entry.heading.value  # a folded practice still shows its rating
    again = make_app(store, framework)
    button(again.nav, "1 · D · Deliberate culture").click()
    assert [p.folded for p in again.steps[FIRST].practices.values()] == [True, False, True, True, True]
    assert again.steps[FIRST].practices["DC1"].choice.value == 4
    assert again.steps[FIRST].practices["DC1"].note.value == "Seen in two interviews"
    button(again.steps[FIRST].practices["DC1"].widget, "Clear rating").click()
    assert Workshop(store).state(app.session.cycle.id).rating("DC1").rating is None


def test_a_rating_the_page_never_offers_is_refused_on_the_kernel_side(store: Store, framework: Framework) -> None:
    app = make_app(store, framework)
    entry = app.steps[FIRST].practices["DC2"]
    with pytest.raises(Exception):  # noqa: B017 - ipywidgets refuses values outside its options
        entry.choice.value = 9
    entry.choice.options = [*entry.choice.options, ("9 · Beyond", 9)]  # a crafted widget state
    entry.choice.value = 9
    assert "Not saved: a rating must be a whole number from 1 to 5, not 9" in entry.status.value
    assert Workshop(store).state(app.session.cycle.id).is_empty


def test_evidence_is_saved_and_too_much_gets_one_line(store: Store, framework: Framework) -> None:
    app = make_app(store, framework)
    page = app.steps["human-connections"]
    page.evidence.value = "Regulars greeted by name on Fridays"
    assert "Saved" in page.evidence_status.value
    page.evidence.value = "x" * 5000
    assert "Not saved: the notes of evidence is too long (5000 characters; at most 4000)" in page.evidence_status.value
    assert "\n" not in page.evidence_status.value
    stored = Workshop(store).state(app.session.cycle.id).evidence_for("human-connections")
    assert stored.evidence == "Regulars greeted by name on Fridays"


def test_obstacles_are_ticked_and_likely_ones_highlighted(store: Store, framework: Framework) -> None:
    app = make_app(store, framework)
    page = app.steps[FIRST]
    likely = {o.id for o in framework.obstacles if FIRST in o.threatens}
    highlighted = {oid for oid, box in page.obstacles.items()
                   if any("wb-likely" in w._dom_classes for w in walk(page.widget)
                          if isinstance(w, widgets.VBox) and box in w.children)}
    assert highlighted == likely and likely
    page.obstacles["alignment"].value = True
    assert "Saved ✓ Lack of alignment: showing here" in page.obstacle_status.value
    page.obstacles["alignment"].value = False
    page.obstacles["clarity"].value = True
    assert Workshop(store).state(app.session.cycle.id).obstacles_at(FIRST) == {"clarity"}
    assert make_app(store, framework).steps[FIRST].obstacles["clarity"].value is True


# --- actions -------------------------------------------------------------------------------------------------------
def add(app: WorkshopApp, step_id: str, what: str, owner: str, due: str = "") -> None:
    """Fill in the new-action form as a facilitator types it (the due date is text, day first)."""
    page = app.steps[step_id]
    page.new_what.value, page.new_owner.value, page.new_due.value = what, owner, due
    page.add.click()


def test_actions_are_added_edited_completed_and_removed(store: Store, framework: Framework) -> None:
    app = make_app(store, framework, facilitator="Alex")
    page = app.steps[FIRST]
    add(app, FIRST, "Ask a service question in every interview", "Priya", "31/01/2027")
    assert "Added" in page.add_status.value and page.new_what.value == "" and page.new_due.value == ""
    (row,) = page.action_rows.values()
    assert (row.what.value, row.owner.value, row.due.value, row.status_choice.value) == (
        "Ask a service question in every interview", "Priya", "31 January 2027", "open")
    assert Workshop(store).actions(app.session.cycle.id)[0].due == date(2027, 1, 31)
    row.due.value = "1 Feb 2027"  # typed another way: stored, then shown in the one format
    assert "Saved" in row.message.value and row.due.value == "1 February 2027"
    assert Workshop(store).actions(app.session.cycle.id)[0].due == date(2027, 2, 1)
    row.owner.value = "Priya and Tom"
    row.status_choice.value = "in_progress"
    assert "Saved" in row.message.value
    button(row.widget, "Mark done").click()
    assert row.status_choice.value == "done" and row.done.layout.display == "none"
    (stored,) = Workshop(store).actions(app.session.cycle.id)
    assert (stored.owner, stored.status, stored.updated_by) == ("Priya and Tom", "done", "Alex")
    reopened = make_app(store, framework)
    (kept,) = reopened.steps[FIRST].action_rows.values()
    assert kept.owner.value == "Priya and Tom" and kept.status_choice.value == "done"
    button(row.widget, "Remove").click()
    assert "Remove this action from the plan?" in row.message.value
    button(row.widget, "Keep it").click()
    assert Workshop(store).actions(app.session.cycle.id)
    button(row.widget, "Remove").click()
    button(row.widget, "Yes, remove it").click()
    assert Workshop(store).actions(app.session.cycle.id) == () and page.action_rows == {}
    assert "Action removed" in page.add_status.value


@pytest.mark.parametrize(("what", "owner", "due", "message"), [
    ("", "Sam", "", "Please say what the action is."),
    ("Do it", " ", "", "Please say who owns this action."),
    ("Do it", "Sam", "1/1/1900", "Not added: the due date 1900-01-01 looks mistyped"),
    ("Do it", "Sam", "12/31/2026",  # month first, the American way
     "Not added: the due date &#x27;12/31/2026&#x27; is not a real date; write the day first, "
     "e.g. 31/03/2027 or 31 Mar 2027"),
    ("Do it", "Sam", "2026-12-01T09:30", "is not a real date"),
    ("x" * 501, "Sam", "", "Not saved: the action is too long"),
    ("Do it", "o" * 201, "", "owner is too long"),
])
def test_bad_new_actions_get_one_line_and_are_not_added(store: Store, framework: Framework, what: str,
                                                        owner: str, due: str, message: str) -> None:
    app = make_app(store, framework)
    add(app, FIRST, what, owner, due)
    assert message in app.steps[FIRST].add_status.value
    assert Workshop(store).actions(app.session.cycle.id) == ()


def test_a_double_click_on_add_adds_one_action(store: Store, framework: Framework) -> None:
    app = make_app(store, framework)
    add(app, FIRST, "Brief the team", "Sam")
    app.steps[FIRST].add.click()  # the second click of a double click: the form is empty now
    assert len(Workshop(store).actions(app.session.cycle.id)) == 1
    assert "Added" in app.steps[FIRST].add_status.value


def test_a_crafted_action_edit_is_refused_and_the_stored_action_kept(store: Store, framework: Framework) -> None:
    app = make_app(store, framework)
    add(app, FIRST, "Brief the team", "Sam")
    (row,) = app.steps[FIRST].action_rows.values()
    row.what.value = ""
    assert "Not saved: the action must not be empty" in row.message.value
    row.due.value = "2026-12-01 08:00"  # a crafted comm message can send any text
    assert "Not saved: the due date &#x27;2026-12-01 08:00&#x27; is not a real date" in row.message.value
    (stored,) = Workshop(store).actions(app.session.cycle.id)
    assert stored.what == "Brief the team" and stored.due is None


# --- two facilitators -----------------------------------------------------------------------------------------------
def test_two_facilitators_never_overwrite_each_other_silently(store: Store, framework: Framework) -> None:
    alex = make_app(store, framework, facilitator="Alex")
    sam = make_app(store, framework, facilitator="Sam")  # opened before Alex changes anything
    cycle_id = alex.session.cycle.id

    alex.steps[FIRST].practices["DC1"].choice.value = 4
    sam_entry = sam.steps[FIRST].practices["DC1"]
    sam_entry.choice.value = 2
    assert "Not saved: someone else (Alex) changed this rating" in sam_entry.status.value
    assert sam_entry.choice.value == 4  # Sam now sees Alex's value
    assert Workshop(store).state(cycle_id).rating("DC1").rating == 4
    sam_entry.choice.value = 2  # deliberately, from the current version: accepted
    assert "Saved" in sam_entry.status.value and Workshop(store).state(cycle_id).rating("DC1").rating == 2

    alex.steps[FIRST].evidence.value = "Alex's notes"
    sam.steps[FIRST].evidence.value = "Sam's notes"
    assert "changed these notes" in sam.steps[FIRST].evidence_status.value
    assert sam.steps[FIRST].evidence.value == "Alex's notes"

    add(alex, FIRST, "Brief the team", "Tom")
    sam.show_step(FIRST)  # opening the page again shows Alex's action
    (sam_row,) = sam.steps[FIRST].action_rows.values()
    (alex_row,) = alex.steps[FIRST].action_rows.values()
    alex_row.owner.value = "Ana"
    sam_row.what.value = "Brief the whole team"
    assert "someone else (Alex) changed this action" in sam_row.message.value
    assert (sam_row.what.value, sam_row.owner.value) == ("Brief the team", "Ana")
    (stored,) = Workshop(store).actions(cycle_id)
    assert (stored.what, stored.owner) == ("Brief the team", "Ana")

    button(alex_row.widget, "Remove").click()
    button(alex_row.widget, "Yes, remove it").click()
    sam_row.owner.value = "Bo"
    assert "removed this action" in sam.steps[FIRST].add_status.value
    assert sam.steps[FIRST].action_rows == {} and Workshop(store).actions(cycle_id) == ()


def test_removing_an_action_someone_else_just_changed_is_refused(store: Store, framework: Framework) -> None:
    alex = make_app(store, framework, facilitator="Alex")
    add(alex, FIRST, "Brief the team", "Tom")
    sam = make_app(store, framework)
    (alex_row,) = alex.steps[FIRST].action_rows.values()
    (sam_row,) = sam.steps[FIRST].action_rows.values()
    alex_row.status_choice.value = "in_progress"
    button(sam_row.widget, "Remove").click()
    button(sam_row.widget, "Yes, remove it").click()
    assert "remove it again if it is still needed" in sam_row.message.value
    assert sam_row.status_choice.value == "in_progress" and sam_row.remove.layout.display != "none"
    assert len(Workshop(store).actions(alex.session.cycle.id)) == 1


def test_a_name_that_is_too_long_is_refused_and_changes_are_anonymous(store: Store, framework: Framework) -> None:
    app = make_app(store, framework)
    app.name.value = "n" * 150
    assert "Your name is too long" in app.name_status.value and app.by is None
    app.steps[FIRST].practices["DC4"].choice.value = 3
    assert Workshop(store).state(app.session.cycle.id).rating("DC4").updated_by is None


def test_a_refused_edit_keeps_what_the_facilitator_typed_to_copy(store: Store, framework: Framework) -> None:
    alex = make_app(store, framework, facilitator="Alex")
    sam = make_app(store, framework, facilitator="Sam")  # opened before Alex changes anything
    cycle_id = alex.session.cycle.id
    alex_page, sam_page = alex.steps[FIRST], sam.steps[FIRST]

    alex_page.evidence.value = "Alex's notes"
    typed = "Sam's notes: <b>three</b> regulars named the front desk\nand the kitchen"
    sam_page.evidence.value = typed  # refused: Alex saved first
    assert "changed these notes" in sam_page.evidence_status.value
    assert sam_page.evidence.value == "Alex's notes"  # the field shows what is stored ...
    box = sam_page.evidence_unsaved.value  # ... and Sam's text is still on the page to copy
    assert UNSAVED_LABEL in box and "<textarea readonly" in box
    assert "Sam&#x27;s notes: &lt;b&gt;three&lt;/b&gt; regulars named the front desk\nand the kitchen" in box
    assert box in texts(sam_page.widget)  # on the step page, under the notes
    assert Workshop(store).state(cycle_id).evidence_for(FIRST).evidence == "Alex's notes"

    alex_page.practices["DC1"].show_note()
    alex_page.practices["DC1"].note.value = "Alex's note"
    sam_page.practices["DC1"].note.value = "Sam's note on DC1"
    assert sam_page.practices["DC1"].note.value == "Alex's note"
    assert "Sam&#x27;s note on DC1" in sam_page.practices["DC1"].unsaved.value
    assert Workshop(store).state(cycle_id).rating("DC1").note == "Alex's note"

    add(alex, FIRST, "Brief the team", "Tom")
    sam.show_step(FIRST)
    assert sam_page.evidence_unsaved.value == ""  # opening the page afresh drops the old boxes
    (sam_row,) = sam_page.action_rows.values()
    (alex_row,) = alex_page.action_rows.values()
    alex_row.owner.value = "Ana"
    sam_row.what.value = "Brief the whole team at the Monday stand-up"
    assert (sam_row.what.value, sam_row.owner.value) == ("Brief the team", "Ana")
    assert "Action: Brief the whole team at the Monday stand-up" in sam_row.unsaved.value
    (stored,) = Workshop(store).actions(cycle_id)
    assert (stored.what, stored.owner) == ("Brief the team", "Ana")

    button(alex_row.widget, "Remove").click()
    button(alex_row.widget, "Yes, remove it").click()
    sam_row.owner.value = "Bo"  # the action is gone: Sam's row with it, but not Sam's text
    assert "removed this action" in sam_page.add_status.value
    assert "Action: Brief the team\nOwner: Bo" in sam_page.add_unsaved.value
    assert Workshop(store).actions(cycle_id) == ()

    sam_page.evidence.value = typed  # copied back: saved from the current version
    assert "Saved" in sam_page.evidence_status.value
    assert Workshop(store).state(cycle_id).evidence_for(FIRST).evidence == typed


def test_a_refused_rating_alone_shows_no_empty_box(store: Store, framework: Framework) -> None:
    alex = make_app(store, framework, facilitator="Alex")
    sam = make_app(store, framework)
    alex.steps[FIRST].practices["DC2"].choice.value = 4
    sam.steps[FIRST].practices["DC2"].choice.value = 2
    assert "Not saved" in sam.steps[FIRST].practices["DC2"].status.value
    assert sam.steps[FIRST].practices["DC2"].unsaved.value == ""


# --- a handler that fails ---------------------------------------------------------------------------------
def test_an_unexpected_failure_shows_a_calm_line_and_the_app_keeps_working(
        store: Store, framework: Framework, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    app = make_app(store, framework)
    app.steps[FIRST].practices["DC1"].choice.value = 4
    add(app, FIRST, "Brief the team", "Sam")

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    with monkeypatch.context() as patched:
        patched.setattr(app.workshop, "save_rating", broken)
        app.steps[FIRST].practices["DC2"].choice.value = 3  # the handler fails
    assert UNEXPECTED in app.errors.widget.value and "disk on fire" not in texts(app.widget)
    assert "an app handler failed" in caplog.text and "disk on fire" in caplog.text  # traceback in the log
    with monkeypatch.context() as patched:
        patched.setattr(app.workshop, "state", broken)
        button(app.nav, "Summary").click()  # a page that fails to open
    assert app.page == "live" and UNEXPECTED in app.errors.widget.value
    state = Workshop(store).state(app.session.cycle.id)  # nothing stored is lost
    assert state.rating("DC1").rating == 4 and state.rating("DC2").rating is None
    assert [a.what for a in Workshop(store).actions(app.session.cycle.id)] == ["Brief the team"]

    app.steps[FIRST].practices["DC3"].choice.value = 2  # the page still responds
    assert "Saved" in app.steps[FIRST].practices["DC3"].status.value
    button(app.nav, "Summary").click()
    assert app.page == "summary" and app.errors.widget.value == ""  # a new page clears the line


def test_a_workbook_error_in_a_handler_shows_its_own_line(store: Store, framework: Framework,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app(store, framework)
    add(app, FIRST, "Brief the team", "Sam")

    def unreachable(*_args: object, **_kwargs: object) -> None:
        raise StoreError("the workbook could not reach its database; please try again in a moment")

    with monkeypatch.context() as patched:
        patched.setattr(app.workshop, "state", unreachable)
        button(app.nav, f"1 · D · {framework.steps[0].name}").click()
    assert ("The workbook could not reach its database; please try again in a moment"
            in app.errors.widget.value)
    assert app.page == "live"
    button(app.nav, f"1 · D · {framework.steps[0].name}").click()  # works once the database is back
    assert app.page == FIRST and app.errors.widget.value == ""
    assert [r.what.value for r in app.steps[FIRST].action_rows.values()] == ["Brief the team"]


# --- navigation and summary ----------------------------------------------------------------------------------
def test_steps_come_in_order_with_back_and_next(store: Store, framework: Framework) -> None:
    app = make_app(store, framework)
    assert app.page == "live"
    button(app.body, f"Start with step 1: {framework.steps[0].name}").click()
    for index, step in enumerate(framework.steps):
        assert app.page == step.id
        assert f"Step {index + 1} of 4" in texts(app.body)
        nxt = "Summary" if index == 3 else framework.steps[index + 1].name
        button(app.body, f"Next: {nxt}").click()
    assert app.page == "summary"
    button(app.nav, "4 · E · Brand experiences").click()
    button(app.body, "Back: Positive memories").click()
    assert app.page == "positive-memories"
    assert app.nav_buttons["positive-memories"].button_style == "primary"
    assert app.nav_buttons["live"].button_style == ""


def test_summary_shows_chart_obstacles_plan_and_a_safe_csv_download(store: Store, framework: Framework) -> None:
    app = make_app(store, framework)
    button(app.nav, "Summary").click()
    shown = texts(app.body)
    assert "No practice has been rated yet" in shown and "No actions have been added yet" in shown
    app.steps[FIRST].practices["DC1"].choice.value = 2
    app.steps[FIRST].practices["DC2"].choice.value = 3
    app.steps["human-connections"].obstacles["credibility"].value = True
    add(app, "human-connections", '=HYPERLINK("http://x")', "<b>Sam</b>", "1/12/2026")
    button(app.nav, "Summary").click()
    shown = texts(app.body)
    assert "<svg" in shown and "Maturity by DIME™ step" in shown
    assert "2.5 · In places" in shown and "2 of 5" in shown
    assert "Lack of credibility <span class='wb-tag'>often shows here</span>" in shown
    assert "&lt;b&gt;Sam&lt;/b&gt;" in shown and "<b>Sam</b>" not in shown and "1 December 2026" in shown
    assert "workbook actions" not in shown and "terminal" not in shown  # nothing meant for a developer
    found = re.search(r"download='(actions-hv-2026-Q4\.csv)' href='data:text/csv;charset=utf-8;base64,([^']+)'",
                      shown)
    assert found, shown[-800:]
    csv_text = base64.b64decode(found.group(2)).decode("utf-8")
    assert csv_text.startswith("\ufefforganisation,cycle,step,action")
    assert "'=HYPERLINK" in csv_text and "<b>Sam</b>" in csv_text  # CSV keeps text, made formula-safe


def test_reload_drops_rows_of_actions_removed_elsewhere(store: Store, framework: Framework) -> None:
    app = make_app(store, framework)
    add(app, FIRST, "One", "Sam")
    add(app, FIRST, "Two", "Sam")
    rows = list(app.steps[FIRST].action_rows.values())
    assert [r.what.value for r in rows] == ["One", "Two"]
    Workshop(store).remove_action(app.session.cycle.id, rows[0].action_id, expected_version=rows[0].version)
    app.reload()
    assert [r.what.value for r in app.steps[FIRST].action_rows.values()] == ["Two"]
    assert isinstance(rows[1], ActionRow) and app.steps[FIRST].action_rows[rows[1].action_id] is rows[1]
    assert rows[0].what.comm is None  # the removed row's widgets were closed


# --- the notebook --------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_notebook_runs_under_papermill_with_its_parameters(store: Store, db: str, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    import papermill

    from workbook.paths import notebooks_dir

    notebook = notebooks_dir() / "dime_workshop.ipynb"
    assert set(papermill.inspect_notebook(str(notebook))) == {"key", "db", "cycle", "facilitator"}
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "out.ipynb"
    papermill.execute_notebook(str(notebook), str(out), parameters={"key": key(store), "db": db, "cycle": "2026-Q3"},
                               kernel_name="python3", progress_bar=False, cwd=str(tmp_path))
    outputs = out.read_text(encoding="utf-8")
    assert "application/vnd.jupyter.widget-view+json" in outputs
    assert not (tmp_path / "workbook.db").exists()  # no stray database beside the notebook

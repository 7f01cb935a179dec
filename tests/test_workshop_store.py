"""The workshop's repository, on SQLite and PostgreSQL (``db_url``).

What must hold whatever the app or a browser sends: every value is checked
before it is stored, edits are compare-and-set on the ``version`` column (two
facilitators never overwrite each other silently, even at the same instant),
and one organisation's cycle never sees or changes another's workshop.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import date, datetime
from functools import partial

import pytest

from workbook.errors import InputError, NotFoundError
from workbook.framework import Framework
from workbook.people_csv import PersonRow
from workbook.store import CycleRecord, Store, open_store
from workbook.workshop import StaleEditError, Workshop, workshop_summary


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    with open_store(db_url) as opened:
        opened.organisations.create("Harbour & Vine", "hv", threshold=3, first_cycle="2026-Q3")
        opened.organisations.create("Other Org", "other", threshold=3, first_cycle="2026-Q3")
        yield opened


@pytest.fixture
def cycle(store: Store) -> CycleRecord:
    return store.responses.cycle("hv")


@pytest.fixture
def workshop(store: Store) -> Workshop:
    return Workshop(store)


# --- reading -------------------------------------------------------------------------------
def test_a_new_cycle_has_an_empty_workshop_and_no_summary(store: Store, workshop: Workshop, cycle: CycleRecord,
                                                          framework: Framework) -> None:
    state = workshop.state(cycle.id)
    assert state.is_empty
    assert state.rating("DC1").version == 0 and state.rating("DC1").rating is None
    assert workshop_summary(store, framework, "hv", cycle.id) is None


def test_repository_accepts_the_store_or_its_transactions(store: Store, cycle: CycleRecord) -> None:
    assert Workshop(store.transactions).state(cycle.id).is_empty


# --- ratings ---------------------------------------------------------------------------------
def test_rating_is_created_then_updated_with_increasing_versions(workshop: Workshop, cycle: CycleRecord,
                                                                 framework: Framework) -> None:
    first = workshop.save_rating(cycle.id, "DC1", 4, "  Seen in   interviews ", expected_version=0,
                                 framework=framework, by="Sam")
    assert (first.rating, first.note, first.version, first.updated_by) == (4, "Seen in interviews", 1, "Sam")
    second = workshop.save_rating(cycle.id, "DC1", 2, None, expected_version=1, framework=framework)
    assert (second.rating, second.note, second.version) == (2, None, 2)
    cleared = workshop.save_rating(cycle.id, "DC1", None, None, expected_version=2, framework=framework)
    assert cleared.rating is None and cleared.version == 3
    assert workshop.state(cycle.id).rating("DC1") == cleared


@pytest.mark.parametrize("bad", [0, 6, -1, True, "3", 3.0, [3]])
def test_a_rating_off_the_scale_is_refused_and_nothing_stored(workshop: Workshop, cycle: CycleRecord,
                                                              framework: Framework, bad: object) -> None:
    with pytest.raises(InputError, match="whole number from 1 to 5"):
        workshop.save_rating(cycle.id, "DC1", bad, expected_version=0, framework=framework)  # type: ignore[arg-type]
    assert workshop.state(cycle.id).is_empty


def test_unknown_practice_cycle_and_bad_versions_are_refused(workshop: Workshop, cycle: CycleRecord,
                                                             framework: Framework) -> None:
    with pytest.raises(NotFoundError, match="unknown practice"):
        workshop.save_rating(cycle.id, "XX9", 3, expected_version=0, framework=framework)
    with pytest.raises(NotFoundError, match="no longer exists"):
        workshop.save_rating(99_999, "DC1", 3, expected_version=0, framework=framework)
    for version in (-1, "1", None, True):
        with pytest.raises(InputError, match="version"):
            workshop.save_rating(cycle.id, "DC1", 3, expected_version=version, framework=framework)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="too long"):
        workshop.save_rating(cycle.id, "DC1", 3, "x" * 1001, expected_version=0, framework=framework)
    with pytest.raises(InputError, match="your name is too long"):
        workshop.save_rating(cycle.id, "DC1", 3, expected_version=0, framework=framework, by="n" * 101)
    with pytest.raises(InputError, match="plain text"):
        workshop.save_rating(cycle.id, "DC1", 3, ["x"], expected_version=0, framework=framework)  # type: ignore[arg-type]
    assert workshop.state(cycle.id).is_empty


def test_an_edit_from_an_old_version_is_refused_with_the_stored_value(
        db_url: str, store: Store, cycle: CycleRecord, framework: Framework) -> None:
    # Two facilitators, two connections: both loaded the practice at version 1.
    alex = Workshop(store)
    with open_store(db_url) as second_store:
        sam = Workshop(second_store)
        alex.save_rating(cycle.id, "HC2", 3, expected_version=0, framework=framework, by="Alex")
        seen = sam.state(cycle.id).rating("HC2").version
        alex.save_rating(cycle.id, "HC2", 4, expected_version=seen, framework=framework, by="Alex")
        with pytest.raises(StaleEditError, match=r"someone else \(Alex\) changed this rating") as refused:
            sam.save_rating(cycle.id, "HC2", 1, expected_version=seen, framework=framework, by="Sam")
        assert refused.value.current is not None and refused.value.current.rating == 4  # type: ignore[union-attr]
        assert alex.state(cycle.id).rating("HC2").rating == 4  # Alex's value was not overwritten
        # Starting again from what is stored now works.
        again = sam.save_rating(cycle.id, "HC2", 1, expected_version=refused.value.current.version,  # type: ignore[union-attr]
                                framework=framework, by="Sam")
        assert again.rating == 1 and again.version == 3


def test_creating_a_rating_someone_else_created_first_is_refused(workshop: Workshop, cycle: CycleRecord,
                                                                 framework: Framework) -> None:
    workshop.save_rating(cycle.id, "PM1", 5, expected_version=0, framework=framework, by="Alex")
    with pytest.raises(StaleEditError) as refused:
        workshop.save_rating(cycle.id, "PM1", 2, expected_version=0, framework=framework)
    assert refused.value.current.rating == 5  # type: ignore[union-attr]


def test_the_same_change_from_two_people_is_agreement_not_a_conflict(workshop: Workshop, cycle: CycleRecord,
                                                                     framework: Framework) -> None:
    workshop.save_rating(cycle.id, "BE1", 3, expected_version=0, framework=framework)
    same = workshop.save_rating(cycle.id, "BE1", 3, expected_version=0, framework=framework)
    assert same.version == 1


def _race(calls: list[Callable[[], object]]) -> tuple[int, int]:
    """Run the calls at the same instant; count successes and refusals."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(call: Callable[[], object]) -> None:
        barrier.wait()
        try:
            call()
            result = "ok"
        except StaleEditError:
            result = "stale"
        except BaseException as error:  # reported by the assertion below
            result = repr(error)
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert set(outcomes) <= {"ok", "stale"}, outcomes
    return outcomes.count("ok"), outcomes.count("stale")


@pytest.mark.parametrize("start_version", [0, 1])
def test_simultaneous_edits_from_one_version_let_exactly_one_through(
        db_url: str, store: Store, cycle: CycleRecord, framework: Framework, start_version: int) -> None:
    if start_version:
        Workshop(store).save_rating(cycle.id, "DC3", 1, expected_version=0, framework=framework)
    stores = [open_store(db_url) for _ in range(4)]
    try:
        calls: list[Callable[[], object]] = [
            partial(Workshop(s).save_rating, cycle.id, "DC3", rating, expected_version=start_version,
                    framework=framework)
            for s, rating in zip(stores, (2, 3, 4, 5), strict=True)
        ]
        assert _race(calls) == (1, 3)
    finally:
        for opened in stores:
            opened.close()
    assert Workshop(store).state(cycle.id).rating("DC3").version == start_version + 1


# --- evidence and obstacles -----------------------------------------------------------------------
def test_evidence_is_versioned_like_ratings(workshop: Workshop, cycle: CycleRecord, framework: Framework) -> None:
    saved = workshop.save_evidence(cycle.id, "human-connections", "Mystery shop:\r\n\r\n\r\n\r\nnames used",
                                   expected_version=0, framework=framework, by="Alex")
    assert saved.evidence == "Mystery shop:\n\nnames used" and saved.version == 1
    with pytest.raises(StaleEditError, match="these notes") as refused:
        workshop.save_evidence(cycle.id, "human-connections", "Other", expected_version=0, framework=framework)
    assert refused.value.current == saved
    with pytest.raises(NotFoundError, match="unknown step"):
        workshop.save_evidence(cycle.id, "nope", "x", expected_version=0, framework=framework)
    with pytest.raises(InputError, match="too long"):
        workshop.save_evidence(cycle.id, "human-connections", "x" * 4001, expected_version=1, framework=framework)
    cleared = workshop.save_evidence(cycle.id, "human-connections", "   ", expected_version=1, framework=framework)
    assert cleared.evidence is None and workshop.state(cycle.id).is_empty


def test_obstacles_are_ticked_and_unticked_idempotently(workshop: Workshop, cycle: CycleRecord,
                                                        framework: Framework) -> None:
    assert workshop.set_obstacle(cycle.id, "deliberate-culture", "alignment", True, framework=framework, by="Sam")
    assert workshop.set_obstacle(cycle.id, "deliberate-culture", "alignment", True, framework=framework)
    workshop.set_obstacle(cycle.id, "brand-experiences", "clarity", True, framework=framework)
    state = workshop.state(cycle.id)
    assert state.obstacles_at("deliberate-culture") == {"alignment"}
    assert len(state.obstacles) == 2 and state.obstacles[1].updated_by == "Sam"
    assert not workshop.set_obstacle(cycle.id, "deliberate-culture", "alignment", False, framework=framework)
    assert not workshop.set_obstacle(cycle.id, "deliberate-culture", "alignment", False, framework=framework)
    assert workshop.state(cycle.id).obstacles_at("deliberate-culture") == frozenset()
    with pytest.raises(NotFoundError, match="unknown obstacle"):
        workshop.set_obstacle(cycle.id, "deliberate-culture", "boredom", True, framework=framework)
    with pytest.raises(InputError, match="showing or not"):
        workshop.set_obstacle(cycle.id, "deliberate-culture", "clarity", 1, framework=framework)  # type: ignore[arg-type]


# --- actions -------------------------------------------------------------------------------------------
def test_actions_are_added_edited_completed_and_removed(workshop: Workshop, cycle: CycleRecord,
                                                        framework: Framework) -> None:
    added = workshop.add_action(cycle.id, "positive-memories", " Call back   every complaint ", "Priya",
                                "2026-12-18", framework=framework, by="Sam")
    assert (added.what, added.owner, added.due, added.status, added.version) == (
        "Call back every complaint", "Priya", date(2026, 12, 18), "open", 1)
    edited = workshop.update_action(cycle.id, added.id, what=added.what, owner="Priya and Tom", due=None,
                                    status="in_progress", expected_version=1, by="Alex")
    assert (edited.owner, edited.due, edited.status, edited.version, edited.updated_by) == (
        "Priya and Tom", None, "in_progress", 2, "Alex")
    done = workshop.complete_action(cycle.id, added.id, expected_version=2)
    assert done.status == "done" and done.owner == "Priya and Tom" and done.version == 3
    assert done.status_label == "Done"
    assert workshop.actions(cycle.id) == (done,)
    workshop.remove_action(cycle.id, added.id, expected_version=3)
    assert workshop.actions(cycle.id) == ()
    workshop.remove_action(cycle.id, added.id, expected_version=3)  # already gone: nothing to do


@pytest.mark.parametrize(("field", "value", "message"), [
    ("what", "", "the action must not be empty"),
    ("what", "a" * 501, "the action is too long"),
    ("what", "two\nlines", "on one line"),
    ("owner", "  ", "owner must not be empty"),
    ("owner", "o" * 201, "owner is too long"),
    ("due", "2026-02-30", "not a real date"),
    ("due", "next week", "not a real date"),
    ("due", date(1900, 1, 1), "looks mistyped"),
    ("due", datetime(2026, 12, 1, 9, 0), "calendar date"),
    ("due", 20261201, "calendar date"),
    ("status", "closed", "status must be one of: open, in progress, done"),
    ("status", None, "status must be one of"),
])
def test_bad_action_values_are_refused_with_one_line(workshop: Workshop, cycle: CycleRecord, framework: Framework,
                                                     field: str, value: object, message: str) -> None:
    values: dict[str, object] = {"what": "Brief the team", "owner": "Sam", "due": None, "status": "open"}
    values[field] = value
    with pytest.raises(InputError, match=message) as refused:
        workshop.add_action(cycle.id, "brand-experiences", framework=framework, **values)  # type: ignore[arg-type]
    assert "\n" not in str(refused.value)
    good = workshop.add_action(cycle.id, "brand-experiences", "Brief the team", "Sam", framework=framework)
    with pytest.raises(InputError, match=message):
        workshop.update_action(cycle.id, good.id, expected_version=1, **values)  # type: ignore[arg-type]
    assert workshop.actions(cycle.id) == (good,)


def test_stale_action_edits_and_removals_are_refused(workshop: Workshop, cycle: CycleRecord,
                                                     framework: Framework) -> None:
    action = workshop.add_action(cycle.id, "human-connections", "Use names", "Tom", framework=framework)
    workshop.update_action(cycle.id, action.id, what="Use names", owner="Ana", due=None, status="open",
                           expected_version=1, by="Alex")
    with pytest.raises(StaleEditError, match=r"\(Alex\) changed this action") as refused:
        workshop.update_action(cycle.id, action.id, what="Use first names", owner="Tom", due=None, status="open",
                               expected_version=1)
    assert refused.value.current.owner == "Ana"  # type: ignore[union-attr]
    with pytest.raises(StaleEditError, match="remove it again"):
        workshop.remove_action(cycle.id, action.id, expected_version=1)
    with pytest.raises(StaleEditError):
        workshop.complete_action(cycle.id, action.id, expected_version=1)
    workshop.remove_action(cycle.id, action.id, expected_version=2)
    with pytest.raises(StaleEditError, match="removed this action") as gone:
        workshop.update_action(cycle.id, action.id, what="x", owner="y", due=None, status="open",
                               expected_version=2)
    assert gone.value.current is None


def test_simultaneous_action_edits_let_exactly_one_through(db_url: str, store: Store, cycle: CycleRecord,
                                                           framework: Framework) -> None:
    action = Workshop(store).add_action(cycle.id, "human-connections", "Use names", "Tom", framework=framework)
    stores = [open_store(db_url) for _ in range(3)]
    try:
        calls: list[Callable[[], object]] = [
            partial(Workshop(s).update_action, cycle.id, action.id, what="Use names", owner=owner, due=None,
                    status="open", expected_version=1)
            for s, owner in zip(stores, ("Ana", "Ben", "Cas"), strict=True)
        ]
        assert _race(calls) == (1, 2)
    finally:
        for opened in stores:
            opened.close()


# --- organisations and cycles stay apart ---------------------------------------------------------------
def test_another_cycles_action_cannot_be_changed_or_seen(store: Store, workshop: Workshop, cycle: CycleRecord,
                                                         framework: Framework) -> None:
    other_cycle = store.responses.cycle("other")
    theirs = workshop.add_action(other_cycle.id, "deliberate-culture", "Theirs", "Them", framework=framework)
    assert workshop.actions(cycle.id) == ()
    with pytest.raises(StaleEditError):
        workshop.update_action(cycle.id, theirs.id, what="Mine now", owner="Me", due=None, status="open",
                               expected_version=1)
    workshop.remove_action(cycle.id, theirs.id, expected_version=1)  # not in this cycle: nothing happens
    assert workshop.actions(other_cycle.id) == (theirs,)
    with pytest.raises(NotFoundError, match="no assessment cycle"):
        workshop_summary(store, framework, "hv", other_cycle.id)


def test_deleting_the_organisation_removes_its_workshop(store: Store, workshop: Workshop, cycle: CycleRecord,
                                                        framework: Framework) -> None:
    workshop.save_rating(cycle.id, "DC1", 3, expected_version=0, framework=framework)
    workshop.save_evidence(cycle.id, "deliberate-culture", "x", expected_version=0, framework=framework)
    workshop.set_obstacle(cycle.id, "deliberate-culture", "clarity", True, framework=framework)
    workshop.add_action(cycle.id, "deliberate-culture", "Do it", "Me", framework=framework)
    store.organisations.delete("hv")
    assert workshop.state(cycle.id).is_empty and workshop.actions(cycle.id) == ()


# --- participation -----------------------------------------------------------------------------------------
def _submit(store: Store, framework: Framework, email: str, cycle: CycleRecord, rating: int = 4) -> None:
    person = store.people.get(cycle.organisation_id, email)
    for statement in framework.statements:
        store.responses.save_answer(person.id, cycle.id, statement.id, rating, framework=framework)
    store.responses.submit(person.id, cycle.id, framework=framework)


def test_team_progress_counts_people_and_submissions_without_names(store: Store, workshop: Workshop,
                                                                   cycle: CycleRecord, framework: Framework) -> None:
    store.people.import_rows("hv", [
        PersonRow("Ada", "ada@example.org", "leader", "Front Desk"),
        PersonRow("Ben", "ben@example.org", "staff", "Front Desk"),
        PersonRow("Cy", "cy@example.org", "staff", "Kitchen"),
    ])
    store.people.import_rows("other", [PersonRow("Di", "di@example.org", "staff", "Front Desk")])
    _submit(store, framework, "ben@example.org", cycle)
    _submit(store, framework, "ada@example.org", cycle)
    progress = workshop.team_progress("hv", cycle.id)
    assert [(t.team, t.people, t.submitted, t.still_to_submit) for t in progress] == [
        ("Front Desk", 2, 2, 0), ("Kitchen", 1, 0, 1)]
    ben, ada = (store.people.get("hv", e).id for e in ("ben@example.org", "ada@example.org"))
    assert store.responses.submission_order("hv", cycle.id) == (ben, ada)
    assert store.responses.submission_order("other", store.responses.cycle("other").id) == ()

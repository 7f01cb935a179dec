"""The service recovery playbook in the store (issue #16 part 2, first half).

On SQLite and PostgreSQL (``db_url``): rows are checked, versioned like the
workshop's actions (a stale edit is refused with the stored row), kept per
cycle, copied into a newly opened cycle with a link to their originals
(never twice), and removing or editing the copy leaves the earlier quarter's
playbook as it was.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from workbook.errors import InputError
from workbook.store import Store, open_store
from workbook.workshop.errors import StaleEditError
from workbook.workshop.playbook import MAX_PLAYS, Playbook
from workbook.workshop.records import PlayFields

ROOM = PlayFields(
    failure="Room not ready at check-in time",
    say="I am sorry, your room should be ready and it is not. That is our mistake.",
    offer="A drink in the bar while they wait; an upgrade if one is free",
    limit="£25",
    speed="Within 30 minutes",
    follow_up_by="Front-office manager",
    follow_up_when="Within two working days, by phone",
)


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    with open_store(db_url) as opened:
        opened.organisations.create("Harbour & Vine", "hv", threshold=3, first_cycle="2026-Q1")
        opened.organisations.create("Other Org", "other", threshold=3, first_cycle="2026-Q1")
        yield opened


def test_a_row_is_stored_cleaned_and_read_back(store: Store) -> None:
    playbook = Playbook(store)
    cycle = store.responses.cycle("hv")
    row = playbook.add(cycle.id, PlayFields(failure="  Wrong   order  delivered ", limit=" 12.50 "), by="Sam")
    assert (row.failure, row.limit, row.say, row.version, row.updated_by) == ("Wrong order delivered", 12.5, None,
                                                                              1, "Sam")
    full = playbook.add(cycle.id, ROOM)
    assert full.limit == 25.0 and full.follow_up_by == "Front-office manager"
    assert [p.failure for p in playbook.plays(cycle.id)] == ["Wrong order delivered", ROOM.failure]
    assert playbook.plays(store.responses.cycle("other").id) == ()
    assert playbook.current("hv") == ("2026-Q1", playbook.plays(cycle.id))


@pytest.mark.parametrize(("fields", "message"), [
    (PlayFields(failure=""), "the failure"),
    (PlayFields(failure="Late", limit="lots"), "must be a number, such as 25"),
    (PlayFields(failure="Late", limit="2,5"), "must be a number"),
    (PlayFields(failure="Late", limit=-1), "from 0 to 1000000"),
    (PlayFields(failure="Late", limit=5e7), "from 0 to 1000000"),
    (PlayFields(failure="Late", speed="one\nline"), "how fast must be on one line"),
    (PlayFields(failure="Late", say="x" * 1001), "what we say"),
    (PlayFields(failure="Late", follow_up_by=["a"]), "plain text"),  # type: ignore[arg-type]
    (PlayFields(failure="Late\u202e"), "the failure"),
])
def test_bad_fields_are_refused_with_one_line(store: Store, fields: PlayFields, message: str) -> None:
    with pytest.raises(InputError) as refused:
        Playbook(store).add(store.responses.cycle("hv").id, fields)
    assert message in str(refused.value) and "\n" not in str(refused.value)
    assert Playbook(store).plays(store.responses.cycle("hv").id) == ()


def test_edits_are_compare_and_set(store: Store) -> None:
    playbook = Playbook(store)
    cycle = store.responses.cycle("hv").id
    row = playbook.add(cycle, ROOM, by="Sam")
    mine = playbook.update(cycle, row.id, PlayFields(**{**_fields(row), "speed": "Within 20 minutes"}),
                           expected_version=row.version, by="Ann")
    assert (mine.speed, mine.version, mine.updated_by) == ("Within 20 minutes", 2, "Ann")
    # A second facilitator still on version 1 is refused and shown Ann's row.
    with pytest.raises(StaleEditError) as stale:
        playbook.update(cycle, row.id, PlayFields(**{**_fields(row), "speed": "At once"}), expected_version=1,
                        by="Bo")
    assert "someone else (Ann) changed this row of the playbook" in str(stale.value)
    assert stale.value.current == mine
    # The same change from an old version is agreement, not a clash.
    same = playbook.update(cycle, row.id, PlayFields(**{**_fields(row), "speed": "Within 20 minutes"}),
                           expected_version=1)
    assert same.version == 2
    with pytest.raises(StaleEditError):
        playbook.remove(cycle, row.id, expected_version=1)
    playbook.remove(cycle, row.id, expected_version=2)
    playbook.remove(cycle, row.id, expected_version=2)  # already gone: not an error
    with pytest.raises(StaleEditError, match="removed this row"):
        playbook.update(cycle, row.id, ROOM, expected_version=2)
    assert playbook.plays(cycle) == ()


def test_a_playbook_has_a_size_limit(store: Store) -> None:
    playbook = Playbook(store)
    cycle = store.responses.cycle("hv").id
    for n in range(MAX_PLAYS):
        playbook.add(cycle, PlayFields(failure=f"Failure {n}"))
    with pytest.raises(InputError, match=f"at most {MAX_PLAYS}"):
        playbook.add(cycle, PlayFields(failure="One too many"))


def test_opening_a_cycle_copies_the_newest_playbook_to_refine(store: Store) -> None:
    playbook = Playbook(store)
    q1 = store.responses.cycle("hv").id
    first = playbook.add(q1, ROOM, by="Sam")
    second = playbook.add(q1, PlayFields(failure="Bill wrong at check-out", limit=0))
    other = playbook.add(store.responses.cycle("other").id, PlayFields(failure="Not ours"))
    q2 = store.responses.open_cycle("hv", "2026-Q2").id
    copied = playbook.plays(q2)
    assert [(p.failure, p.limit, p.carried_from_id, p.version) for p in copied] == [
        (ROOM.failure, 25.0, first.id, 1), ("Bill wrong at check-out", 0.0, second.id, 1)]
    assert copied[0].say == ROOM.say and copied[0].follow_up_when == ROOM.follow_up_when
    # The team refines the copy; the earlier quarter keeps its playbook as agreed then.
    playbook.update(q2, copied[0].id, PlayFields(**{**_fields(copied[0]), "limit": "40"}), expected_version=1)
    playbook.remove(q2, copied[1].id, expected_version=1)
    assert [(p.failure, p.limit) for p in playbook.plays(q1)] == [(ROOM.failure, 25.0),
                                                                 ("Bill wrong at check-out", 0.0)]
    assert [(p.failure, p.limit) for p in playbook.plays(q2)] == [(ROOM.failure, 40.0)]
    # The next quarter copies the newest playbook (Q2's, refined), not the first one.
    q3 = store.responses.open_cycle("hv", "2026-Q3").id
    assert [(p.failure, p.limit) for p in playbook.plays(q3)] == [(ROOM.failure, 40.0)]
    assert playbook.current("hv")[0] == "2026-Q3"
    assert [p.failure for p in playbook.plays(store.responses.cycle("other").id)] == [other.failure]


def test_copying_twice_changes_nothing_and_an_empty_history_copies_nothing(store: Store) -> None:
    from workbook.workshop.carry import carry_playbook

    q1 = store.responses.cycle("hv").id
    q2 = store.responses.open_cycle("hv", "2026-Q2").id
    assert Playbook(store).plays(q2) == ()  # nothing to copy
    Playbook(store).add(q1, ROOM)
    with store.transactions.writing() as session:
        assert carry_playbook(session, "hv", q2) == 1  # a database from before the playbook: copied later
    with store.transactions.writing() as session:
        assert carry_playbook(session, "hv", q2) == 0
    assert len(Playbook(store).plays(q2)) == 1


def test_deleting_the_organisation_removes_its_playbooks(store: Store) -> None:
    q1 = store.responses.cycle("hv").id
    Playbook(store).add(q1, ROOM)
    store.responses.open_cycle("hv", "2026-Q2")
    store.organisations.delete("hv")
    from sqlalchemy import text

    with store.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM recovery_plays")).scalar() == 0


def _fields(row: object) -> dict[str, object]:
    from workbook.workshop.records import PlayRecord

    assert isinstance(row, PlayRecord)
    fields = row.fields
    return {name: getattr(fields, name) for name in PlayFields.__dataclass_fields__}

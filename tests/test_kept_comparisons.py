"""A results page's average is worked out once per counted set, kept, and read back (issue #12).

Working it out reads every counted answer of the organisation (about 4 CPU
seconds a page with 5,000 people who had submitted); the page now reads only
the viewer's own answers and the kept average.  What must hold: the kept
average is exactly what working it out gives, a page really reads it back,
anything that changes the counted people (a new whole batch, someone erased,
a team changed) is worked out afresh, and a page that cannot keep it still
shows it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from workbook.apps.values import open_assessment
from workbook.dataset import answers_in_whole_batches
from workbook.errors import StoreError
from workbook.framework import Framework
from workbook.people_csv import PersonRow
from workbook.scoring import group_scores
from workbook.store import Store, open_store
from workbook.store.comparison_tables import KeptComparison
from workbook.values import EVERYONE, personal_results
from workbook.values import results as results_module
from workbook.values.respondent import Respondent
from workbook.values.results import EveryoneAverage, everyone_average

THRESHOLD = 3
PEOPLE = 8


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    """On SQLite and on a real PostgreSQL (migration 0013, the cascade and a clash when keeping)."""
    with open_store(db_url) as store:
        store.organisations.create("Kept", "kept", threshold=THRESHOLD)
        store.people.import_rows("kept", [PersonRow(f"P{i}", f"p{i}@example.org", "leader" if i % 3 else "staff",
                                                    "North" if i % 2 else "South") for i in range(PEOPLE)])
        yield store


def submit(store: Store, framework: Framework, index: int, shift: int = 0) -> None:
    person = store.people.get("kept", f"p{index}@example.org")
    cycle = store.responses.cycle("kept").id
    for n, statement in enumerate(framework.statements):
        rating = None if (n + index) % 7 == 0 else 1 + (n * 3 + index * 5 + shift) % 5  # some "don't know"
        store.responses.save_answer(person.id, cycle, statement.id, rating, framework=framework)
    store.responses.submit(person.id, cycle, framework=framework)


def viewer(store: Store, index: int = 0) -> Respondent:
    return open_assessment(store, store.people.invite("kept", f"p{index}@example.org").token)


def worked_out(store: Store, framework: Framework) -> dict[str, float]:
    """The average as it was worked out before it was kept: every counted answer read and scored."""
    org = store.organisations.get("kept")
    cycle = store.responses.cycle("kept")
    batch = answers_in_whole_batches(store, framework, org.id, cycle.id, THRESHOLD)
    scores = group_scores(batch.frame, "overall", threshold=THRESHOLD, scale_min=framework.scale.minimum,
                          scale_max=framework.scale.maximum, value_order=[v.id for v in framework.values])
    names = {v.id: v.name for v in framework.values}
    return {names[str(r["value_id"])]: float(r["mean"]) for r in scores.table.to_dict("records") if r["shown"]}


def shown(store: Store, framework: Framework, who: Respondent) -> dict[str, float]:
    data = personal_results(store, framework, who).chart_data
    return {str(v): float(s) for v, s, series in zip(data["value"], data["score"], data["series"], strict=True)
            if series == EVERYONE}


def kept_rows(store: Store) -> list[KeptComparison]:
    with store.transactions.reading() as session:
        return list(session.scalars(select(KeptComparison)))


def test_the_kept_average_is_what_working_it_out_gives_after_every_submission(
        store: Store, framework: Framework) -> None:
    who = viewer(store)
    for index in range(PEOPLE):
        submit(store, framework, index)
        first = shown(store, framework, who)  # works it out (or reads it, between batches)
        again = shown(store, framework, who)  # reads it back
        assert first == again == pytest.approx(worked_out(store, framework), abs=0)
        assert bool(first) == (index + 1 >= THRESHOLD)
    # One kept average per whole batch reached: 3 and 6 people counted.
    assert len(kept_rows(store)) == PEOPLE // THRESHOLD


def test_a_page_reads_the_kept_average_and_only_the_viewers_own_answers(
        store: Store, framework: Framework, monkeypatch: pytest.MonkeyPatch) -> None:
    for index in range(THRESHOLD):
        submit(store, framework, index)
    who = viewer(store)
    honest = shown(store, framework, who)
    # Mark the kept figures: a page that read them back shows the mark; one that worked them out would not.
    with store.transactions.writing() as session:
        session.execute(update(KeptComparison).values(payload='{"A": 1.25}'))
    asked: list[int | None] = []
    reading = store.responses.rows

    def rows(org_id: str, cycle_id: int, *, person_id: int | None = None) -> list:
        asked.append(person_id)
        return reading(org_id, cycle_id, person_id=person_id)

    monkeypatch.setattr(store.responses, "rows", rows)
    marked = shown(store, framework, who)
    assert marked == {next(v.name for v in framework.values if v.id == "A"): 1.25} != honest
    assert asked == [who.person.id]  # nobody else's answers were read


def test_erasing_a_counted_person_works_the_average_out_again(store: Store, framework: Framework) -> None:
    for index in range(THRESHOLD + 1):
        submit(store, framework, index)
    who = viewer(store, THRESHOLD)
    shown(store, framework, who)
    with store.transactions.writing() as session:
        session.execute(update(KeptComparison).values(payload='{"A": 1.25}'))  # stale if ever read again
    store.people.delete("kept", "p1@example.org")  # one of the first three: the counted set changes
    after = shown(store, framework, who)
    assert after == pytest.approx(worked_out(store, framework), abs=0)
    assert 1.25 not in after.values() and after


def test_a_changed_team_works_the_average_out_again(store: Store, framework: Framework) -> None:
    """Anonymity rules count by team and role: a counted person's team moving gives a new fingerprint."""
    from workbook.store.tables import Person, Submission

    for index in range(THRESHOLD):
        submit(store, framework, index)
    who = viewer(store)
    shown(store, framework, who)
    with store.transactions.writing() as session:
        session.execute(update(Submission).values(team=None))  # as stored before submissions kept a team
        session.execute(update(Person).where(Person.email == "p2@example.org").values(team="West"))
    assert shown(store, framework, who) == pytest.approx(worked_out(store, framework), abs=0)
    assert len(kept_rows(store)) == 2


def test_a_person_erased_and_added_again_is_not_counted_with_their_old_answers(
        store: Store, framework: Framework) -> None:
    """SQLite gives the highest id again once it is free: the same id, role and team, new answers."""
    for index in (0, 1, PEOPLE - 1):  # the last one imported (the highest id) submits third
        submit(store, framework, index)
    who = viewer(store)
    before = shown(store, framework, who)
    erased = store.people.get("kept", f"p{PEOPLE - 1}@example.org")
    store.people.delete("kept", erased.email)
    assert kept_rows(store) == []  # averages worked out from their answers go with them
    store.people.import_rows("kept", [PersonRow(erased.name, erased.email, erased.role, erased.team)])
    submit(store, framework, PEOPLE - 1, shift=2)
    after = shown(store, framework, who)
    assert after == pytest.approx(worked_out(store, framework), abs=0)
    assert after != before


def test_someone_erased_while_the_average_is_worked_out_is_never_kept_under_the_old_set(
        store: Store, framework: Framework, monkeypatch: pytest.MonkeyPatch) -> None:
    for index in range(THRESHOLD + 1):
        submit(store, framework, index)
    who = viewer(store, THRESHOLD)
    reading = store.responses.submitters
    calls = []

    def submitters(org_id: str, cycle_id: int) -> tuple[tuple[int, str, str, str], ...]:
        calls.append(1)
        if len(calls) == 2:  # between the first read and the re-check: p1 is erased
            store.people.delete("kept", "p1@example.org")
        return reading(org_id, cycle_id)

    monkeypatch.setattr(store.responses, "submitters", submitters)
    average = average_of(store, framework, who)
    monkeypatch.undo()
    names = {v.id: v.name for v in framework.values}
    assert {names[v]: m for v, m in average.means.items()} == pytest.approx(worked_out(store, framework), abs=0)
    assert average.counted == THRESHOLD and len(calls) >= 3  # worked out again for the three left
    assert [row.counted for row in kept_rows(store)] == [THRESHOLD]


def test_a_page_that_cannot_keep_the_average_still_shows_it(
        store: Store, framework: Framework, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    for index in range(THRESHOLD):
        submit(store, framework, index)

    def refuse(*_args: object) -> None:
        raise StoreError("the database could not be used: database is locked")

    monkeypatch.setattr(store.comparisons, "keep", refuse)
    assert shown(store, framework, viewer(store)) == pytest.approx(worked_out(store, framework), abs=0)
    assert "could not keep the average" in caplog.text
    assert kept_rows(store) == []


def test_two_pages_keeping_the_same_average_is_no_error(store: Store, framework: Framework) -> None:
    cycle = store.responses.cycle("kept").id
    store.comparisons.keep(cycle, "f" * 64, "{}", 3)
    store.comparisons.keep(cycle, "f" * 64, '{"A": 2.0}', 3)  # the first one stays
    assert store.comparisons.get(cycle, "f" * 64) == "{}"
    assert store.comparisons.get(cycle, "e" * 64) is None


def test_a_clash_with_another_page_keeping_the_same_average_is_no_error(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    from sqlalchemy.orm import Session

    cycle = store.responses.cycle("kept").id
    store.comparisons.keep(cycle, "f" * 64, "{}", 3)
    # As if another page kept it just after this one looked: the insert itself clashes.
    monkeypatch.setattr(Session, "get", lambda *_args, **_kwargs: None)
    store.comparisons.keep(cycle, "f" * 64, '{"A": 2.0}', 3)
    monkeypatch.undo()
    assert store.comparisons.get(cycle, "f" * 64) == "{}"


def test_kept_averages_go_with_their_organisation(store: Store, framework: Framework) -> None:
    for index in range(THRESHOLD):
        submit(store, framework, index)
    shown(store, framework, viewer(store))
    assert kept_rows(store)
    store.organisations.delete("kept")
    assert kept_rows(store) == []


# --- large organisations: an earlier whole batch may be shown for a while ---------------------------
@pytest.fixture
def large(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make this small organisation count as large, and half the people an acceptable distance behind."""
    monkeypatch.setattr(results_module, "LARGE_ORGANISATION", THRESHOLD)
    monkeypatch.setattr(results_module, "BEHIND_SHARE", 0.5)


def average_of(store: Store, framework: Framework, who: Respondent) -> EveryoneAverage:
    return everyone_average(store, framework, who)


def test_a_large_organisation_shows_an_earlier_batch_while_it_is_close_and_recent(
        store: Store, framework: Framework, large: None) -> None:
    who = viewer(store)
    for index in range(THRESHOLD):
        submit(store, framework, index)
    first_batch = worked_out(store, framework)
    assert average_of(store, framework, who).counted == THRESHOLD
    for index in range(THRESHOLD, 2 * THRESHOLD):
        submit(store, framework, index)
    # Six counted now; the kept three are half of them behind: shown, and the page says it counts three.
    average = average_of(store, framework, who)
    assert (average.counted, average.submitted) == (THRESHOLD, 2 * THRESHOLD)
    results = personal_results(store, framework, who)
    assert any(f"includes {THRESHOLD} people so far" in note for note in results.notes)
    assert {v.name: average.means[v.id] for v in framework.values if v.id in average.means} == first_batch
    assert len(kept_rows(store)) == 1  # nothing was worked out
    # Ten minutes later it is worked out again, for all six.
    with store.transactions.writing() as session:
        session.execute(update(KeptComparison).values(made_at=datetime.now(UTC) - timedelta(seconds=601)))
    average = average_of(store, framework, who)
    assert average.counted == 2 * THRESHOLD
    assert shown(store, framework, who) == pytest.approx(worked_out(store, framework), abs=0)


def test_a_large_organisation_works_it_out_when_the_kept_one_is_too_far_behind(
        store: Store, framework: Framework, large: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(results_module, "BEHIND_SHARE", 0.4)
    who = viewer(store)
    for index in range(THRESHOLD):
        submit(store, framework, index)
    average_of(store, framework, who)
    for index in range(THRESHOLD, 2 * THRESHOLD):
        submit(store, framework, index)
    assert average_of(store, framework, who).counted == 2 * THRESHOLD  # 3 of 6 behind is more than 40 %


def test_a_large_organisation_never_shows_an_earlier_batch_that_is_no_longer_a_prefix(
        store: Store, framework: Framework, large: None) -> None:
    from workbook.store.tables import Person, Submission

    who = viewer(store, PEOPLE - 1)
    for index in range(THRESHOLD):
        submit(store, framework, index)
    average_of(store, framework, who)
    for index in range(THRESHOLD, 2 * THRESHOLD):
        submit(store, framework, index)
    with store.transactions.writing() as session:  # p0 counted in another team now: the kept three differ
        session.execute(update(Submission).values(team=None))
        session.execute(update(Person).where(Person.email == "p0@example.org").values(team="West"))
    average = average_of(store, framework, who)
    assert average.counted == 2 * THRESHOLD
    assert shown(store, framework, who) == pytest.approx(worked_out(store, framework), abs=0)

"""Ranking the starter promises by the organisation's weakest areas, and the evidence behind it."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from workbook.charter.evidence import gather_evidence, step_scores, value_scores
from workbook.charter.ranking import ordinal, rank_starters
from workbook.errors import InputError
from workbook.framework import Framework
from workbook.people_csv import PersonRow
from workbook.store import Store, open_store
from workbook.store.workshop_tables import WorkshopRating


def order(suggestions: list) -> list[str]:  # type: ignore[type-arg]
    return [s.promise.id for s in suggestions]


# --- pure ranking -------------------------------------------------------------------------
def test_without_evidence_the_framework_order_stands(framework: Framework) -> None:
    ranked = rank_starters(framework)
    assert order(ranked) == [p.id for p in framework.promises]
    assert [s.rank for s in ranked] == list(range(1, 11))
    assert all(s.priority == 0 and s.reasons == () for s in ranked)


def test_weakest_value_first_with_its_evidence(framework: Framework) -> None:
    scores = {"A": 4.1, "E": 3.8, "I": 2.8, "O": 3.2, "U": 4.4}
    ranked = rank_starters(framework, value_scores=scores)
    assert order(ranked)[:3] == ["P06", "P07", "P09"]  # I, then the two O promises
    assert ranked[0].reasons == ("Innovative is your lowest value: 2.8 of 5",)
    assert ranked[1].reasons == ("Optimistic is your 2nd lowest value: 3.2 of 5",)
    assert ranked[-1].reasons == ("Unique is your strongest value: 4.4 of 5",)
    assert order(ranked)[-2:] == ["P04", "P05"]
    assert math.isclose(ranked[0].priority, (5 - 2.8) / 4)


def test_lowest_rated_step_first_with_its_evidence(framework: Framework) -> None:
    scores = {"deliberate-culture": 3.5, "human-connections": 4.0, "positive-memories": 3.0,
              "brand-experiences": 2.25}
    ranked = rank_starters(framework, step_scores=scores)
    assert order(ranked)[:3] == ["P06", "P08", "P09"]
    assert ranked[0].reasons == ("Brand experiences is your lowest-rated step: 2.2 of 5",)
    assert "Positive memories is your 2nd lowest-rated step: 3.0 of 5" in ranked[3].reasons


def test_values_and_steps_together(framework: Framework) -> None:
    values = {"A": 2.0, "E": 4.0, "I": 4.0, "O": 4.0, "U": 4.0}
    steps = {"deliberate-culture": 4.0, "human-connections": 4.0, "positive-memories": 2.0,
             "brand-experiences": 4.0}
    ranked = rank_starters(framework, value_scores=values, step_scores=steps)
    assert ranked[0].promise.id == "P03"  # Accountable and Positive memories: weakest on both
    assert ranked[0].reasons == ("Accountable is your lowest value: 2.0 of 5",
                                 "Positive memories is your lowest-rated step: 2.0 of 5")
    assert math.isclose(ranked[0].priority, 0.75)


@pytest.mark.parametrize("scores", [
    {"A": 3.0, "E": 3.0, "I": 3.0, "O": 3.0, "U": 3.0},
    {"A": float("nan"), "E": float("nan")},
    {"X": 1.0, "Y": 5.0},  # ids this framework does not have
    {},
])
def test_ties_and_unknowns_keep_the_framework_order(framework: Framework, scores: dict[str, float]) -> None:
    assert order(rank_starters(framework, value_scores=scores)) == [p.id for p in framework.promises]


def test_equal_scores_say_so(framework: Framework) -> None:
    ranked = rank_starters(framework, value_scores={"A": 3.0, "E": 3.0, "I": 3.0, "O": 3.0, "U": 3.0})
    assert ranked[0].reasons == ("Energetic scores 3.0 of 5, like every other value",)


def test_a_single_known_score_is_described_without_ranking(framework: Framework) -> None:
    ranked = rank_starters(framework, value_scores={"I": 2.5})
    assert ranked[0].promise.id == "P06"
    assert ranked[0].reasons == ("Innovative scores 2.5 of 5",)


@pytest.mark.parametrize(("scores", "message"), [
    ({"A": 0.5}, "outside the scale 1 to 5"),
    ({"A": 5.5}, "outside the scale 1 to 5"),
    ({"A": "low"}, "must be a number"),
    ({"A": True}, "must be a number"),
])
def test_impossible_scores_are_refused(framework: Framework, scores: dict[str, object], message: str) -> None:
    with pytest.raises(InputError, match=message):
        rank_starters(framework, value_scores=scores)  # type: ignore[arg-type]


@pytest.mark.parametrize(("n", "expected"), [
    (1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"), (11, "11th"), (12, "12th"), (13, "13th"), (21, "21st"),
    (22, "22nd"), (101, "101st"), (111, "111th"),
])
def test_ordinal(n: int, expected: str) -> None:
    assert ordinal(n) == expected


# --- evidence from the store ---------------------------------------------------------------
@pytest.fixture
def demo(tmp_path: Path, framework: Framework) -> Iterator[Store]:
    from workbook.demo import seed_demo

    with open_store(str(tmp_path / "demo.db")) as store:
        seed_demo(store, framework=framework)
        yield store


def test_value_scores_come_from_the_self_assessment_above_the_threshold(demo: Store,
                                                                         framework: Framework) -> None:
    organisation = demo.organisations.get("demo")
    scores, source, note = value_scores(demo, framework, organisation)
    assert scores is not None and set(scores) == {"A", "E", "I", "O", "U"}
    assert all(1 <= s <= 5 for s in scores.values())
    assert source == "values self-assessment, 2026-Q4".replace("2026-Q4", demo.responses.cycle("demo").label)
    assert note is None


def test_value_scores_move_only_in_whole_batches(demo: Store, framework: Framework) -> None:
    """One more submission must not change what the builder shows (the difference attack)."""
    organisation = demo.organisations.get("demo")
    before, _, _ = value_scores(demo, framework, organisation)
    late = next(p for p in demo.people.list("demo") if p.email.startswith("daniel.kim"))
    cycle = demo.responses.cycle("demo").id
    for statement in framework.statements:
        demo.responses.save_answer(late.id, cycle, statement.id, 1, framework=framework)
    demo.responses.submit(late.id, cycle, framework=framework)
    after, _, _ = value_scores(demo, framework, organisation)
    assert after == before


def test_below_the_threshold_there_are_no_value_scores(tmp_path: Path, framework: Framework) -> None:
    with open_store(str(tmp_path / "small.db")) as store:
        store.organisations.create("Tiny Café", "tiny", threshold=5)
        store.people.import_rows("tiny", [PersonRow(f"P{i}", f"p{i}@example.org", "staff", "All")
                                          for i in range(4)])
        cycle = store.responses.cycle("tiny")
        for person in store.people.list("tiny"):
            for statement in framework.statements:
                store.responses.save_answer(person.id, cycle.id, statement.id, 2, framework=framework)
            store.responses.submit(person.id, cycle.id, framework=framework)
        evidence = gather_evidence(store, framework, store.organisations.get("tiny"))
    assert evidence.value_scores is None
    assert "once at least 5 people have submitted" in evidence.notes[0]
    assert evidence.step_scores is None
    assert "DIME™ steps workshop" in evidence.notes[1]


def _rate(store: Store, cycle_id: int, ratings: dict[str, int | None]) -> None:
    with store.transactions.writing() as session:
        for practice, rating in ratings.items():
            session.add(WorkshopRating(cycle_id=cycle_id, practice_id=practice, rating=rating,
                                       updated_at=datetime.now(UTC)))


def test_step_scores_are_the_newest_workshop_ratings(demo: Store, framework: Framework) -> None:
    first = demo.responses.cycle("demo")
    step = framework.steps[3]
    practices = [p.id for p in step.practices]
    _rate(demo, first.id, dict.fromkeys(practices, 1))
    newer = demo.responses.open_cycle("demo", "2099-Q1")
    _rate(demo, newer.id, {practices[0]: 2, practices[1]: 3, practices[2]: None, "NOT-A-PRACTICE": 5,
                           framework.steps[0].practices[0].id: 4})
    scores, source, note = step_scores(demo, framework, "demo")
    assert scores == {step.id: 2.5, framework.steps[0].id: 4.0}
    assert source == "DIME™ steps workshop, 2099-Q1"
    assert note is None
    ranked = rank_starters(framework, step_scores=scores)
    assert ranked[0].promise.step == step.id
    # The new cycle has no self-assessment answers yet: the values come from the one before.
    evidence = gather_evidence(demo, framework, demo.organisations.get("demo"))
    assert evidence.value_source is not None and first.label in evidence.value_source

"""Measure values in the store, and the scorecard built from them (issue #14, part 3)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from workbook.errors import InputError, NotFoundError
from workbook.framework import Framework
from workbook.measures.scorecard import build_scorecard, check_target_op, describe_target, latest, met, scorecard
from workbook.store import Store, open_store
from workbook.store.measure_tables import MeasureValue
from workbook.store.measures import ValueRow


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    with open_store(db_url) as opened:
        yield opened


@pytest.fixture
def org(store: Store) -> str:
    record = store.organisations.create("Harbour & Vine Hotels", slug="hv", first_cycle="2026-Q1")
    for label in ("2026-Q2", "2026-Q3"):
        store.responses.open_cycle(record.id, label)
    return record.id


def _cycle(store: Store, org: str, label: str) -> int:
    return store.responses.cycle(org, label).id


def _rows(store: Store) -> int:
    with store.transactions.reading() as session:
        return int(session.scalar(select(func.count()).select_from(MeasureValue)) or 0)


def test_set_replace_list_and_delete(store: Store, org: str, framework: Framework) -> None:
    q1 = _cycle(store, org, "2026-Q1")
    first = store.measures.set(org, q1, "first-contact", "81.5", framework=framework, note=" phone report ",
                               by="Sam")
    assert (first.value, first.note, first.version, first.updated_by) == (81.5, "phone report", 1, "Sam")
    again = store.measures.set(org, q1, "first-contact", 83, framework=framework, by="Kim")
    assert (again.value, again.note, again.version, again.updated_by) == (83.0, None, 2, "Kim")
    assert [(r.cycle_label, r.measure_id, r.value) for r in store.measures.list(org)] == [
        ("2026-Q1", "first-contact", 83.0)]
    assert store.measures.delete(org, q1, "first-contact") is True
    assert store.measures.delete(org, q1, "first-contact") is False
    assert store.measures.list(org) == []


@pytest.mark.parametrize(("measure", "value", "message"), [
    ("first-contact", "120", "out of range"),
    ("complaints", -1, "out of range"),
    ("wait-time", "soon", "is not a number"),
    ("nps", 10, "unknown measure id 'nps'"),
])
def test_bad_values_are_refused_and_nothing_is_stored(store: Store, org: str, framework: Framework, measure: str,
                                                      value: object, message: str) -> None:
    with pytest.raises((InputError, NotFoundError), match=message):
        store.measures.set(org, _cycle(store, org, "2026-Q1"), measure, value, framework=framework)
    assert _rows(store) == 0


def test_another_organisations_cycle_is_refused(store: Store, org: str, framework: Framework) -> None:
    other = store.organisations.create("Other Ltd", slug="other", first_cycle="2026-Q1")
    theirs = _cycle(store, other.id, "2026-Q1")
    with pytest.raises(InputError, match="has no cycle number"):
        store.measures.set(org, theirs, "retention", 90, framework=framework)
    assert _rows(store) == 0


def test_import_is_all_or_nothing_and_idempotent(store: Store, org: str, framework: Framework) -> None:
    rows = [ValueRow("2026-Q1", "retention", 88.0, None), ValueRow("2026-Q2", "retention", 90.0, "CRM")]
    first = store.measures.import_rows(org, rows, framework=framework)
    assert (first.added, first.changed, first.unchanged) == (2, 0, 0)
    second = store.measures.import_rows(org, rows, framework=framework)
    assert (second.added, second.changed, second.unchanged) == (0, 0, 2)
    edited = [rows[0], ValueRow("2026-Q2", "retention", 91.0, "CRM")]
    third = store.measures.import_rows(org, edited, framework=framework)
    assert (third.added, third.changed, third.unchanged) == (0, 1, 1)
    broken = [ValueRow("2026-Q3", "retention", 50.0, None), ValueRow("2099-Q1", "retention", 1.0, None)]
    with pytest.raises(NotFoundError, match="no cycle called '2099-Q1'"):
        store.measures.import_rows(org, broken, framework=framework)
    assert [r.value for r in store.measures.list(org)] == [88.0, 91.0]  # Q3's row was not half-imported


def test_deleting_the_organisation_removes_its_values(store: Store, org: str, framework: Framework) -> None:
    store.measures.set(org, _cycle(store, org, "2026-Q1"), "retention", 90, framework=framework)
    store.organisations.delete(org)
    assert _rows(store) == 0


def test_scorecard_changes_and_wrong_way(store: Store, org: str, framework: Framework) -> None:
    values = {"2026-Q1": (40.0, 85.0), "2026-Q2": (55.0, 88.0), "2026-Q3": (70.0, 86.0)}
    for label, (wait, fcr) in values.items():
        store.measures.set(org, _cycle(store, org, label), "wait-time", wait, framework=framework)
        store.measures.set(org, _cycle(store, org, label), "first-contact", fcr, framework=framework)
    card = scorecard(store, org, framework)
    assert card.cycles == ("2026-Q1", "2026-Q2", "2026-Q3")
    wait = card.line("wait-time")
    assert [p.change for p in wait.points] == [None, 15.0, 15.0]
    assert [p.direction for p in wait.points] == [None, "worse", "worse"]  # lower is better for waiting
    fcr = card.line("first-contact")
    assert [p.direction for p in fcr.points] == [None, "better", "worse"]
    assert fcr.show_change(fcr.points[2]) == "-2 %"
    assert {line.measure.id for line in card.wrong_way()} == {"wait-time", "first-contact"}
    assert [line.measure.id for line in card.with_values()] == ["first-contact", "wait-time"]
    assert card.value("first-contact", "2026-Q2") == 88.0
    assert card.value("retention", "2026-Q2") is None


def test_a_gap_gives_no_change_rather_than_a_false_one(framework: Framework, store: Store, org: str) -> None:
    store.measures.set(org, _cycle(store, org, "2026-Q1"), "complaints", 12, framework=framework)
    store.measures.set(org, _cycle(store, org, "2026-Q3"), "complaints", 30, framework=framework)
    line = scorecard(store, org, framework).line("complaints")
    assert [p.change for p in line.points] == [None, None, None]
    assert line.latest is not None and not line.latest.wrong_way
    found = latest(store, org, framework)
    assert found["complaints"].cycle_label == "2026-Q3" and found["complaints"].value == 30.0
    assert "retention" not in found


def test_values_of_measures_removed_from_the_catalogue_are_left_out(framework: Framework) -> None:
    from datetime import UTC, datetime

    from workbook.store.measures import MeasureValueRecord

    gone = MeasureValueRecord(1, "2026-Q1", "old-measure", 5.0, None, 1, datetime.now(UTC), None)
    card = build_scorecard(framework, ["2026-Q1"], [gone])
    assert card.with_values() == ()


@pytest.mark.parametrize(("op", "target", "value", "expected"), [
    (">=", 95, 95.0, True), (">=", 95, 94.9, False), ("≥", 95, 96, True),
    ("<=", 60, 60.0, True), ("<=", 60, 61, False), ("<", 5, 4, True), (">", 5, 5, False),
    ("=", 0, 0, True), (">=", 95, None, None),
])
def test_met(op: str, target: float, value: float | None, expected: bool | None) -> None:
    assert met(op, target, value) is expected


def test_bad_target_op_is_one_line(framework: Framework) -> None:
    with pytest.raises(InputError, match="target comparison '=>' must be one of >=, <=, >, <, ="):
        check_target_op("=>")
    assert describe_target(framework.measure("answered-20s"), ">=", 95) == "at least 95 %"
    assert describe_target(framework.measure("wait-time"), "≤", 60) == "at most 60 seconds"


def test_demo_figures_tell_a_story_and_are_idempotent(store: Store, org: str, framework: Framework) -> None:
    from workbook.demo_measures import add_demo_measures

    store.responses.open_cycle(org, "2026-Q4")
    labels = ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
    add_demo_measures(store, org, labels, framework)
    card = scorecard(store, org, framework)
    assert len(card.with_values()) == len(framework.measures)  # every catalogue measure has figures
    assert all(p.value is not None for line in card.lines for p in line.points)
    assert met(">=", 95, card.value("answered-20s", "2026-Q4")) is True
    assert met(">=", 95, card.value("answered-20s", "2026-Q3")) is False
    assert {line.measure.id for line in card.wrong_way()} == {"wait-time", "complaints"}
    before = store.measures.list(org)
    add_demo_measures(store, org, labels, framework)
    assert store.measures.list(org) == before


def test_demo_figures_fit_fewer_cycles(store: Store, org: str, framework: Framework) -> None:
    from workbook.demo_measures import add_demo_measures

    add_demo_measures(store, org, ["2026-Q2", "2026-Q3"], framework)
    card = scorecard(store, org, framework)
    assert card.value("answered-20s", "2026-Q3") == 96.0  # the newest figure goes to the newest cycle
    assert card.value("answered-20s", "2026-Q1") is None


def test_scorecard_as_json(store: Store, org: str, framework: Framework) -> None:
    import json

    store.measures.set(org, _cycle(store, org, "2026-Q2"), "retention", 90, framework=framework, note="CRM")
    store.measures.set(org, _cycle(store, org, "2026-Q3"), "retention", 88.5, framework=framework)
    data = json.loads(json.dumps(scorecard(store, org, framework).as_dict()))
    assert data["cycles"] == ["2026-Q1", "2026-Q2", "2026-Q3"]
    [retention] = data["measures"]
    assert retention["id"] == "retention" and retention["better"] == "higher"
    assert retention["points"][1] == {"cycle": "2026-Q2", "value": 90.0, "note": "CRM", "change": None,
                                      "direction": None}
    assert retention["points"][2]["change"] == -1.5 and retention["points"][2]["direction"] == "worse"


def test_edits_from_an_old_version_are_refused_with_the_stored_figure(store: Store, org: str,
                                                                       framework: Framework) -> None:
    from workbook.store.measures import StaleValueError

    q1 = _cycle(store, org, "2026-Q1")
    mine = store.measures.set(org, q1, "retention", 90, framework=framework, expected_version=0, by="Ana")
    theirs = store.measures.set(org, q1, "retention", 91, framework=framework, expected_version=mine.version,
                                by="Bo")
    with pytest.raises(StaleValueError, match=r"someone else \(Bo\) changed Customer retention") as caught:
        store.measures.set(org, q1, "retention", 89, framework=framework, expected_version=mine.version)
    assert caught.value.current is not None and caught.value.current.value == 91.0
    # the same figure typed by both is agreement, not a conflict
    store.measures.set(org, q1, "retention", 91, framework=framework, expected_version=mine.version)
    with pytest.raises(StaleValueError):
        store.measures.delete(org, q1, "retention", expected_version=mine.version)
    assert store.measures.delete(org, q1, "retention", expected_version=theirs.version) is True
    with pytest.raises(StaleValueError) as removed:  # someone removed it meanwhile
        store.measures.set(org, q1, "retention", 80, framework=framework, expected_version=theirs.version)
    assert removed.value.current is None

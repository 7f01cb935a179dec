"""A promise's measure and target (#14 part 3, charter side): validated, advised on, judged per quarter.

The kept/not-kept tables use figures where the answer is known, including the
boundary (95 meets "at least 95") and quarters with no figure (neither kept nor
broken), so a verdict that always says "kept" fails here.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from workbook.charter.checks import check_charter
from workbook.charter.records import PromiseRecord
from workbook.charter.results import promise_results
from workbook.charter.targets import clean_target, is_kept, target_text, wrong_way
from workbook.charter.validate import clean_promise
from workbook.errors import NotFoundError, WorkbookError
from workbook.framework import Framework
from workbook.measures.scorecard import build_scorecard
from workbook.store.measures import MeasureValueRecord

TODAY = date(2026, 11, 24)


# --- validating a target ----------------------------------------------------------------------------
@pytest.mark.parametrize(("measure", "op", "value", "expected"), [
    ("answered-20s", ">=", "95", ("answered-20s", ">=", 95.0)),
    ("answered-20s", "≥", 95, ("answered-20s", ">=", 95.0)),
    ("answered-20s", "at least", " 97.5 ", ("answered-20s", ">=", 97.5)),
    ("wait-time", "<=", "60", ("wait-time", "<=", 60.0)),
    ("wait-time", None, "60", ("wait-time", "<=", 60.0)),  # no comparison given: the measure's better way
    ("first-contact", None, 80, ("first-contact", ">=", 80.0)),
    ("complaints", "", None, ("complaints", None, None)),  # a measure chosen, target still to come
    ("", "", "", (None, None, None)),
    (None, ">=", None, (None, None, None)),
])
def test_targets_that_are_accepted(framework: Framework, measure: object, op: object, value: object,
                                   expected: tuple[object, ...]) -> None:
    assert clean_target(measure, op, value, framework) == expected


@pytest.mark.parametrize(("measure", "op", "value", "message"), [
    ("answered-20s", ">=", "120", "out of range"),
    ("answered-20s", ">=", "-5", "out of range"),
    ("answered-20s", ">=", "9,5", "not a number"),
    ("answered-20s", ">=", "nan", "not a number"),
    ("answered-20s", ">=", True, "not a number"),
    ("complaints", "<=", "2.5", "whole number"),
    ("answered-20s", "=", "95", "“at least” (>=) or “at most” (<=)"),
    ("answered-20s", ">", "95", "“at least” (>=) or “at most” (<=)"),
    (None, ">=", "95", "a target needs a measure"),
    ("no-such-measure", ">=", "95", "unknown customer measure"),
])
def test_targets_that_are_refused_with_one_line(framework: Framework, measure: object, op: object, value: object,
                                                message: str) -> None:
    with pytest.raises(WorkbookError) as caught:  # InputError, or NotFoundError for an unknown measure
        clean_target(measure, op, value, framework, "promise 3")
    assert message in str(caught.value) and str(caught.value).startswith("promise 3: ")
    assert "\n" not in str(caught.value)


def test_an_unknown_measure_is_a_not_found_error_that_lists_the_catalogue(framework: Framework) -> None:
    with pytest.raises(NotFoundError, match="answered-20s"):
        clean_target("calls", ">=", 1, framework)


def test_clean_promise_keeps_the_target_with_the_promise(framework: Framework) -> None:
    raw = PromiseRecord("We answer within 20 seconds.", "E", "human-connections", measure_id="answered-20s",
                        target_value="95")  # type: ignore[arg-type]  # the browser sends text
    cleaned = clean_promise(raw, framework, 1)
    assert (cleaned.measure_id, cleaned.target_op, cleaned.target_value) == ("answered-20s", ">=", 95.0)


def test_words_and_directions(framework: Framework) -> None:
    calls, wait = framework.measure("answered-20s"), framework.measure("wait-time")
    assert target_text(calls, ">=", 95.0) == "at least 95 %"
    assert target_text(wait, "<=", 45.0) == "at most 45 seconds"
    assert target_text(wait, None, None) == "no target yet"
    assert is_kept(95, ">=", 95) and not is_kept(94.9, ">=", 95) and is_kept(45, "<=", 45) and not is_kept(46, "<=", 45)
    assert wrong_way(wait, ">=") and not wrong_way(wait, "<=") and wrong_way(calls, "<=") and not wrong_way(calls, ">=")


# --- advice from the checks ---------------------------------------------------------------------------
def _charter(framework: Framework, **first: object) -> list[PromiseRecord]:
    promises = [PromiseRecord(p.text, p.value, p.step, p.standard, "Owner", date(2027, 3, 1), p.id)
                for p in framework.promises]
    promises[0] = replace(promises[0], **first)  # type: ignore[arg-type]
    return promises


@pytest.mark.parametrize(("first", "code"), [
    ({"measure_id": "answered-20s"}, "no_target"),
    ({"measure_id": "wait-time", "target_op": ">=", "target_value": 30.0}, "target_direction"),
    ({"measure_id": "complaints", "target_op": ">=", "target_value": 3.0}, "target_direction"),
])
def test_a_measure_without_a_target_or_pointing_the_wrong_way_is_advice(framework: Framework,
                                                                        first: dict[str, object],
                                                                        code: str) -> None:
    report = check_charter(_charter(framework, **first), framework, today=TODAY, brand_promise="x",
                           common_purpose="y")
    found = [f for f in report.findings if f.code == code]
    assert [f.position for f in found] == [1] and not found[0].blocking


def test_a_sound_target_gives_no_target_advice(framework: Framework) -> None:
    report = check_charter(_charter(framework, measure_id="answered-20s", target_op=">=", target_value=95.0),
                           framework, today=TODAY)
    assert {"no_target", "target_direction"}.isdisjoint(report.codes())


# --- kept or not, quarter by quarter --------------------------------------------------------------------
CYCLES = ("2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4")


def _records(figures: dict[tuple[str, str], float]) -> list[MeasureValueRecord]:
    moment = datetime(2026, 11, 1, tzinfo=UTC)
    return [MeasureValueRecord(i, cycle, measure, value, None, 1, moment, None)
            for i, ((cycle, measure), value) in enumerate(figures.items(), start=1)]


def test_each_promise_is_kept_or_not_in_each_quarter(framework: Framework) -> None:
    promises = [
        PromiseRecord("We answer your call within 20 seconds.", measure_id="answered-20s", target_op=">=",
                      target_value=95.0),
        PromiseRecord("You never wait more than a minute.", measure_id="wait-time", target_op="<=",
                      target_value=60.0),
        PromiseRecord("We remember you.", measure_id="retention"),  # measure, no target
        PromiseRecord("We smile."),  # no measure
    ]
    card = build_scorecard(framework, CYCLES, _records({
        ("2026-Q1", "answered-20s"): 93, ("2026-Q2", "answered-20s"): 95, ("2026-Q3", "answered-20s"): 97,
        ("2026-Q4", "answered-20s"): 96,
        ("2026-Q1", "wait-time"): 75, ("2026-Q2", "wait-time"): 60, ("2026-Q4", "wait-time"): 58,
        ("2026-Q4", "retention"): 81,
    }))
    results = promise_results(promises, framework, card)
    calls, wait, retention = results.promises
    assert [q.kept for q in calls.quarters] == [False, True, True, True]  # 95 meets "at least 95"
    assert [q.kept for q in wait.quarters] == [False, True, None, True]  # Q3: no figure, no verdict
    assert [q.shown for q in wait.quarters][2] == "no result"
    assert [q.kept for q in retention.quarters] == [None, None, None, None] and not retention.has_target
    assert results.unmeasured == (4,)
    assert calls.wrong_way and [q.wrong_way for q in calls.quarters] == [False, False, False, True]  # 97 -> 96
    assert not wait.wrong_way  # 60 -> (none) -> 58: no change measured across a gap, as the scorecard says
    assert results.latest == "2026-Q4" and results.kept_count("2026-Q4") == (2, 2)
    assert results.kept_count("2026-Q1") == (0, 2)
    assert results.latest_text(1) == "2026-Q4: 96 % · kept · trending the wrong way"
    assert results.latest_text(2) == "2026-Q4: 58 seconds · kept"
    assert results.latest_text(3) == "2026-Q4: 81 %"
    assert results.latest_text(4) is None
    assert results.summary_line() == "Results for 2026-Q4: 2 of 2 promises with a target kept."


def test_without_figures_nothing_is_called_kept(framework: Framework) -> None:
    promises = [PromiseRecord("We answer.", measure_id="answered-20s", target_op=">=", target_value=95.0)]
    results = promise_results(promises, framework, build_scorecard(framework, CYCLES, []))
    assert results.latest is None and results.latest_kept(1) is None
    assert results.latest_text(1) == "no results yet"
    assert results.summary_line() == "Results: no measured results have been entered yet."

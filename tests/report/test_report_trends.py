"""Trends across cycles: the change-vs-noise rule, each cycle's figures, the section, the summary and --json.

The organisation ``trend`` (threshold 3) is built so that the answers are known:

* 2026-Q1: all 10 answer; Innovative about 2, Accountable 3.0 with a very wide spread;
* 2026-Q2: all 10 answer; Innovative about 4.1 (a clear rise), Accountable 3.2 with the
  same wide spread (a tiny move: no clear change);
* 2026-Q3: only 2 answer, below the threshold: no figure at all;
* 2026-Q4: 8 answer; two of North's four do not, so North is not shown on its own.

Reports count whole batches of the threshold, so 9 of 10 (and 6 of 8) count.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator, Mapping, Sequence

import numpy as np
import pytest

from workbook.framework import Framework
from workbook.people_csv import PersonRow
from workbook.report.change import Change, step_change, t_quantile_975, welch_change
from workbook.report.figures import report_figures
from workbook.report.model import Report, load_report
from workbook.report.trends import CycleInfo, Figure, Trends, ValueTrend
from workbook.report.trends_view import RULE_SENTENCE, trend_sentences
from workbook.store import Store, open_store

# --------------------------------------------------------------------------- the rule


@pytest.mark.parametrize(("df", "expected"), [(1, 12.706), (4, 2.776), (10, 2.228), (30, 2.042), (120, 1.980),
                                              (1e9, 1.960)])
def test_t_quantile_matches_the_table(df: float, expected: float) -> None:
    assert t_quantile_975(df) == pytest.approx(expected, abs=1e-3)


def test_t_quantile_between_rows_is_between_them_and_falls_with_df() -> None:
    points = [t_quantile_975(df) for df in (30, 33.3, 35, 38.7, 40, 50, 60)]
    assert points == sorted(points, reverse=True)
    # Exact t(0.975, 35) is 2.0301: interpolating in 1/df gets within 0.001.
    assert t_quantile_975(35) == pytest.approx(2.0301, abs=1e-3)


def _welch_by_hand(first: Sequence[float], second: Sequence[float]) -> tuple[float, float, float]:
    a, b = np.asarray(first, dtype=float), np.asarray(second, dtype=float)
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    margin = t_quantile_975(df) * math.sqrt(va + vb)
    diff = float(b.mean() - a.mean())
    return diff, diff - margin, diff + margin


def _summary(scores: Sequence[float]) -> tuple[float, float, int]:
    array = np.asarray(scores, dtype=float)
    return float(array.mean()), float(array.std(ddof=1)), len(array)


def test_a_clear_change_is_called() -> None:
    before = [2.0, 2.2, 1.8, 2.4, 2.0, 1.6, 2.2, 2.0]
    after = [3.8, 4.0, 4.2, 3.6, 4.0, 4.4, 3.8, 4.2]
    change = welch_change(_summary(before), _summary(after))
    diff, low, high = _welch_by_hand(before, after)
    assert change.verdict == "up" and change.real
    assert (change.difference, change.low, change.high) == pytest.approx((diff, low, high))
    assert welch_change(_summary(after), _summary(before)).verdict == "down"


def test_a_tiny_change_with_a_big_spread_is_not_called() -> None:
    before = [1, 5, 1, 5, 2, 4, 1, 5, 3, 3]
    after = [5, 1, 5, 1, 4, 2, 5, 1, 4, 4]  # average 3.2 against 3.0, people from 1 to 5
    change = welch_change(_summary(before), _summary(after))
    assert change.verdict == "no clear change" and not change.real
    assert change.difference == pytest.approx(0.2)
    assert change.low is not None and change.high is not None and change.low < 0 < change.high


def test_the_same_difference_is_called_with_a_small_spread() -> None:
    spread = welch_change((3.0, 0.1, 10), (3.2, 0.1, 10))
    wide = welch_change((3.0, 1.7, 10), (3.2, 1.7, 10))
    assert (spread.verdict, wide.verdict) == ("up", "no clear change")


def test_no_comparison_when_a_cycle_has_no_figure() -> None:
    assert welch_change(None, (3.0, 0.5, 10)) == Change("no comparison", reason="not shown in both cycles")
    assert welch_change((3.0, 0.5, 10), None).verdict == "no comparison"
    assert welch_change((3.0, 0.5, 1), (4.0, 0.5, 10)).verdict == "no comparison"


def test_no_spread_at_all_calls_any_difference_and_none_for_none() -> None:
    assert welch_change((3.0, 0.0, 5), (3.0, 0.0, 5)).verdict == "no clear change"
    assert welch_change((3.0, 0.0, 5), (3.5, 0.0, 5)).verdict == "up"


def test_step_rule_needs_half_a_level() -> None:
    assert step_change(2.0, 2.25).verdict == "no clear change"  # one practice of four up one level
    assert step_change(2.0, 2.5).verdict == "up"
    assert step_change(3.0, 1.8).verdict == "down"
    assert step_change(None, 3.0).verdict == "no comparison"


# --------------------------------------------------------------------------- summary sentences
def _trend(value: str, kind: str, group: str, before: float, after: float, verdict: str) -> ValueTrend:
    change = Change(verdict, after - before, after - before - 0.1, after - before + 0.1)  # type: ignore[arg-type]
    return ValueTrend(group, kind, value, (Figure(before, 0.5, 10), Figure(after, 0.5, 10)),  # type: ignore[arg-type]
                      ((), ()), change)


_NAMES = {"A": "Accountable", "I": "Innovative", "E": "Energetic"}
_CYCLES = (CycleInfo("2026-Q3", 10, True, False), CycleInfo("2026-Q4", 10, True, False))


def test_summary_names_the_biggest_real_improvement_and_decline_everyone_first() -> None:
    trends = Trends(_CYCLES, (
        _trend("I", "everyone", "Everyone", 2.0, 2.6, "up"),
        _trend("A", "team", "North", 3.0, 4.2, "up"),            # bigger, but a group: not the headline
        _trend("E", "everyone", "Everyone", 4.0, 3.9, "no clear change"),
        _trend("E", "role", "Staff", 4.0, 3.5, "down"),
    ), (), None)
    sentences = trend_sentences(trends, _NAMES)
    assert sentences[0] == "Biggest improvement since 2026-Q3: Innovative for everyone, up from 2.0 to 2.6."
    assert sentences[1] == "Biggest decline: Energetic for staff, down from 4.0 to 3.5."


def test_summary_says_plainly_when_nothing_changed_beyond_the_noise() -> None:
    trends = Trends(_CYCLES, (_trend("I", "everyone", "Everyone", 2.0, 2.3, "no clear change"),), (), None)
    assert trend_sentences(trends, _NAMES) == [
        "Since 2026-Q3, no value moved by more than the noise in the answers: there is no clear improvement "
        "and no clear decline."]


def test_summary_says_nothing_without_trends() -> None:
    assert trend_sentences(Trends(_CYCLES[:1], (), (), None), _NAMES) == []


# --------------------------------------------------------------------------- an organisation with known answers
_TEAMS = ["North"] * 4 + ["South"] * 4 + ["Tiny"] * 2
_ROLES = ["leader", "staff", "staff", "staff"] * 2 + ["staff", "staff"]
_PLAN: dict[str, tuple[list[int], dict[str, list[int]]]] = {
    # cycle: (who answers, by index), per value the rating of each of the 10 people
    "2026-Q1": (list(range(10)), {"I": [1, 2, 2, 3, 2, 2, 1, 3, 2, 2], "A": [1, 5, 1, 5, 2, 4, 1, 5, 3, 3]}),
    "2026-Q2": (list(range(10)), {"I": [4, 4, 5, 4, 3, 4, 4, 5, 4, 4], "A": [5, 1, 5, 1, 4, 2, 5, 1, 4, 4]}),
    "2026-Q3": ([4, 5], {}),
    "2026-Q4": ([0, 1, 4, 5, 6, 7, 8, 9], {"I": [4, 4, 5, 4, 3, 4, 4, 5, 4, 4], "A": [5, 1, 5, 1, 4, 2, 5, 1, 4, 4]}),
}


def _answer(store: Store, framework: Framework, cycle_id: int, person_id: int, ratings: Mapping[str, int]) -> None:
    low, high = framework.scale.minimum, framework.scale.maximum
    answers = []
    for statement in framework.statements:
        wanted = ratings.get(framework.value_of_statement(statement.id).id, 3)
        answers.append((statement.id, low + high - wanted if statement.reverse else wanted, None))
    store.responses.save_answers(person_id, cycle_id, answers, framework=framework)
    store.responses.submit(person_id, cycle_id, framework=framework)


@pytest.fixture(scope="module")
def trend_store(tmp_path_factory: pytest.TempPathFactory, framework: Framework) -> Iterator[Store]:
    from workbook.workshop.repository import Workshop

    with open_store(str(tmp_path_factory.mktemp("trend") / "workbook.db")) as store:
        store.organisations.create("Trend Ltd", "trend", threshold=3, first_cycle="2026-Q1")
        store.people.import_rows("trend", [PersonRow(f"P{i}", f"p{i}@trend.example", _ROLES[i], _TEAMS[i])
                                           for i in range(10)])
        people = sorted(store.people.list("trend"), key=lambda p: int(p.name[1:]))
        workshop = Workshop(store)
        step = framework.steps[0]
        for label, (who, values) in _PLAN.items():
            cycle = store.responses.cycle("trend") if label == "2026-Q1" else store.responses.open_cycle("trend", label)
            for i in who:
                _answer(store, framework, cycle.id, people[i].id, {v: r[i] for v, r in values.items()})
            if label in ("2026-Q1", "2026-Q2"):  # the first step's practices: all 2, then all 3
                for practice in step.practices:
                    workshop.save_rating(cycle.id, practice.id, 2 if label == "2026-Q1" else 3, expected_version=0,
                                         framework=framework)
        yield store


def _report(store: Store, framework: Framework, cycle: str) -> Report:
    return load_report("trend", cycle=cycle, store=store, framework=framework)


def _value(report: Report, group: str, value_id: str) -> ValueTrend:
    return next(t for t in report.trends.values if t.group == group and t.value_id == value_id)


def test_clear_rise_is_up_and_tiny_move_with_big_spread_is_not(trend_store: Store, framework: Framework) -> None:
    report = _report(trend_store, framework, "2026-Q2")
    assert report.trends.shown and report.trends.labels == ("2026-Q1", "2026-Q2")
    innovative, accountable = _value(report, "Everyone", "I"), _value(report, "Everyone", "A")
    assert innovative.change.verdict == "up"
    # Whole batches of 3: the first 9 of the 10 to submit count.
    assert innovative.change.difference == pytest.approx(37 / 9 - 18 / 9)
    assert accountable.change.verdict == "no clear change"
    assert accountable.change.difference == pytest.approx(28 / 9 - 27 / 9)
    # The interval is Welch's on the people's value scores, worked out independently here.
    scores = _PLAN["2026-Q1"][1]["A"][:9], _PLAN["2026-Q2"][1]["A"][:9]
    _, low, high = _welch_by_hand(*scores)
    assert (accountable.change.low, accountable.change.high) == pytest.approx((low, high))
    # The workshop's first step went from 2 to 3 on every practice: a whole level, called.
    first_step = report.trends.steps[0]
    assert first_step.means == (2.0, 3.0) and first_step.change.verdict == "up"


def test_summary_and_section_of_the_known_organisation(trend_store: Store, framework: Framework) -> None:
    from workbook.report import sections

    report = _report(trend_store, framework, "2026-Q2")
    summary = sections.executive_summary(report).text
    assert "Biggest improvement since 2026-Q1: Innovative for everyone, up from 2.0 to 4.1." in summary
    assert "No value declined by more than the noise." in summary
    section = sections.trends(report)
    assert section is not None and section.id == "trends"
    assert "<svg" in section.html and "Average rating per value, everyone, by cycle" in section.html
    svgs = re.findall(r"<svg.*?</svg>", section.html, flags=re.S)
    assert len(svgs) == 2  # everyone's values, the workshop's steps
    for svg in svgs:
        label = re.search(r'aria-label="([^"]+)"', svg)
        assert label and "2026-Q1" in label.group(1) and "2026-Q2" in label.group(1)
    assert "▲ up" in section.html and "no clear change" in section.html
    assert RULE_SENTENCE in section.text
    method = sections.method(report).text
    assert "Welch" in method and "95 %" in method


def test_a_cycle_below_the_threshold_has_no_figures_and_no_comparison(trend_store: Store,
                                                                       framework: Framework) -> None:
    report = _report(trend_store, framework, "2026-Q4")
    trends = report.trends
    assert trends.labels == ("2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4")
    assert [c.enough for c in trends.cycles] == [True, True, False, True]
    assert trends.shown
    for trend in trends.values:
        assert trend.figures[2] is None  # 2026-Q3: two people answered, threshold 3
        assert trend.change.verdict == "no comparison"
    summary = trend_sentences(trends, report.value_names)
    assert summary[0].startswith("2026-Q3 had too few answers to compare with")
    figures = report_figures(report)["trends"]
    assert figures["cycles"][2] == {"label": "2026-Q3", "status": "too few answers", "respondents": None,
                                    "workshop": False}
    assert all(v["cycles"]["2026-Q3"] is None for v in figures["values"])


def test_a_group_hidden_in_a_cycle_is_hidden_in_its_trend(trend_store: Store, framework: Framework) -> None:
    report = _report(trend_store, framework, "2026-Q4")
    # South is shown in 2026-Q1 and Q2; in Q4 only 6 people count and no team may be shown.
    assert list(_report(trend_store, framework, "2026-Q2").by_team.groups["group"]) == ["South", "Other teams"]
    assert report.by_team.groups.empty
    south = [t for t in report.trends.values if t.group == "South"]
    assert len(south) == 5
    for trend in south:
        assert trend.figures[1] is not None and trend.figures[3] is None
        assert trend.change.verdict == "no comparison"
    figures = report_figures(report)["trends"]
    assert all(v["cycles"]["2026-Q4"] is None for v in figures["values"] if v["group"] == "South")


def test_no_trends_with_only_one_cycle_of_results(trend_store: Store, framework: Framework) -> None:
    from workbook.report import sections

    report = _report(trend_store, framework, "2026-Q1")
    assert not report.trends.shown
    assert sections.trends(report) is None
    assert report_figures(report)["trends"] is None
    assert "Trends" not in sections.method(report).text


@pytest.mark.parametrize("current", ["2026-Q2", "2026-Q4"])
def test_every_cycle_shows_exactly_its_own_reports_figures(trend_store: Store, framework: Framework,
                                                            current: str) -> None:
    """The disclosure rule of every cycle holds in the trends: each figure is that cycle's own report's."""
    from workbook.anonymity import OVERALL_LABEL

    report = _report(trend_store, framework, current)
    trends = report.trends
    for index, label in enumerate(trends.labels):
        own = _report(trend_store, framework, label)
        expected: dict[tuple[str, str], tuple[float, int]] = {}
        if own.enough:
            for scores, rename in ((own.overall, {OVERALL_LABEL: "Everyone"}),
                                   (own.by_role, {"leader": "Leaders", "staff": "Staff"}), (own.by_team, {})):
                for row in scores.table.to_dict("records"):
                    if row["shown"]:
                        group = rename.get(str(row["group"]), str(row["group"]))
                        expected[(group, str(row["value_id"]))] = (float(row["mean"]), int(row["n_people"]))
        got = {(t.group, t.value_id): (f.mean, f.people) for t in trends.values
               if (f := t.figures[index]) is not None}
        assert got.keys() == expected.keys(), label
        for key, (mean, people) in expected.items():
            assert got[key][0] == pytest.approx(mean) and got[key][1] == people, (label, key)
        # And the JSON of the trends says the same as the JSON of that cycle's own report.
        if own.enough:
            own_json = report_figures(own)
            everyone = next(g for g in own_json["groups"] if g["kind"] == "everyone")
            trend_json = report_figures(report)["trends"]
            for entry in trend_json["values"]:
                if entry["kind"] == "everyone" and entry["cycles"][label] is not None:
                    assert entry["cycles"][label]["mean"] == pytest.approx(everyone["values"][entry["value"]]["mean"])


def test_json_trends_shape(trend_store: Store, framework: Framework) -> None:
    figures = report_figures(_report(trend_store, framework, "2026-Q2"))
    assert figures["figures_version"] == 4
    trends = json.loads(json.dumps(figures["trends"]))  # plain JSON
    assert set(trends) == {"rule", "cycles", "values", "steps"}
    entry = next(v for v in trends["values"] if v["kind"] == "everyone" and v["value"] == "I")
    assert entry["change"]["verdict"] == "up" and entry["change"]["difference"] == pytest.approx(19 / 9)
    assert set(entry["cycles"]["2026-Q2"]) == {"people", "mean", "spread"}
    team = next(v for v in trends["values"] if v["kind"] == "team")
    assert all(isinstance(t, list) for t in team["teams"].values())
    assert trends["steps"][0]["compared"] == ["2026-Q1", "2026-Q2"]


# --------------------------------------------------------------------------- the demo's history
def test_demo_has_three_past_quarters_and_innovative_improves(demo_db: str, framework: Framework) -> None:
    with open_store(demo_db) as store:
        cycles = store.responses.cycles("demo")
        assert len(cycles) == 4
        report = load_report("demo", store=store, framework=framework)
        trends = report.trends
        assert trends.shown and all(c.enough for c in trends.cycles)
        assert [c.workshop for c in trends.cycles] == [True, True, True, False]
        assert _value(report, "Everyone", "I").change.verdict == "up"
        declined = trends.biggest("down")
        assert declined is not None and declined.value_id == "E"
        # The current quarter is untouched by the history: 20 submitted, 1 part-way, 4 not started.
        progress = store.responses.progress("demo", cycles[-1].id)
        assert (progress["submitted"], progress["in_progress"], progress["not_started"]) == (20, 1, 4)

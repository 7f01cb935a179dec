"""The executive summary's sentences and next steps, from hand-made numbers."""

from __future__ import annotations

from dataclasses import replace

import pytest

from workbook.framework import Framework
from workbook.report import summary
from workbook.report.obstacle_story import WorkshopFacts, quiet_obstacles
from workbook.report.summary import SummaryInputs, WeakPoint, executive_summary

NAMES = {"A": "Accountable", "E": "Energetic", "I": "Innovative", "O": "Optimistic", "U": "Unique"}


def inputs(**changes: object) -> SummaryInputs:
    base = SummaryInputs(
        organisation="Acme", cycle="2026-Q4", invited=20, respondents=16, threshold=5, values=NAMES,
        means={"A": 4.2, "E": 3.9, "I": 3.7, "O": 3.8, "U": 4.0},
        agreement={v: "high agreement" for v in NAMES}, strongest="A", weakest="I",
        gaps={"A": (4.3, 4.1), "E": (4.0, 3.9), "I": (3.8, 3.7), "O": (3.9, 3.8), "U": (4.1, 4.0)},
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_public_api_is_what_the_report_uses() -> None:
    public = {name for name in vars(summary) if not name.startswith("_") and name.isidentifier()}
    assert set(summary.__all__) <= public


# --- response rate ---------------------------------------------------------------------
@pytest.mark.parametrize(("respondents", "invited", "in_progress", "expected"), [
    (16, 20, 0, "16 of the 20 people invited (80%) submitted their answers for 2026-Q4."),
    (1, 1, 0, "1 of the 1 person invited (100%) submitted their answers for 2026-Q4."),
    (2, 3, 1, "2 of the 3 people invited (67%) submitted their answers for 2026-Q4; 1 more started but has "
              "not submitted."),
    (0, 0, 0, "Nobody has been invited to the 2026-Q4 assessment yet."),
])
def test_response_sentence(respondents: int, invited: int, in_progress: int, expected: str) -> None:
    assert summary.response_sentence(respondents, invited, "2026-Q4", in_progress) == expected


def test_not_enough_says_how_many_are_needed_and_why() -> None:
    assert summary.not_enough_sentence(0, 5, "2026-Q4") == (
        "No one has submitted answers for 2026-Q4 yet, so there are no results to show.")
    sentence = summary.not_enough_sentence(3, 5, "2026-Q4")
    assert sentence.startswith("Only 3 people have submitted answers so far.")
    assert "at least 5 people" in sentence and "nobody's answers can be picked out" in sentence


# --- strongest / weakest -------------------------------------------------------------------
def test_extremes_name_the_values_with_their_averages() -> None:
    assert summary.extremes_sentence(inputs()) == (
        "Accountable is the strongest value (4.2 out of 5); Innovative has the most room to grow (3.7).")


def test_extremes_when_all_alike_or_too_few() -> None:
    alike = inputs(means={v: 3.5 for v in NAMES}, strongest=None, weakest=None)
    assert summary.extremes_sentence(alike) == "All the values score alike, around 3.5 out of 5."
    one = inputs(means={"A": 4.0}, strongest=None, weakest=None)
    assert "Too few values" in summary.extremes_sentence(one)


# --- leaders vs staff ------------------------------------------------------------------------
def test_largest_gap_by_size_whichever_side_is_higher() -> None:
    gaps = {"A": (4.0, 3.6), "E": (3.0, 3.9), "I": (3.0, 3.0)}  # E: staff 0.9 higher
    assert summary.gap_sentence(inputs(gaps=gaps)) == (
        "The largest difference between leaders and staff is on Energetic: staff rate it 0.9 higher than "
        "leaders do (3.0 for leaders, 3.9 for staff).")


def test_small_gaps_are_called_alike_and_hidden_comparison_says_why() -> None:
    assert summary.gap_sentence(inputs()).startswith("Leaders and staff see the values much alike")
    note = "Leaders and staff are not compared: fewer than 5 leaders have responded."
    assert summary.gap_sentence(inputs(gaps=None, gap_note=note)) == note


def test_gap_ties_go_to_framework_order() -> None:
    gaps = {"U": (4.5, 3.5), "E": (4.0, 3.0)}
    assert "on Energetic" in summary.gap_sentence(inputs(gaps=gaps))


# --- obstacles --------------------------------------------------------------------------------
def test_no_signal_no_obstacle(framework: Framework) -> None:
    assert summary.obstacle_signals(inputs(), framework.obstacles) == ()
    assert summary.obstacle_sentence((), inputs()).startswith("None of the five DIME™ obstacles stands out")


def test_weak_values_gaps_and_spread_point_to_obstacles(framework: Framework) -> None:
    data = inputs(
        means={"A": 4.2, "E": 3.9, "I": 2.6, "O": 3.2, "U": 4.0},
        gaps={"A": (4.6, 3.9), "E": (4.0, 3.9), "I": (2.7, 2.6), "O": (3.3, 3.2), "U": (4.1, 4.0)},
        agreement={**{v: "high agreement" for v in NAMES}, "U": "low agreement"},
    )
    signals = summary.obstacle_signals(data, framework.obstacles)
    found = {s.obstacle.id: s.reasons for s in signals}
    assert found == {
        "resources": ("Innovative averages 2.6, below 3.5",),
        "credibility": ("Optimistic averages 3.2, below 3.5",),
        "alignment": ("leaders rate Accountable at least 0.5 higher than staff do",),
        "clarity": ("people see Unique very differently (low agreement)",),
    }
    # The weakest value's obstacle first (one signal each: the order they were found in).
    assert [s.obstacle.id for s in signals][:2] == ["resources", "credibility"]
    assert summary.obstacle_sentence(signals, data) == (
        "Of the five DIME™ obstacles, the answers point most to lack of resources (Innovative averages 2.6, "
        "below 3.5) and lack of credibility (Optimistic averages 3.2, below 3.5); the workshop has not yet looked "
        "at the obstacles for this cycle.")


def test_more_signals_rank_an_obstacle_higher(framework: Framework) -> None:
    data = inputs(
        means={"A": 4.2, "E": 3.9, "I": 3.4, "O": 4.0, "U": 4.0},
        gaps={"A": (3.5, 4.2), "E": (4.0, 3.9)},  # staff higher on A -> clarity
        agreement={**{v: "high agreement" for v in NAMES}, "E": "low agreement"},  # -> clarity again
    )
    signals = summary.obstacle_signals(data, framework.obstacles)
    assert [s.obstacle.id for s in signals] == ["clarity", "resources"]
    assert len(signals[0].reasons) == 2


def test_unknown_obstacle_ids_are_ignored(framework: Framework) -> None:
    others = tuple(o for o in framework.obstacles if o.id != "resources")
    data = inputs(means={**inputs().means, "I": 2.0})
    assert summary.obstacle_signals(data, others) == ()


# --- one obstacle story: the answers and the workshop -------------------------------------------
#: The team ticked Lack of clarity at two steps; the answers point only to resources (Innovative 2.6).
TICKED_CLARITY = WorkshopFacts({"clarity": ("Deliberate culture", "Human connections")}, actions=3, actions_open=2)


def test_an_obstacle_the_team_ticked_is_never_called_quiet(framework: Framework) -> None:
    data = inputs(means={**inputs().means, "I": 2.6}, workshop=TICKED_CLARITY)
    result = executive_summary(data, framework.obstacles)
    kinds = {s.obstacle.id: s.source for s in result.story}
    assert kinds == {"resources": "answers", "clarity": "workshop"}
    assert "clarity" not in {o.id for o in quiet_obstacles(result.story, framework.obstacles)}
    said = " ".join(result.sentences)
    assert ("The team ticked lack of clarity (at the Deliberate culture and Human connections steps) in the "
            "workshop, though the answers do not show it") in said
    assert "which the team did not tick in the workshop" in said  # resources: the answers' alone
    assert any("ticked lack of clarity at the Deliberate culture and Human connections steps" in step
               for step in result.next_steps)


def test_the_answers_and_the_team_agreeing_comes_first(framework: Framework) -> None:
    seen = WorkshopFacts({"resources": ("Human connections",), "clarity": ("Deliberate culture",)})
    data = inputs(means={**inputs().means, "I": 2.6, "O": 3.0}, workshop=seen)
    result = executive_summary(data, framework.obstacles)
    assert [(s.obstacle.id, s.source) for s in result.story] == [
        ("resources", "both"), ("credibility", "answers"), ("clarity", "workshop")]
    assert result.sentences[3].startswith("Of the five DIME™ obstacles, the answers and the team in the workshop "
                                          "both point to lack of resources (Innovative averages 2.6, below 3.5; "
                                          "the team ticked it at the Human connections step).")


def test_all_clear_only_when_the_team_ticked_nothing_either(framework: Framework) -> None:
    quiet = executive_summary(inputs(workshop=WorkshopFacts({})), framework.obstacles)
    assert quiet.story == ()
    assert quiet.sentences[-1].endswith("and the team ticked none in the workshop.")
    ticked = executive_summary(inputs(workshop=TICKED_CLARITY), framework.obstacles)
    assert not any(s.startswith("None of the five") for s in ticked.sentences)


# --- next steps ----------------------------------------------------------------------------------
WEAK_POINT = WeakPoint("I5", "I ask customers how we could make things easier for them.", 2.5, "Sometimes", False)


def test_three_steps_weakest_then_gap_then_workshop() -> None:
    data = inputs(gaps={"A": (4.6, 3.9), "E": (4.0, 3.9)}, weak_point=WEAK_POINT)
    steps = summary.next_steps(data)
    assert len(steps) == 3
    assert steps[0] == ("Work on Innovative, the value with most room to grow. Asked about “I ask customers how we "
                        "could make things easier for them”, people answered “sometimes” on average: agree with the "
                        "team one small way to do it more often this month, and look at this statement again in "
                        "the next assessment.")
    assert steps[1].startswith("Talk openly about Accountable: leaders rate it higher (4.6 for leaders, 3.9 for "
                               "staff).")
    assert steps[2].startswith("Take these results into the DIME™ steps workshop")
    assert not any("could show more" in step for step in steps)  # the old template's words


def test_a_reverse_worded_weak_point_asks_for_less_of_it() -> None:
    point = WeakPoint("U3", "I give every customer the same scripted answer, whatever their situation.", 2.1,
                      "Often", True)
    step = summary.next_steps(inputs(weakest="U", weak_point=point))[0]
    assert "“I give every customer the same scripted answer, whatever their situation”, people answered “often”" \
        in step
    assert "what to do instead" in step


def test_after_the_workshop_the_third_step_follows_its_open_actions() -> None:
    assert summary.next_steps(inputs(workshop=TICKED_CLARITY))[2].startswith(
        "Follow up the 2 actions still open from the workshop")


def test_low_response_rate_becomes_a_step_without_a_second_figure() -> None:
    steps = summary.next_steps(inputs(respondents=8, invited=20))
    assert "Innovative" in steps[0]
    assert steps[1].startswith("Ask more people to answer next time")
    assert "%" not in steps[1] and "8" not in steps[1]  # the rate is given once, in the first sentence


def test_steps_still_three_without_strongest_or_weakest() -> None:
    steps = summary.next_steps(inputs(strongest=None, weakest=None, gaps=None))
    assert len(steps) == 3 and len(set(steps)) == 3


# --- the whole summary -------------------------------------------------------------------------------
def test_too_few_respondents_give_a_short_summary(framework: Framework) -> None:
    result = executive_summary(inputs(respondents=3, means={}, strongest=None, weakest=None, gaps=None),
                               framework.obstacles)
    assert len(result.sentences) == 2
    assert result.sentences[1].startswith("Only 3 people have submitted answers")
    assert result.next_steps == () and result.obstacles == ()


def test_full_summary_has_four_sentences_and_three_steps(framework: Framework) -> None:
    result = executive_summary(inputs(), framework.obstacles)
    assert len(result.sentences) == 4 and len(result.next_steps) == 3
    assert result.sentences[0].startswith("16 of the 20 people invited (80%)")


def test_counting_whole_groups_is_explained(framework: Framework) -> None:
    result = executive_summary(inputs(submitted=18, respondents=15), framework.obstacles)
    assert result.sentences[0].startswith("18 of the 20 people invited (90%) submitted")
    assert result.sentences[1] == (
        "The results count the first 15 of them, to keep everyone's answers private; the method appendix explains "
        "why.")
    assert "%" not in " ".join(result.sentences[1:])  # one response figure, in the first sentence

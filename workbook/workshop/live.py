"""The workshop's live panel: who has taken part so far, and the team's value profile.

Three privacy rules, all through :mod:`workbook.anonymity`:

* **Only big enough teams are listed.**  Submitted counts per team are shown
  only for teams of at least the anonymity threshold (by people invited);
  smaller ones are counted together as "Other teams", pooled by the same rule
  as the report's (:func:`workbook.anonymity.plan_partition`).  "Team A: 1
  submitted" for a team of one tells the room that its one member has answered.
* **Counts, never names, and no exact small gaps.**  The number still to submit
  is shown exactly only when it is at least the threshold; below it the panel
  says "fewer than N".  Team sizes are not shown, because size minus submitted
  would give the exact gap again.  Someone who has submitted counts in the team
  they had when submitting, as their answers do.
* **Response rates say no more than the counts.**  A rate beside a submitted
  count gives the group's size, and so the gap: it is exact only where the gap
  is shown exactly (or is none); otherwise it is the lower bound the shown
  figures already give ("at least 71%"), never a new fact.
* **The profile moves in whole batches.**  The panel is refreshed during the
  workshop, and comparing the profile before and after one more person
  submits would reveal that person's answers (the difference attack).  So the
  profile counts the first ``k * threshold`` people to submit (in submission
  order, which is stable across refreshes and kernels): two snapshots always
  differ by a whole batch of at least ``threshold`` people, or not at all.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from workbook.framework import Framework
from workbook.store import CycleRecord, OrganisationRecord, Store
from workbook.workshop.records import TeamProgress

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["LiveProfile", "Participation", "closing_words", "live_profile", "participation", "response_rate",
           "still_to_submit"]

#: The series name of the profile chart.
PROFILE_SERIES = "Everyone counted so far"


@dataclass(frozen=True, slots=True)
class Participation:
    """How far the values self-assessment has got, in words safe to project.

    ``teams`` lists only teams (or the pool of small ones) the rule lets the
    panel show; ``notes`` says which were combined, or why none is listed.
    """

    submitted: int
    still_to_submit: str
    teams: tuple[tuple[str, int, str], ...]  # team, submitted, still to submit (words)
    notes: tuple[str, ...] = ()
    counted: bool = True  # False: fewer people invited than the threshold, so no count is shown
    rate: str = ""  # the response rate overall, in words safe to project (see response_rate)
    team_rates: tuple[str, ...] = ()  # the same, for each of ``teams``


@dataclass(frozen=True, slots=True)
class LiveProfile:
    """The organisation's value profile from whole batches of submissions.

    ``chart_data`` (columns ``value``, ``series``, ``score``) is empty until a
    first batch of ``threshold`` people has submitted.
    """

    submitted: int
    counted: int
    threshold: int
    chart_data: pd.DataFrame
    notes: tuple[str, ...]

    @property
    def shown(self) -> bool:
        return not self.chart_data.empty


def still_to_submit(count: int, threshold: int) -> str:
    """Words for how many people are still to submit, never an exact small number."""
    if count <= 0:
        return "everyone has submitted"
    if count < threshold:
        return f"fewer than {threshold} still to submit"
    return f"{count} still to submit"


def response_rate(submitted: int, missing: int, threshold: int) -> str:
    """The share who have submitted, exact only when the gap is shown exactly (see the module's rules)."""
    total = submitted + missing
    if total <= 0:
        return ""
    if missing <= 0:
        return "100%"
    if missing >= threshold:
        return f"{round(100 * submitted / total)}%"
    # The panel says only "fewer than N still to submit": the lowest rate that allows.
    bound = math.floor(100 * submitted / (submitted + threshold - 1))
    return f"at least {bound}%" if bound > 0 else "under 100%"


def closing_words(closes_on: date | None, on: date | None = None) -> str:
    """The days left before the self-assessment closes, in a sentence ("" without a closing date)."""
    from workbook.closing import days_left, is_closed
    from workbook.text import format_day

    if closes_on is None:
        return ""
    if is_closed(closes_on, on):
        return f"The self-assessment closed on {format_day(closes_on)}."
    left = days_left(closes_on, on)
    if left == 0:
        return f"The self-assessment closes today ({format_day(closes_on)})."
    return f"{left} {'day' if left == 1 else 'days'} left: the self-assessment closes on {format_day(closes_on)}."


def participation(progress: tuple[TeamProgress, ...], threshold: int) -> Participation:
    """Counts per team big enough to show (small ones pooled), and overall, with the gaps in words."""
    from workbook.anonymity import POOL_LABEL, plan_partition

    submitted = sum(t.submitted for t in progress)
    missing = sum(t.still_to_submit for t in progress)
    plan = plan_partition({t.team: t.people for t in progress}, threshold)
    done: dict[str, int] = {}
    gap: dict[str, int] = {}
    for team in progress:
        label = plan.label_for(team.team)
        if label is not None:
            done[label] = done.get(label, 0) + team.submitted
            gap[label] = gap.get(label, 0) + team.still_to_submit
    teams = tuple((label, done[label], still_to_submit(gap[label], threshold)) for label in plan.groups)
    rates = tuple(response_rate(done[label], gap[label], threshold) for label in plan.groups)
    notes: list[str] = []
    invited = sum(t.people for t in progress)
    if 0 < invited < threshold:  # even the total would say which of these few people have answered
        notes.append(f"Fewer than {threshold} people are invited, so the number who have submitted is not shown.")
        return Participation(0, "", (), tuple(notes), counted=False)
    if plan.merged and plan.groups:
        notes.append(f"'{POOL_LABEL}' counts {_names(plan.merged)} together, so that no team of fewer than "
                     f"{threshold} people is shown on its own.")
    elif progress and not plan.groups:
        notes.append(f"Submissions are not shown by team: no team can be listed on its own while every listed "
                     f"group has {threshold} or more people.")
    return Participation(submitted, still_to_submit(missing, threshold), teams, tuple(notes),
                         rate=response_rate(submitted, missing, threshold), team_rates=rates)


def _names(items: tuple[str, ...]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def live_profile(store: Store, framework: Framework, organisation: OrganisationRecord,
                 cycle: CycleRecord) -> LiveProfile:
    """The value profile of everyone in the counted batches (see the module's rules)."""
    import pandas as pd

    from workbook.dataset import answers_in_whole_batches
    from workbook.scoring import group_scores

    threshold = organisation.anonymity_threshold
    batched = answers_in_whole_batches(store, framework, organisation.id, cycle.id, threshold)
    submitted, counted, answers = batched.submitted, batched.counted, batched.frame
    empty = pd.DataFrame(columns=["value", "series", "score"])
    if counted == 0:
        note = (f"The team's value profile appears once {threshold} people have submitted "
                f"({'nobody has' if not submitted else 'fewer than ' + str(threshold) + ' have'} so far).")
        return LiveProfile(submitted, 0, threshold, empty, (note,))
    scores = group_scores(answers, "overall", threshold=threshold, scale_min=framework.scale.minimum,
                          scale_max=framework.scale.maximum, value_order=[v.id for v in framework.values])
    names = {v.id: v.name for v in framework.values}
    rows = [
        {"value": names[str(r["value_id"])], "series": PROFILE_SERIES, "score": float(r["mean"])}
        for r in scores.table.to_dict("records") if r["shown"] and str(r["value_id"]) in names
    ]
    # One plain line each, fit for a projector; the rules in full are in the report's method appendix.
    notes = ["Some results are hidden because too few people rated them, to keep answers anonymous."] \
        if scores.notes else []
    if counted < submitted:
        notes.append(f"The profile counts {counted} of the {submitted} people who have submitted: it grows "
                     f"{threshold} people at a time, so that nobody's answers can be picked out.")
    frame = pd.DataFrame(rows, columns=["value", "series", "score"]) if rows else empty
    return LiveProfile(submitted, counted, threshold, frame, tuple(dict.fromkeys(notes)))

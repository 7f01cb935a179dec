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
* **The profile moves in whole batches.**  The panel is refreshed during the
  workshop, and comparing the profile before and after one more person
  submits would reveal that person's answers (the difference attack).  So the
  profile counts the first ``k * threshold`` people to submit (in submission
  order, which is stable across refreshes and kernels): two snapshots always
  differ by a whole batch of at least ``threshold`` people, or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from workbook.framework import Framework
from workbook.store import CycleRecord, OrganisationRecord, Store
from workbook.workshop.records import TeamProgress

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["LiveProfile", "Participation", "live_profile", "participation", "still_to_submit"]

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
    return Participation(submitted, still_to_submit(missing, threshold), teams, tuple(notes))


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
    notes = list(scores.notes)
    if counted < submitted:
        notes.append(f"The profile counts {counted} of the {submitted} people who have submitted: it moves in "
                     f"steps of {threshold}, so nobody's answers can be worked out from a change.")
    frame = pd.DataFrame(rows, columns=["value", "series", "score"]) if rows else empty
    return LiveProfile(submitted, counted, threshold, frame, tuple(dict.fromkeys(notes)))

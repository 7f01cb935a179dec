"""What a respondent's results page computes: their scores beside everyone's average.

The person's own scores are shown only to them (the app is opened with their
token).  Team and organisation averages go through the anonymity layer of
:mod:`workbook.scoring`: a group with fewer submitted respondents than the
organisation's threshold is never shown, and the page says why.  Pure data, so
it is tested without widgets; :mod:`workbook.values.html` turns it into a page.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from workbook.framework import Framework
from workbook.store import Store
from workbook.values.respondent import Respondent

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["EVERYONE", "GAP_WORTH_MENTIONING", "PersonalResults", "personal_results"]


#: A difference from the average of at least this much (on a 1-5 scale) is called a clear one.
GAP_WORTH_MENTIONING = 0.5
EVERYONE = "Everyone who responded"


@dataclass(frozen=True, slots=True)
class PersonalResults:
    """One person's value scores and the groups they may be compared with."""

    chart_data: pd.DataFrame  # value, series, score (long, for the chart)
    own: dict[str, float]  # value name -> the person's score
    compared_with: str | None  # "everyone who responded", or None below the threshold
    gaps: dict[str, float]  # value name -> person - comparison group
    notes: tuple[str, ...]
    #: value name -> the person's own rating of the organisation (empty when they were not asked)
    organisation: dict[str, float] = field(default_factory=dict)


def personal_results(store: Store, framework: Framework, respondent: Respondent) -> PersonalResults:
    """Compute the results panel's numbers (pure data, so it is easy to test).

    The person's own scores use all their answers.  The only comparison is the
    average of everyone counted so far, in whole batches of the threshold
    (:func:`workbook.dataset.answers_in_whole_batches`): the counted sets are
    nested prefixes of the submission order, so two looks at this page differ
    by a whole batch of people or not at all.  A per-team series is left out on
    purpose: a team average next to the organisation's, each counted from a
    different set of people, can be subtracted (with the viewer's own scores)
    to isolate one colleague.  Team comparisons belong to the workshop and the
    report, where partitions are suppressed as a whole.
    """
    import pandas as pd

    from workbook.dataset import answers_frame, answers_in_whole_batches
    from workbook.scoring import group_scores, person_value_scores

    org, cycle, person = respondent.organisation, respondent.cycle, respondent.person
    threshold = org.anonymity_threshold
    order = [v.id for v in framework.values]
    names = {v.id: v.name for v in framework.values}
    low, high = framework.scale.minimum, framework.scale.maximum
    everyone = answers_frame(store, framework, org.id, cycle.id)
    own_scores = person_value_scores(everyone[everyone["person_id"] == str(person.id)], low, high)

    batch = answers_in_whole_batches(store, framework, org.id, cycle.id, threshold)
    scores = group_scores(batch.frame, "overall", threshold=threshold, scale_min=low, scale_max=high,
                          value_order=order)
    means = {str(r["value_id"]): float(r["mean"]) for r in scores.table.to_dict("records") if r["shown"]}

    rows: list[dict[str, object]] = []
    own: dict[str, float] = {}
    for record in own_scores.to_dict("records"):
        value_id, score = str(record["value_id"]), float(record["score"])
        if not math.isnan(score):
            own[names[value_id]] = score
            rows.append({"value": names[value_id], "series": "You", "score": score})
    rows += [{"value": names[v], "series": EVERYONE, "score": m} for v, m in means.items() if v in names]

    notes: list[str] = []
    if not means:
        notes.append(f"The average of everyone taking part appears once {threshold} people have submitted; "
                     "smaller groups are never shown, to keep everyone's answers private.")
    elif batch.counted < batch.submitted:
        notes.append(f"The average includes {batch.counted} people so far: it grows {threshold} people at a time, "
                     "so that nobody's answers can be picked out.")
    gaps = {names[v]: own[names[v]] - m for v, m in means.items() if names.get(v) in own}
    frame = pd.DataFrame(rows, columns=["value", "series", "score"])
    compared = "everyone who responded" if means else None
    return PersonalResults(frame, own, compared, gaps, tuple(notes), _own_view_of_organisation(store, framework,
                                                                                           respondent))


def _own_view_of_organisation(store: Store, framework: Framework, respondent: Respondent) -> dict[str, float]:
    """Value name -> this person's score of the organisation, from their own answers only."""
    if not framework.organisation_statements:
        return {}
    from workbook.organisation_gap import organisation_answers
    from workbook.scoring import person_value_scores

    person = respondent.person
    rows = store.responses.rows(respondent.organisation.id, respondent.cycle.id)
    mine = [r for r in rows if r.person_id == person.id]
    if not mine:
        return {}
    import pandas as pd

    who = pd.DataFrame({"person_id": [str(person.id)], "role": [mine[0].role], "team": [mine[0].team]})
    scores = person_value_scores(organisation_answers(mine, framework, who), framework.scale.minimum,
                                 framework.scale.maximum)
    names = {v.id: v.name for v in framework.values}
    return {names[str(v)]: float(s) for v, s in zip(scores["value_id"], scores["score"], strict=True)
            if not math.isnan(float(s))}

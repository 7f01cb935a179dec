"""What a respondent's results page computes: their scores beside everyone's average.

The person's own scores are shown only to them (the app is opened with their
token).  Team and organisation averages go through the anonymity layer of
:mod:`workbook.scoring`: a group with fewer submitted respondents than the
organisation's threshold is never shown, and the page says why.  Pure data, so
it is tested without widgets; :mod:`workbook.values.html` turns it into a page.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from workbook.errors import WorkbookError
from workbook.framework import Framework
from workbook.store import AnswerRow, Store
from workbook.values.respondent import Respondent

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["EVERYONE", "GAP_WORTH_MENTIONING", "KEPT_AVERAGE_VERSION", "LARGE_ORGANISATION", "EveryoneAverage",
           "PersonalResults", "everyone_average", "personal_results"]

log = logging.getLogger(__name__)


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
    (:func:`everyone_average`): the counted sets are nested prefixes of the
    submission order, so two looks at this page differ by a whole batch of
    people or not at all.  A per-team series is left out on purpose: a team
    average next to the organisation's, each counted from a different set of
    people, can be subtracted (with the viewer's own scores) to isolate one
    colleague.  Team comparisons belong to the workshop and the report, where
    partitions are suppressed as a whole.
    """
    import pandas as pd

    from workbook.dataset import answers_frame
    from workbook.scoring import person_value_scores

    org, cycle, person = respondent.organisation, respondent.cycle, respondent.person
    threshold = org.anonymity_threshold
    names = {v.id: v.name for v in framework.values}
    low, high = framework.scale.minimum, framework.scale.maximum
    mine = store.responses.rows(org.id, cycle.id, person_id=person.id)  # nobody else's answers are read
    own_scores = person_value_scores(answers_frame(store, framework, org.id, cycle.id, rows=mine), low, high)
    average = everyone_average(store, framework, respondent)
    means = average.means

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
    elif average.counted < average.submitted:
        notes.append(f"The average includes {average.counted} people so far: it grows {threshold} people at a "
                     "time, so that nobody's answers can be picked out.")
    gaps = {names[v]: own[names[v]] - m for v, m in means.items() if names.get(v) in own}
    frame = pd.DataFrame(rows, columns=["value", "series", "score"])
    compared = "everyone who responded" if means else None
    return PersonalResults(frame, own, compared, gaps, tuple(notes),
                           _own_view_of_organisation(framework, respondent, mine))


@dataclass(frozen=True, slots=True)
class EveryoneAverage:
    """The average a results page may show: value id -> mean, for the values shown."""

    means: dict[str, float]
    counted: int  # people counted: whole batches of the threshold, first to submit first
    submitted: int  # people who have submitted so far


#: Changed whenever what a kept average holds, or how it is worked out, changes: older ones are then ignored.
KEPT_AVERAGE_VERSION = 1
#: From this many people counted, a kept average a few people behind may be shown instead of working it out.
LARGE_ORGANISATION = 1000
#: ... at most this share of the counted people behind ...
BEHIND_SHARE = 0.02
#: ... and made at most this long ago.
BEHIND_SECONDS = 600
#: Times a page works the average out while people are being erased, before it shows none.
WORK_OUT_TRIES = 3


def everyone_average(store: Store, framework: Framework, respondent: Respondent) -> EveryoneAverage:
    """The average of everyone counted so far, worked out once per counted set and then kept.

    Working it out reads every counted answer, which grows with the
    organisation (about 4 CPU seconds a page with 5,000 people who had
    submitted).  Submitted answers cannot change, so the same people give the
    same average: it is kept in the database under a fingerprint of the
    counted people (their ids, roles, teams and moments of submitting, in
    order), the threshold, the framework's scoring and this code's version,
    and a later page reads it back.  Anyone leaving, or a role or team
    changing, gives a new fingerprint, so nothing stale is shown; erasing a
    person also deletes the organisation's kept averages.

    With :data:`LARGE_ORGANISATION` or more people counted, a new whole batch
    arrives every few submissions and working each one out (2-3 CPU seconds
    at 5,000) would cost more than everything else a respondent does.  So a
    kept average of an earlier whole batch is shown while it is at most
    :data:`BEHIND_SHARE` of the people behind and :data:`BEHIND_SECONDS` old;
    its fingerprint is checked against today's first submitters, so it is
    still the average of a prefix of whole batches, and two looks at the page
    still differ by whole batches or not at all.  The page says how many
    people it counts.  A page that cannot keep what it worked out still shows it.
    """
    org, cycle = respondent.organisation, respondent.cycle
    threshold = org.anonymity_threshold
    scoring = _scoring_fingerprint(framework)
    for _attempt in range(WORK_OUT_TRIES):
        submitters = store.responses.submitters(org.id, cycle.id)
        counted = len(submitters) - len(submitters) % threshold
        if counted == 0:
            return EveryoneAverage({}, 0, len(submitters))

        def fingerprint(people: int, submitters: tuple[tuple[int, str, str, str], ...] = submitters) -> str:
            return hashlib.sha256(json.dumps([scoring, threshold, submitters[:people]]).encode()).hexdigest()

        def read(payload: str, people: int, submitted: int = len(submitters)) -> EveryoneAverage:
            return EveryoneAverage({str(k): float(v) for k, v in json.loads(payload).items()}, people, submitted)

        exact = fingerprint(counted)
        kept = store.comparisons.get(cycle.id, exact)
        if kept is not None:
            return read(kept, counted)
        if counted >= LARGE_ORGANISATION:
            since = datetime.now(UTC) - timedelta(seconds=BEHIND_SECONDS)
            for earlier in store.comparisons.newest(cycle.id):
                if (counted - BEHIND_SHARE * counted <= earlier.counted < counted and earlier.made_at >= since
                        and fingerprint(earlier.counted) == earlier.fingerprint):
                    return read(earlier.payload, earlier.counted)
        means = _work_out_average(store, framework, respondent, {p for p, *_rest in submitters[:counted]})
        # Someone counted erased while their answers were read would make this the average of one person
        # fewer, kept under the full set's fingerprint: read the submitters again, and start over if so.
        if store.responses.submitters(org.id, cycle.id)[:counted] != submitters[:counted]:
            continue
        try:
            store.comparisons.keep(cycle.id, exact, json.dumps(means), counted)
        except WorkbookError as error:  # the next page works it out again
            log.warning("could not keep the average for results pages: %s", error)
        return EveryoneAverage(means, counted, len(submitters))
    log.warning("people were erased while everyone's average was worked out, %d times: none shown", WORK_OUT_TRIES)
    return EveryoneAverage({}, 0, len(submitters))


def _scoring_fingerprint(framework: Framework) -> list[object]:
    """What a kept average depends on besides the people: this code and the framework's scoring."""
    from workbook import __version__

    statements = [(s.id, framework.value_of_statement(s.id).id, s.reverse, s.about_organisation)
                  for s in framework.statements]
    return [KEPT_AVERAGE_VERSION, __version__, framework.id, framework.version, framework.scale.minimum,
            framework.scale.maximum, statements]


def _work_out_average(store: Store, framework: Framework, respondent: Respondent,
                      counted: set[int]) -> dict[str, float]:
    """Value id -> the mean of the ``counted`` people, for the values the anonymity rules let a page show."""
    from workbook.dataset import answers_frame
    from workbook.scoring import group_scores

    org, cycle = respondent.organisation, respondent.cycle
    rows = [r for r in store.responses.rows(org.id, cycle.id) if r.person_id in counted]
    scores = group_scores(answers_frame(store, framework, org.id, cycle.id, rows=rows), "overall",
                          threshold=org.anonymity_threshold, scale_min=framework.scale.minimum,
                          scale_max=framework.scale.maximum, value_order=[v.id for v in framework.values])
    return {str(r["value_id"]): float(r["mean"]) for r in scores.table.to_dict("records") if r["shown"]}


def _own_view_of_organisation(framework: Framework, respondent: Respondent,
                              mine: list[AnswerRow]) -> dict[str, float]:
    """Value name -> this person's score of the organisation, from their own answers (``mine``) only."""
    if not framework.organisation_statements:
        return {}
    from workbook.organisation_gap import organisation_answers
    from workbook.scoring import person_value_scores

    person = respondent.person
    if not mine:
        return {}
    import pandas as pd

    who = pd.DataFrame({"person_id": [str(person.id)], "role": [mine[0].role], "team": [mine[0].team]})
    scores = person_value_scores(organisation_answers(mine, framework, who), framework.scale.minimum,
                                 framework.scale.maximum)
    names = {v.id: v.name for v in framework.values}
    return {names[str(v)]: float(s) for v, s in zip(scores["value_id"], scores["score"], strict=True)
            if not math.isnan(float(s))}

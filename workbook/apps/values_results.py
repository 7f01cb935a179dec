"""What a respondent sees after submitting: their scores beside the team's.

The person's own scores are shown only to them (the app is opened with their
token).  Team and organisation averages go through the anonymity layer of
:mod:`workbook.scoring`: a group with fewer submitted respondents than the
organisation's threshold is never shown, and the panel says why.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import ipywidgets as widgets

from workbook.apps.ui import esc
from workbook.framework import Framework
from workbook.store import Store

if TYPE_CHECKING:
    import pandas as pd

    from workbook.apps.values import Respondent, ValuesAssessment

__all__ = ["GAP_WORTH_MENTIONING", "PersonalResults", "personal_results", "results_panel"]

#: A difference from the team of at least this much (on a 1-5 scale) is pointed out.
GAP_WORTH_MENTIONING = 0.5


@dataclass(frozen=True, slots=True)
class PersonalResults:
    """One person's value scores and the groups they may be compared with."""

    chart_data: pd.DataFrame  # value, series, score (long, for the chart)
    own: dict[str, float]  # value name -> the person's score
    compared_with: str | None  # "your team (Front Desk)", "everyone who responded" or None
    gaps: dict[str, float]  # value name -> person - comparison group
    notes: tuple[str, ...]


def personal_results(store: Store, framework: Framework, respondent: Respondent) -> PersonalResults:
    """Compute the results panel's numbers (pure data, so it is easy to test).

    The person's own scores use all their answers.  The team's and everyone's
    averages use whole batches of submissions only
    (:func:`workbook.dataset.answers_in_whole_batches`): a respondent can open
    their results again after others submit, and a figure that moved by one
    person would reveal that person's answers.
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
    mine = everyone[everyone["person_id"] == str(person.id)]
    own_scores = person_value_scores(mine, low, high)

    def group_means(frame: pd.DataFrame) -> tuple[dict[str, float], tuple[str, ...]]:
        scores = group_scores(frame, "overall", threshold=threshold, scale_min=low, scale_max=high,
                              value_order=order)
        means = {str(r["value_id"]): float(r["mean"]) for r in scores.table.to_dict("records") if r["shown"]}
        return means, scores.notes

    team_batch = answers_in_whole_batches(store, framework, org.id, cycle.id, threshold, team=person.team)
    team_means, _ = group_means(team_batch.frame)
    org_batch = answers_in_whole_batches(store, framework, org.id, cycle.id, threshold)
    org_means, org_notes = group_means(org_batch.frame)

    team_label = f"Your team ({person.team})"
    rows: list[dict[str, object]] = []
    own: dict[str, float] = {}
    for record in own_scores.to_dict("records"):
        value_id, score = str(record["value_id"]), float(record["score"])
        if not math.isnan(score):
            own[names[value_id]] = score
            rows.append({"value": names[value_id], "series": "You", "score": score})
    if set(team_batch.frame["person_id"]) == set(org_batch.frame["person_id"]):
        org_means = {}  # the same people: a second, identical series would only hide the first
    for means, series in ((team_means, team_label), (org_means, "Everyone who responded")):
        rows += [{"value": names[v], "series": series, "score": m} for v, m in means.items() if v in names]

    notes: list[str] = []
    if team_means:
        compared: str | None = f"your team ({person.team})"
        reference = team_means
    else:
        notes.append(f"Your team's average appears once {threshold} people in your team have submitted; "
                     "smaller groups are never shown, to keep everyone's answers private.")
        compared = "everyone who responded" if org_means else None
        reference = org_means
    if not org_means and not team_means:
        notes.extend(org_notes or (f"Averages appear once {threshold} people have submitted.",))
    for count, batch in ((team_batch.counted, team_batch), (org_batch.counted, org_batch)):
        if 0 < count < batch.submitted:
            notes.append(f"Averages include people in whole groups of {threshold} as they submit, so nobody's "
                         "answers can be worked out from a change; they may not include everyone yet.")
            break
    gaps = {names[v]: own[names[v]] - m for v, m in reference.items() if names.get(v) in own}
    frame = pd.DataFrame(rows, columns=["value", "series", "score"])
    return PersonalResults(frame, own, compared, gaps, tuple(dict.fromkeys(notes)))


def results_panel(app: ValuesAssessment) -> widgets.Widget:
    """The widget shown under "Your results"."""
    from workbook.charts import chart_html, value_profile_chart

    results = personal_results(app.store, app.framework, app.respondent)
    scale = app.framework.scale
    parts: list[str] = []
    if results.own:
        best = max(results.own, key=lambda v: results.own[v])
        least = min(results.own, key=lambda v: results.own[v])
        parts.append(
            f"<p>Your strongest value is <strong>{esc(best)}</strong> ({results.own[best]:.1f} out of "
            f"{scale.maximum}); the one with most room to grow is <strong>{esc(least)}</strong> "
            f"({results.own[least]:.1f}).</p>"
        )
    above = [v for v, g in results.gaps.items() if g >= GAP_WORTH_MENTIONING]
    below = [v for v, g in results.gaps.items() if g <= -GAP_WORTH_MENTIONING]
    if results.compared_with:
        if above:
            parts.append(f"<p>You rate yourself higher than {esc(results.compared_with)} on "
                         f"{esc(', '.join(above))}.</p>")
        if below:
            parts.append(f"<p>You rate yourself lower than {esc(results.compared_with)} on "
                         f"{esc(', '.join(below))}.</p>")
        if not above and not below:
            parts.append(f"<p>Your scores are close to those of {esc(results.compared_with)} on every value.</p>")
    for note in results.notes:
        parts.append(f"<p class='wb-note'>{esc(note)}</p>")
    chart = ""
    if not results.chart_data.empty:
        series = list(dict.fromkeys(results.chart_data["series"]))
        described = ", ".join(f"{v} {s:.1f}" for v, s in results.own.items())
        chart = chart_html(value_profile_chart(
            results.chart_data, title="Your values profile",
            description=f"Dot plot of your average rating for each value: {described}.",
            scale=(scale.minimum, scale.maximum),
            scale_title=f"Average rating ({scale.minimum} = {scale.label(scale.minimum)}, "
                        f"{scale.maximum} = {scale.label(scale.maximum)})",
            series_order=series, value_order=[v.name for v in app.framework.values],
        ))
    parts.append("<p class='wb-muted'>Your individual answers stay private. Your team will look at the combined "
                 "results together in the workshop.</p>")
    return widgets.HTML(chart + "".join(parts))

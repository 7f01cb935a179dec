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
    """Compute the results panel's numbers (pure data, so it is easy to test)."""
    import pandas as pd

    from workbook.dataset import answers_frame
    from workbook.scoring import group_scores, person_team_gap

    threshold = respondent.organisation.anonymity_threshold
    order = [v.id for v in framework.values]
    names = {v.id: v.name for v in framework.values}
    answers = answers_frame(store, framework, respondent.organisation.id, respondent.cycle.id)
    person_id = str(respondent.person.id)
    kwargs = {"threshold": threshold, "scale_min": framework.scale.minimum,
              "scale_max": framework.scale.maximum, "value_order": order}
    comparison = person_team_gap(answers, person_id, viewer_id=person_id, **kwargs)  # type: ignore[arg-type]
    overall = group_scores(answers, "overall", **kwargs)  # type: ignore[arg-type]

    rows: list[dict[str, object]] = []
    own: dict[str, float] = {}
    gaps: dict[str, float] = {}
    team_label = None
    if comparison.compared_with == respondent.person.team:
        team_label = f"Your team ({respondent.person.team})"
    for record in comparison.table.to_dict("records"):
        name = names[str(record["value_id"])]
        score = float(record["score"])
        if math.isnan(score):
            continue
        own[name] = score
        rows.append({"value": name, "series": "You", "score": score})
        if team_label and not math.isnan(float(record["group_mean"])):
            rows.append({"value": name, "series": team_label, "score": float(record["group_mean"])})
        if comparison.compared_with and not math.isnan(float(record["gap"])):
            gaps[name] = float(record["gap"])
    for record in overall.table.to_dict("records"):
        if record["shown"]:
            rows.append({"value": names[str(record["value_id"])], "series": "Everyone who responded",
                         "score": float(record["mean"])})
    if team_label:
        compared = f"your team ({respondent.person.team})"
    elif comparison.compared_with:
        compared = "everyone who responded"
    else:
        compared = None
    notes = tuple(dict.fromkeys([*comparison.notes, *overall.notes]))
    return PersonalResults(pd.DataFrame(rows, columns=["value", "series", "score"]), own, compared, gaps, notes)


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

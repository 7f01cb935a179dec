"""What a respondent sees after submitting: their scores beside everyone's average.

The person's own scores are shown only to them (the app is opened with their
token).  Team and organisation averages go through the anonymity layer of
:mod:`workbook.scoring`: a group with fewer submitted respondents than the
organisation's threshold is never shown, and the panel says why.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

import ipywidgets as widgets

from workbook.framework import Framework
from workbook.html import esc
from workbook.store import Store

if TYPE_CHECKING:
    import altair as alt
    import pandas as pd

    from workbook.apps.values import Respondent, ValuesAssessment

__all__ = ["EVERYONE", "GAP_WORTH_MENTIONING", "PersonalResults", "differences_html", "personal_results",
           "results_panel", "what_happens_next_html"]

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


def results_panel(app: ValuesAssessment) -> widgets.Widget:
    """The widget shown under "Your results"."""
    from workbook.charts import value_profile_chart

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
    if results.compared_with:
        means = {v: results.own[v] - gap for v, gap in results.gaps.items()}
        parts.append(differences_html(
            [(v, results.own[v], means[v]) for v in results.own if v in means],
            f"Your scores beside the average of {results.compared_with}", "everyone"))
    for note in results.notes:
        parts.append(f"<p class='wb-note'>{esc(note)}</p>")
    chart = ""
    if not results.chart_data.empty:
        series = list(dict.fromkeys(results.chart_data["series"]))
        described = ", ".join(f"{v} {s:.1f}" for v, s in results.own.items())
        chart = _chart_html(lambda narrow: value_profile_chart(
            results.chart_data, title="Your values profile",
            description=f"Dot plot of your average rating for each value: {described}.",
            scale=(scale.minimum, scale.maximum),
            scale_title=f"Average rating ({scale.minimum} = {scale.label(scale.minimum)}, "
                        f"{scale.maximum} = {scale.label(scale.maximum)})",
            series_order=series, value_order=[v.name for v in app.framework.values],
            width=RESULTS_CHART_WIDTH, narrow=narrow,
        ))
    parts.append(_organisation_html(app.framework, results))
    parts.append("<p class='wb-muted'>Your individual answers stay private. Your team will look at the combined "
                 "results together in the workshop.</p>")
    parts.append(what_happens_next_html(app.respondent.cycle.closes_on))
    return widgets.HTML(chart + "".join(parts))


#: The results page's charts are drawn wider than the workshop's: they are the page's main content.
RESULTS_CHART_WIDTH = 540


def _chart_html(build: Callable[[bool], alt.Chart]) -> str:
    """A chart drawn twice: wide for a laptop, narrow (larger text) for a phone."""
    from workbook.charts import responsive_chart_html

    return responsive_chart_html(build(False), build(True))


def differences_html(rows: list[tuple[str, float, float]], caption: str, other: str) -> str:
    """Every value's two scores and the difference between them, in words; none is left out.

    Only differences of :data:`GAP_WORTH_MENTIONING` or more used to be
    named, so a gap the chart plainly showed (3.6 against 3.1) went unsaid.
    Each line uses the rounded scores it shows, so the figures add up.
    """
    items = []
    for value, you, them in rows:
        shown_you, shown_them = round(you, 1), round(them, 1)
        gap = round(shown_you - shown_them, 1)
        if gap > 0:
            said = f"you {gap:.1f} higher" + (" — a clear difference" if gap >= GAP_WORTH_MENTIONING else "")
        elif gap < 0:
            said = f"you {-gap:.1f} lower" + (" — a clear difference" if -gap >= GAP_WORTH_MENTIONING else "")
        else:
            said = "the same"
        items.append(f"<li><strong>{esc(value)}</strong>: you {shown_you:.1f}, {esc(other)} {shown_them:.1f} "
                     f"({esc(said)})</li>")
    return f"<p>{esc(caption)}:</p><ul class='wb-differences'>{''.join(items)}</ul>"


def what_happens_next_html(closes_on: date | None) -> str:
    """What the respondent can expect after submitting: when the survey closes, and the workshop."""
    from workbook.closing import is_closed
    from workbook.text import format_day

    when = ""
    if closes_on is not None:
        verb = "closed" if is_closed(closes_on) else "closes"
        when = f"<li>The self-assessment {verb} on {esc(format_day(closes_on))}.</li>"
    return ("<h2>What happens next</h2><ul>"
            f"{when}"
            "<li>Your team then meets for a DIME™ workshop: together you look at everyone's combined results "
            "(never one person's answers), rate how established your service practices are and agree a few "
            "actions, each with an owner and a date.</li>"
            "<li>You can open this link again at any time to see your results; the average of everyone "
            "changes as more people submit.</li></ul>")


def _organisation_html(framework: Framework, results: PersonalResults) -> str:
    """The person's own rating of themselves beside their own rating of the organisation (nobody else's)."""
    import pandas as pd

    from workbook.charts import value_profile_chart

    both = [v.name for v in framework.values if v.name in results.own and v.name in results.organisation]
    if not both:
        return ""
    you, them = "You", "The organisation, as you see it"
    data = pd.DataFrame([{"value": v, "series": you, "score": results.own[v]} for v in both]
                        + [{"value": v, "series": them, "score": results.organisation[v]} for v in both],
                        columns=["value", "series", "score"])
    scale = framework.scale
    described = "; ".join(f"{v}: you {results.own[v]:.1f}, the organisation {results.organisation[v]:.1f}"
                          for v in both)
    chart = _chart_html(lambda narrow: value_profile_chart(
        data, title="You and the organisation", scale=(scale.minimum, scale.maximum),
        description=f"Dot plot of how you rate yourself and how you rate the organisation on each value. "
                    f"{described}.",
        scale_title=f"Average rating ({scale.minimum} = {scale.label(scale.minimum)}, "
                    f"{scale.maximum} = {scale.label(scale.maximum)})",
        series_order=[you, them], value_order=both, width=RESULTS_CHART_WIDTH, narrow=narrow))
    higher = [v for v in both if results.own[v] - results.organisation[v] >= GAP_WORTH_MENTIONING]
    lower = [v for v in both if results.organisation[v] - results.own[v] >= GAP_WORTH_MENTIONING]
    lines = []
    if higher:
        lines.append(f"You rate yourself higher than the organisation on {', '.join(higher)}: what gets in "
                     "the way of others there?")
    if lower:
        lines.append(f"You rate the organisation higher than yourself on {', '.join(lower)}: what could you "
                     "borrow from colleagues?")
    if not higher and not lower:
        lines.append("You see yourself and the organisation much alike on every value.")
    text = "".join(f"<p>{esc(line)}</p>" for line in lines)
    listed = differences_html([(v, results.own[v], results.organisation[v]) for v in both],
                              "Value by value", "the organisation")
    return f"<h2>You and the organisation</h2>{chart}{listed}{text}"

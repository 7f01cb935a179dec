"""The results page of the values self-assessment as HTML (no widgets).

People's text and value names are escaped by :func:`workbook.html.html`; the
charts are static SVG from :mod:`workbook.charts`, imported only when a results
page is drawn so that a questionnaire kernel never loads altair.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

from workbook.framework import Framework
from workbook.html import Markup, html, join
from workbook.store import Store
from workbook.values.respondent import Respondent
from workbook.values.results import GAP_WORTH_MENTIONING, PersonalResults, personal_results

if TYPE_CHECKING:
    import altair as alt

__all__ = ["RESULTS_CHART_WIDTH", "differences_html", "results_html", "what_happens_next_html"]


def results_html(store: Store, framework: Framework, respondent: Respondent) -> Markup:
    """The page shown under "Your results": own scores, the comparison the rule allows, charts, what next."""
    from workbook.charts import value_profile_chart

    results = personal_results(store, framework, respondent)
    scale = framework.scale
    parts: list[Markup] = []
    if results.own:
        best = max(results.own, key=lambda v: results.own[v])
        least = min(results.own, key=lambda v: results.own[v])
        parts.append(html(
            "<p>Your strongest value is <strong>{}</strong> ({:.1f} out of {}); the one with most room to grow is "
            "<strong>{}</strong> ({:.1f}).</p>", best, results.own[best], scale.maximum, least, results.own[least]))
    if results.compared_with:
        means = {v: results.own[v] - gap for v, gap in results.gaps.items()}
        parts.append(differences_html(
            [(v, results.own[v], means[v]) for v in results.own if v in means],
            f"Your scores beside the average of {results.compared_with}", "everyone"))
    for note in results.notes:
        parts.append(html("<p class='wb-note'>{}</p>", note))
    chart = Markup()
    if not results.chart_data.empty:
        series = list(dict.fromkeys(results.chart_data["series"]))
        described = ", ".join(f"{v} {s:.1f}" for v, s in results.own.items())
        chart = _chart_html(lambda narrow: value_profile_chart(
            results.chart_data, title="Your values profile",
            description=f"Dot plot of your average rating for each value: {described}.",
            scale=(scale.minimum, scale.maximum),
            scale_title=f"Average rating ({scale.minimum} = {scale.label(scale.minimum)}, "
                        f"{scale.maximum} = {scale.label(scale.maximum)})",
            series_order=series, value_order=[v.name for v in framework.values],
            width=RESULTS_CHART_WIDTH, narrow=narrow,
        ))
    parts.append(_organisation_html(framework, results))
    parts.append(Markup("<p class='wb-muted'>Your individual answers stay private. Your team will look at the "
                        "combined results together in the workshop.</p>"))
    parts.append(what_happens_next_html(respondent.cycle.closes_on))
    return chart + join(parts)


#: The results page's charts are drawn wider than the workshop's: they are the page's main content.
RESULTS_CHART_WIDTH = 540


def _chart_html(build: Callable[[bool], alt.Chart]) -> Markup:
    """A chart drawn twice: wide for a laptop, narrow (larger text) for a phone."""
    from workbook.charts import responsive_chart_html

    return responsive_chart_html(build(False), build(True))


def differences_html(rows: list[tuple[str, float, float]], caption: str, other: str) -> Markup:
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
        items.append(html("<li><strong>{}</strong>: you {:.1f}, {} {:.1f} ({})</li>",
                          value, shown_you, other, shown_them, said))
    return html("<p>{}:</p><ul class='wb-differences'>{}</ul>", caption, join(items))


def what_happens_next_html(closes_on: date | None) -> Markup:
    """What the respondent can expect after submitting: when the survey closes, and the workshop."""
    from workbook.closing import is_closed
    from workbook.text import format_day

    when = Markup()
    if closes_on is not None:
        verb = "closed" if is_closed(closes_on) else "closes"
        when = html("<li>The self-assessment {} on {}.</li>", verb, format_day(closes_on))
    return html("<h2>What happens next</h2><ul>{}"
                "<li>Your team then meets for a DIME™ workshop: together you look at everyone's combined results "
                "(never one person's answers), rate how established your service practices are and agree a few "
                "actions, each with an owner and a date.</li>"
                "<li>You can open this link again at any time to see your results; the average of everyone "
                "changes as more people submit.</li></ul>", when)


def _organisation_html(framework: Framework, results: PersonalResults) -> Markup:
    """The person's own rating of themselves beside their own rating of the organisation (nobody else's)."""
    import pandas as pd

    from workbook.charts import value_profile_chart

    both = [v.name for v in framework.values if v.name in results.own and v.name in results.organisation]
    if not both:
        return Markup()
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
    text = join(html("<p>{}</p>", line) for line in lines)
    listed = differences_html([(v, results.own[v], results.organisation[v]) for v in both],
                              "Value by value", "the organisation")
    return html("<h2>You and the organisation</h2>{}{}{}", chart, listed, text)

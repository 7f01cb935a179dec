"""Reading the organisation's results that the charter suggestions rest on.

* Value scores come from the values self-assessment through
  :func:`workbook.scoring.group_scores` (everyone together), so they exist only
  when the anonymity threshold is met; the newest cycle that meets it is used.
* Step scores come from the DIME™ steps workshop: the mean of the team's 1-5
  practice ratings per step, from the newest cycle with any ratings, as the
  workshop's own summary computes it (one definition, one number).

Either may be missing; :class:`~workbook.charter.ranking.Evidence` says why.
"""

from __future__ import annotations

import math

from sqlalchemy import select

from workbook.charter.ranking import Evidence
from workbook.framework import Framework
from workbook.store import OrganisationRecord, Store
from workbook.store.tables import Cycle
from workbook.store.workshop_tables import WorkshopRating

__all__ = ["gather_evidence", "step_scores", "value_scores"]


def value_scores(store: Store, framework: Framework,
                 organisation: OrganisationRecord) -> tuple[dict[str, float] | None, str | None, str | None]:
    """(value id -> score, source, note) from the newest cycle above the anonymity threshold.

    Counted in whole batches of the threshold (as the live panel is): the
    builder is reopened while people are still submitting, and a score that
    moved by one person between two looks would reveal that person.
    """
    from workbook.dataset import answers_in_whole_batches
    from workbook.scoring import group_scores

    order = [v.id for v in framework.values]
    threshold = organisation.anonymity_threshold
    for cycle in reversed(store.responses.cycles(organisation.id)):
        answers = answers_in_whole_batches(store, framework, organisation.id, cycle.id, threshold).frame
        if answers.empty:
            continue
        grouped = group_scores(answers, "overall", threshold=organisation.anonymity_threshold,
                               scale_min=framework.scale.minimum, scale_max=framework.scale.maximum,
                               value_order=order)
        shown = {str(r["value_id"]): float(r["mean"]) for r in grouped.table.to_dict("records")
                 if r["shown"] and not math.isnan(float(r["mean"]))}
        if shown:
            return shown, f"values self-assessment, {cycle.label}", None
    return None, None, (f"Value scores appear here once at least {organisation.anonymity_threshold} people "
                        "have submitted the values self-assessment.")


def step_scores(store: Store, framework: Framework,
                org_id: str) -> tuple[dict[str, float] | None, str | None, str | None]:
    """(step id -> mean practice rating, source, note) from the newest cycle with workshop ratings.

    The means are the workshop summary's own (:func:`workbook.workshop.summary.
    workshop_summary`), so the charter's evidence always quotes the number the
    team saw in the workshop.
    """
    from workbook.workshop.summary import workshop_summary

    with store.transactions.reading() as session:
        newest = session.execute(
            select(Cycle.id, Cycle.label)
            .join(WorkshopRating, WorkshopRating.cycle_id == Cycle.id)
            .where(Cycle.organisation_id == org_id, WorkshopRating.rating.is_not(None))
            .order_by(Cycle.created_at.desc(), Cycle.id.desc())
            .limit(1)
        ).first()
    summary = workshop_summary(store, framework, org_id, newest[0]) if newest is not None else None
    if summary is None or not summary.rated_steps:
        return None, None, "Step scores appear here once the team has rated practices in the DIME™ steps workshop."
    scores = {step.step_id: step.mean for step in summary.rated_steps if step.mean is not None}
    return scores, f"DIME™ steps workshop, {summary.cycle_label}", None


def gather_evidence(store: Store, framework: Framework, organisation: OrganisationRecord) -> Evidence:
    """Everything the suggestions rest on, for one organisation."""
    values, value_source, value_note = value_scores(store, framework, organisation)
    steps, step_source, step_note = step_scores(store, framework, organisation.id)
    notes = tuple(n for n in (value_note, step_note) if n)
    return Evidence(values, steps, value_source, step_source, notes)

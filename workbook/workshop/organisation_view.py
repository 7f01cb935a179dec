"""The workshop's view of how people rate themselves and the organisation, value by value.

Shown on the live panel under the value profile, where the values come up in
the room.  Counted like that profile: everyone in the organisation's whole
batches (:func:`workbook.dataset.answers_in_whole_batches`), so two looks
differ by a batch of people or not at all, and only for everyone together
(leaders and staff would move by fewer people than a batch between two looks;
the report shows them).  Both sides follow one disclosure plan
(:mod:`workbook.organisation_gap`).  Nothing is shown for a cycle whose
framework edition asked no statements about the organisation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from workbook.html import Markup, html, join

if TYPE_CHECKING:
    from workbook.framework import Framework
    from workbook.organisation_gap import SelfOrganisationGaps
    from workbook.store import CycleRecord, OrganisationRecord, Store

__all__ = ["live_self_and_organisation", "self_and_organisation_html"]

TITLE = "How we rate ourselves and the organisation"


def live_self_and_organisation(store: Store, framework: Framework, organisation: OrganisationRecord,
                               cycle: CycleRecord) -> tuple[Framework, SelfOrganisationGaps | None]:
    """The cycle's edition and everyone's self vs organisation figures (``None`` when not asked or too few)."""
    from workbook.anonymity import plan_groups
    from workbook.dataset import answers_in_whole_batches, cycle_edition
    from workbook.organisation_gap import organisation_answers, self_organisation_gaps

    edition = cycle_edition(store, framework, cycle.id)
    if not edition.organisation_statements:
        return edition, None
    threshold = organisation.anonymity_threshold
    own = answers_in_whole_batches(store, edition, organisation.id, cycle.id, threshold).frame
    if own.empty:
        return edition, None
    people = own.drop_duplicates("person_id")
    pairs = list(zip(people["team"].astype(str), people["role"].astype(str), strict=True))
    plan = plan_groups(pairs, threshold, teams=False, split=False)  # everyone only: see the module docstring
    about = organisation_answers(store.responses.rows(organisation.id, cycle.id), edition, own)
    gaps = self_organisation_gaps(own, about, plan=plan, threshold=threshold, scale_min=edition.scale.minimum,
                                  scale_max=edition.scale.maximum, value_order=[v.id for v in edition.values])
    return edition, gaps


def self_and_organisation_html(store: Store, framework: Framework, organisation: OrganisationRecord,
                               cycle: CycleRecord) -> Markup:
    """The live panel's section: a dot plot and one question for the room; "" when there is nothing to show."""
    import pandas as pd

    from workbook.charts import chart_html, value_profile_chart

    edition, gaps = live_self_and_organisation(store, framework, organisation, cycle)
    if gaps is None:
        return Markup()
    shown = gaps.table[gaps.table["shown"]]
    if shown.empty:
        return html("<h2>{}</h2><p class='wb-note'>This appears once enough people have rated the statements "
                    "about the organisation.</p>", TITLE)
    names = {v.id: v.name for v in edition.values}
    own, theirs = "About ourselves", "About the organisation"
    rows = shown.to_dict("records")
    data = pd.DataFrame([{"value": names[str(r["value_id"])], "series": own, "score": float(r["self_mean"])}
                         for r in rows]
                        + [{"value": names[str(r["value_id"])], "series": theirs,
                            "score": float(r["organisation_mean"])} for r in rows],
                        columns=["value", "series", "score"])
    scale = edition.scale
    described = "; ".join(f"{names[str(r['value_id'])]}: ourselves {float(r['self_mean']):.1f}, the organisation "
                          f"{float(r['organisation_mean']):.1f}" for r in rows)
    chart = chart_html(value_profile_chart(
        data, title=TITLE, scale=(scale.minimum, scale.maximum), series_order=[own, theirs],
        scale_title=f"Average rating ({scale.minimum} = {scale.label(scale.minimum)}, "
                    f"{scale.maximum} = {scale.label(scale.maximum)})",
        value_order=[names[v.id] for v in edition.values if v.id in set(shown["value_id"])],
        description=f"Dot plot of everyone's average rating of themselves and of the organisation. {described}."))
    widest = max(rows, key=lambda r: abs(float(r["gap"])))
    name, gap = names[str(widest["value_id"])], float(widest["gap"])
    question = (f"The widest difference is on {name} ({gap:+.1f}): "
                + ("we rate ourselves higher than the organisation. What gets in the way of living it everywhere?"
                   if gap > 0 else "we rate the organisation higher than ourselves. What could we take from it?"))
    notes = join(html("<p class='wb-note'>{}</p>", n) for n in gaps.notes)
    return html("<h2>{}</h2>{}<p>{}</p>{}", TITLE, chart, question, notes)

"""Where the workshop and the charter plug their results into the organisation report.

Each hook returns a :class:`Fragment` (HTML for the report, plain text for
the notebook and its tests) or ``None`` when there is nothing yet, in which
case the report says, in a friendly line, that the step has not been done.
The fragments reuse what those features built for exactly this purpose
(:func:`workbook.workshop.summary.workshop_summary` and its HTML tables;
:func:`workbook.charter.repository.charter_for_report` and the charter's
printed wording), so the report shows what the apps show.

A hook receives the store and plain ids, never the report's data frames, so a
feature reads its own tables.  Neither feature shows individual answers: the
workshop holds the team's agreed ratings, the charter the team's promises.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from workbook.html import Markup, html, join

if TYPE_CHECKING:
    from workbook.framework import Framework
    from workbook.store import Store
    from workbook.workshop.summary import WorkshopSummary

__all__ = ["Fragment", "charter_fragment", "playbook_fragment", "workshop_fragment"]


@dataclass(frozen=True)
class Fragment:
    """Content for one report section: ``html`` (already escaped) and its plain-text twin.

    ``html`` is trusted as it is: a hook (a trend source of the glance page, a
    test's stand-in) may hand over a plain string of finished HTML, which is
    taken as :class:`~workbook.html.Markup` here so that the section around it
    does not escape its tags.  Build it with :func:`workbook.html.html`.
    """

    html: Markup
    text: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "html", Markup(self.html))


def workshop_fragment(store: Store | None, organisation_id: str, cycle_id: int) -> Fragment | None:
    """The DIME™ steps workshop of this cycle: maturity by step, obstacles seen, action plan, recovery playbook."""
    if store is None:
        return None
    from workbook.charts import chart_html
    from workbook.framework import load_framework
    from workbook.workshop.history import action_threads, completion_by_cycle, completion_text
    from workbook.workshop.html import actions_table_html, completion_table_html, maturity_table_html, obstacles_html
    from workbook.workshop.repository import Workshop
    from workbook.workshop.summary import maturity_chart, workshop_summary

    framework = load_framework()
    summary = workshop_summary(store, framework, organisation_id, cycle_id)
    playbook = playbook_fragment(store, framework, cycle_id)
    if summary is None:
        return playbook
    chart = maturity_chart(summary)
    intro = ("In the workshop the team rated how established each DIME™ practice is, noted which obstacles "
             "they see at each step, and agreed actions.")
    everything = Workshop(store).organisation_actions(organisation_id)
    threads = action_threads(everything)
    evidence_html, evidence_lines = _evidence(summary)
    parts = [html("<p>{}</p>", intro), chart_html(chart) if chart is not None else Markup(),
             maturity_table_html(summary), evidence_html, Markup("<h3>Obstacles the team sees</h3>"),
             obstacles_html(summary), Markup("<h3>Action plan</h3>"), actions_table_html(summary, threads)]
    lines = [intro]
    for step in summary.steps:
        maturity = f"{step.mean:.1f} ({step.maturity_label})" if step.mean is not None else "not rated yet"
        lines.append(f"{step.title}: {maturity}")
    lines += evidence_lines
    lines.append(f"Actions agreed: {len(summary.actions)}.")
    # Completion per cycle, up to this report's cycle (a report of an old quarter does not look ahead).
    labels = [c.label for c in store.responses.cycles(organisation_id)]
    upto = labels[: labels.index(summary.cycle_label) + 1] if summary.cycle_label in labels else labels
    completion = completion_by_cycle(everything, upto)
    if len(completion) > 1 or any(r.carried or r.dropped for r in completion):
        note = ("An action not finished by the end of a cycle is carried into the next one: it counts as carried "
                "forward in the earlier cycle and as whatever became of it in the later one.")
        parts += [Markup("<h3>Actions across cycles</h3>"), completion_table_html(completion),
                  html("<p class='wb-muted'>{}</p>", note)]
        lines += ["Actions across cycles:", *completion_text(completion)]
    if playbook is not None:
        parts.append(playbook.html)
        lines.append(playbook.text)
    return Fragment(join(parts), "\n".join(lines))


def _evidence(summary: WorkshopSummary) -> tuple[Markup, list[str]]:
    """The evidence the team noted for each step (and beside single practices), right under the maturity it backs."""
    items: list[Markup] = []
    lines: list[str] = []
    for step in summary.steps:
        notes: list[tuple[str | None, str]] = [(None, step.evidence)] if step.evidence else []
        notes += [(p.name, p.note) for p in step.practices if p.note]
        if not notes:
            continue
        said = join(html("<li>{}{}</li>", html("<strong>{}:</strong> ", name) if name else Markup(), note)
                    for name, note in notes)
        items.append(html("<li><strong>{}</strong><ul>{}</ul></li>", step.title, said))
        lines += [f"Evidence, {step.title}:", *[f"- {name + ': ' if name else ''}{note}" for name, note in notes]]
    if not items:
        return Markup(), []
    return html("<h3>Evidence the team noted</h3><ul class='wb-evidence'>{}</ul>", join(items)), lines


def playbook_fragment(store: Store, framework: Framework, cycle_id: int) -> Fragment | None:
    """The cycle's service recovery playbook as the team agreed it that quarter, or None without one.

    The team's version (with the amounts staff may give and who follows up):
    the report is for the organisation, like the team's charter.
    """
    from workbook.charter.export.document import build_recovery
    from workbook.workshop.playbook import Playbook

    section = build_recovery(framework.recovery, Playbook(store).plays(cycle_id))
    if section is None:
        return None
    rows = join(
        html("<tr><th scope='row'>{}</th><td>{}</td></tr>", play.failure,
             join(html("<p><strong>{}:</strong> {}</p>", label, value) for label, value in play.lines))
        for play in section.plays)
    n = len(section.plays)
    lead = (f"The team's {section.heading.lower()} for this quarter: {n} common "
            f"{'failure' if n == 1 else 'failures'} and how front-line staff put each right "
            f"({' → '.join(section.stages)}).")
    body = html("<h3>{heading}</h3><p>{lead}</p><table class='wb-table wb-playbook'>"
                "<caption>{heading}</caption><thead><tr><th scope='col'>Failure</th>"
                "<th scope='col'>How we put it right</th></tr></thead><tbody>{rows}</tbody></table>",
                heading=section.heading, lead=lead, rows=rows)
    lines = [lead, *[f"- {play.failure}" for play in section.plays]]
    return Fragment(body, "\n".join(lines))


def charter_fragment(store: Store | None, organisation_id: str) -> Fragment | None:
    """The customer service charter: the latest approved version, else the draft."""
    if store is None:
        return None
    from workbook.charter.export.document import build_document
    from workbook.charter.repository import charter_for_report
    from workbook.framework import load_framework

    record = charter_for_report(store, organisation_id)
    if record is None or not record.promises:
        return None
    organisation = store.organisations.get(organisation_id).name
    document = build_document(record, organisation, load_framework())
    items = join(
        html("<li><strong>{}</strong><span class='wb-about'>How we check: {} · owner: {} · review: {} · "
             "value: {} · step: {}</span></li>", p.text, p.standard, p.owner, p.review, p.value, p.step)
        for p in document.promises
    )
    state = "a draft, not yet approved" if document.is_draft else document.status
    status = f"{document.title} (version {document.version}): {state}."
    foundation = [(label, text) for label, text in (("Our brand promise", document.brand_promise),
                                                    ("Our common purpose", document.common_purpose)) if text]
    top = join(html("<div class='wb-foundation-part'><h3>{}</h3><p>{}</p></div>", label, text)
               for label, text in foundation)
    body = html("<p>{}</p>{}<p>{}</p><ol class='wb-promises'>{}</ol>", status,
                html("<div class='wb-foundation'>{}</div>", top) if top else Markup(), document.intro, items)
    lines = [status, *[f"{label}: {text}" for label, text in foundation],
             *[f"{p.number}. {p.text}" for p in document.promises]]
    return Fragment(body, "\n".join(lines))

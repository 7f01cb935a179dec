"""HTML fragments of the workshop's results: tables the app shows and a report can reuse.

Pure functions from :class:`~workbook.workshop.summary.WorkshopSummary` (and
the live panel's data) to :class:`~markupsafe.Markup`.  Everything people typed
is escaped by :func:`workbook.html.html` as it meets the markup; the fragments
use the apps' CSS classes (``wb-table``, ``wb-tag``, ``wb-muted``) and carry no
styles or scripts of their own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from workbook import download
from workbook.html import Markup, esc, html, join
from workbook.text import format_day
from workbook.workshop.export import CSV_MEDIA_TYPE, export_file_name
from workbook.workshop.history import ActionThread, CycleCompletion
from workbook.workshop.live import Participation
from workbook.workshop.records import REVIEW_LABELS, ActionRecord
from workbook.workshop.summary import WorkshopSummary

__all__ = ["actions_table_html", "completion_table_html", "download_link_html", "history_text",
           "maturity_table_html", "obstacles_html", "participation_html"]


def participation_html(progress: Participation) -> Markup:
    """Submitted counts per team big enough to list; the gaps in words (see :mod:`workbook.workshop.live`)."""
    if not progress.teams and not progress.notes:
        return Markup("<p>Nobody has been invited to the values self-assessment yet.</p>")
    people = "person has" if progress.submitted == 1 else "people have"
    rates = progress.team_rates or ("",) * len(progress.teams)
    rows = join(
        html("<tr><th scope='row'>{}</th><td class='wb-num'>{}</td><td>{}</td><td class='wb-num'>{}</td></tr>",
             team, submitted, gap, rate)
        for (team, submitted, gap), rate in zip(progress.teams, rates, strict=True)
    )
    table = html(
        # tabindex: on a phone a table scrolls sideways inside itself, so it must take keyboard focus (axe, WCAG 2.1.1)
        "<table class='wb-table' tabindex='0'><caption class='wb-muted'>Submitted so far, by team</caption>"
        "<thead><tr><th scope='col'>Team</th><th scope='col'>Submitted</th><th scope='col'>Still to submit</th>"
        "<th scope='col'>Response rate</th></tr></thead><tbody>{}</tbody></table>", rows,
    ) if progress.teams else Markup()
    notes = join(html("<p class='wb-muted'>{}</p>", note) for note in progress.notes)
    if not progress.counted:
        return notes
    rate = html(" Response rate: <strong>{}</strong>.", progress.rate) if progress.rate else Markup()
    return html(
        "<p class='wb-big'><strong>{}</strong> {} submitted the values self-assessment; {}.{}</p>{}{}",
        progress.submitted, people, progress.still_to_submit, rate, table, notes,
    )


def maturity_table_html(summary: WorkshopSummary) -> Markup:
    """One row per step: its average maturity in numbers and words, and the reward at stake."""
    rows = []
    for step in summary.steps:
        if step.mean is None:
            maturity = Markup("<span class='wb-muted'>not rated yet</span>")
        else:
            maturity = html("{:.1f} · {}", step.mean, step.maturity_label)
        rows.append(html(
            "<tr><th scope='row'>{}</th><td>{}</td><td class='wb-num'>{} of {}</td><td>{}</td></tr>",
            step.title, maturity, step.rated, len(step.practices), step.reward_name,
        ))
    return html(
        "<table class='wb-table' tabindex='0'><caption class='wb-muted'>Maturity by step</caption><thead><tr>"
        "<th scope='col'>Step</th><th scope='col'>Maturity</th><th scope='col'>Practices rated</th>"
        "<th scope='col'>Reward it earns</th></tr></thead><tbody>{}</tbody></table>", join(rows),
    )


def obstacles_html(summary: WorkshopSummary) -> Markup:
    """The obstacles ticked at each step; "often shows here" marks the framework's likely ones."""
    likely = Markup(" <span class='wb-tag'>often shows here</span>")
    items = []
    for step in summary.steps:
        if not step.obstacles:
            continue
        names = join((esc(o.name) + (likely if o.likely else "") for o in step.obstacles), ", ")
        items.append(html("<li><strong>{}</strong>: {}</li>", step.title, names))
    if not items:
        return Markup("<p class='wb-muted'>No obstacles have been ticked yet.</p>")
    return html("<ul class='wb-obstacles'>{}</ul>", join(items))


def history_text(action: ActionRecord, thread: ActionThread | None) -> str:
    """``Carried from 2026-Q2 (first agreed 2026-Q1); review: dropped, "…"`` or ``""`` for a new action."""
    parts = []
    if thread is not None and thread.carried_from_cycle:
        first = f" (first agreed {thread.first_cycle})" if thread.first_cycle != thread.carried_from_cycle else ""
        parts.append(f"Carried from {thread.carried_from_cycle}{first}")
    if action.review:
        note = f": {action.review_note}" if action.review_note else ""
        parts.append(f"review: {REVIEW_LABELS[action.review].lower()}{note}")
    return "; ".join(parts)


def actions_table_html(summary: WorkshopSummary, threads: Mapping[int, ActionThread] | None = None) -> Markup:
    """The whole action plan, step by step, as a table; with ``threads``, each action's history too."""
    if not summary.actions:
        return Markup("<p class='wb-muted'>No actions have been added yet.</p>")
    no_date = Markup("<span class=wb-muted>no date</span>")
    rows = join(
        html("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>", step.title, action.what, action.owner,
             format_day(action.due) if action.due else no_date, action.status_label)
        + (html("<td>{}</td>", history_text(action, threads.get(action.id))) if threads is not None else "")
        + Markup("</tr>")
        for step, action in summary.actions
    )
    history = Markup("<th scope='col'>History</th>") if threads is not None else Markup()
    return html(
        "<table class='wb-table wb-actions' aria-label='Action plan' tabindex='0'><thead><tr>"
        "<th scope='col'>Step</th><th scope='col'>Action</th><th scope='col'>Owner</th><th scope='col'>Due</th>"
        "<th scope='col'>Status</th>{}</tr></thead><tbody>{}</tbody></table>", history, rows,
    )


def completion_table_html(rows: Sequence[CycleCompletion]) -> Markup:
    """How each cycle's actions ended: done, carried forward, dropped, open (in progress counts as open)."""
    if not rows:
        return Markup("<p class='wb-muted'>No actions have been agreed in any cycle yet.</p>")
    body = join(
        html("<tr><th scope='row'>{}</th><td class='wb-num'>{}</td><td class='wb-num'>{}</td>"
             "<td class='wb-num'>{}</td><td class='wb-num'>{}</td><td class='wb-num'>{}</td></tr>",
             r.cycle, r.total, r.done, r.carried, r.dropped, r.open)
        for r in rows
    )
    return html(
        "<table class='wb-table wb-completion' tabindex='0'><caption class='wb-muted'>"
        "Actions per cycle and how they ended</caption><thead><tr><th scope='col'>Cycle</th>"
        "<th scope='col'>Actions</th><th scope='col'>Done</th>"
        "<th scope='col'>Carried forward</th><th scope='col'>Dropped</th><th scope='col'>Open</th></tr></thead>"
        "<tbody>{}</tbody></table>", body,
    )


def download_link_html(summary: WorkshopSummary, csv_text: str) -> Markup:
    """A link that saves the action plan as CSV straight from the page (no server, no internet)."""
    name = export_file_name(summary.organisation_id, summary.cycle_label)
    return download.download_link_html(name, CSV_MEDIA_TYPE, csv_text.encode("utf-8"),
                                       label="Download the action plan (CSV)")

"""HTML fragments of the workshop's results: tables the app shows and a report can reuse.

Pure functions from :class:`~workbook.workshop.summary.WorkshopSummary` (and
the live panel's data) to HTML strings.  Everything people typed is escaped
here; the fragments use the apps' CSS classes (``wb-table``, ``wb-tag``,
``wb-muted``) and carry no styles or scripts of their own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from workbook import download
from workbook.text import esc, format_day
from workbook.workshop.export import CSV_MEDIA_TYPE, export_file_name
from workbook.workshop.history import ActionThread, CycleCompletion
from workbook.workshop.live import Participation
from workbook.workshop.records import REVIEW_LABELS, ActionRecord
from workbook.workshop.summary import WorkshopSummary

__all__ = ["actions_table_html", "completion_table_html", "download_link_html", "history_text",
           "maturity_table_html", "obstacles_html", "participation_html"]


def participation_html(progress: Participation) -> str:
    """Submitted counts per team big enough to list; the gaps in words (see :mod:`workbook.workshop.live`)."""
    if not progress.teams and not progress.notes:
        return "<p>Nobody has been invited to the values self-assessment yet.</p>"
    people = "person has" if progress.submitted == 1 else "people have"
    rates = progress.team_rates or ("",) * len(progress.teams)
    rows = "".join(
        f"<tr><th scope='row'>{esc(team)}</th><td class='wb-num'>{submitted}</td><td>{esc(gap)}</td>"
        f"<td class='wb-num'>{esc(rate)}</td></tr>"
        for (team, submitted, gap), rate in zip(progress.teams, rates, strict=True)
    )
    table = (
        # tabindex: on a phone a table scrolls sideways inside itself, so it must take keyboard focus (axe, WCAG 2.1.1)
        "<table class='wb-table' tabindex='0'><caption class='wb-muted'>Submitted so far, by team</caption>"
        "<thead><tr><th scope='col'>Team</th><th scope='col'>Submitted</th><th scope='col'>Still to submit</th>"
        f"<th scope='col'>Response rate</th></tr></thead><tbody>{rows}</tbody></table>"
    ) if progress.teams else ""
    notes = "".join(f"<p class='wb-muted'>{esc(note)}</p>" for note in progress.notes)
    if not progress.counted:
        return notes
    rate = f" Response rate: <strong>{esc(progress.rate)}</strong>." if progress.rate else ""
    return (
        f"<p class='wb-big'><strong>{progress.submitted}</strong> {people} submitted the values "
        f"self-assessment; {esc(progress.still_to_submit)}.{rate}</p>{table}{notes}"
    )


def maturity_table_html(summary: WorkshopSummary) -> str:
    """One row per step: its average maturity in numbers and words, and the reward at stake."""
    rows = []
    for step in summary.steps:
        if step.mean is None:
            maturity = "<span class='wb-muted'>not rated yet</span>"
        else:
            maturity = f"{step.mean:.1f} · {esc(step.maturity_label)}"
        rows.append(
            f"<tr><th scope='row'>{esc(step.title)}</th><td>{maturity}</td>"
            f"<td class='wb-num'>{step.rated} of {len(step.practices)}</td><td>{esc(step.reward_name)}</td></tr>"
        )
    return (
        "<table class='wb-table' tabindex='0'><caption class='wb-muted'>Maturity by step</caption><thead><tr>"
        "<th scope='col'>Step</th><th scope='col'>Maturity</th><th scope='col'>Practices rated</th>"
        f"<th scope='col'>Reward it earns</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def obstacles_html(summary: WorkshopSummary) -> str:
    """The obstacles ticked at each step; "often shows here" marks the framework's likely ones."""
    items = []
    for step in summary.steps:
        if not step.obstacles:
            continue
        names = ", ".join(
            esc(o.name) + (" <span class='wb-tag'>often shows here</span>" if o.likely else "") for o in step.obstacles
        )
        items.append(f"<li><strong>{esc(step.title)}</strong>: {names}</li>")
    if not items:
        return "<p class='wb-muted'>No obstacles have been ticked yet.</p>"
    return f"<ul class='wb-obstacles'>{''.join(items)}</ul>"


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


def actions_table_html(summary: WorkshopSummary, threads: Mapping[int, ActionThread] | None = None) -> str:
    """The whole action plan, step by step, as a table; with ``threads``, each action's history too."""
    if not summary.actions:
        return "<p class='wb-muted'>No actions have been added yet.</p>"
    rows = "".join(
        f"<tr><td>{esc(step.title)}</td><td>{esc(action.what)}</td><td>{esc(action.owner)}</td>"
        f"<td>{format_day(action.due) if action.due else '<span class=wb-muted>no date</span>'}</td>"
        f"<td>{esc(action.status_label)}</td>"
        + (f"<td>{esc(history_text(action, threads.get(action.id)))}</td>" if threads is not None else "")
        + "</tr>"
        for step, action in summary.actions
    )
    history = "<th scope='col'>History</th>" if threads is not None else ""
    return (
        "<table class='wb-table wb-actions' aria-label='Action plan' tabindex='0'><thead><tr>"
        "<th scope='col'>Step</th><th scope='col'>Action</th><th scope='col'>Owner</th><th scope='col'>Due</th>"
        f"<th scope='col'>Status</th>{history}</tr></thead><tbody>{rows}</tbody></table>"
    )


def completion_table_html(rows: Sequence[CycleCompletion]) -> str:
    """How each cycle's actions ended: done, carried forward, dropped, open (in progress counts as open)."""
    if not rows:
        return "<p class='wb-muted'>No actions have been agreed in any cycle yet.</p>"
    body = "".join(
        f"<tr><th scope='row'>{esc(r.cycle)}</th><td class='wb-num'>{r.total}</td><td class='wb-num'>{r.done}</td>"
        f"<td class='wb-num'>{r.carried}</td><td class='wb-num'>{r.dropped}</td><td class='wb-num'>{r.open}</td></tr>"
        for r in rows
    )
    return (
        "<table class='wb-table wb-completion' tabindex='0'><caption class='wb-muted'>"
        "Actions per cycle and how they ended</caption><thead><tr><th scope='col'>Cycle</th>"
        "<th scope='col'>Actions</th><th scope='col'>Done</th>"
        "<th scope='col'>Carried forward</th><th scope='col'>Dropped</th><th scope='col'>Open</th></tr></thead>"
        f"<tbody>{body}</tbody></table>"
    )


def download_link_html(summary: WorkshopSummary, csv_text: str) -> str:
    """A link that saves the action plan as CSV straight from the page (no server, no internet)."""
    name = export_file_name(summary.organisation_id, summary.cycle_label)
    return download.download_link_html(name, CSV_MEDIA_TYPE, csv_text.encode("utf-8"),
                                       label="Download the action plan (CSV)")

"""The DIME™ steps workshop: the facilitator's app for the projector.

A consultant opens the organisation's facilitator link (``?key=…``) and puts
this on the wall while the team works through the four steps together:

* when unfinished actions came with this cycle from the last one, it opens on
  a **review** of them first: done, carried again or dropped, each with a
  short note (:mod:`workbook.apps.workshop_review`);
* a **live panel**: how many people have submitted the values self-assessment
  (counts by team, never names) and the team's value profile once enough
  people have taken part (rules in :mod:`workbook.workshop.live`);
* one page per **step**, in order: its purpose, questions to talk through, the
  practices the team rates together (1-5 with the scale's maturity words),
  notes of evidence, the obstacles showing here, the actions agreed and the
  reward the step earns; the positive-memories page also holds the team's
  service recovery playbook (:mod:`workbook.apps.workshop_playbook`);
* a **summary**: maturity by step, obstacles found and the whole action plan,
  with a CSV download.

Rules the app keeps, whatever the browser sends:

* everything is saved the moment it is entered, and reopening the link shows
  the workshop where it was left;
* every widget value is checked on the kernel side before it is stored (the
  repository checks again): a crafted comm message gets a one-line refusal;
* two facilitators on the same organisation never overwrite each other
  silently: an edit that started from an old version is refused, the other
  person's value is shown, the message says so, and the text this
  facilitator typed stays on screen in a read-only box to copy from;
* an unexpected failure inside a button or field handler shows a calm line
  at the top of the page instead of leaving the page unresponsive;
* a missing or wrong key shows a friendly page and no team data.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Final, TypeVar

import ipywidgets as widgets

from workbook.apps import workshop_scorecard
from workbook.apps.saving import with_retries
from workbook.apps.ui import (
    ConfirmRemoval,
    ErrorBanner,
    app_root,
    day_field,
    day_text,
    facilitator_organisation,
    message_page,
    row,
    status_html,
    unsaved_html,
)
from workbook.apps.workshop_playbook import PlaybookSection
from workbook.apps.workshop_review import REVIEW_PAGE, ReviewPage
from workbook.errors import AccessDeniedError, InputError, NotFoundError, StoreError, WorkbookError
from workbook.framework import Framework, Obstacle, Practice, Step, load_framework
from workbook.html import esc
from workbook.store import CycleRecord, OrganisationRecord, Store, open_store
from workbook.workshop.checks import check_by, check_due, check_status
from workbook.workshop.errors import StaleEditError
from workbook.workshop.records import (
    ACTION_STATUSES,
    REVIEW_LABELS,
    STATUS_LABELS,
    ActionRecord,
    PracticeRatingRecord,
    StepEvidenceRecord,
    WorkshopState,
)
from workbook.workshop.repository import Workshop

__all__ = ["PROJECTOR_CLASS", "PROJECTOR_CSS", "WorkshopApp", "WorkshopSession", "build", "open_workshop",
           "show", "warm_up"]

log = logging.getLogger(__name__)

T = TypeVar("T")
Guard = Callable[[Callable[..., Any]], Callable[..., None]]


def _unguarded(handler: Callable[..., Any]) -> Callable[..., Any]:
    return handler

#: A second "Add action" click this soon after an add, with the form empty, is a double click.
DOUBLE_CLICK_SECONDS: Final = 3.0
PROJECTOR_CLASS: Final = "wb-projector"

#: Large type and strong contrast for a projector, on top of the apps' CSS.
#: (Candidates for workbook/apps/style.py once another app needs them.)
PROJECTOR_CSS: Final = """
<style>
.wb-app.wb-projector { max-width: 78rem; font-size: 1.3rem; color: #111418; }
.wb-projector h1 { font-size: 2.3rem; }
.wb-projector h2 { font-size: 1.75rem; margin-top: 1.1em; }
.wb-projector h3 { font-size: 1.45rem; margin: 0.2em 0; }
.wb-projector p, .wb-projector li, .wb-projector td, .wb-projector th, .wb-projector caption,
.wb-projector .widget-label, .wb-projector .widget-checkbox label, .wb-projector input,
.wb-projector textarea, .wb-projector select { font-size: 1.3rem !important; line-height: 1.45; }
.wb-projector .wb-muted { color: #333a44; }
.wb-projector .wb-big { font-size: 1.6rem !important; }
.wb-projector .widget-button, .wb-projector .jupyter-button { font-size: 1.2rem; min-height: 2.9rem; }
.wb-projector input[type=text], .wb-projector input[type=date], .wb-projector select {
  min-height: 2.6rem; border: 2px solid #5b6572; border-radius: 6px; }
.wb-projector textarea { border: 2px solid #5b6572; border-radius: 6px; min-height: 6rem; }
.wb-projector .wb-card { border: 2px solid #5b6572; }
.wb-nav { flex-flow: row wrap; gap: 0.4rem; margin: 0.4rem 0 0.8rem; }
.wb-nav .mod-primary { outline: 3px solid #111418; }
.wb-practice .widget-radio-box { flex-direction: row; flex-wrap: wrap; gap: 0.3rem 0.5rem; }
.wb-practice .widget-radio-box label { border: 2px solid #5b6572; border-radius: 8px; padding: 0.3rem 0.8rem;
  margin: 0 !important; cursor: pointer; min-height: 2.6rem; display: inline-flex; align-items: center;
  gap: 0.4rem; }
.wb-practice .widget-radio-box input { width: 1.3rem; height: 1.3rem; margin: 0; }
.wb-projector .wb-practice .widget-radio-box label { font-size: 1.2rem !important; }
.wb-practice .widget-radio-box label:has(input:checked) { background: #0b5cad; color: #fff; border-color: #0b5cad;
  font-weight: 700; }
.wb-practice .widget-radio { width: 100%; }
.wb-practice .widget-radio > .widget-label { display: none; }
.wb-obstacle { border-left: 6px solid transparent; padding-left: 0.6rem; margin: 0.2rem 0; }
.wb-obstacle.wb-likely { border-left-color: #E69F00; background: #fff8e6; }
.wb-tag { display: inline-block; background: #5c3a00; color: #fff; border-radius: 6px; padding: 0 0.5rem;
  font-size: 0.85em; font-weight: 600; }
.wb-table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1rem; }
.wb-table caption { text-align: left; }
.wb-table th, .wb-table td { border-bottom: 2px solid #9aa3ae; padding: 0.45rem 0.7rem; text-align: left;
  vertical-align: top; }
.wb-table thead th { border-bottom: 3px solid #111418; }
.wb-num { text-align: right !important; }
.wb-action { border-top: 2px solid #c9ced6; padding-top: 0.5rem; }
.wb-reward { border-left: 8px solid #009E73; background: #eaf7f2; }
.wb-download { display: inline-block; background: #0b5cad; color: #fff !important; padding: 0.5rem 1.1rem;
  border-radius: 8px; font-weight: 600; text-decoration: none; }
.wb-download:focus-visible { outline: 3px solid #ffbf47; outline-offset: 2px; }
.wb-projector .wb-chart { display: block; width: 100%; margin: 0.6rem 0; }
.wb-projector .widget-html:has(.wb-chart), .wb-projector .widget-html:has(.wb-chart) > .widget-html-content {
  display: block; width: 100%; }
.wb-projector .wb-chart svg { width: 100%; max-width: 60rem; height: auto; }
.wb-projector input[type=checkbox] { width: 1.5rem; height: 1.5rem; }
.wb-obstacle .widget-html p { margin: 0 0 0.2rem 2.2rem; }
.wb-obstacle details { margin: 0 0 0.4rem 2.2rem; font-size: 1.1rem; }
.wb-practice > .wb-row:first-child { justify-content: space-between; flex-wrap: nowrap; }
.wb-practice h3 { margin: 0; }
.wb-rating { font-size: 0.85em; font-weight: 600; margin-left: 0.5rem; padding: 0 0.5rem; border-radius: 6px;
  white-space: nowrap; }
.wb-rated { background: #e3eefb; color: #0b3d73; }
.wb-unrated { background: #fff8e6; color: #5c3a00; }
.wb-projector .wb-owner { width: 32rem; }
.wb-projector .wb-day { width: 16rem; }
@media (max-width: 600px) {
  .wb-app.wb-projector { font-size: 1.05rem; }
  .wb-projector h1 { font-size: 1.7rem; }
  .wb-projector h2 { font-size: 1.35rem; }
  .wb-projector h3 { font-size: 1.2rem; }
  .wb-projector p, .wb-projector li, .wb-projector td, .wb-projector th, .wb-projector caption,
  .wb-projector .widget-label, .wb-projector .widget-checkbox label, .wb-projector input,
  .wb-projector textarea, .wb-projector select, .wb-projector .wb-big { font-size: 1.05rem !important; }
  .wb-table th, .wb-table td { padding: 0.3rem 0.4rem; }
  .wb-projector .wb-obstacle .widget-html p, .wb-projector .wb-obstacle details { margin-left: 0.4rem; }
}
</style>
"""


# --- opening -------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class WorkshopSession:
    """Which organisation and cycle a facilitator link opened."""

    organisation: OrganisationRecord
    cycle: CycleRecord


def open_workshop(store: Store, key: object, cycle_label: object = None) -> WorkshopSession:
    """Resolve a facilitator key (AccessDeniedError) and a cycle (NotFoundError; default: current)."""
    from workbook.store.responses import check_cycle_label

    organisation = facilitator_organisation(store, key)
    label: str | None = None
    if cycle_label is not None and cycle_label != "":
        try:
            label = check_cycle_label(cycle_label)  # type: ignore[arg-type]
        except InputError:
            raise NotFoundError("the cycle named in this link is not valid; open the link without it") from None
    cycle = store.responses.cycle(organisation.id, label)
    return WorkshopSession(organisation, cycle)



def _sentence(error: object) -> str:
    text = str(error)
    return text[:1].upper() + text[1:]


def _changed_lines(mine: dict[str, str], stored: dict[str, str]) -> str:
    """Every non-empty field as ``Label: text`` when any differs from what is stored, else ``""``."""
    if all(mine[label] == stored.get(label) for label in mine):
        return ""
    return "\n".join(f"{label}: {text}" for label, text in mine.items() if text.strip())


# --- one practice ----------------------------------------------------------------------
class PracticeInput:
    """One practice: what it looks like, the team's 1-5 rating and an optional note."""

    def __init__(self, practice: Practice, framework: Framework, on_change: Callable[[PracticeInput], None],
                 guard: Guard = _unguarded) -> None:
        self.practice = practice
        self.version = 0
        self._quiet = False
        self._on_change = on_change
        options = [(f"{p.value} · {p.maturity_label}", p.value) for p in framework.scale.points]
        self.choice = widgets.RadioButtons(options=options, value=None, description=practice.id,
                                           layout=widgets.Layout(width="100%"))
        self.note = widgets.Textarea(placeholder="Optional: an example or piece of evidence for this rating",
                                     description="Note", continuous_update=False,
                                     layout=widgets.Layout(width="100%", display="none"))
        self.note_toggle = widgets.Button(description="Add a note", tooltip=f"Add a note to {practice.name}")
        self.note_toggle.on_click(guard(lambda _b: self.show_note()))
        self.clear = widgets.Button(description="Clear rating", tooltip=f"Clear the rating of {practice.name}",
                                    layout=widgets.Layout(display="none"))
        self.clear.on_click(guard(lambda _b: self._clear()))
        self.status = widgets.HTML("")
        self.status.add_class("wb-status")
        self.unsaved = widgets.HTML("")  # this facilitator's note when someone else saved first
        self._labels = {p.value: p.maturity_label for p in framework.scale.points}
        self.heading = widgets.HTML("")
        self.fold_toggle = widgets.Button(description="Open", layout=widgets.Layout(width="auto"))
        self.fold_toggle.add_class("wb-fold-toggle")
        self.fold_toggle.on_click(guard(lambda _b: self.fold(not self.folded)))
        self.body = widgets.VBox([
            widgets.HTML(f"<p>{esc(practice.text)}</p>"),
            self.choice,
            row(self.note_toggle, self.clear, self.status),
            self.note,
            self.unsaved,
        ])
        self.folded = False
        self.widget = widgets.VBox([row(self.heading, self.fold_toggle), self.body])
        self.widget.add_class("wb-card")
        self.widget.add_class("wb-practice")
        self._show_heading()
        self.choice.observe(guard(self._changed), names="value")
        self.note.observe(guard(self._changed), names="value")

    def fold(self, folded: bool) -> None:
        """Fold the practice to its name and rating, or open it to rate it (nothing is lost either way)."""
        self.folded = folded
        self.body.layout.display = "none" if folded else ""
        self.fold_toggle.description = "Open" if folded else "Fold"
        verb = "Open" if folded else "Fold"
        self.fold_toggle.tooltip = f"{verb} {self.practice.name}"
        if folded:
            self.widget.add_class("wb-folded")
        else:
            self.widget.remove_class("wb-folded")

    def _show_heading(self) -> None:
        rating = self.choice.value
        said = f"{rating} · {self._labels.get(rating, '')}" if rating is not None else "not rated yet"
        kind = "wb-rated" if rating is not None else "wb-unrated"
        self.heading.value = (f"<h3>{esc(self.practice.name)} <span class='wb-rating {kind}'>{esc(said)}</span>"
                              "</h3>")

    def show_note(self) -> None:
        self.note.layout.display = "flex"
        self.note_toggle.layout.display = "none"

    def set_saved(self, record: PracticeRatingRecord) -> None:
        """Show a stored rating without saving it again."""
        self._quiet = True
        try:
            self.choice.value = record.rating
            self.note.value = record.note or ""
            self.version = record.version
            if record.note:
                self.show_note()
            self.clear.layout.display = "none" if record.rating is None else ""
            self._show_heading()
        finally:
            self._quiet = False

    def _clear(self) -> None:
        self.choice.value = None

    def _changed(self, _change: dict[str, Any]) -> None:
        if not self._quiet:
            self.clear.layout.display = "none" if self.choice.value is None else ""
            self._show_heading()
            self._on_change(self)


# --- one action --------------------------------------------------------------------------
class ActionRow(ConfirmRemoval):
    """One action of the plan, editable in place: every change is saved at once."""

    removal_question = "Remove this action from the plan?"

    def __init__(self, action: ActionRecord, on_edit: Callable[[ActionRow], None],
                 on_done: Callable[[ActionRow], None], on_remove: Callable[[ActionRow], None],
                 guard: Guard = _unguarded) -> None:
        self.action_id = action.id
        self.version = action.version
        self._quiet = False
        self.what = widgets.Text(description="Action", continuous_update=False,
                                 layout=widgets.Layout(width="100%"))
        self.owner = widgets.Text(description="Owner", continuous_update=False)
        self.owner.add_class("wb-owner")  # wide enough for "Fiona Campbell (HR and people)"
        self.due = day_field("Due")
        self.status_choice = widgets.Dropdown(options=[(STATUS_LABELS[s], s) for s in ACTION_STATUSES],
                                              description="Status")
        self.done = widgets.Button(description="Mark done", icon="check", tooltip="Mark this action done")
        self.remove = widgets.Button(description="Remove", icon="trash", tooltip="Remove this action")
        self.confirm = widgets.Button(description="Yes, remove it", button_style="danger",
                                      tooltip="Yes, remove this action", layout=widgets.Layout(display="none"))
        self.keep = widgets.Button(description="Keep it", tooltip="Keep this action",
                                   layout=widgets.Layout(display="none"))
        self.message = widgets.HTML("")
        self.message.add_class("wb-status")
        self.unsaved = widgets.HTML("")  # this facilitator's text when someone else saved first
        self.origin = widgets.HTML("")  # "carried from an earlier cycle" and the review's verdict
        for field in (self.what, self.owner, self.due, self.status_choice):
            field.style.description_width = "initial"
            field.observe(guard(lambda _c: None if self._quiet else on_edit(self)), names="value")
        self.done.on_click(guard(lambda _b: on_done(self)))
        self.remove.on_click(guard(lambda _b: self.ask_to_remove()))
        self.keep.on_click(guard(lambda _b: self.cancel_remove()))
        self.confirm.on_click(guard(lambda _b: on_remove(self)))
        self.widget = widgets.VBox([
            self.what,
            self.origin,
            row(self.owner, self.due, self.status_choice, self.done, self.remove, self.confirm, self.keep),
            self.message,
            self.unsaved,
        ])
        self.widget.add_class("wb-action")
        self.set_saved(action)

    def set_saved(self, action: ActionRecord) -> None:
        self._quiet = True
        try:
            options = [(STATUS_LABELS[s], s) for s in ACTION_STATUSES]
            if action.status not in ACTION_STATUSES:  # carried forward or dropped: shown, not offered
                options.append((STATUS_LABELS[action.status], action.status))
            if tuple(tuple(o) for o in self.status_choice.options) != tuple(options):
                self.status_choice.options = options
            self.what.value = action.what
            self.owner.value = action.owner
            self.due.value = day_text(action.due)
            self.status_choice.value = action.status
            self.version = action.version
            for field in (self.what, self.owner, self.due, self.status_choice):
                field.disabled = not action.is_editable  # a row that went on into a later cycle keeps its state
            finished = action.status in ("done", "dropped") or not action.is_editable
            self.done.layout.display = "none" if finished else ""
            self.remove.layout.display = "none" if action.carried_from_id is not None or not action.is_editable \
                else ""
            self.origin.value = _origin_html(action)
        finally:
            self._quiet = False

    def close(self) -> None:
        """Close this row's widgets (and only these), so a long workshop does not pile up comms."""
        _close_tree(self.widget)


def _origin_html(action: ActionRecord) -> str:
    """One muted line for an action with a history: where it came from or went, and the review's verdict."""
    if not action.is_editable:
        return "<p class='wb-muted'>Carried forward into the next cycle, where it can still be changed.</p>"
    if action.carried_from_id is None:
        return ""
    verdict = f" Review: {REVIEW_LABELS[action.review].lower()}." if action.review else " Not reviewed yet."
    return f"<p class='wb-muted'>Carried from an earlier cycle.{esc(verdict)}</p>"


def _close_tree(widget: widgets.Widget) -> None:
    for child in getattr(widget, "children", ()):
        _close_tree(child)
    widget.close()


# --- one step ------------------------------------------------------------------------------
class StepPage:
    """Everything the team does for one step, on one page."""

    def __init__(self, app: WorkshopApp, step: Step) -> None:
        self.app = app
        self.step = step
        framework = app.framework
        guard = app.errors.guard
        self.practices = {p.id: PracticeInput(p, framework, app.save_practice, guard) for p in step.practices}
        self.evidence_version = 0
        self._quiet = False
        self.evidence = widgets.Textarea(
            placeholder="What did we see or hear that backs up these ratings? Examples, numbers, stories…",
            continuous_update=False, layout=widgets.Layout(width="100%"))
        self.evidence_status = widgets.HTML("")
        self.evidence_status.add_class("wb-status")
        self.evidence_unsaved = widgets.HTML("")
        self.evidence.observe(guard(lambda _c: None if self._quiet else app.save_evidence(self)), names="value")
        self.obstacles: dict[str, widgets.Checkbox] = {}
        self.obstacle_status = widgets.HTML("")
        self.obstacle_status.add_class("wb-status")
        obstacle_rows = [self._obstacle_row(o) for o in framework.obstacles]
        self.action_rows: dict[int, ActionRow] = {}
        self.actions_box = widgets.VBox([])
        self.new_what = widgets.Text(placeholder="What will we do?", description="New action",
                                     layout=widgets.Layout(width="100%"))
        self.new_owner = widgets.Text(placeholder="Who owns it?", description="Owner")
        self.new_owner.add_class("wb-owner")
        self.new_due = day_field("Due")
        for field in (self.new_what, self.new_owner, self.new_due):
            field.style.description_width = "initial"
        self.add = widgets.Button(description="Add action", button_style="primary", icon="plus",
                                  tooltip=f"Add an action to {step.name}")
        self.add.on_click(guard(lambda _b: app.add_action(self)))
        self.add_status = widgets.HTML("")
        self.add_status.add_class("wb-status")
        self.add_unsaved = widgets.HTML("")  # the text of an action someone else removed while it was edited
        self.last_added_at = 0.0
        reward = framework.reward(step.reward)
        guide = framework.recovery
        #: The recovery playbook, on the step the framework file names (positive memories).
        self.playbook = PlaybookSection(app, guide) if guide is not None and guide.step == step.id else None
        prompts = "".join(f"<li>{esc(p)}</li>" for p in step.prompts)
        scale = ", ".join(f"{p.value} = {esc(p.maturity_label)}" for p in framework.scale.points)
        total = len(framework.steps)
        self.widget = widgets.VBox([
            widgets.HTML(
                f"<p class='wb-muted'>Step {step.number} of {total} · {esc(step.relationship)}</p>"
                f"<h1>{esc(step.letter)} · {esc(step.name)}</h1><p class='wb-big'>{esc(step.purpose)}</p>"
                f"<div class='wb-card'><h2>Talk it through</h2><ul>{prompts}</ul></div>"
                "<h2>Rate our practices together</h2>"
                f"<p>How established is each practice for us today? ({scale}) The practice to rate next is open; "
                "open any other to change its rating.</p>"
            ),
            *[p.widget for p in self.practices.values()],
            widgets.HTML("<h2>Notes of evidence</h2>"),
            self.evidence,
            self.evidence_status,
            self.evidence_unsaved,
            widgets.HTML(
                "<h2>Obstacles showing here</h2><p>Tick any obstacle that is getting in the way at this step. "
                "Those marked <span class='wb-tag'>often shows here</span> are the ones the DIME™ framework "
                "expects at this step.</p>"),
            *obstacle_rows,
            self.obstacle_status,
            widgets.HTML(f"<h2>Actions for {esc(step.name.lower())}</h2>"),
            self.actions_box,
            widgets.VBox([self.new_what, row(self.new_owner, self.new_due, self.add), self.add_status,
                          self.add_unsaved]),
            *([self.playbook.widget] if self.playbook is not None else []),
            widgets.HTML(
                f"<div class='wb-card wb-reward'><h2>The reward this step earns</h2><p><strong>{esc(reward.name)}"
                f"</strong>: {esc(reward.description)}</p></div>"),
        ])

    def _obstacle_row(self, obstacle: Obstacle) -> widgets.Widget:
        likely = self.step.id in obstacle.threatens
        box = widgets.Checkbox(value=False, description=obstacle.name, indent=False,
                               layout=widgets.Layout(width="auto"))
        box.observe(self.app.errors.guard(
            lambda change, o=obstacle: None if self._quiet else self.app.save_obstacle(self, o.id, change)),
            names="value")
        self.obstacles[obstacle.id] = box
        tag = " <span class='wb-tag'>often shows here</span>" if likely else ""
        signs = "".join(f"<li>{esc(s)}</li>" for s in obstacle.signs)
        detail = widgets.HTML(
            f"<p class='wb-muted'>{esc(obstacle.description)}{tag}</p>"
            f"<details><summary>Signs to look for</summary><ul>{signs}</ul></details>")
        box_row = widgets.VBox([box, detail])
        box_row.add_class("wb-obstacle")
        if likely:
            box_row.add_class("wb-likely")
        return box_row

    def set_saved(self, state: WorkshopState) -> None:
        """Show what is stored for this step (quietly: nothing is saved again).

        Also drops the boxes of unsaved text: this runs when the page is
        opened afresh, after the facilitator has had the chance to copy it.
        """
        self.clear_unsaved()
        for practice_id, entry in self.practices.items():
            entry.set_saved(state.rating(practice_id))
        self.set_evidence(state.evidence_for(self.step.id))
        showing = state.obstacles_at(self.step.id)
        self._quiet = True
        try:
            for obstacle_id, box in self.obstacles.items():
                box.value = obstacle_id in showing
        finally:
            self._quiet = False
        self.set_actions(state.actions_for(self.step.id))
        if self.playbook is not None:
            self.playbook.reload()

    def fold_practices(self) -> None:
        """Open only the first practice still without a rating; fold the rest to one line each.

        A step page with every practice open was ~5,200 px tall at 1280 px:
        folded, the team sees the practice it is on, and every other
        practice's name and rating, without scrolling past the rest.
        """
        unrated = [p for p in self.practices.values() if p.choice.value is None]
        for entry in self.practices.values():
            entry.fold(entry is not (unrated[0] if unrated else None))

    def clear_unsaved(self) -> None:
        self.evidence_unsaved.value = self.add_unsaved.value = ""
        for entry in self.practices.values():
            entry.unsaved.value = ""
        for action_row in self.action_rows.values():
            action_row.unsaved.value = ""

    def set_evidence(self, record: StepEvidenceRecord) -> None:
        self._quiet = True
        try:
            self.evidence.value = record.evidence or ""
            self.evidence_version = record.version
        finally:
            self._quiet = False

    def set_actions(self, actions: tuple[ActionRecord, ...]) -> None:
        """Update rows in place, add new ones, close the rows of removed actions."""
        keep: dict[int, ActionRow] = {}
        for action in actions:
            entry = self.action_rows.pop(action.id, None)
            if entry is None:
                entry = ActionRow(action, self.app.edit_action, self.app.complete_action, self.app.remove_action,
                                  self.app.errors.guard)
            else:
                entry.set_saved(action)
            keep[action.id] = entry
        for gone in self.action_rows.values():
            gone.close()
        self.action_rows = keep
        self.actions_box.children = tuple(r.widget for r in keep.values())

    def clear_new_action(self) -> None:
        self.new_what.value = ""
        self.new_owner.value = ""
        self.new_due.value = ""


# --- the app ------------------------------------------------------------------------------
class WorkshopApp:
    """The whole workshop for one organisation and cycle, as one widget (``.widget``)."""

    def __init__(self, store: Store, framework: Framework, session: WorkshopSession, *,
                 facilitator: str | None = None) -> None:
        self.store = store
        self.framework = framework
        self.session = session
        self.workshop = Workshop(store)
        self.errors = ErrorBanner()
        self.by: str | None = None
        self.page = "live"
        self.name = widgets.Text(placeholder="Optional: shown beside your changes", description="Your name",
                                 continuous_update=False, layout=widgets.Layout(width="34rem", max_width="100%"))
        self.name.style.description_width = "initial"
        self.name_status = widgets.HTML("")
        self.name.observe(self.errors.guard(lambda _c: self._name_changed()), names="value")
        if facilitator:
            self.name.value = facilitator
        self.saved_at = widgets.HTML("")
        self.saved_at.add_class("wb-status")
        self.nav_buttons: dict[str, widgets.Button] = {}
        self.review = ReviewPage(self)
        self.review.refresh()
        nav = [self._nav_button(REVIEW_PAGE, "Last cycle's actions")] if self.review.has_items else []
        nav.append(self._nav_button("live", "Live panel"))
        nav += [self._nav_button(s.id, f"{s.number} · {s.letter} · {s.name}") for s in framework.steps]
        nav.append(self._nav_button(workshop_scorecard.PAGE, "Scorecard"))
        nav.append(self._nav_button("summary", "Summary"))
        self.nav = widgets.HBox(nav)
        self.nav.add_class("wb-nav")
        self.steps = {s.id: StepPage(self, s) for s in framework.steps}
        self.scorecard: workshop_scorecard.ScorecardPage | None = None  # built on first visit
        self.live_box = widgets.VBox([])
        self.summary_box = widgets.VBox([])
        self.body = widgets.VBox([])
        org, cycle = session.organisation, session.cycle
        header = widgets.HTML(
            f"<p class='wb-muted'>{esc(org.name)} · DIME™ steps workshop · {esc(cycle.label)}</p>")
        # The DIME™ credit is the page's footer (templates/voila/workbook), once per page.
        self.widget = app_root(widgets.HTML(PROJECTOR_CSS), self.errors.widget, header,
                               row(self.name, self.name_status, self.saved_at), self.nav, self.body,
                               extra_class=PROJECTOR_CLASS)
        self.reload()
        if self.review.has_items:
            self.review.show()  # the workshop starts by looking back at what was promised last time
        else:
            self.show_live()

    # --- pages --------------------------------------------------------------------------
    def _nav_button(self, page: str, label: str) -> widgets.Button:
        button = widgets.Button(description=label, tooltip=f"Go to {label}", layout=widgets.Layout(width="auto"))
        button.on_click(self.errors.guard(lambda _b: self.show(page)))
        self.nav_buttons[page] = button
        return button

    def show(self, page: str) -> None:
        if page == REVIEW_PAGE:
            self.review.show()
        elif page == "live":
            self.show_live()
        elif page == "summary":
            self.show_summary()
        elif page in self.steps:
            self.show_step(page)
        elif page == workshop_scorecard.PAGE:
            self.scorecard = self.scorecard or workshop_scorecard.ScorecardPage(self)
            self.scorecard.reload()
            self._set(workshop_scorecard.PAGE, self.scorecard.widget)

    def show_page(self, page: str, *children: widgets.Widget) -> None:
        """Show a page built outside this class (the review) with the navigation kept in step."""
        self._set(page, *children)

    def _set(self, page: str, *children: widgets.Widget) -> None:
        self.errors.clear()
        self.page = page
        for name, button in self.nav_buttons.items():
            button.button_style = "primary" if name == page else ""
        self.body.children = tuple(children)

    def _step_nav(self, index: int) -> widgets.Widget:
        steps = self.framework.steps
        back_page = "live" if index == 0 else steps[index - 1].id
        back_label = "Live panel" if index == 0 else steps[index - 1].name
        forward_page = "summary" if index == len(steps) - 1 else steps[index + 1].id
        forward_label = "Summary" if index == len(steps) - 1 else steps[index + 1].name
        back = widgets.Button(description=f"Back: {back_label}", icon="arrow-left", tooltip=f"Back to {back_label}",
                              layout=widgets.Layout(width="auto"))
        back.on_click(self.errors.guard(lambda _b: self.show(back_page)))
        forward = widgets.Button(description=f"Next: {forward_label}", icon="arrow-right", button_style="primary",
                                 tooltip=f"Next: {forward_label}", layout=widgets.Layout(width="auto"))
        forward.on_click(self.errors.guard(lambda _b: self.show(forward_page)))
        return row(back, forward)

    def show_step(self, step_id: str) -> None:
        """A step's page, fresh from the database (another facilitator may have changed it)."""
        self.reload()
        self.steps[step_id].fold_practices()
        index = [s.id for s in self.framework.steps].index(step_id)
        self._set(step_id, self.steps[step_id].widget, self._step_nav(index))

    def show_live(self) -> None:
        refresh = widgets.Button(description="Refresh", icon="refresh", tooltip="Refresh the live panel")
        refresh.on_click(self.errors.guard(lambda _b: self.show_live()))
        start = widgets.Button(description=f"Start with step 1: {self.framework.steps[0].name}",
                               icon="arrow-right", button_style="primary", layout=widgets.Layout(width="auto"),
                               tooltip="Start with step 1")
        start.on_click(self.errors.guard(lambda _b: self.show(self.framework.steps[0].id)))
        self.live_box.children = (widgets.HTML(self._live_html()),)
        intro = widgets.HTML(f"<h1>Where we are</h1><p>{esc(self.framework.dime_letters)}</p>")
        self._set("live", intro, self.live_box, row(refresh, start))

    def _live_html(self) -> str:
        from workbook.charts import responsive_chart_html, value_profile_chart
        from workbook.workshop.html import participation_html
        from workbook.workshop.live import closing_words, live_profile, participation
        from workbook.workshop.organisation_view import self_and_organisation_html

        org, cycle = self.session.organisation, self.session.cycle
        try:
            progress = participation(self.workshop.team_progress(org.id, cycle.id), org.anonymity_threshold)
            profile = live_profile(self.store, self.framework, org, cycle)
            about_org = self_and_organisation_html(self.store, self.framework, org, cycle)
            closing = closing_words(self.store.responses.cycle(org.id, cycle.label).closes_on)  # may have changed
        except WorkbookError as error:
            log.warning("live panel failed: %s", error)
            return status_html("The live panel could not be loaded just now; press Refresh to try again.", "warn")
        parts = ["<h2>The values self-assessment</h2>", participation_html(progress),
                 f"<p class='wb-note'>{esc(closing)}</p>" if closing else "", "<h2>Our value profile</h2>"]
        if profile.shown:
            scale = self.framework.scale
            described = ", ".join(f"{r['value']} {r['score']:.1f}" for r in profile.chart_data.to_dict("records"))
            def chart(narrow: bool) -> Any:
                return value_profile_chart(
                    profile.chart_data, title=f"Our values profile ({profile.counted} people)",
                    description=f"Dot plot of the average rating for each value: {described}.",
                    scale=(scale.minimum, scale.maximum),
                    scale_title=f"Average rating ({scale.minimum} = {scale.label(scale.minimum)}, "
                                f"{scale.maximum} = {scale.label(scale.maximum)})",
                    value_order=[v.name for v in self.framework.values], narrow=narrow)
            parts.append(responsive_chart_html(chart(False), chart(True)))
        parts += [f"<p class='wb-note'>{esc(note)}</p>" for note in profile.notes]
        parts.append(about_org)
        parts.append(f"<p class='wb-muted'>Updated at {time.strftime('%H:%M')}. Individual answers are never "
                     "shown; no group smaller than "
                     f"{org.anonymity_threshold} people is shown.</p>")
        return "".join(parts)

    def show_summary(self) -> None:
        from workbook.charts import chart_html
        from workbook.workshop.export import actions_csv
        from workbook.workshop.history import action_threads
        from workbook.workshop.html import (
            actions_table_html,
            download_link_html,
            maturity_table_html,
            obstacles_html,
        )
        from workbook.workshop.summary import maturity_chart, summarise

        state = self.reload()
        org, cycle = self.session.organisation, self.session.cycle
        summary = summarise(self.framework, state, organisation_id=org.id, cycle_label=cycle.label)
        threads = action_threads(self.workshop.organisation_actions(org.id))
        chart = maturity_chart(summary)
        parts = [
            f"<h1>Summary</h1><p class='wb-muted'>{esc(org.name)} · {esc(cycle.label)}</p>",
            chart_html(chart) if chart is not None else "<p class='wb-muted'>No practice has been rated yet.</p>",
            maturity_table_html(summary),
            "<h2>Obstacles found</h2>", obstacles_html(summary),
            "<h2>Action plan</h2>", actions_table_html(summary, threads),
            f"<p>{download_link_html(summary, actions_csv(summary, threads))}</p>",
        ]
        refresh = widgets.Button(description="Refresh", icon="refresh", tooltip="Refresh the summary")
        refresh.on_click(self.errors.guard(lambda _b: self.show_summary()))
        self.summary_box.children = (widgets.HTML("".join(parts)),)
        self._set("summary", self.summary_box, refresh)

    # --- loading ------------------------------------------------------------------------------
    def reload(self) -> WorkshopState:
        """Show everything as stored now; returns the state read."""
        state = self.workshop.state(self.session.cycle.id)
        for page in self.steps.values():
            page.set_saved(state)
        return state

    # --- saving ---------------------------------------------------------------------------------
    def attempt(self, save: Callable[[], T], status: widgets.HTML,
                on_stale: Callable[[StaleEditError], None], done: str = "Saved ✓") -> T | None:
        """:meth:`_attempt` for the pages built in other modules (the review)."""
        return self._attempt(save, status, on_stale, done)

    def _attempt(self, save: Callable[[], T], status: widgets.HTML,
                 on_stale: Callable[[StaleEditError], None], done: str = "Saved ✓") -> T | None:
        """Run one save with retries for a busy database; say what happened in ``status``."""
        try:
            result = with_retries(save, "workshop save")
        except StaleEditError as error:
            on_stale(error)
            status.value = status_html(f"Not saved: {error}", "warn")
            return None
        except StoreError:
            status.value = status_html("Not saved: the workbook could not reach its database. "
                                    "Please try again in a moment.", "warn")
            return None
        except WorkbookError as error:
            status.value = status_html(f"Not saved: {error}", "warn")
            return None
        status.value = status_html(done)
        self.saved_at.value = status_html(f"Everything saved at {time.strftime('%H:%M')}.")
        return result

    def _name_changed(self) -> None:
        try:
            self.by = check_by(self.name.value)
        except InputError as error:
            self.by = None
            self.name_status.value = status_html(_sentence(error), "warn")
            return
        self.name_status.value = ""

    def save_practice(self, entry: PracticeInput) -> None:
        cycle_id = self.session.cycle.id
        rating = entry.choice.value

        def stale(error: StaleEditError) -> None:
            mine = entry.note.value
            current = error.current
            if isinstance(current, PracticeRatingRecord):
                entry.set_saved(current)
            else:
                self.reload()
            if mine != entry.note.value:
                entry.unsaved.value = unsaved_html(mine)

        saved = self._attempt(
            lambda: self.workshop.save_rating(cycle_id, entry.practice.id, rating, entry.note.value,
                                              expected_version=entry.version, framework=self.framework,
                                              by=self.by),
            entry.status, stale)
        if saved is not None:
            entry.version = saved.version

    def save_evidence(self, page: StepPage) -> None:
        cycle_id = self.session.cycle.id

        def stale(error: StaleEditError) -> None:
            mine = page.evidence.value
            if isinstance(error.current, StepEvidenceRecord):
                page.set_evidence(error.current)
            if mine != page.evidence.value:
                page.evidence_unsaved.value = unsaved_html(mine)

        saved = self._attempt(
            lambda: self.workshop.save_evidence(cycle_id, page.step.id, page.evidence.value,
                                                expected_version=page.evidence_version, framework=self.framework,
                                                by=self.by),
            page.evidence_status, stale)
        if saved is not None:
            page.evidence_version = saved.version

    def save_obstacle(self, page: StepPage, obstacle_id: str, change: dict[str, Any]) -> None:
        showing = change.get("new")
        if not isinstance(showing, bool):
            page.obstacle_status.value = status_html("Not saved: an obstacle is either ticked or not.", "warn")
            return
        name = self.framework.obstacle(obstacle_id).name
        done = f"Saved ✓ {name}: {'showing here' if showing else 'not showing here'}"
        self._attempt(
            lambda: self.workshop.set_obstacle(self.session.cycle.id, page.step.id, obstacle_id, showing,
                                               framework=self.framework, by=self.by),
            page.obstacle_status, lambda _e: None, done=done)

    def add_action(self, page: StepPage) -> None:
        what, owner = page.new_what.value, page.new_owner.value
        if not (what or "").strip():
            if not (owner or "").strip() and time.monotonic() - page.last_added_at < DOUBLE_CLICK_SECONDS:
                return  # the second click of a double click: the action was added once
            page.add_status.value = status_html("Please say what the action is.", "warn")
            return
        if not (owner or "").strip():
            page.add_status.value = status_html("Please say who owns this action.", "warn")
            return
        try:
            due = check_due(page.new_due.value)
        except InputError as error:
            page.add_status.value = status_html(f"Not added: {error}", "warn")
            return
        added = self._attempt(
            lambda: self.workshop.add_action(self.session.cycle.id, page.step.id, what, owner, due,
                                             framework=self.framework, by=self.by),
            page.add_status, lambda _e: None, done="Added ✓")
        if added is not None:
            page.last_added_at = time.monotonic()
            page.clear_new_action()
            self._refresh_actions(page)

    def _refresh_actions(self, page: StepPage) -> None:
        """Show the step's actions as stored now (including another facilitator's)."""
        page.set_actions(tuple(a for a in self.workshop.actions(self.session.cycle.id) if a.step_id == page.step.id))

    def _action_stale(self, entry: ActionRow) -> Callable[[StaleEditError], None]:
        def stale(error: StaleEditError) -> None:
            mine = {"Action": entry.what.value, "Owner": entry.owner.value}
            if isinstance(error.current, ActionRecord):
                entry.set_saved(error.current)
                entry.unsaved.value = unsaved_html(_changed_lines(mine, {"Action": entry.what.value,
                                                                         "Owner": entry.owner.value}))
            else:  # removed by the other facilitator: show the plan as it is now
                page = self.steps[self._step_of(entry)]
                self._refresh_actions(page)
                page.add_status.value = status_html(f"Not saved: {error}; the list is up to date now.", "warn")
                page.add_unsaved.value = unsaved_html(_changed_lines(mine, {}))
        return stale

    def _step_of(self, entry: ActionRow) -> str:
        return next(step_id for step_id, page in self.steps.items() if entry.action_id in page.action_rows)

    def edit_action(self, entry: ActionRow) -> None:
        try:
            due: date | None = check_due(entry.due.value)
            status = check_status(entry.status_choice.value)
        except InputError as error:
            entry.message.value = status_html(f"Not saved: {error}", "warn")
            return
        saved = self._attempt(
            lambda: self.workshop.update_action(
                self.session.cycle.id, entry.action_id, what=entry.what.value, owner=entry.owner.value, due=due,
                status=status, expected_version=entry.version, by=self.by),
            entry.message, self._action_stale(entry))
        if saved is not None:
            entry.set_saved(saved)

    def complete_action(self, entry: ActionRow) -> None:
        saved = self._attempt(
            lambda: self.workshop.complete_action(self.session.cycle.id, entry.action_id,
                                                  expected_version=entry.version, by=self.by),
            entry.message, self._action_stale(entry), done="Done ✓")
        if saved is not None:
            entry.set_saved(saved)

    def remove_action(self, entry: ActionRow) -> None:
        page = self.steps[self._step_of(entry)]

        def stale(error: StaleEditError) -> None:
            entry.cancel_remove()
            self._action_stale(entry)(error)

        def remove() -> bool:
            self.workshop.remove_action(self.session.cycle.id, entry.action_id, expected_version=entry.version)
            return True

        if self._attempt(remove, entry.message, stale, done="Removed ✓"):
            self._refresh_actions(page)
            page.add_status.value = status_html("Action removed ✓")


# --- building and showing ---------------------------------------------------------------------
def warm_up(db: str | None = None) -> None:
    """Do the slow work before anyone opens the page (pre-heated kernels).

    Outside a pre-heated kernel only the framework is loaded: opening the
    default database there could create a stray ``workbook.db`` beside the
    notebook before the ``db`` parameter is known.
    """
    from workbook.apps.request import is_preheating

    load_framework()
    if not is_preheating():
        return  # papermill or JupyterLab: no visitor is waiting, and no stray database file is made
    with contextlib.suppress(WorkbookError):  # reported to the visitor by show()
        open_store(db).close()
    from workbook.charts import warm_up as warm_charts

    warm_charts()


def build(key: object, db: str | None = None, *, cycle: object = None,
          facilitator: str | None = None) -> widgets.Widget:
    """The workshop for the organisation whose facilitator key this is, or a friendly page."""
    if key is None or key == "":
        return message_page(
            "Please use the facilitator link",
            "The workshop opens from your organisation's facilitator link. Ask the consultant for it, or run: "
            "workbook invites ORG --facilitator",
        )
    try:
        store = open_store(db)
        framework = load_framework()
        session = open_workshop(store, key, cycle)
        return WorkshopApp(store, framework, session, facilitator=facilitator).widget
    except AccessDeniedError as error:
        return message_page("This link does not work", _sentence(error))
    except NotFoundError as error:
        return message_page("This workshop cannot be opened", _sentence(error))
    except WorkbookError as error:
        log.error("workshop app could not start: %s", error)
        return message_page("Sorry, the workshop is not available",
                            "Something on our side is not working. Everything saved so far is safe; "
                            "please try the link again later.")


def show(key: str | None = None, db: str | None = None, cycle: str | None = None,
         facilitator: str | None = None) -> widgets.Widget:
    """Display the app.  Under Voila the key (and an optional ``cycle``) come from the page's URL."""
    from IPython.display import display

    from workbook.apps.request import query_parameters

    if key is None:
        query = query_parameters()
        key = query.get("key")
        cycle = cycle or query.get("cycle")
    app = build(key, db, cycle=cycle, facilitator=facilitator)
    display(app)  # type: ignore[no-untyped-call]
    return app

"""One step's page of the workshop: its practices to rate, evidence, obstacles and the actions agreed.

The widgets a step is made of (:class:`PracticeInput`, :class:`ActionRow`) and
the page that holds them (:class:`StepPage`); the controller
(:mod:`workbook.apps.workshop.app`) moves between pages and saves.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

import ipywidgets as widgets

from workbook.apps.ui import (
    ConfirmRemoval,
    ErrorBanner,
    day_field,
    day_text,
    row,
    sync_rows,
)
from workbook.apps.workshop_playbook import PlaybookSection
from workbook.framework import Framework, Obstacle, Practice, Step
from workbook.html import Markup, html, join
from workbook.workshop.records import (
    ACTION_STATUSES,
    REVIEW_LABELS,
    STATUS_LABELS,
    ActionRecord,
    PracticeRatingRecord,
    StepEvidenceRecord,
    WorkshopState,
)

__all__ = ["ActionRow", "Guard", "PracticeInput", "StepController", "StepPage", "changed_lines"]


Guard = Callable[[Callable[..., Any]], Callable[..., None]]


def _unguarded(handler: Callable[..., Any]) -> Callable[..., Any]:
    return handler



def changed_lines(mine: dict[str, str], stored: dict[str, str]) -> str:
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
            widgets.HTML(html("<p>{}</p>", practice.text)),
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
        self.heading.value = html("<h3>{} <span class='wb-rating {}'>{}</span></h3>", self.practice.name, kind, said)

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
        self.build_removal("this action", "Remove this action", lambda: on_remove(self), guard)
        self.unsaved = widgets.HTML("")  # this facilitator's text when someone else saved first
        self.origin = widgets.HTML("")  # "carried from an earlier cycle" and the review's verdict
        for field in (self.what, self.owner, self.due, self.status_choice):
            field.style.description_width = "initial"
            field.observe(guard(lambda _c: None if self._quiet else on_edit(self)), names="value")
        self.done.on_click(guard(lambda _b: on_done(self)))
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


def _origin_html(action: ActionRecord) -> Markup:
    """One muted line for an action with a history: where it came from or went, and the review's verdict."""
    if not action.is_editable:
        return Markup("<p class='wb-muted'>Carried forward into the next cycle, where it can still be changed.</p>")
    if action.carried_from_id is None:
        return Markup()
    verdict = f" Review: {REVIEW_LABELS[action.review].lower()}." if action.review else " Not reviewed yet."
    return html("<p class='wb-muted'>Carried from an earlier cycle.{}</p>", verdict)


def _close_tree(widget: widgets.Widget) -> None:
    for child in getattr(widget, "children", ()):
        _close_tree(child)
    widget.close()


# --- one step ------------------------------------------------------------------------------
class StepController(Protocol):
    """What a step page asks of the app that holds it (:class:`workbook.apps.workshop.app.WorkshopApp`).

    A protocol rather than the app's class, so this module does not import the
    controller that imports it.
    """

    framework: Framework
    errors: ErrorBanner

    def save_practice(self, entry: PracticeInput) -> None: ...
    def save_evidence(self, page: StepPage) -> None: ...
    def save_obstacle(self, page: StepPage, obstacle_id: str, change: dict[str, Any]) -> None: ...
    def add_action(self, page: StepPage) -> None: ...
    def edit_action(self, entry: ActionRow) -> None: ...
    def complete_action(self, entry: ActionRow) -> None: ...
    def remove_action(self, entry: ActionRow) -> None: ...


class StepPage:
    """Everything the team does for one step, on one page."""

    def __init__(self, app: StepController, step: Step, playbook: PlaybookSection | None = None) -> None:
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
        #: The recovery playbook, on the step the framework file names (positive memories).
        self.playbook = playbook
        prompts = join(html("<li>{}</li>", p) for p in step.prompts)
        scale = join((html("{} = {}", p.value, p.maturity_label) for p in framework.scale.points), ", ")
        total = len(framework.steps)
        self.widget = widgets.VBox([
            widgets.HTML(html(
                "<p class='wb-muted'>Step {} of {} · {}</p><h1>{} · {}</h1><p class='wb-big'>{}</p>"
                "<div class='wb-card'><h2>Talk it through</h2><ul>{}</ul></div>"
                "<h2>Rate our practices together</h2>"
                "<p>How established is each practice for us today? ({}) The practice to rate next is open; "
                "open any other to change its rating.</p>",
                step.number, total, step.relationship, step.letter, step.name, step.purpose, prompts, scale)),
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
            widgets.HTML(html("<h2>Actions for {}</h2>", step.name.lower())),
            self.actions_box,
            widgets.VBox([self.new_what, row(self.new_owner, self.new_due, self.add), self.add_status,
                          self.add_unsaved]),
            *([self.playbook.widget] if self.playbook is not None else []),
            widgets.HTML(html(
                "<div class='wb-card wb-reward'><h2>The reward this step earns</h2><p><strong>{}</strong>: {}</p>"
                "</div>", reward.name, reward.description)),
        ])

    def _obstacle_row(self, obstacle: Obstacle) -> widgets.Widget:
        likely = self.step.id in obstacle.threatens
        box = widgets.Checkbox(value=False, description=obstacle.name, indent=False,
                               layout=widgets.Layout(width="auto"))
        box.observe(self.app.errors.guard(
            lambda change, o=obstacle: None if self._quiet else self.app.save_obstacle(self, o.id, change)),
            names="value")
        self.obstacles[obstacle.id] = box
        tag = Markup(" <span class='wb-tag'>often shows here</span>") if likely else Markup()
        signs = join(html("<li>{}</li>", s) for s in obstacle.signs)
        detail = widgets.HTML(html("<p class='wb-muted'>{}{}</p><details><summary>Signs to look for</summary>"
                                   "<ul>{}</ul></details>", obstacle.description, tag, signs))
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
        self.action_rows = sync_rows(
            self.action_rows, actions,
            lambda action: ActionRow(action, self.app.edit_action, self.app.complete_action, self.app.remove_action,
                                     self.app.errors.guard),
            self.actions_box)

    def clear_new_action(self) -> None:
        self.new_what.value = ""
        self.new_owner.value = ""
        self.new_due.value = ""

"""The workshop's review of last cycle's actions: done, carried again, or dropped.

When a cycle opens, the unfinished actions of earlier cycles are carried into
it (:mod:`workbook.workshop.carry`).  The workshop then opens on this page:
for each carried action the facilitator marks what became of it, with a
short note (required for a dropped action: it leaves the plan for good, and
the reason is what the next quarter and the report need to read).

Like the rest of the workshop, every choice is saved the moment it is made,
and an edit that started from an old version is refused with the other
facilitator's choice shown (the repository's compare-and-set,
:meth:`workbook.workshop.repository.Workshop.review_action`).  The logic
lives in :mod:`workbook.workshop`; this module only draws it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import ipywidgets as widgets

from workbook.apps.ui import row, unsaved_html
from workbook.apps.workshop_host import PageHost
from workbook.html import Markup, html
from workbook.text import format_day
from workbook.workshop.checks import REVIEW_NOTE_MAX
from workbook.workshop.errors import StaleEditError
from workbook.workshop.history import ActionThread, action_threads
from workbook.workshop.records import REVIEW_LABELS, REVIEW_OUTCOMES, ActionRecord

__all__ = ["REVIEW_PAGE", "ReviewItem", "ReviewPage"]

#: The page's name in the workshop's navigation.
REVIEW_PAGE = "review"


class ReviewItem:
    """One carried action: what it was, where it came from, and the team's verdict with a note."""

    def __init__(self, action: ActionRecord, step_title: str, thread: ActionThread | None,
                 on_change: Callable[[ReviewItem], None], guard: Callable[[Callable[..., Any]], Callable[..., None]],
                 ) -> None:
        self.action_id = action.id
        self.version = action.version
        self.step_title = step_title
        self.thread = thread
        self._quiet = False
        self.heading = widgets.HTML("")
        self.choice = widgets.ToggleButtons(
            options=[(REVIEW_LABELS[o], o) for o in REVIEW_OUTCOMES], value=None,
            description="What became of it?", tooltips=[f"Mark it {REVIEW_LABELS[o].lower()}" for o in REVIEW_OUTCOMES])
        self.choice.style.description_width = "initial"
        self.note = widgets.Textarea(
            placeholder="A short note: what was done, why it goes on, or why it is dropped (needed to drop it)",
            description="Note", continuous_update=False, layout=widgets.Layout(width="100%"))
        self.note.add_class("wb-review-note")
        self.status = widgets.HTML("")
        self.status.add_class("wb-status")
        self.unsaved = widgets.HTML("")
        self.choice.observe(guard(lambda _c: None if self._quiet else on_change(self)), names="value")
        self.note.observe(guard(lambda _c: None if self._quiet else on_change(self)), names="value")
        self.widget = widgets.VBox([self.heading, row(self.choice), self.note, self.status, self.unsaved])
        self.widget.add_class("wb-card")
        self.widget.add_class("wb-review-item")
        self.set_saved(action, step_title, thread)

    def set_saved(self, action: ActionRecord, step_title: str | None = None,
                  thread: ActionThread | None = None) -> None:
        """Show what is stored (quietly: nothing is saved again), heading included."""
        self.step_title = step_title if step_title is not None else self.step_title
        self.thread = thread if thread is not None else self.thread
        came = ""
        if self.thread is not None and self.thread.carried_from_cycle:
            first = self.thread.first_cycle
            came = f"Carried from {self.thread.carried_from_cycle}" + (
                f", first agreed in {first}" if first != self.thread.carried_from_cycle else "")
        due = f" · due {format_day(action.due)}" if action.due else ""
        self.heading.value = html(
            "<p class='wb-muted'>{}</p><h3>{}</h3><p>Owner: {}{} · {}</p>{}", self.step_title, action.what,
            action.owner, due, action.status_label, html("<p class='wb-muted'>{}</p>", came) if came else Markup())
        self._quiet = True
        try:
            self.choice.value = action.review
            self.note.value = action.review_note or ""
            self.version = action.version
        finally:
            self._quiet = False


class ReviewPage:
    """Every action carried into this cycle, to be marked done, carried again or dropped."""

    def __init__(self, app: PageHost) -> None:
        self.app = app
        self.items: dict[int, ReviewItem] = {}
        self.progress = widgets.HTML("")
        self.box = widgets.VBox([])
        self.widget = widgets.VBox([])

    @property
    def has_items(self) -> bool:
        return bool(self.items)

    def refresh(self) -> None:
        """Read the carried actions afresh and show them (another facilitator may have reviewed some)."""
        app = self.app
        carried = app.workshop.carried_in(app.session.cycle.id)
        threads: Mapping[int, ActionThread] = {}
        if carried:
            threads = action_threads(app.workshop.organisation_actions(app.session.organisation.id))
        keep: dict[int, ReviewItem] = {}
        for action in carried:
            title = self._step_title(action.step_id)
            entry = self.items.pop(action.id, None)
            if entry is None:
                entry = ReviewItem(action, title, threads.get(action.id), self.save, app.errors.guard)
            else:
                entry.set_saved(action, title, threads.get(action.id))
            keep[action.id] = entry
        for gone in self.items.values():
            gone.widget.close()
        self.items = keep
        self.box.children = tuple(i.widget for i in keep.values())
        self._count()

    def _step_title(self, step_id: str) -> str:
        step = next((s for s in self.app.framework.steps if s.id == step_id), None)
        return f"{step.number} · {step.letter} · {step.name}" if step is not None else step_id

    def _count(self) -> None:
        done = sum(1 for i in self.items.values() if i.choice.value is not None)
        total = len(self.items)
        self.progress.value = html("<p class='wb-big' role='status'><strong>{} of {}</strong> {} reviewed.</p>",
                                   done, total, "action" if total == 1 else "actions")

    def page(self) -> tuple[widgets.Widget, ...]:
        """The page's widgets for the workshop's body."""
        app = self.app
        intro = widgets.HTML(html(
            "<h1>Last cycle's actions</h1><p class='wb-big'>These actions were not finished when this cycle "
            "opened, so they came with it. For each one, say what became of it: <strong>done</strong>, "
            "<strong>carried again</strong> into this quarter's plan, or <strong>dropped</strong>, with a short "
            "note (a dropped action needs one, up to {} characters). Each choice is saved at once.</p>",
            REVIEW_NOTE_MAX))
        refresh = widgets.Button(description="Refresh", icon="refresh", tooltip="Refresh the review")
        refresh.on_click(app.errors.guard(lambda _b: self.show()))
        forward = widgets.Button(description="Next: Live panel", icon="arrow-right", button_style="primary",
                                 tooltip="Next: Live panel", layout=widgets.Layout(width="auto"))
        forward.on_click(app.errors.guard(lambda _b: app.show("live")))
        return intro, self.progress, self.box, row(refresh, forward)

    def show(self) -> None:
        self.refresh()
        self.app.show_page(REVIEW_PAGE, *self.page())

    def save(self, item: ReviewItem) -> None:
        outcome = item.choice.value
        if outcome is None:
            return  # a note typed before choosing: saved together with the choice
        app = self.app
        cycle_id = app.session.cycle.id

        def stale(error: StaleEditError) -> None:
            mine = item.note.value
            if isinstance(error.current, ActionRecord):
                item.set_saved(error.current)
                if mine != item.note.value and mine.strip():
                    item.unsaved.value = unsaved_html(mine)
            else:
                self.refresh()

        saved = app.attempt(
            lambda: app.workshop.review_action(cycle_id, item.action_id, outcome, item.note.value,
                                               expected_version=item.version, by=app.by),
            item.status, stale, done=f"Saved ✓ {REVIEW_LABELS[outcome]}")
        if saved is not None:
            item.set_saved(saved)  # the heading's status too (dropped, done or still open)
            item.unsaved.value = ""
        self._count()

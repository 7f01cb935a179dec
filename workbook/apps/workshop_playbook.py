"""The service recovery playbook on the workshop's positive-memories page.

The team lists the failures that happen to it most often and, for each, agrees
the three stages of recovery (seed 004): what front-line staff say to
acknowledge it and apologise; what they may offer without asking, up to what
amount and how fast; who follows up, and when.  The framework file's
``recovery:`` section gives each column a question, a prompt and a strong and
a weak example, shown under "How to fill it in".

Like the action plan, everything is saved as it is typed:

* typing a failure and pressing "Add failure" adds a row; every other box of
  a row saves the whole row when the facilitator leaves it;
* every value is checked on the kernel side
  (:func:`workbook.workshop.checks.check_play`, again in the repository);
  a bad one is refused with a message beside the row and stays on screen to
  correct;
* two facilitators never overwrite each other silently: an edit that started
  from an old version is refused, the other person's row is shown, and what
  this facilitator typed stays in a read-only box to copy from.

The hook into :mod:`workbook.apps.workshop` is one section of the step's page
(:class:`PlaybookSection`); the repository is :mod:`workbook.workshop.playbook`.
The section asks of the app only what
:class:`~workbook.apps.workshop_host.WorkshopHost` names, so this module never
imports the app that imports it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Final

import ipywidgets as widgets

from workbook.apps.ui import ConfirmRemoval, row, status_html, sync_rows, unsaved_html
from workbook.apps.workshop_host import WorkshopHost
from workbook.framework import RecoveryField, RecoveryGuide, format_number
from workbook.html import Markup, html, join
from workbook.workshop.errors import StaleEditError
from workbook.workshop.playbook import Playbook
from workbook.workshop.records import PlayFields, PlayRecord

__all__ = ["PLAYBOOK_CSS", "PlayRow", "PlaybookSection", "guide_html"]

#: The text boxes of a row, in the order of the three stages (the failure heads the row).
_LINES: Final = ("speed", "follow_up_by", "follow_up_when")
_AREAS: Final = ("say", "offer")

PLAYBOOK_CSS: Final = Markup("""
<style>
.wb-playbook-stages { display: flex; flex-wrap: wrap; gap: 0.6rem; }
.wb-playbook-stages > div { flex: 1 1 14rem; border-left: 6px solid #0b5cad; background: #eef4fb;
  padding: 0.4rem 0.8rem; border-radius: 6px; }
.wb-playbook-stages h3 { margin: 0.1rem 0 0.3rem; }
/* Labels above their boxes: the same reading order on a projector and on a 390 px phone. */
.wb-play .widget-text, .wb-play .widget-textarea, .wb-playbook-new .widget-text {
  width: 100% !important; max-width: 100%; flex-direction: column; align-items: stretch; height: auto; }
.wb-play .widget-label, .wb-playbook-new .widget-label { width: auto !important; max-width: none !important;
  text-align: left !important; margin: 0.3rem 0 0.2rem; font-weight: 600; }
.wb-play input[type=text], .wb-play textarea, .wb-playbook-new input[type=text] { width: 100%; box-sizing: border-box; }
.wb-play-limit input[type=text] { max-width: 14rem; }
.wb-guide dt { font-weight: 700; margin-top: 0.5rem; }
.wb-guide dd { margin: 0.1rem 0 0.3rem 1rem; }
.wb-guide .wb-good strong { color: #00603f; }
.wb-guide .wb-weak strong { color: #8a1c12; }
</style>
""")



def _examples(field: RecoveryField) -> Markup:
    good = join(html("<dd class='wb-good'><strong>Strong:</strong> {} <span class='wb-muted'>({})</span></dd>",
                     e.text, e.why) for e in field.good)
    weak = join(html("<dd class='wb-weak'><strong>Weak:</strong> {} <span class='wb-muted'>({})</span></dd>",
                     e.text, e.why) for e in field.bad)
    return html("<dt>{}: {}</dt><dd>{}</dd>{}{}", field.name, field.question, field.prompt, good, weak)


def guide_html(guide: RecoveryGuide) -> Markup:
    """The three stages side by side, then every column's prompt and examples folded away."""
    stages = join(html("<div><h3>{}. {}</h3><p>{}</p></div>", i, s.name, s.summary)
                  for i, s in enumerate(guide.stages, start=1))
    fields = guide.fields
    columns = (fields.failure, fields.say, fields.offer, fields.limit, fields.speed, fields.follow_up_by,
               fields.follow_up_when)
    questions = join(html("<li>{}</li>", q) for q in guide.follow_up_questions)
    return html("<h2>{}</h2><p>{}</p><div class='wb-playbook-stages'>{}</div>"
                "<details class='wb-guide'><summary>How to fill it in: prompts and examples</summary>"
                "<dl>{}</dl><p>The follow-up asks:</p><ul>{}</ul></details>",
                guide.name, guide.intro, stages, join(_examples(c) for c in columns), questions)


class PlayRow(ConfirmRemoval):
    """One failure and its recovery, editable in place: leaving a box saves the row."""

    removal_question = "Remove this failure from this quarter's playbook?"

    def __init__(self, play: PlayRecord, guide: RecoveryGuide, on_edit: Callable[[PlayRow], None],
                 on_remove: Callable[[PlayRow], None], guard: Callable[..., Any]) -> None:
        self.play_id = play.id
        self.version = play.version
        self._quiet = False
        fields = guide.fields

        def text(label: str, placeholder: str) -> widgets.Text:
            return widgets.Text(description=label, placeholder=placeholder, continuous_update=False,
                                style={"description_width": "initial"}, layout=widgets.Layout(width="100%"))

        def area(label: str, placeholder: str) -> widgets.Textarea:
            return widgets.Textarea(description=label, placeholder=placeholder, continuous_update=False,
                                    style={"description_width": "initial"}, layout=widgets.Layout(width="100%"))

        self.failure = text(fields.failure.name, fields.failure.question)
        self.say = area(fields.say.name, fields.say.question)
        self.offer = area(fields.offer.name, fields.offer.question)
        self.limit = text(f"{fields.limit.name} ({guide.currency})", "e.g. 25; empty: nothing is given")
        self.speed = text(fields.speed.name, fields.speed.question)
        self.follow_up_by = text(fields.follow_up_by.name, fields.follow_up_by.question)
        self.follow_up_when = text(fields.follow_up_when.name, fields.follow_up_when.question)
        self.build_removal("this failure", "Remove this failure from the playbook", lambda: on_remove(self), guard)
        self.unsaved = widgets.HTML("")
        self.origin = widgets.HTML("")
        for box in self.boxes:
            box.observe(guard(lambda _c: None if self._quiet else on_edit(self)), names="value")
        self.limit.add_class("wb-play-limit")
        stage = {s.id: s.name for s in guide.stages}

        def heading(number: int, field: RecoveryField) -> widgets.HTML:
            return widgets.HTML(html("<h3>{}. {}</h3>", number, stage.get(field.stage or "", field.name)))

        self.widget = widgets.VBox([
            self.failure, self.origin,
            heading(1, fields.say), self.say,
            heading(2, fields.offer), self.offer,
            self.limit, self.speed,
            heading(3, fields.follow_up_by),
            self.follow_up_by, self.follow_up_when,
            row(self.remove, self.confirm, self.keep, self.message),
            self.unsaved,
        ])
        self.widget.add_class("wb-card")
        self.widget.add_class("wb-play")
        self.set_saved(play)

    @property
    def boxes(self) -> tuple[widgets.Text | widgets.Textarea, ...]:
        return (self.failure, self.say, self.offer, self.limit, self.speed, self.follow_up_by, self.follow_up_when)

    def fields(self) -> PlayFields:
        """What is on screen now, as the repository takes it."""
        return PlayFields(self.failure.value, self.say.value, self.offer.value, self.limit.value,
                          self.speed.value, self.follow_up_by.value, self.follow_up_when.value)

    def set_saved(self, play: PlayRecord) -> None:
        """Show a stored row without saving it again."""
        self._quiet = True
        try:
            self.failure.value = play.failure
            self.say.value = play.say or ""
            self.offer.value = play.offer or ""
            self.limit.value = format_number(play.limit) if play.limit is not None else ""
            self.speed.value = play.speed or ""
            self.follow_up_by.value = play.follow_up_by or ""
            self.follow_up_when.value = play.follow_up_when or ""
            self.version = play.version
            self.origin.value = (Markup("<p class='wb-muted'>From last quarter's playbook: refine it for this one.</p>")
                                 if play.carried_from_id is not None else Markup())
        finally:
            self._quiet = False

    def close(self) -> None:
        for child in (*self.boxes, self.remove, self.confirm, self.keep, self.message, self.unsaved, self.origin):
            child.close()
        self.widget.close()


class PlaybookSection:
    """The playbook's part of the step page: the guide, one :class:`PlayRow` per failure, and a way to add one."""

    def __init__(self, app: WorkshopHost, guide: RecoveryGuide) -> None:
        self.app = app
        self.guide = guide
        self.playbook = Playbook(app.store)
        self.rows: dict[int, PlayRow] = {}
        self.rows_box = widgets.VBox([])
        failure = guide.fields.failure
        self.new_failure = widgets.Text(placeholder=failure.question, description=f"New {failure.name.lower()}",
                                        style={"description_width": "initial"},
                                        layout=widgets.Layout(width="100%"))
        self.add = widgets.Button(description="Add failure", button_style="primary", icon="plus",
                                  tooltip="Add this failure to the recovery playbook")
        self.add.on_click(app.errors.guard(lambda _b: self.add_play()))
        self.add_status = widgets.HTML("")
        self.add_status.add_class("wb-status")
        self.count = widgets.HTML("")
        new_box = widgets.VBox([self.new_failure, row(self.add, self.add_status)])
        new_box.add_class("wb-playbook-new")
        self.widget = widgets.VBox([
            widgets.HTML(PLAYBOOK_CSS + guide_html(guide)), self.count, self.rows_box,
            new_box,
        ])
        self.widget.add_class("wb-playbook")

    def reload(self) -> None:
        """Show the playbook as stored now (another facilitator may have changed it)."""
        self.set_plays(self.playbook.plays(self.app.session.cycle.id))

    def set_plays(self, plays: tuple[PlayRecord, ...]) -> None:
        """Update rows in place, add new ones, close the rows of removed failures."""
        self.rows = sync_rows(
            self.rows, plays,
            lambda play: PlayRow(play, self.guide, self.save, self.remove_play, self.app.errors.guard),
            self.rows_box)
        n = len(self.rows)
        self.count.value = (html("<p class='wb-note' role='status'>{} {} in this quarter's playbook.</p>",
                                 n, "failure" if n == 1 else "failures") if n else
                            Markup("<p class='wb-muted'>No failures in the playbook yet: add the one that happens "
                                   "most often first.</p>"))

    def add_play(self) -> None:
        text = (self.new_failure.value or "").strip()
        if not text:
            self.add_status.value = status_html("Please say what goes wrong first.", "warn")
            return
        added = self.app.attempt(
            lambda: self.playbook.add(self.app.session.cycle.id, PlayFields(text), by=self.app.by),
            self.add_status, lambda _e: None, done="Added ✓ now fill in the three stages below")
        if added is not None:
            self.new_failure.value = ""
            self.reload()

    def save(self, entry: PlayRow) -> None:
        cycle_id = self.app.session.cycle.id
        mine = entry.fields()

        def stale(error: StaleEditError) -> None:
            if isinstance(error.current, PlayRecord):
                entry.set_saved(error.current)
                typed = "\n".join(f"{box.description}: {value}" for box, value in zip(
                    entry.boxes, (mine.failure, mine.say, mine.offer, mine.limit, mine.speed, mine.follow_up_by,
                                  mine.follow_up_when), strict=True) if str(value or "").strip())
                entry.unsaved.value = unsaved_html(typed)
            else:
                self.reload()
                self.add_status.value = status_html(f"Not saved: {error}; the playbook is up to date now.", "warn")

        saved = self.app.attempt(
            lambda: self.playbook.update(cycle_id, entry.play_id, mine, expected_version=entry.version,
                                         by=self.app.by),
            entry.message, stale)
        if saved is not None:
            entry.set_saved(saved)
            entry.unsaved.value = ""

    def remove_play(self, entry: PlayRow) -> None:
        def stale(error: StaleEditError) -> None:
            entry.cancel_remove()
            if isinstance(error.current, PlayRecord):
                entry.set_saved(error.current)

        def remove() -> bool:
            self.playbook.remove(self.app.session.cycle.id, entry.play_id, expected_version=entry.version)
            return True

        if self.app.attempt(remove, entry.message, stale, done="Removed ✓"):
            self.reload()
            self.add_status.value = status_html(f"Removed ✓ at {time.strftime('%H:%M')}")

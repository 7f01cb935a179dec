"""The charter builder: the team writes its 10-promise customer service charter.

A facilitator opens the organisation's facilitator link (``?key=…``); this
module builds everything they see:

* **Where to start** - the organisation's weakest values (self-assessment,
  only above the anonymity threshold) and lowest-rated steps (workshop), and
  the starter promises ranked to match, each with its reason;
* **Checks** - what still blocks approval (vague words without a measure, a
  missing standard, owner or review date, near-duplicates, values or steps no
  promise serves), updated after every change;
* **The promises** - one card each: the words customers read, the value and
  step it serves, the standard, the owner and the review date; move, remove,
  add (from the starters or blank);
* **Approve**, **Versions** (compare any two side by side) and **Export**
  (Markdown, HTML, PDF, Word: written next to the database and offered as a
  download straight from the page).

Rules the app keeps, whatever the browser sends: every change is checked on
the kernel side (:mod:`workbook.charter.validate`) before it is stored, and
saved at once; a save over someone else's newer save is refused, the page
shows their version and keeps the text this facilitator typed in a read-only
box to copy from; approval is refused while a blocking check fails (the store
checks again); an unexpected failure in a button or field handler shows a
calm line at the top instead of a page that stops responding; a missing or
wrong key shows a friendly page and no data.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import time
from collections.abc import Callable
from datetime import date
from typing import Any

import ipywidgets as widgets

from workbook.apps import kernel_store
from workbook.apps.saving import with_retries
from workbook.apps.ui import (
    ErrorBanner,
    app_root,
    day_field,
    day_text,
    facilitator_organisation,
    message_page,
    row,
    sentence,
    unsaved_html,
)
from workbook.charter.checks import REQUIRED_PROMISES, CheckReport, check_charter
from workbook.charter.ranking import Evidence, Suggestion, rank_starters
from workbook.charter.records import ApprovalRefusedError, CharterRecord, PromiseRecord, format_day
from workbook.charter.repository import Charters
from workbook.charter.targets import catalogue, find_measure
from workbook.charter.validate import FOUNDATION_MAX, MAX_PROMISES, clean_promise
from workbook.charter.views import (
    CHARTER_CSS,
    charter_html,
    checks_html,
    diff_html,
    download_link_html,
    evidence_html,
    examples_html,
    findings_html,
    foundation_html,
    reasons_html,
    results_html,
)
from workbook.errors import AccessDeniedError, ConflictError, StoreError, WorkbookError
from workbook.framework import Framework, Promise, load_framework
from workbook.html import Markup, html, join
from workbook.store import OrganisationRecord, Store

__all__ = ["BLANK", "CharterBuilder", "build", "show", "warm_up"]

log = logging.getLogger(__name__)

#: The "add a promise" choice that adds an empty promise instead of a starter.
BLANK = "blank"
EXPORT_LABELS = (("PDF (A4, to print and pin up)", "pdf"), ("Word (to keep editing)", "docx"),
                 ("HTML (a web page)", "html"), ("Markdown", "md"))
Today = Callable[[], date]
Guard = Callable[[Callable[..., Any]], Callable[..., None]]
#: The typed fields of a promise card whose text is kept when a save is refused.
TYPED_FIELDS = (("text", "Our promise"), ("standard", "Standard"), ("owner", "Owner"))
#: The two pages of the editor: the brand promise and common purpose first, then the promises.
FOUNDATION, PROMISES = "foundation", "promises"


def format_target_value(value: float | None) -> str:
    """A stored target as people type it: "95", "2.5", "" for none."""
    if value is None:
        return ""
    return str(int(value)) if value == int(value) else f"{value:g}"


def starter_record(starter: Promise, framework: Framework) -> PromiseRecord:
    """A starter promise as a promise of the draft, with its measure and target when the catalogue has the measure.

    (A consultant may replace the catalogue without touching the starters: a
    starter whose measure is gone is offered without it.)
    """
    known = {m.id for m in catalogue(framework)}
    measured = starter.measure in known and starter.target is not None
    return PromiseRecord(text=starter.text, value_id=starter.value, step_id=starter.step,
                         standard=starter.standard, starter_id=starter.id,
                         measure_id=starter.measure if measured else None,
                         target_op=starter.target_op if measured else None,
                         target_value=starter.target if measured else None)


def _unguarded(handler: Callable[..., Any]) -> Callable[..., Any]:
    return handler


class PromiseCard:
    """The inputs of one promise; every change goes to ``on_change(card, field, value)``."""

    def __init__(self, position: int, promise: PromiseRecord, framework: Framework,
                 reasons: tuple[str, ...], on_change: Callable[[PromiseCard, str, object], None],
                 on_action: Callable[[PromiseCard, str], None], *, last: bool,
                 guard: Guard = _unguarded) -> None:
        self.position = position
        self._on_change = on_change
        self._quiet = False
        wide = widgets.Layout(width="100%")
        label = {"description_width": "8.5rem"}
        self.text = widgets.Textarea(value=promise.text, description="Our promise", rows=3,
                                     placeholder="What customers can expect, in words they would use",
                                     continuous_update=False, layout=wide, style=label)
        self.value = widgets.Dropdown(
            options=[("Choose a value…", "")] + [(f"{v.id} · {v.name}", v.id) for v in framework.values],
            value=promise.value_id or "", description="Value it serves", layout=wide, style=label)
        self.step = widgets.Dropdown(
            options=[("Choose a step…", "")] + [(f"{s.letter} · {s.name}", s.id) for s in framework.steps],
            value=promise.step_id or "", description="DIME™ step", layout=wide, style=label)
        self.standard = widgets.Textarea(value=promise.standard or "", description="Standard", rows=3,
                                         placeholder="How you measure it, e.g. “every email answered within "
                                                     "2 working hours, checked weekly”",
                                         continuous_update=False, layout=wide, style=label)
        self.owner = widgets.Text(value=promise.owner or "", description="Owner",
                                  placeholder="Who makes sure it is kept (a name or role)",
                                  continuous_update=False, layout=wide, style=label)
        self.review = day_field("Review by", promise.review_date, style=label)
        measures = catalogue(framework)
        self.measure = widgets.Dropdown(
            options=[("No measure yet", "")] + [(f"{m.name} ({m.unit})", m.id) for m in measures],
            value=promise.measure_id if promise.measure_id in {m.id for m in measures} else "",
            description="Measured by", layout=wide, style=label)
        self.target_op = widgets.Dropdown(options=[("at least (≥)", ">="), ("at most (≤)", "<=")],
                                          value=promise.target_op or ">=", description="Target",
                                          layout=widgets.Layout(width="auto"), style=label)
        # No description: the "Target" label stands beside it; the tooltip names it for screen readers.
        self.target_value = widgets.Text(value=format_target_value(promise.target_value), placeholder="e.g. 95",
                                         tooltip="Target number", continuous_update=False,
                                         layout=widgets.Layout(width="7rem"))
        self.target_unit = widgets.HTML(self._unit_of(framework, promise.measure_id))
        self.target_row = row(self.target_op, self.target_value, self.target_unit)
        self._framework = framework
        self.findings = widgets.HTML("")
        self.status = widgets.HTML("")
        self.status.add_class("wb-status")
        up = _button(description="Move up", icon="arrow-up", tooltip=f"Move promise {position} up",
                     disabled=position == 1)
        down = _button(description="Move down", icon="arrow-down",
                       tooltip=f"Move promise {position} down", disabled=last)
        remove = _button(description="Remove", icon="trash", tooltip=f"Remove promise {position}")
        up.on_click(guard(lambda _b: on_action(self, "up")))
        down.on_click(guard(lambda _b: on_action(self, "down")))
        remove.on_click(guard(lambda _b: on_action(self, "remove")))
        self.buttons = (up, down, remove)
        measured = [self.measure, self.target_row] if measures else []
        self.widget = widgets.VBox([
            widgets.HTML(html("<h3>Promise {}</h3>{}", position, reasons_html(reasons))),
            self.text, self.value, self.step, self.standard, *measured, self.owner, self.review,
            self.findings, row(up, down, remove, self.status),
        ])
        self.widget.add_class("wb-card")
        for field, widget in self.fields().items():
            widget.observe(guard(lambda change, field=field: self._changed(field, change)), names="value")

    def fields(self) -> dict[str, widgets.ValueWidget]:
        return {"text": self.text, "value_id": self.value, "step_id": self.step, "standard": self.standard,
                "owner": self.owner, "review_date": self.review, "measure_id": self.measure,
                "target_op": self.target_op, "target_value": self.target_value}

    @staticmethod
    def _unit_of(framework: Framework, measure_id: str | None) -> Markup:
        if not measure_id:
            return Markup()
        try:
            return html("<span class='wb-muted'>{}</span>", find_measure(framework, measure_id).unit)
        except WorkbookError:
            return Markup()

    def show_target(self, promise: PromiseRecord) -> None:
        """Show the stored target (the kernel may have filled in the comparison or tidied the number)."""
        self._quiet = True
        try:
            self.target_op.value = promise.target_op or ">="
            self.target_value.value = format_target_value(promise.target_value)
            self.target_unit.value = self._unit_of(self._framework, promise.measure_id)
        finally:
            self._quiet = False

    def show_review(self, day: date | None) -> None:
        """Show the stored review date in the one format every screen uses (what was typed may differ)."""
        self._quiet = True
        try:
            self.review.value = day_text(day)
        finally:
            self._quiet = False

    def _changed(self, field: str, change: dict[str, Any]) -> None:
        if not self._quiet:
            self._on_change(self, field, change["new"])


class CharterBuilder:
    """The whole builder for one organisation, as one widget (``.widget``)."""

    def __init__(self, store: Store, framework: Framework, organisation: OrganisationRecord,
                 evidence: Evidence | None = None, *, today: Today = date.today) -> None:
        self.store = store
        self.framework = framework
        self.organisation = organisation
        self.charters = Charters(store.transactions)
        self.today = today
        if evidence is None:
            from workbook.charter.evidence import gather_evidence

            evidence = gather_evidence(store, framework, organisation)
        self.evidence = evidence
        self.suggestions: list[Suggestion] = rank_starters(
            framework, evidence.value_scores, evidence.step_scores)
        self.reasons = {s.promise.id: s.reasons for s in self.suggestions}
        self.charter: CharterRecord | None = None
        self.promises: list[PromiseRecord] = []
        self.cards: list[PromiseCard] = []
        self.report: CheckReport | None = None

        self.errors = ErrorBanner()
        self.page = FOUNDATION
        self.brand_box = widgets.Textarea(description="Brand promise", rows=3, continuous_update=False,
                                          placeholder="What customers are told they can expect from us",
                                          layout=widgets.Layout(width="100%"),
                                          style={"description_width": "9.5rem"})
        self.purpose_box = widgets.Textarea(description="Common purpose", rows=3, continuous_update=False,
                                            placeholder="What we commit to, inside, so the brand promise is kept",
                                            layout=widgets.Layout(width="100%"),
                                            style={"description_width": "9.5rem"})
        self.foundation_status = widgets.HTML("")
        self.foundation_status.add_class("wb-status")
        self._quiet_foundation = False
        for box in (self.brand_box, self.purpose_box):
            box.observe(self.errors.guard(lambda _c: None if self._quiet_foundation else self.save_foundation()),
                        names="value")
        self.alert = widgets.HTML("")
        self.unsaved = widgets.HTML("")  # what this facilitator typed when someone else saved first
        self.saved_at = widgets.HTML("")
        self.saved_at.add_class("wb-status")
        self.heading = widgets.HTML("")
        self.checks = widgets.HTML("")
        self.cards_box = widgets.VBox([])
        self.body = widgets.VBox([])
        self.export_result = widgets.HTML("")
        self.compare_result = widgets.HTML("")
        self.approve_message = widgets.HTML("")
        self.approver = widgets.Text(description="Approved by", placeholder="Name and role, e.g. Dana Reid, "
                                     "General Manager", style={"description_width": "initial"},
                                     layout=widgets.Layout(width="auto", flex="1 1 22rem"))
        auto = {"style": {"description_width": "initial"}}
        self.compare_old = widgets.Dropdown(description="Compare", layout=widgets.Layout(width="auto"), **auto)
        self.compare_new = widgets.Dropdown(description="with", layout=widgets.Layout(width="auto"), **auto)
        self.export_format = widgets.Dropdown(options=list(EXPORT_LABELS), value="pdf", description="Format",
                                              layout=widgets.Layout(width="auto"), **auto)
        # The CLI's --with-results: the latest quarter's result under each measured promise.
        self.export_results = widgets.Checkbox(value=False, description="Include the latest quarter's results",
                                               indent=False, layout=widgets.Layout(width="auto"))
        self.widget = app_root(widgets.HTML(CHARTER_CSS), self.errors.widget, self.alert, self.unsaved, self.body,
                               extra_class="wb-charter")
        self.reload()

    # --- loading --------------------------------------------------------------------
    def reload(self, note: str | None = None) -> None:
        """Show the stored state: the open draft, else the latest approved version, else a new draft."""
        self.alert.value = html("<p class='wb-note' role='status'>{}</p>", note) if note else Markup()
        self.unsaved.value = ""
        before = self.charter.number if self.charter is not None else None
        versions = self.charters.versions(self.organisation.id)
        if not versions:
            starters = [starter_record(s.promise, self.framework) for s in self.suggestions]
            self.charter = self.charters.start_draft(self.organisation.id, starters, framework=self.framework)
        else:
            self.charter = versions[-1]
        self.promises = list(self.charter.promises)
        self._show_foundation_text()
        if self.charter.is_draft:
            if before != self.charter.number:  # a reload after a conflict stays on the page it was on
                # A team starts on the first page until it has written its brand promise.
                self.page = PROMISES if self.charter.brand_promise else FOUNDATION
            self.show_editor()
        else:
            self.show_approved()

    def _show_foundation_text(self) -> None:
        assert self.charter is not None
        self._quiet_foundation = True
        try:
            self.brand_box.value = self.charter.brand_promise or ""
            self.purpose_box.value = self.charter.common_purpose or ""
        finally:
            self._quiet_foundation = False

    # --- the editor ---------------------------------------------------------------------
    def go_to(self, page: object) -> None:
        """Switch between the first page (brand promise and common purpose) and the promises."""
        if page not in (FOUNDATION, PROMISES):
            return
        self.page = str(page)
        self.show_editor()

    def _page_buttons(self) -> widgets.Widget:
        """The two pages of the editor, as buttons; the current one is highlighted and named for readers."""
        buttons = []
        for page, label in ((FOUNDATION, "1 · Brand promise and common purpose"), (PROMISES, "2 · The promises")):
            current = self.page == page
            button = _button(description=label, tooltip=label + (" (this page)" if current else ""))
            if current:
                button.add_class("wb-current")
            button.on_click(self.errors.guard(lambda _b, page=page: self.go_to(page)))
            buttons.append(button)
        nav = row(*buttons)
        nav.add_class("wb-pages")
        return nav

    def _foundation_page(self) -> tuple[widgets.Widget, ...]:
        """The first page: what customers are told to expect, and what the team commits to inside."""
        foundation = self.framework.charter_foundation
        parts: list[widgets.Widget] = [widgets.HTML(
            "<h2>Brand promise and common purpose</h2><p>Before the promises, agree two things in a few "
            "sentences each. The <strong>brand promise</strong> is what customers are told they can expect "
            "from you. The <strong>common purpose</strong> is how the team, inside, commits to keep it. Each "
            "promise of the charter should help keep the brand promise: the checks will ask about any that "
            "seem to have nothing to do with it.</p>")]
        for box, part in ((self.brand_box, foundation.brand_promise if foundation else None),
                          (self.purpose_box, foundation.common_purpose if foundation else None)):
            if part is not None:
                parts.append(widgets.HTML(html("<h3>{}</h3><p class='wb-muted'>{}</p>{}", part.question, part.prompt,
                                               examples_html(part))))
            parts.append(box)
        parts.append(widgets.HTML(html("<p class='wb-muted'>Saved as you type (when you leave a box); up to "
                                       "{} characters each.</p>", FOUNDATION_MAX)))
        onward = _button(description="Next: the promises", icon="arrow-right", button_style="primary",
                         tooltip="Next: the promises")
        onward.on_click(self.errors.guard(lambda _b: self.go_to(PROMISES)))
        parts.append(row(onward, self.foundation_status))
        return tuple(parts)

    def save_foundation(self) -> bool:
        """Store what the two boxes hold; True when it was saved."""
        assert self.charter is not None
        charter = self.charter
        if not charter.is_draft:
            return False
        brand, purpose = self.brand_box.value, self.purpose_box.value
        try:
            saved = with_retries(
                lambda: self.charters.save_foundation(self.organisation.id, charter.number, charter.version,
                                                      brand_promise=brand, common_purpose=purpose),
                "saving the brand promise",
            )
        except ConflictError:
            self._conflict("Your last change was not saved")
            return False
        except StoreError:
            self.foundation_status.value = ("<span class='wb-warn' role='alert'>Not saved: the workbook could not "
                                            "reach its database. Please try again in a moment.</span>")
            return False
        except WorkbookError as error:
            self.foundation_status.value = html("<span class='wb-warn' role='alert'>Not saved: {}</span>", error)
            return False
        self.charter = saved
        self.foundation_status.value = "<span class='wb-ok'>Saved ✓</span>"
        self._saved_now()
        self._refresh()
        return True

    def show_editor(self) -> None:
        assert self.charter is not None
        self.errors.clear()
        self._build_cards()
        self._refresh()
        if self.page == FOUNDATION:
            self.foundation_status.value = ""
            self.body.children = (self.heading, self._page_buttons(), *self._foundation_page(), self.saved_at)
            return
        add_choice = widgets.Dropdown(options=self._add_options(), value=BLANK, description="Add",
                                      layout=widgets.Layout(width="100%"),
                                      style={"description_width": "initial"})
        add = _button(description="Add this promise", icon="plus", tooltip="Add this promise")
        add.on_click(self.errors.guard(lambda _b: self.add_promise(add_choice.value)))
        approve = _button(description=f"Approve version {self.charter.number}", button_style="primary",
                          icon="check", tooltip=f"Approve version {self.charter.number}")
        approve.on_click(self.errors.guard(lambda _b: self.approve(self.approver.value)))
        self.approve_message.value = ""
        self.body.children = (
            self.heading,
            self._page_buttons(),
            widgets.HTML(foundation_html(self.charter.brand_promise, self.charter.common_purpose)),
            widgets.HTML(evidence_html(self.evidence, self.framework)),
            self.checks,
            widgets.HTML("<h2>The promises</h2><p>Everything is saved as you type (when you leave a box). "
                         "Write each promise in the words a customer would use, then say how you will "
                         "measure it, who owns it and when you will review it.</p>"),
            self.cards_box,
            widgets.HTML(self._results_html()),
            widgets.HTML(html("<h2>Add a promise</h2><p class='wb-muted'>Starters are listed with your weakest "
                              "areas first. A charter has exactly {} promises: remove one for each you add.</p>",
                              REQUIRED_PROMISES)),
            row(add_choice, add),
            widgets.HTML("<h2>Approve</h2><p>Approving freezes this version: later changes start a new "
                         "version, and this one stays for comparison.</p>"),
            row(self.approver, approve),
            self.approve_message,
            *self._versions_section(),
            *self._export_section(),
            self.saved_at,
        )

    def _build_cards(self) -> None:
        count = len(self.promises)
        self.cards = [
            PromiseCard(i, p, self.framework, self.reasons.get(p.starter_id or "", ()), self._field_changed,
                        self._card_action, last=i == count, guard=self.errors.guard)
            for i, p in enumerate(self.promises, start=1)
        ]
        self.cards_box.children = tuple(card.widget for card in self.cards)

    def _add_options(self) -> list[tuple[str, str]]:
        used = {p.starter_id for p in self.promises}
        options = [("A blank promise", BLANK)]
        for suggestion in self.suggestions:
            if suggestion.promise.id in used:
                continue
            why = f" ({'; '.join(suggestion.reasons)})" if suggestion.reasons else ""
            options.append((f"Starter: {suggestion.promise.text}{why}", suggestion.promise.id))
        return options

    def _refresh(self) -> None:
        """Checks, per-promise findings and the heading, after any change."""
        assert self.charter is not None
        self.report = check_charter(self.promises, self.framework, today=self.today(),
                                    brand_promise=self.charter.brand_promise,
                                    common_purpose=self.charter.common_purpose)
        self.checks.value = checks_html(self.report, self.framework, required=REQUIRED_PROMISES)
        for card in self.cards:
            card.findings.value = findings_html(self.report.for_promise(card.position))
        status = (f"Version {self.charter.number} · draft" if self.charter.is_draft
                  else f"Version {self.charter.number} · approved")
        self.heading.value = html(
            "<p class='wb-muted'>{org} · customer service charter · {status}</p>"
            "<h1>Your customer service charter</h1>"
            "<p>Ten promises that tell customers what to expect from {org}. A good "
            "charter is specific and measurable (“within 2 working hours”, not “promptly”), every promise "
            "has an owner and a review date, and together the promises cover the five values and the "
            "four DIME™ steps.</p>", org=self.organisation.name, status=status)

    # --- saving -----------------------------------------------------------------------
    def _field_changed(self, card: PromiseCard, field: str, raw: object) -> None:
        index = card.position - 1
        if self.charter is None or not self.charter.is_draft or index >= len(self.promises):
            return
        value: object = raw if raw != "" or field in ("text",) else None
        changes: dict[str, object] = {field: value}
        if field == "measure_id":  # no measure, or another one in other units: the old target goes
            changes.update(target_op=None, target_value=None)
        try:
            cleaned = clean_promise(self.promises[index].with_changes(**changes), self.framework,
                                    card.position)
        except WorkbookError as error:
            card.status.value = html("<span class='wb-warn' role='alert'>Not saved: {}</span>", error)
            return
        proposed = list(self.promises)
        proposed[index] = cleaned
        if self._save(proposed, card):
            if field in ("measure_id", "target_op", "target_value"):
                card.show_target(self.promises[index])
            if field == "review_date":
                card.show_review(self.promises[index].review_date)
            self._refresh()

    def _save(self, promises: list[PromiseRecord], card: PromiseCard | None = None) -> bool:
        """Store the whole draft; True when it was saved."""
        assert self.charter is not None
        charter = self.charter
        try:
            saved = with_retries(
                lambda: self.charters.save_draft(self.organisation.id, charter.number, charter.version,
                                                 promises, framework=self.framework),
                "saving the charter",
            )
        except ConflictError:
            self._conflict("Your last change was not saved", card)
            return False
        except StoreError:
            self._say(card, "Not saved: the workbook could not reach its database. Please try again in a moment.")
            return False
        except WorkbookError as error:
            self._say(card, f"Not saved: {error}")
            return False
        self.charter = saved
        self.promises = list(saved.promises)
        if card is not None:
            card.status.value = "<span class='wb-ok'>Saved ✓</span>"
        self._saved_now()
        return True

    def _saved_now(self) -> None:
        self.saved_at.value = html("<span class='wb-ok' aria-live='polite'>All changes saved at {}.</span>",
                                   time.strftime("%H:%M"))

    def _say(self, card: PromiseCard | None, message: str) -> None:
        line = html("<span class='wb-warn' role='alert'>{}</span>", message)
        if card is not None:
            card.status.value = line
        else:
            self.alert.value = html("<p>{}</p>", line)

    def _conflict(self, headline: str, card: PromiseCard | None = None) -> None:
        """Someone else saved first: show their version, and keep what this facilitator typed to copy."""
        mine = self._unsaved_text()
        self.reload()
        self.alert.value = html("<div class='wb-error' role='alert'><p><strong>{}:</strong> someone "
                                "else saved this charter first, so their version is shown now.</p></div>", headline)
        self.unsaved.value = unsaved_html(mine)
        assert self.charter is not None
        if card is not None and self.charter.is_draft and card.position <= len(self.cards):
            where = " Your text is kept at the top of the page." if mine else ""
            self._say(self.cards[card.position - 1], f"Not saved: someone else saved first.{where}")

    def _unsaved_text(self) -> str:
        """What the cards hold that differs from the version they were loaded from, one field a line."""
        lines = []
        if self.charter is not None:
            for box, stored, label in ((self.brand_box, self.charter.brand_promise, "Brand promise"),
                                       (self.purpose_box, self.charter.common_purpose, "Common purpose")):
                typed = str(box.value or "")
                if typed.strip() and " ".join(typed.split()) != " ".join((stored or "").split()):
                    lines.append(f"{label}: {typed}")
        for card in self.cards:
            index = card.position - 1
            if index >= len(self.promises):
                continue
            loaded = self.promises[index]
            for field, label in TYPED_FIELDS:
                typed = str(getattr(card, field).value or "")
                try:
                    cleaned = clean_promise(loaded.with_changes(**{field: typed if typed or field == "text" else None}),
                                            self.framework, card.position)
                    unchanged = getattr(cleaned, field) == getattr(loaded, field)
                except WorkbookError:
                    unchanged = False  # refused before: certainly not saved
                if not unchanged and typed.strip():
                    lines.append(f"Promise {card.position} · {label}: {typed}")
        return "\n".join(lines)

    def _card_action(self, card: PromiseCard, action: str) -> None:
        index = card.position - 1
        proposed = list(self.promises)
        if index >= len(proposed):
            return
        if action == "up" and index > 0:
            proposed[index - 1], proposed[index] = proposed[index], proposed[index - 1]
        elif action == "down" and index < len(proposed) - 1:
            proposed[index + 1], proposed[index] = proposed[index], proposed[index + 1]
        elif action == "remove":
            del proposed[index]
        else:
            return
        if self._save(proposed):
            self.show_editor()

    def add_promise(self, choice: object) -> None:
        """Add a starter (by id) or a blank promise at the end."""
        if len(self.promises) >= MAX_PROMISES:
            self._say(None, f"A draft holds at most {MAX_PROMISES} promises: remove one first.")
            return
        if choice == BLANK:
            new = PromiseRecord()
        else:
            starter = next((s.promise for s in self.suggestions if s.promise.id == choice), None)
            if starter is None:  # not an option the page offered
                self._say(None, "Please choose a promise from the list.")
                return
            new = starter_record(starter, self.framework)
        if self._save([*self.promises, new]):
            self.show_editor()

    # --- approving ----------------------------------------------------------------------
    def approve(self, approved_by: object) -> bool:
        """Approve the draft (True), or say clearly why not (False)."""
        assert self.charter is not None
        try:
            approved = self.charters.approve(self.organisation.id, self.charter.number, self.charter.version,
                                             approved_by=str(approved_by or ""), framework=self.framework,
                                             today=self.today())
        except ApprovalRefusedError as error:
            items = join(html("<li>{}</li>", p) for p in error.problems)
            self.approve_message.value = html(
                "<div class='wb-error' role='alert'><p><strong>Not approved yet:</strong> "
                "{} check(s) still fail.</p><ul>{}</ul></div>", len(error.problems), items)
            return False
        except ConflictError:
            self._conflict("Not approved yet")
            return False
        except WorkbookError as error:
            self.approve_message.value = html("<p class='wb-warn' role='alert'>Not approved: {}</p>", error)
            return False
        self.charter = approved
        self.show_approved(note=f"Version {approved.number} is approved. Export it below to print, share or "
                                "keep editing in Word.")
        return True

    # --- an approved version ----------------------------------------------------------------
    def show_approved(self, note: str | None = None) -> None:
        assert self.charter is not None
        self.errors.clear()
        charter = self.charter
        when = format_day(charter.approved_at.date()) if charter.approved_at else "earlier"
        start = _button(description=f"Start version {charter.number + 1}", button_style="primary",
                        icon="pencil", tooltip=f"Start version {charter.number + 1} (a copy to edit)")
        start.on_click(self.errors.guard(lambda _b: self.start_new_version()))
        self.body.children = (
            widgets.HTML(
                (html("<p class='wb-note' role='status'>{}</p>", note) if note else Markup())
                + html("<p class='wb-muted'>{} · customer service charter · version {} · approved</p>"
                       "<h1>Your customer service charter</h1><p>Approved on {} by {}. An approved version "
                       "never changes: to change a promise, start a new version (a copy of this one).</p>",
                       self.organisation.name, charter.number, when, charter.approved_by or "the team")
                + charter_html(charter, self.framework) + self._results_html()
            ),
            row(start),
            *self._versions_section(),
            *self._export_section(),
        )

    def _results_html(self) -> Markup:
        """Kept or not per quarter for the promises on screen; nothing when the catalogue is empty."""
        from workbook.charter.results import load_results

        if not catalogue(self.framework):
            return Markup()
        try:
            return results_html(load_results(self.store, self.organisation.id, self.promises, self.framework))
        except StoreError:
            return Markup("<p class='wb-warn' role='status'>The results could not be read just now; reload to try "
                          "again.</p>")

    def start_new_version(self) -> None:
        self.charter = self.charters.start_draft(self.organisation.id, framework=self.framework)
        self.promises = list(self.charter.promises)
        self._show_foundation_text()
        self.page = PROMISES if self.charter.brand_promise else FOUNDATION
        self.show_editor()

    # --- versions -----------------------------------------------------------------------
    def _versions_section(self) -> list[widgets.Widget]:
        versions = self.charters.versions(self.organisation.id)
        if len(versions) < 2:
            return [widgets.HTML("<h2>Versions</h2><p class='wb-muted'>Once a version is approved, later "
                                 "versions can be compared with it here.</p>")]
        options = [(v.label[:1].upper() + v.label[1:], v.number) for v in versions]
        self.compare_old.options = options
        self.compare_old.value = versions[-2].number
        self.compare_new.options = options
        self.compare_new.value = versions[-1].number
        compare = _button(description="Show the differences", icon="columns",
                          tooltip="Show the differences")
        compare.on_click(self.errors.guard(lambda _b: self.compare(self.compare_old.value, self.compare_new.value)))
        self.compare_result.value = ""
        return [widgets.HTML("<h2>Versions</h2><p>Earlier versions are kept. Compare any two: what was "
                             "added, removed and changed.</p>"),
                row(self.compare_old, self.compare_new, compare), self.compare_result]

    def compare(self, old_number: object, new_number: object) -> None:
        known = {v.number: v for v in self.charters.versions(self.organisation.id)}
        old = known.get(old_number) if isinstance(old_number, int) else None
        new = known.get(new_number) if isinstance(new_number, int) else None
        if old is None or new is None:
            self.compare_result.value = ("<p class='wb-warn' role='alert'>Please choose two versions from the "
                                         "lists.</p>")
            return
        self.compare_result.value = diff_html(old, new, self.framework)

    # --- export -------------------------------------------------------------------------------
    def _export_section(self) -> list[widgets.Widget]:
        assert self.charter is not None
        button = _button(description="Export", icon="download", tooltip="Export this version")
        button.on_click(self.errors.guard(
            lambda _b: self.export(self.export_format.value, with_results=self.export_results.value)))
        self.export_result.value = ""
        draft = (" It is a draft, so the export is clearly marked DRAFT." if self.charter.is_draft else "")
        return [widgets.HTML(html("<h2>Export</h2><p>Export version {} to print, share or edit in Word.{}</p>",
                                  self.charter.number, draft)),
                row(self.export_format, self.export_results, button), self.export_result]

    def export(self, fmt: object, *, with_results: object = False) -> str | None:
        """Offer the version on screen as a download in the browser; returns its file name.

        Nothing is written on the server: the file travels inside the page (a
        ``data:`` link), so it lands in the facilitator's own Downloads folder
        whether the server is their laptop or a hosted machine.  ``with_results``
        (the checkbox) adds the latest quarter's result under each measured
        promise, as ``workbook charter export --with-results`` does.
        """
        from workbook.charter.export import FORMATS, export_charter

        assert self.charter is not None
        if fmt not in FORMATS:
            self.export_result.value = ("<p class='wb-warn' role='alert'>Please choose a format from the "
                                        "list.</p>")
            return None
        try:
            exported = export_charter(self.store, self.organisation.id, str(fmt), number=self.charter.number,
                                      framework=self.framework, with_results=with_results is True)
        except WorkbookError as error:
            self.export_result.value = html("<p class='wb-warn' role='alert'>Not exported: {}</p>", error)
            return None
        self.export_result.value = html(
            "<p class='wb-ok' role='status'>Exported {}{}: save it with the link below.</p><p>{}</p>",
            exported.charter.label, " with the latest results" if with_results is True else "",
            download_link_html(exported.filename, exported.media_type, exported.data))
        return exported.filename


def _button(**options: Any) -> widgets.Button:
    """A button as wide as its words (the default width cuts long labels short)."""
    return widgets.Button(layout=widgets.Layout(width="auto"), **options)


def warm_up(db: str | None = None) -> None:
    """Do the slow work before anyone opens the page (pre-heated kernels)."""
    from workbook.apps.request import is_preheating

    load_framework()
    # Imported now so the first page does not wait for them (the evidence needs
    # pandas; the export needs Jinja; WeasyPrint takes about a second, once).
    modules = ["pandas", "workbook.charter.evidence", "workbook.charter.export.html"]
    if is_preheating():
        modules.append("weasyprint")
        with contextlib.suppress(WorkbookError):  # reported to the visitor by show()
            kernel_store.open_early(db)  # kept for the page  # only here: elsewhere it could create a stray workbook.db
    for name in modules:
        with contextlib.suppress(ImportError, OSError):
            importlib.import_module(name)


def build(key: object, db: str | None = None, *, today: Today = date.today) -> widgets.Widget:
    """The builder for the organisation whose facilitator key is ``key``, or a friendly page."""
    if key is None or key == "":
        return message_page("Please use the facilitator link",
                            "The charter builder opens from the organisation's facilitator link. Ask the "
                            "consultant for it (workbook invites ORG --facilitator).")
    try:
        store = kernel_store.take(db)
        framework = load_framework()
        organisation = facilitator_organisation(store, key)
        return CharterBuilder(store, framework, organisation, today=today).widget
    except AccessDeniedError as error:
        return message_page("This link does not work", sentence(error))
    except WorkbookError as error:
        log.error("charter builder could not start: %s", error)
        return message_page("Sorry, the charter builder is not available",
                            "Something on our side is not working. Everything saved is safe; please try "
                            "the link again later.")


def show(key: str | None = None, db: str | None = None) -> widgets.Widget:
    """Display the builder.  Under Voila the key comes from the page's URL."""
    from IPython.display import display

    from workbook.apps.request import query_parameter

    if key is None:
        key = query_parameter("key")
    app = build(key, db)
    display(app)  # type: ignore[no-untyped-call]
    return app

"""The A-E-I-O-U values self-assessment, as a widget app for one respondent.

A leader or staff member opens their personal invite link; this module builds
everything they see: a welcome screen, one page per value, a review page, and
their results after submitting.

Rules the app keeps, whatever the browser sends:

* every answer is saved the moment it is given (three tries, then a clear
  message), so closing the browser loses nothing and reopening the link
  resumes where the person left off;
* widget values are checked here, on the kernel side, before anything is
  stored (a browser can set any widget's value, even a hidden one);
* submitting needs every statement answered and makes the answers final; a
  second submit, or an edit after submitting, is refused politely;
* a missing, wrong or deleted token shows a friendly page and nobody's data.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets

from workbook.apps import kernel_store
from workbook.apps.looks import Looks
from workbook.apps.saving import with_retries
from workbook.apps.ui import ErrorBanner, app_root, message_page, row, sentence
from workbook.closing import closed_text, is_closed
from workbook.errors import (
    AccessDeniedError,
    AlreadySubmittedError,
    CycleClosedError,
    InputError,
    StoreError,
    WorkbookError,
)
from workbook.estimate import minutes_to_answer
from workbook.framework import Framework, Statement, Value, load_framework
from workbook.framework.models import version_key
from workbook.html import Markup, html, join
from workbook.store import AnswerRecord, Store
from workbook.text import format_day
from workbook.values.respondent import Respondent, open_assessment

__all__ = ["DONT_KNOW", "StatementInputs", "ValuesAssessment", "open_assessment", "results_panel", "show", "warm_up"]

log = logging.getLogger(__name__)

#: The radio value that stands for "don't know" (ratings are whole numbers).
DONT_KNOW = "dont_know"


class StatementInput:
    """One statement: its wording, the rating choices and an optional comment."""

    def __init__(self, statement: Statement, number: int, framework: Framework,
                 on_change: Callable[[StatementInput], None],
                 guard: Callable[[Callable[..., Any]], Callable[..., None]] = lambda handler: handler,
                 looks: Looks | None = None) -> None:
        """A card; a statement about the organisation has no comment box (its comments are not reported).

        ``looks``: the app's shared layout and style models (:mod:`workbook.apps.looks`).
        """
        looks = looks or Looks()
        self.statement = statement
        self._on_change = on_change
        self._quiet = False
        options: list[tuple[str, int | str]] = [(p.label, p.value) for p in framework.scale.points]
        options.append((framework.scale.dont_know_label, DONT_KNOW))
        self.choice = widgets.RadioButtons(
            options=options, value=None, description=f"Statement {number}",
            layout=looks.full_width, style=looks.description,
        )
        self.comment: widgets.Textarea | None = None
        self.comment_toggle: widgets.Button | None = None
        self.status = widgets.HTML("", layout=looks.status_line, style=looks.html, _dom_classes=("wb-status",))
        reverse_hint = ""
        below: list[widgets.Widget] = [self.status]
        if not statement.about_organisation:
            self.comment = widgets.Textarea(
                placeholder="Optional: add an example or context (shown only without your name)",
                description="Your comment", continuous_update=False,
                layout=widgets.Layout(width="100%", display="none"),  # its own: shown on request
                style=looks.text_wide_label,
            )
            self.comment_toggle = looks.button_of(
                "Add a comment", tooltip=f"Add a comment to statement {number}",
                layout=widgets.Layout(width="auto"),  # its own: hidden once the comment box shows
            )
            self.comment_toggle.on_click(guard(lambda _button: self.show_comment()))
            below = [widgets.HBox([self.comment_toggle, self.status], layout=looks.plain), self.comment]
        self.widget = widgets.VBox(
            [
                looks.text(html("<p><strong>{}.</strong> {}{}</p>", number, statement.text, reverse_hint)),
                self.choice,
                *below,
            ],
            layout=looks.plain, _dom_classes=("wb-card", "wb-statement"),
        )
        self.choice.observe(guard(self._changed), names="value")
        if self.comment is not None:
            self.comment.observe(guard(self._changed), names="value")

    @property
    def comment_text(self) -> str:
        """The comment typed so far ("" for a card without a comment box)."""
        return self.comment.value if self.comment is not None else ""

    def show_comment(self) -> None:
        if self.comment is None or self.comment_toggle is None:
            return
        self.comment.layout.display = "flex"
        self.comment_toggle.layout.display = "none"

    def set_saved(self, rating: int | None, dont_know: bool, comment: str | None) -> None:
        """Show a stored answer without saving it again."""
        self._quiet = True
        try:
            self.choice.value = DONT_KNOW if dont_know else rating
            if self.comment is not None:
                self.comment.value = comment or ""
            if comment:
                self.show_comment()
        finally:
            self._quiet = False

    @property
    def answered(self) -> bool:
        return self.choice.value is not None

    def rating(self) -> int | None:
        """The chosen rating (None for "don't know"); checked, never trusted."""
        value = self.choice.value
        if value == DONT_KNOW:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise InputError("please choose one of the answers shown")

    def lock(self) -> None:
        self.choice.disabled = True
        if self.comment is not None and self.comment_toggle is not None:
            self.comment.disabled = True
            self.comment_toggle.disabled = True

    def _changed(self, _change: dict[str, Any]) -> None:
        if not self._quiet:
            self._on_change(self)


@dataclass(frozen=True, slots=True)
class _Saved:
    rating: int | None
    dont_know: bool
    comment: str | None


class StatementInputs(Mapping[str, StatementInput]):
    """Every statement's input, each made the first time a page needs it.

    Why lazy: the welcome screen used to carry all 25 statement cards, about
    500 widget models that the kernel sent and the browser built before the
    first button could be used, though none of them was on screen.  Saved
    answers are kept as plain data until their card is made.
    """

    def __init__(self, framework: Framework, make: Callable[[Statement, int], StatementInput]) -> None:
        in_page_order = [s for v in framework.values for s in (*v.self_statements, *v.organisation_statements)]
        self._statements = {s.id: (number, s) for number, s in enumerate(in_page_order, start=1)}
        self._make = make
        self._made: dict[str, StatementInput] = {}
        self._saved: dict[str, _Saved] = {}
        self._locked = False

    def __getitem__(self, statement_id: str) -> StatementInput:
        entry = self._made.get(statement_id)
        if entry is None:
            number, statement = self._statements[statement_id]  # KeyError for an unknown id, as a dict
            entry = self._make(statement, number)
            saved = self._saved.get(statement_id)
            if saved is not None:
                entry.set_saved(saved.rating, saved.dont_know, saved.comment)
            if self._locked:
                entry.lock()
            self._made[statement_id] = entry  # only once it is complete: a failure above leaves no blank card
        return entry

    def __contains__(self, statement_id: object) -> bool:
        return statement_id in self._statements  # without making the card

    def __iter__(self) -> Iterator[str]:
        return iter(self._statements)

    def __len__(self) -> int:
        return len(self._statements)

    def keep_saved(self, statement_id: str, rating: int | None, dont_know: bool, comment: str | None) -> None:
        """Remember a stored answer (shown on its card whenever that is made)."""
        if statement_id not in self._statements:
            return  # a statement no longer in the framework
        self._saved[statement_id] = _Saved(rating, dont_know, comment)
        if statement_id in self._made:
            self._made[statement_id].set_saved(rating, dont_know, comment)

    def is_answered(self, statement_id: str) -> bool:
        """Answered on its card, or (card not made yet) in the stored answers."""
        entry = self._made.get(statement_id)
        return entry.answered if entry is not None else statement_id in self._saved

    def lock(self) -> None:
        """No more changes: made cards are disabled now, later ones when made."""
        self._locked = True
        for entry in self._made.values():
            entry.lock()


class ValuesAssessment:
    """The whole questionnaire for one respondent, as one widget (``.widget``)."""

    def __init__(self, store: Store, framework: Framework, respondent: Respondent,
                 results: Callable[[ValuesAssessment], widgets.Widget] | None = None) -> None:
        self.store = store
        # The edition this person began under: someone who started before the statements about
        # the organisation were added finishes without them (and is not asked for them to submit).
        # Read from their saved answers (each carries the edition it was given under; the first one
        # began the response), so the page costs no extra database read.
        saved = store.responses.answers(respondent.person.id, respondent.cycle.id)
        begun = min((a.framework_version for a in saved if a.framework_id == framework.id),
                    key=version_key, default=None)
        self.framework = framework = framework.edition(begun) if begun else framework
        self.respondent = respondent
        self._results = results
        self.errors = ErrorBanner()
        self.looks = Looks()
        self.inputs = StatementInputs(
            framework,
            lambda statement, number: StatementInput(statement, number, framework, self._answer_changed,
                                                     self.errors.guard, self.looks),
        )
        self.value_pages: list[widgets.Widget] = []
        self.page_index = 0
        self.saved_at = widgets.HTML("")
        self.saved_at.add_class("wb-status")
        self.progress = widgets.IntProgress(min=0, max=len(framework.statements), description="Answered",
                                            layout=widgets.Layout(width="100%"))
        self.progress.add_class("wb-progress")
        self.progress_text = widgets.HTML("")
        self.body = widgets.VBox([])
        self.widget = app_root(self.errors.widget, self.body)
        self._load_saved(saved)
        if self.submitted:
            self.show_results()
        else:
            self.show_welcome()

    # --- state -------------------------------------------------------------------
    @property
    def submitted(self) -> bool:
        """Read on every page turn: a database blip (PostgreSQL restarting) is waited out like a save,
        not shown as an error with no way on (found by restarting PostgreSQL mid-load, issue #12)."""
        r = self.respondent
        submission = with_retries(lambda: self.store.responses.submission(r.person.id, r.cycle.id),
                                  "reading whether the answers were submitted")
        return submission.status == "submitted"

    def answered_count(self) -> int:
        return sum(1 for statement_id in self.inputs if self.inputs.is_answered(statement_id))

    def missing(self, value: Value | None = None) -> list[Statement]:
        values = [value] if value else list(self.framework.values)
        return [s for v in values for s in v.statements if not self.inputs.is_answered(s.id)]

    def _load_saved(self, saved: list[AnswerRecord]) -> None:
        for answer in saved:
            self.inputs.keep_saved(answer.statement_id, answer.rating, answer.dont_know, answer.comment)
        self._update_progress()

    def _update_progress(self) -> None:
        done = self.answered_count()
        total = len(self.inputs)
        self.progress.value = done
        self.progress_text.value = html("<span class='wb-muted'>{} of {} statements answered</span>", done, total)

    # --- saving ------------------------------------------------------------------
    def _answer_changed(self, entry: StatementInput) -> None:
        if not entry.answered:
            entry.status.value = (
                "<span class='wb-warn' role='status'>Choose an answer above and your comment is saved with it.</span>"
                if entry.comment_text.strip() else ""
            )
            return
        try:
            rating = entry.rating()
        except InputError as error:
            entry.status.value = html("<span class='wb-warn'>{}</span>", error)
            return
        r = self.respondent
        try:
            with_retries(
                lambda: self.store.responses.save_answer(
                    r.person.id, r.cycle.id, entry.statement.id, rating,
                    framework=self.framework, comment=entry.comment_text,
                ),
                f"saving {entry.statement.id}",
            )
        except AlreadySubmittedError:
            self.show_results(note="Your answers were already submitted, so they can no longer be changed.")
            return
        except CycleClosedError as error:
            self.show_closed(str(error))
            return
        except StoreError:
            entry.status.value = (
                "<span class='wb-warn' role='alert'>Not saved: the workbook could not reach its "
                "database. Please choose your answer again in a moment.</span>"
            )
            return
        except WorkbookError as error:
            entry.status.value = html("<span class='wb-warn' role='alert'>Not saved: {}</span>", error)
            return
        entry.status.value = "<span class='wb-ok'>Saved ✓</span>"
        self.saved_at.value = html("<span class='wb-ok' aria-live='polite'>All answers saved at {}.</span>",
                                   time.strftime("%H:%M"))
        self._update_progress()

    # --- screens ------------------------------------------------------------------
    def _set(self, *children: widgets.Widget) -> None:
        self.errors.clear()
        self.body.children = tuple(children)

    def show_welcome(self) -> None:
        r = self.respondent
        first_name = r.person.name.split(" ")[0]
        total = len(self.inputs)
        minutes = minutes_to_answer(total)
        threshold = r.organisation.anonymity_threshold
        answered = self.answered_count()
        start_label = "Continue where you left off" if answered else "Start"
        start = widgets.Button(description=start_label, button_style="primary", icon="arrow-right",
                               tooltip=start_label)
        start.on_click(self.errors.guard(lambda _b: self.show_value(self._first_page_with_gaps())))
        resume = Markup()
        if answered:
            resume = html("<p class='wb-note'>Welcome back! You have answered {} of {} statements; "
                          "everything you chose is saved.</p>", answered, total)
        values = join((html("<strong>{}</strong>", v.name) for v in self.framework.values), ", ")
        asks = "how often each one shows up in your own everyday work"
        if self.framework.organisation_statements:
            asks += ", and a few questions on how you see it across the organisation"
        closes_on = r.cycle.closes_on
        by_when = html(" until <strong>{}</strong>", format_day(closes_on)) if closes_on else Markup()
        self._set(
            widgets.HTML(html(
                "<p class='wb-muted'>{org} · values self-assessment · {cycle}</p>"
                "<h1>Hello {first_name}</h1>"
                "<p>{org} is working on the service its customers receive. Great service "
                "rests on five values: {values}. This short self-assessment asks {asks}. "
                "There are no right or wrong answers: honest answers help your "
                "team choose what to work on together.</p>"
                "<p><strong>It takes about {minutes} minutes</strong>: {total} statements on "
                "{pages} short pages. Your answers are saved as you go, so you can "
                "stop and come back to this link at any time{by_when}.</p>"
                "<div class='wb-card'><h2>What is shared, and what is not</h2><ul>"
                "<li>Nobody else sees your individual answers: not your manager, not your colleagues.</li>"
                "<li>Results are only ever shown for groups of at least <strong>{threshold} people</strong> "
                "who have submitted; smaller teams are combined or left out.</li>"
                "<li>Comments are optional. They are shown without your name, and only from groups of at least "
                "{threshold} people.</li>"
                "<li>After you submit you will see your own scores, beside the average of everyone "
                "taking part once enough people have submitted.</li></ul></div>"
                "{resume}",
                org=r.organisation.name, cycle=r.cycle.label, first_name=first_name, values=values, asks=asks,
                minutes=minutes, total=total, pages=len(self.framework.values), by_when=by_when,
                threshold=threshold, resume=resume,
            )),
            start,
        )

    def _first_page_with_gaps(self) -> int:
        for index, value in enumerate(self.framework.values):
            if self.missing(value):
                return index
        return len(self.framework.values) - 1

    def show_value(self, index: int) -> None:
        if self.submitted:
            self.show_results(note="Your answers were already submitted, so they can no longer be changed.")
            return
        values = self.framework.values
        index = max(0, min(index, len(values) - 1))
        self.page_index = index
        value = values[index]
        looks = self.looks
        back = looks.button_of("Back", icon="arrow-left", tooltip="Back")
        back.on_click(self.errors.guard(lambda _b: self.show_welcome() if index == 0 else self.show_value(index - 1)))
        is_last = index == len(values) - 1
        forward_label = "Review and submit" if is_last else "Next"
        forward = looks.button_of(forward_label, button_style="primary", icon="arrow-right", tooltip=forward_label)
        forward.on_click(self.errors.guard(lambda _b: self.show_review() if is_last else self.show_value(index + 1)))
        missing = self.missing(value)
        notice = looks.text()
        if missing and any(self.inputs.is_answered(s.id) for s in value.statements):
            notice = looks.text(html("<p class='wb-warn' role='status'>{} statement(s) on this page still "
                                     "need an answer. You can come back to them before you submit.</p>",
                                     len(missing)))
        scale = join((p.label for p in self.framework.scale.points), " · ")
        about_org: list[widgets.Widget] = []
        if value.organisation_statements:
            about_org = [
                looks.text(html("<h2>{} across the organisation</h2>"
                                "<p class='wb-muted'>Now think of the people you work with, not only yourself. "
                                "How often is each statement true of people in this organisation?</p>",
                                value.name)),
                *[self.inputs[s.id].widget for s in value.organisation_statements],
            ]
        self._set(
            looks.text(html("<p class='wb-muted'>Page {} of {}</p>", index + 1, len(values))),
            self.progress_text,
            self.progress,
            looks.text(html(
                "<h1>{} · {}</h1><p>{}</p>"
                "<p class='wb-muted'>How often is each statement true of you? ({}, or {} if you cannot say.)</p>",
                value.id, value.name, value.meaning, scale, self.framework.scale.dont_know_label.lower(),
            )),
            *[self.inputs[s.id].widget for s in value.self_statements],
            *about_org,
            notice,
            row(back, forward, layout=looks.plain),
            self.saved_at,
        )

    def show_review(self) -> None:
        if self.submitted:
            self.show_results()
            return
        rows = []
        for index, value in enumerate(self.framework.values):
            missing = self.missing(value)
            total = len(value.statements)
            if missing:
                label = f"{value.id} · {value.name}: {total - len(missing)} of {total} answered"
                go = widgets.Button(description=f"Answer {len(missing)} more", tooltip=f"Go to {value.name}")
                go.on_click(self.errors.guard(lambda _b, i=index: self.show_value(i)))
                rows.append(row(widgets.HTML(html("<span class='wb-warn'>{}</span>", label)), go))
            else:
                rows.append(widgets.HTML(html("<span class='wb-ok'>✓ {} · {}: all {} answered</span>",
                                              value.id, value.name, total)))
        missing_all = self.missing()
        message = widgets.HTML("")
        submit = widgets.Button(description="Submit my answers", button_style="primary", icon="check",
                                tooltip="Submit my answers", disabled=bool(missing_all))
        back = widgets.Button(description="Back", icon="arrow-left", tooltip="Back")
        back.on_click(self.errors.guard(lambda _b: self.show_value(len(self.framework.values) - 1)))
        confirm = widgets.Button(description="Yes, submit", button_style="primary", tooltip="Yes, submit",
                                 layout=widgets.Layout(display="none"))
        cancel = widgets.Button(description="Not yet", tooltip="Not yet", layout=widgets.Layout(display="none"))

        def ask(_b: widgets.Button) -> None:
            if self.missing():  # the button may be clicked through a crafted message
                message.value = "<p class='wb-warn' role='alert'>Please answer every statement first.</p>"
                return
            message.value = ("<p class='wb-note' role='alert'>Once you submit, your answers are final and "
                             "cannot be changed. Submit now?</p>")
            confirm.layout.display = cancel.layout.display = "inline-flex"
            submit.layout.display = "none"

        def not_yet(_b: widgets.Button) -> None:
            message.value = ""
            confirm.layout.display = cancel.layout.display = "none"
            submit.layout.display = "inline-flex"

        submit.on_click(self.errors.guard(ask))
        confirm.on_click(self.errors.guard(lambda _b: self.submit(message)))
        cancel.on_click(self.errors.guard(not_yet))
        intro = ("You have answered every statement. Check anything you like, then submit."
                 if not missing_all else
                 f"{len(missing_all)} statement(s) still need an answer (choose “don't know” if you cannot say).")
        self._set(
            widgets.HTML(html("<h1>Review and submit</h1><p>{}</p>", intro)),
            self.progress_text,
            self.progress,
            widgets.VBox(rows),
            message,
            row(back, submit, confirm, cancel),
        )

    def submit(self, message: widgets.HTML | None = None) -> bool:
        """Make the answers final.  Returns True when this call submitted them."""
        r = self.respondent
        try:
            with_retries(lambda: self.store.responses.submit(r.person.id, r.cycle.id, framework=self.framework),
                         "submitting")
        except AlreadySubmittedError:  # also when a try that timed out had in fact committed
            self.show_results(note="You had already submitted your answers. Thank you!")
            return False
        except CycleClosedError as error:
            self.show_closed(str(error))
            return False
        except WorkbookError as error:
            if message is not None:
                message.value = html("<p class='wb-warn' role='alert'>Not submitted: {}</p>", error)
            return False
        self.show_results(note="Thank you! Your answers are submitted.")
        return True

    def show_closed(self, text: str) -> None:
        """The cycle closed while this page was open: say so calmly instead of the questions."""
        self.inputs.lock()
        self._set(widgets.HTML(html("<h1>This assessment has closed</h1><p role='status'>{}</p>", text)))

    def show_results(self, note: str | None = None) -> None:
        if not self.submitted:  # results are for submitted answers only
            self.show_welcome()
            return
        self.inputs.lock()
        parts: list[widgets.Widget] = []
        if note:
            parts.append(widgets.HTML(html("<p class='wb-note' role='status'>{}</p>", note)))
        parts.append(widgets.HTML(html("<h1>Your results</h1><p class='wb-muted'>{} · {}</p>",
                                       self.respondent.organisation.name, self.respondent.cycle.label)))
        if self._results is not None:
            parts.append(self._results(self))
        self._set(*parts)


def warm_up(db: str | None = None) -> None:
    """Do the slow work before anyone opens the page (pre-heated kernels).

    Loads the framework; in a pre-heated kernel also opens the database.
    Elsewhere the database is not opened: before the ``db`` parameter is
    known that could create a stray ``workbook.db`` beside the notebook.

    Charts are *not* warmed here, on purpose: rendering one imports pandas,
    altair and vl-convert, about 90 MB of unique memory in every kernel, while most
    kernels only ever show the questionnaire.  The results page imports them
    when it is shown (a second or two once, after submitting);
    ``tests/test_kernel_imports.py`` keeps the questionnaire path free of them.
    """
    from workbook.apps.request import is_preheating

    load_framework()
    if not is_preheating():
        return  # papermill or JupyterLab: nobody waits, and no stray workbook.db is made
    with contextlib.suppress(WorkbookError):  # reported to the visitor by show()
        kernel_store.open_early(db)  # kept for the page


def results_panel(app: ValuesAssessment) -> widgets.Widget:
    """The widget shown under "Your results" (:func:`workbook.values.html.results_html`)."""
    from workbook.values.html import results_html

    return widgets.HTML(results_html(app.store, app.framework, app.respondent))


def build(token: object, db: str | None = None) -> widgets.Widget:
    """The app for the person holding ``token``, or a friendly error page."""
    if token is None or token == "":
        return message_page(
            "Please use your personal link",
            "This questionnaire opens from the personal invite link you were sent. "
            "Please open that link, or ask whoever sent it for a new one.",
        )
    try:
        store = kernel_store.take(db)
        framework = load_framework()
        respondent = open_assessment(store, token)
        closes_on = respondent.cycle.closes_on
        if closes_on is not None and is_closed(closes_on):
            return message_page("This assessment has closed", closed_text(closes_on))
        _note_opened(store, respondent)
        return ValuesAssessment(store, framework, respondent, results=results_panel).widget
    except AccessDeniedError as error:
        return message_page("This link does not work", sentence(error))
    except WorkbookError as error:
        log.error("values app could not start: %s", error)
        return message_page("Sorry, the questionnaire is not available",
                            "Something on our side is not working. Your saved answers are safe; "
                            "please try the link again later.")


def _note_opened(store: Store, respondent: Respondent) -> None:
    """Record the first opening for ``people list``; bookkeeping never stops anyone answering."""
    try:
        store.progress.mark_opened(respondent.person.id, respondent.cycle.id)
    except WorkbookError as error:
        log.warning("could not note that a link was opened: %s", error)


def show(token: str | None = None, db: str | None = None) -> widgets.Widget:
    """Display the app.  Under Voila the token comes from the page's URL."""
    from IPython.display import display

    from workbook.apps.request import query_parameter

    if token is None:
        token = query_parameter("token")
    app = build(token, db)
    display(app)  # type: ignore[no-untyped-call]  # IPython's display() has no annotations
    return app

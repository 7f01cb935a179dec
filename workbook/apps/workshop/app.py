"""The workshop's controller: its pages in order (review, live panel, steps, summary) and every save.

The two-facilitator rule lives here: an edit made from an old version is
refused, the stored value is shown and the typed text kept to copy.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable
from datetime import date
from typing import Any, Final, TypeVar

import ipywidgets as widgets

from workbook.apps import kernel_store, workshop_scorecard
from workbook.apps.saving import with_retries
from workbook.apps.ui import (
    ErrorBanner,
    app_root,
    message_page,
    row,
    sentence,
    status_html,
    unsaved_html,
)
from workbook.apps.workshop.projector import PROJECTOR_CLASS, PROJECTOR_CSS
from workbook.apps.workshop.session import WorkshopSession, open_workshop
from workbook.apps.workshop.steps import (
    ActionRow,
    PracticeInput,
    StepPage,
    changed_lines,
)
from workbook.apps.workshop_playbook import PlaybookSection
from workbook.apps.workshop_review import REVIEW_PAGE, ReviewPage
from workbook.errors import AccessDeniedError, InputError, NotFoundError, StoreError, WorkbookError
from workbook.framework import Framework, load_framework
from workbook.html import Markup, html, join
from workbook.store import Store
from workbook.workshop.checks import check_by, check_due, check_status
from workbook.workshop.errors import StaleEditError
from workbook.workshop.records import (
    ActionRecord,
    PracticeRatingRecord,
    StepEvidenceRecord,
    WorkshopState,
)
from workbook.workshop.repository import Workshop

__all__ = ["WorkshopApp", "build", "show", "warm_up"]

log = logging.getLogger(__name__)

T = TypeVar("T")


#: A second "Add action" click this soon after an add, with the form empty, is a double click.
DOUBLE_CLICK_SECONDS: Final = 3.0



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
        guide = framework.recovery
        self.steps = {s.id: StepPage(self, s, PlaybookSection(self, guide) if guide is not None and guide.step == s.id
                                     else None) for s in framework.steps}
        self.scorecard: workshop_scorecard.ScorecardPage | None = None  # built on first visit
        self.live_box = widgets.VBox([])
        self.summary_box = widgets.VBox([])
        self.body = widgets.VBox([])
        org, cycle = session.organisation, session.cycle
        header = widgets.HTML(html("<p class='wb-muted'>{} · DIME™ steps workshop · {}</p>", org.name, cycle.label))
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
        intro = widgets.HTML(html("<h1>Where we are</h1><p>{}</p>", self.framework.dime_letters))
        self._set("live", intro, self.live_box, row(refresh, start))

    def _live_html(self) -> Markup:
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
        parts = [Markup("<h2>The values self-assessment</h2>"), participation_html(progress),
                 html("<p class='wb-note'>{}</p>", closing) if closing else Markup(),
                 Markup("<h2>Our value profile</h2>")]
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
        parts += [html("<p class='wb-note'>{}</p>", note) for note in profile.notes]
        parts.append(about_org)
        parts.append(html("<p class='wb-muted'>Updated at {}. Individual answers are never shown; no group smaller "
                          "than {} people is shown.</p>", time.strftime("%H:%M"), org.anonymity_threshold))
        return join(parts)

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
            html("<h1>Summary</h1><p class='wb-muted'>{} · {}</p>", org.name, cycle.label),
            (chart_html(chart) if chart is not None
             else Markup("<p class='wb-muted'>No practice has been rated yet.</p>")),
            maturity_table_html(summary),
            Markup("<h2>Obstacles found</h2>"), obstacles_html(summary),
            Markup("<h2>Action plan</h2>"), actions_table_html(summary, threads),
            html("<p>{}</p>", download_link_html(summary, actions_csv(summary, threads))),
        ]
        refresh = widgets.Button(description="Refresh", icon="refresh", tooltip="Refresh the summary")
        refresh.on_click(self.errors.guard(lambda _b: self.show_summary()))
        self.summary_box.children = (widgets.HTML(join(parts)),)
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
            self.name_status.value = status_html(sentence(error), "warn")
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
                entry.unsaved.value = unsaved_html(changed_lines(mine, {"Action": entry.what.value,
                                                                         "Owner": entry.owner.value}))
            else:  # removed by the other facilitator: show the plan as it is now
                page = self.steps[self._step_of(entry)]
                self._refresh_actions(page)
                page.add_status.value = status_html(f"Not saved: {error}; the list is up to date now.", "warn")
                page.add_unsaved.value = unsaved_html(changed_lines(mine, {}))
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
        kernel_store.open_early(db)  # kept for the page
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
        store = kernel_store.take(db)
        framework = load_framework()
        session = open_workshop(store, key, cycle)
        return WorkshopApp(store, framework, session, facilitator=facilitator).widget
    except AccessDeniedError as error:
        return message_page("This link does not work", sentence(error))
    except NotFoundError as error:
        return message_page("This workshop cannot be opened", sentence(error))
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

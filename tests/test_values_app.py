"""The values self-assessment app, driven through its widgets (no browser).

The browser test checks what a person sees; these tests check the rules the
kernel keeps whatever the browser sends.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import ipywidgets as widgets
import pytest
from ipywidgets.widgets.widget import _instances as live_widgets  # every widget model alive
from widget_tree import texts, walk

from workbook.apps import values as app_module
from workbook.apps.ui import esc
from workbook.apps.values import DONT_KNOW, ValuesAssessment, build, open_assessment
from workbook.framework import Framework
from workbook.people_csv import PersonRow
from workbook.store import Store, open_store


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "app.db")


@pytest.fixture
def store(db: str) -> Iterator[Store]:
    with open_store(db) as opened:
        opened.organisations.create("Harbour & Vine Hotels", "hv", threshold=3)
        opened.people.import_rows("hv", [
            PersonRow("<script>alert(1)</script> Ada", "ada@example.org", "leader", "Front Desk"),
            PersonRow("Ben Staff", "ben@example.org", "staff", "Front Desk"),
        ])
        yield opened


def token(store: Store, email: str) -> str:
    return store.people.invite("hv", email).token


def button(app: ValuesAssessment, description: str) -> widgets.Button:
    found = [w for w in walk(app.body) if isinstance(w, widgets.Button) and w.description == description]
    assert found, f"no button {description!r} on the page; page says: {texts(app.body)[:300]}"
    return found[0]


def click(app: ValuesAssessment, description: str) -> None:
    button(app, description).click()


def make_app(store: Store, framework: Framework, email: str = "ben@example.org") -> ValuesAssessment:
    return ValuesAssessment(store, framework, open_assessment(store, token(store, email)))


def answer_everything(app: ValuesAssessment, rating: int = 4) -> None:
    for entry in app.inputs.values():
        entry.choice.value = rating


# --- links that do not work ------------------------------------------------------------
@pytest.mark.parametrize("bad", [None, "", "nope", "x" * 43, "<script>"])
def test_bad_token_gets_a_friendly_page_and_no_data(store: Store, db: str, bad: str | None) -> None:
    page = build(bad, db)
    shown = texts(page)
    assert "personal link" in shown or "This link does not work" in shown
    assert "Harbour" not in shown and "Ben" not in shown
    assert not any(isinstance(w, widgets.RadioButtons) for w in walk(page))


def test_deleted_person_link_stops_working(store: Store, db: str) -> None:
    old = token(store, "ben@example.org")
    store.people.delete("hv", "ben@example.org")
    assert "This link does not work" in texts(build(old, db))


def test_broken_database_is_a_friendly_page(tmp_path: Path) -> None:
    page = build("A" * 43, str(tmp_path / "missing-folder" / "x.db"))
    assert "not available" in texts(page)


# --- welcome and answering ------------------------------------------------------------
def test_welcome_explains_time_and_anonymity_and_escapes_names(store: Store, framework: Framework) -> None:
    app = make_app(store, framework, "ada@example.org")
    shown = texts(app.body)
    assert "Hello &lt;script&gt;alert(1)&lt;/script&gt;" in shown
    assert "<script>alert" not in shown
    assert "Harbour &amp; Vine Hotels" in shown
    assert f"{len(framework.statements)} statements" in shown
    assert "at least <strong>3 people</strong>" in shown
    button(app, "Start")


def test_each_answer_is_saved_at_once(store: Store, framework: Framework) -> None:
    app = make_app(store, framework)
    click(app, "Start")
    first, second = framework.values[0].statements[:2]
    app.inputs[first.id].choice.value = 5
    app.inputs[second.id].choice.value = DONT_KNOW
    r = app.respondent
    saved = {a.statement_id: (a.rating, a.dont_know) for a in store.responses.answers(r.person.id, r.cycle.id)}
    assert saved == {first.id: (5, False), second.id: (None, True)}
    assert "Saved" in app.inputs[first.id].status.value
    assert app.progress.value == 2


def test_a_comment_is_saved_with_its_rating(store: Store, framework: Framework) -> None:
    app = make_app(store, framework)
    entry = app.inputs[framework.statements[0].id]
    entry.comment.value = "Busy   weekends"  # no rating yet: nothing to save
    r = app.respondent
    assert store.responses.answers(r.person.id, r.cycle.id) == []
    entry.choice.value = 3
    assert store.responses.answers(r.person.id, r.cycle.id)[0].comment == "Busy weekends"


def test_reopening_the_link_resumes_with_everything_kept(store: Store, framework: Framework) -> None:
    app = make_app(store, framework)
    first_value = framework.values[0]
    for statement in first_value.statements:
        app.inputs[statement.id].choice.value = 2
    again = make_app(store, framework)
    assert all(again.inputs[s.id].choice.value == 2 for s in first_value.statements)
    assert "Welcome back" in texts(again.body)
    click(again, "Continue where you left off")
    assert framework.values[1].name in texts(again.body)  # jumps to the first page with gaps


def test_the_welcome_screen_sends_only_its_own_widgets(store: Store, framework: Framework) -> None:
    """Statement cards are made when their page opens: the first screen is quick to send."""
    before = set(live_widgets)
    app = make_app(store, framework)
    made = set(live_widgets) - before
    assert len(made) < 40, f"{len(made)} widget models for a welcome screen"
    assert not any(isinstance(live_widgets[m], widgets.RadioButtons) for m in made)
    click(app, "Start")
    cards = [w for w in walk(app.body) if isinstance(w, widgets.RadioButtons)]
    assert len(cards) == len(framework.values[0].statements)


def test_saved_answers_count_before_their_page_is_opened(store: Store, framework: Framework) -> None:
    app = make_app(store, framework)
    last = framework.values[-1]
    for statement in last.statements:
        app.inputs[statement.id].choice.value = DONT_KNOW
    again = make_app(store, framework)
    total = len(framework.statements)
    assert again.answered_count() == len(last.statements)
    assert f"answered {len(last.statements)} of {total}" in texts(again.body)
    assert again.missing(last) == []
    click(again, "Continue where you left off")
    assert framework.values[0].name in texts(again.body)  # the first page with gaps, not the answered one
    assert all(again.inputs[s.id].choice.value == DONT_KNOW for s in last.statements)


def test_asking_whether_a_statement_is_there_makes_no_card(store: Store, framework: Framework) -> None:
    app = make_app(store, framework)
    before = len(live_widgets)
    assert framework.statements[-1].id in app.inputs and "no-such-statement" not in app.inputs
    assert len(live_widgets) == before


def test_cards_made_after_submitting_are_locked(store: Store, framework: Framework) -> None:
    app = make_app(store, framework)
    for statement in framework.statements:
        app.inputs[statement.id].choice.value = 3
    assert app.submit()
    again = make_app(store, framework)  # a new page for a submitted person: no card made yet
    entry = again.inputs[framework.statements[-1].id]
    assert entry.choice.disabled and entry.choice.value == 3


def test_next_and_back_walk_the_pages_and_warn_about_gaps(store: Store, framework: Framework) -> None:
    app = make_app(store, framework)
    click(app, "Start")
    assert f"Page 1 of {len(framework.values)}" in texts(app.body)
    app.inputs[framework.values[0].statements[0].id].choice.value = 4
    click(app, "Next")
    click(app, "Back")
    assert "still need an answer" in texts(app.body)
    for _ in framework.values[:-1]:
        click(app, "Next")
    click(app, "Review and submit")
    assert "Review and submit" in texts(app.body)
    assert button(app, "Submit my answers").disabled


# --- submitting -------------------------------------------------------------------
def test_submit_is_final_and_a_second_submit_is_refused_politely(store: Store, framework: Framework) -> None:
    app = make_app(store, framework)
    answer_everything(app)
    app.show_review()
    submit = button(app, "Submit my answers")
    assert not submit.disabled
    submit.click()
    assert "final" in texts(app.body)
    click(app, "Yes, submit")
    assert "Your answers are submitted" in texts(app.body)
    assert app.submitted
    assert all(entry.choice.disabled for entry in app.inputs.values())
    assert app.submit() is False
    assert "already submitted" in texts(app.body)


def test_an_edit_after_submitting_is_refused_and_changes_nothing(store: Store, framework: Framework) -> None:
    stale = make_app(store, framework)  # e.g. a second browser tab left open
    fresh = make_app(store, framework)
    answer_everything(fresh, 4)
    assert fresh.submit()
    statement = framework.statements[0].id
    stale.inputs[statement].choice.value = 1
    r = fresh.respondent
    assert {a.rating for a in store.responses.answers(r.person.id, r.cycle.id)} == {4}
    assert "already submitted" in texts(stale.body)


def test_a_crafted_click_on_the_disabled_submit_button_submits_nothing(store: Store, framework: Framework) -> None:
    app = make_app(store, framework)
    app.inputs[framework.statements[0].id].choice.value = 3
    app.show_review()
    submit = button(app, "Submit my answers")
    assert submit.disabled
    submit._click_handlers(submit)  # what a hand-written comm message would do
    assert "answer every statement" in texts(app.body)
    assert not app.submitted


@pytest.mark.parametrize("crafted", [True, 0, 6, "3", 3.5, "dont know", None])
def test_a_value_the_page_never_offers_is_not_stored(store: Store, framework: Framework, crafted: object) -> None:
    """The app re-checks a widget's value before storing it.

    ipywidgets itself maps a browser's index to an offered option, so this
    writes the value under traitlets' validation to reach the app's own check
    (defence in depth, should a widget class ever accept a raw value).
    """
    app = make_app(store, framework)
    entry = app.inputs[framework.statements[0].id]
    entry.choice._trait_values["value"] = crafted
    app._answer_changed(entry)
    r = app.respondent
    assert store.responses.answers(r.person.id, r.cycle.id) == []
    if crafted is not None:
        assert "Not saved" in entry.status.value or "choose one of the answers" in entry.status.value


def test_an_overlong_comment_is_refused_and_nothing_is_stored(store: Store, framework: Framework) -> None:
    app = make_app(store, framework)
    entry = app.inputs[framework.statements[0].id]
    entry.comment.value = "x" * 5000
    entry.choice.value = 3
    r = app.respondent
    assert store.responses.answers(r.person.id, r.cycle.id) == []
    assert "too long" in entry.status.value


def test_a_crafted_click_on_the_hidden_confirm_button_submits_nothing(store: Store,
                                                                      framework: Framework) -> None:
    app = make_app(store, framework)
    app.inputs[framework.statements[0].id].choice.value = 3
    app.show_review()
    confirm = button(app, "Yes, submit")
    assert confirm.layout.display == "none"
    confirm._click_handlers(confirm)  # a hand-written comm message
    assert not app.submitted
    assert "still need an answer" in texts(app.body)


def test_submitted_link_opens_on_the_results(store: Store, framework: Framework) -> None:
    app = make_app(store, framework)
    answer_everything(app)
    app.submit()
    again = make_app(store, framework)
    assert "Your results" in texts(again.body)
    assert not any(isinstance(w, widgets.Button) and w.description == "Start" for w in walk(again.body))


def test_show_uses_the_query_string_under_voila(store: Store, db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("workbook.apps.request.query_parameter", lambda name: token(store, "ben@example.org"))
    monkeypatch.setattr("IPython.display.display", lambda *_a, **_k: None)
    page = app_module.show(db=db)
    assert "Hello Ben" in texts(page)


# --- results ---------------------------------------------------------------------
def test_results_show_everyones_average_in_whole_batches_and_never_a_team(tmp_path: Path,
                                                                           framework: Framework) -> None:
    from workbook.apps.values import results_panel
    from workbook.demo import seed_demo
    from workbook.values import EVERYONE, personal_results

    with open_store(str(tmp_path / "demo.db")) as demo_store:
        seed_demo(demo_store, framework=framework)
        people = {i.person.email: i for i in demo_store.people.invites("demo")}
        viewer = open_assessment(demo_store, people["nadia.haddad@harbourandvine.example"].token)
        results = personal_results(demo_store, framework, viewer)
        assert results.compared_with == "everyone who responded"
        assert set(results.chart_data["series"]) == {"You", EVERYONE}
        assert not any("Reservations" in s or "team" in s.lower() for s in results.chart_data["series"])
        assert all(framework.scale.minimum <= s <= framework.scale.maximum for s in results.chart_data["score"])
        app = ValuesAssessment(demo_store, framework, viewer, results=results_panel)
        shown = texts(app.body)
        assert "<svg" in shown and "Your values profile" in shown and "aria-label" in shown


def test_team_and_organisation_figures_cannot_be_subtracted_to_reveal_one_person(
        tmp_path: Path, framework: Framework) -> None:
    """The reviewer's attack: team a1-a5, lone x1 submits between a4 and a5 (threshold 5)."""
    from workbook.values import personal_results

    with open_store(str(tmp_path / "attack.db")) as s:
        s.organisations.create("Attack", "atk", threshold=5)
        rows = [PersonRow(f"A{i}", f"a{i}@x.org", "staff", "Team A") for i in range(1, 6)]
        rows.append(PersonRow("X1", "x1@x.org", "staff", "Team X"))
        s.people.import_rows("atk", rows)
        cycle = s.responses.cycle("atk").id
        for email, rating in [("a1", 3), ("a2", 3), ("a3", 3), ("a4", 3), ("x1", 1), ("a5", 5)]:
            person = s.people.get("atk", f"{email}@x.org")
            for statement in framework.statements:
                s.responses.save_answer(person.id, cycle, statement.id, rating, framework=framework)
            s.responses.submit(person.id, cycle, framework=framework)
        viewer = open_assessment(s, s.people.invite("atk", "a5@x.org").token)
        results = personal_results(s, framework, viewer)
        # Only one comparison series: nothing to subtract it from.
        assert set(results.chart_data["series"]) - {"You"} == {"Everyone who responded"}


def test_alone_in_an_organisation_shows_only_your_own_scores(store: Store, framework: Framework) -> None:
    from workbook.values import personal_results

    app = make_app(store, framework)
    answer_everything(app, 4)
    app.submit()
    results = personal_results(store, framework, app.respondent)
    assert set(results.chart_data["series"]) == {"You"}
    assert results.compared_with is None
    # Rating 4 everywhere: reverse-worded statements count as 1 + 5 - 4 = 2.
    # Value scores count only the statements about oneself, not those about the organisation.
    expected = {v.name: sum(2 if s.reverse else 4 for s in v.self_statements) / len(v.self_statements)
                for v in framework.values}
    assert results.own == pytest.approx(expected)
    assert any(score < 4 for score in expected.values())


def test_one_more_submission_does_not_move_the_averages_anyone_sees(tmp_path: Path, framework: Framework) -> None:
    """The difference attack: look, let one person submit, look again."""
    from workbook.demo import seed_demo
    from workbook.values import personal_results

    with open_store(str(tmp_path / "demo.db")) as demo_store:
        seed_demo(demo_store, framework=framework)
        people = {i.person.email.split("@")[0]: i for i in demo_store.people.invites("demo")}
        viewer = open_assessment(demo_store, people["amelia.hart"].token)
        before = personal_results(demo_store, framework, viewer).chart_data
        # Daniel (Front Desk, like Amelia) answers everything and submits: the 21st person.
        late = open_assessment(demo_store, people["daniel.kim"].token)
        for statement in framework.statements:
            demo_store.responses.save_answer(late.person.id, late.cycle.id, statement.id, 1, framework=framework)
        demo_store.responses.submit(late.person.id, late.cycle.id, framework=framework)
        after = personal_results(demo_store, framework, viewer)
        assert after.chart_data.equals(before)
        assert any("grows 5 people at a time" in note for note in after.notes)
        assert not any("worked out" in note or "whole groups" in note for note in after.notes)  # plain words


def test_a_comment_before_a_rating_says_how_to_save_it(store: Store, framework: Framework) -> None:
    app = make_app(store, framework)
    entry = app.inputs[framework.statements[0].id]
    entry.comment.value = "Weekends are hard"
    assert "Choose an answer above" in entry.status.value
    entry.choice.value = 4
    r = app.respondent
    assert store.responses.answers(r.person.id, r.cycle.id)[0].comment == "Weekends are hard"


def test_an_unexpected_failure_in_a_button_shows_a_calm_message_not_a_frozen_page(
        store: Store, framework: Framework, monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app(store, framework)

    def broken(_index: int) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(app, "show_value", broken)
    click(app, "Start")
    assert "Something went wrong on our side" in app.errors.widget.value
    assert "database went away" not in app.errors.widget.value
    app.show_welcome()  # the next screen clears the message
    assert app.errors.widget.value == ""


def test_a_store_error_while_saving_is_shown_in_words(store: Store, framework: Framework,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from workbook.errors import StoreError

    app = make_app(store, framework)

    def down(*_a: object, **_k: object) -> None:
        raise StoreError("the database could not be used: disk I/O error")

    monkeypatch.setattr(app.store.responses, "save_answer", down)
    monkeypatch.setattr("workbook.apps.saving.time.sleep", lambda _s: None)
    entry = app.inputs[framework.statements[0].id]
    entry.choice.value = 4
    assert "Not saved" in entry.status.value


# --- statements about the organisation (framework 1.1.0) ---------------------------------
def test_each_page_asks_about_oneself_then_about_the_organisation(store: Store, framework: Framework) -> None:
    app = make_app(store, framework)
    assert "how you see it across the organisation" in texts(app.body)
    click(app, "Start")
    value = framework.values[0]
    shown = texts(app.body)
    assert f"{value.name} across the organisation" in shown
    assert shown.index(esc(value.self_statements[-1].text)) < shown.index("across the organisation") \
        < shown.index(esc(value.organisation_statements[0].text))
    cards = [w for w in walk(app.body) if isinstance(w, widgets.RadioButtons)]
    assert len(cards) == len(value.statements)
    # Numbered in the order the page shows them; no comment box on the organisation's statements.
    assert [c.description for c in cards] == [f"Statement {n}" for n in range(1, len(cards) + 1)]
    about_org = app.inputs[value.organisation_statements[0].id]
    assert about_org.comment is None and about_org.comment_toggle is None
    about_org.choice.value = 2
    r = app.respondent
    assert [(a.statement_id, a.rating) for a in store.responses.answers(r.person.id, r.cycle.id)] == [
        (value.organisation_statements[0].id, 2)]


def test_a_new_respondent_must_answer_the_organisation_statements_too(store: Store, framework: Framework) -> None:
    app = make_app(store, framework)
    for statement in framework.self_statements:
        app.inputs[statement.id].choice.value = 4
    assert app.missing() == list(framework.organisation_statements)
    assert not app.submit()
    answer_everything(app)
    assert app.submit()


def test_someone_who_began_under_1_0_0_finishes_without_the_new_statements(store: Store,
                                                                            framework: Framework) -> None:
    """Their first answers were saved by the app before the update: they are not asked for the new ones."""
    old = framework.edition("1.0.0")
    r = open_assessment(store, token(store, "ben@example.org"))
    store.responses.save_answer(r.person.id, r.cycle.id, "A1", 4, framework=old)
    app = make_app(store, framework)
    assert app.framework.version == "1.0.0"
    assert len(app.inputs) == len(framework.self_statements)
    assert "across the organisation" not in texts(app.body)
    answer_everything(app)
    assert app.submit()
    assert {a.statement_id for a in store.responses.answers(r.person.id, r.cycle.id)} == {
        s.id for s in framework.self_statements}


def test_results_show_your_own_view_of_the_organisation_and_nobody_elses(store: Store,
                                                                        framework: Framework) -> None:
    from workbook.apps.values import results_panel
    from workbook.values import personal_results

    ada = make_app(store, framework, "ada@example.org")
    for statement in framework.statements:  # Ada rates the organisation 1 on everything
        rating = 1 if statement.about_organisation else 4
        ada.inputs[statement.id].choice.value = 6 - rating if statement.reverse else rating
    assert ada.submit()
    ben = make_app(store, framework)
    for statement in framework.statements:
        rating = 3 if statement.about_organisation else 5
        ben.inputs[statement.id].choice.value = 6 - rating if statement.reverse else rating
    assert ben.submit()
    results = personal_results(store, ben.framework, ben.respondent)
    assert results.organisation == {v.name: 3.0 for v in framework.values}
    assert results.own == {v.name: 5.0 for v in framework.values}
    shown = results_panel(ben).value
    assert "You and the organisation" in shown
    assert "You rate yourself higher than the organisation on Accountable" in shown

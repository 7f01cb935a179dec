"""The charter builder, driven through its widgets (no browser).

These check the rules the kernel keeps whatever the browser sends: every
change validated and saved at once, approval refused while a check blocks,
a stale copy never overwriting a newer save, and nothing of anyone's shown
without the right key.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import ipywidgets as widgets
import pytest
from widget_tree import texts, walk

from workbook.apps import charter as app_module
from workbook.apps.charter import BLANK, FOUNDATION, PROMISES, CharterBuilder, build
from workbook.apps.ui import UNEXPECTED, UNSAVED_LABEL
from workbook.charter import Charters
from workbook.charter.ranking import Evidence
from workbook.errors import ConflictError
from workbook.framework import Framework
from workbook.store import Store, open_store

TODAY = date(2026, 11, 24)
REVIEW = date(2027, 3, 31)
REVIEW_TYPED = "31/03/2027"  # as a facilitator types it: day first


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "charter.db")


@pytest.fixture
def store(db: str) -> Iterator[Store]:
    with open_store(db) as opened:
        opened.organisations.create("Harbour & Vine <Hotels>", "hv", threshold=3)
        yield opened


def button(app: CharterBuilder, description: str) -> widgets.Button:
    found = [w for w in walk(app.widget) if isinstance(w, widgets.Button) and w.description == description]
    assert found, f"no button {description!r}; the page says: {texts(app.widget)[:400]}"
    return found[0]


EVIDENCE = Evidence(value_scores={"A": 4.1, "E": 3.8, "I": 2.8, "O": 3.2, "U": 4.4},
                    value_source="values self-assessment, 2026-Q4, 12 people")


def make_app(store: Store, framework: Framework, evidence: Evidence = EVIDENCE, *,
             promises_page: bool = True) -> CharterBuilder:
    """The builder; by default already on the promises page (a new draft opens on the first page)."""
    organisation = store.organisations.get("hv")
    app = CharterBuilder(store, framework, organisation, evidence, today=lambda: TODAY)
    if promises_page and app.charter is not None and app.charter.is_draft:
        app.go_to(PROMISES)
    return app


def stored(store: Store) -> list:  # type: ignore[type-arg]
    return list(Charters(store.transactions).versions("hv"))


def complete(app: CharterBuilder) -> None:
    """Give every promise an owner and a review date, through the widgets."""
    for card in app.cards:
        card.owner.value = f"Owner {card.position}"
        card.review.value = REVIEW_TYPED


# --- links that do not work ---------------------------------------------------------------
@pytest.mark.parametrize("bad", [None, "", "nope", "x" * 43, "<script>"])
def test_a_bad_key_gets_a_friendly_page_and_no_data(store: Store, db: str, bad: str | None) -> None:
    page = build(bad, db)
    shown = texts(page)
    assert "facilitator link" in shown or "This link does not work" in shown
    assert "Harbour" not in shown and "promise" not in shown.lower()
    assert not any(isinstance(w, widgets.Textarea) for w in walk(page))
    assert stored(store) == []  # and nothing was created


def test_a_broken_database_is_a_friendly_page(tmp_path: Path) -> None:
    page = build("A" * 43, str(tmp_path / "missing-folder" / "x.db"))
    assert "not available" in texts(page)


def test_show_reads_the_key_from_the_page_address(store: Store, db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    key = store.organisations.facilitator_key("hv")
    monkeypatch.setattr("workbook.apps.request.query_parameter", lambda name: key if name == "key" else None)
    monkeypatch.setattr("IPython.display.display", lambda *_a, **_k: None)
    page = app_module.show(db=db)
    assert "Harbour &amp; Vine &lt;Hotels&gt;" in texts(page)


# --- starting ----------------------------------------------------------------------------
def test_the_first_visit_starts_a_draft_from_the_ranked_starters(store: Store, framework: Framework) -> None:
    app = make_app(store, framework)
    [draft] = stored(store)
    assert draft.is_draft and len(draft.promises) == 10
    assert [p.starter_id for p in draft.promises][:3] == ["P06", "P07", "P09"]  # Innovative, then Optimistic
    assert len(app.cards) == 10
    assert app.cards[0].text.value == framework.promise("P06").text
    shown = texts(app.widget)
    assert "Harbour &amp; Vine &lt;Hotels&gt;" in shown and "<Hotels>" not in shown
    assert "Innovative is your lowest value: 2.8 of 5" in shown
    assert "Values, lowest first" in shown and "values self-assessment, 2026-Q4, 12 people" in shown
    assert "20 thing(s) to fix before this charter can be approved" in shown
    assert "Promise 1 needs an owner" in app.cards[0].findings.value


def test_without_results_the_starters_come_in_framework_order_with_a_note(store: Store,
                                                                          framework: Framework) -> None:
    note = "Value scores appear here once at least 3 people have submitted the values self-assessment."
    app = make_app(store, framework, evidence=Evidence(notes=(note,)))
    assert [p.starter_id for p in app.promises] == [p.id for p in framework.promises]
    assert note in texts(app.widget)
    assert "Your results:" not in texts(app.widget)


def test_reopening_the_builder_continues_the_same_draft(store: Store, framework: Framework) -> None:
    first = make_app(store, framework)
    first.cards[2].owner.value = "Ada"
    again = make_app(store, framework)
    assert again.cards[2].owner.value == "Ada"
    assert len(stored(store)) == 1


# --- saving as they go -----------------------------------------------------------------------
def test_each_change_is_saved_at_once(store: Store, framework: Framework) -> None:
    app = make_app(store, framework)
    card = app.cards[0]
    card.owner.value = "  Front-desk   manager "
    card.review.value = REVIEW_TYPED
    assert card.review.value == "31 March 2027"  # shown back in the one format every screen uses
    card.standard.value = "Every idea answered within 5 working days."
    card.value.value = "E"
    [draft] = stored(store)
    saved = draft.promises[0]
    assert (saved.owner, saved.review_date, saved.standard, saved.value_id) == (
        "Front-desk manager", REVIEW, "Every idea answered within 5 working days.", "E")
    assert draft.version == 5
    assert "Saved ✓" in card.status.value and "All changes saved" in app.saved_at.value
    assert "Promise 1 needs an owner" not in card.findings.value


@pytest.mark.parametrize(("field", "value", "message"), [
    ("text", "x" * 301, "too long (301 characters; at most 300)"),
    ("owner", "x" * 121, "the owner of promise 1 is too long"),
    ("value_id", "Z", "unknown value &#x27;Z&#x27;"),
    ("step_id", "<b>", "unknown step &#x27;&lt;b&gt;&#x27;"),
    ("review_date", date(9999, 12, 31), "9999-12-31 looks mistyped"),
    ("review_date", "not a date", "is not a real date"),
])
def test_a_value_the_page_should_never_send_is_not_stored(store: Store, framework: Framework, field: str,
                                                          value: object, message: str) -> None:
    app = make_app(store, framework)
    before = stored(store)
    app._field_changed(app.cards[0], field, value)  # what a hand-written comm message would cause
    assert "Not saved" in app.cards[0].status.value and message in app.cards[0].status.value
    assert stored(store) == before


def test_too_long_text_typed_in_the_box_is_refused_with_one_line(store: Store, framework: Framework) -> None:
    app = make_app(store, framework)
    app.cards[1].text.value = "We promise " + "a lot " * 60
    assert "Not saved" in app.cards[1].status.value
    assert stored(store)[0].promises[1].text == app.promises[1].text != app.cards[1].text.value


def test_hostile_text_is_stored_as_typed_and_shown_as_text(store: Store, framework: Framework) -> None:
    app = make_app(store, framework)
    app.cards[0].text.value = "<script>alert(\"x\")</script> We reply promptly"
    app.cards[0].standard.value = "<img src=x onerror=alert(this)> Replies are prompt."
    assert stored(store)[0].promises[0].text == "<script>alert(\"x\")</script> We reply promptly"
    again = make_app(store, framework)
    shown = texts(again.widget)
    assert "<script>" not in shown and "<img" not in shown
    assert "“promptly”" in again.cards[0].findings.value  # the check sees it; the page escapes it


def test_move_remove_and_add_promises(store: Store, framework: Framework) -> None:
    app = make_app(store, framework)
    first, second = app.promises[0].starter_id, app.promises[1].starter_id
    button(app, "Move down").click()  # the first card's
    assert [p.starter_id for p in stored(store)[0].promises][:2] == [second, first]
    app.cards[9].buttons[2].click()  # remove the last promise
    assert len(stored(store)[0].promises) == 9
    assert "this one has 9 (add 1)" in texts(app.widget)
    app.add_promise(BLANK)
    assert len(app.cards) == 10 and app.cards[9].text.value == ""
    assert "Promise 10 has no text yet" in app.cards[9].findings.value
    app.add_promise("P99")  # not an option the page offers
    assert "Please choose a promise from the list" in app.alert.value
    assert len(stored(store)[0].promises) == 10


def test_a_removed_starter_can_be_added_back(store: Store, framework: Framework) -> None:
    app = make_app(store, framework)
    removed = app.promises[4].starter_id
    app.cards[4].buttons[2].click()
    assert removed in [value for _label, value in app._add_options()]
    app.add_promise(removed)
    assert app.promises[-1].starter_id == removed and len(app.promises) == 10


# --- two facilitators at once ---------------------------------------------------------------------
def unsaved_box(app: CharterBuilder) -> str:
    """The read-only box of text that was not saved (empty when there is none)."""
    return str(app.unsaved.value)


def test_a_stale_copy_never_overwrites_a_newer_save(store: Store, framework: Framework) -> None:
    mine = make_app(store, framework)
    theirs = make_app(store, framework)
    theirs.cards[0].owner.value = "Theirs"
    mine.cards[0].owner.value = "Mine"
    assert stored(store)[0].promises[0].owner == "Theirs"
    assert "Your last change was not saved" in mine.alert.value
    assert "someone else saved this charter first" in mine.alert.value
    assert mine.cards[0].owner.value == "Theirs" and not mine.cards[0].owner.disabled  # their version, editable
    assert "Owner: Mine" in unsaved_box(mine)
    mine.cards[0].owner.value = "Mine, after seeing theirs"
    assert stored(store)[0].promises[0].owner == "Mine, after seeing theirs"


def test_a_refused_save_keeps_the_typed_text_to_copy(store: Store, framework: Framework) -> None:
    mine = make_app(store, framework)
    theirs = make_app(store, framework)
    theirs.cards[0].owner.value = "Front-desk manager"
    theirs.cards[1].standard.value = "Every idea answered within 5 working days."
    typed = "Every <b>complaint</b> answered within 1 working day, checked by the duty manager."
    mine.cards[1].standard.value = typed  # refused: their save came first
    [draft] = stored(store)
    assert draft.promises[1].standard == "Every idea answered within 5 working days."  # theirs, untouched
    assert draft.promises[0].owner == "Front-desk manager"
    # the fields show what is stored now ...
    assert mine.cards[1].standard.value == "Every idea answered within 5 working days."
    assert mine.cards[0].owner.value == "Front-desk manager"
    assert "Not saved: someone else saved first" in mine.cards[1].status.value
    # ... and what I typed is still on the page, read-only, escaped, ready to copy
    box = unsaved_box(mine)
    assert UNSAVED_LABEL in box and "<textarea readonly" in box
    assert ("Promise 2 · Standard: Every &lt;b&gt;complaint&lt;/b&gt; answered within 1 working day, checked by "
            "the duty manager.") in box
    assert "<b>complaint" not in box
    assert "Owner" not in box  # only what I had not saved
    assert box in texts(mine.widget)
    # copying it back and saving again now works
    mine.cards[1].standard.value = typed
    assert "Saved ✓" in mine.cards[1].status.value
    assert stored(store)[0].promises[1].standard == typed


def test_text_refused_by_the_checks_is_also_kept_when_someone_saves_first(store: Store,
                                                                          framework: Framework) -> None:
    mine = make_app(store, framework)
    theirs = make_app(store, framework)
    too_long = "We promise " + "a lot " * 60
    mine.cards[2].text.value = too_long  # refused by the checks, still in the box
    theirs.cards[0].owner.value = "Ana"
    mine.cards[3].owner.value = "Ben"  # refused: their save came first
    box = unsaved_box(mine)
    assert "Promise 3 · Our promise: We promise a lot" in box and "Promise 4 · Owner: Ben" in box
    assert [p.owner for p in stored(store)[0].promises[:4]] == ["Ana", None, None, None]


def test_moving_a_promise_after_someone_else_saved_is_refused_without_an_empty_box(
        store: Store, framework: Framework) -> None:
    mine = make_app(store, framework)
    theirs = make_app(store, framework)
    order = [p.starter_id for p in stored(store)[0].promises]
    theirs.cards[0].owner.value = "Ana"
    button(mine, "Move down").click()
    assert "Your last change was not saved" in mine.alert.value and unsaved_box(mine) == ""
    assert [p.starter_id for p in stored(store)[0].promises] == order
    button(mine, "Move down").click()  # from their version now: accepted
    assert [p.starter_id for p in stored(store)[0].promises][:2] == [order[1], order[0]]


def test_approving_a_copy_someone_else_changed_is_refused_and_shows_theirs(store: Store,
                                                                           framework: Framework) -> None:
    mine = make_app(store, framework)
    complete(mine)
    theirs = make_app(store, framework)
    theirs.cards[4].standard.value = "Every room checked within 10 minutes of check-out."
    mine.approver.value = "Dana Reid"
    button(mine, "Approve version 1").click()
    assert "Not approved yet" in mine.alert.value
    assert stored(store)[0].is_draft
    assert mine.cards[4].standard.value == "Every room checked within 10 minutes of check-out."
    button(mine, "Approve version 1").click()  # having seen their change
    assert stored(store)[0].status == "approved"


# --- a handler that fails -------------------------------------------------------------------------
def test_an_unexpected_failure_shows_a_calm_line_and_the_builder_keeps_working(
        store: Store, framework: Framework, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    app = make_app(store, framework)
    app.cards[0].owner.value = "Ada"

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    with monkeypatch.context() as patched:
        patched.setattr(app.charters, "save_draft", broken)
        app.cards[1].owner.value = "Ben"  # the handler fails
    assert UNEXPECTED in app.errors.widget.value and "disk on fire" not in texts(app.widget)
    assert "an app handler failed" in caplog.text and "disk on fire" in caplog.text  # traceback in the log
    assert [p.owner for p in stored(store)[0].promises[:2]] == ["Ada", None]  # nothing saved is lost
    app.cards[2].owner.value = "Cy"  # the page still responds
    assert "Saved ✓" in app.cards[2].status.value
    assert [p.owner for p in stored(store)[0].promises[:3]] == ["Ada", None, "Cy"]
    button(app, "Move down").click()  # a new screen of cards clears the line
    assert app.errors.widget.value == ""


def test_a_workbook_error_in_a_handler_shows_its_own_line(store: Store, framework: Framework,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app(store, framework)
    complete(app)
    app.approve("Dana")

    def clash(*_args: object, **_kwargs: object) -> None:
        raise ConflictError("someone else started version 2 a moment ago; reload the page to see it")

    with monkeypatch.context() as patched:
        patched.setattr(app.charters, "start_draft", clash)
        button(app, "Start version 2").click()
    assert "Someone else started version 2 a moment ago; reload the page to see it" in app.errors.widget.value
    assert [c.number for c in stored(store)] == [1] and stored(store)[0].status == "approved"
    button(app, "Start version 2").click()  # works once the cause is gone
    assert [c.number for c in stored(store)] == [1, 2] and len(app.cards) == 10
    assert app.errors.widget.value == ""


# --- approving ---------------------------------------------------------------------------------------
def test_approval_is_refused_with_the_reasons_while_checks_fail(store: Store, framework: Framework) -> None:
    app = make_app(store, framework)
    app.approver.value = "Dana Reid"
    button(app, "Approve version 1").click()
    assert "Not approved yet" in app.approve_message.value
    assert "Promise 1 needs an owner" in app.approve_message.value
    assert stored(store)[0].is_draft


def test_approve_then_start_a_new_version_and_compare(store: Store, framework: Framework) -> None:
    app = make_app(store, framework)
    complete(app)
    assert "All checks pass" in app.checks.value
    button(app, "Approve version 1").click()  # nobody named
    assert "must not be empty" in app.approve_message.value
    app.approver.value = "Dana Reid <GM>"
    button(app, "Approve version 1").click()
    [approved] = stored(store)
    assert approved.status == "approved" and approved.approved_by == "Dana Reid <GM>"
    shown = texts(app.widget)
    assert "Version 1 is approved" in shown and "Dana Reid &lt;GM&gt;" in shown
    assert not any(isinstance(w, widgets.Textarea) for w in walk(app.widget))  # read-only now

    button(app, "Start version 2").click()
    assert [c.number for c in stored(store)] == [1, 2]
    app.cards[0].standard.value = "Every idea gets a reply within 3 working days."
    app.cards[9].buttons[2].click()  # remove the last
    app.add_promise(BLANK)
    app.cards[9].text.value = "We text you when your room is ready, within 1 minute."
    app.compare(1, 2)
    diff = app.compare_result.value
    assert "1 added, 1 removed, 1 changed, 8 unchanged" in diff
    assert "<del>" in diff and "within 3 working days" in diff
    assert stored(store)[0].promises == approved.promises  # version 1 never changed
    app.compare(1, 99)
    assert "Please choose two versions" in app.compare_result.value


def test_reopening_after_approval_shows_the_approved_version(store: Store, framework: Framework) -> None:
    app = make_app(store, framework)
    complete(app)
    app.approve("Dana")
    again = make_app(store, framework)
    assert "Approved on " in texts(again.widget) and "Start version 2" in [
        w.description for w in walk(again.widget) if isinstance(w, widgets.Button)]


# --- export ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["md", "html", "pdf", "docx"])
def test_export_is_a_download_and_writes_nothing_on_the_server(store: Store, framework: Framework, db: str,
                                                               fmt: str) -> None:
    from workbook.charter.export import export_charter

    folder = Path(db).parent
    before = sorted(folder.iterdir())
    app = make_app(store, framework)
    app.export_format.value = fmt
    button(app, "Export").click()
    result = app.export_result.value
    link = re.search(r"href='data:([^;']+);base64,([^']+)'", result)
    expected = export_charter(store, "hv", fmt, number=1, framework=framework).data
    assert link is not None
    offered = base64.b64decode(link.group(2))
    if fmt == "docx":  # a zip: its members' times differ by the second, their contents must not
        assert _zip_members(offered) == _zip_members(expected)
    else:
        assert offered == expected
    assert f"download='charter-hv-v1-DRAFT.{fmt}'" in result
    assert "Exported version 1 (draft)" in result
    assert str(folder) not in result  # no server path on the client's screen
    assert sorted(folder.iterdir()) == before  # and no file left on the server's disk


def _zip_members(data: bytes) -> dict[str, bytes]:
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_export_can_include_the_latest_quarters_results(store: Store, framework: Framework) -> None:
    """The builder's checkbox does what ``charter export --with-results`` does; unticked, nothing changes."""
    from workbook.charter.export import export_charter

    later = store.responses.open_cycle("hv", "2099-Q1")
    store.measures.set("hv", later.id, "answered-20s", 93, framework=framework)
    app = make_app(store, framework)
    app.cards[0].measure.value = "answered-20s"
    app.cards[0].target_value.value = "95"
    assert [w for w in walk(app.widget) if isinstance(w, widgets.Checkbox)
            and w.description == "Include the latest quarter's results"] == [app.export_results]
    app.export_format.value = "md"

    def offered() -> str:
        button(app, "Export").click()
        link = re.search(r"href='data:([^;']+);base64,([^']+)'", app.export_result.value)
        assert link is not None
        return base64.b64decode(link.group(2)).decode("utf-8")

    plain = offered()
    assert plain == export_charter(store, "hv", "md", number=1, framework=framework).data.decode("utf-8")
    assert "not kept" not in plain and "with the latest results" not in app.export_result.value
    app.export_results.value = True
    with_results = offered()
    assert with_results == export_charter(store, "hv", "md", number=1, framework=framework,
                                          with_results=True).data.decode("utf-8")
    assert "93 %" in with_results and "not kept" in with_results and "2099-Q1" in with_results
    assert "with the latest results" in app.export_result.value
    # A value the page could never send (a widget's comm can carry anything) is not a yes.
    assert app.export("md", with_results="yes") is not None
    assert "with the latest results" not in app.export_result.value


def test_export_refuses_a_format_it_does_not_offer(store: Store, framework: Framework) -> None:
    app = make_app(store, framework)
    assert app.export("exe") is None
    assert "Please choose a format" in app.export_result.value


# --- the first page: brand promise and common purpose (#16 part 1) ---------------------------------
BRAND = "Fresh bread baked here every morning, and people behind the counter who know your name."
PURPOSE = "Everyone treats the morning counter as the most important hour, and we learn our regulars' names."


def test_a_new_draft_opens_on_the_first_page_with_prompts_and_examples(store: Store, framework: Framework) -> None:
    app = make_app(store, framework, promises_page=False)
    assert app.page == FOUNDATION
    shown = texts(app.widget)
    foundation = framework.charter_foundation
    assert foundation is not None
    assert foundation.brand_promise.question in shown and foundation.common_purpose.question in shown
    assert foundation.brand_promise.bad[0].text in shown  # weak examples are shown, with why
    assert foundation.brand_promise.bad[0].why in shown
    assert "Promise 1" not in shown  # the promises are the second page
    button(app, "Next: the promises").click()
    assert app.page == PROMISES and "Innovative is your lowest value: 2.8 of 5" in texts(app.widget)
    button(app, "1 · Brand promise and common purpose").click()
    assert app.page == FOUNDATION


def test_the_brand_promise_and_purpose_are_saved_as_typed_and_reopen_on_the_promises(
        store: Store, framework: Framework) -> None:
    app = make_app(store, framework, promises_page=False)
    app.brand_box.value = BRAND
    app.purpose_box.value = f"  {PURPOSE}\n\n<b>really</b>"
    [draft] = stored(store)
    assert draft.brand_promise == BRAND
    assert draft.common_purpose == f"{PURPOSE} <b>really</b>"  # one paragraph, kept as typed
    assert "Saved ✓" in app.foundation_status.value
    again = make_app(store, framework, promises_page=False)
    assert again.page == PROMISES  # written already: straight to the promises, with both shown on top
    shown = texts(again.widget)
    assert BRAND in shown and "&lt;b&gt;really&lt;/b&gt;" in shown and "<b>really</b>" not in shown


def test_too_long_a_brand_promise_is_refused_with_one_line(store: Store, framework: Framework) -> None:
    app = make_app(store, framework, promises_page=False)
    app.brand_box.value = "word " * 200
    assert "Not saved" in app.foundation_status.value and "600" in app.foundation_status.value
    assert stored(store)[0].brand_promise is None


def test_a_promise_unrelated_to_the_brand_promise_gets_a_prompt_not_a_block(store: Store,
                                                                            framework: Framework) -> None:
    app = make_app(store, framework, promises_page=False)
    app.brand_box.value = BRAND
    app.purpose_box.value = PURPOSE
    app.go_to(PROMISES)
    complete(app)
    app.cards[0].text.value = "We keep the car park clear of litter, checked twice a day."
    assert "Promise 1 has nothing in common with your brand promise" in app.cards[0].findings.value
    assert "Advice" in app.cards[0].findings.value
    assert "has nothing in common" not in app.cards[1].findings.value  # P07 training: "learn" is shared
    assert app.report is not None and "off_brand" not in {f.code for f in app.report.blocking}


def test_someone_else_saving_the_first_page_first_keeps_my_text_to_copy(store: Store,
                                                                       framework: Framework) -> None:
    mine = make_app(store, framework, promises_page=False)
    theirs = make_app(store, framework, promises_page=False)
    theirs.brand_box.value = "Their brand promise: fresh bread every morning."
    mine.brand_box.value = "My brand promise: people who know your name."
    assert stored(store)[0].brand_promise == "Their brand promise: fresh bread every morning."
    assert "someone else saved this charter first" in mine.alert.value
    assert "My brand promise: people who know your name." in mine.unsaved.value
    assert mine.brand_box.value == "Their brand promise: fresh bread every morning."


def test_a_new_version_copies_the_first_page_and_the_comparison_shows_its_changes(
        store: Store, framework: Framework) -> None:
    app = make_app(store, framework, promises_page=False)
    app.brand_box.value = BRAND
    app.purpose_box.value = PURPOSE
    app.go_to(PROMISES)
    complete(app)
    app.approver.value = "Dana Reid"
    assert app.approve("Dana Reid")
    assert BRAND in texts(app.widget)  # the approved version shows it on top
    button(app, "Start version 2").click()
    assert app.page == PROMISES and app.charter is not None and app.charter.brand_promise == BRAND
    app.go_to(FOUNDATION)
    app.brand_box.value = "Bread from our own ovens, and a welcome by name."
    app.compare(1, 2)
    diff = app.compare_result.value
    assert "brand promise changed" in diff and "Bread from our own ovens" in diff and BRAND in diff
    assert "common purpose changed" not in diff


# --- a measure and a target per promise (#14 part 3) ---------------------------------------------------
def test_a_promise_names_a_measure_from_the_catalogue_and_a_checked_target(store: Store,
                                                                          framework: Framework) -> None:
    app = make_app(store, framework)
    card = app.cards[0]
    labels = [label for label, _ in card.measure.options]
    assert labels[0] == "No measure yet" and "Calls answered within 20 seconds (%)" in labels
    assert len(labels) == len(framework.measures) + 1
    card.measure.value = "wait-time"
    assert "no target yet" in card.findings.value.lower() or "has no target yet" in card.findings.value
    card.target_value.value = "60"
    stored_promise = stored(store)[0].promises[0]
    assert (stored_promise.measure_id, stored_promise.target_op, stored_promise.target_value) == \
        ("wait-time", "<=", 60.0)  # "at most": lower waiting is better
    assert card.target_op.value == "<=" and "seconds" in card.target_unit.value
    card.target_value.value = "-3"
    assert "Not saved" in card.status.value and "out of range" in card.status.value
    assert stored(store)[0].promises[0].target_value == 60.0
    card.target_op.value = ">="
    assert "the wrong way round" in card.findings.value or "is that the way round" in card.findings.value
    card.measure.value = ""
    cleared = stored(store)[0].promises[0]
    assert (cleared.measure_id, cleared.target_op, cleared.target_value) == (None, None, None)


def test_the_builder_shows_each_measured_promise_kept_or_not_per_quarter(store: Store,
                                                                         framework: Framework) -> None:
    first = store.responses.cycles("hv")[0]
    later = store.responses.open_cycle("hv", "2099-Q1")
    store.measures.set("hv", first.id, "answered-20s", 97, framework=framework)
    store.measures.set("hv", later.id, "answered-20s", 93, framework=framework)
    app = make_app(store, framework)
    assert "Kept or not" in texts(app.widget)  # the starters P01, P08 and P10 come with targets
    app.cards[0].measure.value = "answered-20s"
    app.cards[0].target_value.value = "95"
    app.show_editor()
    shown = texts(app.widget)
    assert "Kept or not" in shown and "✓ 97 % kept" in shown and "✗ 93 % not kept" in shown
    assert "▼ wrong way" in shown and "2099-Q1" in shown


def test_starters_come_with_their_suggested_measure_and_target(store: Store, framework: Framework) -> None:
    from workbook.apps.charter import starter_record

    app = make_app(store, framework)
    by_starter = {p.starter_id: p for p in stored(store)[0].promises}
    assert (by_starter["P01"].measure_id, by_starter["P01"].target_op, by_starter["P01"].target_value) == \
        ("answered-20s", ">=", 95.0)
    assert by_starter["P02"].measure_id is None  # no measure in the catalogue fits an email reply time
    card = next(c for c in app.cards if c.text.value == framework.promise("P01").text)
    assert card.measure.value == "answered-20s" and card.target_value.value == "95"
    # A consultant's catalogue without that measure: the starter comes without it, not with a dangling id.
    trimmed = framework.model_copy(update={"measures": tuple(m for m in framework.measures
                                                             if m.id != "answered-20s")})
    bare = starter_record(framework.promise("P01"), trimmed)
    assert (bare.measure_id, bare.target_op, bare.target_value) == (None, None, None)

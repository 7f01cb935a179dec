"""Charter versions in the store, on SQLite and PostgreSQL (``db_url`` runs both)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import func, select

from workbook.charter import ApprovalRefusedError, Charters, PromiseRecord, charter_for_report
from workbook.errors import ConflictError, InputError, NotFoundError
from workbook.framework import Framework
from workbook.store import Store, open_store
from workbook.store.charter_tables import Charter, CharterPromise

TODAY = date(2026, 11, 24)
REVIEW = date(2027, 3, 31)


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    with open_store(db_url) as opened:
        opened.organisations.create("Harbour & Vine Hotels", "hv")
        yield opened


@pytest.fixture
def charters(store: Store) -> Charters:
    return Charters(store.transactions)


def starters(framework: Framework, owner: str | None = "Front-desk manager",
             review: date | None = REVIEW) -> list[PromiseRecord]:
    return [PromiseRecord(p.text, p.value, p.step, p.standard, owner, review, p.id) for p in framework.promises]


def test_a_first_draft_starts_from_the_promises_given(charters: Charters, framework: Framework) -> None:
    draft = charters.start_draft("hv", starters(framework, owner=None, review=None), framework=framework)
    assert (draft.number, draft.status, draft.version) == (1, "draft", 1)
    assert [p.starter_id for p in draft.promises] == [p.id for p in framework.promises]
    assert draft.promises[0].owner is None and draft.promises[0].review_date is None
    assert charters.get("hv", 1) == draft
    assert charters.latest("hv") == draft == charters.draft("hv")
    assert charters.latest_approved("hv") is None


def test_there_is_never_more_than_one_draft(charters: Charters, framework: Framework) -> None:
    first = charters.start_draft("hv", starters(framework), framework=framework)
    again = charters.start_draft("hv", [], framework=framework)
    assert again == first
    assert [c.number for c in charters.versions("hv")] == [1]


def test_saves_keep_order_and_count_changes(charters: Charters, framework: Framework) -> None:
    draft = charters.start_draft("hv", starters(framework), framework=framework)
    promises = list(draft.promises)
    promises.reverse()
    promises[0] = replace(promises[0], owner="  Ada   Lovelace ", review_date=date(2027, 6, 30))
    saved = charters.save_draft("hv", 1, draft.version, promises[:9], framework=framework)
    assert saved.version == draft.version + 1
    assert [p.starter_id for p in saved.promises] == [p.id for p in reversed(framework.promises)][:9]
    assert saved.promises[0].owner == "Ada Lovelace"
    assert saved.promises[0].review_date == date(2027, 6, 30)
    assert isinstance(saved.promises[0].review_date, date)
    assert charters.get("hv", 1) == saved
    assert saved.updated_at >= draft.updated_at


def test_a_save_from_a_stale_copy_is_refused_and_changes_nothing(charters: Charters,
                                                                 framework: Framework) -> None:
    draft = charters.start_draft("hv", starters(framework), framework=framework)
    mine = [replace(p, owner="Mine") for p in draft.promises]
    theirs = [replace(p, owner="Theirs") for p in draft.promises]
    charters.save_draft("hv", 1, draft.version, theirs, framework=framework)
    with pytest.raises(ConflictError, match="someone else changed version 1 of the charter"):
        charters.save_draft("hv", 1, draft.version, mine, framework=framework)
    assert {p.owner for p in charters.get("hv", 1).promises} == {"Theirs"}


def test_concurrent_saves_from_one_version_only_one_wins(db_url: str, framework: Framework) -> None:
    with open_store(db_url) as setup:
        setup.organisations.create("Race Ltd", "race")
        draft = Charters(setup.transactions).start_draft("race", starters(framework), framework=framework)
    outcomes: list[str] = []
    barrier = threading.Barrier(4)

    def save(owner: str) -> None:
        with open_store(db_url) as store:  # its own engine, as another kernel would have
            promises = [replace(p, owner=owner) for p in draft.promises]
            barrier.wait()
            try:
                Charters(store.transactions).save_draft("race", 1, draft.version, promises, framework=framework)
                outcomes.append(owner)
            except ConflictError:
                outcomes.append("refused")

    threads = [threading.Thread(target=save, args=(f"Kernel {i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(outcomes).count("refused") == 3, outcomes
    [winner] = [o for o in outcomes if o != "refused"]
    with open_store(db_url) as store:
        stored = Charters(store.transactions).get("race", 1)
    assert stored.version == draft.version + 1
    assert {p.owner for p in stored.promises} == {winner}


def test_approval_is_refused_while_a_check_blocks(charters: Charters, framework: Framework) -> None:
    draft = charters.start_draft("hv", starters(framework, owner=None), framework=framework)
    with pytest.raises(ApprovalRefusedError) as refused:
        charters.approve("hv", 1, draft.version, approved_by="Dana Reid", framework=framework, today=TODAY)
    assert "version 1 cannot be approved yet: 10 check(s) still fail" in str(refused.value)
    assert len(refused.value.problems) == 10
    assert "Promise 1 needs an owner" in refused.value.problems[0]
    assert charters.get("hv", 1) == draft  # nothing changed


def test_approval_is_refused_when_a_review_date_has_passed(charters: Charters, framework: Framework) -> None:
    draft = charters.start_draft("hv", starters(framework, review=date(2026, 11, 1)), framework=framework)
    with pytest.raises(ApprovalRefusedError, match="has passed"):
        charters.approve("hv", 1, draft.version, approved_by="Dana", framework=framework, today=TODAY)
    approved = charters.approve("hv", 1, draft.version, approved_by="Dana", framework=framework,
                                today=date(2026, 10, 1))
    assert approved.status == "approved"


def test_approve_then_edit_a_new_version_keeps_the_old_one(charters: Charters, framework: Framework) -> None:
    draft = charters.start_draft("hv", starters(framework), framework=framework)
    with pytest.raises(InputError, match="must not be empty"):
        charters.approve("hv", 1, draft.version, approved_by="  ", framework=framework, today=TODAY)
    approved = charters.approve("hv", 1, draft.version, approved_by="Dana Reid", framework=framework,
                                today=TODAY)
    assert (approved.status, approved.approved_by, approved.version) == ("approved", "Dana Reid", draft.version + 1)
    assert approved.approved_at is not None and approved.promises == draft.promises
    assert approved.label.startswith("version 1 (approved ")

    with pytest.raises(ConflictError, match="approved and can no longer change"):
        charters.save_draft("hv", 1, approved.version, [], framework=framework)
    with pytest.raises(ConflictError):
        charters.approve("hv", 1, approved.version, approved_by="Dana", framework=framework, today=TODAY)

    second = charters.start_draft("hv", [], framework=framework)  # a copy of version 1, not of []
    assert (second.number, second.status) == (2, "draft")
    assert second.promises == approved.promises
    edited = [replace(p, owner="New owner") for p in second.promises]
    charters.save_draft("hv", 2, second.version, edited, framework=framework)
    assert charters.get("hv", 1) == approved
    assert [c.number for c in charters.versions("hv")] == [1, 2]
    assert charters.latest_approved("hv") == approved
    assert charters.latest("hv").number == 2  # type: ignore[union-attr]


def test_charter_for_report_prefers_the_approved_version(store: Store, charters: Charters,
                                                         framework: Framework) -> None:
    assert charter_for_report(store, "hv") is None
    draft = charters.start_draft("hv", starters(framework), framework=framework)
    assert charter_for_report(store, "hv") == draft
    approved = charters.approve("hv", 1, draft.version, approved_by="Dana", framework=framework, today=TODAY)
    charters.start_draft("hv", framework=framework)
    assert charter_for_report(store, "hv") == approved
    with pytest.raises(NotFoundError, match="no organisation with the id 'nope'"):
        charter_for_report(store, "nope")


def test_unknown_versions_and_organisations(charters: Charters, framework: Framework) -> None:
    with pytest.raises(NotFoundError, match="no organisation with the id 'nope'"):
        charters.start_draft("nope", [], framework=framework)
    with pytest.raises(NotFoundError, match=r"has no charter version 1 \(versions: none yet\)"):
        charters.get("hv", 1)
    charters.start_draft("hv", starters(framework), framework=framework)
    with pytest.raises(NotFoundError, match=r"has no charter version 7 \(versions: 1\)"):
        charters.get("hv", 7)
    with pytest.raises(InputError, match="whole number"):
        charters.save_draft("hv", 1, "1", [], framework=framework)  # type: ignore[arg-type]


def test_bad_input_is_refused_before_anything_is_stored(charters: Charters, framework: Framework) -> None:
    draft = charters.start_draft("hv", starters(framework), framework=framework)
    bad = [replace(p, value_id="Z") if i == 3 else p for i, p in enumerate(draft.promises)]
    with pytest.raises(NotFoundError, match="promise 4: unknown value 'Z'"):
        charters.save_draft("hv", 1, draft.version, bad, framework=framework)
    assert charters.get("hv", 1) == draft


def test_discarding_a_draft_and_deleting_the_organisation(store: Store, charters: Charters,
                                                          framework: Framework) -> None:
    draft = charters.start_draft("hv", starters(framework), framework=framework)
    with pytest.raises(ConflictError):
        charters.discard_draft("hv", 1, draft.version + 5)
    charters.discard_draft("hv", 1, draft.version)
    assert charters.versions("hv") == []
    charters.start_draft("hv", starters(framework), framework=framework)
    store.organisations.delete("hv")
    with store.transactions.reading() as session:
        assert session.scalar(select(func.count()).select_from(Charter)) == 0
        assert session.scalar(select(func.count()).select_from(CharterPromise)) == 0


def test_two_kernels_opening_the_builder_at_once_share_one_draft(db_url: str, framework: Framework) -> None:
    with open_store(db_url) as setup:
        setup.organisations.create("Race Ltd", "race")
    numbers: list[int] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def open_builder() -> None:
        try:
            with open_store(db_url) as store:
                barrier.wait()
                numbers.append(Charters(store.transactions).start_draft("race", starters(framework),
                                                                        framework=framework).number)
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=open_builder) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == [] and numbers == [1, 1, 1, 1]
    with open_store(db_url) as store:
        assert [c.number for c in Charters(store.transactions).versions("race")] == [1]

"""Saving from the apps: a busy database is tried again; other refusals are not."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from workbook.apps import saving
from workbook.apps.saving import SAVE_TRIES, with_retries
from workbook.errors import ConflictError, StoreError
from workbook.framework import Framework
from workbook.people_csv import PersonRow
from workbook.store import Store, engine, open_store

#: The real ``time.sleep``: the fixture below replaces it (in the one ``time`` module) for the quick tests.
REAL_SLEEP = time.sleep


@pytest.fixture(autouse=True)
def no_pauses(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    pauses: list[float] = []
    monkeypatch.setattr(saving.time, "sleep", pauses.append)
    return pauses


def test_a_busy_database_is_tried_again_until_it_answers(no_pauses: list[float]) -> None:
    calls: list[int] = []

    def save() -> str:
        calls.append(1)
        if len(calls) < SAVE_TRIES:
            raise StoreError("database is locked")
        return "saved"

    assert with_retries(save, "test save") == "saved"
    assert len(calls) == SAVE_TRIES
    assert no_pauses == [0.25, 0.5]  # short, growing pauses


def test_after_the_last_try_the_store_error_reaches_the_app(caplog: pytest.LogCaptureFixture) -> None:
    calls: list[int] = []

    def save() -> None:
        calls.append(1)
        raise StoreError("database is locked")

    with pytest.raises(StoreError, match="locked"):
        with_retries(save, "test save")
    assert len(calls) == SAVE_TRIES
    assert f"test save failed (try {SAVE_TRIES}, giving up)" in caplog.text


def test_a_refusal_is_not_tried_again(no_pauses: list[float]) -> None:
    calls: list[int] = []

    def save() -> None:
        calls.append(1)
        raise ConflictError("someone else saved first")

    with pytest.raises(ConflictError):
        with_retries(save, "test save")
    assert calls == [1] and no_pauses == []


def _busy() -> StoreError:
    """What the store raises when SQLite stays locked past its busy timeout."""
    try:
        raise OperationalError("BEGIN IMMEDIATE", {}, sqlite3.OperationalError("database is locked"))
    except OperationalError as cause:
        try:
            raise StoreError("the database could not be used: database is locked") from cause
        except StoreError as error:
            return error


def test_a_locked_database_is_tried_for_as_long_as_the_patience_lasts(monkeypatch: pytest.MonkeyPatch,
                                                                       no_pauses: list[float]) -> None:
    clock = [0.0]
    monkeypatch.setattr(saving.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(saving.time, "sleep", lambda seconds: (no_pauses.append(seconds), clock.__setitem__(
        0, clock[0] + seconds)))
    calls: list[int] = []

    def save() -> str:
        calls.append(1)
        if clock[0] < 20:  # locked for 20 s: far past three tries
            raise _busy()
        return "saved"

    assert with_retries(save, "test save", patience=30) == "saved"
    assert len(calls) > SAVE_TRIES and max(no_pauses) <= saving.MAX_PAUSE_SECONDS
    calls.clear()
    clock[0] = -100.0  # locked for 120 s: past the patience, so the person is told
    with pytest.raises(StoreError, match="locked"):
        with_retries(save, "test save", patience=30)
    assert clock[0] == pytest.approx(-70.0, abs=0.01)


# --- many writers at once on one SQLite file (the kernels of a busy server) -------------------
def _people(url: str, count: int) -> tuple[list[int], int]:
    with open_store(url) as store:
        store.organisations.create("Busy Ltd", "busy", threshold=3)
        store.people.import_rows("busy", [PersonRow(f"Person {n}", f"p{n}@example.org", "staff", "Team")
                                          for n in range(count)])
        return [p.id for p in store.people.list("busy")], store.responses.cycle("busy").id


def _at_once(writers: int, work: Callable[[int], None]) -> list[BaseException]:
    """Run ``work(n)`` in ``writers`` threads started together; the exceptions they raised."""
    start, errors = threading.Barrier(writers), []

    def run(n: int) -> None:
        start.wait()
        try:
            work(n)
        except BaseException as error:  # collected for the assertion
            errors.append(error)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return errors


def test_many_writers_saving_at_once_lose_no_save(sqlite_url: str, framework: Framework,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Sixteen kernels' worth of writers, each with its own connection, every answer at once.

    SQLite's busy timeout is cut to 20 ms so that "database is locked" really
    happens here, as it does with fifty kernels and a 5 s timeout: every save
    must still succeed (three quick tries used to give up).
    """
    monkeypatch.setattr(saving.time, "sleep", REAL_SLEEP)  # real pauses: the writers must interleave
    monkeypatch.setattr(engine, "BUSY_TIMEOUT_MS", 20)
    people, cycle = _people(sqlite_url, 16)
    stores: list[Store] = [open_store(sqlite_url) for _ in people]
    statements = [s.id for s in framework.statements]

    def answer_everything(n: int) -> None:
        for statement in statements:
            with_retries(lambda s=statement: stores[n].responses.save_answer(
                people[n], cycle, s, 1 + n % 5, framework=framework, comment=f"writer {n}"), "saving")
        with_retries(lambda: stores[n].responses.submit(people[n], cycle, framework=framework), "submitting")

    try:
        errors = _at_once(len(people), answer_everything)
    finally:
        for store in stores:
            store.close()
    assert errors == []
    with open_store(sqlite_url) as store:
        for n, person in enumerate(people):
            answers = store.responses.answers(person, cycle)
            assert [(a.statement_id, a.rating, a.comment) for a in answers] == sorted(
                (s, 1 + n % 5, f"writer {n}") for s in statements)
            assert store.responses.submission(person, cycle).status == "submitted"


def test_a_save_waits_out_a_writer_that_holds_the_file(sqlite_url: str, framework: Framework,
                                                       monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Another process holds SQLite's write lock for 2 s (a report, a backup, a slow disk):
    the respondent's save waits for it instead of saying "Not saved"."""
    monkeypatch.setattr(saving.time, "sleep", REAL_SLEEP)
    monkeypatch.setattr(engine, "BUSY_TIMEOUT_MS", 100)
    people, cycle = _people(sqlite_url, 1)
    holder = sqlite3.connect(str(tmp_path / "workbook.db"), isolation_level=None, check_same_thread=False)
    held = threading.Event()

    def hold() -> None:
        holder.execute("BEGIN IMMEDIATE")
        held.set()
        time.sleep(2.0)
        holder.execute("COMMIT")

    thread = threading.Thread(target=hold)
    thread.start()
    held.wait(10)
    began = time.monotonic()
    with open_store(sqlite_url) as store:
        saved = with_retries(lambda: store.responses.save_answer(people[0], cycle, framework.statements[0].id, 4,
                                                                 framework=framework), "saving")
    thread.join()
    holder.close()
    assert saved.rating == 4
    assert time.monotonic() - began >= 1.5  # it did have to wait for the other writer

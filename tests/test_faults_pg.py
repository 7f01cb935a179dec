"""A database that goes away for a moment (PostgreSQL restarting) while people answer (issue #12 part 3).

Package level, so it takes seconds: saves keep going in a thread through the
apps' own ``with_retries`` while this thread restarts a throw-away PostgreSQL
(immediate mode, as a crash) twice; every save must end acknowledged and be in
the database.  And a page turn during such a blip waits like a save does
instead of leaving the respondent on an error with no way on.  The same fault
through the real server is ``tests/browser/test_faults_pg_page.py``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import ipywidgets as widgets
import pytest
from pgserver import PostgresNotInstalled, PostgresServer
from sqlalchemy.exc import OperationalError
from widget_tree import texts, walk

from workbook.apps.saving import with_retries
from workbook.apps.values import ValuesAssessment, open_assessment
from workbook.errors import StoreError
from workbook.framework import Framework
from workbook.people_csv import PersonRow
from workbook.store import Store, open_store

#: The tests' server trades durability for speed (``synchronous_commit=off`` loses the last
#: commits in a crash, by design); a crash test needs PostgreSQL's durable defaults back.
DURABLE = {"fsync": "on", "synchronous_commit": "on", "full_page_writes": "on"}


@pytest.fixture
def own_postgres(monkeypatch: pytest.MonkeyPatch) -> Iterator[PostgresServer]:
    """A durable server of this test's own: restarting the session's one would disturb other tests."""
    import pgserver

    monkeypatch.setattr(pgserver, "SERVER_SETTINGS", {**pgserver.SERVER_SETTINGS, **DURABLE})
    try:
        server = PostgresServer()
    except PostgresNotInstalled as error:
        pytest.skip(str(error))
    with server:
        yield server


@pytest.mark.postgres
def test_saves_ride_out_postgresql_restarts(own_postgres: PostgresServer, framework: Framework) -> None:
    url = own_postgres.create_database()
    with open_store(url) as store:
        store.organisations.create("Restarts", "pg", threshold=3)
        store.people.import_rows("pg", [PersonRow(f"P {n}", f"p{n}@example.org", "staff", "T") for n in range(3)])
        cycle = store.responses.cycle("pg").id
        people = [i.person.id for i in store.people.invites("pg")]
    statements = [s.id for s in framework.statements]
    acknowledged: dict[tuple[int, str], int] = {}
    failures: list[str] = []
    stop = threading.Event()

    def saver(person: int) -> None:  # one kernel's store
        with open_store(url) as own:
            turn = 0
            while not stop.is_set():
                statement, rating = statements[turn % len(statements)], 1 + turn % 5
                turn += 1
                try:
                    with_retries(lambda s=statement, r=rating: own.responses.save_answer(
                        person, cycle, s, r, framework=framework), "saving")
                except Exception as error:
                    failures.append(f"{type(error).__name__}: {error}")
                    continue
                acknowledged[(person, statement)] = rating
                time.sleep(0.02)

    threads = [threading.Thread(target=saver, args=(p,)) for p in people]
    for thread in threads:
        thread.start()
    down = []
    try:
        for _ in range(2):  # from this thread: the postmaster outlives only the thread that started it
            time.sleep(1.0)
            down.append(own_postgres.restart(down_seconds=1.0))
        time.sleep(1.0)
    finally:
        stop.set()
        for thread in threads:
            thread.join(60)
    assert failures == []
    assert len(down) == 2 and all(d >= 1.0 for d in down)
    with open_store(url) as store:
        stored = {(p, a.statement_id): a.rating for p in people for a in store.responses.answers(p, cycle)}
    wrong = {key: (rating, stored.get(key)) for key, rating in acknowledged.items() if stored.get(key) != rating}
    assert acknowledged and wrong == {}


# --- a page turn during a blip --------------------------------------------------------------
def _blip(store: Store, failures: int) -> list[int]:
    """The next ``failures`` submission reads fail as an unreachable database does; returns a counter."""
    calls = [0]
    real = store.responses.submission

    def flaky(person_id: int, cycle_id: int) -> object:
        calls[0] += 1
        if calls[0] <= failures:
            cause = OperationalError("SELECT", {}, Exception("connection refused"))
            raise StoreError("the database could not be used: connection refused") from cause
        return real(person_id, cycle_id)

    store.responses.submission = flaky  # type: ignore[method-assign]
    return calls


def test_a_page_turn_waits_out_a_database_blip(tmp_path: Path, framework: Framework) -> None:
    with open_store(str(tmp_path / "app.db")) as store:
        store.organisations.create("Blip", "blip", threshold=3)
        store.people.import_rows("blip", [PersonRow("Ben Staff", "ben@example.org", "staff", "Desk")])
        app = ValuesAssessment(store, framework, open_assessment(store, store.people.invite("blip",
                                                                                             "ben@example.org").token))
        calls = _blip(store, failures=2)
        start = [w for w in walk(app.body) if isinstance(w, widgets.Button) and w.description == "Start"]
        assert start, texts(app.body)[:300]
        start[0].click()
        assert calls[0] == 3, "read again after the blip"
        assert f"Page 1 of {len(framework.values)}" in texts(app.body)
        assert app.errors.widget.value == "", "no error banner"

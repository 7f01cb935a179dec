"""A full disk under SQLite: one clear line, nothing saved before lost, the file still sound (issue #12 part 3).

The message is checked with SQLite's own page limit (``PRAGMA max_page_count``
makes it answer SQLITE_FULL exactly as a full disk does), which needs no
mount; the real thing - a small tmpfs filled while answers are saved, then
freed - runs through ``benchmarks/faults_disk.py`` where this process may mount
one (root, or ``unshare -rm``), and is skipped with the reason otherwise.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import event

from workbook.apps.saving import SAVE_TRIES, with_retries
from workbook.errors import DiskFullError, StoreError
from workbook.framework import Framework
from workbook.people_csv import PersonRow
from workbook.store import Store, open_store

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import faults_disk


def _store_with_a_page_limit(url: str) -> tuple[Store, int, list[int]]:
    store = open_store(url)
    store.organisations.create("Full", "full", threshold=3)
    store.people.import_rows("full", [PersonRow(name=f"P {n}", email=f"p{n}@example.org", role="staff", team="A")
                                      for n in range(3)])
    cycle = store.responses.cycle("full").id
    ids = [i.person.id for i in store.people.invites("full")]
    with store.engine.connect() as connection:
        pages = int(connection.exec_driver_sql("PRAGMA page_count").scalar_one())

    @event.listens_for(store.engine, "connect")
    def _limit(dbapi_connection: object, _record: object) -> None:
        dbapi_connection.execute(f"PRAGMA max_page_count={pages + 2}")  # type: ignore[attr-defined]

    store.engine.dispose()  # the pooled connections open again, with the limit
    return store, cycle, ids


def _fill(store: Store, cycle: int, ids: list[int], framework: Framework) -> tuple[dict[tuple[int, str], int],
                                                                                   DiskFullError]:
    saved: dict[tuple[int, str], int] = {}
    for n, statement in enumerate(s.id for s in framework.statements):
        for person in ids:
            try:
                store.responses.save_answer(person, cycle, statement, 1 + n % 5, framework=framework,
                                            comment="A long comment. " * 110)
            except DiskFullError as error:
                return saved, error
            saved[(person, statement)] = 1 + n % 5
    raise AssertionError("the page limit was never reached")


def test_a_full_database_says_so_in_one_line_and_keeps_what_was_saved(sqlite_url: str, framework: Framework) -> None:
    store, cycle, ids = _store_with_a_page_limit(sqlite_url)
    saved, error = _fill(store, cycle, ids, framework)
    message = str(error)
    assert isinstance(error, StoreError)  # the apps' "Not saved" and the CLI's exit 2 still apply
    assert message.startswith("the disk holding the database ") and "workbook.db is full: free some space" in message
    assert "\n" not in message and "sqlite" not in message.lower()
    assert saved, "some answers were saved before it was full"
    store.close()
    with open_store(sqlite_url) as reopened:  # no page limit now: as after freeing space
        with reopened.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA integrity_check").scalar_one() == "ok"
        stored = {(a.statement_id, a.rating) for person in ids
                  for a in reopened.responses.answers(person, cycle)}
        assert {(statement, rating) for (_p, statement), rating in saved.items()} <= stored


def test_the_apps_do_not_wait_half_a_minute_for_a_full_disk(sqlite_url: str, framework: Framework) -> None:
    store, cycle, ids = _store_with_a_page_limit(sqlite_url)
    _fill(store, cycle, ids, framework)
    tries = 0

    def save() -> None:
        nonlocal tries
        tries += 1
        store.responses.save_answer(ids[0], cycle, framework.statements[-1].id, 3, framework=framework,
                                    comment="Another long comment. " * 80)

    began = time.monotonic()
    with pytest.raises(DiskFullError):
        with_retries(save, "saving on a full disk")
    assert tries == SAVE_TRIES and time.monotonic() - began < 5  # a busy database would be tried for 30 s
    store.close()


@pytest.mark.slow
def test_filling_a_real_small_disk_while_saving(tmp_path: Path) -> None:
    how = faults_disk.can_mount()
    if not how:
        pytest.skip("cannot mount a tmpfs here (not root, no user namespaces): benchmarks/faults_disk.py needs one")
    reply = subprocess.run([sys.executable, faults_disk.__file__, "--times", "1"], capture_output=True, text=True,
                           timeout=180)
    print(reply.stdout, reply.stderr)
    assert reply.returncode == 0
    last = reply.stdout.strip().splitlines()[-1]
    assert last.startswith("disk full: runs 1, acknowledged answers ")
    assert ", lost 0, integrity ok, failed runs 0" in last
    assert "command line said: workbook: error: the disk holding the database " in reply.stdout
    assert "Traceback" not in reply.stdout + reply.stderr

"""Fixtures for the organisation report tests.

* ``framework``      - the shipped framework (session).
* ``demo_db``        - session: a SQLite file with the demo organisation (25 people,
                       a small team of 3 that must be pooled).
* ``acme_store``     - module: a store with hand-made organisations whose results can be
                       worked out by hand (see :data:`ACME`), plus ``tiny`` (too few
                       answers), ``empty`` (nobody invited) and ``late`` (4 submitted with
                       threshold 3: only the first 3 count).
* ``report_folder``  - session: ``workbook report`` run once (2 workers, with PDF) over
                       the demo, an organisation with no answers and one that fails;
                       gives the CLI result and the folder.

Helpers (:func:`make_org`, :func:`cli_runner_invoke`, ...) are in ``report_helpers.py``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from report_helpers import (
    ACME,
    LEADER,
    STAFF,
    Member,
    ReportFolder,
    cli_runner_invoke,
    make_org,
    team_members,
)
from sqlalchemy import update

from workbook.framework import Framework
from workbook.store import Store, open_store
from workbook.store.tables import Person, Submission


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    from workbook.demo import seed_demo

    path = tmp_path_factory.mktemp("demo-db") / "workbook.db"
    with open_store(str(path)) as store:
        seed_demo(store)
    return str(path)


@pytest.fixture(scope="module")
def acme_store(tmp_path_factory: pytest.TempPathFactory, framework: Framework) -> Iterator[Store]:
    path = tmp_path_factory.mktemp("acme") / "workbook.db"
    with open_store(str(path)) as store:
        make_org(store, framework, "acme", ACME, name="Acme <Widgets> & Co")
        tiny = [Member("t0", "staff", "Only", STAFF), Member("t1", "leader", "Only", LEADER),
                *[Member(f"t{i}", "staff", "Only", None) for i in range(2, 5)]]
        make_org(store, framework, "tiny", tiny)
        make_org(store, framework, "empty", [])
        late = [Member(f"l{i}", "staff", "Only", STAFF, f"comment from l{i}") for i in range(4)]
        make_org(store, framework, "late", late)  # 4 submitted, threshold 3: the first 3 count
        yield store


@pytest.fixture(scope="session")
def report_folder(tmp_path_factory: pytest.TempPathFactory, framework: Framework) -> ReportFolder:
    """One real batch: demo (ok), ``quiet`` (people, no answers), ``broken`` (fails in the notebook).

    ``broken`` has a team called 'Other teams', the label reserved for pooled
    small teams, so the scoring refuses it with an InputError while the
    notebook runs: a genuine failure, not a mock.  The store refuses that name
    now, so it is written straight into the database, as an older workbook
    could have stored it.
    """
    from workbook.demo import seed_demo

    base = tmp_path_factory.mktemp("report-batch")
    db = str(base / "workbook.db")
    with open_store(db) as store:
        seed_demo(store)
        make_org(store, framework, "quiet", [Member(f"q{i}", "staff", "Team", None) for i in range(4)])
        make_org(store, framework, "broken", [
            *team_members("Pooled", ["leader", "staff", "staff"], "ot"),
            *team_members("Desk", ["leader", "staff"], "dk"),
            Member("extra", "leader", "Desk", LEADER)])
        with store.transactions.writing() as session:
            for table in (Person, Submission):
                session.execute(update(table).where(table.team == "Pooled").values(team="Other teams"))
    out = base / "out"
    result = cli_runner_invoke(["--db", db, "report", "--all", "--out", str(out), "--jobs", "2", "--pdf",
                                "--no-progress"], env={"WORKBOOK_DB": ""})
    return ReportFolder(out, db, result.exit_code, result.stdout, result.stderr)


@pytest.fixture(autouse=True)
def _no_stray_db(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test here may fall back to ./workbook.db by accident."""
    if os.environ.get("WORKBOOK_DB"):
        monkeypatch.delenv("WORKBOOK_DB")

"""Who has answered (issue #13, part 3): a status per person and cycle, and the commands that show it."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest
from click.testing import CliRunner, Result

from workbook.apps.values import build
from workbook.cli import cli
from workbook.errors import InputError, NotFoundError
from workbook.framework import Framework
from workbook.people_csv import PersonRow
from workbook.progress import SELECTIONS, STATUSES, select, statuses
from workbook.store import Store, open_store


@pytest.fixture
def db(db_url: str) -> str:
    """SQLite and PostgreSQL: the status query joins four tables."""
    return db_url


@pytest.fixture
def store(db: str) -> Iterator[Store]:
    with open_store(db) as opened:
        opened.organisations.create("Harbour & Vine", "hv")
        opened.people.import_rows("hv", [PersonRow(name, f"{name.lower()}@example.org", "staff", "Front")
                                         for name in ("Ann", "Bo", "Cy", "Di", "Ed")])
        yield opened


def run(db: str, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--db", db, *args], catch_exceptions=False)


def by_name(store: Store) -> dict[str, str]:
    return {s.person.name: s.status for s in statuses(store, "hv")}


def person_id(store: Store, name: str) -> int:
    return store.people.get("hv", f"{name.lower()}@example.org").id


def walk_everyone_to_a_different_step(store: Store, framework: Framework, db: str) -> None:
    """Ann not invited, Bo invited, Cy opened her link, Di answered one statement, Ed submitted."""
    cycle = store.responses.cycle("hv")
    ids = {name: person_id(store, name) for name in ("Bo", "Cy", "Di", "Ed")}
    store.progress.mark_invited("hv", ids.values(), cycle.id, "mail")
    build(store.people.invite("hv", "cy@example.org").token, db)  # the values page is made once
    store.responses.save_answer(ids["Di"], cycle.id, framework.statements[0].id, 4, framework=framework)
    for statement in framework.statements:
        store.responses.save_answer(ids["Ed"], cycle.id, statement.id, 3, framework=framework)
    store.responses.submit(ids["Ed"], cycle.id, framework=framework)


def test_each_person_has_the_furthest_step_they_reached(store: Store, framework: Framework, db: str) -> None:
    assert set(by_name(store).values()) == {"not-invited"}
    walk_everyone_to_a_different_step(store, framework, db)
    assert by_name(store) == {"Ann": "not-invited", "Bo": "invited", "Cy": "opened", "Di": "started",
                              "Ed": "submitted"}
    found = {s.person.name: s for s in statuses(store, "hv")}
    assert found["Bo"].invited_how == ("mail",) and found["Bo"].invited_at is not None
    assert found["Cy"].opened_at is not None and found["Cy"].last_answer_at is None
    assert found["Di"].last_answer_at is not None and found["Di"].submitted_at is None
    assert found["Ed"].submitted_at is not None


def test_not_started_and_not_submitted_select_exactly_as_defined(store: Store, framework: Framework,
                                                                  db: str) -> None:
    walk_everyone_to_a_different_step(store, framework, db)
    everyone = statuses(store, "hv")
    assert sorted(s.person.name for s in select(everyone, "not-started")) == ["Ann", "Bo", "Cy"]
    assert sorted(s.person.name for s in select(everyone, "not-submitted")) == ["Ann", "Bo", "Cy", "Di"]
    assert [s.person.name for s in select(everyone, "opened")] == ["Cy"]
    assert len(select(everyone, None)) == 5
    with pytest.raises(InputError, match="not-started"):
        select(everyone, "unstarted")
    assert SELECTIONS == ("not-started", "not-submitted") and "submitted" in STATUSES


def test_opening_is_written_once_and_never_again_on_later_pages(store: Store, framework: Framework,
                                                               db: str) -> None:
    cycle = store.responses.cycle("hv")
    ann = person_id(store, "Ann")
    assert store.progress.mark_opened(ann, cycle.id) is True
    first = store.progress.of_cycle("hv", cycle.id)[ann].opened_at
    assert store.progress.mark_opened(ann, cycle.id) is False
    build(store.people.invite("hv", "ann@example.org").token, db)
    assert store.progress.of_cycle("hv", cycle.id)[ann].opened_at == first
    # opening counts for the cycle it was opened in only
    store.responses.open_cycle("hv", "next")
    assert by_name(store)["Ann"] == "not-invited"


def test_invitations_keep_the_first_time_and_every_way(store: Store) -> None:
    cycle = store.responses.cycle("hv")
    bo = person_id(store, "Bo")
    store.progress.mark_invited("hv", [bo], cycle.id, "link")
    first = store.progress.of_cycle("hv", cycle.id)[bo]
    store.progress.mark_invited("hv", [bo], cycle.id, "card")
    store.progress.mark_invited("hv", [bo], cycle.id, "link")
    again = store.progress.of_cycle("hv", cycle.id)[bo]
    assert again.invited_how == ("card", "link")
    assert again.invited_at == first.invited_at and again.last_invited_at is not None
    assert again.last_invited_at >= first.invited_at  # type: ignore[operator]
    with pytest.raises(InputError, match="card, link, mail"):
        store.progress.mark_invited("hv", [bo], cycle.id, "pigeon")  # type: ignore[arg-type]


def test_marking_someone_of_another_organisation_is_refused_and_marks_nobody(store: Store) -> None:
    store.organisations.create("Other", "other")
    store.people.import_rows("other", [PersonRow("Zed", "zed@example.org", "staff", "X")])
    zed = store.people.get("other", "zed@example.org").id
    cycle = store.responses.cycle("hv")
    with pytest.raises(NotFoundError):
        store.progress.mark_invited("hv", [person_id(store, "Ann"), zed], cycle.id, "link")
    assert by_name(store)["Ann"] == "not-invited"
    with pytest.raises(NotFoundError):
        store.progress.mark_invited("hv", [zed], store.responses.cycle("other").id, "link")


def test_erasing_a_person_erases_their_progress(store: Store) -> None:
    cycle = store.responses.cycle("hv")
    store.progress.mark_invited("hv", [person_id(store, "Ann")], cycle.id, "link")
    store.people.delete("hv", "ann@example.org")
    assert "Ann" not in by_name(store)
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM cycle_progress").scalar() == 0


# --- the commands -------------------------------------------------------------------------
def test_people_list_shows_the_steps_and_filters_by_status(store: Store, framework: Framework, db: str) -> None:
    walk_everyone_to_a_different_step(store, framework, db)
    listed = run(db, "people", "list", "hv")
    assert listed.exit_code == 0
    header = listed.output.splitlines()[0].split()
    for column in ("STATUS", "INVITED", "OPENED", "LAST", "SUBMITTED"):
        assert column in header
    assert "(mail)" in listed.output
    only = run(db, "people", "list", "hv", "--status", "not-started")
    names = [line.split()[0] for line in only.output.splitlines()[1:]]
    assert names == ["Ann", "Bo", "Cy"]
    started = run(db, "people", "list", "hv", "--status", "started")
    assert [line.split()[0] for line in started.output.splitlines()[1:]] == ["Di"]
    bad = CliRunner().invoke(cli, ["--db", db, "people", "list", "hv", "--status", "lazy"])
    assert bad.exit_code == 2 and "not-started" in bad.output and "Traceback" not in bad.output


def test_invites_prints_the_status_and_marks_those_printed_as_invited_by_link(store: Store, db: str) -> None:
    out = run(db, "invites", "hv", "--csv")
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert [r["status"] for r in rows] == ["not-invited"] * 5
    assert set(by_name(store).values()) == {"invited"}
    again = run(db, "invites", "hv")
    assert all(line.endswith("\tinvited") for line in again.stdout.splitlines())
    assert {s.invited_how for s in statuses(store, "hv")} == {("link",)}


def test_invites_only_not_started_prints_nobody_who_has_answered(store: Store, framework: Framework,
                                                                  db: str) -> None:
    walk_everyone_to_a_different_step(store, framework, db)
    out = run(db, "invites", "hv", "--only", "not-started")
    assert [line.split()[0] for line in out.stdout.splitlines()] == ["Ann", "Bo", "Cy"]
    bad = CliRunner().invoke(cli, ["--db", db, "invites", "hv", "--only", "submitted"])
    assert bad.exit_code == 2 and "'not-started', 'not-submitted'" in bad.output

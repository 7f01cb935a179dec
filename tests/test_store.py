"""The store on SQLite and on a real PostgreSQL server (``db_url`` runs both)."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from workbook.errors import (
    AccessDeniedError,
    AlreadyExistsError,
    AlreadySubmittedError,
    InputError,
    NotFoundError,
    StoreError,
)
from workbook.framework import Framework, load_framework
from workbook.people_csv import PersonRow
from workbook.store import Store, open_store, quarter_label
from workbook.store.all_tables import Base
from workbook.store.tables import Answer, Cycle, Organisation, Person, Submission

ROWS = [
    PersonRow("Ada Leader", "ada@example.org", "leader", "Front Desk"),
    PersonRow("Ben Staff", "ben@example.org", "staff", "Front Desk"),
    PersonRow("Cy Staff", "cy@example.org", "staff", "Kitchen"),
]


@pytest.fixture
def store(db_url: str) -> Store:
    with open_store(db_url) as opened:
        yield opened


@pytest.fixture
def org(store: Store) -> str:
    record = store.organisations.create("Harbour & Vine Hotels", threshold=5)
    store.people.import_rows(record.id, ROWS)
    return record.id


def _count(store: Store, table: type[Base]) -> int:
    with store.transactions.reading() as session:
        return int(session.scalar(select(func.count()).select_from(table)) or 0)


def _answer_all(store: Store, framework: Framework, person_id: int, cycle_id: int, rating: int = 4) -> None:
    for statement in framework.statements:
        store.responses.save_answer(person_id, cycle_id, statement.id, rating, framework=framework)


# --- organisations -------------------------------------------------------------------
def test_create_derives_id_and_opens_this_quarters_cycle(store: Store) -> None:
    record = store.organisations.create("Harbour & Vine Hotels")
    assert record.id == "harbour-vine-hotels"
    assert record.anonymity_threshold == 5
    assert len(store.organisations.facilitator_key(record.id)) == 43
    assert store.organisations.get(record.id).name == "Harbour & Vine Hotels"
    assert store.responses.cycle(record.id).label == quarter_label(record.created_at.date())


@pytest.mark.parametrize(
    ("name", "slug", "threshold", "message"),
    [
        ("", None, 5, "organisation name must not be empty"),
        ("   ", None, 5, "organisation name must not be empty"),
        ("Acme", "Bad Slug!", 5, "must be 1-63 lower-case letters"),
        ("Acme", None, 1, "anonymity threshold must be a whole number from 3 to 50"),
        ("Acme", None, 500, "anonymity threshold must be a whole number from 3 to 50"),
        ("x" * 201, None, 5, "too long"),
        ("Line\nbreak", None, 5, "must be on one line"),
    ],
)
def test_create_refuses_bad_input(store: Store, name: str, slug: str | None, threshold: int, message: str) -> None:
    with pytest.raises(InputError, match=message):
        store.organisations.create(name, slug, threshold=threshold)
    assert store.organisations.list() == []


def test_duplicate_organisation_is_refused_and_keeps_the_first(store: Store) -> None:
    store.organisations.create("Acme", "acme")
    with pytest.raises(AlreadyExistsError, match="'acme' exists already"):
        store.organisations.create("Acme Two", "acme")
    assert [o.name for o in store.organisations.list()] == ["Acme"]


def test_unknown_organisation_names_the_list_command(store: Store) -> None:
    with pytest.raises(NotFoundError, match=r"no organisation with the id 'nope' \(see: workbook org list\)"):
        store.organisations.get("nope")


def test_threshold_can_be_changed_within_range(store: Store) -> None:
    store.organisations.create("Acme", "acme")
    assert store.organisations.set_threshold("acme", 8).anonymity_threshold == 8
    with pytest.raises(InputError):
        store.organisations.set_threshold("acme", 2)
    assert store.organisations.get("acme").anonymity_threshold == 8


def test_facilitator_key_opens_only_its_organisation(store: Store) -> None:
    store.organisations.create("One", "one")
    store.organisations.create("Two", "two")
    key = store.organisations.facilitator_key("one")
    assert store.organisations.by_facilitator_key(key).id == "one"
    for wrong in (None, "", "x" * 43, key[:-1], "' OR 1=1 --"):
        with pytest.raises(AccessDeniedError):
            store.organisations.by_facilitator_key(wrong)


# --- people ----------------------------------------------------------------------
def test_import_is_idempotent_and_keeps_tokens(store: Store, org: str) -> None:
    before = {i.person.email: i.token for i in store.people.invites(org)}
    assert len(before) == 3
    summary = store.people.import_rows(org, ROWS)
    assert (summary.added, summary.updated, summary.unchanged) == (0, 0, 3)
    assert {i.person.email: i.token for i in store.people.invites(org)} == before


def test_import_updates_a_changed_team_without_new_token(store: Store, org: str) -> None:
    token = store.people.invite(org, "cy@example.org").token
    moved = [*ROWS[:2], PersonRow("Cy Staff", "cy@example.org", "staff", "Restaurant")]
    summary = store.people.import_rows(org, moved)
    assert (summary.added, summary.updated, summary.unchanged) == (0, 1, 2)
    assert store.people.by_token(token).team == "Restaurant"
    assert store.people.invite(org, "cy@example.org").token == token


def test_tokens_are_unique_and_unguessable(store: Store, org: str) -> None:
    invites = store.people.invites(org)
    tokens = [i.token for i in invites]
    assert len(set(tokens)) == len(tokens)
    # 43 URL-safe base64 characters carry 258 bits; the issue asks for >= 128.
    assert all(len(t) == 43 for t in tokens)
    assert store.people.by_token(tokens[0]) == invites[0].person


@pytest.mark.parametrize("token", [None, "", "abc", "A" * 43, "../../etc/passwd", "' OR '1'='1", "é" * 43])
def test_wrong_token_is_refused_without_detail(store: Store, org: str, token: object) -> None:
    with pytest.raises(AccessDeniedError, match="invite link is not valid"):
        store.people.by_token(token)


def test_import_into_unknown_organisation_stores_nothing(store: Store) -> None:
    with pytest.raises(NotFoundError):
        store.people.import_rows("ghost", ROWS)
    assert _count(store, Person) == 0


# --- answers and submissions ------------------------------------------------------
def test_answers_are_saved_as_given_and_replaced(store: Store, org: str, framework: Framework) -> None:
    person = store.people.get(org, "ben@example.org")
    cycle = store.responses.cycle(org)
    first = framework.statements[0].id
    assert store.responses.submission(person.id, cycle.id).status == "not_started"
    store.responses.save_answer(person.id, cycle.id, first, 2, framework=framework, comment="  Busy  week ")
    store.responses.save_answer(person.id, cycle.id, first, 5, framework=framework)
    store.responses.save_answer(person.id, cycle.id, framework.statements[1].id, None, framework=framework)
    answers = {a.statement_id: a for a in store.responses.answers(person.id, cycle.id)}
    assert len(answers) == 2
    assert (answers[first].rating, answers[first].dont_know, answers[first].comment) == (5, False, None)
    dont_know = answers[framework.statements[1].id]
    assert (dont_know.rating, dont_know.dont_know) == (None, True)
    assert (dont_know.framework_id, dont_know.framework_version) == (framework.id, framework.version)
    assert store.responses.submission(person.id, cycle.id).status == "in_progress"


def test_several_answers_are_saved_together_or_not_at_all(store: Store, org: str, framework: Framework) -> None:
    person = store.people.get(org, "ben@example.org")
    cycle = store.responses.cycle(org)
    first, second, third = (s.id for s in framework.statements[:3])
    store.responses.save_answer(person.id, cycle.id, first, 1, framework=framework)
    with pytest.raises(InputError, match="whole number from 1 to 5"):
        store.responses.save_answers(person.id, cycle.id, [(second, 4, None), (third, 9, None)], framework=framework)
    assert [a.statement_id for a in store.responses.answers(person.id, cycle.id)] == [first]
    saved = store.responses.save_answers(person.id, cycle.id, [(first, 5, "  Busy  week "), (second, None, None)],
                                         framework=framework)
    assert [(a.statement_id, a.rating, a.dont_know, a.comment) for a in saved] == [
        (first, 5, False, "Busy week"), (second, None, True, None)]
    assert {a.statement_id: a.rating for a in store.responses.answers(person.id, cycle.id)} == {first: 5, second: None}


@pytest.mark.parametrize("rating", [0, 6, -1, 3.5, True, "4"])
def test_out_of_range_rating_is_refused(store: Store, org: str, framework: Framework, rating: object) -> None:
    person = store.people.get(org, "ben@example.org")
    cycle = store.responses.cycle(org)
    with pytest.raises(InputError, match="whole number from 1 to 5"):
        store.responses.save_answer(person.id, cycle.id, framework.statements[0].id, rating, framework=framework)  # type: ignore[arg-type]
    assert store.responses.answers(person.id, cycle.id) == []


def test_unknown_statement_is_refused(store: Store, org: str, framework: Framework) -> None:
    person = store.people.get(org, "ben@example.org")
    cycle = store.responses.cycle(org)
    with pytest.raises(NotFoundError):
        store.responses.save_answer(person.id, cycle.id, "Z9", 3, framework=framework)


def test_submit_needs_every_statement_then_is_final(store: Store, org: str, framework: Framework) -> None:
    person = store.people.get(org, "ada@example.org")
    cycle = store.responses.cycle(org)
    store.responses.save_answer(person.id, cycle.id, framework.statements[0].id, 4, framework=framework)
    with pytest.raises(InputError, match=rf"{len(framework.statements) - 1} statement\(s\) still need an answer"):
        store.responses.submit(person.id, cycle.id, framework=framework)
    _answer_all(store, framework, person.id, cycle.id)
    assert store.responses.submit(person.id, cycle.id, framework=framework).status == "submitted"
    with pytest.raises(AlreadySubmittedError, match="submitted already"):
        store.responses.submit(person.id, cycle.id, framework=framework)
    with pytest.raises(AlreadySubmittedError):
        store.responses.save_answer(person.id, cycle.id, framework.statements[0].id, 1, framework=framework)
    ratings = {a.rating for a in store.responses.answers(person.id, cycle.id)}
    assert ratings == {4}


def test_person_cannot_answer_another_organisations_cycle(store: Store, org: str, framework: Framework) -> None:
    other = store.organisations.create("Other", "other")
    person = store.people.get(org, "ben@example.org")
    foreign_cycle = store.responses.cycle(other.id)
    with pytest.raises(NotFoundError):
        store.responses.save_answer(person.id, foreign_cycle.id, framework.statements[0].id, 3, framework=framework)


def test_new_cycle_becomes_current_and_labels_are_checked(store: Store, org: str) -> None:
    store.responses.open_cycle(org, "2027-Q1")
    assert store.responses.cycle(org).label == "2027-Q1"
    with pytest.raises(AlreadyExistsError):
        store.responses.open_cycle(org, "2027-Q1")
    with pytest.raises(InputError, match="cycle label"):
        store.responses.open_cycle(org, "no spaces please")
    with pytest.raises(NotFoundError, match="no cycle called 'nope'"):
        store.responses.cycle(org, "nope")


def test_progress_counts_each_state(store: Store, org: str, framework: Framework) -> None:
    cycle = store.responses.cycle(org)
    ada, ben = store.people.get(org, "ada@example.org"), store.people.get(org, "ben@example.org")
    _answer_all(store, framework, ada.id, cycle.id)
    store.responses.submit(ada.id, cycle.id, framework=framework)
    store.responses.save_answer(ben.id, cycle.id, framework.statements[0].id, 3, framework=framework)
    assert store.responses.progress(org, cycle.id) == {
        "people": 3, "not_started": 1, "in_progress": 1, "submitted": 1,
    }
    rows = store.responses.rows(org, cycle.id)
    assert {(r.role, r.submitted) for r in rows} == {("leader", True), ("staff", False)}


# --- erasure ---------------------------------------------------------------------
def test_deleting_a_person_erases_their_answers_only(store: Store, org: str, framework: Framework) -> None:
    cycle = store.responses.cycle(org)
    ada, ben = store.people.get(org, "ada@example.org"), store.people.get(org, "ben@example.org")
    ada_token = store.people.invite(org, "ada@example.org").token
    _answer_all(store, framework, ada.id, cycle.id)
    _answer_all(store, framework, ben.id, cycle.id)
    store.responses.submit(ada.id, cycle.id, framework=framework)
    store.people.delete(org, "ADA@example.org ")
    with pytest.raises(AccessDeniedError):
        store.people.by_token(ada_token)
    assert _count(store, Answer) == len(framework.statements)
    assert _count(store, Submission) == 1
    with pytest.raises(NotFoundError, match="nobody with the email"):
        store.people.delete(org, "ada@example.org")


def test_deleting_an_organisation_removes_everything_of_it(store: Store, org: str, framework: Framework) -> None:
    other = store.organisations.create("Other", "other")
    store.people.import_rows(other.id, ROWS[:1])
    cycle = store.responses.cycle(org)
    ben = store.people.get(org, "ben@example.org")
    _answer_all(store, framework, ben.id, cycle.id)
    store.organisations.delete(org)
    assert [o.id for o in store.organisations.list()] == ["other"]
    counts = (_count(store, Person), _count(store, Answer), _count(store, Submission), _count(store, Cycle))
    assert counts == (1, 0, 0, 1)
    assert _count(store, Organisation) == 1


# --- schema ----------------------------------------------------------------------
def test_migrations_build_exactly_the_tables_the_code_expects(store: Store) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with store.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []


def test_head_revision_constant_matches_the_migrations() -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from workbook.store import schema

    config = Config()
    config.set_main_option("script_location", str(schema._MIGRATIONS))
    assert ScriptDirectory.from_config(config).get_current_head() == schema.HEAD_REVISION


def test_reopening_keeps_data(db_url: str) -> None:
    with open_store(db_url) as first:
        first.organisations.create("Acme", "acme")
    with open_store(db_url) as second:
        assert [o.id for o in second.organisations.list()] == ["acme"]


def test_database_from_a_newer_workbook_is_refused(db_url: str) -> None:
    with open_store(db_url) as store, store.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(StoreError, match="newer workbook"):
        open_store(db_url)


def test_sqlite_connections_use_wal_full_sync_and_foreign_keys(tmp_path: Path) -> None:
    with open_store(str(tmp_path / "w.db")) as store, store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000


def test_database_in_a_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"folder .* does not exist"):
        open_store(str(tmp_path / "no" / "such" / "w.db"))


def test_unsupported_url_is_a_clear_error() -> None:
    with pytest.raises(InputError, match="unsupported database 'mysql'"):
        open_store("mysql://root@localhost/x")


def _hammer(url: str, person_id: int, cycle_id: int, count: int) -> int:
    framework = load_framework()
    statements = [s.id for s in framework.statements]
    with open_store(url) as store:
        for i in range(count):
            store.responses.save_answer(
                person_id, cycle_id, statements[i % len(statements)], 1 + i % 5, framework=framework
            )
    return count


def test_two_processes_writing_at_once_lose_nothing(tmp_path: Path, framework: Framework) -> None:
    url = f"sqlite:///{tmp_path / 'busy.db'}"
    with open_store(url) as store:
        store.organisations.create("Busy", "busy")
        store.people.import_rows("busy", ROWS[:2])
        cycle = store.responses.cycle("busy").id
        ids = [p.id for p in store.people.list("busy")]
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(2) as pool:
        done = pool.starmap(_hammer, [(url, ids[0], cycle, 300), (url, ids[1], cycle, 300)])
    assert done == [300, 300]
    with open_store(url) as store:
        for person_id in ids:
            answers = store.responses.answers(person_id, cycle)
            assert len(answers) == len(framework.statements)


def test_an_older_database_is_upgraded_in_place_keeping_its_data(db_url: str, framework: Framework) -> None:
    """A database made by the first release (schema 0001) opens in this one with nothing lost."""
    from sqlalchemy import create_engine

    from workbook.store import schema
    from workbook.store.engine import make_engine

    engine = make_engine(db_url) if db_url.startswith("sqlite") else create_engine(db_url)
    with engine.begin() as connection:
        schema.upgrade(connection, "0001")
        connection.execute(text(
            "INSERT INTO organisations (id, name, anonymity_threshold, facilitator_key, created_at) "
            "VALUES ('old', 'Old Org', 5, :key, CURRENT_TIMESTAMP)"), {"key": "k" * 43})
        connection.execute(text(
            "INSERT INTO cycles (organisation_id, label, created_at) VALUES ('old', '2026-Q1', CURRENT_TIMESTAMP)"))
        connection.execute(text(
            "INSERT INTO people (organisation_id, name, email, role, team, token, created_at) "
            "VALUES ('old', 'Ada', 'ada@example.org', 'leader', 'T', :token, CURRENT_TIMESTAMP)"),
            {"token": "t" * 43})
        assert schema.current_revision(connection) == "0001"
    engine.dispose()
    with open_store(db_url) as store, store.engine.connect() as connection:
        assert schema.current_revision(connection) == schema.HEAD_REVISION != "0001"
        assert store.people.by_token("t" * 43).email == "ada@example.org"
        assert store.responses.cycle("old").label == "2026-Q1"
        person = store.people.by_token("t" * 43)
        store.responses.save_answer(person.id, store.responses.cycle("old").id, framework.statements[0].id, 3,
                                    framework=framework)


def test_threshold_is_fixed_once_someone_has_submitted_in_any_cycle(store: Store, org: str,
                                                                     framework: Framework) -> None:
    """Opening a new cycle does not free it: the old cycle's batches are still shown (charter, old reports)."""
    from workbook.errors import ConflictError

    assert store.organisations.set_threshold(org, 6).anonymity_threshold == 6  # nobody has submitted yet
    assert store.organisations.set_threshold(org, 5).anonymity_threshold == 5
    ada = store.people.get(org, "ada@example.org")
    cycle = store.responses.cycle(org)
    _answer_all(store, framework, ada.id, cycle.id)
    store.responses.submit(ada.id, cycle.id, framework=framework)
    with pytest.raises(ConflictError, match="is 5 for good"):
        store.organisations.set_threshold(org, 3)
    assert store.organisations.get(org).anonymity_threshold == 5
    store.responses.open_cycle(org, "2027-Q1")
    for higher_or_lower in (3, 8):
        with pytest.raises(ConflictError, match=r"report --threshold"):
            store.organisations.set_threshold(org, higher_or_lower)
    assert store.organisations.get(org).anonymity_threshold == 5
    assert store.organisations.set_threshold(org, 5).anonymity_threshold == 5  # the same one: nothing moves

"""A copy of the database opens nobody's link (issue #11, part 6), on SQLite and PostgreSQL.

Tokens are stored as a hash plus a copy sealed with a key kept outside the
database; databases from before (schema 0004, plain tokens) upgrade in place
and every link already sent keeps working.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, inspect, text

from workbook.cli import cli
from workbook.errors import AccessDeniedError, SecretKeyError, StoreError
from workbook.people_csv import PersonRow
from workbook.sealing import KEY_FILE_ENV, KeySource, Sealer
from workbook.store import Store, open_store, schema
from workbook.store.engine import make_engine
from workbook.tokens import hash_token, new_token

ROWS = [
    PersonRow("Ada Leader", "ada@example.org", "leader", "Front Desk"),
    PersonRow("Ben Staff", "ben@example.org", "staff", "Front Desk"),
    PersonRow("Cy Staff", "cy@example.org", "staff", "Kitchen"),
]


def sealer_at(path: Path) -> Sealer:
    return Sealer(KeySource(path=path))


@pytest.fixture
def key(tmp_path: Path) -> Path:
    return tmp_path / "keys" / "secret.key"


@pytest.fixture
def store(db_url: str, key: Path) -> Iterator[Store]:
    with open_store(db_url, sealer=sealer_at(key)) as opened:
        yield opened


def every_stored_value(db_url: str) -> list[object]:
    """Every value of every column of every table, read with plain SQL (as a thief would)."""
    engine = create_engine(db_url)
    values: list[object] = []
    with engine.connect() as connection:
        for table in inspect(connection).get_table_names():
            for row in connection.execute(text(f'SELECT * FROM "{table}"')):
                values.extend(row)
    engine.dispose()
    return values


def issue_links(store: Store) -> set[str]:
    """Links of every kind, including replaced ones; returns every token ever issued."""
    store.organisations.create("Harbour & Vine", "hv")
    store.people.import_rows("hv", ROWS)
    issued = {i.token for i in store.people.invites("hv")} | {store.organisations.facilitator_key("hv")}
    issued.add(store.people.new_token("hv", "ben@example.org").token)
    store.organisations.new_facilitator_key("hv")
    issued.add(store.organisations.facilitator_key("hv"))
    return issued


# --- the database alone ----------------------------------------------------------------
def test_a_copy_of_the_database_cannot_produce_a_working_link(db_url: str, store: Store, tmp_path: Path) -> None:
    issued = issue_links(store)
    current = {i.token for i in store.people.invites("hv")} | {store.organisations.facilitator_key("hv")}
    assert len(issued) == 6 and current <= issued
    if db_url.startswith("sqlite"):
        store.close()
        source = Path(db_url.removeprefix("sqlite:///"))
        copy = tmp_path / "stolen.db"
        shutil.copy(source, copy)
        for suffix in ("-wal", "-shm"):
            if Path(f"{source}{suffix}").exists():
                shutil.copy(f"{source}{suffix}", f"{copy}{suffix}")
        read_from = f"sqlite:///{copy}"
    else:
        read_from = db_url  # what pg_dump would write: every row of every table
    stored = [v for v in every_stored_value(read_from) if isinstance(v, str)]
    assert {hash_token(t) for t in current} <= set(stored)  # the link columns were read
    for value in stored:
        assert value not in issued
        assert not any(token in value for token in issued)
        with pytest.raises(AccessDeniedError):
            store.people.by_token(value)
        with pytest.raises(AccessDeniedError):
            store.organisations.by_facilitator_key(value)
    # The current links do open, so the refusals above are not a broken lookup.
    for token in current:
        try:
            store.people.by_token(token)
        except AccessDeniedError:
            assert store.organisations.by_facilitator_key(token).id == "hv"
    # With the copy but another key, no link can be printed either.
    sealer_at(tmp_path / "thief.key").new_key_file()
    with open_store(read_from, sealer=sealer_at(tmp_path / "thief.key")) as thief:
        with pytest.raises(SecretKeyError, match="not the one"):
            thief.people.invites("hv")
        with pytest.raises(SecretKeyError, match="not the one"):
            thief.organisations.facilitator_key("hv")


def test_the_sqlite_file_holds_no_token_even_in_its_raw_bytes(sqlite_url: str, key: Path) -> None:
    with open_store(sqlite_url, sealer=sealer_at(key)) as store:
        issued = issue_links(store)
        store.people.delete("hv", "cy@example.org")
    path = Path(sqlite_url.removeprefix("sqlite:///"))
    raw = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    assert b"ada@example.org" in raw  # the scan does see stored text
    assert not [t for t in issued if t.encode() in raw]


def test_lookups_find_by_hash_and_the_columns_hold_hashes(store: Store, db_url: str) -> None:
    store.organisations.create("Acme", "acme")
    store.people.import_rows("acme", ROWS[:1])
    token = store.people.invite("acme", "ada@example.org").token
    assert store.people.by_token(token).email == "ada@example.org"
    engine = create_engine(db_url)
    with engine.connect() as connection:
        stored_hash, sealed = connection.execute(text("SELECT token_hash, token_sealed FROM people")).one()
        columns = {c["name"] for c in inspect(connection).get_columns("people")}
    engine.dispose()
    assert stored_hash == hash_token(token) and len(stored_hash) == 64
    assert sealed and token not in sealed
    assert "token" not in columns and {"token_hash", "token_sealed"} <= columns


def test_a_sealed_value_moved_to_another_row_is_refused(store: Store, db_url: str) -> None:
    store.organisations.create("Acme", "acme")
    store.people.import_rows("acme", ROWS[:2])
    engine = create_engine(db_url)
    with engine.begin() as connection:
        connection.execute(text(
            "UPDATE people SET token_sealed = (SELECT token_sealed FROM people WHERE email = 'ben@example.org') "
            "WHERE email = 'ada@example.org'"))
    engine.dispose()
    with pytest.raises(StoreError, match="does not belong to its row"):
        store.people.invite("acme", "ada@example.org")


def test_no_new_key_is_invented_for_a_database_whose_key_is_elsewhere(store: Store, tmp_path: Path,
                                                                         db_url: str) -> None:
    store.organisations.create("Acme", "acme")
    store.people.import_rows("acme", ROWS[:1])
    elsewhere = tmp_path / "new-machine" / "secret.key"
    with open_store(db_url, sealer=sealer_at(elsewhere)) as moved:
        with pytest.raises(SecretKeyError, match=r"no secret key at .*new-machine.*workbook key new"):
            moved.people.import_rows("acme", ROWS)
        assert not elsewhere.exists()
        assert moved.people.by_token(store.people.invite("acme", "ada@example.org").token).name == "Ada Leader"
        # `workbook key new`, on purpose, lets new links be made (the old ones still open, unprinted).
        sealer_at(elsewhere).new_key_file()
    with open_store(db_url, sealer=sealer_at(elsewhere)) as moved:
        assert moved.people.import_rows("acme", ROWS).added == 2
        with pytest.raises(SecretKeyError, match=r"1 of the 3 invite links of acme cannot be printed again"):
            moved.people.invites("acme")
        moved.people.new_token("acme", "ada@example.org")
        assert len(moved.people.invites("acme")) == 3


# --- upgrading a database with plain tokens (schema 0004) ---------------------------
def make_0004_database(db_url: str, crowd: int = 0) -> dict[str, str]:
    """A database as the previous release left it: plain tokens, an answer; returns the tokens.

    ``crowd`` more people fill several pages; on SQLite everything is then
    checkpointed into the file, as after days of use.
    """
    tokens = {"ada": new_token(), "ben": new_token(), "key": new_token()}
    tokens |= {f"p{number}": new_token() for number in range(crowd)}
    engine = make_engine(db_url) if db_url.startswith("sqlite") else create_engine(db_url)
    with engine.begin() as connection:
        schema.upgrade(connection, "0004")
        connection.execute(text(
            "INSERT INTO organisations (id, name, anonymity_threshold, facilitator_key, created_at) "
            "VALUES ('old', 'Old Org', 5, :key, CURRENT_TIMESTAMP)"), {"key": tokens["key"]})
        connection.execute(text(
            "INSERT INTO cycles (organisation_id, label, created_at) VALUES ('old', '2026-Q3', CURRENT_TIMESTAMP)"))
        for name in (n for n in tokens if n != "key"):
            connection.execute(text(
                "INSERT INTO people (organisation_id, name, email, role, team, token, created_at) "
                "VALUES ('old', :name, :email, 'staff', 'T', :token, CURRENT_TIMESTAMP)"),
                {"name": name.title(), "email": f"{name}@example.org", "token": tokens[name]})
        connection.execute(text(
            "INSERT INTO answers (person_id, cycle_id, statement_id, rating, dont_know, framework_id, "
            "framework_version, created_at, updated_at) SELECT id, 1, 'A1', 4, false, 'dime', '1', "
            "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP FROM people WHERE email = 'ada@example.org'"))
        assert schema.current_revision(connection) == "0004"
    if db_url.startswith("sqlite"):
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return tokens


def test_an_0004_database_upgrades_in_place_and_old_links_keep_working(db_url: str, key: Path) -> None:
    tokens = make_0004_database(db_url, crowd=300)
    assert not key.exists()
    with open_store(db_url, sealer=sealer_at(key)) as store:  # e.g. the first kernel after the upgrade
        with store.engine.connect() as connection:
            assert schema.current_revision(connection) == schema.HEAD_REVISION
        assert key.exists()  # made as on any first use, so the links can be printed again
        assert store.people.by_token(tokens["ada"]).email == "ada@example.org"
        assert store.people.by_token(tokens["ben"]).email == "ben@example.org"
        assert store.organisations.by_facilitator_key(tokens["key"]).id == "old"
        assert {i.person.email: i.token for i in store.people.invites("old")} == {
            f"{name}@example.org": token for name, token in tokens.items() if name != "key"}
        assert store.organisations.facilitator_key("old") == tokens["key"]
        ada = store.people.by_token(tokens["ada"])
        assert [a.rating for a in store.responses.answers(ada.id, store.responses.cycle("old").id)] == [4]
        if db_url.startswith("sqlite"):  # a copy taken while the database is in use: file, WAL and all
            path = Path(db_url.removeprefix("sqlite:///"))
            raw = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
            assert b"ada@example.org" in raw
            assert not [name for name, t in tokens.items() if t.encode() in raw]
    stored = [v for v in every_stored_value(db_url) if isinstance(v, str)]
    assert not [v for v in stored if any(t in v for t in tokens.values())]


def test_an_0004_database_upgraded_where_no_key_can_be_used_keeps_working_links(db_url: str,
                                                                                  tmp_path: Path) -> None:
    tokens = make_0004_database(db_url)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    with open_store(db_url, sealer=sealer_at(blocker / "secret.key")) as store:
        assert store.people.by_token(tokens["ada"]).email == "ada@example.org"
        assert store.organisations.by_facilitator_key(tokens["key"]).id == "old"
    assert not [v for v in every_stored_value(db_url) if isinstance(v, str) and v in tokens.values()]
    key = tmp_path / "secret.key"
    with open_store(db_url, sealer=sealer_at(key)) as store:
        with pytest.raises(SecretKeyError, match=r"2 of the 2 invite links of old cannot be printed again \(2 kept "
                                                 r"only as a hash.*they still work.*workbook people new-link old"):
            store.people.invites("old")
        with pytest.raises(SecretKeyError, match="workbook org new-key old"):
            store.organisations.facilitator_key("old")
        renewed = store.people.new_token("old", "ada@example.org").token
        with pytest.raises(SecretKeyError, match=r"1 of the 2 invite links"):
            store.people.invites("old")
        store.people.new_token("old", "ben@example.org")
        assert store.people.invites("old")[0].token == renewed
        store.organisations.new_facilitator_key("old")
        assert store.organisations.facilitator_key("old") != tokens["key"]


def test_an_upgrade_with_a_key_set_up_wrongly_stops_and_changes_nothing(db_url: str, tmp_path: Path) -> None:
    """A fixable key mistake must not throw the printable links away: the upgrade waits for the fix."""
    tokens = make_0004_database(db_url)
    key = tmp_path / "secret.key"
    sealer_at(key).seal("makes the key file")
    key.chmod(0o644)  # readable by others: refused, as on any use
    with pytest.raises(SecretKeyError, match=r"^the database was not upgraded \(nothing changed\): .*chmod 600"):
        open_store(db_url, sealer=sealer_at(key))
    engine = make_engine(db_url)
    with engine.connect() as connection:
        assert schema.current_revision(connection) == "0004"
        assert connection.execute(text("SELECT token FROM people WHERE email = 'ada@example.org'")).scalar() \
            == tokens["ada"]
    engine.dispose()
    key.chmod(0o600)
    with open_store(db_url, sealer=sealer_at(key)) as store:
        assert {i.person.email: i.token for i in store.people.invites("old")} == {
            f"{name}@example.org": token for name, token in tokens.items() if name != "key"}


# --- the command line ------------------------------------------------------------------
def run(db: str, key: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["--db", db, *args], env={KEY_FILE_ENV: str(key)})
    return result.exit_code, result.stdout, result.stderr


def test_invites_prints_the_same_links_again_and_tells_to_back_up_a_new_key(tmp_path: Path, key: Path) -> None:
    db = str(tmp_path / "cli.db")
    code, _, err = run(db, key, "org", "create", "Acme", "--id", "acme")
    assert code == 0 and f"made a new secret key in {key}; back it up" in err
    people = tmp_path / "p.csv"
    people.write_text("name,email,role,team\nAda,ada@example.org,leader,T\nBen,ben@example.org,staff,T\n")
    assert run(db, key, "people", "import", "acme", str(people))[0] == 0
    first, second = run(db, key, "invites", "acme"), run(db, key, "invites", "acme")
    assert first == second and first[0] == 0 and first[1].count("?token=") == 2
    assert run(db, key, "invites", "acme", "--facilitator")[1].count("?key=") == 2
    assert f"The secret key is in {key}" in run(db, key, "key", "where")[1]


def test_cli_errors_about_links_are_one_line_and_never_show_a_token(tmp_path: Path, key: Path) -> None:
    db = str(tmp_path / "cli.db")
    with open_store(db, sealer=sealer_at(key)) as store:
        issued = issue_links(store)
    bad = new_token()
    secret = key.read_text()
    other_key = tmp_path / "other.key"
    sealer_at(other_key).seal("makes the other key file")
    attempts = [
        (key, ("invites", bad)),
        (key, ("invites", bad, "--facilitator")),
        (key, ("people", "new-link", "hv", bad)),
        (key, ("people", "new-link", bad, "ada@example.org")),
        (key, ("people", "delete", "hv", bad, "--yes")),
        (key, ("org", "new-key", bad)),
        (key, ("org", "delete", bad, "--yes")),
        (key, ("invites", "hv", "--base-url", f"ftp://x/?token={bad}")),
        *[(key, ("people", "new-link", "hv", token)) for token in issued],
        *[(key, ("invites", token)) for token in issued],
        (tmp_path / "missing" / "secret.key", ("invites", "hv")),
        (tmp_path / "missing" / "secret.key", ("invites", "hv", "--facilitator")),
        (other_key, ("invites", "hv", "--csv")),
        (other_key, ("invites", "hv", "--facilitator")),
    ]
    for key_file, args in attempts:
        code, out, err = run(db, key_file, *args)
        assert code == 2, (args, out, err)
        # a token read as an option is a usage error: one line too, with the token hidden
        assert err.startswith("workbook: error: ") and err.count("\n") == 1, err
        assert "Traceback" not in err and out == ""
        assert bad not in err and not [t for t in issued if t in err], err
        assert not [line for line in secret.splitlines() if not line.startswith("#") and line in err]
    for dashed in ("--" + bad[2:], "-" + bad[1:]):
        code, _, err = run(db, key, "people", "new-link", "hv", dashed)
        assert code == 2 and err.startswith("workbook: error: ") and dashed not in err and dashed[2:] not in err
    assert "no secret key at" in run(db, tmp_path / "missing" / "secret.key", "invites", "hv")[2]
    assert not (tmp_path / "missing").exists()
    assert "not the one this database's links were sealed with" in run(db, other_key, "invites", "hv")[2]


def test_new_links_for_everyone_after_an_upgrade_without_a_key(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'old.db'}"
    tokens = make_0004_database(db)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    assert run(db, blocker / "secret.key", "org", "list")[0] == 0  # upgraded, hashes only
    key = tmp_path / "secret.key"
    code, _, err = run(db, key, "invites", "old")
    assert code == 2 and "workbook people new-link old --all" in err
    refused = CliRunner().invoke(cli, ["--db", db, "people", "new-link", "old", "--all"], input="n\n",
                                 env={KEY_FILE_ENV: str(key)})
    assert refused.exit_code == 1 and "Every link sent so far stops working" in refused.output
    assert run(db, key, "people", "new-link", "old")[0] == 2  # neither EMAIL nor --all
    code, out, _ = run(db, key, "people", "new-link", "old", "--all", "--yes")
    assert code == 0 and out.count("?token=") == 2
    assert run(db, key, "invites", "old")[1] == out.split("\n", 1)[1]  # printable again, the same links
    with open_store(db, sealer=sealer_at(key)) as store:
        for name in ("ada", "ben"):
            with pytest.raises(AccessDeniedError):
                store.people.by_token(tokens[name])

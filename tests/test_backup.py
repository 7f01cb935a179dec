"""``workbook backup``: a consistent SQLite copy, even mid-write, and a restore that works.

The restore is done exactly as docs/deploy.md says (stop, move the database
and its -wal and -shm files aside, copy the backup in), then the workbook
reads it: same rows in every table, same links printed.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from workbook.cli import cli
from workbook.framework import Framework
from workbook.store.schema import HEAD_REVISION

PEOPLE = """name,email,role,team
Ada Leader,ada@example.org,leader,Front Desk
Ben Staff,ben@example.org,staff,Front Desk
Cy Staff,cy@example.org,staff,Kitchen
"""


def run(db: str | Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--db", str(db), *args], catch_exceptions=False)


def rows_of(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, in a fixed order: what "the data is equal" means."""
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        tables = [name for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        return {table: sorted(connection.execute(f'SELECT * FROM "{table}"').fetchall(), key=repr)
                for table in tables}
    finally:
        connection.close()


@pytest.fixture
def database(tmp_path: Path, framework: Framework) -> Path:
    """An organisation with people, answers and one submission."""
    from workbook.store import open_store

    path = tmp_path / "live" / "workbook.db"
    path.parent.mkdir()
    people = tmp_path / "people.csv"
    people.write_text(PEOPLE, encoding="utf-8")
    assert run(path, "org", "create", "Acme Hotels", "--id", "acme", "--threshold", "3").exit_code == 0
    assert run(path, "people", "import", "acme", str(people)).exit_code == 0
    with open_store(f"sqlite:///{path}") as store:
        cycle = store.responses.cycle("acme").id
        ada = store.people.get("acme", "ada@example.org")
        for statement in framework.statements:
            store.responses.save_answer(ada.id, cycle, statement.id, 3, framework=framework)
        store.responses.submit(ada.id, cycle, framework=framework)
        ben = store.people.get("acme", "ben@example.org")
        store.responses.save_answer(ben.id, cycle, framework.statements[0].id, 1, framework=framework)
    return path


def _links(output: str) -> list[str]:
    return re.findall(r"https?://\S+\?token=\S+", output)


def restore(backup: Path, database: Path, aside: Path) -> None:
    """docs/deploy.md, "Restore": with nothing running, move the database aside, copy the backup in."""
    aside.mkdir()
    for suffix in ("", "-wal", "-shm"):
        old = database.with_name(database.name + suffix)
        if old.exists():
            shutil.move(old, aside / old.name)
    shutil.copy2(backup, database)


def test_backup_then_restore_gives_the_same_data_and_links(database: Path, tmp_path: Path) -> None:
    links = run(database, "invites", "acme")
    assert links.exit_code == 0, links.output
    before = rows_of(database)
    backup = tmp_path / "backups" / "acme.db"
    backup.parent.mkdir()

    done = run(database, "backup", str(backup))

    assert done.exit_code == 0, done.output
    assert f"to {backup}" in done.output and f"schema {HEAD_REVISION}" in done.output
    assert "secret key is not in the backup" in done.output
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600  # names, emails and answers
    assert not backup.with_name("acme.db-wal").exists()  # one self-contained file
    assert sorted(p.name for p in backup.parent.iterdir()) == ["acme.db"]  # no partial file left
    assert rows_of(backup) == before

    # The backup opens as a database on its own ...
    listed = run(backup, "org", "list")
    assert listed.exit_code == 0 and "acme" in listed.output

    # ... and restored in place of a database that was damaged since.
    assert run(database, "people", "delete", "acme", "ben@example.org", "--yes").exit_code == 0
    assert rows_of(database) != before
    restore(backup, database, tmp_path / "aside")
    assert run(database, "org", "list").output == listed.output
    assert rows_of(database) == before
    people = run(database, "people", "list", "acme")
    assert "ben@example.org" in people.output and "submitted" in people.output
    again = run(database, "invites", "acme").output
    assert _links(again) == _links(links.output) and len(_links(again)) == 3  # the same key prints the same links


def test_never_overwrites_unless_forced(database: Path, tmp_path: Path) -> None:
    backup = tmp_path / "acme.db"
    backup.write_bytes(b"yesterday's backup")

    refused = run(database, "backup", str(backup))

    assert refused.exit_code == 2
    assert refused.output.count("\n") == 1 and "--force" in refused.output
    assert backup.read_bytes() == b"yesterday's backup"
    forced = run(database, "backup", str(backup), "--force")
    assert forced.exit_code == 0, forced.output
    assert rows_of(backup) == rows_of(database)
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600


@pytest.mark.parametrize(("target", "says"), [
    ("{db}", "another file than the database"),
    ("{tmp}/no-such-folder/b.db", "does not exist"),
    ("{tmp}", "is a folder"),
])
def test_bad_targets_are_one_line(database: Path, tmp_path: Path, target: str, says: str) -> None:
    result = run(database, "backup", target.format(db=database, tmp=tmp_path))
    assert result.exit_code == 2
    assert says in result.output and result.output.count("\n") == 1


def test_before_any_link_there_is_no_key_to_back_up_yet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKBOOK_KEY_FILE", str(tmp_path / "keys" / "secret.key"))
    database = tmp_path / "empty.db"
    assert run(database, "org", "list").exit_code == 0
    done = run(database, "backup", str(tmp_path / "b.db"))
    assert done.exit_code == 0, done.output
    assert f"No secret key yet (one is made in {tmp_path / 'keys' / 'secret.key'}" in done.output
    assert not (tmp_path / "keys" / "secret.key").exists()  # a backup never makes a key


def test_no_database_file(tmp_path: Path) -> None:
    result = run(tmp_path / "missing.db", "backup", str(tmp_path / "b.db"))
    assert result.exit_code == 2
    assert "no database file" in result.output
    assert not (tmp_path / "missing.db").exists()  # a backup never creates the database


def test_postgresql_gets_the_pg_dump_command_without_its_password(tmp_path: Path) -> None:
    url = "postgresql://ann:s3cret-pw@db.internal:5433/workbook"
    result = run(url, "backup", str(tmp_path / "workbook.dump"))
    assert result.exit_code == 2
    assert result.output.count("\n") == 1
    assert (f"pg_dump --format=custom --file={tmp_path / 'workbook.dump'} --host=db.internal --port=5433 "
            "--username=ann workbook") in result.output
    assert "s3cret" not in result.output


def test_pg_dump_command_for_a_local_socket_without_password() -> None:
    from workbook.backup import pg_dump_command

    command = pg_dump_command("postgresql+psycopg://workbook@/workbook?host=/var/run/postgresql", "/b/w b.dump")
    assert command == ("pg_dump --format=custom '--file=/b/w b.dump' --host=/var/run/postgresql "
                       "--username=workbook workbook")


_WRITER = textwrap.dedent("""
    import os
    import sys
    from workbook.framework import load_framework
    from workbook.store import open_store
    framework = load_framework()
    with open_store(sys.argv[1]) as store:
        cycle = store.responses.cycle("acme").id
        cy = store.people.get("acme", "cy@example.org")
        print("writing", flush=True)
        turn = 0
        while not os.path.exists(sys.argv[2]):  # until the test has its backups: never a fixed count that a
            turn += 1                            # busy machine may not finish in time
            statement = framework.statements[turn % len(framework.statements)]
            store.responses.save_answer(cy.id, cycle, statement.id, 1 + turn % 5, framework=framework)
""")


def test_backups_taken_while_a_process_writes_are_whole(database: Path, tmp_path: Path) -> None:
    """Another process saves answers flat out (a kernel would) while backups are taken."""
    stop = tmp_path / "stop-writing"
    writer = subprocess.Popen([sys.executable, "-c", _WRITER, f"sqlite:///{database}", str(stop)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "writing"
        copies = []
        for number in range(5):
            copy = tmp_path / f"during-{number}.db"
            result = run(database, "backup", str(copy))
            assert result.exit_code == 0, result.output
            copies.append(copy)
            time.sleep(0.05)
        assert writer.poll() is None, "the writer stopped before the backups: nothing was tested"
    finally:
        stop.touch()
        writer.wait(120)
    assert writer.returncode == 0
    for copy in copies:
        connection = sqlite3.connect(copy)
        try:
            assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        finally:
            connection.close()
        assert run(copy, "org", "list").exit_code == 0


def test_the_printed_pg_dump_command_backs_up_and_restores(postgres_server: object, tmp_path: Path) -> None:
    """The command `workbook backup` prints for PostgreSQL, run as printed, then pg_restore as docs/deploy.md says."""
    import shlex

    with postgres_server.fresh_database() as url, postgres_server.fresh_database() as restored:  # type: ignore[attr-defined]
        assert run(url, "org", "create", "Acme Hotels", "--id", "acme").exit_code == 0
        people = tmp_path / "people.csv"
        people.write_text(PEOPLE, encoding="utf-8")
        assert run(url, "people", "import", "acme", str(people)).exit_code == 0
        dump = tmp_path / "workbook.dump"
        said = run(url, "backup", str(dump)).output
        command = shlex.split(said.split("for PostgreSQL run: ", 1)[1])
        binaries = sorted(Path("/usr/lib/postgresql").glob("*/bin"))  # the cluster's own version
        tool = str(binaries[-1] / "pg_dump") if binaries else "pg_dump"
        subprocess.run([tool, *command[1:]], check=True, capture_output=True, timeout=120)
        assert dump.stat().st_size > 0
        from sqlalchemy.engine import make_url

        target = make_url(restored)
        subprocess.run([tool.replace("pg_dump", "pg_restore"), "--clean", "--if-exists", "--no-owner",
                        f"--host={target.host}", f"--port={target.port}", f"--username={target.username}",
                        f"--dbname={target.database}", str(dump)], check=True, capture_output=True, timeout=120)
        assert run(restored, "org", "list").output == run(url, "org", "list").output
        assert run(restored, "people", "list", "acme").output == run(url, "people", "list", "acme").output

"""The database fixtures give real, isolated databases (see conftest.py, pgserver.py)."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from pgserver import (
    BIN_ENV,
    INSTALL_HINT,
    PostgresNotInstalled,
    PostgresServer,
    find_bin_dir,
    remove_stale_clusters,
    throwaway_postgres,
)

TESTS_DIR = Path(__file__).resolve().parent
PROJECT_DIR = TESTS_DIR.parent


def _scalar(url: str, query: str) -> object:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text(query)).scalar_one()
    finally:
        engine.dispose()


def _processes_mentioning(text: str) -> list[str]:
    """Command lines of live processes that contain *text* (Linux /proc)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes()
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        line = cmdline.replace(b"\0", b" ").decode(errors="replace")
        if text in line and state != "Z":
            found.append(line)
    return found


# -- postgres_url / postgres_server ----------------------------------------------------


def test_postgres_url_is_a_real_postgresql_server(
    postgres_url: str, postgres_server: PostgresServer
) -> None:
    engine = sa.create_engine(postgres_url)
    try:
        assert engine.dialect.name == "postgresql"
        assert engine.dialect.driver == "psycopg"
        with engine.connect() as conn:
            version = conn.execute(sa.text("select version()")).scalar_one()
            current_db = conn.execute(sa.text("select current_database()")).scalar_one()
    finally:
        engine.dispose()
    assert version.startswith("PostgreSQL ")
    # The server runs the binaries that were found (PostgreSQL 15 from Debian in CI).
    banner = subprocess.run(
        [str(postgres_server.bin_dir / "postgres"), "--version"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    major = re.search(r"\b(\d+)\.\d+", banner)
    assert major is not None, banner
    assert version.startswith(f"PostgreSQL {major.group(1)}.")
    assert current_db.startswith("test_")
    assert postgres_url.startswith("postgresql+psycopg://")


def test_postgres_url_create_table_and_roundtrip(postgres_url: str) -> None:
    engine = sa.create_engine(postgres_url)
    meta = sa.MetaData()
    notes = sa.Table(
        "notes",
        meta,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("data", sa.JSON),
    )
    try:
        meta.create_all(engine)
        with engine.begin() as conn:
            conn.execute(notes.insert(), [{"body": "héllo", "data": {"a": [1, 2]}}])
        with engine.connect() as conn:
            row = conn.execute(sa.select(notes.c.body, notes.c.data)).one()
    finally:
        engine.dispose()
    assert tuple(row) == ("héllo", {"a": [1, 2]})


def test_postgres_url_test_gets_the_postgres_marker(
    postgres_url: str, request: pytest.FixtureRequest
) -> None:
    assert request.node.get_closest_marker("postgres") is not None


def test_fresh_databases_do_not_share_data(postgres_server: PostgresServer) -> None:
    first = postgres_server.create_database()
    second = postgres_server.create_database()
    assert first != second
    try:
        engine = sa.create_engine(first)
        try:
            with engine.begin() as conn:
                conn.execute(sa.text("create table t (x int)"))
                conn.execute(sa.text("insert into t values (42)"))
        finally:
            engine.dispose()
        assert _scalar(first, "select x from t") == 42
        assert _scalar(second, "select count(*) from pg_tables where tablename = 't'") == 0
    finally:
        postgres_server.drop_database(first.rsplit("/", 1)[1])
        postgres_server.drop_database(second.rsplit("/", 1)[1])


def test_server_is_tuned_for_tests(postgres_server: PostgresServer) -> None:
    url = postgres_server.url()
    assert _scalar(url, "show fsync") == "off"
    assert _scalar(url, "show listen_addresses") == "127.0.0.1"
    assert _scalar(url, "show port") == str(postgres_server.port)
    assert _scalar(url, "show unix_socket_directories") == str(postgres_server.base_dir)


# -- db_url: one test, both back ends --------------------------------------------------


def test_db_url_works_on_both_backends(db_url: str, request: pytest.FixtureRequest) -> None:
    backend = request.node.callspec.params["db_url"]
    engine = sa.create_engine(db_url)
    try:
        assert engine.dialect.name == backend
        with engine.begin() as conn:
            conn.execute(sa.text("create table items (name varchar(20) primary key)"))
            conn.execute(sa.text("insert into items values ('a'), ('b')"))
        with engine.connect() as conn:
            names = conn.execute(sa.text("select name from items order by name")).scalars()
            assert list(names) == ["a", "b"]
    finally:
        engine.dispose()
    marked = request.node.get_closest_marker("postgres") is not None
    assert marked == (backend == "postgresql")


def test_sqlite_url_is_a_file_in_tmp_path(sqlite_url: str, tmp_path: Path) -> None:
    assert sqlite_url == f"sqlite:///{tmp_path}/workbook.db"
    assert _scalar(sqlite_url, "select 1") == 1
    assert (tmp_path / "workbook.db").exists()


# -- finding the binaries --------------------------------------------------------------


def _fake_bin(directory: Path) -> Path:
    directory.mkdir(parents=True)
    for name in ("initdb", "postgres"):
        tool = directory / name
        tool.write_text("#!/bin/sh\n")
        tool.chmod(0o755)
    return directory


def test_find_bin_dir_prefers_env_then_newest_debian_version(tmp_path: Path) -> None:
    root = tmp_path / "lib"
    for version in ("9.6", "15", "10"):
        _fake_bin(root / version / "bin")
    (root / "17" / "bin").mkdir(parents=True)  # no binaries: ignored
    assert find_bin_dir({"PATH": ""}, debian_root=root) == root / "15" / "bin"
    custom = _fake_bin(tmp_path / "custom")
    assert find_bin_dir({BIN_ENV: str(custom)}, debian_root=root) == custom


def test_find_bin_dir_says_how_to_install(tmp_path: Path) -> None:
    with pytest.raises(PostgresNotInstalled, match=re.escape(INSTALL_HINT)):
        find_bin_dir({"PATH": str(tmp_path)}, debian_root=tmp_path / "none")
    with pytest.raises(PostgresNotInstalled, match=BIN_ENV):
        find_bin_dir({BIN_ENV: str(tmp_path)}, debian_root=tmp_path / "none")


@pytest.mark.parametrize(("ci", "outcome"), [("true", "failed"), ("", "skipped")])
def test_missing_postgres_fails_in_ci_and_skips_locally(ci: str, outcome: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "CI"))}
    env[BIN_ENV] = "/nonexistent/postgresql/bin"
    env["CI"] = ci
    target = f"{Path(__file__).name}::test_postgres_url_test_gets_the_postgres_marker"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rfEs", "-p", "no:cacheprovider", target],
        cwd=TESTS_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert INSTALL_HINT in output, output
    if outcome == "failed":
        assert result.returncode == 1, output
        assert "1 error" in output, output
        assert "CI must run the PostgreSQL tests" in output, output
    else:
        assert result.returncode == 0, output
        assert "1 skipped" in output, output


# -- teardown leaves nothing behind ------------------------------------------------------


def test_stop_leaves_no_process_or_directory(postgres_server: PostgresServer) -> None:
    server = PostgresServer(postgres_server.bin_dir).start()
    base, pid = server.base_dir, server.pid
    assert base is not None and pid is not None
    assert server.start_seconds is not None and server.start_seconds < 20
    assert _processes_mentioning(str(base))
    server.stop()
    server.stop()  # idempotent
    assert not base.exists()
    assert not _processes_mentioning(str(base))
    assert not server.running


def test_throwaway_postgres_yields_a_database_and_cleans_up(
    postgres_server: PostgresServer,
) -> None:
    with throwaway_postgres(postgres_server.bin_dir) as url:
        assert url != postgres_server.url() and "/test_" in url
        assert _scalar(url, "select 1") == 1
        port = url.rsplit(":", 1)[1].split("/", 1)[0]
        assert _processes_mentioning(f"-p {port} ")
    assert not _processes_mentioning(f"-p {port} ")


@pytest.mark.skipif(shutil.which("setpriv") is None, reason="needs setpriv (util-linux)")
def test_server_dies_with_a_killed_test_process(postgres_server: PostgresServer) -> None:
    script = (
        "import time\n"
        "from pathlib import Path\n"
        "from pgserver import PostgresServer\n"
        f"server = PostgresServer(Path({str(postgres_server.bin_dir)!r})).start()\n"
        "print(server.base_dir, flush=True)\n"
        "time.sleep(120)\n"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", script], cwd=TESTS_DIR, stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None
        base = child.stdout.readline().strip()
        assert base, "child did not start a server"
        assert _processes_mentioning(base)
    finally:
        child.send_signal(signal.SIGKILL)  # no atexit, no finalizer
        child.wait()
    deadline = time.monotonic() + 10
    while _processes_mentioning(base) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _processes_mentioning(base)
    # The directory stays behind; the next start removes it.
    assert Path(base) in remove_stale_clusters()
    assert not Path(base).exists()

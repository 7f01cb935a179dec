"""Creating database engines with the settings this workbook relies on.

SQLite is the embedded default.  Several Voila kernels and a batch job may use
one file at once, so every SQLite connection gets:

* ``journal_mode=WAL`` - readers never block the writer;
* ``synchronous=FULL`` - an answer acknowledged to a respondent survives a
  power cut (``NORMAL`` can lose the last commits in WAL mode);
* ``busy_timeout`` - a writer waits for another instead of failing with
  "database is locked";
* ``foreign_keys=ON`` - deleting an organisation or person removes its answers;
* ``BEGIN IMMEDIATE`` for write transactions - the write lock is taken up front,
  so two writers queue instead of dead-locking on a lock upgrade.

PostgreSQL needs none of this: its defaults are durable.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from workbook.errors import InputError
from workbook.settings import DB_ENV, DEFAULT_DB_FILE, Settings
from workbook.text import quoted

__all__ = ["DEFAULT_DB_FILE", "ENV_VAR", "WRITE", "make_engine", "resolve_url"]

ENV_VAR = DB_ENV  # the names live in workbook.settings
BUSY_TIMEOUT_MS = 5000
#: Execution option that marks a connection as one that will write.
WRITE = "workbook_write"


def resolve_url(db: str | None = None) -> str:
    """Turn ``--db``, ``$WORKBOOK_DB`` or the default into a SQLAlchemy URL.

    A plain path (``team.db``) is accepted as a SQLite file, because that is
    what a consultant types; ``postgresql://`` URLs get the psycopg 3 driver.
    """
    raw = Settings.from_environment(db=db).db
    if "://" not in raw:
        return f"sqlite:///{Path(raw).expanduser().resolve()}"
    if raw.startswith(("postgresql://", "postgres://")):
        raw = "postgresql+psycopg://" + raw.split("://", 1)[1]
    try:
        url = make_url(raw)
    except ArgumentError:
        raise InputError(
            f"cannot read the database URL {quoted(raw)}: use a file path or postgresql://user@host/db"
        ) from None
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise InputError(f"unsupported database {url.get_backend_name()!r}: use a SQLite file or a postgresql:// URL")
    return raw


def make_engine(url: str) -> Engine:
    """Create an engine for ``url`` with the durability and locking settings above.

    ``hide_parameters``: a database error (or SQL logging) never shows the
    values bound to a query, so no token hash, email or comment reaches a log.
    """
    sa_url = make_url(url)
    if sa_url.get_backend_name() == "sqlite":
        database = sa_url.database or ""
        if database and database != ":memory:":
            parent = Path(database).parent
            if not parent.is_dir():
                raise InputError(f"cannot create the database {database}: the folder {parent} does not exist")
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000}, hide_parameters=True)
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, hide_parameters=True)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below issue BEGIN itself, so that a
        # write can ask for BEGIN IMMEDIATE (pysqlite would send plain BEGIN).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        if connection.get_execution_options().get(WRITE):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql("BEGIN")

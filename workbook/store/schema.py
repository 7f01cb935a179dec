"""Creating and upgrading the database schema in place.

Opening a store checks the schema revision with one cheap query and imports
Alembic only when an upgrade is due, so a Voila kernel that opens the store
does not pay Alembic's import on every page.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text

from workbook.errors import StoreError
from workbook.store.engine import WRITE

if TYPE_CHECKING:
    from workbook.sealing import Sealer

__all__ = ["HEAD_REVISION", "current_revision", "ensure_schema", "upgrade"]

#: The newest migration in ``migrations/versions``; a test keeps them in step.
HEAD_REVISION = "0013"
_LOCK_KEY = 0x44494D45  # "DIME"
_MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def current_revision(connection: Connection) -> str | None:
    """The schema revision stored in the database, or None for an empty database."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    row = connection.execute(text("SELECT version_num FROM alembic_version")).first()
    return None if row is None else str(row[0])


def _known_revisions() -> set[str]:
    return {p.stem.split("_", 1)[0] for p in (_MIGRATIONS / "versions").glob("[0-9]*.py")}


def upgrade(connection: Connection, revision: str = "head", sealer: Sealer | None = None) -> None:
    """Run the Alembic migrations up to ``revision`` on ``connection``.

    ``sealer`` is for migrations that seal stored tokens (0005); without it
    they use the secret key named by the environment.
    """
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.attributes["connection"] = connection
    config.attributes["sealer"] = sealer
    command.upgrade(config, revision)


def ensure_schema(engine: Engine, sealer: Sealer | None = None) -> None:
    """Bring the database to the newest schema, keeping every row it holds.

    Refuses a database written by a newer workbook: upgrading the workbook is
    safe, running an older one against newer data is not.
    """
    with engine.connect() as connection:
        revision = current_revision(connection)
    if revision == HEAD_REVISION:
        return
    if revision is not None and revision not in _known_revisions():
        raise StoreError(
            f"the database was written by a newer workbook (schema {revision}); upgrade the workbook to use it"
        )
    # Two kernels may open a new database at the same moment: take the write
    # lock first (BEGIN IMMEDIATE on SQLite, an advisory lock on PostgreSQL)
    # and look again, so only one of them runs the migrations.
    with engine.execution_options(**{WRITE: True}).begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
        if current_revision(connection) != HEAD_REVISION:
            upgrade(connection, sealer=sealer)
    if engine.dialect.name == "sqlite" and revision is not None:
        # Copy the upgraded pages into the file and empty the write-ahead log, so
        # no page image from before the upgrade (e.g. plain tokens, before 0005)
        # is left beside the database.  Best effort: a reader may hold it open.
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")

"""``workbook backup FILE``: a consistent copy of a SQLite database, even while it is in use.

Copying ``workbook.db`` with ``cp`` while a server runs can catch a write
half-done, and misses whatever still sits in ``workbook.db-wal``.  SQLite's
online backup API copies the database as one snapshot instead (in WAL mode
readers never block the apps' writes, nor they the copy), so a backup can be
taken at any time.  The copy is written beside the target under a temporary
name, readable only by its owner (it holds names, emails and answers),
checked with ``PRAGMA integrity_check``, made a single self-contained file
(journal mode DELETE: no ``-wal`` file to carry along) and only then renamed
over the target, so a failed backup never leaves half a file under FILE.

PostgreSQL has its own tool for this, ``pg_dump``; :func:`pg_dump_command`
builds the exact command from the database URL, without its password.

The secret key that lets links be printed again is never in the database,
so never in a backup either: :class:`BackupResult` names it, and the command
reminds whoever runs it to back it up separately.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from workbook.errors import AlreadyExistsError, InputError, NotFoundError, StoreError

__all__ = ["BackupResult", "PostgresBackupError", "backup_database", "pg_dump_command"]

#: The backup holds personal data: owner read and write only.
BACKUP_MODE = 0o600


class PostgresBackupError(InputError):
    """``workbook backup`` was pointed at PostgreSQL, which ``pg_dump`` backs up."""


@dataclass(frozen=True, slots=True)
class BackupResult:
    """What was copied where."""

    source: Path
    target: Path
    size: int  # bytes
    revision: str | None  # the schema revision in the copy


def pg_dump_command(url: str, target: str) -> str:
    """The ``pg_dump`` command that backs up the database at ``url`` into ``target``.

    The password is left out on purpose: a command line is seen by every
    user of the machine (``ps``) and kept in shell history.  ``pg_dump``
    reads it from ``~/.pgpass`` or ``$PGPASSWORD``.
    """
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    words = ["pg_dump", "--format=custom", f"--file={target}"]
    host = parsed.host or parsed.query.get("host")  # ?host=/var/run/postgresql: a Unix socket folder
    if isinstance(host, str) and host:
        words.append(f"--host={host}")
    if parsed.port:
        words.append(f"--port={parsed.port}")
    if parsed.username:
        words.append(f"--username={parsed.username}")
    words.append(parsed.database or "postgres")
    return " ".join(shlex.quote(word) for word in words)


def backup_database(db_url: str | None, target: Path | str, *, force: bool = False) -> BackupResult:
    """Copy the SQLite database named by ``db_url`` (``--db``) to ``target``, consistently.

    Refuses to overwrite ``target`` unless ``force``; refuses PostgreSQL with
    the ``pg_dump`` command to use instead.
    """
    from sqlalchemy.engine import make_url

    from workbook.store.engine import resolve_url

    url = resolve_url(db_url)
    parsed = make_url(url)
    destination = Path(target).expanduser()
    if parsed.get_backend_name() != "sqlite":
        raise PostgresBackupError("workbook backup copies SQLite files; for PostgreSQL run: "
                                  + pg_dump_command(url, str(destination)))
    source = Path(parsed.database or "").expanduser()
    if not parsed.database or parsed.database == ":memory:" or not source.is_file():
        raise NotFoundError(f"there is no database file at {source}: name it with --db")
    destination = destination.resolve()
    if destination == source.resolve():
        raise InputError("the backup must go to another file than the database itself")
    if not destination.parent.is_dir():
        raise InputError(f"the folder {destination.parent} does not exist; create it first")
    if destination.is_dir():
        raise InputError(f"{destination} is a folder; name the backup file (e.g. {destination / 'workbook.db'})")
    if destination.exists() and not force:
        raise AlreadyExistsError(f"{destination} exists already; choose another name or add --force to replace it")
    partial = destination.with_name(f".{destination.name}.partial-{os.getpid()}")
    try:
        _copy(source, partial)
        revision = _check(partial)
        os.replace(partial, destination)
    finally:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
    _sync_folder(destination.parent)
    return BackupResult(source=source, target=destination, size=destination.stat().st_size, revision=revision)


def _copy(source: Path, partial: Path) -> None:
    """The online backup itself, into a new file only the owner can read."""
    with contextlib.suppress(FileNotFoundError):
        partial.unlink()  # left by a backup killed midway with our process id
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, BACKUP_MODE))
    os.chmod(partial, BACKUP_MODE)  # whatever the umask
    try:
        # Read-write, though it only reads: a read-only connection cannot make
        # the -shm file a WAL database needs when nothing else has it open.
        reader = sqlite3.connect(source, timeout=30)
    except sqlite3.Error as error:
        raise StoreError(f"cannot open the database {source}: {error}") from None
    try:
        writer = sqlite3.connect(partial)
        try:
            # One step (pages=-1): the whole database as of one moment.
            reader.backup(writer, pages=-1)
            writer.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
            writer.commit()
        finally:
            writer.close()
    except sqlite3.Error as error:
        raise StoreError(f"the backup of {source} failed: {error}") from None
    finally:
        reader.close()
    with open(partial, "rb+") as written:
        os.fsync(written.fileno())


def _check(partial: Path) -> str | None:
    """``PRAGMA integrity_check`` on the copy; returns its schema revision."""
    connection = sqlite3.connect(f"{partial.resolve().as_uri()}?mode=ro", uri=True)
    try:
        verdict = connection.execute("PRAGMA integrity_check").fetchone()
        if not verdict or verdict[0] != "ok":
            raise StoreError(f"the copy failed its integrity check ({verdict[0] if verdict else 'no answer'}); "
                             "nothing was written: check the disk and try again")
        try:
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.OperationalError:  # not a workbook database yet (empty)
            return None
        return str(row[0]) if row else None
    finally:
        connection.close()


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX; a no-op where folders cannot be opened)."""
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)

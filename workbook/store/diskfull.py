"""Telling a full disk apart from every other database failure.

A full disk reaches us as the driver's ``OperationalError`` like a busy
database does, but it needs the opposite answer: waiting does not help, the
operator has to free space.  SQLite says ``SQLITE_FULL`` ("database or disk
is full"; also when ``PRAGMA max_page_count`` is reached) and PostgreSQL
SQLSTATE ``53100`` (disk_full).  Either way the write is refused whole and
what was committed before stays intact, so the message can say so.
"""

from __future__ import annotations

import errno

from sqlalchemy.engine import URL

from workbook.errors import DiskFullError

__all__ = ["disk_full_error", "is_disk_full"]

SQLITE_FULL = 13
POSTGRES_DISK_FULL = "53100"


def is_disk_full(error: BaseException) -> bool:
    """Whether ``error`` (a SQLAlchemy error or the driver's own) says the disk is full."""
    cause = getattr(error, "orig", None) or error
    if getattr(cause, "sqlite_errorcode", None) == SQLITE_FULL:
        return True
    if getattr(cause, "sqlstate", None) == POSTGRES_DISK_FULL:
        return True
    return isinstance(cause, OSError) and cause.errno in (errno.ENOSPC, errno.EDQUOT)


def disk_full_error(url: URL) -> DiskFullError:
    """The one-line message for a full disk under the database at ``url`` (no password in it)."""
    if url.get_backend_name() == "sqlite":
        where = f"the database {url.database}" if url.database else "the database"
    else:
        where = f"the PostgreSQL database {url.database or ''} on {url.host or 'its server'}".replace("  ", " ")
    return DiskFullError(f"the disk holding {where} is full: free some space there and try again "
                         "(everything saved before is kept)")

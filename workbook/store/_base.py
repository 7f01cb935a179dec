"""What every repository shares: short read and write transactions."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import Engine
from sqlalchemy.engine import URL
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from workbook.errors import ConflictError, InputError, StoreError
from workbook.store.diskfull import disk_full_error, is_disk_full
from workbook.store.engine import WRITE

__all__ = ["Repository", "Transactions", "as_utc", "utcnow"]


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything stored is UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Transactions:
    """Opens short sessions: one per read, one per write, never held open.

    Writes use ``BEGIN IMMEDIATE`` on SQLite (see :mod:`workbook.store.engine`)
    so concurrent writers from several kernels queue politely.
    """

    def __init__(self, engine: Engine) -> None:
        self._url = engine.url
        self._read = sessionmaker(engine, expire_on_commit=False)
        self._write = sessionmaker(engine.execution_options(**{WRITE: True}), expire_on_commit=False)

    @contextmanager
    def reading(self) -> Iterator[Session]:
        with _translate_errors(self._url), self._read() as session, session.begin():
            yield session

    @contextmanager
    def writing(self) -> Iterator[Session]:
        with _translate_errors(self._url), self._write() as session, session.begin():
            yield session


@contextmanager
def _translate_errors(url: URL) -> Iterator[None]:
    try:
        yield
    except OperationalError as error:
        if is_disk_full(error):
            raise disk_full_error(url) from error
        detail = str(error.orig).splitlines()[0] if error.orig else str(error)
        raise StoreError(f"the database could not be used: {detail}") from error
    except IntegrityError as error:
        # Two tabs or kernels saving the same thing at the same moment, or a
        # value the database's own rules refuse: say so instead of losing it.
        raise ConflictError(
            "this change clashed with another one saved at the same moment; please try again"
        ) from error
    except DataError as error:
        raise StoreError("the database refused a value as too long or malformed") from error
    except UnicodeEncodeError as error:
        # The last line of defence: text is cleaned before it is stored
        # (workbook.text), but a value only looked up (an id, an email) can
        # still carry a lone surrogate, which no database driver can encode.
        raise InputError(
            "a value given contains a broken character (half of a UTF-16 pair); type it again"
        ) from error


class Repository:
    """Base of the per-topic repositories (organisations, people, responses)."""

    def __init__(self, transactions: Transactions) -> None:
        self._tx = transactions

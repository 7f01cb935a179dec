"""The workbook's database: SQLite by default, PostgreSQL through a URL.

Usage::

    store = open_store()                    # ./workbook.db, --db or $WORKBOOK_DB
    org = store.organisations.create("Harbour & Vine")
    store.people.import_rows(org.id, rows)

Each topic has a repository (``organisations``, ``people``, ``responses``,
``progress``, ``releases``, ``measures``, ``comparisons``);
later features add theirs beside them.  Every call is one short transaction.
"""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.exc import DatabaseError, OperationalError

from workbook.errors import StoreError
from workbook.sealing import Sealer
from workbook.store._base import Transactions
from workbook.store.comparisons import KeptComparisons
from workbook.store.diskfull import disk_full_error, is_disk_full
from workbook.store.engine import make_engine, resolve_url
from workbook.store.mail_log import MailLog
from workbook.store.measures import Measures
from workbook.store.organisations import DEFAULT_THRESHOLD, Organisations, OrganisationSummary, quarter_label
from workbook.store.people import People
from workbook.store.progress import INVITE_HOW, Progress
from workbook.store.records import (
    AnswerRecord,
    CycleRecord,
    ImportSummary,
    Invite,
    InviteHow,
    OrganisationRecord,
    PersonRecord,
    ProgressRecord,
    SubmissionRecord,
)
from workbook.store.releases import ReleaseRecord, Releases
from workbook.store.responses import AnswerRow, Responses
from workbook.store.schema import ensure_schema
from workbook.store.vault import Vault

__all__ = [
    "DEFAULT_THRESHOLD",
    "INVITE_HOW",
    "AnswerRecord",
    "AnswerRow",
    "CycleRecord",
    "ImportSummary",
    "Invite",
    "InviteHow",
    "OrganisationRecord",
    "OrganisationSummary",
    "PersonRecord",
    "ProgressRecord",
    "ReleaseRecord",
    "Store",
    "SubmissionRecord",
    "open_store",
    "quarter_label",
]


class Store:
    """One database, with a repository per topic.

    ``sealer`` holds the secret key that seals invite tokens and facilitator
    keys (see :mod:`workbook.sealing`); it is read only when a link is made or
    printed, never when one is opened.
    """

    def __init__(self, engine: Engine, sealer: Sealer | None = None) -> None:
        self.engine = engine
        self.transactions = Transactions(engine)
        vault = Vault(sealer or Sealer.from_environment())
        self.organisations = Organisations(self.transactions, vault)
        self.people = People(self.transactions, vault)
        self.responses = Responses(self.transactions)
        self.mail_log = MailLog(self.transactions)
        self.progress = Progress(self.transactions)
        self.releases = Releases(self.transactions)
        self.measures = Measures(self.transactions)
        self.comparisons = KeptComparisons(self.transactions)

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def open_store(db: str | None = None, *, sealer: Sealer | None = None) -> Store:
    """Open (creating or upgrading as needed) the database named by ``db``.

    ``db`` is a file path or URL; without it ``$WORKBOOK_DB`` or
    ``./workbook.db`` is used.  ``sealer`` defaults to the secret key named
    by the environment (:meth:`Sealer.from_environment`).
    """
    url = resolve_url(db)
    engine = make_engine(url)
    sealer = sealer or Sealer.from_environment()
    try:
        ensure_schema(engine, sealer)
    except (OperationalError, DatabaseError) as error:
        engine.dispose()
        if is_disk_full(error):
            raise disk_full_error(engine.url) from None
        detail = str(error.orig).splitlines()[0] if error.orig else str(error)
        shown = engine.url.render_as_string(hide_password=True)
        raise StoreError(f"cannot open the database {shown}: {detail}") from None
    return Store(engine, sealer)

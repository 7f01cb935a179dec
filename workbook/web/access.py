"""Checking an app link in the server process, before any kernel is used.

Voila takes a kernel (pre-heated, or a new one) for every GET of a notebook
URL, and only the notebook inside it could tell a good link from a bad one.
So a flood of made-up tokens used to fill the kernel cap.  Here the server
looks the token or key up in the store itself and answers a bad link with
the same friendly words the apps use, without any kernel.

Which query parameter opens which app comes from :data:`CREDENTIALS`; any
other notebook served with ``--app`` opens only with a valid personal token,
so no served page can be opened without a link someone was given.  A
personal link to a cycle past its closing date gets a calm "closed" page.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import date
from typing import Literal

from workbook.closing import closed_text, is_closed
from workbook.errors import AccessDeniedError, NotFoundError, WorkbookError
from workbook.links import NOTEBOOKS
from workbook.store import Store
from workbook.tokens import looks_like_token
from workbook.web.defaults import MAX_PENDING_LOOKUPS

__all__ = [
    "BUSY",
    "CREDENTIALS",
    "MAX_PENDING_LOOKUPS",
    "REPEATED",
    "UNAVAILABLE",
    "Admitted",
    "LinkChecker",
    "LinkLookups",
    "Refusal",
    "closed",
    "credential_parameter",
    "link_identity",
]

Credential = Literal["token", "key"]

#: The query parameter each app opens with: a person's invite token or the
#: organisation's facilitator key.
CREDENTIALS: dict[str, Credential] = {
    NOTEBOOKS["values"]: "token",
    NOTEBOOKS["workshop"]: "key",
    NOTEBOOKS["charter"]: "key",
}

#: What a page without its token or key says (the apps' own words).
_MISSING: dict[str, tuple[str, str]] = {
    NOTEBOOKS["values"]: (
        "Please use your personal link",
        "This questionnaire opens from the personal invite link you were sent. "
        "Please open that link, or ask whoever sent it for a new one.",
    ),
    NOTEBOOKS["workshop"]: (
        "Please use the facilitator link",
        "The workshop opens from your organisation's facilitator link. Ask the consultant for it, or run: "
        "workbook invites ORG --facilitator",
    ),
    NOTEBOOKS["charter"]: (
        "Please use the facilitator link",
        "The charter builder opens from the organisation's facilitator link. Ask the "
        "consultant for it (workbook invites ORG --facilitator).",
    ),
}
_MISSING_OTHER = ("Please use your personal link",
                  "This page opens from the personal link you were sent. Please open that link.")


@dataclass(frozen=True, slots=True)
class Admitted:
    """A valid link: ``identity`` names it without containing the token."""

    identity: str


@dataclass(frozen=True, slots=True)
class Refusal:
    """A link that opens nothing: the page to show instead, and its status."""

    status: int
    title: str
    text: str


#: The store could not be asked (it is down, or the lookup failed).
UNAVAILABLE = Refusal(503, "Sorry, this page is not available",
                      "Something on our side is not working. Everything saved so far is safe; "
                      "please try the link again later.")
#: Too many lookups are waiting already (a flood): answered without queueing another.
BUSY = Refusal(503, "Sorry, this page is busy",
               "Many links are being opened right now. Everything saved so far is safe; "
               "please try the link again in a minute.")
#: ``?token=A&token=B``: the server (tornado keeps the last) and the app (the
#: first) would not agree on which one counts, so such a link opens nothing.
REPEATED = Refusal(403, "This link does not work",
                   "The link has its token or key more than once. Please open the link exactly as you were sent it.")


def closed(closes_on: date) -> Refusal:
    """A personal link to a cycle past its closing date: a calm page, no kernel.

    410 (gone), not 403: the link is the right one, and a page already open
    keeps its kernel when its link is checked again (:mod:`workbook.web.recheck`
    stops only 403s), so a late save there shows the same words from the store.
    """
    return Refusal(410, "This assessment has closed", closed_text(closes_on))




def credential_parameter(app: str) -> Credential:
    """The query parameter that opens ``app`` (``token`` for notebooks the workbook does not know)."""
    return CREDENTIALS.get(app, "token")


def link_identity(app: str, credential: str) -> str:
    """A stable name for one link that is safe to log and keep: a hash, never the token."""
    return hashlib.sha256(f"{app}\0{credential}".encode()).hexdigest()[:32]


def _sentence(error: WorkbookError) -> str:
    text = str(error)
    return text[:1].upper() + text[1:]


class LinkChecker:
    """Looks links up in one store, opened once for the whole server.

    The lookups are plain synchronous SQLAlchemy calls of about a
    millisecond; the server runs them in a thread so the event loop goes on
    serving other pages meanwhile.
    """

    def __init__(self, store: Store) -> None:
        self._store = store

    @staticmethod
    def may_be_valid(credential: str | None) -> bool:
        """Whether the credential has a token's shape: only those need the database."""
        return looks_like_token(credential)

    def check(self, app: str, credential: str | None) -> Admitted | Refusal:
        """Admit a link whose token or key is in the store; refuse anything else."""
        if not credential:
            return Refusal(403, *_MISSING.get(app, _MISSING_OTHER))
        try:
            if credential_parameter(app) == "key":
                self._store.organisations.by_facilitator_key(credential)
            else:
                person = self._store.people.by_token(credential)
                closes_on = self._store.responses.cycle(person.organisation_id).closes_on
                if closes_on is not None and is_closed(closes_on):
                    return closed(closes_on)
        except AccessDeniedError as error:
            return Refusal(403, "This link does not work", _sentence(error))
        except NotFoundError:  # no cycle: the app says so itself
            pass
        except WorkbookError:
            return UNAVAILABLE
        return Admitted(link_identity(app, credential))

    def close(self) -> None:
        self._store.close()


class LinkLookups:
    """Checks links off the event loop, with a bound on how many may wait.

    A malformed credential is refused at once; a well-shaped one needs the
    store, in ``executor``.  Without a bound a flood of made-up tokens would
    queue lookups without end, and a valid link would wait behind them all.
    """

    def __init__(self, checker: LinkChecker, executor: Executor, max_pending: int = MAX_PENDING_LOOKUPS) -> None:
        self.checker = checker
        self._executor = executor
        self.max_pending = max_pending
        self.pending = 0

    async def check(self, app: str, credential: str | None) -> Admitted | Refusal:
        if not self.checker.may_be_valid(credential):  # no thread, no database for a malformed one
            return self.checker.check(app, credential)
        if self.pending >= self.max_pending:
            return BUSY
        self.pending += 1
        try:
            return await asyncio.get_running_loop().run_in_executor(
                self._executor, self.checker.check, app, credential)
        except Exception:
            logging.getLogger(__name__).exception("Checking a link to %s failed", app)
            return UNAVAILABLE
        finally:
            self.pending -= 1

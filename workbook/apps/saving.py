"""Saving from an app: a busy database gets more tries before the person is told.

SQLite answers "database is locked" when another writer holds it longer than
the busy timeout, and a PostgreSQL connection can drop or the server restart;
both reach the apps as :class:`~workbook.errors.StoreError` raised from the
driver's ``OperationalError``.  Such a blip passes: SQLite has one writer at a
time, and fifty people saving at once queue behind each other for a moment.
Three quick tries were not enough for that (issue #12: one save in 25,000
failed under 50 savers and the person saw "Not saved"), so a busy or unreachable
database is tried again, with short growing pauses, for up to
:data:`PATIENCE_SECONDS` - about as long as a person waits for "Saved ✓"
before trying again themselves - and only then does the app say "Not saved".

A full disk (:class:`~workbook.errors.DiskFullError`) is not waited for: it
does not pass by itself, so the person sees "Not saved" after the
:data:`SAVE_TRIES` quick tries, with the choice still on screen.  Any other
StoreError (a value the database refuses) gets :data:`SAVE_TRIES` tries as
before; other errors (a refused value, an edit someone else overtook, a
submitted questionnaire) are not retried: trying again cannot help.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import Final, TypeVar

from sqlalchemy.exc import OperationalError

from workbook.errors import DiskFullError, StoreError

__all__ = ["PATIENCE_SECONDS", "PAUSE_SECONDS", "SAVE_TRIES", "is_transient", "with_retries"]

log = logging.getLogger(__name__)
T = TypeVar("T")

SAVE_TRIES: Final = 3
#: Pause before try n+1 is n times this: 0.25 s, then 0.5 s (at most MAX_PAUSE_SECONDS).
PAUSE_SECONDS: Final = 0.25
MAX_PAUSE_SECONDS: Final = 1.0
#: How long a save keeps trying while the database is busy or unreachable.
PATIENCE_SECONDS: Final = 30.0


def is_transient(error: StoreError) -> bool:
    """Whether the database was busy or unreachable (trying again can help), not refusing the value or full."""
    return isinstance(error.__cause__, OperationalError) and not isinstance(error, DiskFullError)


def with_retries(save: Callable[[], T], what: str, *, patience: float = PATIENCE_SECONDS) -> T:
    """``save()``, tried again after a short pause while it raises StoreError.

    A busy or unreachable database is tried for up to ``patience`` seconds,
    any other StoreError :data:`SAVE_TRIES` times.  Returns what ``save``
    returned; when it gives up, the last StoreError is raised.  ``what`` names
    the save in the server log (once when it first fails, once at the end).
    """
    give_up = time.monotonic() + patience
    attempt = 0
    while True:
        attempt += 1
        try:
            result = save()
        except StoreError as error:
            transient = is_transient(error)
            out_of_time = time.monotonic() >= give_up if transient else attempt >= SAVE_TRIES
            if attempt == 1 or out_of_time:
                log.warning("%s failed (try %d%s)", what, attempt,
                            ", giving up" if out_of_time else ", trying again", exc_info=out_of_time)
            if out_of_time:
                raise
            pause = min(MAX_PAUSE_SECONDS, PAUSE_SECONDS * attempt)
            if transient:  # spread the writers that collided, so they do not collide again
                pause *= random.uniform(0.5, 1.0)
            time.sleep(max(0.0, min(pause, give_up - time.monotonic())) if transient else pause)
            continue
        if attempt > 1:
            log.info("%s succeeded on try %d", what, attempt)
        return result

"""Saving from an app: a busy database gets a few more tries before the person is told.

SQLite answers "database is locked" when another writer holds it longer than
the busy timeout, and a PostgreSQL connection can drop; both reach the apps as
:class:`~workbook.errors.StoreError`.  A person clicking an answer should not
see that for a blip, so every app saves through :func:`with_retries` and only
then says "Not saved" in its own words.  Other errors (a refused value, an
edit someone else overtook) are not retried: trying again cannot help.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Final, TypeVar

from workbook.errors import StoreError

__all__ = ["PAUSE_SECONDS", "SAVE_TRIES", "with_retries"]

log = logging.getLogger(__name__)
T = TypeVar("T")

SAVE_TRIES: Final = 3
#: Pause before try n+1 is n times this: 0.25 s, then 0.5 s.
PAUSE_SECONDS: Final = 0.25


def with_retries(save: Callable[[], T], what: str) -> T:
    """``save()``, tried again after a short pause while it raises StoreError.

    Returns what ``save`` returned; after the last try its StoreError is raised.
    ``what`` names the save in the server log.
    """
    for attempt in range(1, SAVE_TRIES + 1):
        try:
            return save()
        except StoreError:
            log.warning("%s failed (try %d of %d)", what, attempt, SAVE_TRIES, exc_info=True)
            if attempt == SAVE_TRIES:
                raise
            time.sleep(PAUSE_SECONDS * attempt)
    raise AssertionError("unreachable: the last try returns or raises")  # pragma: no cover

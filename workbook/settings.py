"""The workbook's settings, each defined once: where the database and the secret key are,
and which anonymity thresholds are allowed.

Before this module the name ``WORKBOOK_DB`` was spelt out in the CLI, the server,
the report batch and the store, and two threshold checks disagreed (3 to 50 for
an organisation, at least 2 for a report or a score table).  Everything now
reads the names from here and checks thresholds with :func:`check_threshold`.

Importing this module is cheap (no pandas, no SQLAlchemy): ``workbook --help``
reads it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from numbers import Integral
from typing import Final

from workbook.errors import InputError
from workbook.text import quoted

__all__ = [
    "CHART_RENDERER_ENV",
    "DB_ENV",
    "DEFAULT_DB_FILE",
    "DEFAULT_THRESHOLD",
    "KEY_ENV",
    "KEY_FILE_ENV",
    "MAX_THRESHOLD",
    "MIN_THRESHOLD",
    "Settings",
    "check_threshold",
]

DB_ENV: Final = "WORKBOOK_DB"
#: Where ``workbook serve``'s chart renderer listens (set by the server for its kernels).
CHART_RENDERER_ENV: Final = "WORKBOOK_CHART_RENDERER"
"""Environment variable naming the database (a SQLite file path or a postgresql:// URL).
The server and the report batch hand the database to their kernels through it."""

DEFAULT_DB_FILE: Final = "workbook.db"
"""The database when neither ``--db`` nor ``$WORKBOOK_DB`` names one (in the current folder)."""

KEY_ENV: Final = "WORKBOOK_SECRET_KEY"
"""Environment variable holding the secret key itself (for servers that keep secrets in the environment)."""

KEY_FILE_ENV: Final = "WORKBOOK_KEY_FILE"
"""Environment variable naming the secret key file [default: ~/.config/workbook/secret.key]."""

MIN_THRESHOLD: Final = 3
"""Smallest anonymity threshold: in a group of two, either person can work out the
other's answers from the group's mean by taking away their own."""

MAX_THRESHOLD: Final = 50
"""Largest anonymity threshold: above it nearly every team's results would be hidden."""

DEFAULT_THRESHOLD: Final = 5
"""Fewest distinct people a shown group or cell may have, unless the organisation sets another."""


def check_threshold(value: object) -> int:
    """Return ``value`` as an ``int`` if it is an allowed anonymity threshold, else raise :class:`InputError`.

    The one rule, wherever a threshold comes in (an organisation's, a report's
    ``--threshold``, a score table's): a whole number from :data:`MIN_THRESHOLD`
    to :data:`MAX_THRESHOLD`.  A bool or a fraction is refused (almost certainly
    a mistake in a setting); numpy integers are accepted.
    """
    if isinstance(value, bool) or not isinstance(value, Integral) or not MIN_THRESHOLD <= int(value) <= MAX_THRESHOLD:
        raise InputError(
            f"the anonymity threshold must be a whole number from {MIN_THRESHOLD} to {MAX_THRESHOLD}, "
            f"not {quoted(value)}"
        )
    return int(value)


@dataclass(frozen=True, slots=True)
class Settings:
    """What the environment says about the database and the secret key, read in one place.

    ``key`` is never shown (``repr`` leaves it out): it opens every invite link.
    """

    db: str
    """``--db`` if given, else ``$WORKBOOK_DB``, else :data:`DEFAULT_DB_FILE`."""
    key: str | None = field(default=None, repr=False)
    """``$WORKBOOK_SECRET_KEY``, stripped; ``None`` when unset or blank."""
    key_file: str | None = None
    """``$WORKBOOK_KEY_FILE``, stripped; ``None`` when unset or blank (the default file is used)."""

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None, *, db: str | None = None) -> Settings:
        """The settings ``environ`` (default: this process's environment) gives, ``db`` (``--db``) first."""
        environ = os.environ if environ is None else environ
        return cls(
            db=db or environ.get(DB_ENV) or DEFAULT_DB_FILE,
            key=environ.get(KEY_ENV, "").strip() or None,
            key_file=environ.get(KEY_FILE_ENV, "").strip() or None,
        )

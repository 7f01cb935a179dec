"""One exception hierarchy for everything a user can get wrong.

Every exception here carries a message written for the person at the keyboard:
one line that says what is wrong and what to do about it.  The command line
prints ``str(error)`` and exits with code 2; the apps show it in a friendly
box.  Anything that is *not* a ``WorkbookError`` is a bug and may show a
traceback.

Error tree::

    WorkbookError
    ├── FrameworkError          the framework YAML is missing or invalid
    ├── StoreError              the database cannot be opened or upgraded
    │   └── DiskFullError       the disk (or quota) holding the database is full
    ├── NotFoundError           an organisation, person or cycle does not exist
    ├── AlreadyExistsError      an organisation (or other unique thing) exists already
    ├── InputError              a value given by a user is out of range or malformed
    │   └── ImportFileError     a CSV file to import is malformed (names the row)
    ├── AccessDeniedError       a missing, wrong or revoked token or key
    ├── MailServerError         the mail server cannot be reached, verified or logged in to
    ├── SecretKeyError          the secret key that keeps links printable is missing or wrong
    │   └── KeyFileNotWritableError   no key file exists and none can be made here
    └── ConflictError           the action clashes with stored state
        ├── AlreadySubmittedError   answers are final and cannot change
        └── CycleClosedError        the cycle is past its closing date
"""

from __future__ import annotations

__all__ = [
    "AccessDeniedError",
    "AlreadyExistsError",
    "AlreadySubmittedError",
    "ConflictError",
    "CycleClosedError",
    "DiskFullError",
    "FrameworkError",
    "ImportFileError",
    "InputError",
    "KeyFileNotWritableError",
    "MailServerError",
    "NotFoundError",
    "SecretKeyError",
    "StoreError",
    "WorkbookError",
]


class WorkbookError(Exception):
    """Base class: a problem the user can fix, with a one-line message."""

    exit_code: int = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class FrameworkError(WorkbookError):
    """The framework file cannot be read or does not validate.

    ``problems`` lists every problem found (``file: dotted.path: what``), so a
    consultant fixing an adapted copy sees them all at once, not one per run.
    """

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems: list[str] = list(problems or [message])


class StoreError(WorkbookError):
    """The database cannot be reached, opened or upgraded."""


class DiskFullError(StoreError):
    """The disk holding the database is full: nothing more can be written until space is freed.

    Trying again at once cannot help, so the apps do not wait for it as they
    do for a busy database.  What was saved before is intact: SQLite and
    PostgreSQL both refuse the write whole rather than store half of it.
    """


class NotFoundError(WorkbookError):
    """Something named by the user does not exist."""


class AlreadyExistsError(WorkbookError):
    """Something the user asked to create exists already."""


class InputError(WorkbookError):
    """A value given by the user is malformed or out of range."""


class ImportFileError(InputError):
    """A file to import is malformed; ``problems`` names each bad row."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems: list[str] = list(problems or [message])


class AccessDeniedError(WorkbookError):
    """A token or key is missing, wrong or no longer valid.

    The message never reveals whether the token was close, or whose it was.
    """


class SecretKeyError(WorkbookError):
    """The secret key that encrypts stored invite links is missing, unreadable or wrong.

    Only printing links and making new ones need it; opening a link never does.
    The message names where the key was looked for, never the key itself.
    """


class KeyFileNotWritableError(SecretKeyError):
    """No key file exists and none can be made where it should be (a read-only home folder).

    The one key problem an upgrade may go past, keeping tokens as hashes only:
    every other one (two settings at once, a key others can read, a damaged or
    wrong key) is a mistake to fix first, so the upgrade stops instead.
    """


class ConflictError(WorkbookError):
    """The requested change clashes with what is stored."""


class AlreadySubmittedError(ConflictError):
    """Answers were submitted and are final."""


class MailServerError(WorkbookError):
    """The mail server cannot be reached, its certificate verified, or the login is refused.

    Stops a run of ``invites --send``: everything sent so far is logged, so the
    same command carries on once the problem is fixed.  The message names the
    server without its password.
    """


class CycleClosedError(ConflictError):
    """The assessment cycle is past its closing date: nothing more is saved."""

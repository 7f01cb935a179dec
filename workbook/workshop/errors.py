"""The one error the workshop adds: an edit that started from an old version.

Two facilitators may have the same workshop open (one at the projector, one on
a laptop).  Every editable row carries a ``version``; an update names the
version it started from, and when somebody else saved in between the update
is refused with :class:`StaleEditError` rather than silently overwriting their
work.  The error carries what is stored *now*, so the app can show the other
person's value at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from workbook.errors import ConflictError

if TYPE_CHECKING:
    from workbook.workshop.records import ActionRecord, PlayRecord, PracticeRatingRecord, StepEvidenceRecord

__all__ = ["StaleEditError", "stale_message"]



class StaleEditError(ConflictError):
    """Somebody else changed (or removed) this after it was loaded.

    ``current`` is the stored record now, or None when it was removed.
    """

    def __init__(self, message: str,
                 current: PracticeRatingRecord | StepEvidenceRecord | ActionRecord | PlayRecord | None) -> None:
        super().__init__(message)
        self.current = current


def stale_message(what: str, by: str | None, *, retry: str = "make your change again") -> str:
    """One line for the person whose change was refused, saying what to do next."""
    who = f"someone else ({by})" if by else "someone else"
    return f"{who} changed {what} after you opened it; their version is shown now, so {retry} if it is still needed"

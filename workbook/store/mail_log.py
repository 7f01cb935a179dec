"""The send log: what ``workbook invites ORG --send`` has mailed, and to whom.

Each message tried is recorded in its own short transaction the moment the
mail server has answered, so a run stopped by a crash or Ctrl-C loses at most
the record of the one message in flight, and the next run skips everyone
already mailed (see :mod:`workbook.mail.campaign`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from sqlalchemy import func, select

from workbook.store._base import Repository, as_utc, utcnow
from workbook.store.mail_tables import MailLogEntry
from workbook.store.tables import Person

__all__ = ["MailHistory", "MailKind", "MailLog", "MailOutcome"]

MailKind = Literal["invitation", "reminder"]
MailOutcome = Literal["sent", "failed"]
_DETAIL_LENGTH = 300


@dataclass(frozen=True, slots=True)
class MailHistory:
    """What the log says about an organisation's people, for deciding whom to skip.

    ``last_sent``: each person's most recent message that the server accepted,
    in any cycle (the interval protects people, whatever the cycle).
    ``invited``: people sent an invitation in the cycle asked about.
    """

    last_sent: dict[int, datetime] = field(default_factory=dict)
    invited: frozenset[int] = frozenset()


class MailLog(Repository):
    def record(self, person_id: int, cycle_id: int, kind: MailKind, outcome: MailOutcome,
               detail: str | None = None, *, at: datetime | None = None) -> None:
        """Add one line to the log (``detail``: the server's reason for a failure, shortened)."""
        with self._tx.writing() as session:
            session.add(MailLogEntry(
                person_id=person_id, cycle_id=cycle_id, kind=kind, outcome=outcome,
                detail=None if detail is None else detail[:_DETAIL_LENGTH], created_at=at or utcnow(),
            ))

    def history(self, org_id: str, cycle_id: int) -> MailHistory:
        """Last accepted message per person of ``org_id``, and who was invited in ``cycle_id``."""
        sent = select(MailLogEntry.person_id, func.max(MailLogEntry.created_at)).join(
            Person, Person.id == MailLogEntry.person_id,
        ).where(Person.organisation_id == org_id, MailLogEntry.outcome == "sent").group_by(MailLogEntry.person_id)
        invited = select(MailLogEntry.person_id).join(Person, Person.id == MailLogEntry.person_id).where(
            Person.organisation_id == org_id, MailLogEntry.cycle_id == cycle_id,
            MailLogEntry.kind == "invitation", MailLogEntry.outcome == "sent",
        )
        with self._tx.reading() as session:
            last = {person_id: as_utc(when) for person_id, when in session.execute(sent).all()}
            return MailHistory(last_sent=last, invited=frozenset(session.scalars(invited)))

    def entries(self, person_id: int) -> list[tuple[int, MailKind, MailOutcome, str | None, datetime]]:
        """One person's log, oldest first: (cycle id, kind, outcome, detail, when)."""
        query = select(MailLogEntry).where(MailLogEntry.person_id == person_id).order_by(MailLogEntry.id)
        with self._tx.reading() as session:
            return [
                (row.cycle_id, "reminder" if row.kind == "reminder" else "invitation",
                 "sent" if row.outcome == "sent" else "failed", row.detail, as_utc(row.created_at))
                for row in session.scalars(query)
            ]

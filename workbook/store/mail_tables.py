"""The send log of invitations and reminders by email.

One row per message tried: who, for which cycle, which kind, when, and what
the mail server said.  ``workbook invites ORG --send`` reads it to skip people
mailed recently (``--min-interval``) and people already invited this cycle, so
a run stopped by a crash or Ctrl-C carries on where it stopped when run again.
Rows go with their person and cycle (``ON DELETE CASCADE``): erasing someone
erases the record of having mailed them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from workbook.store.tables import Base

__all__ = ["MailLogEntry"]


class MailLogEntry(Base):
    __tablename__ = "mail_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    outcome: Mapped[str] = mapped_column(String(16))
    #: The mail server's answer for a failure (e.g. ``550 5.1.1 no such mailbox``); never a link.
    detail: Mapped[str | None] = mapped_column(String(300), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        CheckConstraint("kind IN ('invitation', 'reminder')", name="kind"),
        CheckConstraint("outcome IN ('sent', 'failed')", name="outcome"),
    )

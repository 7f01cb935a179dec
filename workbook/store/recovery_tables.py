"""The service recovery playbook's table: one row per common failure, per cycle.

Like the workshop's actions, a playbook belongs to an assessment cycle
(``ON DELETE CASCADE`` from ``cycles``), so each quarter keeps the playbook
as the team agreed it then.  Opening a new cycle copies the newest playbook
into it (:mod:`workbook.workshop.carry`), each copy naming the row it came
from in ``carried_from_id``, so the team refines it quarter by quarter while
the earlier versions stay as they were.  Every row carries a ``version`` for
compare-and-set edits, so two facilitators never overwrite each other silently.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from workbook.store.tables import Base

__all__ = ["RecoveryPlay"]


class RecoveryPlay(Base):
    """One row of the playbook: a common failure and how front-line staff put it right."""

    __tablename__ = "recovery_plays"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"), index=True)
    failure: Mapped[str] = mapped_column(Text)
    #: Acknowledge and apologise: the words staff use first.
    say: Mapped[str | None] = mapped_column(Text, nullable=True)
    #: Here is what we will do: what staff may offer without asking, and up to what amount.
    offer: Mapped[str | None] = mapped_column(Text, nullable=True)
    offer_limit: Mapped[float | None] = mapped_column(Float, nullable=True)
    speed: Mapped[str | None] = mapped_column(String(200), nullable=True)
    #: Follow up: who contacts the customer afterwards, and when.
    follow_up_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    follow_up_when: Mapped[str | None] = mapped_column(String(200), nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    #: The row of an earlier cycle's playbook this one was copied from; unique, so a copy is never made twice.
    carried_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("recovery_plays.id", ondelete="SET NULL"), nullable=True)

    __table_args__ = (
        UniqueConstraint("carried_from_id", name="uq_recovery_plays_carried_from"),
        CheckConstraint("offer_limit IS NULL OR offer_limit >= 0", name="offer_limit_min"),
    )

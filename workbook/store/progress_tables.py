"""Who has been invited to, and who has opened, each assessment cycle.

One row per person and cycle, made the first time either happens; the rest of
a person's progress is already in ``submissions`` (started, submitted) and
``answers`` (the last answer), so it is derived from there rather than kept
twice.  Rows cascade from ``people`` and ``cycles``: erasing a person or an
organisation erases this too.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from workbook.store.tables import Base

__all__ = ["CycleProgress"]


class CycleProgress(Base):
    """When a person was first and last invited to a cycle (and how), and when they first opened it."""

    __tablename__ = "cycle_progress"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"), index=True)
    invited_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_invited_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    #: Every way they were invited so far, sorted and comma-separated: "card,link,mail".
    invited_how: Mapped[str | None] = mapped_column(String(32), nullable=True)
    opened_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    __table_args__ = (UniqueConstraint("person_id", "cycle_id", name="uq_cycle_progress_person_cycle"),)

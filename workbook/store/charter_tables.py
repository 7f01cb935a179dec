"""Tables of the customer-service charter: numbered versions and their promises.

A charter is kept as a sequence of versions per organisation.  At most one is a
draft (being written); approving it freezes it, and the next edit starts a new
draft copied from it, so earlier versions stay and can be compared.  The
``version`` column guards the draft against two people saving over each other.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from workbook.store.tables import Base

__all__ = ["Charter", "CharterPromise"]


class Charter(Base):
    __tablename__ = "charters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    title: Mapped[str | None] = mapped_column(String(200), nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    approved_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    #: What customers are told to expect, and what the team commits to inside (0009).
    brand_promise: Mapped[str | None] = mapped_column(Text, nullable=True)
    common_purpose: Mapped[str | None] = mapped_column(Text, nullable=True)

    __table_args__ = (
        UniqueConstraint("organisation_id", "number", name="uq_charters_org_number"),
        CheckConstraint("status IN ('draft', 'approved')", name="status"),
    )


class CharterPromise(Base):
    """One promise of a charter version, in its place (1-based) on the page."""

    __tablename__ = "charter_promises"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    charter_id: Mapped[int] = mapped_column(ForeignKey("charters.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    value_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    step_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    standard: Mapped[str | None] = mapped_column(Text, nullable=True)
    owner: Mapped[str | None] = mapped_column(String(200), nullable=True)
    review_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    starter_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    #: The customer measure that shows the promise is kept, and its target (0009).
    measure_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    target_op: Mapped[str | None] = mapped_column(String(2), nullable=True)
    target_value: Mapped[float | None] = mapped_column(Float, nullable=True)

    __table_args__ = (
        UniqueConstraint("charter_id", "position", name="uq_charter_promises_charter_position"),
        CheckConstraint("position >= 1", name="position_min"),
    )

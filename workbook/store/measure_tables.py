"""The customer scorecard's table: one value per measure, organisation and cycle.

A value belongs to an assessment cycle (``ON DELETE CASCADE`` from ``cycles``,
which cascades from ``organisations``), so a quarter's scorecard sits beside
that quarter's self-assessment and workshop.  ``measure_id`` names a measure of
the framework file's catalogue; it is not a foreign key because the catalogue
lives in YAML, not in the database.  ``version`` rises on every change so two
facilitators editing the same cell never overwrite each other silently.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from workbook.store.tables import Base

__all__ = ["MeasureValue"]


class MeasureValue(Base):
    """This quarter's figure for one customer measure, with an optional note of where it came from."""

    __tablename__ = "measure_values"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"), index=True)
    measure_id: Mapped[str] = mapped_column(String(32))
    value: Mapped[float] = mapped_column(Float)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_by: Mapped[str | None] = mapped_column(String(100), nullable=True)

    __table_args__ = (UniqueConstraint("cycle_id", "measure_id", name="uq_measure_values_cycle_measure"),)

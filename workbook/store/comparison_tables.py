"""Averages already worked out for respondents' results pages, so each page need not read everyone.

A respondent's results page compares their scores with the average of the
first whole batches of people to submit (:mod:`workbook.values.results`).
Working that out reads every counted answer of the cycle, which grows with the
organisation: about 4 CPU seconds per page with 5,000 people who submitted.
The same counted set gives the same average, so the first page to need one
keeps it here and every later page reads it (in a large organisation, one
a few people behind may be shown for a while: see
:func:`workbook.values.results.everyone_average`).  Rows cascade from ``cycles``:
deleting an organisation deletes these too, and they hold no person's own
answers, only averages that are shown to everyone anyway.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from workbook.store.tables import Base

__all__ = ["KeptComparison"]


class KeptComparison(Base):
    """One worked-out comparison of a cycle, under the fingerprint of what it was worked out from."""

    __tablename__ = "kept_comparisons"

    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"), primary_key=True)
    #: sha256 of the counted people (id, role, team, in submission order), the threshold and the framework.
    fingerprint: Mapped[str] = mapped_column(String(64), primary_key=True)
    #: How many people it counts (the first to submit): a later page may show it while it is close enough.
    counted: Mapped[int] = mapped_column(Integer)
    #: JSON: what :mod:`workbook.values.results` needs to show the comparison.
    payload: Mapped[str] = mapped_column(Text)
    made_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

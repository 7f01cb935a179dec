"""Which people stood behind each group a report showed: one row per release, group and person.

A report's figures for a group are sums over its people, so two versions of
a report of the same cycle let anyone subtract one from the other.  Recording
who was behind each shown group (person ids only, never names or tokens) is
what lets a later version refuse to differ from an earlier one by a few people
(see :mod:`workbook.releases`).

``person_id`` is deliberately not a foreign key: deleting a person must not
erase the fact that an earlier report counted them.  Releases belong to a
cycle and go with it (``ON DELETE CASCADE``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from workbook.store.tables import Base

__all__ = ["ReportRelease", "ReportReleaseMember"]


class ReportRelease(Base):
    """One report version that was handed out: its cycle, when, and at which threshold."""

    __tablename__ = "report_releases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"), index=True)
    released_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    threshold: Mapped[int] = mapped_column(Integer)


class ReportReleaseMember(Base):
    """One person behind one shown group of a release (``kind``: everyone, team or role)."""

    __tablename__ = "report_release_members"

    release_id: Mapped[int] = mapped_column(ForeignKey("report_releases.id", ondelete="CASCADE"),
                                            primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    label: Mapped[str] = mapped_column(String(200), primary_key=True)
    person_id: Mapped[int] = mapped_column(Integer, primary_key=True)

"""Averages already worked out for results pages (see :mod:`workbook.store.comparison_tables`).

:meth:`KeptComparisons.get` reads one by its fingerprint,
:meth:`KeptComparisons.newest` the ones counting the most people, and
:meth:`KeptComparisons.keep` stores one.  What a fingerprint stands for, and
the payload's shape, belong to :mod:`workbook.values.results`; this module
only keeps text under a key.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from workbook.errors import ConflictError
from workbook.store._base import Repository, as_utc, utcnow
from workbook.store.comparison_tables import KeptComparison

__all__ = ["KeptComparisons", "KeptRecord"]


@dataclass(frozen=True, slots=True)
class KeptRecord:
    """One kept comparison: its fingerprint, how many people it counts, its payload and when it was made."""

    fingerprint: str
    counted: int
    payload: str
    made_at: datetime


class KeptComparisons(Repository):
    def get(self, cycle_id: int, fingerprint: str) -> str | None:
        """The payload kept for this cycle under ``fingerprint``, or None when nobody has worked it out yet."""
        query = select(KeptComparison.payload).where(KeptComparison.cycle_id == cycle_id,
                                                     KeptComparison.fingerprint == fingerprint)
        with self._tx.reading() as session:
            return session.scalars(query).first()

    def newest(self, cycle_id: int, limit: int = 3) -> list[KeptRecord]:
        """The ``limit`` kept comparisons of this cycle that count the most people, most first."""
        query = (select(KeptComparison).where(KeptComparison.cycle_id == cycle_id)
                 .order_by(KeptComparison.counted.desc(), KeptComparison.made_at.desc()).limit(limit))
        with self._tx.reading() as session:
            return [KeptRecord(row.fingerprint, row.counted, row.payload, as_utc(row.made_at))
                    for row in session.scalars(query)]

    def keep(self, cycle_id: int, fingerprint: str, payload: str, counted: int) -> None:
        """Keep ``payload`` under ``fingerprint``; a payload kept there already (by another page) stays.

        Two pages that work out the same comparison at the same moment store
        the same text, so the second one's clash is no error.
        """
        try:
            with self._tx.writing() as session:
                if session.get(KeptComparison, (cycle_id, fingerprint)) is None:
                    session.add(KeptComparison(cycle_id=cycle_id, fingerprint=fingerprint, counted=counted,
                                               payload=payload, made_at=utcnow()))
        except ConflictError:
            return

"""Averages already worked out for results pages (see :mod:`workbook.store.comparison_tables`).

Two calls: :meth:`KeptComparisons.get` reads one by its fingerprint and
:meth:`KeptComparisons.keep` stores one.  What a fingerprint stands for, and
the payload's shape, belong to :mod:`workbook.values.results`; this module
only keeps text under a key.
"""

from __future__ import annotations

from sqlalchemy import select

from workbook.errors import ConflictError
from workbook.store._base import Repository, utcnow
from workbook.store.comparison_tables import KeptComparison

__all__ = ["KeptComparisons"]


class KeptComparisons(Repository):
    def get(self, cycle_id: int, fingerprint: str) -> str | None:
        """The payload kept for this cycle under ``fingerprint``, or None when nobody has worked it out yet."""
        query = select(KeptComparison.payload).where(KeptComparison.cycle_id == cycle_id,
                                                     KeptComparison.fingerprint == fingerprint)
        with self._tx.reading() as session:
            return session.scalars(query).first()

    def keep(self, cycle_id: int, fingerprint: str, payload: str) -> None:
        """Keep ``payload`` under ``fingerprint``; a payload kept there already (by another page) stays.

        Two pages that work out the same comparison at the same moment store
        the same text, so the second one's clash is no error.
        """
        try:
            with self._tx.writing() as session:
                if session.get(KeptComparison, (cycle_id, fingerprint)) is None:
                    session.add(KeptComparison(cycle_id=cycle_id, fingerprint=fingerprint, payload=payload,
                                               made_at=utcnow()))
        except ConflictError:
            return

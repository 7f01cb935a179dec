"""The report releases of each cycle: which people stood behind each group a report showed.

Written when a report is made (not for a dry run), read when the next version
of the same cycle is made; :mod:`workbook.releases` decides what to do with them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType

from sqlalchemy import select

from workbook.store._base import Repository, as_utc, utcnow
from workbook.store.release_tables import ReportRelease, ReportReleaseMember

__all__ = ["GroupKey", "ReleaseRecord", "Releases"]

GroupKey = tuple[str, str]
"""(kind, label): kind is ``everyone``, ``team`` or ``role``; the label is the one the report showed."""


@dataclass(frozen=True)
class ReleaseRecord:
    """One recorded report version: the person ids behind each group it showed."""

    id: int
    cycle_id: int
    released_at: datetime
    threshold: int
    groups: Mapping[GroupKey, frozenset[int]]


class Releases(Repository):
    def for_cycle(self, cycle_id: int) -> tuple[ReleaseRecord, ...]:
        """Every release of the cycle, oldest first."""
        with self._tx.reading() as session:
            releases = session.scalars(
                select(ReportRelease).where(ReportRelease.cycle_id == cycle_id)
                .order_by(ReportRelease.released_at, ReportRelease.id)).all()
            if not releases:
                return ()
            members: dict[int, dict[GroupKey, set[int]]] = {r.id: {} for r in releases}
            rows = session.execute(
                select(ReportReleaseMember.release_id, ReportReleaseMember.kind, ReportReleaseMember.label,
                       ReportReleaseMember.person_id)
                .where(ReportReleaseMember.release_id.in_(list(members)))).all()
            for release_id, kind, label, person_id in rows:
                members[release_id].setdefault((kind, label), set()).add(int(person_id))
            return tuple(
                ReleaseRecord(r.id, r.cycle_id, as_utc(r.released_at), r.threshold,
                              MappingProxyType({k: frozenset(v) for k, v in members[r.id].items()}))
                for r in releases)

    def record(self, cycle_id: int, groups: Mapping[GroupKey, frozenset[int]], threshold: int,
               *, at: datetime | None = None) -> ReleaseRecord | None:
        """Record a release, or nothing (``None``) when an earlier one showed exactly these groups.

        Re-running a report on the same answers therefore records nothing new,
        and the next version's notes stay the same.
        """
        wanted = {k: frozenset(v) for k, v in groups.items() if v}
        if not wanted:
            return None
        if any(dict(r.groups) == wanted for r in self.for_cycle(cycle_id)):
            return None
        when = at or utcnow()
        with self._tx.writing() as session:
            release = ReportRelease(cycle_id=cycle_id, released_at=when, threshold=threshold)
            session.add(release)
            session.flush()
            session.add_all(ReportReleaseMember(release_id=release.id, kind=kind, label=label, person_id=person)
                            for (kind, label), people in wanted.items() for person in sorted(people))
            release_id = release.id
        return ReleaseRecord(release_id, cycle_id, as_utc(when), threshold, MappingProxyType(wanted))

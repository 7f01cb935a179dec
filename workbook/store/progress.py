"""Who has been invited to a cycle, and who has opened it: the bookkeeping of "who has answered".

Three things write here: ``workbook invites`` (how "link"), the invite cards
(``invites --cards``, how "card") and the mail sender (how "mail"), all
through :meth:`Progress.mark_invited`; and the values app, the first time a
person's page is made (:meth:`Progress.mark_opened`: one read, and one write
only that first time).  Started, submitted and the last answer are not kept
twice: :meth:`Progress.of_cycle` reads them from ``submissions`` and
``answers``.  :mod:`workbook.progress` turns these records into a status.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import get_args

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workbook.errors import InputError, NotFoundError
from workbook.store._base import Repository, as_utc, utcnow
from workbook.store.progress_tables import CycleProgress
from workbook.store.records import InviteHow, ProgressRecord
from workbook.store.tables import Answer, Cycle, Organisation, Person, Submission
from workbook.text import quoted

__all__ = ["INVITE_HOW", "Progress"]

#: Every way of inviting, in the order they are listed.
INVITE_HOW: tuple[InviteHow, ...] = get_args(InviteHow)


def _utc(value: datetime | None) -> datetime | None:
    return None if value is None else as_utc(value)


def _hows(text: str | None) -> tuple[InviteHow, ...]:
    given = set((text or "").split(","))
    return tuple(how for how in INVITE_HOW if how in given)


class Progress(Repository):
    def mark_invited(self, org_id: str, person_ids: Iterable[int], cycle_id: int, how: InviteHow) -> int:
        """Note that these people of ``org_id`` were sent their link to ``cycle_id`` now, by ``how``.

        The first invitation's time is kept, the latest is updated, and every
        way used is remembered.  All or nothing: a person or cycle of another
        organisation is refused.  Returns how many people were marked.
        """
        if how not in INVITE_HOW:
            raise InputError(f"an invitation is sent by {', '.join(INVITE_HOW)}, not {quoted(how)}")
        wanted = set(person_ids)
        if not wanted:
            return 0
        now = utcnow()
        with self._tx.writing() as session:
            self._check_cycle(session, org_id, cycle_id)
            known = set(session.scalars(
                select(Person.id).where(Person.organisation_id == org_id, Person.id.in_(wanted))))
            if known != wanted:
                raise NotFoundError(f"{len(wanted - known)} of the people to mark as invited are not in "
                                    f"{quoted(org_id)} (any more)")
            rows = {r.person_id: r for r in session.scalars(
                select(CycleProgress).where(CycleProgress.cycle_id == cycle_id, CycleProgress.person_id.in_(wanted)))}
            for person_id in wanted:
                row = rows.get(person_id)
                if row is None:
                    row = CycleProgress(person_id=person_id, cycle_id=cycle_id)
                    session.add(row)
                if row.invited_at is None:
                    row.invited_at = now
                row.last_invited_at = now
                row.invited_how = ",".join(_hows(f"{row.invited_how or ''},{how}"))
            session.flush()
        return len(wanted)

    def mark_opened(self, person_id: int, cycle_id: int) -> bool:
        """Note the first time the person's page for the cycle was made; True only that first time.

        Reloads reuse the page, and later pages find the time already set with
        one read, so only the very first opening writes.
        """
        with self._tx.reading() as session:
            opened = session.scalar(select(CycleProgress.opened_at).where(
                CycleProgress.person_id == person_id, CycleProgress.cycle_id == cycle_id))
        if opened is not None:
            return False
        with self._tx.writing() as session:
            row = session.scalars(select(CycleProgress).where(
                CycleProgress.person_id == person_id, CycleProgress.cycle_id == cycle_id)).first()
            if row is None:
                person, cycle = session.get(Person, person_id), session.get(Cycle, cycle_id)
                if person is None or cycle is None or person.organisation_id != cycle.organisation_id:
                    raise NotFoundError("this person or assessment cycle no longer exists")
                row = CycleProgress(person_id=person_id, cycle_id=cycle_id)
                session.add(row)
            elif row.opened_at is not None:  # another page got there first
                return False
            row.opened_at = utcnow()
            session.flush()
        return True

    def of_cycle(self, org_id: str, cycle_id: int) -> dict[int, ProgressRecord]:
        """Everyone in ``org_id`` (by person id) with their progress in ``cycle_id``, in two queries."""
        last_answer = (
            select(Answer.person_id, func.max(Answer.updated_at).label("last"))
            .where(Answer.cycle_id == cycle_id).group_by(Answer.person_id).subquery()
        )
        query = (
            select(Person.id, CycleProgress, Submission.status, Submission.started_at, Submission.submitted_at,
                   last_answer.c.last)
            .outerjoin(CycleProgress, (CycleProgress.person_id == Person.id) & (CycleProgress.cycle_id == cycle_id))
            .outerjoin(Submission, (Submission.person_id == Person.id) & (Submission.cycle_id == cycle_id))
            .outerjoin(last_answer, last_answer.c.person_id == Person.id)
            .where(Person.organisation_id == org_id)
        )
        with self._tx.reading() as session:
            self._check_cycle(session, org_id, cycle_id)
            out = {}
            for person_id, row, status, started, submitted, last in session.execute(query).all():
                out[person_id] = ProgressRecord(
                    person_id=person_id, cycle_id=cycle_id,
                    invited_at=_utc(row.invited_at) if row else None,
                    last_invited_at=_utc(row.last_invited_at) if row else None,
                    invited_how=_hows(row.invited_how) if row else (),
                    opened_at=_utc(row.opened_at) if row else None,
                    started_at=_utc(started), last_answer_at=_utc(last),
                    submitted_at=_utc(submitted) if status == "submitted" else None,
                )
            return out

    @staticmethod
    def _check_cycle(session: Session, org_id: str, cycle_id: int) -> None:
        if session.get(Organisation, org_id) is None:
            raise NotFoundError(f"no organisation with the id {quoted(org_id)} (see: workbook org list)")
        cycle = session.get(Cycle, cycle_id)
        if cycle is None or cycle.organisation_id != org_id:
            raise NotFoundError(f"{quoted(org_id)} has no such assessment cycle (see: workbook cycle list {org_id})")

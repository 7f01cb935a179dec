"""Carrying unfinished actions, and the recovery playbook, into a newly opened cycle.

When an organisation opens a new cycle (``workbook cycle open``), every action
of its earlier cycles that is still open or in progress goes on into the new
cycle: a new row there names the row it continues (``carried_from_id``) and
the old row takes its final state, ``carried``.  Each quarter's plan therefore
stays exactly as it was agreed, and following the links gives an action's
history across quarters.

It runs inside the transaction that opens the cycle
(:meth:`workbook.store.responses.Responses.open_cycle`), so a cycle never
exists without its carried actions.  Running it again changes nothing: a
carried row is no longer unfinished, and ``carried_from_id`` is unique, so an
action can never be carried twice.  Actions left open in cycles opened before
this feature existed are carried too, because every earlier cycle is looked
at, not only the one just before.

The service recovery playbook is carried differently (:func:`carry_playbook`):
it is a living document, not a list of tasks, so the new cycle receives a copy
of the newest earlier playbook, every row of it, each naming the row it was
copied from.  The team refines the copy; the earlier quarter keeps its own.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from workbook.errors import NotFoundError
from workbook.store._base import utcnow
from workbook.store.recovery_tables import RecoveryPlay
from workbook.store.tables import Cycle
from workbook.store.workshop_tables import WorkshopAction
from workbook.workshop.records import UNFINISHED_STATUSES

__all__ = ["carry_forward", "carry_playbook"]


def carry_forward(session: Session, org_id: str, cycle_id: int) -> int:
    """Carry the organisation's unfinished actions of earlier cycles into ``cycle_id``; returns how many.

    Rows are locked (``FOR UPDATE`` on PostgreSQL; SQLite writes one at a
    time anyway), so two cycles opened at the same moment cannot both carry
    the same action.
    """
    earlier = _earlier_than(session, org_id, cycle_id)
    query = (
        select(WorkshopAction)
        .join(Cycle, Cycle.id == WorkshopAction.cycle_id)
        .where(Cycle.organisation_id == org_id, Cycle.id != cycle_id, earlier,
               WorkshopAction.status.in_(UNFINISHED_STATUSES))
        .order_by(Cycle.created_at, Cycle.id, WorkshopAction.created_at, WorkshopAction.id)
        .with_for_update(of=WorkshopAction)
    )
    now = utcnow()
    carried = 0
    for old in session.scalars(query).all():
        session.add(WorkshopAction(
            cycle_id=cycle_id, step_id=old.step_id, what=old.what, owner=old.owner, due=old.due,
            status=old.status, version=1, created_at=now, updated_at=now, updated_by=old.updated_by,
            carried_from_id=old.id,
        ))
        old.status = "carried"
        old.version = old.version + 1
        old.updated_at = now
        carried += 1
    session.flush()
    return carried


def carry_playbook(session: Session, org_id: str, cycle_id: int) -> int:
    """Copy the newest earlier cycle's recovery playbook into ``cycle_id``; returns how many rows.

    Nothing is copied when the cycle already has a playbook (so running it
    again changes nothing) or no earlier cycle has one.  Copies keep the
    order of the rows and name their originals in ``carried_from_id``.
    """
    earlier = _earlier_than(session, org_id, cycle_id)
    if session.scalars(select(RecoveryPlay.id).where(RecoveryPlay.cycle_id == cycle_id)).first() is not None:
        return 0
    source = session.scalars(
        select(Cycle.id).join(RecoveryPlay, RecoveryPlay.cycle_id == Cycle.id)
        .where(Cycle.organisation_id == org_id, Cycle.id != cycle_id, earlier)
        .order_by(Cycle.created_at.desc(), Cycle.id.desc())
    ).first()
    if source is None:
        return 0
    rows = session.scalars(select(RecoveryPlay).where(RecoveryPlay.cycle_id == source)
                           .order_by(RecoveryPlay.created_at, RecoveryPlay.id)).all()
    now = utcnow()
    for old in rows:
        session.add(RecoveryPlay(
            cycle_id=cycle_id, failure=old.failure, say=old.say, offer=old.offer, offer_limit=old.offer_limit,
            speed=old.speed, follow_up_by=old.follow_up_by, follow_up_when=old.follow_up_when, version=1,
            created_at=now, updated_at=now, updated_by=old.updated_by, carried_from_id=old.id,
        ))
    session.flush()
    return len(rows)


def _earlier_than(session: Session, org_id: str, cycle_id: int) -> Any:
    """A condition on :class:`Cycle` selecting the organisation's cycles opened before ``cycle_id``."""
    target = session.get(Cycle, cycle_id)
    if target is None or target.organisation_id != org_id:
        raise NotFoundError(f"the organisation has no assessment cycle with the id {cycle_id!r}")
    return or_(Cycle.created_at < target.created_at,
               and_(Cycle.created_at == target.created_at, Cycle.id < target.id))

"""Carrying unfinished actions into a newly opened cycle.

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
"""

from __future__ import annotations

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from workbook.errors import NotFoundError
from workbook.store._base import utcnow
from workbook.store.tables import Cycle
from workbook.store.workshop_tables import WorkshopAction
from workbook.workshop.records import UNFINISHED_STATUSES

__all__ = ["carry_forward"]


def carry_forward(session: Session, org_id: str, cycle_id: int) -> int:
    """Carry the organisation's unfinished actions of earlier cycles into ``cycle_id``; returns how many.

    Rows are locked (``FOR UPDATE`` on PostgreSQL; SQLite writes one at a
    time anyway), so two cycles opened at the same moment cannot both carry
    the same action.
    """
    target = session.get(Cycle, cycle_id)
    if target is None or target.organisation_id != org_id:
        raise NotFoundError(f"the organisation has no assessment cycle with the id {cycle_id!r}")
    earlier = or_(Cycle.created_at < target.created_at,
                  and_(Cycle.created_at == target.created_at, Cycle.id < target.id))
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

"""The service recovery playbook's repository: a cycle's rows, added, edited and removed.

Usage::

    playbook = Playbook(store)
    row = playbook.add(cycle.id, PlayFields("Room not ready at check-in", limit="25"), by="Sam")
    row = playbook.update(cycle.id, row.id, PlayFields(...), expected_version=row.version, by="Sam")
    playbook.remove(cycle.id, row.id, expected_version=row.version)
    label, rows = playbook.current(org.id)      # the newest cycle's playbook, for the charter

Each call is one short transaction and checks every field
(:func:`workbook.workshop.checks.check_play`), because a browser can send
anything.  Edits are compare-and-set on ``version``, as for the workshop's
actions: the loser of a race gets :class:`~workbook.workshop.errors.StaleEditError`
carrying the stored row.  Unlike an action, a playbook row has no status:
each quarter's playbook is a copy made when the cycle opened
(:func:`workbook.workshop.carry.carry_playbook`), so editing or removing a
row changes this quarter's playbook only, never an earlier one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import CursorResult, and_, delete, select, update
from sqlalchemy.orm import Session

from workbook.errors import InputError, NotFoundError
from workbook.store._base import Repository, Transactions, as_utc, utcnow
from workbook.store.recovery_tables import RecoveryPlay
from workbook.store.tables import Cycle
from workbook.workshop.checks import check_by, check_play, check_version
from workbook.workshop.errors import StaleEditError, stale_message
from workbook.workshop.records import PlayFields, PlayRecord

if TYPE_CHECKING:
    from workbook.store import Store

__all__ = ["MAX_PLAYS", "Playbook", "play_record"]

#: A playbook is a page the front line can learn, not a manual.
MAX_PLAYS = 30


def play_record(row: RecoveryPlay) -> PlayRecord:
    return PlayRecord(
        id=row.id, cycle_id=row.cycle_id, failure=row.failure, say=row.say, offer=row.offer, limit=row.offer_limit,
        speed=row.speed, follow_up_by=row.follow_up_by, follow_up_when=row.follow_up_when, version=row.version,
        updated_at=as_utc(row.updated_at), updated_by=row.updated_by, carried_from_id=row.carried_from_id,
    )


class Playbook(Repository):
    """Reads and writes one organisation's recovery playbook, cycle by cycle."""

    def __init__(self, source: Store | Transactions) -> None:
        transactions = source if isinstance(source, Transactions) else source.transactions
        super().__init__(transactions)

    def plays(self, cycle_id: int) -> tuple[PlayRecord, ...]:
        """The cycle's playbook in the order its rows were written."""
        with self._tx.reading() as session:
            return tuple(play_record(r) for r in session.scalars(_query(cycle_id)))

    def current(self, org_id: str) -> tuple[str | None, tuple[PlayRecord, ...]]:
        """The playbook of the organisation's newest cycle with its label; ``(None, ())`` without cycles."""
        with self._tx.reading() as session:
            newest = session.scalars(select(Cycle).where(Cycle.organisation_id == org_id)
                                     .order_by(Cycle.created_at.desc(), Cycle.id.desc())).first()
            if newest is None:
                return None, ()
            return newest.label, tuple(play_record(r) for r in session.scalars(_query(newest.id)))

    def carry_into(self, org_id: str, cycle_id: int) -> int:
        """Copy the newest earlier playbook into ``cycle_id`` (what opening a cycle does); returns how many rows."""
        from workbook.workshop.carry import carry_playbook

        with self._tx.writing() as session:
            return carry_playbook(session, org_id, cycle_id)

    def add(self, cycle_id: int, fields: PlayFields, *, by: str | None = None) -> PlayRecord:
        """Add a row at the end of the cycle's playbook."""
        values, by = check_play(fields), check_by(by)
        with self._tx.writing() as session:
            if session.get(Cycle, cycle_id) is None:
                raise NotFoundError("this assessment cycle no longer exists; open the facilitator link again")
            count = len(session.scalars(select(RecoveryPlay.id).where(RecoveryPlay.cycle_id == cycle_id)).all())
            if count >= MAX_PLAYS:
                raise _full()
            now = utcnow()
            row = RecoveryPlay(cycle_id=cycle_id, version=1, created_at=now, updated_at=now, updated_by=by, **values)
            session.add(row)
            session.flush()
            return play_record(row)

    def update(self, cycle_id: int, play_id: int, fields: PlayFields, *, expected_version: int,
               by: str | None = None) -> PlayRecord:
        """Change a row; refused if somebody else changed or removed it first.

        Saving what is already stored is accepted as it is (two people making
        the same change agree rather than clash).
        """
        values, expected, by = check_play(fields), check_version(expected_version), check_by(by)
        where = and_(RecoveryPlay.id == play_id, RecoveryPlay.cycle_id == cycle_id)
        with self._tx.writing() as session:
            current = _row(session, where)
            if current is None:
                raise StaleEditError("someone else removed this row of the playbook after you opened it", None)
            if all(getattr(current, k) == v for k, v in values.items()):
                return play_record(current)
            changed = _execute(session,
                update(RecoveryPlay).where(where, RecoveryPlay.version == expected)
                .values(**values, version=RecoveryPlay.version + 1, updated_at=utcnow(), updated_by=by)
                .execution_options(synchronize_session=False))
            fresh = _row(session, where)
            if fresh is None:
                raise StaleEditError("someone else removed this row of the playbook after you opened it", None)
            if changed.rowcount != 1:
                raise StaleEditError(stale_message("this row of the playbook", fresh.updated_by), play_record(fresh))
            return play_record(fresh)

    def remove(self, cycle_id: int, play_id: int, *, expected_version: int) -> None:
        """Remove a row from this cycle's playbook (earlier cycles keep theirs).

        Removing a row that is already gone is not an error.
        """
        expected = check_version(expected_version)
        where = and_(RecoveryPlay.id == play_id, RecoveryPlay.cycle_id == cycle_id)
        with self._tx.writing() as session:
            removed = _execute(session, delete(RecoveryPlay).where(where, RecoveryPlay.version == expected)
                               .execution_options(synchronize_session=False))
            if removed.rowcount == 1:
                return
            current = _row(session, where)
            if current is not None:
                raise StaleEditError(stale_message("this row of the playbook", current.updated_by,
                                                   retry="remove it again"), play_record(current))


def _full() -> InputError:
    return InputError(f"a playbook holds at most {MAX_PLAYS} failures; merge or remove some first")


def _query(cycle_id: int) -> Any:
    return select(RecoveryPlay).where(RecoveryPlay.cycle_id == cycle_id).order_by(RecoveryPlay.created_at,
                                                                                  RecoveryPlay.id)


def _row(session: Session, where: Any) -> RecoveryPlay | None:
    return session.scalars(select(RecoveryPlay).where(where).execution_options(populate_existing=True)).first()


def _execute(session: Session, statement: Any) -> CursorResult[Any]:
    return cast("CursorResult[Any]", session.execute(statement))

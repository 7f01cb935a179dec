"""The workshop's repository: ratings, evidence, obstacles and actions of a cycle.

Usage::

    workshop = Workshop(store)            # or Workshop(store.transactions)
    state = workshop.state(cycle.id)
    saved = workshop.save_rating(cycle.id, "DC1", 4, expected_version=state.rating("DC1").version,
                                 framework=framework, by="Sam")

Every call is one short transaction, like the other repositories.  Each value
is checked here (:mod:`workbook.workshop.checks`) because a browser can send
anything.  Updates are *compare-and-set*: ``UPDATE ... WHERE version = the
version the edit started from``, which is atomic on SQLite (``BEGIN
IMMEDIATE``) and on PostgreSQL (the row lock re-checks the condition), so two
facilitators never overwrite each other silently; the loser gets
:class:`~workbook.workshop.errors.StaleEditError` carrying the stored value.
When the stored value already equals the one asked for, the edit is accepted:
two people making the same change is agreement, not a conflict.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar, cast

from sqlalchemy import CursorResult, and_, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from workbook.errors import InputError, NotFoundError
from workbook.framework import Framework
from workbook.store._base import Repository, Transactions, as_utc, utcnow
from workbook.store.tables import Cycle, Person, Submission
from workbook.store.workshop_tables import WorkshopAction, WorkshopObstacle, WorkshopRating, WorkshopStep
from workbook.workshop.checks import (
    check_by,
    check_due,
    check_evidence,
    check_note,
    check_owner,
    check_rating,
    check_review,
    check_review_note,
    check_status,
    check_stored_status,
    check_version,
    check_what,
)
from workbook.workshop.errors import StaleEditError, stale_message
from workbook.workshop.records import (
    STATUS_LABELS,
    ActionRecord,
    ActionStatus,
    ObstacleRecord,
    PracticeRatingRecord,
    StepEvidenceRecord,
    TeamProgress,
    WorkshopState,
)

if TYPE_CHECKING:
    from workbook.store import Store

__all__ = ["Workshop"]

_Row = TypeVar("_Row", WorkshopRating, WorkshopStep)


def _rating(row: WorkshopRating) -> PracticeRatingRecord:
    return PracticeRatingRecord(row.cycle_id, row.practice_id, row.rating, row.note, row.version,
                                as_utc(row.updated_at), row.updated_by)


def _evidence(row: WorkshopStep) -> StepEvidenceRecord:
    return StepEvidenceRecord(row.cycle_id, row.step_id, row.evidence, row.version, as_utc(row.updated_at),
                              row.updated_by)


def _obstacle(row: WorkshopObstacle) -> ObstacleRecord:
    return ObstacleRecord(row.cycle_id, row.step_id, row.obstacle_id, row.note, as_utc(row.updated_at),
                          row.updated_by)


def _action(row: WorkshopAction) -> ActionRecord:
    return ActionRecord(
        id=row.id, cycle_id=row.cycle_id, step_id=row.step_id, what=row.what, owner=row.owner, due=row.due,
        status=check_stored_status(row.status), version=row.version, created_at=as_utc(row.created_at),
        updated_at=as_utc(row.updated_at), updated_by=row.updated_by, carried_from_id=row.carried_from_id,
        review=check_review(row.review) if row.review is not None else None, review_note=row.review_note,
    )


class Workshop(Repository):
    """Reads and writes one organisation's workshop, cycle by cycle."""

    def __init__(self, source: Store | Transactions) -> None:
        transactions = source if isinstance(source, Transactions) else source.transactions
        super().__init__(transactions)

    # --- reading ------------------------------------------------------------------
    def state(self, cycle_id: int) -> WorkshopState:
        """Everything entered for the cycle, from one consistent read."""
        with self._tx.reading() as session:
            ratings = session.scalars(select(WorkshopRating).where(WorkshopRating.cycle_id == cycle_id))
            rating_map = {r.practice_id: _rating(r) for r in ratings}
            steps = session.scalars(select(WorkshopStep).where(WorkshopStep.cycle_id == cycle_id))
            evidence_map = {s.step_id: _evidence(s) for s in steps}
            obstacles = session.scalars(
                select(WorkshopObstacle).where(WorkshopObstacle.cycle_id == cycle_id)
                .order_by(WorkshopObstacle.step_id, WorkshopObstacle.obstacle_id)
            )
            obstacle_rows = tuple(_obstacle(o) for o in obstacles)
            actions = tuple(_action(a) for a in session.scalars(self._actions_query(cycle_id)))
        return WorkshopState(cycle_id, rating_map, evidence_map, obstacle_rows, actions)

    def actions(self, cycle_id: int) -> tuple[ActionRecord, ...]:
        """The cycle's action plan in the order the actions were added."""
        with self._tx.reading() as session:
            return tuple(_action(a) for a in session.scalars(self._actions_query(cycle_id)))

    def team_progress(self, org_id: str, cycle_id: int) -> tuple[TeamProgress, ...]:
        """People and submitted self-assessments per team (counts only, never names).

        Someone who has submitted counts in the team they had when submitting
        (as their answers do), not the one a later import moved them to:
        otherwise the move would show up as one more, and one fewer, in two teams.
        """
        submitted = and_(Submission.person_id == Person.id, Submission.cycle_id == cycle_id,
                         Submission.status == "submitted")
        team = func.coalesce(Submission.team, Person.team)
        query = (
            select(team, func.count(Person.id), func.count(Submission.id))
            .select_from(Person)
            .outerjoin(Submission, submitted)
            .where(Person.organisation_id == org_id)
            .group_by(team)
            .order_by(team)
        )
        with self._tx.reading() as session:
            return tuple(TeamProgress(team, int(people), int(done)) for team, people, done in session.execute(query))

    # --- ratings and evidence ---------------------------------------------------------
    def save_rating(
        self, cycle_id: int, practice_id: str, rating: int | None, note: str | None = None, *,
        expected_version: int, framework: Framework, by: str | None = None,
    ) -> PracticeRatingRecord:
        """Store the team's rating of a practice (None clears it) with its note."""
        framework.practice(practice_id)  # NotFoundError for an id the framework lacks
        values = {"rating": check_rating(rating, framework), "note": check_note(note)}
        where = and_(WorkshopRating.cycle_id == cycle_id, WorkshopRating.practice_id == practice_id)
        row = self._save_versioned(
            WorkshopRating, where, values, check_version(expected_version), check_by(by), "this rating",
            lambda: WorkshopRating(cycle_id=cycle_id, practice_id=practice_id), cycle_id,
        )
        return _rating(row)

    def save_evidence(
        self, cycle_id: int, step_id: str, evidence: str | None, *,
        expected_version: int, framework: Framework, by: str | None = None,
    ) -> StepEvidenceRecord:
        """Store the notes of evidence for a step (empty text clears them)."""
        framework.step(step_id)
        values = {"evidence": check_evidence(evidence)}
        where = and_(WorkshopStep.cycle_id == cycle_id, WorkshopStep.step_id == step_id)
        row = self._save_versioned(
            WorkshopStep, where, values, check_version(expected_version), check_by(by), "these notes",
            lambda: WorkshopStep(cycle_id=cycle_id, step_id=step_id), cycle_id,
        )
        return _evidence(row)

    def _save_versioned(
        self, table: type[_Row], where: Any, values: dict[str, Any], expected: int, by: str | None,
        what: str, new_row: Callable[[], _Row], cycle_id: int,
    ) -> _Row:
        """Insert (expected 0) or compare-and-set update (expected > 0) one versioned row."""
        with self._tx.writing() as session:
            _check_cycle(session, cycle_id)
            current = self._one(session, table, where)
            if current is not None and all(getattr(current, k) == v for k, v in values.items()):
                return current  # already what was asked for: nothing to overwrite
            now = utcnow()
            if expected == 0:
                if current is not None:
                    raise StaleEditError(stale_message(what, current.updated_by), _as_record(current))
                row = new_row()
                for key, value in {**values, "version": 1, "updated_at": now, "updated_by": by}.items():
                    setattr(row, key, value)
                try:
                    with session.begin_nested():
                        session.add(row)
                except IntegrityError:  # PostgreSQL: another facilitator inserted it a moment ago
                    other = self._one(session, table, where)
                    raise StaleEditError(stale_message(what, other.updated_by if other else None),
                                         _as_record(other) if other else None) from None
                return row
            changed = _execute(session,
                update(table).where(where, table.version == expected)
                .values(**values, version=table.version + 1, updated_at=now, updated_by=by)
                .execution_options(synchronize_session=False)
            )
            fresh = self._one(session, table, where)
            if changed.rowcount != 1 or fresh is None:
                raise StaleEditError(stale_message(what, fresh.updated_by if fresh else None),
                                     _as_record(fresh) if fresh else None)
            return fresh

    @staticmethod
    def _one(session: Session, table: type[_Row], where: Any) -> _Row | None:
        return session.scalars(select(table).where(where).execution_options(populate_existing=True)).first()

    # --- obstacles ----------------------------------------------------------------------
    def set_obstacle(
        self, cycle_id: int, step_id: str, obstacle_id: str, showing: bool, *,
        framework: Framework, by: str | None = None,
    ) -> bool:
        """Mark an obstacle as showing at a step, or not; returns whether it is showing now.

        A yes/no mark has no version: setting it to what it already is does
        nothing, so two facilitators ticking the same box agree rather than clash.
        """
        framework.step(step_id)
        framework.obstacle(obstacle_id)
        if not isinstance(showing, bool):
            raise InputError("an obstacle is either showing or not (true or false)")
        by = check_by(by)
        where = and_(WorkshopObstacle.cycle_id == cycle_id, WorkshopObstacle.step_id == step_id,
                     WorkshopObstacle.obstacle_id == obstacle_id)
        with self._tx.writing() as session:
            _check_cycle(session, cycle_id)
            if not showing:
                session.execute(delete(WorkshopObstacle).where(where).execution_options(synchronize_session=False))
                return False
            if session.scalars(select(WorkshopObstacle.id).where(where)).first() is None:
                try:
                    with session.begin_nested():
                        session.add(WorkshopObstacle(cycle_id=cycle_id, step_id=step_id, obstacle_id=obstacle_id,
                                                     updated_at=utcnow(), updated_by=by))
                except IntegrityError:  # ticked by someone else at the same moment: same outcome
                    pass
            return True

    # --- actions --------------------------------------------------------------------------
    def add_action(
        self, cycle_id: int, step_id: str, what: str, owner: str, due: date | None = None,
        status: ActionStatus = "open", *, framework: Framework, by: str | None = None,
    ) -> ActionRecord:
        """Add an action to a step's plan."""
        framework.step(step_id)
        values = {"what": check_what(what), "owner": check_owner(owner), "due": check_due(due),
                  "status": check_status(status)}
        by = check_by(by)
        with self._tx.writing() as session:
            _check_cycle(session, cycle_id)
            now = utcnow()
            row = WorkshopAction(cycle_id=cycle_id, step_id=step_id, version=1, created_at=now, updated_at=now,
                                 updated_by=by, **values)
            session.add(row)
            session.flush()
            return _action(row)

    def update_action(
        self, cycle_id: int, action_id: int, *, what: str, owner: str, due: date | None, status: ActionStatus,
        expected_version: int, by: str | None = None,
    ) -> ActionRecord:
        """Change an action; refused if somebody else changed or removed it first."""
        kept = status == "dropped"  # a dropped action's other fields may still be corrected
        values = {"what": check_what(what), "owner": check_owner(owner), "due": check_due(due),
                  "status": "dropped" if kept else check_status(status)}
        return self._update_action(cycle_id, action_id, values, check_version(expected_version), check_by(by))

    def complete_action(self, cycle_id: int, action_id: int, *, expected_version: int,
                        by: str | None = None) -> ActionRecord:
        """Mark an action done, keeping everything else about it."""
        return self._update_action(cycle_id, action_id, {"status": "done"}, check_version(expected_version),
                                   check_by(by))

    def _update_action(self, cycle_id: int, action_id: int, values: dict[str, Any], expected: int,
                       by: str | None) -> ActionRecord:
        where = and_(WorkshopAction.id == action_id, WorkshopAction.cycle_id == cycle_id)
        with self._tx.writing() as session:
            current = self._action_row(session, where)
            if current is None:
                raise StaleEditError("someone else removed this action after you opened it", None)
            if all(getattr(current, k) == v for k, v in values.items()):
                return _action(current)
            _check_changeable(current, values)
            return self._write_action(session, where, values, expected, by)

    def _write_action(self, session: Session, where: Any, values: dict[str, Any], expected: int,
                      by: str | None) -> ActionRecord:
        """Write ``values`` if the row is still at version ``expected``, else say who changed it first."""
        changed = _execute(session,
            update(WorkshopAction).where(where, WorkshopAction.version == expected)
            .values(**values, version=WorkshopAction.version + 1, updated_at=utcnow(), updated_by=by)
            .execution_options(synchronize_session=False)
        )
        fresh = self._action_row(session, where)
        if fresh is None:
            raise StaleEditError("someone else removed this action after you opened it", None)
        if changed.rowcount != 1:
            raise StaleEditError(stale_message("this action", fresh.updated_by), _action(fresh))
        return _action(fresh)

    def remove_action(self, cycle_id: int, action_id: int, *, expected_version: int) -> None:
        """Remove an action; refused if somebody else changed it since it was loaded.

        Removing an action that is already gone is not an error: the plan is
        already as the facilitator wants it.
        """
        expected = check_version(expected_version)
        where = and_(WorkshopAction.id == action_id, WorkshopAction.cycle_id == cycle_id)
        with self._tx.writing() as session:
            current = self._action_row(session, where)
            if current is not None and (current.carried_from_id is not None or current.status == "carried"):
                raise InputError("this action has a history across cycles, so it stays in the plan; "
                                 "mark it dropped in the review of last cycle's actions instead")
            removed = _execute(session,
                delete(WorkshopAction).where(where, WorkshopAction.version == expected)
                .execution_options(synchronize_session=False)
            )
            if removed.rowcount == 1:
                return
            current = self._action_row(session, where)
            if current is not None:
                raise StaleEditError(stale_message("this action", current.updated_by, retry="remove it again"),
                                     _action(current))

    # --- carried actions and their review ---------------------------------------------------
    def carry_forward(self, org_id: str, cycle_id: int) -> int:
        """Carry unfinished actions of the organisation's earlier cycles into ``cycle_id``; returns how many.

        Opening a cycle already does this (:mod:`workbook.workshop.carry`);
        calling it again carries nothing twice.
        """
        from workbook.workshop.carry import carry_forward

        with self._tx.writing() as session:
            return carry_forward(session, org_id, cycle_id)

    def carried_in(self, cycle_id: int) -> tuple[ActionRecord, ...]:
        """The actions carried into this cycle from earlier ones: what the review goes through."""
        query = self._actions_query(cycle_id).where(WorkshopAction.carried_from_id.is_not(None))
        with self._tx.reading() as session:
            return tuple(_action(a) for a in session.scalars(query))

    def review_action(
        self, cycle_id: int, action_id: int, outcome: str, note: str | None = None, *,
        expected_version: int, by: str | None = None,
    ) -> ActionRecord:
        """Record what the review decided for an action carried into this cycle.

        ``done`` and ``dropped`` finish the action (a dropped one needs a
        note saying why); ``carried`` keeps it in this cycle's plan, so it is
        carried again when the next cycle opens if it is still unfinished.
        The decision may be changed later (versioned like every edit).
        """
        verdict = check_review(outcome)
        values: dict[str, Any] = {"review": verdict, "review_note": check_review_note(note, verdict)}
        expected, by = check_version(expected_version), check_by(by)
        where = and_(WorkshopAction.id == action_id, WorkshopAction.cycle_id == cycle_id)
        with self._tx.writing() as session:
            current = self._action_row(session, where)
            if current is None:
                raise StaleEditError("someone else removed this action after you opened it", None)
            if current.carried_from_id is None:
                raise InputError("only actions carried from an earlier cycle are reviewed; "
                                 "change this one on its step's page")
            if current.status == "carried":
                raise InputError("this action has already gone on into a later cycle; review it there")
            if verdict == "carried":
                values["status"] = current.status if current.status in ("open", "in_progress") else "open"
            else:
                values["status"] = verdict
            if all(getattr(current, k) == v for k, v in values.items()):
                return _action(current)
            return self._write_action(session, where, values, expected, by)

    def organisation_actions(self, org_id: str) -> tuple[tuple[str, ActionRecord], ...]:
        """Every action of every cycle of the organisation with its cycle's label, oldest cycle first."""
        query = (
            select(Cycle.label, WorkshopAction)
            .join(Cycle, Cycle.id == WorkshopAction.cycle_id)
            .where(Cycle.organisation_id == org_id)
            .order_by(Cycle.created_at, Cycle.id, WorkshopAction.created_at, WorkshopAction.id)
        )
        with self._tx.reading() as session:
            return tuple((label, _action(row)) for label, row in session.execute(query))

    @staticmethod
    def _action_row(session: Session, where: Any) -> WorkshopAction | None:
        query = select(WorkshopAction).where(where).execution_options(populate_existing=True)
        return session.scalars(query).first()

    @staticmethod
    def _actions_query(cycle_id: int) -> Any:
        return select(WorkshopAction).where(WorkshopAction.cycle_id == cycle_id).order_by(
            WorkshopAction.created_at, WorkshopAction.id)


def _execute(session: Session, statement: Any) -> CursorResult[Any]:
    """Run an UPDATE or DELETE; its rowcount says whether the compare-and-set matched."""
    return cast("CursorResult[Any]", session.execute(statement))


def _check_changeable(current: WorkshopAction, values: dict[str, Any]) -> None:
    """Refuse edits that would rewrite history: a carried row keeps its final state; dropping needs the review."""
    if current.status == "carried":
        raise InputError("this action went on into a later cycle, where it can still be changed; "
                         "this cycle keeps it as it was")
    if values.get("status") == "dropped" and current.status != "dropped":
        raise InputError(f"an action cannot be set to {STATUS_LABELS['dropped'].lower()} here; drop a carried "
                         "action in the review of last cycle's actions, or remove a new one")


def _check_cycle(session: Session, cycle_id: int) -> Cycle:
    cycle = session.get(Cycle, cycle_id) if isinstance(cycle_id, int) and not isinstance(cycle_id, bool) else None
    if cycle is None:
        raise NotFoundError("this assessment cycle no longer exists; open the facilitator link again")
    return cycle


def _as_record(row: WorkshopRating | WorkshopStep) -> PracticeRatingRecord | StepEvidenceRecord:
    return _rating(row) if isinstance(row, WorkshopRating) else _evidence(row)

"""Assessment cycles, answers and submission state.

An answer is saved the moment it is given (the app calls :meth:`save_answer`
on every change), so closing the browser loses nothing.  Submitting makes a
person's answers for the cycle final; after that every change is refused.
After a cycle's closing date (:mod:`workbook.closing`) nothing more is saved
either, whatever page is still open.
Each answer carries the framework id and version it was given against, so a
later edition of the framework never silently re-interprets old answers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from workbook.closing import closed_text, is_closed
from workbook.errors import AlreadyExistsError, AlreadySubmittedError, CycleClosedError, InputError, NotFoundError
from workbook.store._base import Repository, as_utc, utcnow
from workbook.store.records import AnswerRecord, CycleRecord, SubmissionRecord, SubmissionStatus
from workbook.store.tables import Answer, Cycle, Organisation, Person, Submission
from workbook.text import clean_paragraphs, quoted

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime

    from workbook.framework import Framework

__all__ = ["AnswerRow", "Responses", "check_cycle_label"]

_LABEL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")
COMMENT_MAX = 2000


def check_cycle_label(label: str) -> str:
    label = label.strip() if isinstance(label, str) else ""
    if not _LABEL.match(label):
        raise InputError(
            f"the cycle label {quoted(label)} must be 1-32 letters, digits, dots, hyphens or underscores, e.g. 2026-Q4"
        )
    return label


@dataclass(frozen=True, slots=True)
class AnswerRow:
    """One answer joined with who gave it: the raw material of every result."""

    person_id: int
    role: str
    team: str
    statement_id: str
    rating: int | None
    dont_know: bool
    comment: str | None
    submitted: bool


def _checked_answer(statement_id: str, rating: int | None, comment: str | None,
                    framework: Framework) -> tuple[str, int | None, str | None]:
    """One answer checked as the app's save is: a known statement, a rating on the scale, clean text."""
    framework.statement(statement_id)  # NotFoundError for an unknown statement
    low, high = framework.scale.minimum, framework.scale.maximum
    if rating is not None and (
        isinstance(rating, bool) or not isinstance(rating, int) or not low <= rating <= high
    ):
        raise InputError(f"a rating must be a whole number from {low} to {high}, not {rating!r}")
    return statement_id, rating, clean_paragraphs(comment, "the comment", max_length=COMMENT_MAX)


def _fill(row: Answer, rating: int | None, comment: str | None, framework: Framework, now: datetime) -> None:
    row.rating = rating
    row.dont_know = rating is None
    row.comment = comment
    row.framework_id = framework.id
    row.framework_version = framework.version
    row.updated_at = now


def _cycle(row: Cycle) -> CycleRecord:
    return CycleRecord(id=row.id, organisation_id=row.organisation_id, label=row.label,
                       created_at=as_utc(row.created_at), closes_on=row.closes_on)


def _answer(row: Answer) -> AnswerRecord:
    return AnswerRecord(
        person_id=row.person_id, cycle_id=row.cycle_id, statement_id=row.statement_id,
        rating=row.rating, dont_know=bool(row.dont_know), comment=row.comment,
        framework_id=row.framework_id, framework_version=row.framework_version,
        updated_at=as_utc(row.updated_at),
    )


class Responses(Repository):
    # --- cycles -----------------------------------------------------------
    def open_cycle(self, org_id: str, label: str, closes_on: date | None = None) -> CycleRecord:
        """Start a new assessment round; it becomes the organisation's current one.

        Unfinished workshop actions of earlier cycles are carried into it, and
        the newest recovery playbook is copied into it (:mod:`workbook.workshop.carry`).

        ``closes_on`` is its last day for answers (see :mod:`workbook.closing`).
        """
        label = check_cycle_label(label)
        with self._tx.writing() as session:
            if session.get(Organisation, org_id) is None:
                raise NotFoundError(f"no organisation with the id {quoted(org_id)} (see: workbook org list)")
            exists = session.scalars(
                select(Cycle).where(Cycle.organisation_id == org_id, Cycle.label == label)
            ).first()
            if exists is not None:
                raise AlreadyExistsError(f"{quoted(org_id)} already has a cycle called {quoted(label)}")
            row = Cycle(organisation_id=org_id, label=label, created_at=utcnow(), closes_on=closes_on)
            session.add(row)
            session.flush()
            from workbook.workshop.carry import carry_forward, carry_playbook  # the workshop's rules; only here

            carry_forward(session, org_id, row.id)  # same transaction: no cycle without its carried actions
            carry_playbook(session, org_id, row.id)  # ... nor without last quarter's recovery playbook to refine
            return _cycle(row)

    def set_closing_date(self, org_id: str, label: str, closes_on: date | None) -> CycleRecord:
        """Give the cycle ``label`` a new last day for answers, or none (open until the next cycle).

        A date in the past closes it at once; a later one opens it again.
        """
        with self._tx.writing() as session:
            if session.get(Organisation, org_id) is None:
                raise NotFoundError(f"no organisation with the id {quoted(org_id)} (see: workbook org list)")
            row = session.scalars(select(Cycle).where(Cycle.organisation_id == org_id, Cycle.label == label)).first()
            if row is None:
                raise NotFoundError(f"{quoted(org_id)} has no cycle called {quoted(label)} "
                                    f"(see: workbook cycle list {org_id})")
            row.closes_on = closes_on
            session.flush()
            return _cycle(row)

    def cycles(self, org_id: str) -> list[CycleRecord]:
        """All cycles of an organisation, oldest first; the last is the current one."""
        with self._tx.reading() as session:
            query = select(Cycle).where(Cycle.organisation_id == org_id).order_by(Cycle.created_at, Cycle.id)
            return [_cycle(c) for c in session.scalars(query)]

    def cycle(self, org_id: str, label: str | None = None) -> CycleRecord:
        """The named cycle, or the current (most recently opened) one."""
        cycles = self.cycles(org_id)
        if label is None:
            if not cycles:
                raise NotFoundError(
                    f"{quoted(org_id)} has no assessment cycle; "
                    f"open one with: workbook cycle open {quoted(org_id)} LABEL"
                )
            return cycles[-1]
        for cycle in cycles:
            if cycle.label == label:
                return cycle
        known = ", ".join(c.label for c in cycles) or "none"
        raise NotFoundError(f"{quoted(org_id)} has no cycle called {quoted(label)} (known: {known})")

    # --- answers ----------------------------------------------------------
    def save_answer(
        self, person_id: int, cycle_id: int, statement_id: str, rating: int | None, *,
        framework: Framework, comment: str | None = None,
    ) -> AnswerRecord:
        """Store (or replace) one answer; ``rating=None`` means "don't know".

        Every value is checked here, on the kernel side: a browser can send any
        widget value, including ones the page would never offer.
        """
        statement_id, rating, comment = _checked_answer(statement_id, rating, comment, framework)
        with self._tx.writing() as session:
            self._check_open(session, person_id, cycle_id, framework)
            now = utcnow()
            row = session.scalars(
                select(Answer).where(
                    Answer.person_id == person_id, Answer.cycle_id == cycle_id, Answer.statement_id == statement_id
                )
            ).first()
            if row is None:
                row = Answer(person_id=person_id, cycle_id=cycle_id, statement_id=statement_id, created_at=now)
                session.add(row)
            _fill(row, rating, comment, framework, now)
            session.flush()
            return _answer(row)

    def save_answers(
        self, person_id: int, cycle_id: int, answers: Sequence[tuple[str, int | None, str | None]], *,
        framework: Framework,
    ) -> list[AnswerRecord]:
        """Store (or replace) several ``(statement_id, rating, comment)`` answers of one person in one transaction.

        Checked exactly as :meth:`save_answer` checks one, all before anything is
        written: one bad answer and none is stored.  One transaction instead of
        one per answer is what makes seeding the demo's past quarters quick.
        """
        checked = [_checked_answer(statement, rating, comment, framework) for statement, rating, comment in answers]
        with self._tx.writing() as session:
            self._check_open(session, person_id, cycle_id, framework)
            now = utcnow()
            wanted = {statement_id for statement_id, _, _ in checked}
            existing = {
                row.statement_id: row for row in session.scalars(
                    select(Answer).where(Answer.person_id == person_id, Answer.cycle_id == cycle_id,
                                         Answer.statement_id.in_(wanted)))
            }
            for statement_id, rating, comment in checked:
                row = existing.get(statement_id)
                if row is None:
                    row = Answer(person_id=person_id, cycle_id=cycle_id, statement_id=statement_id, created_at=now)
                    session.add(row)
                _fill(row, rating, comment, framework, now)
                existing[statement_id] = row
            session.flush()
            return [_answer(existing[statement_id]) for statement_id, _, _ in checked]

    def answers(self, person_id: int, cycle_id: int) -> list[AnswerRecord]:
        with self._tx.reading() as session:
            query = select(Answer).where(Answer.person_id == person_id, Answer.cycle_id == cycle_id)
            return [_answer(a) for a in session.scalars(query.order_by(Answer.statement_id))]

    def submission(self, person_id: int, cycle_id: int) -> SubmissionRecord:
        with self._tx.reading() as session:
            row = self._submission_row(session, person_id, cycle_id)
            if row is None:
                return SubmissionRecord(person_id, cycle_id, "not_started", None, None)
            status: SubmissionStatus = "submitted" if row.status == "submitted" else "in_progress"
            return SubmissionRecord(
                person_id, cycle_id, status, as_utc(row.started_at),
                as_utc(row.submitted_at) if row.submitted_at else None,
            )

    def submit(self, person_id: int, cycle_id: int, *, framework: Framework) -> SubmissionRecord:
        """Make the answers final.  Every statement needs a rating or "don't know".

        "Every statement" of the framework edition the response was begun under
        (stored with it): someone who started before statements were added is
        not asked for them at the end.
        """
        with self._tx.writing() as session:
            row = self._check_open(session, person_id, cycle_id, framework)
            answered = set(
                session.scalars(
                    select(Answer.statement_id).where(Answer.person_id == person_id, Answer.cycle_id == cycle_id)
                )
            )
            asked = framework.edition(row.framework_version) if row.framework_id == framework.id else framework
            missing = [s.id for s in asked.statements if s.id not in answered]
            if missing:
                shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
                raise InputError(f"{len(missing)} statement(s) still need an answer: {shown}")
            now = utcnow()
            person = session.get(Person, person_id)
            row.status = "submitted"
            row.submitted_at = now
            if person is not None:  # frozen: a later re-import must not move these answers
                row.team, row.role = person.team, person.role
            return SubmissionRecord(person_id, cycle_id, "submitted", as_utc(row.started_at), now)

    def rows(self, org_id: str, cycle_id: int, *, person_id: int | None = None) -> list[AnswerRow]:
        """Every answer of a cycle with the answerer's role and team (no names); ``person_id``: theirs only."""
        return self.rows_of_cycles(org_id, [cycle_id], person_id=person_id)[cycle_id]

    def rows_of_cycles(self, org_id: str, cycle_ids: Sequence[int], *,
                       person_id: int | None = None) -> dict[int, list[AnswerRow]]:
        """:meth:`rows` of several cycles in one query (a report's trends read every earlier cycle).

        Plain columns, not ORM objects: a report reads thousands of answers and
        changes none, so building and tracking an object per answer was wasted.
        ``person_id``: only that person's answers (a results page needs no one else's).
        """
        out: dict[int, list[AnswerRow]] = {cycle_id: [] for cycle_id in cycle_ids}
        if not out:
            return out
        with self._tx.reading() as session:
            query = (
                select(Answer.cycle_id, Answer.person_id, func.coalesce(Submission.role, Person.role),
                       func.coalesce(Submission.team, Person.team), Answer.statement_id, Answer.rating,
                       Answer.dont_know, Answer.comment, Submission.status)
                .join(Person, Person.id == Answer.person_id)
                .outerjoin(
                    Submission, (Submission.person_id == Answer.person_id) & (Submission.cycle_id == Answer.cycle_id)
                )
                .where(Person.organisation_id == org_id, Answer.cycle_id.in_(list(out)))
                .order_by(Answer.cycle_id, Answer.person_id, Answer.statement_id)
            )
            if person_id is not None:
                query = query.where(Answer.person_id == person_id)
            for cycle_id, person_id, role, team, statement_id, rating, dont_know, comment, status in (
                    session.execute(query).all()):
                out[cycle_id].append(AnswerRow(
                    person_id=person_id, role=role, team=team, statement_id=statement_id, rating=rating,
                    dont_know=bool(dont_know), comment=comment, submitted=status == "submitted",
                ))
        return out

    def submitted_times(self, org_id: str, cycle_id: int) -> dict[int, datetime]:
        """Person id -> when they submitted, for everyone who has, in one query."""
        query = (
            select(Submission.person_id, Submission.submitted_at)
            .join(Person, Person.id == Submission.person_id)
            .where(Person.organisation_id == org_id, Submission.cycle_id == cycle_id,
                   Submission.status == "submitted", Submission.submitted_at.is_not(None))
        )
        with self._tx.reading() as session:
            return {person_id: as_utc(at) for person_id, at in session.execute(query).all() if at is not None}

    def progress(self, org_id: str, cycle_id: int) -> dict[str, int]:
        """How many people have not started, are in progress, have submitted."""
        with self._tx.reading() as session:
            total = session.scalar(
                select(func.count()).select_from(Person).where(Person.organisation_id == org_id)
            ) or 0
            counts = dict(
                session.execute(
                    select(Submission.status, func.count())
                    .join(Person, Person.id == Submission.person_id)
                    .where(Person.organisation_id == org_id, Submission.cycle_id == cycle_id)
                    .group_by(Submission.status)
                ).all()
            )
        started = counts.get("in_progress", 0)
        submitted = counts.get("submitted", 0)
        return {"people": total, "not_started": total - started - submitted,
                "in_progress": started, "submitted": submitted}

    def statuses(self, org_id: str, cycle_id: int) -> dict[int, SubmissionStatus]:
        """Every person of ``org_id`` with their status in the cycle, in one query (5,000 people: one read)."""
        query = (
            select(Person.id, Submission.status)
            .outerjoin(Submission, (Submission.person_id == Person.id) & (Submission.cycle_id == cycle_id))
            .where(Person.organisation_id == org_id)
        )
        with self._tx.reading() as session:
            return {
                person_id: "not_started" if status is None else "submitted" if status == "submitted" else "in_progress"
                for person_id, status in session.execute(query).all()
            }

    def framework_versions(self, cycle_id: int) -> frozenset[str]:
        """The framework editions the cycle's submitted responses were begun under.

        A report uses the newest of them (:meth:`workbook.framework.Framework.edition`),
        so a cycle answered before statements were added reports as it always did.
        """
        query = select(Submission.framework_version).where(
            Submission.cycle_id == cycle_id, Submission.status == "submitted").distinct()
        with self._tx.reading() as session:
            return frozenset(session.scalars(query))

    def submission_order(self, org_id: str, cycle_id: int) -> tuple[int, ...]:
        """Ids of the people who submitted, first to submit first.

        Live views count people in this order, a whole batch at a time (see
        :func:`workbook.dataset.answers_in_whole_batches`), so two snapshots
        never differ by fewer people than the anonymity threshold.
        """
        return tuple(person_id for person_id, *_rest in self.submitters(org_id, cycle_id))

    def submitters(self, org_id: str, cycle_id: int) -> tuple[tuple[int, str, str, str], ...]:
        """(person id, role, team, when submitted) of everyone who submitted, first to submit first.

        :meth:`submission_order` with the role and team each was counted in
        (as :meth:`rows` gives them) and the moment (ISO 8601): what a
        comparison of the first whole batches is worked out from
        (:mod:`workbook.values.results`).  The moment tells apart a person
        erased and added again under a reused id (SQLite reuses the highest).
        """
        query = (
            select(Submission.person_id, func.coalesce(Submission.role, Person.role),
                   func.coalesce(Submission.team, Person.team), Submission.submitted_at)
            .join(Person, Person.id == Submission.person_id)
            .where(Person.organisation_id == org_id, Submission.cycle_id == cycle_id,
                   Submission.status == "submitted")
            .order_by(Submission.submitted_at, Submission.person_id)
        )
        with self._tx.reading() as session:
            return tuple((int(p), str(r), str(t), "" if at is None else as_utc(at).isoformat())
                         for p, r, t, at in session.execute(query).all())

    # --- helpers ----------------------------------------------------------
    @staticmethod
    def _submission_row(session: Session, person_id: int, cycle_id: int, *, lock: bool = False) -> Submission | None:
        query = select(Submission).where(Submission.person_id == person_id, Submission.cycle_id == cycle_id)
        if lock:
            # PostgreSQL: a save and a submit from two tabs must not interleave
            # (SQLite's BEGIN IMMEDIATE already serialises them).
            query = query.with_for_update()
        return session.scalars(query).first()

    def _check_open(self, session: Session, person_id: int, cycle_id: int, framework: Framework) -> Submission:
        """The person's open submission for the cycle, created on the first answer."""
        person = session.get(Person, person_id)
        cycle = session.get(Cycle, cycle_id)
        if person is None or cycle is None or person.organisation_id != cycle.organisation_id:
            raise NotFoundError("this person or assessment cycle no longer exists")
        if cycle.closes_on is not None and is_closed(cycle.closes_on):
            raise CycleClosedError(closed_text(cycle.closes_on))
        row = self._submission_row(session, person_id, cycle_id, lock=True)
        if row is None:
            row = Submission(
                person_id=person_id, cycle_id=cycle_id, status="in_progress", framework_id=framework.id,
                framework_version=framework.version, started_at=utcnow(),
            )
            session.add(row)
            try:
                session.flush()
            except IntegrityError:  # pragma: no cover - guarded by BEGIN IMMEDIATE / unique key
                raise AlreadyExistsError("this response was started elsewhere at the same moment; try again") from None
        elif row.status == "submitted":
            raise AlreadySubmittedError(
                "these answers have been submitted already, so they can no longer be changed. Thank you!"
            )
        return row

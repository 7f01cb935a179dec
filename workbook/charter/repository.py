"""Storing charters: numbered versions per organisation, drafts saved as they go.

Life of a charter::

    start_draft ──► save_draft … save_draft ──► approve ──► start_draft (a copy) ──► …
      version 1 (draft)                         version 1 (approved)   version 2 (draft)

* At most one draft per organisation: :meth:`Charters.start_draft` returns the
  existing draft if there is one, so two facilitators opening the builder at
  once work on the same draft rather than two.
* Every save names the ``version`` it started from; a save from a stale copy
  (someone else saved in between) is refused with :class:`ConflictError`
  instead of silently overwriting their work.  The check and the increment are
  one ``UPDATE ... WHERE version = ?``, so it holds on SQLite and PostgreSQL
  alike, however the two requests interleave.
* Approving runs :func:`~workbook.charter.checks.check_charter` on what is
  stored and refuses while any check blocks; an approved version never
  changes again, so earlier versions stay and can be compared.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from workbook.charter.checks import check_charter
from workbook.charter.records import (
    APPROVED,
    DRAFT,
    ApprovalRefusedError,
    CharterRecord,
    PromiseRecord,
)
from workbook.charter.validate import clean_approver, clean_foundation_text, clean_promises, clean_title
from workbook.errors import ConflictError, InputError, NotFoundError
from workbook.framework import Framework
from workbook.store import Store
from workbook.store._base import Repository, as_utc, utcnow
from workbook.store.charter_tables import Charter, CharterPromise
from workbook.store.tables import Organisation
from workbook.text import quoted

__all__ = ["Charters", "charter_for_report"]


class _Keep:
    """Marker: leave the stored title as it is."""


KEEP = _Keep()


def _promise(row: CharterPromise) -> PromiseRecord:
    return PromiseRecord(text=row.text, value_id=row.value_id, step_id=row.step_id, standard=row.standard,
                         owner=row.owner, review_date=row.review_date, starter_id=row.starter_id,
                         measure_id=row.measure_id, target_op=row.target_op, target_value=row.target_value)


def _record(row: Charter, promises: Sequence[CharterPromise]) -> CharterRecord:
    return CharterRecord(
        id=row.id, organisation_id=row.organisation_id, number=row.number,
        status=APPROVED if row.status == APPROVED else DRAFT, title=row.title, version=row.version,
        created_at=as_utc(row.created_at), updated_at=as_utc(row.updated_at),
        approved_at=as_utc(row.approved_at) if row.approved_at else None, approved_by=row.approved_by,
        promises=tuple(_promise(p) for p in sorted(promises, key=lambda p: p.position)),
        brand_promise=row.brand_promise, common_purpose=row.common_purpose,
    )


def _check_expected(expected_version: object) -> int:
    if isinstance(expected_version, bool) or not isinstance(expected_version, int) or expected_version < 1:
        raise InputError(f"the charter version to save over must be a whole number, not {expected_version!r}")
    return expected_version


class Charters(Repository):
    """The charter versions of every organisation (``Charters(store.transactions)``)."""

    # --- reading ------------------------------------------------------------------
    def versions(self, org_id: str) -> list[CharterRecord]:
        """Every version of ``org_id``'s charter, oldest first, each with its promises."""
        with self._tx.reading() as session:
            self._organisation(session, org_id)
            rows = list(session.scalars(select(Charter).where(Charter.organisation_id == org_id)
                                        .order_by(Charter.number)))
            return [_record(row, self._promises(session, row.id)) for row in rows]

    def get(self, org_id: str, number: int) -> CharterRecord:
        """One version by its number; NotFoundError lists the versions there are."""
        with self._tx.reading() as session:
            row = self._row(session, org_id, number)
            return _record(row, self._promises(session, row.id))

    def latest(self, org_id: str) -> CharterRecord | None:
        """The newest version (a draft if one is open), or None before the first."""
        listed = self.versions(org_id)
        return listed[-1] if listed else None

    def latest_approved(self, org_id: str) -> CharterRecord | None:
        approved = [c for c in self.versions(org_id) if c.status == APPROVED]
        return approved[-1] if approved else None

    def draft(self, org_id: str) -> CharterRecord | None:
        """The open draft, if any (there is never more than one)."""
        drafts = [c for c in self.versions(org_id) if c.status == DRAFT]
        return drafts[-1] if drafts else None

    # --- writing ------------------------------------------------------------------
    def start_draft(self, org_id: str, promises: Sequence[PromiseRecord] = (), *, framework: Framework,
                    title: str | None = None) -> CharterRecord:
        """The organisation's draft: the open one, else a new version.

        A new version copies the latest approved one (so the team edits what
        customers already have), or, before anything was approved, starts from
        ``promises`` (the app passes the ranked starter promises).
        """
        cleaned = clean_promises(promises, framework)
        clean = clean_title(title)
        try:
            with self._tx.writing() as session:
                self._organisation(session, org_id)
                charters = list(session.scalars(select(Charter).where(Charter.organisation_id == org_id)
                                                .order_by(Charter.number)))
                drafts = [c for c in charters if c.status == DRAFT]
                if drafts:
                    return _record(drafts[-1], self._promises(session, drafts[-1].id))
                approved = [c for c in charters if c.status == APPROVED]
                brand = purpose = None
                if approved:
                    cleaned = tuple(_promise(p) for p in self._promises(session, approved[-1].id))
                    clean = approved[-1].title
                    brand, purpose = approved[-1].brand_promise, approved[-1].common_purpose
                now = utcnow()
                row = Charter(organisation_id=org_id, number=(charters[-1].number + 1) if charters else 1,
                              status=DRAFT, title=clean, version=1, created_at=now, updated_at=now,
                              brand_promise=brand, common_purpose=purpose)
                session.add(row)
                session.flush()
                stored = self._replace_promises(session, row.id, cleaned)
                return _record(row, stored)
        except ConflictError as error:
            # PostgreSQL: another session created the same version number first
            # (the store reports the unique-key clash as a ConflictError).
            existing = self.draft(org_id) if isinstance(error.__cause__, IntegrityError) else None
            if existing is None:
                raise
            return existing

    def save_draft(self, org_id: str, number: int, expected_version: int, promises: Sequence[PromiseRecord],
                   *, framework: Framework, title: str | _Keep | None = KEEP) -> CharterRecord:
        """Replace the draft's promises (in order), if nobody saved since ``expected_version``."""
        expected = _check_expected(expected_version)
        cleaned = clean_promises(promises, framework)
        new_title = None if isinstance(title, _Keep) else clean_title(title)
        with self._tx.writing() as session:
            row = self._row(session, org_id, number)
            self._claim(session, row, expected, title=new_title, keep_title=isinstance(title, _Keep))
            stored = self._replace_promises(session, row.id, cleaned)
            session.refresh(row)
            return _record(row, stored)

    def save_foundation(self, org_id: str, number: int, expected_version: int, *, brand_promise: object,
                        common_purpose: object) -> CharterRecord:
        """Store the draft's brand promise and common purpose (the builder's first page).

        Guarded like every save: refused if someone saved since ``expected_version``.
        """
        expected = _check_expected(expected_version)
        brand = clean_foundation_text(brand_promise, "the brand promise")
        purpose = clean_foundation_text(common_purpose, "the common purpose")
        with self._tx.writing() as session:
            row = self._row(session, org_id, number)
            self._claim(session, row, expected, keep_title=True,
                        extra={"brand_promise": brand, "common_purpose": purpose})
            session.refresh(row)
            return _record(row, self._promises(session, row.id))

    def approve(self, org_id: str, number: int, expected_version: int, *, approved_by: str,
                framework: Framework, today: date) -> CharterRecord:
        """Approve the draft: refused (ApprovalRefusedError) while any blocking check fails."""
        expected = _check_expected(expected_version)
        approver = clean_approver(approved_by)
        with self._tx.writing() as session:
            row = self._row(session, org_id, number)
            promises = self._promises(session, row.id)
            report = check_charter([_promise(p) for p in promises], framework, today=today,
                                   brand_promise=row.brand_promise, common_purpose=row.common_purpose)
            if row.status == DRAFT and row.version == expected and not report.ready:
                problems = [f.message for f in report.blocking]
                raise ApprovalRefusedError(
                    f"version {number} cannot be approved yet: {len(problems)} check(s) still fail, "
                    f"starting with: {problems[0]}", problems)
            now = utcnow()
            self._claim(session, row, expected, keep_title=True,
                        extra={"status": APPROVED, "approved_at": now, "approved_by": approver})
            session.refresh(row)
            return _record(row, promises)

    def discard_draft(self, org_id: str, number: int, expected_version: int) -> None:
        """Throw the open draft away (the approved versions stay as they are)."""
        expected = _check_expected(expected_version)
        with self._tx.writing() as session:
            row = self._row(session, org_id, number)
            self._claim(session, row, expected, keep_title=True)
            session.delete(row)

    # --- helpers ------------------------------------------------------------------
    @staticmethod
    def _organisation(session: Session, org_id: str) -> None:
        if not isinstance(org_id, str) or session.get(Organisation, org_id) is None:
            raise NotFoundError(f"no organisation with the id {quoted(org_id)} (see: workbook org list)")

    def _row(self, session: Session, org_id: str, number: int) -> Charter:
        self._organisation(session, org_id)
        if isinstance(number, bool) or not isinstance(number, int):
            raise InputError(f"a charter version is a whole number, not {number!r}")
        row = session.scalars(select(Charter).where(Charter.organisation_id == org_id,
                                                    Charter.number == number)).first()
        if row is None:
            known = list(session.scalars(select(Charter.number).where(Charter.organisation_id == org_id)
                                         .order_by(Charter.number)))
            listed = ", ".join(map(str, known)) if known else "none yet"
            raise NotFoundError(f"{quoted(org_id)} has no charter version {number} (versions: {listed})")
        return row

    @staticmethod
    def _promises(session: Session, charter_id: int) -> list[CharterPromise]:
        return list(session.scalars(select(CharterPromise).where(CharterPromise.charter_id == charter_id)
                                    .order_by(CharterPromise.position)))

    @staticmethod
    def _claim(session: Session, row: Charter, expected: int, *, title: str | None = None,
               keep_title: bool = True, extra: dict[str, object] | None = None) -> None:
        """Bump the version if it is still ``expected`` and the charter a draft; else ConflictError."""
        if row.status != DRAFT:
            raise ConflictError(f"version {row.number} is approved and can no longer change; "
                                "start a new draft to edit it")
        values: dict[str, object] = {"version": Charter.version + 1, "updated_at": utcnow(), **(extra or {})}
        if not keep_title:
            values["title"] = title
        result = session.execute(
            update(Charter).where(Charter.id == row.id, Charter.version == expected, Charter.status == DRAFT)
            .values(**values).execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            current = session.scalar(select(Charter.version).where(Charter.id == row.id))
            raise ConflictError(
                f"someone else changed version {row.number} of the charter since you opened it "
                f"(you had change {expected}, it is now at change {current}); reload to see their changes")

    @staticmethod
    def _replace_promises(session: Session, charter_id: int,
                          promises: Sequence[PromiseRecord]) -> list[CharterPromise]:
        session.execute(delete(CharterPromise).where(CharterPromise.charter_id == charter_id)
                        .execution_options(synchronize_session=False))
        rows = [CharterPromise(charter_id=charter_id, position=i, text=p.text, value_id=p.value_id,
                               step_id=p.step_id, standard=p.standard, owner=p.owner,
                               review_date=p.review_date, starter_id=p.starter_id, measure_id=p.measure_id,
                               target_op=p.target_op, target_value=p.target_value)
                for i, p in enumerate(promises, start=1)]
        session.add_all(rows)
        session.flush()
        return rows


def charter_for_report(store: Store, org_id: str) -> CharterRecord | None:
    """The charter a report should show: the latest approved, else the draft, else None.

    Raises NotFoundError for an unknown organisation.
    """
    charters = Charters(store.transactions)
    return charters.latest_approved(org_id) or charters.draft(org_id)


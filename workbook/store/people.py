"""People of an organisation: import, find by invite token, list, erase."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from workbook.errors import AccessDeniedError, InputError, NotFoundError
from workbook.people_csv import PersonRow, check_person
from workbook.store._base import Repository, utcnow
from workbook.store.records import ImportSummary, PersonRecord, Role
from workbook.store.tables import Organisation, Person
from workbook.text import quoted
from workbook.tokens import looks_like_token, new_token

__all__ = ["INVALID_INVITE", "People"]

INVALID_INVITE = (
    "this invite link is not valid: it may be mistyped or no longer in use. "
    "Please ask whoever sent it for a new one."
)


def _record(row: Person) -> PersonRecord:
    role: Role = "leader" if row.role == "leader" else "staff"
    return PersonRecord(
        id=row.id, organisation_id=row.organisation_id, name=row.name,
        email=row.email, role=role, team=row.team, token=row.token,
    )


def _checked(row: PersonRow, number: int) -> PersonRow:
    """Every row through the text rule here too: the store is the boundary, whoever read the file."""
    try:
        return check_person(row)
    except InputError as error:
        raise InputError(f"person {number} to import: {error}") from None


class People(Repository):
    def import_rows(self, org_id: str, rows: Sequence[PersonRow]) -> ImportSummary:
        """Add or update people by email, all in one transaction.

        Importing the same file twice changes nothing (tokens are kept, so
        invite links already sent keep working); a changed name, role or team
        is updated.  Nobody is removed: leaving someone out of a file is not a
        request to erase their answers (``people delete`` is).
        """
        rows = [_checked(row, number) for number, row in enumerate(rows, start=1)]
        added = updated = unchanged = 0
        with self._tx.writing() as session:
            if session.get(Organisation, org_id) is None:
                raise NotFoundError(f"no organisation with the id {quoted(org_id)} (see: workbook org list)")
            existing = {p.email: p for p in session.scalars(select(Person).where(Person.organisation_id == org_id))}
            now = utcnow()
            for row in rows:
                person = existing.get(row.email)
                if person is None:
                    person = Person(
                        organisation_id=org_id, name=row.name, email=row.email, role=row.role,
                        team=row.team, token=new_token(), created_at=now,
                    )
                    session.add(person)
                    existing[row.email] = person
                    added += 1
                elif (person.name, person.role, person.team) != (row.name, row.role, row.team):
                    person.name, person.role, person.team = row.name, row.role, row.team
                    updated += 1
                else:
                    unchanged += 1
        return ImportSummary(added=added, updated=updated, unchanged=unchanged)

    def list(self, org_id: str) -> list[PersonRecord]:
        with self._tx.reading() as session:
            if session.get(Organisation, org_id) is None:
                raise NotFoundError(f"no organisation with the id {quoted(org_id)} (see: workbook org list)")
            query = select(Person).where(Person.organisation_id == org_id).order_by(Person.team, Person.name)
            return [_record(p) for p in session.scalars(query)]

    def by_token(self, token: object) -> PersonRecord:
        """The person an invite link belongs to.  A wrong token learns nothing."""
        if not looks_like_token(token):
            raise AccessDeniedError(INVALID_INVITE)
        with self._tx.reading() as session:
            person = session.scalars(select(Person).where(Person.token == token)).first()
            if person is None:
                raise AccessDeniedError(INVALID_INVITE)
            return _record(person)

    def get(self, org_id: str, email: str) -> PersonRecord:
        with self._tx.reading() as session:
            return _record(self._find(session, org_id, email))

    def new_token(self, org_id: str, email: str) -> PersonRecord:
        """Give a person a new invite link; the old one stops working at once.

        For a link that was forwarded or leaked: the person's answers stay.
        """
        with self._tx.writing() as session:
            person = self._find(session, org_id, email)
            person.token = new_token()
            session.flush()
            return _record(person)

    def delete(self, org_id: str, email: str) -> PersonRecord:
        """Erase one person and (by cascade) every answer they gave."""
        with self._tx.writing() as session:
            person = self._find(session, org_id, email)
            record = _record(person)
            session.delete(person)
            return record

    @staticmethod
    def _find(session: Session, org_id: str, email: str) -> Person:
        if session.get(Organisation, org_id) is None:
            raise NotFoundError(f"no organisation with the id {quoted(org_id)} (see: workbook org list)")
        person = session.scalars(
            select(Person).where(Person.organisation_id == org_id, Person.email == email.strip().lower())
        ).first()
        if person is None:
            raise NotFoundError(
                f"nobody with the email {quoted(email)} in {quoted(org_id)} (see: workbook people list {org_id})")
        return person

"""People of an organisation: import, find by invite token, list, erase.

Invite tokens are stored only as a hash (what :meth:`People.by_token` looks
up) and sealed with a key kept outside the database (what :meth:`People.invites`
unseals to print links); see :mod:`workbook.store.vault`.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from workbook.errors import AccessDeniedError, InputError, NotFoundError, SecretKeyError
from workbook.people_csv import PersonRow, check_person
from workbook.store._base import Repository, Transactions, utcnow
from workbook.store.comparison_tables import KeptComparison
from workbook.store.records import ImportSummary, Invite, PersonRecord, Role
from workbook.store.tables import Cycle, Organisation, Person
from workbook.store.vault import Vault
from workbook.text import quoted
from workbook.tokens import hash_token, looks_like_token

__all__ = ["INVALID_INVITE", "People"]

INVALID_INVITE = (
    "this invite link is not valid: it may be mistyped or no longer in use. "
    "Please ask whoever sent it for a new one."
)


def _record(row: Person) -> PersonRecord:
    role: Role = "leader" if row.role == "leader" else "staff"
    return PersonRecord(
        id=row.id, organisation_id=row.organisation_id, name=row.name,
        email=row.email, role=role, team=row.team,
    )


def _checked(row: PersonRow, number: int) -> PersonRow:
    """Every row through the text rule here too: the store is the boundary, whoever read the file."""
    try:
        return check_person(row)
    except InputError as error:
        raise InputError(f"person {number} to import: {error}") from None


class People(Repository):
    def __init__(self, transactions: Transactions, vault: Vault) -> None:
        super().__init__(transactions)
        self._vault = vault

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
                    issued = self._vault.issue(session)
                    person = Person(
                        organisation_id=org_id, name=row.name, email=row.email, role=row.role,
                        team=row.team, token_hash=issued.hash, token_sealed=issued.sealed, created_at=now,
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
            person = session.scalars(select(Person).where(Person.token_hash == hash_token(token))).first()
            if person is None:
                raise AccessDeniedError(INVALID_INVITE)
            return _record(person)

    def get(self, org_id: str, email: str) -> PersonRecord:
        with self._tx.reading() as session:
            return _record(self._find(session, org_id, email))

    def invites(self, org_id: str) -> builtins.list[Invite]:  # ``list`` here is the method above
        """Everyone in ``org_id`` with their token, unsealed to print their links (in ``list`` order).

        Needs the secret key.  All or nothing: when some links cannot be
        unsealed, a :class:`SecretKeyError` says how many and what to do, so a
        mail merge is never sent with gaps.
        """
        with self._tx.reading() as session:
            if session.get(Organisation, org_id) is None:
                raise NotFoundError(f"no organisation with the id {quoted(org_id)} (see: workbook org list)")
            query = select(Person).where(Person.organisation_id == org_id).order_by(Person.team, Person.name)
            rows = [(_record(p), p.token_hash, p.token_sealed) for p in session.scalars(query)]
        invites: list[Invite] = []
        hash_only = wrong_key = 0
        first_error: SecretKeyError | None = None
        for person, token_hash, sealed in rows:
            try:
                token = self._vault.reveal(token_hash, sealed)
            except SecretKeyError as error:
                first_error = first_error or error
                wrong_key += 1
                continue
            if token is None:
                hash_only += 1
            else:
                invites.append(Invite(person=person, token=token))
        if first_error is not None and not invites:
            raise first_error  # no key, or the wrong one: its own message says which
        if hash_only or wrong_key:
            raise SecretKeyError(_unprintable(org_id, len(rows), hash_only, wrong_key, self._vault.sealer.where))
        return invites

    def invite(self, org_id: str, email: str) -> Invite:
        """One person with their token, unsealed to print their link (needs the secret key)."""
        with self._tx.reading() as session:
            row = self._find(session, org_id, email)
            person, token_hash, sealed = _record(row), row.token_hash, row.token_sealed
        token = self._vault.reveal(token_hash, sealed)
        if token is None:
            raise SecretKeyError(_unprintable(org_id, 1, 1, 0, self._vault.sealer.where))
        return Invite(person=person, token=token)

    def new_token(self, org_id: str, email: str) -> Invite:
        """Give a person a new invite link; the old one stops working at once.

        For a link that was forwarded or leaked (or cannot be printed again):
        the person's answers stay.  Returns the new token, to print once.
        """
        with self._tx.writing() as session:
            person = self._find(session, org_id, email)
            issued = self._vault.issue(session)
            person.token_hash, person.token_sealed = issued.hash, issued.sealed
            session.flush()
            return Invite(person=_record(person), token=issued.token)

    def new_tokens(self, org_id: str) -> builtins.list[Invite]:
        """New invite links for everyone in ``org_id``, in one transaction (in ``list`` order).

        For a copy of the database (or of its links) that went astray, a lost
        secret key, or links kept only as hashes: every old link stops working.
        """
        with self._tx.writing() as session:
            if session.get(Organisation, org_id) is None:
                raise NotFoundError(f"no organisation with the id {quoted(org_id)} (see: workbook org list)")
            query = select(Person).where(Person.organisation_id == org_id).order_by(Person.team, Person.name)
            renewed = []
            for person in session.scalars(query):
                issued = self._vault.issue(session)
                person.token_hash, person.token_sealed = issued.hash, issued.sealed
                renewed.append((person, issued.token))
            session.flush()
            return [Invite(person=_record(person), token=token) for person, token in renewed]

    def delete(self, org_id: str, email: str) -> PersonRecord:
        """Erase one person and (by cascade) every answer they gave.

        The organisation's kept averages go too (:mod:`workbook.store.comparison_tables`):
        some were worked out from this person's answers.
        """
        with self._tx.writing() as session:
            person = self._find(session, org_id, email)
            record = _record(person)
            session.delete(person)
            session.execute(delete(KeptComparison).where(
                KeptComparison.cycle_id.in_(select(Cycle.id).where(Cycle.organisation_id == org_id))))
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


def _unprintable(org_id: str, total: int, hash_only: int, wrong_key: int, where: str) -> str:
    """Why some links of ``org_id`` cannot be printed, and what to do (they all still work)."""
    reasons = []
    if wrong_key:
        reasons.append(f"{wrong_key} sealed with another secret key than the one in {where}")
    if hash_only:
        reasons.append(f"{hash_only} kept only as a hash when the database was upgraded without a secret key")
    return (
        f"{wrong_key + hash_only} of the {total} invite links of {org_id} cannot be printed again "
        f"({'; '.join(reasons)}); they still work. Restore the key they were sealed with, or make new links "
        f"with: workbook people new-link {org_id} --all (or one EMAIL)"
    )

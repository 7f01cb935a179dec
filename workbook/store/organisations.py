"""Organisations: create, find, list, change the anonymity threshold, delete.

The facilitator key is stored only as a hash (what :meth:`Organisations.by_facilitator_key`
looks up) and sealed with a key kept outside the database (what
:meth:`Organisations.facilitator_key` unseals to print the links); see
:mod:`workbook.store.vault`.
"""

from __future__ import annotations

import builtins
import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from workbook.errors import (
    AccessDeniedError,
    AlreadyExistsError,
    ConflictError,
    InputError,
    NotFoundError,
    SecretKeyError,
)
from workbook.settings import DEFAULT_THRESHOLD, check_threshold
from workbook.store._base import Repository, Transactions, as_utc, utcnow
from workbook.store.records import OrganisationRecord
from workbook.store.tables import Cycle, Organisation, Person, Submission
from workbook.store.vault import Vault
from workbook.text import clean_line, quoted, slugify
from workbook.tokens import hash_token, looks_like_token

__all__ = ["DEFAULT_THRESHOLD", "OrganisationSummary", "Organisations", "quarter_label"]

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


def quarter_label(day: date) -> str:
    """The cycle label for the quarter ``day`` falls in, e.g. ``2026-Q4``."""
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


@dataclass(frozen=True, slots=True)
class OrganisationSummary:
    organisation: OrganisationRecord
    people: int
    current_cycle: str | None
    submitted: int


def _record(row: Organisation) -> OrganisationRecord:
    return OrganisationRecord(
        id=row.id,
        name=row.name,
        anonymity_threshold=row.anonymity_threshold,
        created_at=as_utc(row.created_at),
    )


class Organisations(Repository):
    def __init__(self, transactions: Transactions, vault: Vault) -> None:
        super().__init__(transactions)
        self._vault = vault

    def create(
        self, name: str, slug: str | None = None, *, threshold: int = DEFAULT_THRESHOLD,
        first_cycle: str | None = None,
    ) -> OrganisationRecord:
        """Create an organisation and open its first assessment cycle (this quarter by default)."""
        name = clean_line(name, "the organisation name")
        org_id = slug if slug is not None else slugify(name)
        if not isinstance(org_id, str) or not _SLUG.fullmatch(org_id):
            raise InputError(
                f"the organisation id {quoted(org_id)} must be 1-63 lower-case letters, digits or hyphens, "
                "starting with a letter or digit (choose one with --id)"
            )
        check_threshold(threshold)
        from workbook.store.responses import check_cycle_label

        label = check_cycle_label(first_cycle or quarter_label(utcnow().date()))
        with self._tx.writing() as session:
            if session.get(Organisation, org_id) is not None:
                raise AlreadyExistsError(f"an organisation with the id {quoted(org_id)} exists already")
            now = utcnow()
            issued = self._vault.issue(session)
            row = Organisation(
                id=org_id, name=name, anonymity_threshold=threshold,
                facilitator_key_hash=issued.hash, facilitator_key_sealed=issued.sealed, created_at=now,
            )
            session.add(row)
            session.flush()  # the organisation row must exist before its cycle
            session.add(Cycle(organisation_id=org_id, label=label, created_at=now))
            session.flush()
            return _record(row)

    def get(self, org_id: str) -> OrganisationRecord:
        with self._tx.reading() as session:
            row = session.get(Organisation, org_id) if isinstance(org_id, str) else None
            if row is None:
                raise NotFoundError(f"no organisation with the id {quoted(org_id)} (see: workbook org list)")
            return _record(row)

    def by_facilitator_key(self, key: object) -> OrganisationRecord:
        """The organisation a facilitator link opens; a wrong key reveals nothing."""
        if not looks_like_token(key):
            raise AccessDeniedError("this facilitator link is not valid; ask the consultant for a new one")
        with self._tx.reading() as session:
            row = session.scalars(
                select(Organisation).where(Organisation.facilitator_key_hash == hash_token(key))
            ).first()
            if row is None:
                raise AccessDeniedError("this facilitator link is not valid; ask the consultant for a new one")
            return _record(row)

    def facilitator_key(self, org_id: str) -> str:
        """The organisation's facilitator key, unsealed to print its links (needs the secret key)."""
        with self._tx.reading() as session:
            row = session.get(Organisation, org_id) if isinstance(org_id, str) else None
            if row is None:
                raise NotFoundError(f"no organisation with the id {quoted(org_id)} (see: workbook org list)")
            key_hash, sealed = row.facilitator_key_hash, row.facilitator_key_sealed
        key = self._vault.reveal(key_hash, sealed)
        if key is None:
            raise SecretKeyError(
                f"the facilitator key of {org_id} cannot be printed again (it was kept only as a hash when the "
                f"database was upgraded without a secret key); its links still work. Make a new one with: "
                f"workbook org new-key {org_id}"
            )
        return key

    def list(self) -> list[OrganisationRecord]:
        with self._tx.reading() as session:
            return [_record(r) for r in session.scalars(select(Organisation).order_by(Organisation.id))]

    def summaries(self) -> builtins.list[OrganisationSummary]:  # ``list`` here is the method above
        """Every organisation with its head count and this cycle's submissions, for ``org list``."""
        with self._tx.reading() as session:
            people = dict(
                session.execute(select(Person.organisation_id, func.count()).group_by(Person.organisation_id)).all()
            )
            latest: dict[str, tuple[int, str]] = {}
            for cycle_id, org_id, label in session.execute(
                select(Cycle.id, Cycle.organisation_id, Cycle.label).order_by(Cycle.created_at, Cycle.id)
            ).all():
                latest[org_id] = (cycle_id, label)
            submitted = dict(
                session.execute(
                    select(Submission.cycle_id, func.count())
                    .where(Submission.status == "submitted")
                    .group_by(Submission.cycle_id)
                ).all()
            )
            out = []
            for row in session.scalars(select(Organisation).order_by(Organisation.id)):
                cycle = latest.get(row.id)
                out.append(
                    OrganisationSummary(
                        organisation=_record(row),
                        people=people.get(row.id, 0),
                        current_cycle=cycle[1] if cycle else None,
                        submitted=submitted.get(cycle[0], 0) if cycle else 0,
                    )
                )
            return out

    def set_threshold(self, org_id: str, threshold: int) -> OrganisationRecord:
        """Change the threshold, but only before anyone has submitted in any cycle.

        Every view counts people in whole batches of the organisation's threshold,
        in every cycle, old ones included (the charter's evidence falls back to an
        older cycle; a report can be made of any cycle).  A new threshold would
        move the batch boundary of every cycle with submissions by fewer people
        than the threshold, and a figure from before next to one from after could
        reveal them; opening a new cycle does not help, the old cycles stay on
        show.  So the threshold is set for good at the first submission (a
        report can still use a stricter one: ``workbook report --threshold``).
        Setting the threshold it already has is always accepted.
        """
        check_threshold(threshold)
        with self._tx.writing() as session:
            row = session.get(Organisation, org_id)
            if row is None:
                raise NotFoundError(f"no organisation with the id {quoted(org_id)} (see: workbook org list)")
            if threshold != row.anonymity_threshold:
                submitted = session.scalar(
                    select(func.count()).select_from(Submission).join(Cycle, Cycle.id == Submission.cycle_id)
                    .where(Cycle.organisation_id == org_id, Submission.status == "submitted")
                )
                if submitted:
                    raise ConflictError(
                        f"the threshold of {quoted(org_id)} is {row.anonymity_threshold} for good: {submitted} "
                        "submissions are counted in groups of that size, and changing it would let old and new "
                        "figures be compared (for a stricter report use: workbook report --threshold N)"
                    )
            row.anonymity_threshold = threshold
            session.flush()
            return _record(row)

    def new_facilitator_key(self, org_id: str) -> OrganisationRecord:
        """Replace the facilitator key (e.g. after it was shown on a projector); the old links stop working."""
        with self._tx.writing() as session:
            row = session.get(Organisation, org_id)
            if row is None:
                raise NotFoundError(f"no organisation with the id {quoted(org_id)} (see: workbook org list)")
            issued = self._vault.issue(session)
            row.facilitator_key_hash, row.facilitator_key_sealed = issued.hash, issued.sealed
            session.flush()
            return _record(row)

    def delete(self, org_id: str) -> None:
        """Remove the organisation and, through ON DELETE CASCADE, everything of it."""
        with self._tx.writing() as session:
            row = session.get(Organisation, org_id)
            if row is None:
                raise NotFoundError(f"no organisation with the id {quoted(org_id)} (see: workbook org list)")
            session.delete(row)

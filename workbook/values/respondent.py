"""Who is answering the values self-assessment: an invite token resolved to a person, organisation and cycle.

Kept apart from the app (:mod:`workbook.apps.values`) so the results maths and
the tests can name a respondent without loading any widgets.
"""

from __future__ import annotations

from dataclasses import dataclass

from workbook.errors import AccessDeniedError, NotFoundError
from workbook.store import CycleRecord, OrganisationRecord, PersonRecord, Store

__all__ = ["Respondent", "open_assessment"]


@dataclass(frozen=True, slots=True)
class Respondent:
    """Who is answering, and for which organisation and cycle."""

    person: PersonRecord
    organisation: OrganisationRecord
    cycle: CycleRecord


def open_assessment(store: Store, token: object) -> Respondent:
    """Resolve an invite token; raises AccessDeniedError for anything not valid."""
    person = store.people.by_token(token)
    try:
        organisation = store.organisations.get(person.organisation_id)
        cycle = store.responses.cycle(person.organisation_id)
    except NotFoundError:
        raise AccessDeniedError("this invite link is not in use at the moment; please ask whoever sent it") from None
    return Respondent(person=person, organisation=organisation, cycle=cycle)

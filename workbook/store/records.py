"""Plain frozen records handed out by the store.

Callers (the CLI, the notebooks, the reports) get these instead of ORM objects:
they cannot lazy-load, cannot be written back by accident, and are cheap to
pass between processes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

__all__ = ["AnswerRecord", "CycleRecord", "ImportSummary", "Invite", "InviteHow", "OrganisationRecord",
           "PersonRecord", "ProgressRecord", "Role", "SubmissionRecord", "SubmissionStatus"]

Role = Literal["leader", "staff"]
SubmissionStatus = Literal["not_started", "in_progress", "submitted"]
#: How a person was sent their link: printed by ``invites`` (link), on a card, by email.
InviteHow = Literal["card", "link", "mail"]


@dataclass(frozen=True, slots=True)
class OrganisationRecord:
    id: str
    name: str
    anonymity_threshold: int
    created_at: datetime


@dataclass(frozen=True, slots=True)
class PersonRecord:
    id: int
    organisation_id: str
    name: str
    email: str
    role: Role
    team: str


@dataclass(frozen=True, slots=True)
class Invite:
    """A person with their invite token, unsealed to print their link.

    The only record that carries a token: the store hands one out only where a
    link is made or printed (``people.invites``, ``people.new_token``), never
    with a lookup.  ``repr`` leaves the token out, so logging a record cannot
    leak it.
    """

    person: PersonRecord
    token: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class CycleRecord:
    id: int
    organisation_id: str
    label: str
    created_at: datetime
    #: The last day it takes answers; None: open until the next cycle.
    closes_on: date | None = None


@dataclass(frozen=True, slots=True)
class SubmissionRecord:
    person_id: int
    cycle_id: int
    status: SubmissionStatus
    started_at: datetime | None
    submitted_at: datetime | None


@dataclass(frozen=True, slots=True)
class ProgressRecord:
    """Where one person is with one cycle: each step's time, None where it has not happened."""

    person_id: int
    cycle_id: int
    invited_at: datetime | None
    last_invited_at: datetime | None
    invited_how: tuple[InviteHow, ...]
    opened_at: datetime | None
    started_at: datetime | None
    last_answer_at: datetime | None
    submitted_at: datetime | None


@dataclass(frozen=True, slots=True)
class AnswerRecord:
    person_id: int
    cycle_id: int
    statement_id: str
    rating: int | None
    dont_know: bool
    comment: str | None
    framework_id: str
    framework_version: str
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class ImportSummary:
    """What a people import did, so the CLI can say it in one line."""

    added: int
    updated: int
    unchanged: int

    @property
    def total(self) -> int:
        return self.added + self.updated + self.unchanged

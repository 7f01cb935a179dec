"""Plain frozen records handed out by the store.

Callers (the CLI, the notebooks, the reports) get these instead of ORM objects:
they cannot lazy-load, cannot be written back by accident, and are cheap to
pass between processes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

__all__ = ["AnswerRecord", "CycleRecord", "ImportSummary", "OrganisationRecord", "PersonRecord",
           "Role", "SubmissionRecord", "SubmissionStatus"]

Role = Literal["leader", "staff"]
SubmissionStatus = Literal["not_started", "in_progress", "submitted"]


@dataclass(frozen=True, slots=True)
class OrganisationRecord:
    id: str
    name: str
    anonymity_threshold: int
    facilitator_key: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class PersonRecord:
    id: int
    organisation_id: str
    name: str
    email: str
    role: Role
    team: str
    token: str


@dataclass(frozen=True, slots=True)
class CycleRecord:
    id: int
    organisation_id: str
    label: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class SubmissionRecord:
    person_id: int
    cycle_id: int
    status: SubmissionStatus
    started_at: datetime | None
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

"""Plain frozen records of the DIME™ steps workshop.

The app, the summary, the export and the organisation report all receive these
instead of ORM rows, like the rest of the store (:mod:`workbook.store.records`):
they cannot lazy-load or be written back by accident.

A rating or evidence record with ``version == 0`` stands for "nothing stored
yet": the app keeps the version it last saw and sends it back with the next
change, so 0 means "I believe nobody has saved this".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Final, Literal

__all__ = [
    "ACTION_STATUSES",
    "ALL_ACTION_STATUSES",
    "REVIEW_LABELS",
    "REVIEW_OUTCOMES",
    "STATUS_LABELS",
    "UNFINISHED_STATUSES",
    "ActionRecord",
    "ActionStatus",
    "ObstacleRecord",
    "PlayFields",
    "PlayRecord",
    "PracticeRatingRecord",
    "ReviewOutcome",
    "StepEvidenceRecord",
    "TeamProgress",
    "WorkshopState",
]

ActionStatus = Literal["open", "in_progress", "done", "carried", "dropped"]
#: The statuses a facilitator may give an action on a step's page, in the order they are offered.
ACTION_STATUSES: Final[tuple[ActionStatus, ...]] = ("open", "in_progress", "done")
#: Every status a stored action may have: ``carried`` is the final state of a row whose action went on into
#: the next cycle; ``dropped`` is set only by the review of last cycle's actions, with a reason.
ALL_ACTION_STATUSES: Final[tuple[ActionStatus, ...]] = ("open", "in_progress", "done", "carried", "dropped")
#: Statuses of an action nobody has finished: these are carried into the next cycle when it opens.
UNFINISHED_STATUSES: Final[tuple[ActionStatus, ...]] = ("open", "in_progress")
#: What people read for each status (screens and CSV files).
STATUS_LABELS: Final[Mapping[str, str]] = {"open": "Open", "in_progress": "In progress", "done": "Done",
                                           "carried": "Carried forward", "dropped": "Dropped"}

ReviewOutcome = Literal["done", "carried", "dropped"]
#: What the review of last cycle's actions may decide for each carried action, in the order offered.
REVIEW_OUTCOMES: Final[tuple[ReviewOutcome, ...]] = ("done", "carried", "dropped")
REVIEW_LABELS: Final[Mapping[str, str]] = {"done": "Done", "carried": "Carried again", "dropped": "Dropped"}


@dataclass(frozen=True, slots=True)
class PracticeRatingRecord:
    """The team's maturity rating of one practice (None: not rated yet) and a note."""

    cycle_id: int
    practice_id: str
    rating: int | None = None
    note: str | None = None
    version: int = 0
    updated_at: datetime | None = None
    updated_by: str | None = None


@dataclass(frozen=True, slots=True)
class StepEvidenceRecord:
    """Notes of evidence the team gathered for one step."""

    cycle_id: int
    step_id: str
    evidence: str | None = None
    version: int = 0
    updated_at: datetime | None = None
    updated_by: str | None = None


@dataclass(frozen=True, slots=True)
class ObstacleRecord:
    """An obstacle the team sees showing at one step."""

    cycle_id: int
    step_id: str
    obstacle_id: str
    note: str | None
    updated_at: datetime
    updated_by: str | None


@dataclass(frozen=True, slots=True)
class ActionRecord:
    """One action of the plan: what, who, by when, how far it has got.

    ``carried_from_id`` names the row of an earlier cycle this action
    continues (None: it was agreed in this cycle); ``review`` and
    ``review_note`` are what the review of last cycle's actions decided.
    """

    id: int
    cycle_id: int
    step_id: str
    what: str
    owner: str
    due: date | None
    status: ActionStatus
    version: int
    created_at: datetime
    updated_at: datetime
    updated_by: str | None
    carried_from_id: int | None = None
    review: ReviewOutcome | None = None
    review_note: str | None = None

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def is_carried_in(self) -> bool:
        """True when this action came from an earlier cycle (so the review covers it)."""
        return self.carried_from_id is not None

    @property
    def is_editable(self) -> bool:
        """False for a row that went on into the next cycle: it keeps its final state there."""
        return self.status != "carried"


@dataclass(frozen=True, slots=True)
class TeamProgress:
    """How many people of one team have submitted the values self-assessment.

    Deliberately no names: the live panel may show counts, never who is missing.
    """

    team: str
    people: int
    submitted: int

    @property
    def still_to_submit(self) -> int:
        return self.people - self.submitted


@dataclass(frozen=True, slots=True)
class WorkshopState:
    """Everything entered for one cycle's workshop, read in one transaction."""

    cycle_id: int
    ratings: Mapping[str, PracticeRatingRecord] = field(default_factory=dict)
    evidence: Mapping[str, StepEvidenceRecord] = field(default_factory=dict)
    obstacles: tuple[ObstacleRecord, ...] = ()
    actions: tuple[ActionRecord, ...] = ()

    @property
    def is_empty(self) -> bool:
        """True when nobody has entered anything (a blank rating or evidence row counts as nothing)."""
        return (
            all(r.rating is None and not r.note for r in self.ratings.values())
            and all(not e.evidence for e in self.evidence.values())
            and not self.obstacles
            and not self.actions
        )

    def rating(self, practice_id: str) -> PracticeRatingRecord:
        """The stored rating, or an empty one (version 0) when none was saved."""
        return self.ratings.get(practice_id) or PracticeRatingRecord(self.cycle_id, practice_id)

    def evidence_for(self, step_id: str) -> StepEvidenceRecord:
        return self.evidence.get(step_id) or StepEvidenceRecord(self.cycle_id, step_id)

    def obstacles_at(self, step_id: str) -> frozenset[str]:
        return frozenset(o.obstacle_id for o in self.obstacles if o.step_id == step_id)

    def actions_for(self, step_id: str) -> tuple[ActionRecord, ...]:
        return tuple(a for a in self.actions if a.step_id == step_id)


@dataclass(frozen=True, slots=True)
class PlayFields:
    """What a facilitator types for one row of the recovery playbook (checked by the repository).

    The three stages of service recovery are the columns: ``say`` (acknowledge
    and apologise); ``offer``, ``limit`` and ``speed`` (here is what we will
    do); ``follow_up_by`` and ``follow_up_when`` (follow up and ask).
    ``limit`` may come as a number or as the text typed in a box.
    """

    failure: str
    say: str | None = None
    offer: str | None = None
    limit: float | str | None = None
    speed: str | None = None
    follow_up_by: str | None = None
    follow_up_when: str | None = None


@dataclass(frozen=True, slots=True)
class PlayRecord:
    """One stored row of a cycle's recovery playbook.

    ``carried_from_id`` names the row of an earlier cycle it was copied from
    when this cycle opened (None: written in this cycle).
    """

    id: int
    cycle_id: int
    failure: str
    say: str | None
    offer: str | None
    limit: float | None
    speed: str | None
    follow_up_by: str | None
    follow_up_when: str | None
    version: int
    updated_at: datetime
    updated_by: str | None
    carried_from_id: int | None = None

    @property
    def fields(self) -> PlayFields:
        """The row as the fields a facilitator edits (to compare with, or start an edit from)."""
        return PlayFields(self.failure, self.say, self.offer, self.limit, self.speed, self.follow_up_by,
                          self.follow_up_when)

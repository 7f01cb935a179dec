"""Who has answered: one status per person and cycle, and the selections for a second round.

A person's status in a cycle is the furthest step they have reached:

==============  ===========================================================
``not-invited`` no link printed, no card made, no mail sent for this cycle
``invited``     sent their link (``workbook invites``, a card, or a mail)
``opened``      opened their link, but saved nothing yet
``started``     saved at least one answer, not submitted
``submitted``   submitted: their answers are final
==============  ===========================================================

Opening a link counts even without an invitation recorded (a link printed
before this was kept, or passed on by hand).  The selections for reminders
and second-round cards (:data:`SELECTIONS`):

* ``not-started``: nothing saved yet (not-invited, invited, opened);
* ``not-submitted``: everyone without a submission (the above and started).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, get_args

from workbook.errors import InputError
from workbook.store import CycleRecord, InviteHow, PersonRecord, ProgressRecord, Store
from workbook.text import quoted

__all__ = ["SELECTIONS", "STATUSES", "PersonStatus", "Selection", "Status", "check_selection", "select",
           "statuses"]

Status = Literal["not-invited", "invited", "opened", "started", "submitted"]
Selection = Literal["not-started", "not-submitted"]
STATUSES: tuple[Status, ...] = get_args(Status)
SELECTIONS: tuple[Selection, ...] = get_args(Selection)

_IN_SELECTION: dict[str, frozenset[str]] = {
    "not-started": frozenset({"not-invited", "invited", "opened"}),
    "not-submitted": frozenset({"not-invited", "invited", "opened", "started"}),
}


@dataclass(frozen=True, slots=True)
class PersonStatus:
    """One person's status in one cycle, with the times behind it."""

    person: PersonRecord
    cycle: CycleRecord
    status: Status
    progress: ProgressRecord

    @property
    def invited_how(self) -> tuple[InviteHow, ...]:
        return self.progress.invited_how

    @property
    def invited_at(self) -> datetime | None:
        return self.progress.invited_at

    @property
    def opened_at(self) -> datetime | None:
        return self.progress.opened_at

    @property
    def last_answer_at(self) -> datetime | None:
        return self.progress.last_answer_at

    @property
    def submitted_at(self) -> datetime | None:
        return self.progress.submitted_at


def status_of(progress: ProgressRecord) -> Status:
    """The furthest step ``progress`` shows."""
    if progress.submitted_at is not None:
        return "submitted"
    if progress.started_at is not None or progress.last_answer_at is not None:
        return "started"
    if progress.opened_at is not None:
        return "opened"
    if progress.invited_at is not None:
        return "invited"
    return "not-invited"


def statuses(store: Store, org_id: str, cycle: CycleRecord | None = None) -> list[PersonStatus]:
    """Everyone in ``org_id`` with their status in ``cycle`` (default: the current one), in ``people list`` order."""
    cycle = cycle or store.responses.cycle(org_id)
    records = store.progress.of_cycle(org_id, cycle.id)
    return [PersonStatus(person, cycle, status_of(records[person.id]), records[person.id])
            for person in store.people.list(org_id) if person.id in records]


def check_selection(value: str | None) -> Selection | Status | None:
    """A ``--only``/``--status`` value: a selection, a single status, or None for everyone."""
    if value is None:
        return None
    for known in (*SELECTIONS, *STATUSES):
        if value == known:
            return known
    raise InputError(f"choose {', '.join((*SELECTIONS, *STATUSES))}, not {quoted(value)}")


def select(people: Iterable[PersonStatus], only: str | None) -> list[PersonStatus]:
    """The people ``only`` names: a selection (not-started, not-submitted), one status, or everyone (None)."""
    chosen = check_selection(only)
    if chosen is None:
        return list(people)
    wanted: frozenset[str] = _IN_SELECTION.get(chosen, frozenset({chosen}))
    return [p for p in people if p.status in wanted]

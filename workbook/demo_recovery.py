"""The demo's service recovery playbook, refined quarter by quarter.

So that a newcomer opening the demo finds a playbook on the workshop's
positive-memories page (and in the charter and the report), this writes one
in the oldest cycle and lets each later quarter refine it the way a team
would: the new cycle receives a copy (what opening a cycle does,
:meth:`workbook.workshop.playbook.Playbook.carry_into`), then an amount is
raised, a failure is added, a follow-up is made faster.  The recovery log's
figures for the same quarters are in :mod:`workbook.demo_measures`.
Everything goes through the repository calls the app makes; running it
again changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Final

from workbook.errors import InputError
from workbook.store import Store
from workbook.workshop.playbook import Playbook
from workbook.workshop.records import PlayFields

__all__ = ["DEMO_PLAYBOOK", "seed_demo_playbook"]

_BY: Final = "Demo facilitator"

#: The first quarter's playbook.
DEMO_PLAYBOOK: Final[tuple[PlayFields, ...]] = (
    PlayFields(
        failure="The room is not ready at check-in time",
        say="I am sorry: your room should be ready now and it is not. That is our mistake, and here is what I "
            "can do straight away.",
        offer="A drink in the bar or lounge while they wait, and the first available upgrade",
        limit=15, speed="Room ready, or another room, within 30 minutes",
        follow_up_by="Front-office manager on duty", follow_up_when="The next morning, at breakfast or by phone"),
    PlayFields(
        failure="A charge on the bill the guest does not recognise",
        say="Thank you for pointing it out, and I am sorry for the worry. Let me check it with you now.",
        offer="Remove a wrong charge at once and print a corrected bill",
        limit=50, speed="Before the guest leaves the desk",
        follow_up_by="Accounts team", follow_up_when="Within three working days, by email"),
    PlayFields(
        failure="Room service arrives late or cold",
        say="I am so sorry your meal was not right. We will put it right now.",
        offer="A fresh meal, and the order taken off the bill",
        limit=30, speed="A fresh meal within 20 minutes",
        follow_up_by="Restaurant supervisor", follow_up_when="Within a day, by phone"),
)

#: What each later quarter changes, by failure (oldest later quarter first).
_REFINEMENTS: Final[tuple[dict[str, dict[str, object]], ...]] = (
    {"The room is not ready at check-in time": {"limit": 25}},
    {"Room service arrives late or cold": {"follow_up_when": "The same evening, by phone"}},
    {"The room is not ready at check-in time": {"speed": "Room ready, or another room, within 20 minutes"}},
)
#: A failure the team added in the second quarter, once the recovery log showed it.
_ADDED: Final = PlayFields(
    failure="Noise from a neighbouring room keeps the guest awake",
    say="I am sorry you had a bad night; that is not the stay we want for you.",
    offer="A move to a quieter room, and breakfast on us",
    limit=20, speed="A new room within 15 minutes, day or night",
    follow_up_by="Night manager, handing over to the front-office manager",
    follow_up_when="At check-out")


def seed_demo_playbook(store: Store, org_id: str, cycles: Sequence[str]) -> int:
    """Give ``org_id``'s cycles (labels, oldest first) a playbook refined each quarter; returns rows written."""
    known = {c.label: c.id for c in store.responses.cycles(org_id)}
    missing = [label for label in cycles if label not in known]
    if missing:
        raise InputError(f"open these cycles before adding the demo's playbook: {', '.join(missing)}")
    playbook = Playbook(store)
    ids = [known[label] for label in cycles]
    if not ids or playbook.plays(ids[0]):
        return 0
    written = 0
    for play in DEMO_PLAYBOOK:
        playbook.add(ids[0], play, by=_BY)
        written += 1
    for index, cycle_id in enumerate(ids[1:]):
        playbook.carry_into(org_id, cycle_id)
        changes = _REFINEMENTS[index] if index < len(_REFINEMENTS) else {}
        for row in playbook.plays(cycle_id):
            if row.failure in changes:
                fields = replace(row.fields, **changes[row.failure])  # type: ignore[arg-type]
                playbook.update(cycle_id, row.id, fields, expected_version=row.version, by=_BY)
                written += 1
        if index == 0:
            playbook.add(cycle_id, _ADDED, by=_BY)
            written += 1
    return written

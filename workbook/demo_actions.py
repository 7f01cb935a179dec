"""The demo's actions across past quarters: some done, some carried, one dropped.

So that a newcomer opening the demo sees the workshop start with a review of
last quarter's actions, and the report's "actions across cycles" table has
something to show, this builds a plausible history over the demo's cycles::

    seed_demo_actions(store, "demo", ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"])

The cycles must exist already, oldest first; the last is the current one.
In each past cycle actions are agreed, carried into the next cycle
(:meth:`workbook.workshop.repository.Workshop.carry_forward`, what opening a
cycle does) and reviewed there: one is done, one is carried again quarter
after quarter, one is dropped with a note.  The current cycle's carried
actions are left unreviewed, for the workshop to review.  Everything goes
through the same repository calls the app makes.  Running it again changes
nothing (it returns ``created=False`` once the first cycle has actions).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from workbook.errors import InputError
from workbook.framework import Framework, load_framework
from workbook.store import Store
from workbook.workshop.records import ActionStatus, ReviewOutcome
from workbook.workshop.repository import Workshop

__all__ = ["DemoActionsResult", "seed_demo_actions"]

_BY: Final = "Demo facilitator"


@dataclass(frozen=True, slots=True)
class _NewAction:
    step: int  # index into the framework's steps
    what: str
    owner: str
    status: ActionStatus = "open"


#: Actions agreed in each past cycle (by position: the oldest cycle first).
_AGREED: Final[tuple[tuple[_NewAction, ...], ...]] = (
    (
        _NewAction(0, "Share one customer story at every Monday briefing", "Priya Shah"),
        _NewAction(1, "Greet every guest by name within the first minute", "Tom Evans", "in_progress"),
        _NewAction(2, "Send a thank-you card after every large event booking", "Lena Novak"),
        _NewAction(3, "Refresh the lobby signs to match the brand guide", "Marco Rossi", "done"),
    ),
    (_NewAction(0, "Run a 20-minute refresher on handling complaints", "Sam Okafor", "in_progress"),),
    (_NewAction(2, "Call back every guest who rated their stay 3 or lower", "Lena Novak"),),
)

#: What each review decides for a carried action, visit by visit (by the action's wording).
_REVIEWS: Final[dict[str, tuple[tuple[ReviewOutcome, str], ...]]] = {
    "Share one customer story at every Monday briefing": (
        ("done", "Now a fixed item on the briefing agenda."),),
    "Greet every guest by name within the first minute": (
        ("carried", "About half the front desk does it; keep going."),
        ("carried", "Better on weekdays; weekends still patchy."),),
    "Send a thank-you card after every large event booking": (
        ("dropped", "Replaced by the follow-up call the booking system now schedules."),),
    "Run a 20-minute refresher on handling complaints": (
        ("done", "Every shift has had it; new starters get it in week one."),),
}


@dataclass(frozen=True, slots=True)
class DemoActionsResult:
    """What was built: actions agreed, carried, reviewed (and how), and left for the current review."""

    created: bool
    agreed: int
    carried: int
    done: int
    carried_again: int
    dropped: int
    to_review: int


def seed_demo_actions(store: Store, org_id: str, cycles: Sequence[str], *,
                      framework: Framework | None = None) -> DemoActionsResult:
    """Give ``org_id``'s cycles (labels, oldest first; the last is the current one) a history of actions."""
    framework = framework or load_framework()
    if len(cycles) < 2:
        raise InputError("the demo's actions need at least two cycles: a past one and the current one")
    known = {c.label: c for c in store.responses.cycles(org_id)}
    missing = [label for label in cycles if label not in known]
    if missing:
        raise InputError(f"open these cycles before adding the demo's actions: {', '.join(missing)}")
    workshop = Workshop(store)
    ids = [known[label].id for label in cycles]
    if workshop.actions(ids[0]):
        return DemoActionsResult(False, 0, 0, 0, 0, 0, len(workshop.carried_in(ids[-1])))
    steps = framework.steps
    agreed = carried = 0
    outcomes = {"done": 0, "carried": 0, "dropped": 0}
    visits: dict[str, int] = {}
    for index, cycle_id in enumerate(ids):
        last = index == len(ids) - 1
        if index:
            carried += workshop.carry_forward(org_id, cycle_id)
            for action in () if last else workshop.carried_in(cycle_id):
                plan = _REVIEWS.get(action.what, ())
                visit = visits.get(action.what, 0)
                visits[action.what] = visit + 1
                if visit < len(plan):
                    outcome, note = plan[visit]
                    workshop.review_action(cycle_id, action.id, outcome, note, expected_version=action.version,
                                           by=_BY)
                    outcomes[outcome] += 1
        if last or index >= len(_AGREED):
            continue
        for new in _AGREED[index]:
            step = steps[new.step % len(steps)]
            workshop.add_action(cycle_id, step.id, new.what, new.owner, None, new.status, framework=framework, by=_BY)
            agreed += 1
    to_review = len(workshop.carried_in(ids[-1]))
    return DemoActionsResult(True, agreed, carried, outcomes["done"], outcomes["carried"], outcomes["dropped"],
                             to_review)

"""An action's history across cycles, and how each cycle's actions ended.

Pure functions over :meth:`workbook.workshop.repository.Workshop.organisation_actions`
(every action of an organisation with its cycle's label), shared by the
actions export, the review page and the organisation report::

    rows = Workshop(store).organisation_actions(org_id)
    threads = action_threads(rows)          # action id -> ActionThread
    table = completion_by_cycle(rows, [c.label for c in cycles])

An action carried from quarter to quarter is one row per cycle, each naming
the one it continues; a *thread* is that chain, from the cycle where the
action was first agreed to the newest row.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from workbook.workshop.records import ActionRecord

__all__ = ["ActionThread", "CycleCompletion", "action_threads", "completion_by_cycle", "completion_text", "thread_for"]


@dataclass(frozen=True, slots=True)
class ActionThread:
    """Where one action row stands in its chain across cycles."""

    first_cycle: str
    #: The cycle of the row this one continues (None: agreed in its own cycle).
    carried_from_cycle: str | None
    #: How many times the action has been carried forward to reach this row.
    times_carried: int
    #: The cycles the action has been in, oldest first, up to and including this row's.
    cycles: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CycleCompletion:
    """How a cycle's actions ended: done, carried forward, dropped, or still open."""

    cycle: str
    done: int
    carried: int
    dropped: int
    open: int

    @property
    def total(self) -> int:
        return self.done + self.carried + self.dropped + self.open


def action_threads(rows: Iterable[tuple[str, ActionRecord]]) -> dict[int, ActionThread]:
    """Each action row's thread: first cycle, the cycle it came from, times carried, cycles so far.

    A link to a row that no longer exists (its cycle was deleted) ends the
    chain there rather than failing: the history shown is what is still stored.
    """
    by_id = {action.id: (label, action) for label, action in rows}
    threads: dict[int, ActionThread] = {}
    for action_id, (label, action) in by_id.items():
        cycles = [label]
        seen = {action_id}
        previous = action.carried_from_id
        while previous is not None and previous in by_id and previous not in seen:
            seen.add(previous)
            earlier_label, earlier = by_id[previous]
            cycles.append(earlier_label)
            previous = earlier.carried_from_id
        cycles.reverse()
        came_from = cycles[-2] if len(cycles) > 1 else None
        threads[action_id] = ActionThread(cycles[0], came_from, len(cycles) - 1, tuple(cycles))
    return threads


def completion_by_cycle(rows: Iterable[tuple[str, ActionRecord]], cycle_labels: Sequence[str]) -> list[CycleCompletion]:
    """One row per cycle in ``cycle_labels`` order (cycles with no actions left out).

    In progress counts as open.  An action carried into a cycle counts in that
    cycle too: its earlier cycles show it as carried forward, the newest one
    as whatever became of it.
    """
    counts: dict[str, dict[str, int]] = {label: {"done": 0, "carried": 0, "dropped": 0, "open": 0}
                                         for label in cycle_labels}
    for label, action in rows:
        if label not in counts:
            continue
        key = "open" if action.status in ("open", "in_progress") else action.status
        counts[label][key] += 1
    return [CycleCompletion(label, **c) for label, c in counts.items() if sum(c.values())]


def completion_text(rows: Sequence[CycleCompletion]) -> list[str]:
    """The completion table as plain lines (the report's text twin, and screen readers)."""
    return [f"{r.cycle}: {r.total} {'action' if r.total == 1 else 'actions'}: {r.done} done, "
            f"{r.carried} carried forward, {r.dropped} dropped, {r.open} open" for r in rows]


def thread_for(threads: Mapping[int, ActionThread], action: ActionRecord, cycle_label: str) -> ActionThread:
    """The thread of ``action``, or a one-cycle thread when it is not among ``threads``."""
    return threads.get(action.id) or ActionThread(cycle_label, None, 0, (cycle_label,))

"""The demo organisation's past quarters: what happened before the current cycle.

:func:`build_history` opens each past quarter in turn, oldest first (the same
order a real organisation lives them: a later quarter is opened only once the
one before it is done), and fills it by calling every function in
:data:`QUARTER_CONTENT` with a :class:`PastQuarter`.  Today that is the
self-assessment's answers and the workshop's ratings; another part of the
demo's history (last quarter's actions, customer measures) is one more
function appended to that list, drawing from its own seeded random stream
(:meth:`PastQuarter.rng`) so that adding it changes nothing already drawn.

The shape of the history lives in ``data/demo/answers.yaml`` under
``history``: the typical score of each value in each quarter, the share of
people who answered, and the typical maturity of each DIME™ step.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from workbook.framework import Framework
from workbook.store import CycleRecord, PersonRecord, Store

__all__ = [
    "QUARTER_CONTENT",
    "PastQuarter",
    "build_history",
    "history_labels",
    "past_quarter_answers",
    "past_quarter_workshop",
    "previous_quarter",
]

#: Who records the demo's past workshop ratings (the "by" of each stored edit).
DEMO_FACILITATOR = "Demo facilitator"


@dataclass(frozen=True)
class PastQuarter:
    """One past quarter being built: where to write, and which of the history's rows it is."""

    store: Store
    framework: Framework
    profile: dict[str, Any]
    organisation_id: str
    cycle: CycleRecord
    index: int  # 0 for the oldest past quarter
    people: tuple[PersonRecord, ...]

    @property
    def history(self) -> dict[str, Any]:
        loaded: dict[str, Any] = self.profile["history"]
        return loaded

    def rng(self, purpose: str) -> random.Random:
        """A random stream of its own for ``purpose`` in this quarter: the same on every run.

        Seeded by the quarter's place in the history, not its label, so the demo
        (and the report notebook's stored outputs) are the same whatever today's date.
        """
        return random.Random(f"{self.profile['seed']}:history:{self.index}:{purpose}")


def previous_quarter(label: str) -> str:
    """The quarter before ``label`` (``2026-Q1`` -> ``2025-Q4``)."""
    year, quarter = label.split("-Q")
    y, q = int(year), int(quarter)
    return f"{y - 1}-Q4" if q == 1 else f"{y}-Q{q - 1}"


def history_labels(current: str, profile: dict[str, Any]) -> list[str]:
    """The labels of the past quarters the profile describes, oldest first, ending just before ``current``."""
    count = len(profile.get("history", {}).get("value_means", []))
    labels: list[str] = []
    label = current
    for _ in range(count):
        label = previous_quarter(label)
        labels.insert(0, label)
    return labels


#: The framework edition the demo's past quarters were answered under.
PAST_EDITION = "1.0.0"


def past_quarter_answers(quarter: PastQuarter) -> None:
    """Everyone who took part that quarter answers every statement and submits."""
    from workbook.demo import answer_cycle

    rng = quarter.rng("answers")
    share = float(quarter.history["respond_share"][quarter.index])
    ordered = sorted(quarter.people, key=lambda p: p.email)
    skipped = {p.email for p in ordered if rng.random() >= share}
    # Past quarters were answered before the statements about the organisation
    # existed (framework 1.0.0): the demo shows old cycles reporting as they did.
    answer_cycle(quarter.store, quarter.framework.edition(PAST_EDITION), quarter.profile, quarter.cycle.id,
                 list(ordered), rng,
                 value_means=quarter.history["value_means"][quarter.index], not_started=skipped, part_way=set())


def past_quarter_workshop(quarter: PastQuarter) -> None:
    """The team's rating of every practice, around the step's typical maturity that quarter."""
    from workbook.workshop.repository import Workshop

    rng = quarter.rng("workshop")
    low, high = quarter.framework.scale.minimum, quarter.framework.scale.maximum
    spread = float(quarter.history["practice_spread"])
    levels = quarter.history["workshop"]
    workshop = Workshop(quarter.store)
    for step in quarter.framework.steps:
        if step.id not in levels:
            continue
        level = float(levels[step.id][quarter.index])
        for practice in step.practices:
            rating = max(low, min(high, round(level + rng.gauss(0, spread))))
            workshop.save_rating(quarter.cycle.id, practice.id, rating, expected_version=0,
                                 framework=quarter.framework, by=DEMO_FACILITATOR)


#: What each past quarter holds, built in this order; append a function to add to the history.
QUARTER_CONTENT: list[Callable[[PastQuarter], None]] = [past_quarter_answers, past_quarter_workshop]


def build_history(store: Store, framework: Framework, profile: dict[str, Any], organisation_id: str,
                  labels: list[str]) -> list[CycleRecord]:
    """Open and fill the past quarters ``labels`` (oldest first; the first is already open).

    The organisation must have been created with ``labels[0]`` as its first
    cycle and have its people imported.  Returns the past cycles.
    """
    people = tuple(store.people.list(organisation_id))
    cycles: list[CycleRecord] = []
    for index, label in enumerate(labels):
        cycle = (store.responses.cycle(organisation_id) if index == 0
                 else store.responses.open_cycle(organisation_id, label))
        quarter = PastQuarter(store, framework, profile, organisation_id, cycle, index, people)
        for content in QUARTER_CONTENT:
            content(quarter)
        cycles.append(cycle)
    return cycles

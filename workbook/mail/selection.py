"""Who a reminder goes to: ``--only not-started`` or ``--only not-submitted``.

The choice is :mod:`workbook.progress`'s, so reminders, second-round cards and
``people list --status`` always agree: not-started means nothing saved yet
(not invited, invited or opened); not-submitted means no submission, whether
or not the person started.
"""

from __future__ import annotations

from typing import Final, Literal, get_args

from workbook.store import Store

__all__ = ["ONLY_CHOICES", "Only", "selected_people"]

Only = Literal["not-started", "not-submitted"]
ONLY_CHOICES: Final[tuple[str, ...]] = get_args(Only)


def selected_people(store: Store, org_id: str, cycle_id: int, only: Only) -> set[int]:
    """The ids of the people of ``org_id`` who match ``only`` in the cycle ``cycle_id``."""
    from workbook.progress import select, statuses

    cycle = next(c for c in store.responses.cycles(org_id) if c.id == cycle_id)
    return {s.person.id for s in select(statuses(store, org_id, cycle), only)}

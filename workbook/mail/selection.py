"""Who a reminder goes to: ``--only not-started`` or ``--only not-submitted``.

Kept in one small function on purpose: the response-tracking work (issue #13,
part 3) brings a status module of its own, and this is the one place to swap
for it.  Until then it reads what the store already knows: a person with no
saved answer in the cycle has not started; a person without a submission has
not submitted (whether or not they started).
"""

from __future__ import annotations

from typing import Final, Literal, get_args

from workbook.store import Store

__all__ = ["ONLY_CHOICES", "Only", "selected_people"]

Only = Literal["not-started", "not-submitted"]
ONLY_CHOICES: Final[tuple[str, ...]] = get_args(Only)


def selected_people(store: Store, org_id: str, cycle_id: int, only: Only) -> set[int]:
    """The ids of the people of ``org_id`` who match ``only`` in the cycle ``cycle_id``."""
    wanted = {"not_started"} if only == "not-started" else {"not_started", "in_progress"}
    return {pid for pid, status in store.responses.statuses(org_id, cycle_id).items() if status in wanted}

"""Opening the workshop: a facilitator link's key and cycle resolved to an organisation and cycle.
"""

from __future__ import annotations

from dataclasses import dataclass

from workbook.apps.ui import (
    facilitator_organisation,
)
from workbook.errors import InputError, NotFoundError
from workbook.store import CycleRecord, OrganisationRecord, Store

__all__ = ["WorkshopSession", "open_workshop"]


@dataclass(frozen=True, slots=True)
class WorkshopSession:
    """Which organisation and cycle a facilitator link opened."""

    organisation: OrganisationRecord
    cycle: CycleRecord


def open_workshop(store: Store, key: object, cycle_label: object = None) -> WorkshopSession:
    """Resolve a facilitator key (AccessDeniedError) and a cycle (NotFoundError; default: current)."""
    from workbook.store.responses import check_cycle_label

    organisation = facilitator_organisation(store, key)
    label: str | None = None
    if cycle_label is not None and cycle_label != "":
        try:
            label = check_cycle_label(cycle_label)  # type: ignore[arg-type]
        except InputError:
            raise NotFoundError("the cycle named in this link is not valid; open the link without it") from None
    cycle = store.responses.cycle(organisation.id, label)
    return WorkshopSession(organisation, cycle)

"""Plain frozen records of a charter, handed out by :class:`~workbook.charter.repository.Charters`.

A promise carries no position of its own: its place is its index in
``CharterRecord.promises`` (1-based on the page), so re-ordering is just a new
tuple and two promises can never claim the same place.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Literal

from workbook.errors import InputError
from workbook.text import format_day  # re-exported: charter code imports it from here

__all__ = [
    "APPROVED", "DRAFT", "ApprovalRefusedError", "CharterRecord", "CharterStatus", "PromiseRecord", "format_day",
]

CharterStatus = Literal["draft", "approved"]
DRAFT: CharterStatus = "draft"
APPROVED: CharterStatus = "approved"


@dataclass(frozen=True, slots=True)
class PromiseRecord:
    """One promise as the team wrote it; empty fields are ``None`` (text is ``""``)."""

    text: str = ""
    value_id: str | None = None
    step_id: str | None = None
    standard: str | None = None
    owner: str | None = None
    review_date: date | None = None
    starter_id: str | None = None
    #: The customer measure (framework ``measures:`` id) that shows the promise is
    #: kept, and its target: ``target_op`` is ">=" or "<=", ``target_value`` a number.
    measure_id: str | None = None
    target_op: str | None = None
    target_value: float | None = None

    def with_changes(self, **changes: object) -> PromiseRecord:
        """A copy with some fields changed (the app edits one field at a time)."""
        return replace(self, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class CharterRecord:
    """One numbered version of an organisation's charter.

    ``version`` is the optimistic-concurrency counter: every save names the
    version it started from, and a save from a stale copy is refused.
    """

    id: int
    organisation_id: str
    number: int
    status: CharterStatus
    title: str | None
    version: int
    created_at: datetime
    updated_at: datetime
    approved_at: datetime | None
    approved_by: str | None
    promises: tuple[PromiseRecord, ...] = field(default_factory=tuple)
    #: What customers are told to expect (outside) and what the team commits to (inside).
    brand_promise: str | None = None
    common_purpose: str | None = None

    @property
    def is_draft(self) -> bool:
        return self.status == DRAFT

    @property
    def label(self) -> str:
        """How people name this version: "version 3 (draft)" / "version 2 (approved 5 March 2027)"."""
        if self.is_draft:
            return f"version {self.number} (draft)"
        when = f" {format_day(self.approved_at.date())}" if self.approved_at else ""
        return f"version {self.number} (approved{when})"


class ApprovalRefusedError(InputError):
    """A charter cannot be approved yet; ``problems`` lists every blocking check."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems: list[str] = list(problems or [message])

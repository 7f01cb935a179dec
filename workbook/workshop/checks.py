"""Checking every value a facilitator enters, before it is stored.

A browser can send any widget value over the comm channel, even one the page
would never offer (see the engineering notes), so the repository calls these
on every write whatever the app has already checked.  Each refusal is an
:class:`~workbook.errors.InputError` with one line that says what to do.
"""

from __future__ import annotations

from datetime import date
from typing import Final

from workbook.dates import EARLIEST_DAY, LATEST_DAY, parse_day
from workbook.errors import InputError
from workbook.framework import Framework, format_number
from workbook.framework.figures import as_number
from workbook.text import clean_line, clean_paragraphs
from workbook.workshop.records import (
    ACTION_STATUSES,
    ALL_ACTION_STATUSES,
    REVIEW_LABELS,
    REVIEW_OUTCOMES,
    STATUS_LABELS,
    ActionStatus,
    PlayFields,
    ReviewOutcome,
)

__all__ = [
    "EARLIEST_DUE",
    "EVIDENCE_MAX",
    "LATEST_DUE",
    "NAME_MAX",
    "NOTE_MAX",
    "OWNER_MAX",
    "PLAY_LIMIT_MAX",
    "REVIEW_NOTE_MAX",
    "WHAT_MAX",
    "check_by",
    "check_due",
    "check_evidence",
    "check_note",
    "check_owner",
    "check_play",
    "check_play_limit",
    "check_rating",
    "check_review",
    "check_review_note",
    "check_status",
    "check_stored_status",
    "check_version",
    "check_what",
]

WHAT_MAX: Final = 500
OWNER_MAX: Final = 200  # workshop_actions.owner is VARCHAR(200)
NAME_MAX: Final = 100  # the updated_by columns are VARCHAR(100)
NOTE_MAX: Final = 1000
#: A review note is "a short note": a sentence or two on the projector, not a report.
REVIEW_NOTE_MAX: Final = 500
EVIDENCE_MAX: Final = 4000
#: The most front-line staff could be allowed to give on their own: more is a typing slip (25000000).
PLAY_LIMIT_MAX: Final = 1_000_000
PLAY_FAILURE_MAX: Final = 300
PLAY_TEXT_MAX: Final = 1000
PLAY_LINE_MAX: Final = 200  # recovery_plays.speed and the follow-up columns are VARCHAR(200)
#: Due dates outside this window are typing slips (year 0202, 20266), not plans.
EARLIEST_DUE: Final = EARLIEST_DAY
LATEST_DUE: Final = LATEST_DAY


def check_rating(value: object, framework: Framework) -> int | None:
    """A whole number on the framework's scale, or None to clear the rating."""
    if value is None:
        return None
    low, high = framework.scale.minimum, framework.scale.maximum
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InputError(f"a rating must be a whole number from {low} to {high}, not {value!r}")
    return value


def check_status(value: object) -> ActionStatus:
    for status in ACTION_STATUSES:
        if value == status:
            return status
    allowed = ", ".join(STATUS_LABELS[s].lower() for s in ACTION_STATUSES)
    raise InputError(f"an action's status must be one of: {allowed}")


def check_stored_status(value: object) -> ActionStatus:
    """Any status a stored row may hold (reading); facilitators' edits go through :func:`check_status`."""
    for status in ALL_ACTION_STATUSES:
        if value == status:
            return status
    raise InputError(f"unknown action status {value!r} in the database")


def check_review(value: object) -> ReviewOutcome:
    """What the review decided for a carried action: done, carried again or dropped."""
    for outcome in REVIEW_OUTCOMES:
        if value == outcome:
            return outcome
    allowed = ", ".join(REVIEW_LABELS[o].lower() for o in REVIEW_OUTCOMES)
    raise InputError(f"the review of an action must be one of: {allowed}")


def check_review_note(value: object, outcome: ReviewOutcome) -> str | None:
    """The review's short note; required when an action is dropped.

    A dropped action leaves the plan for good, so the reason is what the
    next quarter (and the report) will want to read; for done and carried
    again the action itself says enough, and the note stays optional so the
    review keeps moving on the projector.
    """
    note = clean_paragraphs(_text(value), "the review note", max_length=REVIEW_NOTE_MAX)
    if outcome == "dropped" and not note:
        raise InputError("please say in a short note why this action is dropped")
    return note


def check_due(value: object) -> date | None:
    """A calendar date (or an ISO ``YYYY-MM-DD`` string), or None for "no date yet"."""
    return parse_day(value, "the due date")


def check_what(value: object) -> str:
    return clean_line(_text(value), "the action", max_length=WHAT_MAX)


def check_owner(value: object) -> str:
    return clean_line(_text(value), "the action's owner", max_length=OWNER_MAX)


def check_note(value: object) -> str | None:
    return clean_paragraphs(_text(value), "the note", max_length=NOTE_MAX)


def check_evidence(value: object) -> str | None:
    return clean_paragraphs(_text(value), "the notes of evidence", max_length=EVIDENCE_MAX)


def check_by(value: object) -> str | None:
    """The facilitator's name shown beside their changes; empty means anonymous."""
    return clean_line(_text(value), "your name", max_length=NAME_MAX, required=False) or None


def check_version(value: object) -> int:
    """The version an edit started from: 0 (nothing stored yet) or more."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InputError(f"the version an edit started from must be a whole number of 0 or more, not {value!r}")
    return value


def _text(value: object) -> str | None:
    """Only text (or nothing) is accepted: a list or number from a crafted message is refused."""
    if value is None or isinstance(value, str):
        return value
    raise InputError("please type plain text")


def check_play_limit(value: object) -> float | None:
    """The amount staff may give without asking: a number of 0 or more (a currency sign is allowed), or None.

    The box is text in the browser, so text holding a number is accepted
    (``25``, ``£25``, ``12.50``); a comma is refused rather than guessed at,
    as on the scorecard.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    raw = value.strip().lstrip("£$€").strip() if isinstance(value, str) else value
    number = as_number(raw)
    if number is None:
        raise InputError(f"the amount staff may give must be a number, such as 25, not {str(value).strip()!r}")
    if not 0 <= number <= PLAY_LIMIT_MAX:
        raise InputError(f"the amount staff may give must be from 0 to {format_number(PLAY_LIMIT_MAX)}, "
                         f"not {format_number(number)}")
    return number


def check_play(fields: object) -> dict[str, object]:
    """One playbook row's columns, each checked and cleaned; the failure itself is required."""
    if not isinstance(fields, PlayFields):
        raise InputError("a playbook row must be given as its fields")

    def line(value: object, field: str) -> str | None:
        return clean_line(_text(value), field, max_length=PLAY_LINE_MAX, required=False) or None

    return {
        "failure": clean_line(_text(fields.failure), "the failure", max_length=PLAY_FAILURE_MAX),
        "say": clean_paragraphs(_text(fields.say), "what we say", max_length=PLAY_TEXT_MAX),
        "offer": clean_paragraphs(_text(fields.offer), "what staff may offer", max_length=PLAY_TEXT_MAX),
        "offer_limit": check_play_limit(fields.limit),
        "speed": line(fields.speed, "how fast"),
        "follow_up_by": line(fields.follow_up_by, "who follows up"),
        "follow_up_when": line(fields.follow_up_when, "when we follow up"),
    }

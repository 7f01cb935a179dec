"""When an assessment cycle stops taking answers: its closing date, in one place.

A cycle may have a closing date, the last day it takes answers (as a survey
administrator says "closes on 31 March": answers on the 31st still count).
The day is the calendar day of the machine running the workbook, which is
the consultant's own laptop or server: the date they typed means their day.
The store refuses saves after it (:class:`~workbook.errors.CycleClosedError`),
the server shows :func:`closed_text` instead of the app, and the workshop's
live panel counts :func:`days_left`.
"""

from __future__ import annotations

from datetime import date

from workbook.text import format_day

__all__ = ["closed_text", "days_left", "is_closed", "today"]


def today() -> date:
    """The local calendar day (the machine's clock and time zone)."""
    return date.today()


def is_closed(closes_on: date | None, on: date | None = None) -> bool:
    """Whether a cycle closing on ``closes_on`` takes no more answers on day ``on`` (default: today)."""
    return closes_on is not None and (on or today()) > closes_on


def days_left(closes_on: date | None, on: date | None = None) -> int | None:
    """Days still open after ``on``, counting the closing day (0 on the closing day); None: no date or closed."""
    if closes_on is None or is_closed(closes_on, on):
        return None
    return (closes_on - (on or today())).days


def closed_text(closes_on: date) -> str:
    """What a person opening (or saving from) a closed assessment reads."""
    return (f"This assessment closed on {format_day(closes_on)}, so no more answers are collected. "
            "Thank you for your interest; anything you saved before then is kept.")

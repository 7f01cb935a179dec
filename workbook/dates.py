"""Reading a calendar day that somebody typed or a widget sent.

The workshop's due dates and the charter's review dates follow one rule and
speak with one voice: ISO text or a ``date`` (never a ``datetime``, which a
date picker does not send, so it is a crafted value), within years a person
would plan for.  A day outside them is almost always a typing slip (``0227``
for ``2027``) or a value the page never offered.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Final

from workbook.errors import InputError
from workbook.text import quoted

__all__ = ["EARLIEST_DAY", "LATEST_DAY", "parse_day"]

EARLIEST_DAY: Final = date(2000, 1, 1)
LATEST_DAY: Final = date(2100, 12, 31)


def parse_day(value: object, what: str) -> date | None:
    """``value`` as a date, or None when empty; ``what`` names it in the message.

    >>> parse_day("2027-03-31", "the review date")
    datetime.date(2027, 3, 31)
    """
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            raise InputError(f"{what} {quoted(value)} is not a real date; write it as YYYY-MM-DD, "
                             "e.g. 2027-03-31") from None
    if isinstance(value, datetime) or not isinstance(value, date):
        raise InputError(f"{what} must be a calendar date, e.g. 2027-03-31")
    if not EARLIEST_DAY <= value <= LATEST_DAY:
        raise InputError(f"{what} {value.isoformat()} looks mistyped; choose a date between "
                         f"{EARLIEST_DAY.year} and {LATEST_DAY.year}")
    return value

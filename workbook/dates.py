"""Reading a calendar day that somebody typed or a widget sent.

The workshop's due dates and the charter's review dates follow one rule and
speak with one voice: a ``date``, ISO text (``2027-03-31``) or a day written
the British way, day first (``31/03/2027``, ``31 Mar 2027``, ``31 March
2027``), within years a person would plan for.  A ``datetime`` is refused: no
field sends one, so it is a crafted value.  A day outside those years is
almost always a typing slip (``0227`` for ``2027``) or a value the page never
offered.

The apps show dates in one format whatever the browser's locale
(:func:`workbook.text.format_day`), so nobody ever sees ``03/31/2027``; a
browser's date picker would follow the locale, which is why the apps use a
text box read by :func:`parse_day` instead.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Final

from workbook.errors import InputError
from workbook.text import quoted

__all__ = ["DAY_EXAMPLE", "DAY_PLACEHOLDER", "EARLIEST_DAY", "LATEST_DAY", "parse_day"]

EARLIEST_DAY: Final = date(2000, 1, 1)
LATEST_DAY: Final = date(2100, 12, 31)
#: How a message or placeholder shows the accepted forms.
DAY_EXAMPLE: Final = "31/03/2027 or 31 Mar 2027"
#: The shorter example a date box shows while empty (it has to fit the box).
DAY_PLACEHOLDER: Final = "31/03/2027"

_MONTHS: Final = {name: number for number, names in enumerate((
    ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
    ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"),
    ("nov", "november"), ("dec", "december")), start=1) for name in names}
_NUMERIC: Final = re.compile(r"(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4}|\d{2})")
_WORDS: Final = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]+)\.?,?\s+(\d{4})")


def _read_text(text: str) -> date:
    """ISO or day-first British text as a date (ValueError when it is neither or not a real day)."""
    text = " ".join(text.strip().lower().split())
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return date.fromisoformat(text)
    numeric = _NUMERIC.fullmatch(text)
    if numeric:
        day, month, year = (int(part) for part in numeric.groups())
        return date(year + 2000 if year < 100 else year, month, day)
    words = _WORDS.fullmatch(text)
    if words and words.group(2) in _MONTHS:
        return date(int(words.group(3)), _MONTHS[words.group(2)], int(words.group(1)))
    raise ValueError(text)


def parse_day(value: object, what: str) -> date | None:
    """``value`` as a date, or None when empty; ``what`` names it in the message.

    Text is read day first, whatever the browser's locale: ``04/03/2027`` is
    4 March.

    >>> parse_day("2027-03-31", "the review date")
    datetime.date(2027, 3, 31)
    >>> parse_day("4/3/2027", "the due date")
    datetime.date(2027, 3, 4)
    >>> parse_day("31 Mar 2027", "the due date")
    datetime.date(2027, 3, 31)
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str):
        try:
            value = _read_text(value)
        except ValueError:
            raise InputError(f"{what} {quoted(value)} is not a real date; write the day first, "
                             f"e.g. {DAY_EXAMPLE}") from None
    if isinstance(value, datetime) or not isinstance(value, date):
        raise InputError(f"{what} must be a calendar date, e.g. 2027-03-31")
    if not EARLIEST_DAY <= value <= LATEST_DAY:
        raise InputError(f"{what} {value.isoformat()} looks mistyped; choose a date between "
                         f"{EARLIEST_DAY.year} and {LATEST_DAY.year}")
    return value

"""One rule for every day a person types: workshop due dates and charter review dates."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from workbook.charter.validate import clean_review_date
from workbook.dates import EARLIEST_DAY, LATEST_DAY, parse_day
from workbook.errors import InputError
from workbook.workshop.checks import check_due


@pytest.mark.parametrize(("value", "expected"), [
    (None, None), ("", None), ("   ", None), (" 2027-03-31 ", date(2027, 3, 31)),
    (EARLIEST_DAY, EARLIEST_DAY), (LATEST_DAY, LATEST_DAY),
    # typed the British way, day first, whatever the browser's locale
    ("31/03/2027", date(2027, 3, 31)), ("4/3/2027", date(2027, 3, 4)), ("04.03.27", date(2027, 3, 4)),
    ("4-3-2027", date(2027, 3, 4)), ("31 Mar 2027", date(2027, 3, 31)), ("31 March 2027", date(2027, 3, 31)),
    ("1st Sept 2027", date(2027, 9, 1)), ("30 NOV 2026", date(2026, 11, 30)),
])
def test_days_that_are_kept(value: object, expected: date | None) -> None:
    assert parse_day(value, "the day") == expected


@pytest.mark.parametrize(("value", "message"), [
    ("03/31/2027", "the day '03/31/2027' is not a real date; write the day first, e.g. 31/03/2027 or 31 Mar 2027"),
    ("March 31 2027", "is not a real date; write the day first"),
    ("31 Marchember 2027", "is not a real date"),
    ("31/02/2027", "is not a real date"),
    ("2027-02-30", "is not a real date"),
    (datetime(2027, 3, 31, 9, 0), "the day must be a calendar date, e.g. 2027-03-31"),
    (20270331, "must be a calendar date"),
    (date(1999, 12, 31), "the day 1999-12-31 looks mistyped; choose a date between 2000 and 2100"),
    (date(2101, 1, 1), "looks mistyped"),
])
def test_days_that_are_refused_say_what_to_fix(value: object, message: str) -> None:
    with pytest.raises(InputError) as raised:
        parse_day(value, "the day")
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


def test_a_day_shown_in_a_field_reads_back_as_the_same_day() -> None:
    from workbook.apps.ui import day_text

    for day in (date(2027, 3, 4), date(2026, 12, 31), EARLIEST_DAY, LATEST_DAY):
        assert parse_day(day_text(day), "the day") == day
    assert day_text(date(2027, 3, 4)) == "4 March 2027"  # never 03/04/2027, whatever the locale
    assert day_text(None) == ""


def test_workshop_and_charter_speak_with_one_voice() -> None:
    for check, what in ((check_due, "the due date"), (clean_review_date, "the review date")):
        with pytest.raises(InputError, match=f"^{what} 0227-03-31 looks mistyped"):
            check("0227-03-31")

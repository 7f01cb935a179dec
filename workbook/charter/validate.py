"""Cleaning what the team types before a charter is stored.

Every value from a widget, the command line or a test goes through here on the
kernel side: a browser can send any widget value, including ones the page never
offers (an unknown value id, a date in the year 9999, a megabyte of text).
Each problem is one :class:`~workbook.errors.InputError` saying what to fix.

Drafts may be incomplete (an empty promise, no owner yet): completeness is the
job of :mod:`workbook.charter.checks`, which blocks approval, not of saving.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from workbook.charter.records import PromiseRecord
from workbook.charter.targets import clean_target
from workbook.dates import EARLIEST_DAY, LATEST_DAY, parse_day
from workbook.errors import InputError, NotFoundError
from workbook.framework import Framework
from workbook.text import clean_line, clean_paragraphs, quoted

__all__ = [
    "EARLIEST_YEAR",
    "FOUNDATION_MAX",
    "LATEST_YEAR",
    "MAX_PROMISES",
    "OWNER_MAX",
    "STANDARD_MAX",
    "TEXT_MAX",
    "TITLE_MAX",
    "clean_approver",
    "clean_foundation_text",
    "clean_promise",
    "clean_promises",
    "clean_review_date",
    "clean_title",
]

#: A promise customers read at a glance: two or three sentences at most.
TEXT_MAX = 300
#: The measurable standard behind it, with how it is checked.
STANDARD_MAX = 400
#: A name or a role ("Front-desk manager"); the database column holds 200.
OWNER_MAX = 120
TITLE_MAX = 200
#: The brand promise and the common purpose: a few sentences each, printed above the promises.
FOUNDATION_MAX = 600
#: A draft may hold a few more (or fewer) than the 10 an approved charter needs,
#: while the team swaps promises in and out; more than this is not a charter.
MAX_PROMISES = 15
#: Review dates outside these years are typing mistakes (or crafted values).
EARLIEST_YEAR = EARLIEST_DAY.year
LATEST_YEAR = LATEST_DAY.year

_FOLD_LINES = re.compile(r"\s*\n+\s*")


def _one_paragraph(value: object, field: str, max_length: int) -> str | None:
    """Free text folded into one paragraph: a promise is printed as one."""
    cleaned = clean_paragraphs(value, field, max_length=max_length)
    return None if cleaned is None else _FOLD_LINES.sub(" ", cleaned)


def clean_review_date(value: object, where: str = "the review date") -> date | None:
    """A real calendar date (or None); ISO text such as ``2027-03-31`` is accepted too."""
    return parse_day(value, where)


def _framework_id(value: object, kind: str, known: Iterable[str], where: str) -> str | None:
    if value is None or value == "":
        return None
    ids = list(known)
    if not isinstance(value, str) or value not in ids:
        raise NotFoundError(f"{where}: unknown {kind} {quoted(value)} (choose one of {', '.join(ids)})")
    return value


def clean_promise(promise: PromiseRecord, framework: Framework, position: int | None = None) -> PromiseRecord:
    """The promise with every field checked and tidied; InputError names the field."""
    where = f"promise {position}" if position is not None else "the promise"
    if not isinstance(promise, PromiseRecord):
        raise InputError(f"{where} must be a PromiseRecord, not {type(promise).__name__}")
    text = _one_paragraph(promise.text, f"the text of {where}", TEXT_MAX) or ""
    standard = _one_paragraph(promise.standard, f"the standard of {where}", STANDARD_MAX)
    owner = clean_line(promise.owner, f"the owner of {where}", max_length=OWNER_MAX, required=False) or None
    measure_id, target_op, target_value = clean_target(promise.measure_id, promise.target_op,
                                                       promise.target_value, framework, where)
    return PromiseRecord(
        text=text,
        value_id=_framework_id(promise.value_id, "value", (v.id for v in framework.values), where),
        step_id=_framework_id(promise.step_id, "step", (s.id for s in framework.steps), where),
        standard=standard,
        owner=owner,
        review_date=clean_review_date(promise.review_date, f"the review date of {where}"),
        starter_id=_framework_id(promise.starter_id, "starter promise", (p.id for p in framework.promises),
                                 where),
        measure_id=measure_id,
        target_op=target_op,
        target_value=target_value,
    )


def clean_promises(promises: Iterable[PromiseRecord], framework: Framework) -> tuple[PromiseRecord, ...]:
    """Every promise of a draft, cleaned, in order; at most :data:`MAX_PROMISES`."""
    listed = list(promises)
    if len(listed) > MAX_PROMISES:
        raise InputError(f"a charter draft holds at most {MAX_PROMISES} promises (this one has {len(listed)}); "
                         "an approved charter has exactly 10")
    return tuple(clean_promise(p, framework, i) for i, p in enumerate(listed, start=1))


def clean_foundation_text(value: object, field: str) -> str | None:
    """The brand promise or the common purpose: one paragraph of at most :data:`FOUNDATION_MAX`, or None."""
    return _one_paragraph(value, field, FOUNDATION_MAX) or None


def clean_title(value: object) -> str | None:
    return clean_line(value, "the charter title", max_length=TITLE_MAX, required=False) or None


def clean_approver(value: object) -> str:
    """Who approved the charter (a name or role): required, one line."""
    return clean_line(value, "the name of whoever approves the charter", max_length=OWNER_MAX)

"""Figures of the customer scorecard: the types a measure is described with, and numbers as people type them.

Kept apart from :mod:`workbook.framework.models` so that the rules for reading
and writing a figure (``87.5``, not ``87.50`` or ``8.75e1``; ``2,5`` refused)
live in one small place that the store, the CSV reader and the apps share.
"""

from __future__ import annotations

import math
import re
from typing import Final, Literal

__all__ = ["Better", "MeasureSource", "as_number", "format_number"]

Better = Literal["higher", "lower"]
"""Which way a customer measure should move: up for satisfaction, down for waiting time."""

MeasureSource = Literal["mystery_shopping", "satisfaction_survey", "focus_group", "operational_records",
                        "recovery_log"]
"""Where a measure's figures come from: the three ways of asking customers, the organisation's own records,
or the recovery log (the quarter's summary of failures put right with the recovery playbook)."""

_NUMBER_TEXT: Final = re.compile(r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$")


def format_number(value: float) -> str:
    """A figure as people write it: ``95`` not ``95.0``, at most two decimals (``42.5``, ``3.25``)."""
    rounded = round(float(value), 2)
    if rounded == int(rounded):
        return str(int(rounded))
    return f"{rounded:.2f}".rstrip("0")


def as_number(value: object) -> float | None:
    """A finite float from a number or numeric text (``"95"``, ``" 2.5 "``), else None.

    A comma is refused rather than guessed at: ``2,5`` is 2.5 in much of Europe and 25 in a
    British spreadsheet, and a wrong guess would go unnoticed on the scorecard.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        text = value.strip()
        if not _NUMBER_TEXT.match(text):
            return None
        number = float(text)
    else:
        return None
    return number if math.isfinite(number) else None

"""How long the values self-assessment takes: one honest figure for the welcome page and the invite cards.

About 0.3 minutes (18 seconds) a statement, rounded to 5 minutes and never
below 5, so a person reading a card or the welcome page is told the same.
"""

from __future__ import annotations

from typing import Final

__all__ = ["MINUTES_PER_STATEMENT", "minutes_to_answer"]

MINUTES_PER_STATEMENT: Final = 0.3


def minutes_to_answer(statements: int) -> int:
    """Minutes to allow for ``statements`` statements, rounded to 5 (at least 5)."""
    return max(5, round(statements * MINUTES_PER_STATEMENT / 5) * 5)

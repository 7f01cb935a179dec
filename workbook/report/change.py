"""When a change between two cycles is a change, and not noise.

A value's score moves a little from one quarter to the next even when nothing
changed, because different people answer, and the same people answer a little
differently.  So the report calls a change "up" or "down" only when the 95 %
confidence interval of the difference between the two cycles' averages leaves
out zero, and says "no clear change" otherwise.

The interval is Welch's: it uses each cycle's own spread of person scores and
people count (the same figures the report shows for the cycle), and does not
assume the two spreads are equal.  It treats the two cycles as independent
samples.  Most people answer in both, so their answers are correlated and the
true interval is narrower: linking a person's answers across cycles would
tighten it, but it would also tie individual answers together, which the
anonymity rule exists to prevent.  The independent interval errs on the side
of calling fewer changes, which is the side to err on in front of a client.

The t quantile comes from a table (exact to three decimals for 1 to 30
degrees of freedom, then 40, 60, 120 and infinity) with interpolation in
``1 / df`` between its rows, the textbook way; no statistics library needed.

The workshop's step maturity is the mean of the team's *agreed* ratings of a
step's practices, not a sample of people, so it has no sampling noise: there a
change is called when the step's average moves by at least
:data:`STEP_CHANGE` (half a maturity level, i.e. at least two practice-levels
on a step of four practices), so that re-rating one practice by one level is
"little change".
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import pairwise
from typing import Final, Literal

__all__ = [
    "CONFIDENCE",
    "STEP_CHANGE",
    "Change",
    "Verdict",
    "step_change",
    "t_quantile_975",
    "welch_change",
]

Verdict = Literal["up", "down", "no clear change", "no comparison"]

#: The confidence level of the interval (stated in the method appendix).
CONFIDENCE: Final = 0.95
#: The smallest move of a step's average maturity called a change (agreed ratings have no sampling noise).
STEP_CHANGE: Final = 0.5

# Two-sided 95 % (upper 97.5 %) quantiles of Student's t.
_T975: Final[dict[float, float]] = {
    1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262, 10: 2.228,
    11: 2.201, 12: 2.179, 13: 2.160, 14: 2.145, 15: 2.131, 16: 2.120, 17: 2.110, 18: 2.101, 19: 2.093,
    20: 2.086, 21: 2.080, 22: 2.074, 23: 2.069, 24: 2.064, 25: 2.060, 26: 2.056, 27: 2.052, 28: 2.048,
    29: 2.045, 30: 2.042, 40: 2.021, 60: 2.000, 120: 1.980, math.inf: 1.960,
}
_ROWS: Final = sorted(_T975)


@dataclass(frozen=True, slots=True)
class Change:
    """The change from the earlier figure to the later one, and what the rule makes of it.

    ``difference`` is later minus earlier (``None`` with "no comparison");
    ``low``/``high`` bound its 95 % interval (``None`` for a step, whose rule
    is a minimum move, or when there is no comparison); ``reason`` says in a
    few words why there is no comparison.
    """

    verdict: Verdict
    difference: float | None = None
    low: float | None = None
    high: float | None = None
    reason: str = ""

    @property
    def real(self) -> bool:
        """Whether the rule calls this a change ("up" or "down")."""
        return self.verdict in ("up", "down")


def t_quantile_975(df: float) -> float:
    """The upper 97.5 % point of Student's t with ``df`` (> 0, may be fractional) degrees of freedom."""
    if not df > 0:
        raise ValueError(f"degrees of freedom must be positive (got {df!r})")
    if df <= 1:
        return _T975[1]
    for lower, upper in pairwise(_ROWS):
        if lower <= df <= upper:
            if df == lower:
                return _T975[lower]
            if df == upper:
                return _T975[upper]
            # Linear in 1/df: t is close to linear in it, and 1/inf = 0 closes the table.
            share = (1 / lower - 1 / df) / (1 / lower - 1 / upper)
            return _T975[lower] + share * (_T975[upper] - _T975[lower])
    return _T975[math.inf]


def welch_change(earlier: tuple[float, float, int] | None, later: tuple[float, float, int] | None,
                 *, unavailable: str = "not shown in both cycles") -> Change:
    """The rule's verdict on two cycles' ``(mean, sd, people)`` of one figure; ``None``: not shown.

    A figure hidden (or below the threshold) in either cycle gives "no
    comparison".  With no spread at all in both (everyone answered alike) any
    difference is called.
    """
    if earlier is None or later is None:
        return Change("no comparison", reason=unavailable)
    (m1, s1, n1), (m2, s2, n2) = earlier, later
    difference = m2 - m1
    if n1 < 2 or n2 < 2 or math.isnan(s1) or math.isnan(s2):
        return Change("no comparison", reason="too few people to judge the noise")
    v1, v2 = s1 * s1 / n1, s2 * s2 / n2
    se = math.sqrt(v1 + v2)
    if se == 0:
        verdict: Verdict = "up" if difference > 0 else "down" if difference < 0 else "no clear change"
        return Change(verdict, difference, difference, difference)
    df = (v1 + v2) ** 2 / ((v1 * v1) / (n1 - 1) + (v2 * v2) / (n2 - 1))
    margin = t_quantile_975(df) * se
    low, high = difference - margin, difference + margin
    verdict = "up" if low > 0 else "down" if high < 0 else "no clear change"
    return Change(verdict, difference, low, high)


def step_change(earlier: float | None, later: float | None, *, unavailable: str = "not rated in both cycles") -> Change:
    """The verdict on a step's average maturity in two cycles (``None``: not rated)."""
    if earlier is None or later is None:
        return Change("no comparison", reason=unavailable)
    difference = later - earlier
    if abs(difference) + 1e-9 < STEP_CHANGE:
        return Change("no clear change", difference)
    return Change("up" if difference > 0 else "down", difference)

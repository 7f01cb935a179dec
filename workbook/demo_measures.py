"""Four quarters of plausible customer-measure figures for the demo organisation.

``workbook demo`` (in :mod:`workbook.demo`) calls :func:`add_demo_measures`
after it has opened the demo's cycles, so a newcomer's first scorecard has
history: most measures improve quarter by quarter as the team works through the
DIME™ steps, calls answered within 20 seconds reach the 95 % of starter promise
P01 in the newest quarter, and waiting time and complaints slip back in it, so
"trending the wrong way" has something to show.  The figures are fixed, not
random, so the demo (and any test or screenshot of it) is the same every time.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from workbook.framework import Framework
    from workbook.store import Store

__all__ = ["DEMO_SERIES", "add_demo_measures"]

#: Oldest quarter first; the last figure belongs to the newest cycle.
DEMO_SERIES: Final[dict[str, tuple[float, ...]]] = {
    "sat-attitude": (78, 81, 84, 86),
    "sat-skills": (74, 76, 80, 82),
    "sat-knowledge": (70, 73, 77, 79),
    "sat-process": (61, 64, 66, 71),
    "sat-product": (82, 83, 83, 85),
    "mystery-shop": (68, 72, 79, 83),
    "focus-group": (6.4, 6.8, 7.1, 7.5),
    "first-contact": (71, 74, 78, 81),
    "answered-20s": (88, 91, 94, 96),
    "wait-time": (52, 45, 38, 44),
    "retention": (84, 85, 87, 88),
    "avg-purchase": (38.5, 39.2, 41.0, 42.75),
    "visit-frequency": (2.1, 2.2, 2.4, 2.5),
    "referral-rate": (9, 11, 12, 14),
    "complaints": (31, 26, 19, 23),
    # The recovery log: fewer failures to put right as the causes are fixed, more of them followed up,
    # and followed-up guests happier and more willing to come back (seed 004's follow-up questions).
    "recovery-count": (24, 20, 17, 15),
    "recovery-followed-up": (46, 62, 78, 88),
    "recovery-rating": (6.1, 6.8, 7.6, 8.2),
    "recovery-buy-again": (58, 65, 74, 81),
}

_NOTES: Final[dict[str, str]] = {
    "answered-20s": "Phone system report, whole quarter",
    "wait-time": "Queue system; a new starter on the desk in the last month",
    "sat-attitude": "Quarterly survey, about 200 replies",
    "mystery-shop": "Six visits and six calls",
    "complaints": "Complaints log; most about waiting at the desk",
    "recovery-count": "Recovery log; rooms not ready at check-in were most of them",
    "recovery-rating": "Follow-up calls, 15 guests answered",
}


def add_demo_measures(store: Store, org_id: str, cycles: Sequence[str], framework: Framework | None = None) -> None:
    """Store the demo figures for ``cycles`` (cycle labels of ``org_id``, oldest first).

    With fewer than four cycles the newest figures are used; with more, the
    oldest extra quarters repeat the first figure.  Measures missing from an
    adapted framework file are skipped.  Running it again changes nothing.
    """
    from workbook.framework import load_framework
    from workbook.store.measures import ValueRow

    framework = framework or load_framework()
    known = {m.id for m in framework.measures}
    rows: list[ValueRow] = []
    count = len(cycles)
    for measure_id, series in DEMO_SERIES.items():
        if measure_id not in known:
            continue
        padded = (series[0],) * max(0, count - len(series)) + series
        for label, value in zip(cycles, padded[len(padded) - count:], strict=True):
            note = _NOTES.get(measure_id) if label == cycles[-1] else None
            rows.append(ValueRow(label, measure_id, value, note))
    if rows:
        store.measures.import_rows(org_id, rows, framework=framework, by="demo")

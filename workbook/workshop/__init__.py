"""The DIME™ steps workshop: ratings, evidence, obstacles and the action plan.

The public API, re-exported here (imported on first use, so ``workbook --help``
and ``workbook.workshop.command`` do not pay for SQLAlchemy)::

    from workbook.workshop import Workshop, workshop_summary, maturity_chart

    workshop = Workshop(store)                         # the repository
    summary = workshop_summary(store, framework, org_id, cycle_id)  # None: nothing entered
    chart = maturity_chart(summary)                    # altair chart or None

Modules: ``records`` (frozen records), ``checks`` (validation of every value),
``repository`` (:class:`Workshop`), ``errors`` (:class:`StaleEditError`),
``summary`` (pure results for the app and the report), ``export`` (CSV),
``carry`` (unfinished actions into a newly opened cycle), ``history`` (an
action's chain across cycles, completion per cycle), ``command``
(``workbook actions``).  The app is :mod:`workbook.apps.workshop`.

DIME™ is a trademark of Chris Smoje (dimecustomerservice.com).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from workbook.workshop.errors import StaleEditError
    from workbook.workshop.export import ACTION_HEADER, actions_csv, write_actions_csv
    from workbook.workshop.history import ActionThread, CycleCompletion, action_threads, completion_by_cycle
    from workbook.workshop.records import (
        ACTION_STATUSES,
        STATUS_LABELS,
        ActionRecord,
        ObstacleRecord,
        PracticeRatingRecord,
        StepEvidenceRecord,
        TeamProgress,
        WorkshopState,
    )
    from workbook.workshop.repository import Workshop
    from workbook.workshop.summary import (
        ObstacleResult,
        PracticeResult,
        StepResult,
        WorkshopSummary,
        maturity_chart,
        maturity_frame,
        summarise,
        workshop_summary,
    )

_LAZY = {
    "ACTION_HEADER": "workbook.workshop.export",
    "actions_csv": "workbook.workshop.export",
    "write_actions_csv": "workbook.workshop.export",
    "ActionThread": "workbook.workshop.history",
    "CycleCompletion": "workbook.workshop.history",
    "action_threads": "workbook.workshop.history",
    "completion_by_cycle": "workbook.workshop.history",
    "StaleEditError": "workbook.workshop.errors",
    "ACTION_STATUSES": "workbook.workshop.records",
    "STATUS_LABELS": "workbook.workshop.records",
    "ActionRecord": "workbook.workshop.records",
    "ObstacleRecord": "workbook.workshop.records",
    "PracticeRatingRecord": "workbook.workshop.records",
    "StepEvidenceRecord": "workbook.workshop.records",
    "TeamProgress": "workbook.workshop.records",
    "WorkshopState": "workbook.workshop.records",
    "Workshop": "workbook.workshop.repository",
    "ObstacleResult": "workbook.workshop.summary",
    "PracticeResult": "workbook.workshop.summary",
    "StepResult": "workbook.workshop.summary",
    "WorkshopSummary": "workbook.workshop.summary",
    "maturity_chart": "workbook.workshop.summary",
    "maturity_frame": "workbook.workshop.summary",
    "summarise": "workbook.workshop.summary",
    "workshop_summary": "workbook.workshop.summary",
}

__all__ = [
    "ACTION_HEADER",
    "ACTION_STATUSES",
    "STATUS_LABELS",
    "ActionRecord",
    "ActionThread",
    "CycleCompletion",
    "ObstacleRecord",
    "ObstacleResult",
    "PracticeRatingRecord",
    "PracticeResult",
    "StaleEditError",
    "StepEvidenceRecord",
    "StepResult",
    "TeamProgress",
    "Workshop",
    "WorkshopState",
    "WorkshopSummary",
    "action_threads",
    "actions_csv",
    "completion_by_cycle",
    "maturity_chart",
    "maturity_frame",
    "summarise",
    "workshop_summary",
    "write_actions_csv",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'workbook.workshop' has no attribute {name!r}")

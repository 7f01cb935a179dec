"""The action plan as a CSV file a person can open safely in a spreadsheet.

Every cell goes through :func:`workbook.csvsafe.write_csv`, so an action typed
as ``=HYPERLINK(...)`` stays text.  Files get a UTF-8 byte-order mark because
Excel otherwise reads UTF-8 as the local code page and mangles names like
"Zoë" and the ™ sign; standard output gets none (it is for pipes).
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import IO, Final

from workbook.csvsafe import write_csv
from workbook.download import data_uri
from workbook.workshop.history import ActionThread, thread_for
from workbook.workshop.records import REVIEW_LABELS
from workbook.workshop.summary import WorkshopSummary

__all__ = [
    "ACTION_HEADER",
    "CSV_MEDIA_TYPE",
    "action_rows",
    "actions_csv",
    "csv_data_uri",
    "export_file_name",
    "write_actions_csv",
]

ACTION_HEADER: Final = ("organisation", "cycle", "step", "action", "owner", "due", "status", "last_changed_by",
                        "first_cycle", "carried_from", "times_carried", "review", "review_note")
_BOM: Final = "\ufeff"


Threads = Mapping[int, ActionThread]


def action_rows(summary: WorkshopSummary | None, threads: Threads | None = None) -> list[Sequence[str]]:
    """One row per action, step by step in framework order (no rows for no summary).

    The history columns come from ``threads``
    (:func:`workbook.workshop.history.action_threads`); an action missing
    there reads as agreed in this cycle and never carried.
    """
    if summary is None:
        return []
    threads = threads or {}
    rows: list[Sequence[str]] = []
    for step, action in summary.actions:
        thread = thread_for(threads, action, summary.cycle_label)
        rows.append((
            summary.organisation_id, summary.cycle_label, step.title, action.what, action.owner,
            action.due.isoformat() if action.due else "", action.status_label, action.updated_by or "",
            thread.first_cycle, thread.carried_from_cycle or "", str(thread.times_carried),
            REVIEW_LABELS[action.review] if action.review else "", action.review_note or "",
        ))
    return rows


def write_actions_csv(out: IO[str], summary: WorkshopSummary | None, threads: Threads | None = None) -> int:
    """Write the header and every action to ``out``; returns the number of actions."""
    rows = action_rows(summary, threads)
    write_csv(out, ACTION_HEADER, rows)
    return len(rows)


def actions_csv(summary: WorkshopSummary | None, threads: Threads | None = None, *, bom: bool = True) -> str:
    """The CSV file's text (with a byte-order mark for Excel unless ``bom=False``)."""
    buffer = io.StringIO()
    write_actions_csv(buffer, summary, threads)
    return (_BOM if bom else "") + buffer.getvalue()


CSV_MEDIA_TYPE: Final = "text/csv;charset=utf-8"


def csv_data_uri(text: str) -> str:
    """A ``data:`` URL of the CSV, for a download link that needs no server round trip."""
    return data_uri(text.encode("utf-8"), CSV_MEDIA_TYPE)


def export_file_name(org_id: str, cycle_label: str) -> str:
    """``actions-<org>-<cycle>.csv``: both parts are already restricted to safe characters."""
    return f"actions-{org_id}-{cycle_label}.csv"

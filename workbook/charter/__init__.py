"""The customer-service charter: ten promises that are specific, measurable, owned and reviewed.

Public API (imported on first use, so the command line stays quick)::

    from workbook.charter import Charters, check_charter, rank_starters, export_charter

    charters = Charters(store.transactions)
    draft = charters.start_draft("harbour", starters, framework=framework)
    draft = charters.save_draft("harbour", draft.number, draft.version, promises, framework=framework)
    report = check_charter(draft.promises, framework, today=date.today())   # what still blocks approval
    charters.approve("harbour", draft.number, draft.version, approved_by="Dana Reid",
                     framework=framework, today=date.today())
    export_charter(store, "harbour", "pdf").data                          # latest approved, else the draft

Modules: ``records`` (frozen records), ``validate`` (cleaning input),
``repository`` (the store), ``checks``, ``ranking`` and ``evidence`` (which
starters first, and why), ``brand`` (does a promise serve the brand promise?),
``targets`` (a promise's measure and target), ``results`` (kept or not, per
quarter), ``diff`` (comparing versions), ``export`` (md, html, pdf, docx),
``command`` (``workbook charter ...``).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from workbook.charter.brand import serves
    from workbook.charter.checks import REQUIRED_PROMISES, CheckReport, Finding, check_charter
    from workbook.charter.diff import PromiseChange, compare_promises
    from workbook.charter.evidence import gather_evidence
    from workbook.charter.export import FORMATS, Export, export_charter
    from workbook.charter.ranking import Evidence, Suggestion, rank_starters
    from workbook.charter.records import ApprovalRefusedError, CharterRecord, PromiseRecord
    from workbook.charter.repository import Charters, charter_for_report
    from workbook.charter.results import PromiseResults, load_results, promise_results
    from workbook.charter.targets import clean_target, target_text

_LAZY = {
    "REQUIRED_PROMISES": "workbook.charter.checks",
    "CheckReport": "workbook.charter.checks",
    "Finding": "workbook.charter.checks",
    "check_charter": "workbook.charter.checks",
    "PromiseChange": "workbook.charter.diff",
    "compare_promises": "workbook.charter.diff",
    "gather_evidence": "workbook.charter.evidence",
    "FORMATS": "workbook.charter.export",
    "Export": "workbook.charter.export",
    "export_charter": "workbook.charter.export",
    "Evidence": "workbook.charter.ranking",
    "Suggestion": "workbook.charter.ranking",
    "rank_starters": "workbook.charter.ranking",
    "ApprovalRefusedError": "workbook.charter.records",
    "CharterRecord": "workbook.charter.records",
    "PromiseRecord": "workbook.charter.records",
    "Charters": "workbook.charter.repository",
    "charter_for_report": "workbook.charter.repository",
    "serves": "workbook.charter.brand",
    "PromiseResults": "workbook.charter.results",
    "load_results": "workbook.charter.results",
    "promise_results": "workbook.charter.results",
    "clean_target": "workbook.charter.targets",
    "target_text": "workbook.charter.targets",
}

__all__ = [
    "FORMATS",
    "REQUIRED_PROMISES",
    "ApprovalRefusedError",
    "CharterRecord",
    "Charters",
    "CheckReport",
    "Evidence",
    "Export",
    "Finding",
    "PromiseChange",
    "PromiseRecord",
    "PromiseResults",
    "Suggestion",
    "charter_for_report",
    "check_charter",
    "clean_target",
    "compare_promises",
    "export_charter",
    "gather_evidence",
    "load_results",
    "promise_results",
    "rank_starters",
    "serves",
    "target_text",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'workbook.charter' has no attribute {name!r}")

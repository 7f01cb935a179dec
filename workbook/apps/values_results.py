"""What a respondent sees after submitting: their scores beside the team's.

Placeholder wiring until the scoring module lands: the panel lists the
person's own value scores.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import ipywidgets as widgets

if TYPE_CHECKING:
    from workbook.apps.values import ValuesAssessment

__all__ = ["results_panel"]


def results_panel(app: ValuesAssessment) -> widgets.Widget:
    return widgets.HTML("<p>Thank you.</p>")

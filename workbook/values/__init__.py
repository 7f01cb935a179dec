"""The values self-assessment: who answers, what their results page computes and shows.

Logic only, like :mod:`workbook.workshop` and :mod:`workbook.charter`; the
questionnaire's widgets live in :mod:`workbook.apps.values`, which imports
this package and is never imported by it.

- :mod:`workbook.values.respondent`: an invite token resolved to a :class:`Respondent`;
- :mod:`workbook.values.results`: a respondent's scores beside everyone's (:func:`personal_results`);
- :mod:`workbook.values.html`: the results page as HTML (charts loaded only when drawn).
"""

from __future__ import annotations

from workbook.values.respondent import Respondent, open_assessment
from workbook.values.results import EVERYONE, GAP_WORTH_MENTIONING, PersonalResults, personal_results

__all__ = ["EVERYONE", "GAP_WORTH_MENTIONING", "PersonalResults", "Respondent", "open_assessment",
           "personal_results"]

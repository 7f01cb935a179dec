"""Exploring one organisation safely from JupyterLab: the report's figures as pandas tables, and charts.

For a consultant who knows pandas and opens ``notebooks/explore.ipynb``::

    from workbook import explore
    explore.offline_charts()                 # altair charts as SVG drawn here, no internet
    t = explore.tables(None, "demo")         # $WORKBOOK_DB (or ./workbook.db), current cycle
    t.values_by_group()                      # values down, groups across
    t.statements, t.trends, t.scorecard      # long tables for your own analysis
    explore.profile(t)                       # an altair chart from the same tables

Every figure in these tables is one the organisation report shows, under the
same anonymity rule (:mod:`workbook.anonymity`); hidden cells are ``NaN``.
See :mod:`workbook.explore.tables`.
"""

from __future__ import annotations

from workbook.explore.charts import (
    distribution,
    leaders_and_staff,
    maturity,
    offline_charts,
    profile,
    self_and_organisation,
    statements_by_team,
    trends,
)
from workbook.explore.tables import Tables, build_tables, tables, tables_of_report

__all__ = [
    "Tables", "build_tables", "distribution", "leaders_and_staff", "maturity", "offline_charts", "profile",
    "self_and_organisation", "statements_by_team", "tables", "tables_of_report", "trends",
]

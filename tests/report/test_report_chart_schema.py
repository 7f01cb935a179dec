"""Every chart a report draws is valid Vega-Lite.

:func:`workbook.charts.to_svg` renders without altair's schema check (it cost a
third of a chart's Python time), so the check is made here instead, on every
chart of the demo's report (trends, the workshop and all), with altair's own
validation.
"""

from __future__ import annotations

from typing import Any

import pytest

from workbook import charts
from workbook.framework import Framework
from workbook.report import sections
from workbook.report.model import load_report
from workbook.store import open_store

pytestmark = pytest.mark.slow

_SECTIONS = ("values_profile", "trends", "leaders_and_staff", "self_and_organisation", "statements_by_team",
             "rating_distribution", "agreement", "workshop")


def test_every_report_chart_passes_the_vega_lite_schema(demo_db: str, framework: Framework,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    drawn: list[Any] = []
    render = charts.to_svg

    def checked(chart: Any) -> str:
        chart.to_dict(validate=True)  # raises altair's SchemaValidationError on an invalid spec
        drawn.append(chart)
        return render(chart)

    monkeypatch.setattr(charts, "to_svg", checked)
    with open_store(demo_db) as store:
        report = load_report("demo", store=store, framework=framework)
        shown = [getattr(sections, name)(report) for name in _SECTIONS]
    assert len(drawn) >= 7, "the demo's report draws at least seven charts (the heatmap is a table)"
    assert all(s is not None for s in shown[:3])
    # What the report embeds is the same spec with or without the check.
    assert all(chart.to_dict(validate=False) == chart.to_dict() for chart in drawn)

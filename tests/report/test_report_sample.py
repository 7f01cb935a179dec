"""The benchmark's sample organisations, with past quarters: made as the demo makes its history.

``benchmarks/report_batch.py --history N`` builds its organisations with
:func:`devtools.sample.seed_sample_organisation`; its past quarters must
be answered under the edition the demo's past quarters use (1.0.0: before the
statements about the organisation), or submitting them fails.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from workbook.demo_history import PAST_EDITION
from workbook.framework import Framework
from workbook.report.model import load_report
from workbook.store import open_store

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


def _benchmark() -> ModuleType:
    spec = importlib.util.spec_from_file_location("report_batch_benchmark", ROOT / "benchmarks" / "report_batch.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_benchmarks_organisations_with_history_have_trends(tmp_path: Path, framework: Framework) -> None:
    db = str(tmp_path / "bench.db")
    made = _benchmark().make_organisations(db, 1, history=3)
    assert made == [("org-001", "2026-Q4")]
    with open_store(db) as store:
        cycles = store.responses.cycles("org-001")
        assert [c.label for c in cycles] == ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
        for cycle in cycles[:-1]:
            assert store.responses.framework_versions(cycle.id) == {PAST_EDITION}
        assert store.responses.framework_versions(cycles[-1].id) == {framework.version}
        report = load_report("org-001", store=store, framework=framework)
        trends = report.trends
        assert trends.shown and trends.labels == tuple(c.label for c in cycles)
        assert all(c.enough for c in trends.cycles)
        assert [c.workshop for c in trends.cycles] == [True, True, True, False]
        # The past quarters' reports count only the self statements they were asked.
        past = load_report("org-001", cycle="2026-Q3", store=store, framework=framework)
        assert past.framework.version == PAST_EDITION and past.enough

"""PostgreSQL restarted under ``workbook serve`` mid-load (issue #12 part 3), the fast version.

``benchmarks/faults_pg.py`` with two respondents and one restart (immediate
mode, down 2 s): nothing a respondent was told was saved may be lost, and a
save that said "Not saved" must have left the choice on screen.  No Chromium
is needed; it sits with the browser tests because it starts the server.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

import faults_pg
import load

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


def test_a_postgresql_restart_under_the_server_loses_nothing(tmp_path: Path) -> None:
    try:
        faults_pg.pgserver.find_bin_dir()
    except faults_pg.pgserver.PostgresNotInstalled as error:
        pytest.skip(str(error))
    config = load.Config(2, 30, think=(0.2, 0.6), ramp=1.0, reload_rate=0.0)
    result, restarts = faults_pg.run_pg_faults(tmp_path, times=1, respondents=2, gap=(1.0, 2.0), down=2.0,
                                               config=config)
    print(result.report())
    print(faults_pg.summary(result, restarts))
    assert restarts.errors == [] and len(restarts.down) == 1
    assert result.check.answers > 0 and result.check.lost == 0 and result.check.duplicate_submissions == 0
    assert faults_pg.KeepingRespondent.not_saved_lost == 0
    assert result.stats.errors == [], "no respondent was left without a way on"

"""kill -9 of the whole ``workbook serve`` tree during load (issue #12 part 3), the fast version.

Two rounds of ``benchmarks/faults_serve.py``: two respondents answer through the
protocol client, the server and every kernel are SIGKILLed at a random moment,
the file is checked, the server restarted, and the respondents carry on from
their links.  Nothing acknowledged may be lost, the file must pass
``PRAGMA integrity_check`` and the reopened pages must show the saved answers.
No Chromium is needed; it sits with the browser tests because it starts the server.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

import faults_serve
import load

pytestmark = pytest.mark.slow


def test_killing_the_server_tree_loses_no_acknowledged_answer(tmp_path: Path) -> None:
    config = load.Config(2, 3600, think=(0.05, 0.2), ramp=0.0, reload_rate=0.05)
    result = faults_serve.run_serve_faults(tmp_path, times=2, respondents=2, kill_between=(1.5, 3.0),
                                           config=config, seed=7)
    print(result.summary())
    assert len(result.rounds) == 2 and result.kernels_killed >= 2
    assert [r.integrity for r in result.rounds] == ["ok", "ok"]
    assert result.check.answers > 0, "answers were acknowledged before the kills"
    assert result.check.lost == 0 and result.check.duplicate_submissions == 0
    assert faults_serve.ResumingRespondent.seen_again > 0, "reopened pages showed saved answers"
    assert result.stats.resume_mismatches == 0
    assert result.ok
    assert result.summary().startswith("serve killed 2 times, acknowledged answers ")

"""The load test's protocol client (``benchmarks/load.py``) against a real ``workbook serve``.

Three simulated respondents answer every statement (some with comments, some
changed, with reloads and tabs closed and reopened), submit (some twice), and
some send an answer after submitting; the database must then hold every answer
they were told was saved, one submission each, and nothing changed afterwards.
No Chromium is needed; it sits with the browser tests because it starts the server.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

import load

pytestmark = pytest.mark.slow


def test_three_respondents_through_the_server_lose_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'workbook.db'}"
    # 90 s is a ceiling, not the run time: the run ends when the three have submitted (about 30 s at rest;
    # a busy CI machine with kernels warming one at a time needs more)
    config = load.Config(respondents=3, seconds=90, think=(0.05, 0.2), ramp=1.0, reload_rate=0.1,
                         double_submit_rate=0.5, tamper_rate=1.0, comment_rate=0.3)
    result = load.run_load(url, tmp_path, config, people=3)
    print(result.report())
    stats, check = result.stats, result.check
    assert stats.errors == []
    assert stats.submits == 3, "every respondent got to their results"
    assert check.answers >= 3 * 25 and len(stats.latencies) >= check.answers
    assert (check.lost, check.lost_submissions, check.duplicate_submissions, check.changed_after_submit) == (0, 0, 0, 0)
    assert stats.failed_saves == stats.no_reply == stats.resume_mismatches == 0
    assert stats.reloads + stats.reopened > 0, "a reload or a reopened tab was exercised"
    summary = result.summary()
    assert summary.startswith("respondents 3, answers ") and summary.endswith(" ms")
    assert ", lost 0, duplicate submissions 0, failed saves 0, p95 " in summary

    # The check itself notices an acknowledged answer the database does not hold.
    assert result.organisation is not None
    person = result.told[0]
    statement, answer = next(iter(person.answers.items()))
    wrong = load.Answer(index=(answer.index + 1) % 5, comment=answer.comment)
    tampered = load.Told(person.person, answers={statement: wrong}, submitted=True)
    assert load.check_database(url, result.organisation, [tampered], load.options_of()).lost == 1

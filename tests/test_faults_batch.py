"""A report batch killed mid-run (issue #12 part 3): nothing half-written in the folder, and a rerun completes.

Every report file is written to a temporary ``.NAME.PID.RANDOM.part`` file and
renamed into place (``workbook.report.files``), so a kill leaves whole files
and, at worst, temporary ones no one lists.  A rerun removes those whose writer
is dead, never those of a batch still writing into the same folder.  The whole
fault - ``workbook report --all`` SIGKILLed with its workers and kernels, then
run again - is the slow test at the end (``benchmarks/faults_batch.py``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from workbook.report.files import atomic_write, remove_stale_parts

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid  # reaped: no process has this id now (barring a quick reuse)


def test_temporary_files_name_their_writer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []
    real_replace = os.replace

    def spy(source: str, target: str) -> None:
        seen.append(Path(source).name)
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", spy)
    atomic_write(tmp_path / "org-2026-Q4.html", "<html></html>")
    assert seen and seen[0].startswith(f".org-2026-Q4.html.{os.getpid()}.") and seen[0].endswith(".part")
    assert [p.name for p in tmp_path.iterdir()] == ["org-2026-Q4.html"]


def test_a_rerun_removes_only_the_temporary_files_of_dead_writers(tmp_path: Path) -> None:
    dead, alive = _dead_pid(), os.getpid()
    stale = tmp_path / f".org-2026-Q4.html.{dead}.k2j3h4.part"
    busy = tmp_path / f".org-2026-Q4.pdf.{alive}.a8b7c6.part"
    foreign = tmp_path / ".notes.part"  # not one of ours: left alone
    report = tmp_path / "org-2026-Q4.html"
    for path in (stale, busy, foreign, report):
        path.write_text("x")
    assert remove_stale_parts(tmp_path) == [stale]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([busy.name, foreign.name, report.name])


@pytest.mark.slow
def test_killing_a_batch_leaves_nothing_half_written_and_a_rerun_completes(tmp_path: Path) -> None:
    import faults_batch

    kills = faults_batch.run_batch_faults(tmp_path, times=1, orgs=2, pdf=False, seed=3)
    print(faults_batch.summary(kills, 2))
    (kill,) = kills
    assert kill.half_written == []
    assert kill.rerun_exit == 0 and kill.ready_after == 2 and kill.temporary_after == 0
    assert kill.ok(2)

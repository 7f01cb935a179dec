"""Fault: ``kill -9`` a report batch (``workbook report --all``) mid-run, then run it again (issue #12 part 3).

At a random moment while it is
writing reports (after a random number of them are in the folder, plus a
random fraction of a second) the whole process tree - the command, its worker
processes and their kernels - gets SIGKILL.  Then the output folder must hold
nothing half-written: every ``.html`` is a whole report (ends with
``</html>``), every ``.pdf`` a whole PDF (``%%EOF``), every ``.ipynb`` and
``reports.json`` valid JSON; the only unfinished files are the batch's own
temporary ``.*.part`` files, which no one lists or serves.  A rerun must
complete (exit 0), list every organisation as ready, and leave no ``.part``
file behind.

    .venv/bin/python benchmarks/faults_batch.py                 # 10 kills, 4 organisations
    .venv/bin/python benchmarks/faults_batch.py --times 3 --orgs 3 --pdf

Prints per kill what was in the folder and the rerun's time, then a one-line summary.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from report_batch import make_organisations  # noqa: E402

COMMAND = [sys.executable, "-c", "from workbook.cli import main; main()"]


@dataclass
class BatchKill:
    reports_before_kill: int
    half_written: list[str] = field(default_factory=list)
    temporary: int = 0  # .part files the kill left
    rerun_exit: int | None = None
    rerun_seconds: float = 0.0
    ready_after: int = 0
    temporary_after: int = 0

    def ok(self, orgs: int) -> bool:
        return (not self.half_written and self.rerun_exit == 0 and self.ready_after == orgs
                and self.temporary_after == 0)


def half_written(out: Path) -> list[str]:
    """Files in ``out`` a reader would see that are not whole (temporary ``.part`` files aside)."""
    bad = []
    for path in sorted(out.iterdir()):
        if path.name.endswith(".part") or not path.is_file():
            continue
        data = path.read_bytes()
        if path.suffix == ".html":
            whole = data.rstrip().endswith(b"</html>")
        elif path.suffix == ".pdf":
            whole = data.startswith(b"%PDF") and data.rstrip().endswith(b"%%EOF")
        elif path.suffix in (".json", ".ipynb"):
            try:
                json.loads(data)
                whole = True
            except ValueError:
                whole = False
        else:
            whole = True
        if not whole:
            bad.append(path.name)
    return bad


def batch_command(db: str, out: Path, pdf: bool) -> list[str]:
    return [*COMMAND, "--db", db, "report", "--all", "--out", str(out), "--no-progress", "--jobs", "2",
            *(["--pdf"] if pdf else [])]


def kill_batch(db: str, out: Path, *, after_reports: int, extra: float, pdf: bool, env: dict[str, str],
               timeout: float = 300) -> int:
    """Start the batch, SIGKILL its whole tree once ``after_reports`` are written plus ``extra`` s."""
    import psutil

    process = subprocess.Popen(batch_command(db, out, pdf), env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline and process.poll() is None:
            written = len(list(out.glob("*.html"))) if out.is_dir() else 0
            if written >= after_reports:
                time.sleep(extra)
                break
            time.sleep(0.05)
        written = len(list(out.glob("*.html"))) if out.is_dir() else 0
    finally:
        # The command, its workers and their kernels (jupyter_client starts each kernel in a
        # session of its own, so the process group alone would miss them): all at once.
        try:
            victims = [psutil.Process(process.pid), *psutil.Process(process.pid).children(recursive=True)]
        except psutil.NoSuchProcess:
            victims = []
        for victim in victims:
            with contextlib.suppress(psutil.NoSuchProcess):
                victim.send_signal(signal.SIGKILL)
        psutil.wait_procs(victims, timeout=10)
        process.wait()
    return written


def run_batch_faults(work: Path, *, times: int, orgs: int, pdf: bool, seed: int = 1) -> list[BatchKill]:
    rng = random.Random(seed)
    db = str(work / "reports.db")
    made = make_organisations(db, orgs)
    env = {**os.environ, "WORKBOOK_DB": db, "PYTHONWARNINGS": "ignore"}
    kills = []
    for number in range(times):
        out = work / f"out-{number % 2}"  # every other kill goes to a folder an earlier rerun filled
        kill = BatchKill(kill_batch(db, out, after_reports=rng.randrange(1, orgs) if orgs > 1 else 0,
                                    extra=rng.uniform(0, 1.5),
                                    pdf=pdf, env=env))
        out.mkdir(exist_ok=True)
        kill.half_written = half_written(out)
        kill.temporary = len(list(out.glob(".*.part")))
        began = time.monotonic()
        rerun = subprocess.run(batch_command(db, out, pdf), env=env, capture_output=True, text=True, timeout=600)
        kill.rerun_seconds = time.monotonic() - began
        kill.rerun_exit = rerun.returncode
        manifest = json.loads((out / "reports.json").read_text()) if (out / "reports.json").exists() else {}
        reports = manifest.get("reports", [])
        ready = {r.get("organisation") for r in (reports.values() if isinstance(reports, dict) else reports)
                 if r.get("status") == "ok"}
        kill.ready_after = len(ready & {org for org, _cycle in made})
        kill.temporary_after = len(list(out.glob(".*.part")))
        kill.half_written += [f"after the rerun: {name}" for name in half_written(out)]
        kills.append(kill)
        print(f"kill {number + 1}: after {kill.reports_before_kill} of {orgs} reports; half-written "
              f"{len(kill.half_written)}, temporary files left {kill.temporary}; rerun exit {kill.rerun_exit} in "
              f"{kill.rerun_seconds:.1f} s, ready {kill.ready_after}, temporary files after {kill.temporary_after}",
              flush=True)
        if rerun.returncode != 0:
            print("  " + rerun.stderr.strip()[-500:], flush=True)
    return kills


def summary(kills: list[BatchKill], orgs: int) -> str:
    load = os.getloadavg()
    return (f"batch killed {len(kills)} times: half-written files {sum(len(k.half_written) for k in kills)}, "
            f"reruns completed {sum(1 for k in kills if k.rerun_exit == 0 and k.ready_after == orgs)}/{len(kills)}, "
            f"temporary files left after reruns {sum(k.temporary_after for k in kills)}, rerun max "
            f"{max((k.rerun_seconds for k in kills), default=0):.1f} s (load average {load[0]:.2f})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--times", type=int, default=10, help="kills [default: 10]")
    parser.add_argument("--orgs", type=int, default=4, help="organisations in the batch [default: 4]")
    parser.add_argument("--pdf", action="store_true", help="make PDFs too")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="workbook-faults-batch-") as folder:
        os.environ.setdefault("WORKBOOK_KEY_FILE", str(Path(folder) / "secret.key"))
        kills = run_batch_faults(Path(folder), times=args.times, orgs=args.orgs, pdf=args.pdf, seed=args.seed)
    print(summary(kills, args.orgs))
    return 0 if all(k.ok(args.orgs) for k in kills) else 1


if __name__ == "__main__":
    sys.exit(main())

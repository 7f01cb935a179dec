"""Benchmark: ``workbook report --all`` against the naive loop of CLIs, in the same run.

    .venv/bin/python benchmarks/report_batch.py                 # 50 organisations, naive loop on 10
    .venv/bin/python benchmarks/report_batch.py --orgs 20 --naive 20 --jobs 2
    .venv/bin/python benchmarks/report_batch.py --orgs 5 --naive 1 --history 3 --no-pdf   # with trends

Makes N organisations shaped like the demo (25 people, 4 teams, one small team),
each from its own seed, in a fresh SQLite file; then times

* fast:  ``workbook report --all --out DIR`` (warm kernel per worker, HTML in-process),
* fast + PDF: the same with ``--pdf``,
* naive: per organisation, the ``papermill`` CLI then the ``jupyter nbconvert --to html``
  CLI - what one would write without the batch runner (on the first ``--naive``
  organisations only, because it is slow; the per-report figure is what compares),

and prints seconds per report (the batch runs: best of ``--repeat``) and the ratio.  Targets on
a 2-core machine: at least 5x faster than the naive loop and under 1.5 s per report amortised.
Other processes on the machine distort the figures: run it on a quiet machine.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # devtools/ (sample organisations) lives beside workbook/, not in it
BIN = Path(sys.executable).parent
# Until `report` is registered on the main command group, run it through a tiny launcher.
LAUNCHER = ("import sys; from workbook.cli import cli; from workbook.report.command import report; "
            "cli.commands.get('report') or cli.add_command(report); cli(sys.argv[1:], prog_name='workbook')")


def make_organisations(db: str, count: int, history: int = 0) -> list[tuple[str, str]]:
    """``count`` demo-shaped organisations (each with ``history`` past quarters); returns (id, current cycle) pairs."""
    from sqlalchemy import event

    from devtools.sample import seed_sample_organisation
    from workbook.framework import load_framework
    from workbook.sealing import KeySource, Sealer
    from workbook.store import open_store

    framework = load_framework()
    # A throw-away database: its links are sealed with a throw-away key beside it, not ~/.config's.
    sealer = Sealer(KeySource(path=Path(db).parent / "secret.key"))
    with open_store(db, sealer=sealer) as store:
        # Set-up speed only: these throw-away rows need no power-cut safety, so skip the
        # per-commit fsync the store normally insists on (synchronous=FULL).
        event.listen(store.engine, "connect", lambda conn, _: conn.execute("PRAGMA synchronous=OFF"))
        store.engine.dispose()
        made = []
        for i in range(count):
            org_id = f"org-{i + 1:03d}"
            seed_sample_organisation(store, org_id, seed=1000 + i, name=f"Sample Hotels {i + 1}",
                                     framework=framework, history=history)
            made.append((org_id, store.responses.cycle(org_id).label))
    return made


def _run(args: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    result = subprocess.run(args, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"benchmark: {' '.join(args[:3])} ... failed ({result.returncode}):\n{result.stderr[-2000:]}")
    return elapsed


def fast(db: str, out: Path, jobs: int | None, pdf: bool, env: dict[str, str]) -> float:
    args = [sys.executable, "-c", LAUNCHER, "--db", db, "report", "--all", "--out", str(out), "--no-progress"]
    if jobs:
        args += ["--jobs", str(jobs)]
    if pdf:
        args.append("--pdf")
    return _run(args, env)


def naive(orgs: list[tuple[str, str]], out: Path, env: dict[str, str]) -> float:
    notebook = ROOT / "notebooks" / "organisation_report.ipynb"
    out.mkdir(parents=True, exist_ok=True)
    total = 0.0
    for org_id, cycle in orgs:
        executed = out / f"{org_id}-{cycle}.ipynb"
        total += _run([str(BIN / "papermill"), "--no-progress-bar", str(notebook), str(executed),
                       "-p", "organisation", org_id, "-p", "cycle", cycle], env)
        total += _run([str(BIN / "jupyter"), "nbconvert", "--to", "html", str(executed)], env)
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orgs", type=int, default=50, help="organisations for the batch run [50]")
    parser.add_argument("--naive", type=int, default=10, help="organisations for the naive loop [10]")
    parser.add_argument("--jobs", type=int, default=None, help="batch workers [CPU cores]")
    parser.add_argument("--no-pdf", action="store_true", help="skip the --pdf run")
    parser.add_argument("--repeat", type=int, default=2, help="batch runs to take the best of [2]")
    parser.add_argument("--keep", metavar="DIR", help="keep the database and reports in DIR")
    parser.add_argument("--history", type=int, default=0,
                        help="past quarters of answers and workshop ratings per organisation (trends) [0]")
    options = parser.parse_args()

    folder = Path(options.keep or tempfile.mkdtemp(prefix="report-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    db = str(folder / "bench.db")
    if os.path.exists(db):
        os.unlink(db)
    env = {**os.environ, "WORKBOOK_DB": db, "PYTHONWARNINGS": "ignore"}
    try:
        started = time.perf_counter()
        orgs = make_organisations(db, max(options.orgs, options.naive), options.history)
        print(f"set-up: {len(orgs)} organisations in {time.perf_counter() - started:.1f} s "
              f"on {os.cpu_count()} cores", flush=True)
        # Only the first --orgs organisations are in the batch; delete the rest.
        if len(orgs) > options.orgs:
            from workbook.store import open_store

            with open_store(db) as store:
                for org_id, _ in orgs[options.orgs:]:
                    store.organisations.delete(org_id)

        # Best of --repeat runs: on a shared machine other processes only ever add time.
        fast_s = min(fast(db, folder / f"fast-{i}", options.jobs, False, env) for i in range(options.repeat))
        per_fast = fast_s / options.orgs
        print(f"fast  (workbook report --all):       {fast_s:7.1f} s for {options.orgs:3d} = {per_fast:.2f} s/report",
              flush=True)
        if not options.no_pdf:
            pdf_s = min(fast(db, folder / f"fast-pdf-{i}", options.jobs, True, env) for i in range(options.repeat))
            print(f"fast + PDF (--all --pdf):            {pdf_s:7.1f} s for {options.orgs:3d} = "
                  f"{pdf_s / options.orgs:.2f} s/report (PDF adds {(pdf_s - fast_s) / options.orgs:.2f} s/report)",
                  flush=True)
        naive_n = min(options.naive, len(orgs))
        naive_s = naive(orgs[:naive_n], folder / "naive", env)
        per_naive = naive_s / naive_n
        print(f"naive (papermill CLI + nbconvert CLI): {naive_s:5.1f} s for {naive_n:3d} = {per_naive:.2f} s/report",
              flush=True)
        ratio = per_naive / per_fast
        verdict = "OK" if ratio >= 5 and per_fast < 1.5 else "BELOW TARGET"
        print(f"ratio: {ratio:.1f}x faster per report (target >= 5x and < 1.5 s/report): {verdict}")
    finally:
        if not options.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()

"""CPU seconds per report, with and without history: in-process, so machine load barely moves it.

    .venv/bin/python benchmarks/report_cpu.py                    # 3 organisations, 3 past quarters
    .venv/bin/python benchmarks/report_cpu.py --orgs 5 --history 3 --keep /tmp/cpu-bench

Makes ``--orgs`` sample organisations (:func:`devtools.sample.seed_sample_organisation`,
the batch benchmark's) without history and the same number with ``--history`` past quarters,
each in a database of its own, then runs the report notebook's code cells in this process for
each organisation and counts CPU time (``time.process_time``: what the report costs, not how
long it waited for a busy machine).  Each report's figure is the best of ``--repeat`` runs after
a warm-up, as a batch worker's kernel is warm.  Wall-clock batch figures come from
``report_batch.py``; this one is for comparing two versions of the code on a shared machine.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _make_organisations(db: str, count: int, history: int) -> list[tuple[str, str]]:
    spec = importlib.util.spec_from_file_location("report_batch", ROOT / "benchmarks" / "report_batch.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    made: list[tuple[str, str]] = module.make_organisations(db, count, history)
    return made


def _cells() -> list[str]:
    notebook = json.loads((ROOT / "notebooks" / "organisation_report.ipynb").read_text(encoding="utf-8"))
    return ["".join(cell["source"]) for cell in notebook["cells"] if cell["cell_type"] == "code"]


def _report_cpu(cells: list[str], organisation: str, db: str) -> float:
    """CPU seconds to run the notebook's cells for ``organisation`` (as papermill would, parameters injected)."""
    namespace: dict[str, Any] = {}
    started = time.process_time()
    for source in cells:
        exec(source, namespace)  # the project's own report notebook
        if "db = None" in source:  # the parameters cell: papermill's injected values come after it
            namespace.update(organisation=organisation, db=db)
    return time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orgs", type=int, default=3, help="organisations per database [3]")
    parser.add_argument("--history", type=int, default=3, help="past quarters in the second database [3]")
    parser.add_argument("--repeat", type=int, default=3, help="runs per report to take the best of [3]")
    parser.add_argument("--keep", metavar="DIR", help="keep (and reuse) the databases in DIR")
    options = parser.parse_args()

    folder = Path(options.keep or tempfile.mkdtemp(prefix="report-cpu-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        from workbook.report import sections

        sections.warm_up()
        cells = _cells()
        figures: dict[int, float] = {}
        for history in (0, options.history):
            db = folder / f"history-{history}.db"
            if not db.exists():
                orgs = _make_organisations(str(db), options.orgs, history)
            else:
                orgs = [(f"org-{i + 1:03d}", "") for i in range(options.orgs)]
            _report_cpu(cells, orgs[0][0], str(db))  # warm: the first report of a kernel pays for imports
            per = [min(_report_cpu(cells, org, str(db)) for _ in range(options.repeat)) for org, _ in orgs]
            figures[history] = sum(per) / len(per)
            print(f"history {history}: {figures[history]:.3f} CPU s/report (best of {options.repeat}, "
                  f"mean of {len(per)} organisations)", flush=True)
        extra = figures[options.history] / figures[0] - 1 if figures[0] else 0.0
        print(f"{options.history} past quarters add {extra:+.0%} CPU per report")
    finally:
        if not options.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()

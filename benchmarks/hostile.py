"""The whole hostile corpus through every CLI entry, package call and export; prints the figures.

    .venv/bin/python benchmarks/hostile.py              # everything (about ten minutes on 2 cores)
    .venv/bin/python benchmarks/hostile.py --sample 100 # a deterministic slice

The corpus and the checks live in ``tests/hostile/`` (see its ``__init__``);
``tests/test_hostile.py`` runs a small slice of the same on every test run.
Besides the strings and files, every string the rule refuses is also written
straight into the database of one export batch ("legacy": text an older
workbook may have stored) and exported: no stored text may stop an export.
Exit code 0 when nothing went wrong, 1 otherwise (the first problems of each
kind are listed).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from hostile.files import write_hostile_files
from hostile.runner import HostileRun
from hostile.strings import REFUSE, hostile_strings, sample


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=None, help="run only this many strings (a fixed slice)")
    parser.add_argument("--batch", type=int, default=12, help="strings per exported organisation")
    options = parser.parse_args()
    strings = hostile_strings() if options.sample is None else sample(options.sample)
    legacy = [case for case in strings if case.expect == REFUSE]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="workbook-hostile-") as folder:
        files_folder = Path(folder) / "files"
        files_folder.mkdir()
        files = write_hostile_files(files_folder)
        run = HostileRun(Path(folder))
        try:
            figures = run.run(strings, files, batch=options.batch, legacy=legacy)
        finally:
            run.close()
    print(f"Hostile corpus: {len(strings)} strings ({len(legacy)} also stored as legacy text), {len(files)} files")
    print(f"  cases run:        {figures.cases} ({figures.cli_runs} CLI runs, {figures.api_calls} package calls, "
          f"{figures.exports} exports)")
    print(f"  text stored:      {figures.accepted}   refused with one line: {figures.refused}")
    for name, found in figures.problems().items():
        print(f"  {name.replace('_', ' ') + ':':18}{len(found)}")
        for line in found[:5]:
            print(f"      {line}")
    print(f"  time:             {time.perf_counter() - started:.0f} s")
    return 1 if any(figures.problems().values()) else 0


if __name__ == "__main__":
    sys.exit(main())

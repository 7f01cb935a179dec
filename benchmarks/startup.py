"""Start-up cost of the stack, with and without rfc3987-syntax.

    .venv/bin/python benchmarks/startup.py [--runs 5]

Times ``python -c "import X"`` in fresh processes for the modules every kernel
and every report imports, first in this environment (where scripts/setup has
removed rfc3987-syntax), then with rfc3987-syntax put back through a temporary
``--target`` folder on PYTHONPATH (nothing in .venv changes).  Prints medians
and the ratio.  Needs the package index once, for that temporary install.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

MODULES = ("altair", "papermill", "nbformat", "voila.app", "workbook.apps.values")


def time_import(module: str, runs: int, env: dict[str, str]) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", f"import {module}"], check=True, env=env)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    lean_env = dict(os.environ)
    with tempfile.TemporaryDirectory() as extra:
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", extra,
                        "rfc3987-syntax", "lark"], check=True)
        heavy_env = {**os.environ, "PYTHONPATH": extra}
        check = subprocess.run([sys.executable, "-c", "import rfc3987_syntax"], env=heavy_env, check=False)
        assert check.returncode == 0, "could not put rfc3987-syntax back for the comparison"
        baseline = time_import("sys", args.runs, lean_env)
        print(f"python start-up alone: {baseline:.3f} s (median of {args.runs})")
        print(f"{'module':24} {'lean (s)':>9} {'with rfc3987 (s)':>17} {'ratio':>6}")
        for module in MODULES:
            lean = time_import(module, args.runs, lean_env)
            heavy = time_import(module, args.runs, heavy_env)
            print(f"{module:24} {lean:9.3f} {heavy:17.3f} {heavy / lean:6.1f}x")


if __name__ == "__main__":
    main()

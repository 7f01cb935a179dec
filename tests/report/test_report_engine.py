"""The warm-kernel papermill engine: one kernel, many notebooks, nothing carried over.

Runs a tiny notebook (not the report) so each run takes milliseconds, and checks
what the batch relies on: parameters arrive, no variable leaks from one
organisation to the next, and a timeout or a dead kernel costs that one run only.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest

from workbook.report import batch
from workbook.report.batch import BatchSettings, ReportJob
from workbook.report.engine import WarmKernel, WarmKernelEngine, register

pytestmark = pytest.mark.slow

CODE = """\
import os, time
if organisation == "slow":
    time.sleep(60)
if organisation == "crash":
    os._exit(1)
print(organisation, cycle, globals().get("previous", "nothing left over"))
previous = organisation
"""


@pytest.fixture(scope="module")
def kernel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WarmKernel]:
    register()
    warm = WarmKernel(cwd=str(tmp_path_factory.mktemp("kernel")))
    WarmKernelEngine.kernel = warm
    try:
        yield warm
    finally:
        WarmKernelEngine.kernel = None
        warm.shutdown()


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> BatchSettings:
    folder = tmp_path_factory.mktemp("tiny")
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell("organisation = None\ncycle = None", metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell(CODE)]
    path = folder / "tiny.ipynb"
    nbformat.write(nb, path)
    return BatchSettings(out_dir=str(folder), db_url="sqlite://", cell_timeout=3, notebook=str(path))


def run(org: str, settings: BatchSettings) -> tuple[str, str]:
    nb, error = batch._execute(ReportJob(org, org, "2026-Q1"), settings)
    assert nb is not None
    printed = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
                      if o.output_type == "stream")
    return printed.strip(), error


def test_parameters_arrive_and_nothing_leaks(kernel: WarmKernel, settings: BatchSettings) -> None:
    assert run("first", settings) == ("first 2026-Q1 nothing left over", "")
    assert run("second", settings) == ("second 2026-Q1 nothing left over", "")


def test_a_timeout_fails_one_run_and_the_next_gets_a_fresh_kernel(kernel: WarmKernel, settings: BatchSettings) -> None:
    _, error = run("slow", settings)
    assert "Timeout" in error or "timed out" in error.lower(), error
    assert run("after-slow", settings) == ("after-slow 2026-Q1 nothing left over", "")


def test_a_dead_kernel_fails_one_run_and_is_restarted(kernel: WarmKernel, settings: BatchSettings) -> None:
    _, error = run("crash", settings)
    assert "DeadKernel" in error or "died" in error.lower(), error
    assert run("after-crash", settings) == ("after-crash 2026-Q1 nothing left over", "")


def test_the_kernel_runs_this_python(kernel: WarmKernel) -> None:
    import sys

    from workbook.report.engine import _ThisPython

    spec = _ThisPython().get_kernel_spec("anything")
    assert spec.argv[0] == sys.executable
    assert Path(kernel._sockets).is_dir()

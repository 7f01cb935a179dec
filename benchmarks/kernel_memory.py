"""Memory of each kind of values-app kernel, through the real ``workbook serve``.

Starts ``workbook serve`` (the values app only, ``--pool-size 1`` unless told
otherwise) on a throw-away SQLite database with the demo organisation and a
throw-away secret key, and measures the unique (USS) and proportional (PSS)
memory of:

* **pooled** - a pre-heated kernel waiting in the pool for a visitor;
* **questionnaire** - the kernel of a respondent's page in headless Chromium,
  after "Start" and a few answers (the cards of the first value page made);
* **results** - the kernel of a respondent who has submitted (their page opens
  on "Your results", with the chart).

A page's kernel is found by the kernel id in its HTML (each kernel's command
line names ``kernel-<id>.json``).  Beside memory it prints each process's CPU
seconds so far: for the pooled kernel that is what pre-heating cost, a figure
that, unlike a time, hardly depends on the machine's load.  It also prints the server's own memory and
respondents per GB: how many questionnaire kernels fit in 1 GiB of unique memory
(the server's share is left out; it is one process whatever the number of
pages).  USS is what a kernel frees when it ends; PSS adds its share of pages
it shares with other processes (Python's shared libraries).

    .venv/bin/python benchmarks/kernel_memory.py
    .venv/bin/python benchmarks/kernel_memory.py --answers 10 --settle 3

Memory figures do not depend on the machine's load, unlike timings.  Needs
/usr/bin/chromium.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))

from harness import (  # noqa: E402
    CHROMIUM,
    VoilaServer,
    demo_statuses,
    launch_chromium,
    wait_for_widgets,
)

NOTEBOOK = "values_assessment.ipynb"
MIB = 2**20


@dataclass(frozen=True)
class Memory:
    uss: int
    pss: int
    rss: int
    cpu: float  # CPU seconds used so far: for a pooled kernel, what pre-heating cost

    @classmethod
    def of(cls, pid: int) -> Memory:
        process = psutil.Process(pid)
        info = process.memory_full_info()
        times = process.cpu_times()
        return cls(uss=info.uss, pss=info.pss, rss=info.rss, cpu=times.user + times.system)

    def row(self, label: str) -> str:
        return (f"{label:28} {self.uss / MIB:8.1f} {self.pss / MIB:8.1f} {self.rss / MIB:8.1f} "
                f"{self.cpu:8.2f}")


def kernel_pid(server: VoilaServer, kernel_id: str) -> int:
    """The process of the kernel with this id (see :meth:`VoilaServer.kernel_pid`)."""
    return server.kernel_pid(kernel_id)


def page_kernel_id(page: Any) -> str:
    found = re.search(r'"kernelId": "([0-9a-f-]{36})"', page.content())
    if not found:
        raise RuntimeError("no kernel id in the page")
    return found.group(1)


def pooled_kernels(server: VoilaServer, in_use: set[int]) -> list[int]:
    return [pid for pid in server.kernel_pids() if pid not in in_use and not is_zygote(pid)]


def is_zygote(pid: int) -> bool:
    """The kernel zygote of ``--fork-kernels`` (the forked kernels have its command line, but are its children)."""
    try:
        process = psutil.Process(pid)
        return "workbook.serve.zygote" in process.cmdline() and process.parent().pid != pid and (
            "workbook.serve.zygote" not in process.parent().cmdline())
    except psutil.NoSuchProcess:
        return False


def answer_some(browser: Any, server: VoilaServer, token: str, answers: int) -> int:
    """Open a respondent's link, press Start, answer ``answers`` statements; the page's kernel pid."""
    page = browser.new_page()
    page.goto(server.app_url(NOTEBOOK, token=token))
    wait_for_widgets(page)
    page.get_by_role("button", name=re.compile("Start|Continue")).first.click()
    page.wait_for_selector(".wb-statement input[type=radio]", timeout=60_000)
    cards = page.locator(".wb-statement")
    for index in range(min(answers, cards.count())):
        cards.nth(index).locator("input[type=radio]").first.check()
        cards.nth(index).locator(".wb-ok", has_text="Saved").wait_for(timeout=30_000)
    return kernel_pid(server, page_kernel_id(page))


def settle(server: VoilaServer, seconds: float) -> None:
    """Let the kernels finish what the last click started (and the pool refill)."""
    time.sleep(seconds)
    server.wait_for_quiet_kernels(timeout=180)


def main(argv: Sequence[str] | None = None) -> int:
    from workbook.serve.options import DEFAULT_FORK_KERNELS
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--answers", type=int, default=5, help="statements answered on the questionnaire page")
    parser.add_argument("--settle", type=float, default=2.0, help="seconds to wait after each step")
    parser.add_argument("--pages", type=int, default=2, help="questionnaire pages open at once [default: 2]")
    parser.add_argument("--pool-size", type=int, default=1, help="pre-heated kernels [default: 1]")
    parser.add_argument("--fork-kernels", action=argparse.BooleanOptionalAction, default=DEFAULT_FORK_KERNELS,
                        help="serve with --fork-kernels or without [default: the server's, --fork-kernels on Linux]")
    args = parser.parse_args(argv)
    if not CHROMIUM.exists():
        print(f"error: {CHROMIUM} is missing: apt-get install -y --no-install-recommends chromium",
              file=sys.stderr)
        return 2

    from playwright.sync_api import sync_playwright

    from workbook.demo import seed_demo
    from workbook.store import open_store

    with tempfile.TemporaryDirectory(prefix="workbook-memory-") as folder:
        work = Path(folder)
        os.environ["WORKBOOK_KEY_FILE"] = str(work / "secret.key")  # never the user's key
        db_url = f"sqlite:///{work / 'workbook.db'}"
        with open_store(db_url) as store:
            seed_demo(store)
        statuses = demo_statuses(db_url)
        waiting = [t for t, s in statuses.items() if s != "submitted"][: args.pages]
        done_token = next(t for t, s in statuses.items() if s == "submitted")
        rows: list[tuple[str, Memory]] = []
        with VoilaServer.start(db_url=db_url, log_path=work / "serve.log", apps=[NOTEBOOK],
                               extra_args=["--pool-size", str(args.pool_size),
                                           "--fork-kernels" if args.fork_kernels else "--no-fork-kernels"],
                               timeout=90) as server:
            server.wait_for_pools(timeout=180)
            with sync_playwright() as playwright:
                browser = launch_chromium(playwright)
                try:
                    questionnaires = [answer_some(browser, server, token, args.answers) for token in waiting]
                    results_page = browser.new_page()
                    results_page.goto(server.app_url(NOTEBOOK, token=done_token))
                    results_page.wait_for_selector(".wb-chart svg", timeout=120_000)
                    results = kernel_pid(server, page_kernel_id(results_page))
                    settle(server, args.settle)
                    # Measured together, once every kind of kernel is alive: pages of a shared
                    # library count as unique (USS) only while a single process maps them.
                    in_use = {*questionnaires, results}
                    rows += [("pooled (waiting)", Memory.of(pid)) for pid in pooled_kernels(server, in_use)]
                    rows += [(f"questionnaire ({args.answers} answers)", Memory.of(pid)) for pid in questionnaires]
                    rows.append(("results (chart shown)", Memory.of(results)))
                    rows.append(("server (workbook serve)", Memory.of(server.process.pid)))
                    rows += [("kernel zygote (--fork-kernels)", Memory.of(pid))
                             for pid in server.kernel_pids() if is_zygote(pid)]
                finally:
                    browser.close()

    print(f"\nKernel memory, MiB ({NOTEBOOK}; load average {os.getloadavg()[0]:.2f})")
    print(f"{'':28} {'USS':>8} {'PSS':>8} {'RSS':>8} {'CPU s':>8}")
    for label, memory in rows:
        print(memory.row(label))
    for kind in ("questionnaire", "results"):
        worst = max((m for label, m in rows if label.startswith(kind)), key=lambda m: m.uss)
        print(f"respondents per GiB on the {kind} page: {2**30 / worst.uss:.1f} by USS, "
              f"{2**30 / worst.pss:.1f} by PSS")
    return 0


if __name__ == "__main__":
    sys.exit(main())

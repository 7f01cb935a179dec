"""Time from opening an invite link to the first usable input, in headless Chromium.

Three ways of serving the same notebook on this machine, N runs each:

* ``warm``  - ``workbook serve`` with pre-heated kernels (the pool is refilled and
              quiet again before every run);
* ``cold``  - ``workbook serve --no-preheat`` (a kernel starts per page);
* ``plain`` - the plain ``voila NOTEBOOK`` command line.

Each run opens the page in a new browser context (empty cache, like a first
visit) and stops the clock when the first ``.widget-button`` or ``input`` is
visible and enabled, as the page itself notes it (``performance.now()``, from the
start of the navigation).  Requests to other hosts are blocked (a dead proxy for every
host but 127.0.0.1) and counted.

Beside the time it prints where the work went during a run: seconds the page's
main thread was busy (DevTools ``TaskDuration``), CPU seconds of all Chromium
processes, and CPU seconds of the server with its kernels (in the warm mode
this includes the refill of the pool, which Voila starts 1 s after a kernel is
handed out).  The browser's CPU divided by the number of cores is a floor no
way of serving the page can go below on this machine.

    .venv/bin/python benchmarks/time_to_first_input.py                  # values app, demo DB
    .venv/bin/python benchmarks/time_to_first_input.py --runs 10
    .venv/bin/python benchmarks/time_to_first_input.py --notebook tests/browser/fixtures/hello.ipynb

Needs /usr/bin/chromium (apt-get install chromium).  Without --db a throw-away
SQLite database with the demo organisation is used (with a throw-away secret key
unless $WORKBOOK_KEY_FILE or $WORKBOOK_SECRET_KEY is set); without --token, the
first demo person who has not submitted yet (someone who has submitted sees
results, which have no input).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))

from harness import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    LOCAL_HOST,
    WIDGET_SELECTOR,
    OutsideRequests,
    VoilaServer,
    demo_statuses,
    free_port,
    seed_demo_database,
)

MODES = ("warm", "cold", "plain")
LABELS = {"warm": "workbook serve (warm)", "cold": "workbook serve (cold)", "plain": "plain voila"}


@dataclass(frozen=True)
class Run:
    seconds: float
    main_thread: float
    browser_cpu: float
    server_cpu: float


@dataclass
class Result:
    mode: str
    runs: list[Run] = field(default_factory=list)
    outside: int = 0

    @property
    def seconds(self) -> list[float]:
        return [run.seconds for run in self.runs]

    def row(self) -> str:
        if not self.runs:
            return f"{LABELS[self.mode]:24} {'-':>7}"
        median, low, high = statistics.median(self.seconds), min(self.seconds), max(self.seconds)
        main, browser, server = (
            statistics.median(getattr(run, name) for run in self.runs)
            for name in ("main_thread", "browser_cpu", "server_cpu")
        )
        return (
            f"{LABELS[self.mode]:24} {median:7.2f} {low:7.2f} {high:7.2f} "
            f"{main:8.2f} {browser:8.2f} {server:8.2f}   {self.outside}"
        )


def _cpu_by_process(root_pid: int, keep: Callable[[psutil.Process], bool] = lambda _p: True) -> dict[int, float]:
    """CPU seconds (user + system) of ``root_pid`` and its descendants, by process id."""
    try:
        root = psutil.Process(root_pid)
        processes = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return {}
    used: dict[int, float] = {}
    for process in processes:
        try:
            if keep(process):
                times = process.cpu_times()
                used[process.pid] = times.user + times.system
        except psutil.NoSuchProcess:
            continue  # ended while we looked
    return used


def _cpu_used(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU used between two snapshots, by the processes alive at the second one.

    A process that ended in between is left out (its last figures are gone);
    one that started in between counts from zero.
    """
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


def _is_chromium(process: psutil.Process) -> bool:
    return "chrom" in process.name().lower()


def _demo_token(db_url: str) -> str:
    """The first demo person who has not submitted (someone who has sees results: no input)."""
    statuses = demo_statuses(db_url)
    return next((token for token, state in statuses.items() if state != "submitted"), next(iter(statuses)))


@contextmanager
def _plain_voila(notebook: Path, db_url: str, log_path: Path) -> Iterator[tuple[str, int]]:
    """``voila NOTEBOOK`` as people run it by hand; yields the page URL (no query), its pid."""
    port = free_port()
    voila = Path(sys.executable).with_name("voila")
    command = [
        str(voila),
        str(notebook),
        f"--port={port}",
        "--no-browser",
        f"--Voila.ip={LOCAL_HOST}",
    ]
    env = {**os.environ, "WORKBOOK_DB": db_url}
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=notebook.parent
        )
    base = f"http://{LOCAL_HOST}:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:  # a static file: asking for the page itself would start a kernel
            try:
                with urllib.request.urlopen(f"{base}/voila/static/voila.js", timeout=2):
                    break
            except (TimeoutError, urllib.error.URLError, ConnectionError):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"voila did not start:\n{log_path.read_text()}") from None
                time.sleep(0.1)
        yield f"{base}/", process.pid
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()


#: Runs in the page before its own scripts: notes ``performance.now()`` (seconds
#: since the navigation started) the moment an enabled widget input is visible.
#: Waiting from Python instead would see it late: Playwright re-checks a
#: selector at growing intervals, up to 0.5 s apart.
FIRST_INPUT_SCRIPT = """
(() => {
  const selector = %s;
  const check = () => {
    if (window.__firstInput !== undefined) { return; }
    for (const element of document.querySelectorAll(selector)) {
      if (element.checkVisibility()) {
        window.__firstInput = performance.now() / 1000;
        observer.disconnect();
        return;
      }
    }
  };
  const observer = new MutationObserver(check);
  observer.observe(document, { subtree: true, childList: true, attributes: true });
})();
"""


class _FailedOutside(OutsideRequests):
    """Requests to other hosts, noticed as they fail (nothing is intercepted)."""

    def note(self, url: str) -> None:
        if self.is_outside(url):
            self.attempted.append(url)


def _launch_offline_chromium(playwright: Any) -> Any:
    """Chromium that cannot reach any host but 127.0.0.1, without intercepting requests.

    The browser tests block other hosts with Playwright's request routing,
    which passes every request and response through the driver; on a page of
    one 2 MB script that alone added about 0.4 s here.  A dead proxy for
    every host but the loopback one blocks just as surely and costs nothing.
    """
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM),
        headless=True,
        args=[*CHROMIUM_ARGS, "--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=127.0.0.1"],
    )


def _measure(browser: object, url: str, outside: _FailedOutside, server_pid: int) -> Run:
    """One first visit: the time to the first usable input and where the work went."""
    from playwright.sync_api import Browser

    assert isinstance(browser, Browser)
    context = browser.new_context(service_workers="block")
    context.add_init_script(FIRST_INPUT_SCRIPT % json.dumps(f":is({WIDGET_SELECTOR}):not([disabled])"))
    page = context.new_page()
    page.on("requestfailed", lambda request: outside.note(request.url))
    devtools = context.new_cdp_session(page)
    devtools.send("Performance.enable")
    # Chromium's processes are children of Playwright's driver, a child of ours.
    browser_before = _cpu_by_process(os.getpid(), _is_chromium)
    server_before = _cpu_by_process(server_pid)  # with the kernels waiting in its pool
    try:
        page.goto(url, wait_until="commit")
        page.wait_for_function("() => window.__firstInput !== undefined", timeout=120_000)
        elapsed = float(page.evaluate("window.__firstInput"))
        browser_cpu = _cpu_used(browser_before, _cpu_by_process(os.getpid(), _is_chromium))
        server_cpu = _cpu_used(server_before, _cpu_by_process(server_pid))
        metrics = devtools.send("Performance.getMetrics")["metrics"]
        main_thread = next(m["value"] for m in metrics if m["name"] == "TaskDuration")
        return Run(elapsed, main_thread, browser_cpu, server_cpu)
    finally:
        page.close(run_before_unload=True)  # the page's kernel is shut down, as when a tab closes
        context.close()


def _run_mode(
    mode: str,
    *,
    runs: int,
    browser: object,
    notebook: Path,
    token: str,
    db_url: str,
    work: Path,
    pool_size: int | None,
    say: Callable[[str], None],
    serve_args: Sequence[str] = (),
) -> Result:
    result = Result(mode)
    outside = _FailedOutside()
    query = f"?{urlencode({'token': token})}"
    if mode == "plain":
        with _plain_voila(notebook, db_url, work / "plain.log") as (base, pid):
            for run in range(runs):
                result.runs.append(_measure(browser, base + query, outside, pid))
                say(f"  {mode} run {run + 1}: {result.seconds[-1]:.2f} s")
    else:
        extra = ["--no-preheat"] if mode == "cold" else []
        extra += list(serve_args)
        if mode == "warm" and pool_size:
            extra += ["--pool-size", str(pool_size)]
        with VoilaServer.start(
            db_url=db_url,
            log_path=work / f"{mode}.log",
            notebooks=notebook.parent,
            apps=[notebook.name],
            extra_args=extra,
        ) as server:
            url = server.app_url(notebook.name, token=token)
            for run in range(runs):
                if run:  # the last run's kernel must be gone: one link holds one kernel, and opening it
                    # again within the close grace would reuse that page (a reload, not a first visit)
                    server.wait_for_log(r"its page was closed and no other is connected", count=run, timeout=60)
                if mode == "warm":
                    server.wait_for_log(
                        rf"Kernel pool of {notebook.name} is filled", count=run + 1, timeout=120
                    )
                    server.wait_for_quiet_kernels()
                result.runs.append(_measure(browser, url, outside, server.process.pid))
                say(f"  {mode} run {run + 1}: {result.seconds[-1]:.2f} s")
    result.outside = len(outside.attempted)
    if outside.attempted:
        say(f"  {mode}: blocked requests to other hosts: {sorted(set(outside.attempted))}")
    return result


def main(argv: Sequence[str] | None = None) -> int:
    from workbook.serve.options import DEFAULT_FORK_KERNELS
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--notebook",
        type=Path,
        default=ROOT / "notebooks" / "values_assessment.ipynb",
        help="notebook to serve [default: notebooks/values_assessment.ipynb]",
    )
    parser.add_argument("--runs", type=int, default=5, help="runs per mode [default: 5]")
    parser.add_argument(
        "--db", help="database URL [default: a throw-away SQLite file with the demo organisation]"
    )
    parser.add_argument(
        "--token", help="token in the URL [default: a demo person who has not submitted]"
    )
    parser.add_argument(
        "--pool-size", type=int, help="pre-heated kernels for the warm mode [default: serve's]"
    )
    parser.add_argument(
        "--modes", default=",".join(MODES), help=f"comma-separated, of {', '.join(MODES)}"
    )
    parser.add_argument("--fork-kernels", action=argparse.BooleanOptionalAction, default=DEFAULT_FORK_KERNELS,
                        help="serve (cold and warm modes) with --fork-kernels or without "
                             "[default: the server's, --fork-kernels on Linux]")
    parser.add_argument("--quiet", action="store_true", help="print only the table")
    args = parser.parse_args(argv)

    if not CHROMIUM.exists():
        print(
            f"error: {CHROMIUM} is missing: apt-get install -y --no-install-recommends chromium",
            file=sys.stderr,
        )
        return 2
    notebook = args.notebook.resolve()
    if not notebook.is_file():
        print(f"error: no notebook {notebook}", file=sys.stderr)
        return 2
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    if unknown := set(modes) - set(MODES):
        print(f"error: unknown mode(s) {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2

    def say(line: str) -> None:
        if not args.quiet:
            print(line, flush=True)

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="workbook-bench-") as folder:
        work = Path(folder)
        if not args.db and not (os.environ.get("WORKBOOK_SECRET_KEY") or os.environ.get("WORKBOOK_KEY_FILE")):
            # A throw-away database gets a throw-away secret key, not a new file in ~/.config.
            os.environ["WORKBOOK_KEY_FILE"] = str(work / "secret.key")
        db_url = args.db or seed_demo_database(work)
        token = args.token or _demo_token(db_url)
        say(f"{notebook.name}: {args.runs} run(s) per mode, {os.cpu_count()} CPU(s); logs: {work}")
        results: dict[str, Result] = {}
        with sync_playwright() as playwright:
            browser = _launch_offline_chromium(playwright)
            try:
                for mode in modes:
                    results[mode] = _run_mode(
                        mode,
                        runs=args.runs,
                        browser=browser,
                        notebook=notebook,
                        token=token,
                        db_url=db_url,
                        work=work,
                        pool_size=args.pool_size,
                        say=say,
                        serve_args=["--fork-kernels" if args.fork_kernels else "--no-fork-kernels"],
                    )
            finally:
                browser.close()

    print(f"\nTime to first usable input, seconds ({notebook.name}, {args.runs} runs each)")
    print(f"{'':24} {'median':>7} {'min':>7} {'max':>7} {'main':>8} {'browser':>8} {'server':>8}"
          "   blocked outside")
    print(f"{'':24} {'':>7} {'':>7} {'':>7} {'thread':>8} {'CPU':>8} {'CPU':>8}   requests")
    for mode in modes:
        print(results[mode].row())
    if "warm" in results and results["warm"].seconds:
        warm = statistics.median(results["warm"].seconds)
        for other in ("cold", "plain"):
            if other in results and results[other].seconds:
                print(f"{other} / warm: {statistics.median(results[other].seconds) / warm:.1f}x")
    print(
        "main thread: seconds the page's main thread was busy (page scripts, the widgets);\n"
        "browser CPU: CPU seconds of all Chromium processes; server CPU: the server and its kernels.\n"
        f"All medians.  Browser and server share this machine's {os.cpu_count()} core(s)."
    )
    if "warm" in results and results["warm"].runs:
        warm_runs = results["warm"].runs
        floor = statistics.median(r.browser_cpu for r in warm_runs) / (os.cpu_count() or 1)
        print(f"Warm: browser CPU / cores = {floor:.2f} s: below that this page cannot go on this machine,\n"
              "even with a server that costs nothing.")
    return 0


if __name__ == "__main__":
    sys.exit(main())

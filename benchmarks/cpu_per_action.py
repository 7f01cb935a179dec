"""CPU each thing a respondent does costs, one respondent at a time (issue #12: where the CPU goes).

Starts ``workbook serve`` on a throw-away SQLite database and drives one of
``benchmarks/load.py``'s simulated respondents step by step: open the link,
answer the first ten statements (the page turns between them included),
then answer the rest, submit and see the results.  Around each phase it reads
the CPU time of the server and of every process under it, and prints them
apart: the server, the kernels, the kernel zygote and the chart renderer.
Repeat with ``--respondents`` (each a new person and a new kernel).

    .venv/bin/python benchmarks/cpu_per_action.py --respondents 3
    .venv/bin/python benchmarks/cpu_per_action.py --no-fork-kernels

Run it with the machine at rest: other work inflates every figure.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "tests" / "browser"))

import load  # noqa: E402
import psutil  # noqa: E402
from harness import VoilaServer  # noqa: E402

from workbook.serve.options import DEFAULT_FORK_KERNELS  # noqa: E402

Snapshot = dict[int, float]


def _cpu(process: psutil.Process) -> float:
    try:
        times = process.cpu_times()
        return float(times.user + times.system)
    except psutil.Error:
        return 0.0


def snapshot(server: psutil.Process) -> Snapshot:
    """CPU seconds so far of the server (its own pid) and of every process under it."""
    found = {server.pid: _cpu(server)}
    for child in server.children(recursive=True):
        found[child.pid] = _cpu(child)
    return found


def split(before: Snapshot, after: Snapshot, server: int, helpers: dict[int, str]) -> dict[str, float]:
    """CPU seconds between two snapshots, by kind of process."""
    used: dict[str, float] = {}
    for pid, seconds in after.items():
        kind = "server" if pid == server else helpers.get(pid, "kernels")
        used[kind] = used.get(kind, 0.0) + seconds - before.get(pid, 0.0)
    return used


def shown(used: dict[str, float], per: int = 1, unit: str = "s") -> str:
    scale = 1000.0 if unit == "ms" else 1.0
    order = ("server", "kernels", "chart renderer", "kernel zygote")
    return ", ".join(f"{kind} {scale * used.get(kind, 0.0) / per:.{0 if unit == 'ms' else 2}f} {unit}"
                     for kind in order if kind in used or kind in ("server", "kernels"))


async def play(respondents: int, fork: bool) -> None:
    from workbook.framework import load_framework
    from workbook.store import open_store

    work = Path(tempfile.mkdtemp(prefix="workbook-cpu-"))
    url = f"sqlite:///{work}/cpu.db"
    with open_store(url):
        pass
    org = load.make_organisation(url, respondents + 2)
    args = ["--pool-size", "2", "--page-rate", "600", "--fork-kernels" if fork else "--no-fork-kernels"]
    with VoilaServer.start(db_url=url, log_path=work / "serve.log", apps=[load.NOTEBOOK], extra_args=args,
                           timeout=120) as server:
        server.wait_for_pools(timeout=180)
        time.sleep(10)  # the zygote imports the results page's libraries once it is idle
        process = psutil.Process(server.process.pid)
        named = {"kernel zygote": server.zygote_pid(), "chart renderer": server.chart_renderer_pid()}
        helpers = {pid: name for name, pid in named.items() if pid is not None}
        framework = load_framework()
        statements = [s.id for s in framework.statements]
        options = len(framework.scale.points) + 1
        config = load.Config(respondents=1, seconds=600, think=(0.3, 0.3), comment_rate=0, change_rate=0,
                             reload_rate=0, double_submit_rate=0, tamper_rate=0)
        print(f"{'forked' if fork else 'plain'} kernels; CPU of each phase, by process")
        for n in range(respondents):
            stats = load.Stats()
            respondent: Any = load.Respondent(load.Told(org.people[n]), server.base_url, f"127.0.0.{2 + n}",
                                              config, stats, statements, options)
            a = snapshot(process)
            await respondent._open()
            await asyncio.sleep(4)  # the pool's refill (a new kernel) is part of the cost of an arrival
            b = snapshot(process)
            while len(stats.latencies) < 10:
                if await respondent._step(time.monotonic() + 60):
                    break
            c = snapshot(process)
            first = len(stats.latencies)
            while not await respondent._step(time.monotonic() + 120):
                pass
            await asyncio.sleep(2)  # the results page's charts
            d = snapshot(process)
            rest = len(stats.latencies) - first
            print(f"respondent {n + 1}: opening the link and refilling the pool: "
                  f"{shown(split(a, b, process.pid, helpers))}")
            print(f"  {first} answers (page turns included), per answer: "
                  f"{shown(split(b, c, process.pid, helpers), first, 'ms')}")
            print(f"  {rest} more answers, submitting and the results page: "
                  f"{shown(split(c, d, process.pid, helpers))} (submitted: {stats.submits})")
            await respondent.page.close(tab_closed=True)
            await asyncio.sleep(2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--respondents", type=int, default=3, help="people, one after another [default: 3]")
    parser.add_argument("--fork-kernels", action=argparse.BooleanOptionalAction, default=DEFAULT_FORK_KERNELS,
                        help="kernels forked from the zygote [default: as workbook serve]")
    options = parser.parse_args()
    asyncio.run(play(options.respondents, options.fork_kernels))


if __name__ == "__main__":
    main()

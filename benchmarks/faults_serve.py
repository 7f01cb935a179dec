"""Fault: ``kill -9`` the whole ``workbook serve`` process tree during load, again and again (issue #12 part 3).

Respondents are played by ``benchmarks/load.py``'s protocol client (imported, not
copied).  Each round starts ``workbook serve`` on the same SQLite file, lets the
respondents carry on from where they were, and at a random moment SIGKILLs the
server and every kernel at once (no clean-up of any kind), a random 3-12 s after
the round's first acknowledged answer.  Then:

* ``PRAGMA integrity_check`` on the file, before anything opens it again: ``ok``;
* after the restart, every answer any respondent was told was saved ("Saved ✓")
  is in the database with its value (``load.check_database``);
* each respondent reopens their link: the page shows every acknowledged answer
  (checked on every screen they pass), and "Continue where you left off" takes
  them on from where they were.

    .venv/bin/python benchmarks/faults_serve.py                     # 50 kills, 6 respondents
    .venv/bin/python benchmarks/faults_serve.py --times 5 --respondents 3

Prints per round the answers acknowledged so far, lost, integrity and the time
to recover (kill to the restarted server answering, and to a reopened link's
widgets), then a one-line summary.  Exit status 1 when anything was lost, the
file was damaged or a resumed page did not show what was saved.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import contextlib
import logging
import os
import random
import signal
import sqlite3
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import load  # noqa: E402  (also puts tests/ and tests/browser/ on the path)
from harness import VoilaServer  # noqa: E402


@dataclass
class Round:
    killed_after: float
    acknowledged: int
    lost: int
    integrity: str
    up_seconds: float  # from the kill to the restarted server answering /healthz
    reopen_seconds: float  # from the kill to the first reopened page's widgets


@dataclass
class ServeFaults:
    rounds: list[Round] = field(default_factory=list)
    stats: load.Stats = field(default_factory=load.Stats)
    check: load.Check = field(default_factory=load.Check)
    kernels_killed: int = 0

    @property
    def ok(self) -> bool:
        return (all(r.lost == 0 and r.integrity == "ok" for r in self.rounds) and self.check.lost == 0
                and ResumingRespondent.seen_again > 0
                and self.check.duplicate_submissions == 0 and self.stats.resume_mismatches == 0)

    def summary(self) -> str:
        recover = [r.up_seconds for r in self.rounds]
        reopen = [r.reopen_seconds for r in self.rounds if r.reopen_seconds]
        return (f"serve killed {len(self.rounds)} times, acknowledged answers {self.check.answers}, "
                f"lost {self.check.lost}, answers shown again on reopened pages {ResumingRespondent.seen_again}, "
                f"integrity "
                f"{'ok' if all(r.integrity == 'ok' for r in self.rounds) else 'FAILED'}, resumed pages not "
                f"matching {self.stats.resume_mismatches}, time to recover max {max(recover, default=0):.1f} s "
                f"(reopened page max {max(reopen, default=0):.1f} s)")


class ResumingRespondent(load.Respondent):
    """A load respondent who checks, on every screen, that the page shows what they were told was saved."""

    #: Acknowledged answers found on a page again (how much the resume check looked at).
    seen_again = 0

    def _check_resumed(self) -> None:
        if self.page is not None:
            ResumingRespondent.seen_again += sum(1 for card in self._cards()
                                                 if card.statement_id in self.told.answers
                                                 and card.statement_id not in self.told.uncertain)
        super()._check_resumed()

    async def _step(self, deadline: float) -> bool:
        finished = await super()._step(deadline)
        if self.page is not None and self.page.models:
            self._check_resumed()
        return finished


def kill_tree(server: VoilaServer) -> int:
    """SIGKILL the server and every process under it at once; returns how many died."""
    import psutil

    try:
        parent = psutil.Process(server.process.pid)
        victims = [parent, *parent.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    for victim in victims:
        with contextlib.suppress(psutil.NoSuchProcess):
            victim.send_signal(signal.SIGKILL)
    psutil.wait_procs(victims, timeout=10)
    server.process.wait(10)
    return len(victims)


def integrity(db_file: Path) -> str:
    with contextlib.closing(sqlite3.connect(db_file)) as connection:
        return "; ".join(row[0] for row in connection.execute("PRAGMA integrity_check").fetchall())


async def play_round(base_url: str, people: list[load.Told], slots: list[int], config: load.Config,
                     stats: load.Stats, statements: list[str], options: int, stop: asyncio.Event,
                     opened: list[float]) -> None:
    """Every slot plays its current person until ``stop`` (the kill) or the person submits."""
    deadline = time.monotonic() + 3600

    async def slot(number: int) -> None:
        source = f"127.0.0.{2 + number % 250}"
        while not stop.is_set() and slots[number] < len(people):
            told = people[slots[number]]
            respondent = ResumingRespondent(told, base_url, source, config, stats, statements, options)
            task = asyncio.ensure_future(respondent.run(deadline))
            waiter = asyncio.ensure_future(stop.wait())
            await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
            if not opened and stats.openings:
                opened.append(time.monotonic())
            if not task.done():  # killed: the client's calls fail or hang; drop them
                task.cancel()
                with contextlib.suppress(BaseException):
                    await task
                waiter.cancel()
                return
            waiter.cancel()
            with contextlib.suppress(BaseException):
                task.result()
            if told.submitted:
                slots[number] += len(slots)  # the slot takes its next person

    await asyncio.gather(*(slot(n) for n in range(len(slots))))


def run_serve_faults(work: Path, *, times: int, respondents: int, kill_between: tuple[float, float],
                     config: load.Config, seed: int = 1) -> ServeFaults:
    """``times`` rounds of load then SIGKILL of the whole tree on one SQLite file in ``work``."""
    from workbook.framework import load_framework

    rng = random.Random(seed)
    logging.getLogger("tornado").setLevel(logging.CRITICAL)  # connections the kill cut off
    db_file = work / "workbook.db"
    db_url = f"sqlite:///{db_file}"
    org = load.make_organisation(db_url, respondents * 6)
    framework = load_framework()
    statements = [s.id for s in framework.statements]
    options = len(framework.scale.points) + 1
    people = [load.Told(p) for p in org.people]
    slots = list(range(respondents))
    result = ServeFaults()
    killed_at: float | None = None
    pool = 1
    args = ["--pool-size", str(pool), "--max-kernels", str(respondents + pool + 4), "--page-rate", "600"]
    for number in range(times):
        with VoilaServer.start(db_url=db_url, log_path=work / f"serve-{number}.log", apps=[load.NOTEBOOK],
                               extra_args=args, timeout=120) as server:
            up = time.monotonic() - killed_at if killed_at is not None else 0.0
            opened: list[float] = []
            wait = rng.uniform(*kill_between)

            async def round_(opened: list[float], wait: float) -> float:
                from tornado.httpclient import AsyncHTTPClient

                # The kill cuts the client's requests off mid-way: that is the point, not news.
                asyncio.get_running_loop().set_exception_handler(lambda _loop, _context: None)

                AsyncHTTPClient.configure(None, max_clients=max(64, 4 * respondents))
                stop = asyncio.Event()
                playing = asyncio.ensure_future(play_round(server.base_url, people, slots, config, result.stats,
                                                           statements, options, stop, opened))
                saved_before = len(result.stats.latencies)
                for _ in range(1200):  # the load is on once an answer of this round is saved (at most 2 min)
                    if len(result.stats.latencies) > saved_before:
                        break
                    await asyncio.sleep(0.1)
                await asyncio.sleep(wait)
                moment = time.monotonic()
                result.kernels_killed += kill_tree(server) - 1  # the moment of the kill, all at once
                stop.set()
                await playing
                return moment

            with concurrent.futures.ThreadPoolExecutor(1) as runner:  # see load.run_load
                reopened_at = None
                moment = runner.submit(asyncio.run, round_(opened, wait)).result()
            if opened and killed_at is not None:
                reopened_at = opened[0] - killed_at
            killed_at = moment
        state = integrity(db_file)  # before anything opens the file again
        check = load.check_database(db_url, org, [t for t in people if t.answers], load.options_of())
        result.rounds.append(Round(wait, check.answers, check.lost, state, up, reopened_at or 0.0))
        print(f"round {number + 1}: killed after {wait:.1f} s; acknowledged so far {check.answers}, lost "
              f"{check.lost}, integrity {state}, restarted server up {up:.1f} s after the kill"
              + (f", first reopened page {reopened_at:.1f} s after it" if reopened_at else ""), flush=True)
        for problem in check.problems[:5]:
            print(f"  {problem}", flush=True)
    # Last: every respondent comes back once more and must see their answers
    with VoilaServer.start(db_url=db_url, log_path=work / "serve-final.log", apps=[load.NOTEBOOK],
                           extra_args=args, timeout=120) as server:
        async def come_back() -> None:
            from tornado.httpclient import AsyncHTTPClient

            AsyncHTTPClient.configure(None, max_clients=64)
            for told in people:
                if told.answers and not told.submitted:
                    respondent = ResumingRespondent(told, server.base_url, "127.0.0.2", config, result.stats,
                                                    statements, options)
                    await respondent._open()
                    await respondent._step(time.monotonic() + 30)  # "Continue where you left off"
                    respondent._check_resumed()
                    assert respondent.page is not None
                    await respondent.page.close(tab_closed=True)

        with concurrent.futures.ThreadPoolExecutor(1) as runner:
            runner.submit(asyncio.run, come_back()).result()
    result.check = load.check_database(db_url, org, [t for t in people if t.answers], load.options_of())
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--times", type=int, default=50, help="kills [default: 50]")
    parser.add_argument("--respondents", type=int, default=6, help="people answering at once [default: 6]")
    parser.add_argument("--kill-between", type=float, nargs=2, default=(3.0, 12.0), metavar=("LOW", "HIGH"),
                        help="seconds of load before each kill, picked at random [default: 3 12]")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    config = load.Config(args.respondents, 3600, think=(0.1, 0.5), ramp=0.0, reload_rate=0.05,
                         double_submit_rate=0.3, tamper_rate=0.3)
    began = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="workbook-faults-serve-") as folder:
        os.environ.setdefault("WORKBOOK_KEY_FILE", str(Path(folder) / "secret.key"))
        result = run_serve_faults(Path(folder), times=args.times, respondents=args.respondents,
                                  kill_between=tuple(args.kill_between), config=config, seed=args.seed)
    s = result.stats
    load_avg = os.getloadavg()
    print(f"{time.monotonic() - began:.0f} s in all; load average {load_avg[0]:.2f}; kernels killed "
          f"{result.kernels_killed}; answers acknowledged {len(s.latencies)}, submitted {s.submits}, "
          f"not saved {s.failed_saves}, cut off by a kill {s.no_reply}")
    for problem in result.check.problems[:10]:
        print(f"  {problem}")
    print(result.summary())
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())

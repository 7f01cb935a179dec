"""Fault: restart PostgreSQL mid-load (issue #12 part 3).

``workbook serve`` on a throw-away PostgreSQL (``tests/pgserver.py``, with its
durability settings on) is loaded by ``benchmarks/load.py``'s respondents; once
answers are being saved, the database server is stopped at once (immediate
mode, as a crash: no checkpoint), kept down for a moment and started again on
the same port, ``--times`` times at random moments.  Then:

* every answer a respondent was told was saved ("Saved ✓") is in the database
  with its value, and no submission was lost or doubled (``load.check_database``);
* a save that could not be made said "Not saved" and left the respondent's
  choice on screen (the radio buttons still show it), so they can choose again.

    .venv/bin/python benchmarks/faults_pg.py                          # 10 restarts, 10 respondents
    .venv/bin/python benchmarks/faults_pg.py --times 3 --respondents 4 --down 5

Prints the load test's figures, each restart's time down, saves that said
"Not saved" (and whether the choice stayed), then a one-line summary.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import os
import random
import re
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import load  # noqa: E402  (also puts tests/ on the path)
import pgserver  # noqa: E402


class KeepingRespondent(load.Respondent):
    """A load respondent who checks that an answer that was not saved stays chosen on the page."""

    saved = 0  # answers acknowledged, over all respondents (the restarts wait for the first)
    not_saved_kept = 0
    not_saved_lost = 0
    said: ClassVar[set[str]] = set()  # what the statuses said when not saved
    not_saved_after: ClassVar[list[float]] = []  # seconds from sending the answer to "Not saved"

    async def _answer(self, card: load.Card, index: int, *, comment: bool = True) -> None:
        began = time.monotonic()
        await super()._answer(card, index, comment=comment)
        status = str(self._state(card.status).get("value", ""))
        if load.SAVED in status:
            KeepingRespondent.saved += 1
        elif load.NOT_SAVED in status:
            KeepingRespondent.said.add(re.sub(r"<[^>]+>", "", status))
            KeepingRespondent.not_saved_after.append(time.monotonic() - began)
            if self._state(card.radio).get("index") == self._index(index):
                KeepingRespondent.not_saved_kept += 1
            else:
                KeepingRespondent.not_saved_lost += 1


@dataclass
class Restarts:
    down: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def restart_now_and_then(server: pgserver.PostgresServer, times: int, gap: tuple[float, float], down: float,
                         stop: threading.Event, restarts: Restarts, budget: float, seed: int = 1) -> None:
    """Once answers are being saved, restart the server ``times`` times, ``gap`` seconds apart.

    None starts later than ``budget`` seconds after the first saved answer: the load test
    checks the database when it ends.
    """
    rng = random.Random(seed)
    while KeepingRespondent.saved == 0 and not stop.wait(0.2):
        pass
    deadline = time.monotonic() + budget
    for _ in range(times):
        if stop.wait(rng.uniform(*gap)) or time.monotonic() > deadline:
            return
        try:
            restarts.down.append(server.restart(down_seconds=down))
        except Exception as error:  # reported, and the run fails
            restarts.errors.append(f"{type(error).__name__}: {error}")
            return


def run_pg_faults(work: Path, *, times: int, respondents: int, gap: tuple[float, float], down: float,
                  config: load.Config, seed: int = 1) -> tuple[load.Result, Restarts]:
    """The load test on a PostgreSQL that is restarted ``times`` times while it runs.

    The restarts are made from this (the calling) thread and the load runs in another: the
    postmaster is started with a parent-death signal, which Linux sends when the *thread* that
    started it ends, so a restart from a short-lived thread would stop the server for good.
    """
    settings: dict[str, Any] = {**pgserver.SERVER_SETTINGS, "fsync": "on", "synchronous_commit": "on",
                                "full_page_writes": "on", "max_connections": "200"}
    previous = pgserver.SERVER_SETTINGS
    pgserver.SERVER_SETTINGS = settings  # a fault test measures the durable server
    try:
        with pgserver.PostgresServer() as server:
            db_url = server.create_database()
            restarts = Restarts()
            stop, settled = threading.Event(), threading.Event()

            def end_faults() -> None:  # in the load's thread, before it checks the database
                stop.set()
                settled.wait(120)

            with concurrent.futures.ThreadPoolExecutor(1) as runner:
                loading = runner.submit(load.run_load, db_url, work, config, people=respondents * 4,
                                        respondent=KeepingRespondent, before_check=end_faults)
                loading.add_done_callback(lambda _f: stop.set())
                try:
                    restart_now_and_then(server, times, gap, down, stop, restarts,
                                         budget=config.seconds - down - 10, seed=seed)
                finally:
                    if not server.running:
                        server.restart()
                    settled.set()
                result = loading.result()
            return result, restarts
    finally:
        pgserver.SERVER_SETTINGS = previous


def summary(result: load.Result, restarts: Restarts) -> str:
    s, c = result.stats, result.check
    return (f"postgresql restarted {len(restarts.down)} times, acknowledged answers {c.answers}, lost {c.lost}, "
            f"not saved {s.failed_saves} (choice kept on screen {KeepingRespondent.not_saved_kept}, not kept "
            f"{KeepingRespondent.not_saved_lost}), no reply {s.no_reply}, duplicate submissions "
            f"{c.duplicate_submissions}, down max {max(restarts.down, default=0):.1f} s")


def ok(result: load.Result, restarts: Restarts) -> bool:
    return (not result.failed and not restarts.errors and KeepingRespondent.not_saved_lost == 0
            and result.check.answers > 0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--times", type=int, default=10, help="restarts [default: 10]")
    parser.add_argument("--respondents", type=int, default=10, help="people answering at once [default: 10]")
    parser.add_argument("--down", type=float, default=2.0, help="seconds the server stays down [default: 2]")
    parser.add_argument("--gap", type=float, nargs=2, default=(3.0, 10.0), metavar=("LOW", "HIGH"),
                        help="seconds between restarts, picked at random [default: 3 10]")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    seconds = args.times * (args.gap[1] + args.down + 2) + 20
    config = load.Config(args.respondents, seconds, think=(0.3, 1.5), ramp=min(30.0, 1.5 * args.respondents))
    began = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="workbook-faults-pg-") as folder:
        os.environ.setdefault("WORKBOOK_KEY_FILE", str(Path(folder) / "secret.key"))
        result, restarts = run_pg_faults(Path(folder), times=args.times, respondents=args.respondents,
                                         gap=tuple(args.gap), down=args.down, config=config, seed=args.seed)
    print(result.report())
    print(f"{time.monotonic() - began:.0f} s in all; restarts: " + ", ".join(f"down {d:.1f} s" for d in restarts.down))
    for said in sorted(KeepingRespondent.said):
        print(f"  not saved, the page said: {said}")
    for error in restarts.errors:
        print(f"  restart failed: {error}")
    print(summary(result, restarts))
    return 0 if ok(result, restarts) else 1


if __name__ == "__main__":
    sys.exit(main())

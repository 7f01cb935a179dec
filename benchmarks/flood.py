"""Flood ``workbook serve`` the way issue #11 part 1 did, and time a real person meanwhile.

Starts ``workbook serve`` (the values app, default options) on a throw-away SQLite
database with the demo organisation, waits until its pool is full and quiet, then,
all at once and from this machine only, the bad links spread over ``--bad-addresses``
loopback addresses (127.0.0.2 to 127.0.0.9 by default: a distributed attack, which
the per-address limits alone do not stop), the one-link flood from 127.0.0.10, the
held pages from 127.0.0.11, and the people being timed from 127.0.0.1 (the server
limits each client address: an attacker and a respondent are never one address,
unless a proxy is not named with ``--trusted-proxy``):

* bad-token GETs: missing, malformed, well-formed but unknown (at least ``--bad``,
  going on until the timings below are done, never more than ten times that), at
  ``--rate`` a second (``--rate 0``: as fast as this machine can send them - then the
  flood's own client competes with the browser for the CPU, which says more about
  the machine than about the server);
* ``--same`` GETs of one valid link (the attacker's own invite), some at once;
* ``--sockets`` pages of another valid link, each with its kernel websocket opened
  and held, never used;

and, before the flood (the same machine's figure without a flood, in the same
minute), during the flood (once the pool has refilled) and after it, opens three other
people's links in headless Chromium and times the first usable input (page GET,
kernel websocket, widgets shown) and, within it, the page's HTML fully received
(the server's part: the rest is Chromium's and the kernel's work on a shared CPU).
Meanwhile it counts the server's kernel processes every 0.25 s.  It fails (exit 1)
if an opening takes more than ``--limit`` seconds or the kernels ever exceed the
legitimate pages (valid links opened during and after the flood) plus the pool.

    .venv/bin/python benchmarks/flood.py
    .venv/bin/python benchmarks/flood.py --bad 1000 --same 200 --sockets 40
    .venv/bin/python benchmarks/flood.py --rate 0 --bad-addresses 8   # full speed, distributed

Needs /usr/bin/chromium.  The machine's other work shares the CPU: run it on a
quiet machine for figures to compare.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import socket
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from harness import (  # noqa: E402
    CHROMIUM,
    WIDGET_SELECTOR,
    Reply,
    VoilaServer,
    demo_statuses,
    kernel_id_of,
    raw_request,
    seed_demo_database,
    websocket_handshake,
)
from time_to_first_input import FIRST_INPUT_SCRIPT, _launch_offline_chromium  # noqa: E402

from workbook.sealing import KEY_FILE_ENV  # noqa: E402

NOTEBOOK = "values_assessment.ipynb"
POOL_FILLED = rf"Kernel pool of {re.escape(NOTEBOOK)} is filled"


class KernelCounter(threading.Thread):
    """Counts the server's kernel processes until stopped."""

    def __init__(self, server: VoilaServer, every: float = 0.25) -> None:
        super().__init__(daemon=True)
        self.server, self.every = server, every
        self.samples: list[tuple[float, int]] = []
        self._stop_event = threading.Event()
        self.started_at = time.monotonic()

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.samples.append((time.monotonic() - self.started_at, len(self.server.kernel_pids())))
            self._stop_event.wait(self.every)

    def stop(self) -> None:
        self._stop_event.set()
        self.join(5)


#: Where each flood comes from: other loopback addresses than the browser's 127.0.0.1
#: (a flood of bad links from the one-link flood's address would otherwise use up that
#: address's budget, and test the limit rather than the kernels).  The bad links come
#: from 127.0.0.2 onwards, one address after another (see ``--bad-addresses``).
ONE_LINK, HELD_PAGES = "127.0.0.10", "127.0.0.11"
MAX_BAD_ADDRESSES = 8


def bad_link_addresses(count: int) -> list[str]:
    """127.0.0.2, 127.0.0.3, ...: ``count`` of them (at most 8, below the other floods' addresses)."""
    if not 1 <= count <= MAX_BAD_ADDRESSES:
        raise SystemExit(f"error: --bad-addresses must be 1 to {MAX_BAD_ADDRESSES}, not {count}")
    return [f"127.0.0.{2 + number}" for number in range(count)]


def _page(server: VoilaServer, token: str | None, source: str) -> Reply:
    query = f"?{urlencode({'token': token})}" if token is not None else ""
    return raw_request(server, "GET", f"/voila/render/{NOTEBOOK}{query}", source=source)


def _bad_tokens() -> list[str | None]:
    import secrets

    return [None, "", "x", "not-a-token", "A" * 43, secrets.token_urlsafe(32), "<script>alert(1)</script>",
            "a" * 2000, secrets.token_urlsafe(32)]


def _time_opening(browser: Any, url: str) -> tuple[float, float]:
    """Seconds from navigation to the first usable input, in a fresh browser context, and to
    the page's HTML fully received (the server's part; the rest is the browser's and the kernel's)."""
    context = browser.new_context(service_workers="block")
    context.add_init_script(FIRST_INPUT_SCRIPT % json.dumps(f":is({WIDGET_SELECTOR}):not([disabled])"))
    page = context.new_page()
    try:
        page.goto(url, wait_until="commit")
        page.wait_for_function("() => window.__firstInput !== undefined", timeout=120_000)
        html = page.evaluate("performance.getEntriesByType('navigation')[0].responseEnd / 1000")
        return float(page.evaluate("window.__firstInput")), float(html)
    finally:
        page.close(run_before_unload=True)
        context.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bad", type=int, default=500, help="bad-token GETs at least [default: 500]")
    parser.add_argument("--same", type=int, default=100, help="GETs of one valid link [default: 100]")
    parser.add_argument("--sockets", type=int, default=20, help="pages with a held websocket [default: 20]")
    parser.add_argument("--workers", type=int, default=8, help="requests at once [default: 8]")
    parser.add_argument("--rate", type=float, default=100,
                        help="bad-token GETs a second, 0 for as fast as possible [default: 100]")
    parser.add_argument("--bad-addresses", type=int, default=MAX_BAD_ADDRESSES,
                        help=f"loopback addresses the bad links come from, 127.0.0.2 onwards [default: "
                             f"{MAX_BAD_ADDRESSES}]")
    parser.add_argument("--limit", type=float, default=3.0, help="longest allowed opening, s [default: 3]")
    args = parser.parse_args(argv)
    bad_sources = bad_link_addresses(args.bad_addresses)
    if not CHROMIUM.exists():
        print(f"error: {CHROMIUM} is missing: apt-get install -y --no-install-recommends chromium", file=sys.stderr)
        return 2

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="workbook-flood-") as folder:
        work = Path(folder)
        os.environ[KEY_FILE_ENV] = str(work / "secret.key")  # a throw-away key for a throw-away database
        db_url = seed_demo_database(work)
        people = [t for t, state in demo_statuses(db_url).items() if state != "submitted"]
        flooded, held, during, after, before = people[:5]
        statuses: dict[str, collections.Counter[int]] = collections.defaultdict(collections.Counter)
        with VoilaServer.start(db_url=db_url, log_path=work / "serve.log", apps=[NOTEBOOK]) as server, \
                sync_playwright() as playwright:
            server.wait_for_pools()
            server.wait_for_quiet_kernels()
            pool = len(server.kernel_pids())
            print(f"server up: {pool} pre-heated kernel(s); logs in {work}", flush=True)
            browser = _launch_offline_chromium(playwright)
            timings: dict[str, tuple[float, float]] = {}
            warm_up = browser.new_page()  # Chromium's first page of all is slower: not a person's
            warm_up.goto(server.url("/"))
            warm_up.close()
            # The same opening with no flood, in the same minute: what this machine gives today.
            filled = len(re.findall(POOL_FILLED, server.log_text()))
            timings["before the flood"] = _time_opening(browser, server.app_url(NOTEBOOK, token=before))
            server.wait_for_log(r"Shutting down kernel \S+: its page was closed")  # its tab closed
            server.wait_for_log(POOL_FILLED, count=filled + 1)  # and the pool refilled
            server.wait_for_quiet_kernels()
            counter = KernelCounter(server)
            counter.start()
            opened: set[str] = set()  # valid links opened during and after the flood: the legitimate pages
            timing_done = threading.Event()
            sockets: list[socket.socket] = []

            def record(kind: str, call: Callable[[], Reply]) -> Reply | None:
                try:
                    reply = call()
                except OSError:
                    statuses[kind][0] += 1
                    return None
                statuses[kind][reply.status] += 1
                return reply

            def bad_flood() -> int:
                sent, tokens, began = 0, _bad_tokens(), time.monotonic()
                with ThreadPoolExecutor(args.workers) as requests:
                    while sent < args.bad or (not timing_done.is_set() and sent < 10 * args.bad):
                        batch = [(tokens[(sent + i) % len(tokens)], bad_sources[(sent + i) % len(bad_sources)])
                                 for i in range(args.workers * 4)]
                        list(requests.map(lambda ts: record("bad token", lambda: _page(server, *ts)), batch))
                        sent += len(batch)
                        if args.rate:  # keep to the rate asked for (0: as fast as this machine goes)
                            time.sleep(max(0.0, began + sent / args.rate - time.monotonic()))
                return sent

            def same_flood() -> None:
                opened.add(flooded)
                with ThreadPoolExecutor(8) as requests:
                    list(requests.map(lambda _n: record("one valid link", lambda: _page(server, flooded, ONE_LINK)),
                                      range(args.same)))

            def held_sockets() -> None:
                opened.add(held)
                for _ in range(args.sockets):
                    reply = record("pages + websocket", lambda: _page(server, held, HELD_PAGES))
                    if reply is None or reply.status != 200:
                        continue
                    cookie = next(v.split(";", 1)[0] for k, v in reply.headers
                                  if k.lower() == "set-cookie" and v.startswith("wb_page="))
                    status, sock = websocket_handshake(
                        server, f"/api/kernels/{kernel_id_of(reply.body)}/channels?session_id=flood",
                        {"Origin": server.base_url, "Cookie": cookie}, source=HELD_PAGES)
                    statuses["websockets"][status] += 1
                    sockets.append(sock)

            started = time.monotonic()
            with ThreadPoolExecutor(3) as attack:
                bad = attack.submit(bad_flood)
                attack.submit(same_flood)
                attack.submit(held_sockets)
                deadline = time.monotonic() + 120  # the two attackers' links took pool kernels: refilled?
                while len(server.kernel_pids()) < pool + 2 and time.monotonic() < deadline:
                    time.sleep(0.2)
                server.wait_for_quiet_kernels()
                opened.add(during)
                timings["during the flood"] = _time_opening(browser, server.app_url(NOTEBOOK, token=during))
                timing_done.set()
                bad_sent = bad.result()
            flood_seconds = time.monotonic() - started
            server.wait_for_quiet_kernels()
            opened.add(after)
            timings["after the flood"] = _time_opening(browser, server.app_url(NOTEBOOK, token=after))
            time.sleep(1.0)
            counter.stop()
            for sock in sockets:
                sock.close()
            browser.close()

        allowed = len(opened) + pool
        most = max(count for _t, count in counter.samples)
        pace = f"{args.rate:.0f} a second" if args.rate else "as fast as possible"
        bad_from = bad_sources[0] if len(bad_sources) == 1 else f"{bad_sources[0]}..{bad_sources[-1]}"
        print(f"\nFloods from {bad_from} (bad), {ONE_LINK} (one link), {HELD_PAGES} (held pages) over "
              f"{flood_seconds:.1f} s ({bad_sent} bad-token GETs sent, {pace}, {args.workers} at once):")
        for kind, counts in statuses.items():
            shown = ", ".join(f"HTTP {code or 'error'}: {n}" for code, n in sorted(counts.items()))
            print(f"  {kind:20} {sum(counts.values()):5}  ({shown})")
        print("\nLive kernels over time (s: kernels), one sample a second:")
        per_second: dict[int, int] = {}
        for moment, count in counter.samples:
            per_second[int(moment)] = max(per_second.get(int(moment), 0), count)
        print("  " + "  ".join(f"{second}:{count}" for second, count in sorted(per_second.items())))
        print(f"  most {most}; median {statistics.median(c for _t, c in counter.samples):.0f}; "
              f"allowed {allowed} = {len(opened)} valid links opened + {pool} pre-heated")
        print("\nAnother person's link in headless Chromium: first usable input (page HTML received):")
        for label, (seconds, html) in timings.items():
            print(f"  {label:18} {seconds:5.2f} s  ({html:.2f} s)")
        failures = []
        if most > allowed:
            failures.append(f"{most} kernels alive at once, more than the {allowed} allowed")
        failures += [f"opening {label} took {s:.2f} s (> {args.limit:.0f} s)"
                     for label, (s, _html) in timings.items() if s > args.limit]
        if statuses["bad token"][200]:
            failures.append("a bad token got a page")
        for failure in failures:
            print(f"FAILED: {failure}")
        return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

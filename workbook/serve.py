"""Serving the apps to respondents and facilitators: ``workbook serve``.

One standalone Voila server (never the Jupyter server extension: only the
standalone app refuses ``execute_request`` from the browser) serves the app
notebooks with:

* **pre-heated kernels** - every app notebook keeps a pool of kernels that have
  already run the notebook up to ``voila.utils.get_query_string()``, so a page
  opens in a fraction of a second instead of ~2 s (see :func:`default_pool_size`);
* **a cap on live kernels** - Voila starts a kernel for every page view and has
  no limit of its own; ``workbook.serve.WorkbookKernelManager`` (Voila imports
  it by that name) refuses kernels above ``max_kernels`` and the visitor sees
  "busy, try again in a minute" (HTTP 503);
* **no kernel for a bad link** - the server itself checks the token or key
  in the store before any kernel is used, and answers a missing, unknown,
  rotated or deleted one with the apps' friendly page (``workbook.web.access``),
  and checks it again while the page is open: on every websocket connection
  and every 30 s; a link rotated or deleted meanwhile loses its kernel
  (``workbook.web.recheck``);
* **one link, one kernel** - opening a link again (reload, second tab, a
  flood of GETs) sends the page of the kernel it already has
  (``workbook.web.pages``); a client address may start at most ``page_rate``
  kernels a minute (HTTP 429 past it, ``workbook.web.ratelimit``);
* **kernels nobody looks at go** - a page's kernel is shut down
  ``disconnect_seconds`` after its last websocket closed (or after its page was
  sent, if no browser ever connected: a link scanner, a crawler) unless a
  browser reconnects, and a kernel nobody has used for ``cull_idle_seconds`` is
  shut down even if its tab is still open (answers are saved on every change;
  the page tells the respondent to reload);
* **only the apps, hardened** - notebooks not listed as apps, the file tree,
  Voila's own front end, login and logout answer 404 with a page that says how
  to get a link, as the root address does (200); the kernel URLs answer
  only the page holding the kernel, from this site; every response carries a
  Content-Security-Policy and ``nosniff``; cookies are ``SameSite=Strict`` (and
  ``Secure`` over https); tracebacks and code are never shown
  (``workbook.web.handlers``, ``workbook.web.policy``);
* **our template** (``templates/voila/workbook``) and page script (``frontend/``:
  ipywidgets and the kernel connection in one file, instead of Voila's
  JupyterLab front end of ~100 files) - no asset from another host,
  ``lang="en-GB"``, readable type, visible keyboard focus;
* the database URL handed to kernels as ``$WORKBOOK_DB`` (kernels inherit the
  server's environment); a SQLite file inside the served folder is refused;
* gzip (an app page's 1 MB script travels as 0.3 MB), ``Referrer-Policy:
  no-referrer`` (the token in the URL never leaks to a linked site), tokens
  scrubbed from the access log, kernels on Unix sockets instead of TCP ports.

Health checks: ``GET /healthz`` answers ``ok`` without starting a kernel or
rendering a template.  Never point a health check at a notebook URL (each GET
starts a kernel).

:func:`voila_config` returns the whole Voila configuration as plain data so that
tests can check it without starting a server; :func:`serve` runs it.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import logging
import os
import re
import shutil
import socket
import sys
import tempfile
import threading
import webbrowser
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbook.errors import InputError, WorkbookError
from workbook.links import DEFAULT_BASE_URL, DEFAULT_PORT, NOTEBOOKS, check_base_url, is_loopback_url
from workbook.paths import notebooks_dir, templates_dir
from workbook.web.defaults import (
    CLOSE_GRACE_SECONDS,
    MAX_PENDING_LOOKUPS,
    RECHECK_SECONDS,
    REFUSALS_BURST,
    REFUSALS_PER_MINUTE,
)
from workbook.web.policy import SECURITY_HEADERS

__all__ = [
    "DEFAULT_CLOSE_GRACE_SECONDS",
    "DEFAULT_CULL_IDLE_SECONDS",
    "DEFAULT_DISCONNECT_SECONDS",
    "DEFAULT_MAX_LOOKUPS",
    "DEFAULT_PAGE_RATE",
    "DEFAULT_RECHECK_SECONDS",
    "DEFAULT_REFUSED_BURST",
    "DEFAULT_REFUSED_RATE",
    "HEALTH_PATH",
    "HELP",
    "KERNEL_MEMORY_BYTES",
    "TEMPLATE_NAME",
    "Machine",
    "default_max_kernels",
    "default_pool_size",
    "serve",
    "voila_config",
]

TEMPLATE_NAME = "workbook"
HEALTH_PATH = "/healthz"
DEFAULT_CULL_IDLE_SECONDS = 30 * 60
#: How often idle kernels are looked for (more often for very short timeouts).
CULL_INTERVAL_SECONDS = 60
#: A page's kernel is shut down this long after its last browser connection
#: closed (tab closed without its unload request, phone asleep, network gone),
#: or after its page was sent if no browser ever connected (a link scanner, a
#: crawler): a real browser connects within seconds and reconnects within this.
DEFAULT_DISCONNECT_SECONDS = 120
#: Kernel-starting page openings allowed per client address and minute.
DEFAULT_PAGE_RATE = 60
#: The web guard's other tunable numbers (``--refused-rate``, ``--refused-burst``,
#: ``--max-lookups``, ``--close-grace-seconds``, ``--recheck-seconds``).
DEFAULT_REFUSED_RATE = REFUSALS_PER_MINUTE
DEFAULT_REFUSED_BURST = REFUSALS_BURST
DEFAULT_MAX_LOOKUPS = MAX_PENDING_LOOKUPS
DEFAULT_CLOSE_GRACE_SECONDS = CLOSE_GRACE_SECONDS
DEFAULT_RECHECK_SECONDS = RECHECK_SECONDS

#: Memory of one app kernel: the values app measured 160-190 MB unique
#: (240-270 MB resident, shared libraries included) once it has run.
KERNEL_MEMORY_BYTES = 200 * 2**20
#: Most pre-heated kernels per app: refilling more kernels than cores at once
#: only makes them queue for the CPU (an empty pool is slower than no pool).
MAX_POOL_PER_APP = 4
#: Share of the available memory the pools may hold, and all kernels together.
POOL_MEMORY_SHARE = 0.25
KERNEL_MEMORY_SHARE = 0.75
#: How long a cell's outputs may trail its reply before Voila gives up on them (nbclient: 4 s).
IOPUB_TIMEOUT_SECONDS = 60
#: Kernels for visitors that the cap always allows beyond the pools.
MIN_VISITOR_KERNELS = 2

#: What ``--route`` accepts: it travels in a cookie and is matched by the proxy's map.
ROUTE_NAME = re.compile(r"[A-Za-z0-9_-]{1,32}")

#: Help text of every user-facing option, shared by ``workbook serve`` and
#: ``python -m workbook.serve``.
#: Apps one facilitator uses at a time: a single pre-heated kernel is enough.
FACILITATOR_APPS = frozenset({"dime_workshop.ipynb", "charter_builder.ipynb"})

HELP: dict[str, str] = {
    "host": "Address to listen on: 127.0.0.1 is this machine only; 0.0.0.0 lets other machines "
            "(or a proxy) in. [default: 127.0.0.1]",
    "port": f"Port to listen on; it must be free. [default: {DEFAULT_PORT}]",
    "lan": "For a workshop room: listen on this computer's network address(es) as well as on this "
           "computer, and print the links with the address people's phones and laptops can reach "
           "(plain HTTP: use it on a network you trust). Not with --host.",
    "db": "Database the apps use (given to the kernels as $WORKBOOK_DB): a SQLite file path "
          "or a postgresql:// URL. [default: $WORKBOOK_DB or ./workbook.db]",
    "pool_size": "Pre-heated kernels kept ready for each app. [default: one per CPU core, "
                 f"at most {MAX_POOL_PER_APP}, within a quarter of the free memory]",
    "no_preheat": "Start a kernel only when a page is opened (slower pages, less memory).",
    "max_kernels": "Most kernels alive at once, pre-heated ones included; past it visitors "
                   "are asked to try again in a minute. [default: what three quarters of the "
                   "free memory holds at ~200 MB a kernel]",
    "cull_idle_seconds": "Shut down a kernel unused for this many seconds, even with its page "
                         "open (answers are saved; the page asks to reload). "
                         f"0 never shuts any down. [default: {DEFAULT_CULL_IDLE_SECONDS}]",
    "disconnect_seconds": "Shut down a page's kernel this many seconds after its last browser "
                          "connection closed (tab closed, phone asleep, network gone), or after its "
                          "page was sent if no browser ever connected, unless a browser reconnects "
                          f"(answers are saved). 0 never. [default: {DEFAULT_DISCONNECT_SECONDS}]",
    "page_rate": "Most new kernels one client address may start a minute (bursts of as many); "
                 "past it the visitor is asked to wait (HTTP 429). Reloading a link and bad links "
                 "start no kernel and do not count (bad links have a limit of their own: --refused-burst, "
                 "--refused-rate). Behind a proxy every visitor has the proxy's "
                 f"address unless it is named with --trusted-proxy. 0: no limit. [default: {DEFAULT_PAGE_RATE}]",
    "refused_rate": "Most refused links (missing, made-up, rotated or deleted tokens or keys) one client "
                    "address may open a minute, once its burst (--refused-burst) is spent; past it that "
                    "address is asked to wait (HTTP 429) without even a database lookup. Counted like "
                    f"--page-rate behind a proxy. 0: no limit. [default: {DEFAULT_REFUSED_RATE}]",
    "refused_burst": "Refused links one client address may open at once before --refused-rate applies "
                     f"(at least 1). [default: {DEFAULT_REFUSED_BURST}]",
    "max_lookups": "Most links being looked up in the database at once; past it a link is answered "
                   "\"busy, try again in a minute\" (HTTP 503) at once instead of waiting behind a flood "
                   f"(at least 1). [default: {DEFAULT_MAX_LOOKUPS}]",
    "close_grace_seconds": "Shut down a page's kernel this many seconds after its tab said it was closed, "
                           "unless a browser is connected to it by then (another tab, or the page "
                           "reloaded). 0: a closed tab frees nothing by itself and --disconnect-seconds "
                           f"applies. [default: {DEFAULT_CLOSE_GRACE_SECONDS}]",
    "recheck_seconds": "Check every open page's link again this often; a page whose link was rotated "
                       "(people new-link, org new-key) or deleted loses its kernel. Links are also "
                       "checked whenever a browser connects. 0: only then. "
                       f"[default: {DEFAULT_RECHECK_SECONDS}]",
    "trusted_proxy": "Address (or network, e.g. 10.0.0.0/8) of a reverse proxy in front of the server; "
                     "repeat for several. Requests from it are counted by their X-Forwarded-For (or "
                     "X-Real-IP) client address, and X-Forwarded-Proto: https makes cookies Secure. "
                     "[default: none: the TCP peer is the client and those headers are ignored]",
    "route": "This server's name in a proxy in front of several servers (deploy/nginx/workbook.conf): each "
             "page gets a cookie with it that only its kernel's URLs receive, so the proxy sends them back to "
             "the server holding the kernel. Letters, digits, '-' and '_'. [default: none]",
    "open_browser": "Open the workshop app in a web browser once the server runs.",
    "notebooks": "Folder of app notebooks to serve. [default: the workbook's notebooks]",
    "app": "Notebook (file name in the folder) to serve as an app; repeat for several. "
           "[default: the workbook's apps found in the folder]",
}


# --- sizing ------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Machine:
    """What the pools and the kernel cap are sized from."""

    cpus: int
    available_memory: int  # bytes

    @classmethod
    def measure(cls) -> Machine:
        return cls(cpus=_cpu_count(), available_memory=_available_memory())


def _cpu_count() -> int:
    usable = getattr(os, "sched_getaffinity", None)  # the CPUs this process may use (Linux)
    cpus = len(usable(0)) if usable else (os.cpu_count() or 1)
    with contextlib.suppress(OSError, ValueError):  # a container's CPU quota (cgroup v2)
        quota, period = Path("/sys/fs/cgroup/cpu.max").read_text().split()
        if quota != "max":
            cpus = min(cpus, max(1, -(-int(quota) // int(period))))
    return max(1, cpus)


def _available_memory() -> int:
    available = 2 * 2**30  # a guess where nothing below can be read
    with contextlib.suppress(OSError, ValueError):
        available = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                available = int(line.split()[1]) * 1024
    with contextlib.suppress(OSError, ValueError):  # a container's memory limit (cgroup v2)
        limit = Path("/sys/fs/cgroup/memory.max").read_text().strip()
        if limit != "max":
            used = int(Path("/sys/fs/cgroup/memory.current").read_text())
            available = min(available, max(0, int(limit) - used))
    return available


def default_pool_size(machine: Machine, apps: int) -> int:
    """Pre-heated kernels per app notebook.

    One per CPU core, at most :data:`MAX_POOL_PER_APP`: the pool absorbs as
    many simultaneous arrivals as there are kernels in it, and is refilled in
    parallel, which only pays while there is a core per refill.  All pools
    together hold at most a quarter of the available memory at
    :data:`KERNEL_MEMORY_BYTES` a kernel.  Never fewer than one.
    """
    by_cpu = min(machine.cpus, MAX_POOL_PER_APP)
    pools_memory = int(machine.available_memory * POOL_MEMORY_SHARE)
    by_memory = pools_memory // (KERNEL_MEMORY_BYTES * max(apps, 1))
    return max(1, min(by_cpu, by_memory))


def default_max_kernels(machine: Machine, pooled: int) -> int:
    """Most live kernels: three quarters of the available memory, and at least
    the pools plus :data:`MIN_VISITOR_KERNELS` kernels for visitors."""
    by_memory = int(machine.available_memory * KERNEL_MEMORY_SHARE) // KERNEL_MEMORY_BYTES
    return max(pooled + MIN_VISITOR_KERNELS, by_memory)


# --- the kernel cap ---------------------------------------------------------------
@functools.cache
def _kernel_manager_class() -> type[Any]:
    """Build ``WorkbookKernelManager`` on first use (jupyter_server is slow to import)."""
    import asyncio

    from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
    from tornado import web
    from traitlets import Float, Integer

    class WorkbookKernelManager(AsyncMappingKernelManager):
        """Voila's kernel manager with a cap on live kernels.

        Above ``max_kernels`` a new kernel is refused with HTTP 503 (the page
        says "busy, try again in a minute") and one warning is logged.
        Pre-heated kernels count too; a pool refill refused at the cap is
        retried as soon as a kernel shuts down (page closed or kernel culled).
        """

        max_kernels = Integer(0, config=True, help="Most live kernels (0: no limit).")
        disconnect_seconds = Integer(
            0, config=True,
            help="Shut down a page's kernel this many seconds after its last browser connection closed, "
                 "or after its page was sent if no browser connected (0: never).",
        )

        warming_slots = Integer(
            0, config=True,
            help="Pre-heated kernels that start and warm up at once; the others wait their turn, oldest first "
                 "(0: no limit).  See workbook.web.warming.",
        )

        close_grace_seconds = Float(
            CLOSE_GRACE_SECONDS, config=True,
            help="Shut down a page's kernel this long after its tab said it was closed, unless a browser "
                 "is connected by then (0: a closed tab frees nothing by itself).",
        )

        def __init__(self, **kwargs: Any) -> None:
            from workbook.web.pages import PageRegistry
            from workbook.web.warming import Warming

            super().__init__(**kwargs)  # type: ignore[no-untyped-call]
            self.warming = Warming(self.warming_slots)
            self._starting = 0
            self._closing = False
            #: The page and kernel of every live link (see workbook.web.pages).
            self.pages = PageRegistry()
            self._release_timers: dict[str, asyncio.TimerHandle] = {}
            self._closed_pages: set[str] = set()  # kernels whose page said it was closed

        # --- kernels no browser is connected to ---------------------------------
        def page_sent(self, kernel_id: str) -> None:
            """A page went out with this kernel (made now, or the link opened again): its browser should connect.

            An earlier tab's "closed" no longer counts: the link was opened
            again within the grace, and the new page gets the whole disconnect
            time to connect.  (Without this, a page handed out during the grace
            lost its kernel before its browser could connect: found by the
            first-input benchmark, which opens one link again and again.)
            """
            self._closed_pages.discard(kernel_id)
            if not self._kernel_connections.get(kernel_id):
                self._release_later(kernel_id)

        def page_closed(self, kernel_id: str) -> None:
            """A tab of this kernel's link was closed (its unload request).

            Not a shutdown: one link's kernel may serve several tabs or devices,
            and a reload's old page says "closed" while its new page is on its
            way.  The kernel goes ``close_grace_seconds`` later unless a
            browser is connected to it by then; if one is, the disconnect
            timer frees it once the last one leaves.  With a grace of 0 the
            request changes nothing: the disconnect timer alone frees it.
            """
            if self._closing or not self.close_grace_seconds:
                return
            previous = self._release_timers.pop(kernel_id, None)
            if previous is not None:
                previous.cancel()
            self._closed_pages.add(kernel_id)
            self._release_timers[kernel_id] = asyncio.get_running_loop().call_later(
                self.close_grace_seconds, lambda: asyncio.ensure_future(self._release(kernel_id)))

        def notify_connect(self, kernel_id: str) -> None:
            super().notify_connect(kernel_id)  # type: ignore[no-untyped-call]
            self._closed_pages.discard(kernel_id)
            timer = self._release_timers.pop(kernel_id, None)
            if timer is not None:
                timer.cancel()

        def notify_disconnect(self, kernel_id: str) -> None:
            super().notify_disconnect(kernel_id)  # type: ignore[no-untyped-call]
            if kernel_id in self and not self._kernel_connections.get(kernel_id):
                self._release_later(kernel_id)

        def _release_later(self, kernel_id: str) -> None:
            """Shut the kernel down after ``disconnect_seconds`` unless a browser (re)connects.

            A tab closed without its unload request, a phone asleep, a lost
            network, a link scanner that never runs the page, a script that
            opens websockets and drops them: none of them hold a kernel for
            longer than this.  Answers are saved as they change.
            """
            if not self.disconnect_seconds or self._closing:
                return
            if kernel_id in self._closed_pages and kernel_id in self._release_timers:
                return  # its page was closed: the shorter grace stands
            previous = self._release_timers.pop(kernel_id, None)
            if previous is not None:
                previous.cancel()
            loop = asyncio.get_running_loop()
            self._release_timers[kernel_id] = loop.call_later(
                self.disconnect_seconds, lambda: asyncio.ensure_future(self._release(kernel_id)))

        async def _release(self, kernel_id: str) -> None:
            self._release_timers.pop(kernel_id, None)
            closed = kernel_id in self._closed_pages
            self._closed_pages.discard(kernel_id)
            if kernel_id not in self or self._kernel_connections.get(kernel_id):
                return
            if closed:
                self.log.info("Shutting down kernel %s: its page was closed and no other is connected", kernel_id)
            else:
                self.log.warning("Shutting down kernel %s: no browser connected to its page for %d s",
                                 kernel_id, self.disconnect_seconds)
            with contextlib.suppress(Exception):  # it went meanwhile
                await self.shutdown_kernel(kernel_id)

        async def start_kernel(self, *args: Any, **kwargs: Any) -> str:  # type: ignore[override]
            # Kernels start and warm a few at a time, oldest first: a pool refill until it waits for its
            # request, a kernel started for a request that found the pool empty until its page is made.
            asked = await self.warming.take_slot()
            try:
                started = await self._start_capped(*args, **kwargs)
            except BaseException:
                self.warming.give_back()
                raise
            self.warming.starting(started, asked)
            return started

        async def _start_capped(self, *args: Any, **kwargs: Any) -> str:
            if self._closing:  # a pool refill that woke up while the server stops
                raise web.HTTPError(503, "the server is stopping", reason="Stopping")
            kernel_id = kwargs.get("kernel_id")
            if self.max_kernels and (kernel_id is None or kernel_id not in self):
                live = len(self) + self._starting
                if live >= self.max_kernels:
                    self.log.warning(
                        "Kernel limit reached: %d kernels alive (max_kernels=%d); refused a kernel "
                        "for %s. Visitors are asked to try again; raise --max-kernels if memory "
                        "allows.", live, self.max_kernels, kwargs.get("path") or "a page",
                    )
                    raise web.HTTPError(503, "kernel limit reached", reason="Busy")
            self._starting += 1
            try:
                started: str = await super().start_kernel(*args, **kwargs)
            finally:
                self._starting -= 1
            kernel: Any = self._kernels.get(started)
            if hasattr(kernel, "add_restart_callback"):  # every jupyter_client kernel manager has it
                kernel.add_restart_callback(lambda: self._kernel_died(started), "restart")
            return started

        def _kernel_died(self, kernel_id: str) -> None:
            """The kernel died (``kill -9``, out of memory); jupyter_client starts a blank one under its id.

            The blank kernel never ran the app's notebook, so a page handed out
            with it has no widgets: a reload of the link showed an empty page
            for good (found by killing a kernel mid-save, issue #12).  The link
            lets go of it, so its next opening gets a kernel of its own and
            resumes from the database; the page still open was told
            "restarting" and asks the person to reload, and its unload closes
            the blank kernel as any closed tab does.
            """
            page = self.pages.detach(kernel_id)
            self.warming.forget(kernel_id)
            self.log.warning("Kernel %s died%s; it is restarted blank, and its link gets a new kernel when "
                             "opened again", kernel_id, " under an open page" if page is not None else "")

        async def shutdown_kernel(  # type: ignore[override]
            self, kernel_id: str, *args: Any, **kwargs: Any
        ) -> None:
            self.pages.forget_kernel(kernel_id)  # first: the link's next opening must not reuse it
            self.warming.forget(kernel_id)
            self._closed_pages.discard(kernel_id)
            timer = self._release_timers.pop(kernel_id, None)
            if timer is not None:
                timer.cancel()
            await super().shutdown_kernel(kernel_id, *args, **kwargs)  # type: ignore[no-untyped-call]
            self._top_up_pools()

        async def shutdown_all(self, now: bool = False) -> None:  # type: ignore[override]
            # The server is stopping.  Refuse new kernels, let the ones on their
            # way arrive (jupyter_client cannot shut down a kernel still
            # starting), then stop them all at once: a pre-heated kernel is
            # still running its notebook, and asked politely it would print a
            # traceback while it dies.
            self._closing = True
            for timer in self._release_timers.values():
                timer.cancel()
            self._release_timers.clear()
            for _ in range(150):
                if not self._starting:
                    break
                await asyncio.sleep(0.1)
            await super().shutdown_all(now=True)

        def _top_up_pools(self) -> None:
            """A kernel has gone: refill pools that lost kernels refused at the cap."""
            # ``_pools`` and ``fill_if_needed`` belong to the pre-heating subclass
            # Voila 0.5 builds on top of this class (voila/voila_kernel_manager.py).
            pools: dict[str, list[Any]] = getattr(self, "_pools", {})
            if self._closing or not hasattr(self, "fill_if_needed"):
                return
            for notebook, pool in pools.items():
                refused = [t for t in pool if t.done() and not t.cancelled() and t.exception()]
                for task in refused:
                    pool.remove(task)
                self.fill_if_needed(delay=0, notebook_name=notebook)  # starts only what is missing

    WorkbookKernelManager.__module__ = __name__
    return WorkbookKernelManager


def __getattr__(name: str) -> Any:
    # Voila imports the kernel manager by name: ``workbook.serve.WorkbookKernelManager``.
    if name == "WorkbookKernelManager":
        return _kernel_manager_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# --- configuration as data ---------------------------------------------------------
def _check_proxy(proxy: str) -> str:
    """An address or network (``10.0.0.0/8``) for ``--trusted-proxy``; refuse anything else."""
    import ipaddress

    try:
        return str(ipaddress.ip_network(proxy.strip(), strict=False))
    except ValueError:
        raise InputError(f"--trusted-proxy {proxy!r} is not an IP address or network "
                         "(e.g. 127.0.0.1 or 10.0.0.0/8)") from None


def voila_config(
    *,
    notebooks: Path,
    apps: Sequence[str],
    host: str = "127.0.0.1",
    port: int = DEFAULT_PORT,
    preheat: bool = True,
    pool_size: int | None = None,
    max_kernels: int | None = None,
    cull_idle_seconds: int = DEFAULT_CULL_IDLE_SECONDS,
    disconnect_seconds: int = DEFAULT_DISCONNECT_SECONDS,
    page_rate: int = DEFAULT_PAGE_RATE,
    trusted_proxies: Sequence[str] = (),
    refused_rate: int = DEFAULT_REFUSED_RATE,
    refused_burst: int = DEFAULT_REFUSED_BURST,
    max_lookups: int = DEFAULT_MAX_LOOKUPS,
    close_grace_seconds: int = DEFAULT_CLOSE_GRACE_SECONDS,
    recheck_seconds: int = DEFAULT_RECHECK_SECONDS,
    route: str | None = None,
    machine: Machine | None = None,
) -> dict[str, dict[str, Any]]:
    """The traitlets configuration of the Voila server, as plain data."""
    if not apps:
        raise InputError(f"no app notebook to serve in {notebooks}")
    if pool_size is not None and pool_size < 1:
        raise InputError("the pool size must be at least 1 (or use --no-preheat)")
    if cull_idle_seconds < 0:
        raise InputError("cull_idle_seconds must be 0 (never cull) or more")
    if disconnect_seconds < 0:
        raise InputError("--disconnect-seconds must be 0 (never) or more")
    if page_rate < 0:
        raise InputError("--page-rate must be 0 (no limit) or more")
    if refused_rate < 0:
        raise InputError("--refused-rate must be 0 (no limit) or more")
    if refused_burst < 1:
        raise InputError("--refused-burst must be at least 1 (use --refused-rate 0 for no limit)")
    if max_lookups < 1:
        raise InputError("--max-lookups must be at least 1")
    if close_grace_seconds < 0:
        raise InputError("--close-grace-seconds must be 0 (off) or more")
    if recheck_seconds < 0:
        raise InputError("--recheck-seconds must be 0 (only when a browser connects) or more")
    proxies = [_check_proxy(proxy) for proxy in trusted_proxies]
    if route is not None and not ROUTE_NAME.fullmatch(route):
        raise InputError(f"--route {route!r} must be 1 to 32 letters, digits, '-' or '_' (e.g. a or web1)")
    machine = machine or Machine.measure()
    pool = (pool_size or default_pool_size(machine, len(apps))) if preheat else 0
    # One facilitator runs the workshop or the charter at a time; many
    # respondents arrive at once.  Unless a size is given, the facilitator
    # apps keep one kernel ready, which also shortens the first minute after
    # start-up on a small laptop.
    pools = {app: (min(pool, 1) if pool_size is None and app in FACILITATOR_APPS else pool) for app in apps}
    pooled = sum(pools.values())
    limit = max_kernels if max_kernels is not None else default_max_kernels(machine, pooled)
    if limit <= pooled:
        raise InputError(f"--max-kernels must be above the {pooled} pre-heated kernels; "
                         "lower --pool-size or raise --max-kernels")
    return {
        "Voila": {
            "ip": host,
            "port": port,
            "port_retries": 0,  # listen where asked or fail, never on another port
            "open_browser": False,
            "root_dir": str(notebooks),
            # jupyter_server's handlers set these too (our transform sets them on every response)
            "tornado_settings": {"headers": dict(SECURITY_HEADERS)},
            # The link is the credential: no login, and no login cookie.
            "identity_provider_class": "workbook.web.handlers.CookielessIdentity",
        },
        "VoilaConfiguration": {
            "template": TEMPLATE_NAME,
            "theme": "light",
            "allow_template_override": "NO",
            "allow_theme_override": "NO",
            "strip_sources": True,
            "show_tracebacks": False,
            "preheat_kernel": preheat,
            "default_pool_size": 0,  # notebooks that are not apps get no pool
            "progressive_rendering": False,  # incompatible with pre-heating
            "multi_kernel_manager_class": f"{__name__}.WorkbookKernelManager",
        },
        # After a cell's reply nbclient waits only 4 s for its outputs, then drops them silently.
        # The values app's display is preceded by hundreds of widget messages: on a server busy
        # starting kernels for a crowd they took longer, and the page came back without the app
        # (load test, issue #12).  Waiting longer costs nothing when the outputs are on time.
        "VoilaExecutor": {"iopub_timeout": IOPUB_TIMEOUT_SECONDS},
        "VoilaKernelManager": {
            "kernel_pools_config": {
                "default": {"pool_size": 0},
                **{app: {"pool_size": size} for app, size in pools.items()},
            },
        },
        "WorkbookVoila": {"apps": list(apps), "page_rate": page_rate, "trusted_proxies": proxies,
                          "refused_rate": refused_rate, "refused_burst": refused_burst,
                          "max_lookups": max_lookups, "recheck_seconds": recheck_seconds,
                          "route": route or ""},
        "WorkbookKernelManager": {"max_kernels": limit, "disconnect_seconds": disconnect_seconds,
                                  "close_grace_seconds": close_grace_seconds,
                                  # as many kernels warming at once as there are cores (see workbook.web.warming)
                                  "warming_slots": machine.cpus if preheat else 0},
        # Kernels talk to the server over Unix sockets in Voila's private (0700)
        # connection folder, not over TCP ports any local user could reach.
        "KernelManager": {"transport": "ipc" if os.name == "posix" else "tcp"},
        "MappingKernelManager": {
            "cull_idle_timeout": cull_idle_seconds,
            "cull_interval": max(1, min(CULL_INTERVAL_SECONDS, cull_idle_seconds // 4)),
            "cull_connected": True,  # an open but forgotten tab must not hold a kernel for ever
            "cull_busy": False,
        },
    }


# --- the server --------------------------------------------------------------------
@functools.cache

def _quiet_trust_warning(record: logging.LogRecord) -> bool:
    """Drop jupyter_server's "Notebook X is not trusted", logged on every page opened.

    Notebook trust decides whether JupyterLab shows a notebook's stored HTML and
    script outputs; Voila runs the notebook afresh and shows only what it
    produced now, so for the workbook's own app notebooks the line means nothing
    and, printed for every respondent, hides the lines that do.
    """
    return record.msg != "Notebook %s is not trusted"

def _voila_class() -> type[Any]:
    """Voila with the workbook's routes (built on first use: voila is slow to import)."""
    from concurrent.futures import ThreadPoolExecutor

    from jupyter_server.utils import url_path_join
    from traitlets import Integer, List, Unicode
    from voila.app import Voila
    from voila.tornado.handler import TornadoVoilaHandler

    from workbook.store import open_store
    from workbook.web import handlers
    from workbook.web.access import LinkChecker, LinkLookups
    from workbook.web.clients import Clients
    from workbook.web.ratelimit import RateLimiter

    class WorkbookVoila(Voila):  # type: ignore[misc]
        apps = List(Unicode(), config=True, help="The only notebooks served (names in root_dir).")
        page_rate = Integer(DEFAULT_PAGE_RATE, config=True,
                            help="New kernels a client address may start a minute (0: no limit).")
        trusted_proxies = List(Unicode(), config=True,
                               help="Proxies whose X-Forwarded-For and X-Forwarded-Proto are believed.")
        refused_rate = Integer(DEFAULT_REFUSED_RATE, config=True,
                               help="Refused links a client address may open a minute (0: no limit).")
        refused_burst = Integer(DEFAULT_REFUSED_BURST, config=True,
                                help="Refused links a client address may open at once.")
        max_lookups = Integer(DEFAULT_MAX_LOOKUPS, config=True,
                              help="Link lookups waiting at once; past it a link is answered busy.")
        recheck_seconds = Integer(DEFAULT_RECHECK_SECONDS, config=True,
                                  help="How often open pages' links are checked again (0: only on connect).")
        route = Unicode("", config=True, help="This server's name for a proxy's routing cookie (empty: none).")

        def init_settings(self) -> dict[str, Any]:
            settings: dict[str, Any] = super().init_settings()
            self.log.addFilter(_quiet_trust_warning)
            settings["log_function"] = handlers.log_request  # hides ?token= and ?key=; no line per 429
            # gzip: an app page's 1 MB script travels as 0.3 MB (tornado reads
            # this when the application is built, so Voila.tornado_settings is too late)
            settings["compress_response"] = True
            settings["xsrf_cookie_kwargs"] = {"samesite": "Strict"}
            # Every path without a route of its own: our 404 page (not tornado's bare one).
            settings["default_handler_class"] = handlers.NotFound
            settings["default_handler_args"] = {"voila_configuration": self.voila_configuration}
            # The links are checked in this process: one store for the whole
            # server, its lookups in threads so the event loop never waits.
            lookups = ThreadPoolExecutor(2, thread_name_prefix="workbook-links")
            self.web_state = handlers.WebState(
                links=LinkLookups(LinkChecker(open_store(os.environ.get("WORKBOOK_DB"))), lookups,
                                  max_pending=self.max_lookups),
                lookups=lookups,
                limiter=RateLimiter(self.page_rate),
                refusals=RateLimiter(self.refused_rate, burst=self.refused_burst),
                clients=Clients(self.trusted_proxies),
                recheck_seconds=self.recheck_seconds,
                route=self.route,
            )
            settings["workbook"] = self.web_state
            return settings

        def init_handlers(self) -> list[Any]:
            def url(path: str) -> str:
                return str(url_path_join(self.server_url, path))

            served = "|".join(re.escape(app) for app in self.apps)
            page = {"voila_configuration": self.voila_configuration}
            # Voila's page route, with its arguments, served by our AppPage.
            render = next(rule for rule in super().init_handlers() if rule[1] is TornadoVoilaHandler)
            routes: list[tuple[Any, ...]] = [
                (url("/"), handlers.Welcome, page),
                (url(HEALTH_PATH), handlers.Health),
                (url(r"/.*(?:\.\.|%2[fF]|%5[cC]).*"), handlers.NotFound, page),  # "..", or escaped "/" "\\"
                *handlers.guarded_routes(self.server_url, TEMPLATE_NAME),
                (url(rf"/voila/render/({served})"), handlers.AppPage, *render[2:]),
            ]
            # Everything else (the file tree, contents, files, Voila's front end,
            # themes, login, logout, other notebooks) falls to the 404 default.
            self.app.add_transform(handlers.SecurityHeaders)  # the app exists by now (Voila.start)
            return routes

        def stop(self) -> None:
            try:
                super().stop()
            finally:
                state = getattr(self, "web_state", None)
                if state is not None:
                    state.close()

    return WorkbookVoila


@contextlib.contextmanager
def _template_search_path() -> Iterator[None]:
    """Let Voila find ``templates/voila/workbook`` by its name.

    Voila looks templates up as ``<root>/voila/templates/<name>`` in every
    Jupyter data folder (``voila/paths.py``), so a throw-away root linking to
    ours goes first on ``$JUPYTER_PATH`` while the server runs.
    """
    source = templates_dir() / "voila" / TEMPLATE_NAME
    root = Path(tempfile.mkdtemp(prefix="workbook-voila-"))
    target = root / "voila" / "templates" / TEMPLATE_NAME
    target.parent.mkdir(parents=True)
    try:
        target.symlink_to(source, target_is_directory=True)
    except OSError:  # no symlinks (Windows without developer mode): copy instead
        shutil.copytree(source, target)
    saved = os.environ.get("JUPYTER_PATH")
    os.environ["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(root), saved]))
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("JUPYTER_PATH", None)
        else:
            os.environ["JUPYTER_PATH"] = saved
        shutil.rmtree(root, ignore_errors=True)


def _kernel_db_url(db_url: str | None, notebooks: Path) -> str:
    """An absolute URL (kernels run in the notebooks folder), kept out of it."""
    from sqlalchemy.engine import make_url

    from workbook.store.engine import resolve_url

    url = resolve_url(db_url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        database = Path(parsed.database).expanduser().resolve()
        if database.is_relative_to(notebooks):
            raise InputError(f"the database {database} is inside the served folder {notebooks}; "
                             "keep it elsewhere")
        url = parsed.set(database=str(database)).render_as_string(hide_password=False)
    return url


def _check_port_free(host: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise InputError(f"port {port} on {host} is in use (another workbook serve?); "
                                 "stop it or choose another port with --port") from None
            raise InputError(f"cannot listen on {host}:{port}: {error.strerror}") from None


def _base_url(host: str, port: int) -> str:
    """The address people use to reach a server listening on ``host``."""
    shown = socket.gethostname() if host in ("", "0.0.0.0", "::") else host
    if ":" in shown:
        shown = f"[{shown}]"
    return check_base_url(f"http://{shown}:{port}")


def _announce(base: str, apps: Sequence[str], config: dict[str, dict[str, Any]], also: Sequence[str] = ()) -> str:
    """Print where the apps are (``also``: the server's other addresses); return the URL to open in a browser."""
    names = {notebook: name for name, notebook in NOTEBOOKS.items()}
    keys = {"values": "?token=…", "workshop": "?key=…", "charter": "?key=…"}
    option = "" if base == DEFAULT_BASE_URL else f" --base-url {base}"
    pools = config["VoilaKernelManager"]["kernel_pools_config"]
    pool = sum(pools[app]["pool_size"] for app in apps)
    culled = config["MappingKernelManager"]["cull_idle_timeout"]
    print(f"Serving the workbook at {base}  (Ctrl-C stops it)")
    for other in also:
        print(f"  also at {other} (another network of this computer)")
    if not is_loopback_url(base):
        print("WARNING: listening beyond this machine over plain HTTP: invite tokens and answers cross the "
              "network unencrypted. Put a TLS proxy (https) in front of it.")
    for app in apps:
        name = names.get(app, app)
        print(f"  {name:9} {base}/voila/render/{app}{keys.get(name, '')}")
    print(f"Personal links (values):               workbook invites ORG{option}")
    print(f"Facilitator links (workshop, charter): workbook invites ORG --facilitator{option}")
    print(f"{pool} pre-heated kernel(s) in all" if pool else "No pre-heated kernels",
          f"at most {config['WorkbookKernelManager']['max_kernels']} kernels",
          f"idle ones shut down after {culled} s" if culled else "idle ones kept",
          (f"a page's kernel {config['WorkbookKernelManager']['disconnect_seconds']} s after its browser left"
           if config["WorkbookKernelManager"]["disconnect_seconds"] else "disconnected ones kept"),
          (f"at most {config['WorkbookVoila']['page_rate']} new kernels a minute per client address"
           if config["WorkbookVoila"]["page_rate"] else "no limit per client address"),
          sep="; ")
    print(f"Health check (starts no kernel): {base}{HEALTH_PATH}")
    sys.stdout.flush()
    opened = NOTEBOOKS["workshop"] if NOTEBOOKS["workshop"] in apps else apps[0]
    return f"{base}/voila/render/{opened}"


def _default_apps(notebooks: Path) -> list[str]:
    return [notebook for notebook in NOTEBOOKS.values() if (notebooks / notebook).is_file()]


def serve(
    *,
    host: str = "127.0.0.1",
    port: int = DEFAULT_PORT,
    lan: bool = False,
    db_url: str | None = None,
    pool_size: int | None = None,
    preheat: bool = True,
    open_browser: bool = False,
    cull_idle_seconds: int = DEFAULT_CULL_IDLE_SECONDS,
    max_kernels: int | None = None,
    notebooks: Path | str | None = None,
    apps: Sequence[str] | None = None,
    disconnect_seconds: int = DEFAULT_DISCONNECT_SECONDS,
    page_rate: int = DEFAULT_PAGE_RATE,
    trusted_proxies: Sequence[str] = (),
    refused_rate: int = DEFAULT_REFUSED_RATE,
    refused_burst: int = DEFAULT_REFUSED_BURST,
    max_lookups: int = DEFAULT_MAX_LOOKUPS,
    close_grace_seconds: int = DEFAULT_CLOSE_GRACE_SECONDS,
    recheck_seconds: int = DEFAULT_RECHECK_SECONDS,
    route: str | None = None,
) -> None:
    """Serve the app notebooks until Ctrl-C (or SIGTERM); all kernels are shut down.

    ``lan``: listen on every network address of this computer (the room's
    Wi-Fi or cable, and this computer itself) and print the links with the
    address people in the room can reach (:func:`workbook.network.lan_addresses`).
    """
    from traitlets.config import Config

    bases = [_base_url(host, port)]
    if lan:
        from workbook.network import lan_addresses

        if host != "127.0.0.1":
            raise InputError("--lan listens on every network address of this computer: leave out --host")
        bases = [_base_url(address, port) for address in lan_addresses()]
        host = "0.0.0.0"

    folder = Path(notebooks).resolve() if notebooks else notebooks_dir().resolve()
    if not folder.is_dir():
        raise InputError(f"the notebooks folder {folder} does not exist")
    served = list(apps) if apps else _default_apps(folder)
    missing = [app for app in served if not (folder / app).is_file()]
    if missing:
        raise InputError(f"no such notebook in {folder}: {', '.join(missing)}")
    config = voila_config(notebooks=folder, apps=served, host=host, port=port, preheat=preheat,
                          pool_size=pool_size, max_kernels=max_kernels,
                          cull_idle_seconds=cull_idle_seconds, disconnect_seconds=disconnect_seconds,
                          page_rate=page_rate, trusted_proxies=trusted_proxies,
                          refused_rate=refused_rate, refused_burst=refused_burst, max_lookups=max_lookups,
                          close_grace_seconds=close_grace_seconds, recheck_seconds=recheck_seconds,
                          route=route)
    kernel_db = _kernel_db_url(db_url, folder)
    _check_port_free(host, port)
    from workbook.web.logscrub import install as hide_secrets_in_logs

    hide_secrets_in_logs()  # tornado's own error lines print the full URL, token and all
    os.environ["WORKBOOK_DB"] = kernel_db  # every kernel inherits the server's environment
    with _template_search_path():
        # config_file_paths=[]: no voila.json / voila.py lying around can change any of this
        app = _voila_class()(config=Config(config), config_file_paths=[])
        app.initialize([])
        url = _announce(bases[0], served, config, also=bases[1:])
        if open_browser:
            threading.Timer(1.0, webbrowser.open, [url]).start()
        _quiet_heartbeats_when_stopping(app)
        with contextlib.suppress(KeyboardInterrupt):  # a second Ctrl-C while stopping
            app.start()  # returns after Ctrl-C / SIGTERM, once the kernels are shut down
    print("Stopped.")


def _quiet_heartbeats_when_stopping(app: Any) -> None:
    """No traceback from a kernel client's heartbeat thread once the server is stopping.

    Each pre-heated kernel's client (Voila's executor) runs a "Heartbeat"
    thread; when the kernels are shut down on Ctrl-C, one of them may notice
    its socket gone while the interpreter exits, and print half a traceback
    after "Stopped.".  Nothing is wrong then, and a stop must look calm.
    """
    previous = threading.excepthook

    def hook(args: threading.ExceptHookArgs) -> None:
        stopping = getattr(getattr(app, "kernel_manager", None), "_closing", False)
        if stopping and args.thread is not None and args.thread.name == "Heartbeat":
            return
        previous(args)

    threading.excepthook = hook


def _main(argv: Sequence[str] | None = None) -> None:
    """``python -m workbook.serve``: the same options as ``workbook serve``."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m workbook.serve", description=serve.__doc__)
    parser.add_argument("--host", default="127.0.0.1", help=HELP["host"])
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=HELP["port"])
    parser.add_argument("--lan", action="store_true", help=HELP["lan"])
    parser.add_argument("--db", metavar="URL", help=HELP["db"])
    parser.add_argument("--pool-size", type=int, help=HELP["pool_size"])
    parser.add_argument("--no-preheat", action="store_true", help=HELP["no_preheat"])
    parser.add_argument("--max-kernels", type=int, help=HELP["max_kernels"])
    parser.add_argument("--cull-idle-seconds", type=int, default=DEFAULT_CULL_IDLE_SECONDS,
                        help=HELP["cull_idle_seconds"])
    parser.add_argument("--disconnect-seconds", type=int, default=DEFAULT_DISCONNECT_SECONDS,
                        help=HELP["disconnect_seconds"])
    parser.add_argument("--page-rate", type=int, default=DEFAULT_PAGE_RATE, help=HELP["page_rate"])
    parser.add_argument("--refused-rate", type=int, default=DEFAULT_REFUSED_RATE, help=HELP["refused_rate"])
    parser.add_argument("--refused-burst", type=int, default=DEFAULT_REFUSED_BURST, help=HELP["refused_burst"])
    parser.add_argument("--max-lookups", type=int, default=DEFAULT_MAX_LOOKUPS, help=HELP["max_lookups"])
    parser.add_argument("--close-grace-seconds", type=int, default=DEFAULT_CLOSE_GRACE_SECONDS,
                        help=HELP["close_grace_seconds"])
    parser.add_argument("--recheck-seconds", type=int, default=DEFAULT_RECHECK_SECONDS,
                        help=HELP["recheck_seconds"])
    parser.add_argument("--trusted-proxy", dest="trusted_proxies", metavar="ADDRESS", action="append",
                        default=[], help=HELP["trusted_proxy"])
    parser.add_argument("--route", metavar="NAME", help=HELP["route"])
    parser.add_argument("--open", dest="open_browser", action="store_true",
                        help=HELP["open_browser"])
    parser.add_argument("--notebooks", metavar="DIR", help=HELP["notebooks"])
    parser.add_argument("--app", dest="apps", metavar="NOTEBOOK", action="append", help=HELP["app"])
    args = parser.parse_args(argv)
    from workbook.clitools import fail

    try:
        serve(host=args.host, port=args.port, lan=args.lan, db_url=args.db, pool_size=args.pool_size,
              preheat=not args.no_preheat, open_browser=args.open_browser,
              cull_idle_seconds=args.cull_idle_seconds, max_kernels=args.max_kernels,
              notebooks=args.notebooks, apps=args.apps, disconnect_seconds=args.disconnect_seconds,
              page_rate=args.page_rate, trusted_proxies=args.trusted_proxies,
              refused_rate=args.refused_rate, refused_burst=args.refused_burst, max_lookups=args.max_lookups,
              close_grace_seconds=args.close_grace_seconds, recheck_seconds=args.recheck_seconds,
              route=args.route)
    except WorkbookError as error:  # a bad database URL, a busy port, a missing folder: one line, exit 2
        fail(error)


if __name__ == "__main__":
    _main()

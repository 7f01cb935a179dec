"""The options of ``workbook serve``: their defaults and help texts, in one place.

The click command (``workbook.cli``) and :func:`workbook.serve.voila_config` read
their defaults from here, so each default has one definition.  Importing this
module loads neither voila nor jupyter_server (``workbook --help`` reads HELP).
"""

from __future__ import annotations

import re
import sys

from workbook.links import DEFAULT_PORT
from workbook.serve.sizing import MAX_POOL_PER_APP
from workbook.settings import DB_ENV, DEFAULT_DB_FILE
from workbook.web.defaults import (
    CLOSE_GRACE_SECONDS,
    MAX_PENDING_LOOKUPS,
    RECHECK_SECONDS,
    REFUSALS_BURST,
    REFUSALS_PER_MINUTE,
)

__all__ = [
    "DEFAULT_CLOSE_GRACE_SECONDS",
    "DEFAULT_CULL_IDLE_SECONDS",
    "DEFAULT_DISCONNECT_SECONDS",
    "DEFAULT_FORK_KERNELS",
    "DEFAULT_HOST",
    "DEFAULT_MAX_LOOKUPS",
    "DEFAULT_PAGE_RATE",
    "DEFAULT_PORT",
    "DEFAULT_RECHECK_SECONDS",
    "DEFAULT_REFUSED_BURST",
    "DEFAULT_REFUSED_RATE",
    "FORK_PROVISIONER",
    "HEALTH_PATH",
    "HELP",
    "ROUTE_NAME",
    "TEMPLATE_NAME",
]

TEMPLATE_NAME = "workbook"
#: The fork provisioner's entry point name (pyproject.toml, workbook.serve.forking).
FORK_PROVISIONER = "workbook-fork-provisioner"
#: Whether kernels are forked from a warmed zygote unless told (``--fork-kernels/--no-fork-kernels``):
#: on Linux, yes. Under a crowd of arrivals on 2 cores it is the difference between pages in about a
#: second and pages in a quarter of a minute (README, "Opening under a crowd"); elsewhere ``fork``
#: without ``exec`` is unsafe (macOS) or missing (Windows), so kernels start the plain way.
DEFAULT_FORK_KERNELS = sys.platform == "linux"
#: This machine only: --host 0.0.0.0 (or --lan) lets others in.
DEFAULT_HOST = "127.0.0.1"
HEALTH_PATH = "/healthz"
DEFAULT_CULL_IDLE_SECONDS = 30 * 60
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

#: What ``--route`` accepts: it travels in a cookie and is matched by the proxy's map.
ROUTE_NAME = re.compile(r"[A-Za-z0-9_-]{1,32}")

#: Help text of every option of ``workbook serve`` (``workbook.cli`` reads it).

HELP: dict[str, str] = {
    "host": "Address to listen on: 127.0.0.1 is this machine only; 0.0.0.0 lets other machines "
            f"(or a proxy) in. [default: {DEFAULT_HOST}]",
    "port": f"Port to listen on; it must be free. [default: {DEFAULT_PORT}]",
    "lan": "For a workshop room: listen on this computer's network address(es) as well as on this "
           "computer, and print the links with the address people's phones and laptops can reach "
           "(plain HTTP: use it on a network you trust). Not with --host.",
    "db": f"Database the apps use (given to the kernels as ${DB_ENV}): a SQLite file path "
          f"or a postgresql:// URL. [default: ${DB_ENV} or ./{DEFAULT_DB_FILE}]",
    "pool_size": "Pre-heated kernels kept ready for each app. [default: one per CPU core, "
                 f"at most {MAX_POOL_PER_APP}, within a quarter of the free memory]",
    "no_preheat": "Start a kernel only when a page is opened (slower pages, less memory).",
    "fork_kernels": "Start each kernel by forking one helper process that has already imported what "
                    "kernels need, instead of a new Python that imports it all again (a small fraction of "
                    "the CPU per kernel, and the imported modules' memory shared). If the helper stops, "
                    "kernels start the plain way. [default: --fork-kernels on Linux, --no-fork-kernels "
                    "elsewhere]",
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


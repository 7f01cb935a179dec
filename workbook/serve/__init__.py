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


The modules, one job each: :mod:`~workbook.serve.options` (defaults and help of
every option), :mod:`~workbook.serve.sizing` (pools and the kernel cap from the
machine), :mod:`~workbook.serve.kernels` (the kernel manager),
:mod:`~workbook.serve.config` (the configuration as data),
:mod:`~workbook.serve.app` (the Voila application and its routes) and
:mod:`~workbook.serve.server` (starting it).  Importing this package stays cheap:
voila and jupyter_server load only when a server starts.
"""

from __future__ import annotations

from typing import Any

from workbook.serve.config import voila_config
from workbook.serve.options import (
    DEFAULT_CLOSE_GRACE_SECONDS,
    DEFAULT_CULL_IDLE_SECONDS,
    DEFAULT_DISCONNECT_SECONDS,
    DEFAULT_MAX_LOOKUPS,
    DEFAULT_PAGE_RATE,
    DEFAULT_RECHECK_SECONDS,
    DEFAULT_REFUSED_BURST,
    DEFAULT_REFUSED_RATE,
    HEALTH_PATH,
    HELP,
    TEMPLATE_NAME,
)
from workbook.serve.server import serve
from workbook.serve.sizing import KERNEL_MEMORY_BYTES, Machine, default_max_kernels, default_pool_size

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


def __getattr__(name: str) -> Any:
    # Voila imports the kernel manager by name: ``workbook.serve.WorkbookKernelManager``.
    if name == "WorkbookKernelManager":
        from workbook.serve.kernels import _kernel_manager_class

        return _kernel_manager_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

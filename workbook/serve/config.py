"""The whole Voila configuration of ``workbook serve`` as plain data (tests check it without a server)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from workbook.errors import InputError
from workbook.serve.options import (
    DEFAULT_CLOSE_GRACE_SECONDS,
    DEFAULT_CULL_IDLE_SECONDS,
    DEFAULT_DISCONNECT_SECONDS,
    DEFAULT_FORK_KERNELS,
    DEFAULT_HOST,
    DEFAULT_MAX_LOOKUPS,
    DEFAULT_PAGE_RATE,
    DEFAULT_PORT,
    DEFAULT_RECHECK_SECONDS,
    DEFAULT_REFUSED_BURST,
    DEFAULT_REFUSED_RATE,
    FORK_PROVISIONER,
    ROUTE_NAME,
    TEMPLATE_NAME,
)
from workbook.serve.sizing import Machine, default_max_kernels, default_pool_size
from workbook.web.policy import SECURITY_HEADERS

#: How often idle kernels are looked for (more often for very short timeouts).
CULL_INTERVAL_SECONDS = 60
#: How long a cell's outputs may trail its reply before Voila gives up on them (nbclient: 4 s).
IOPUB_TIMEOUT_SECONDS = 60
#: Apps one facilitator uses at a time: a single pre-heated kernel is enough.
FACILITATOR_APPS = frozenset({"dime_workshop.ipynb", "charter_builder.ipynb"})


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
    host: str = DEFAULT_HOST,
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
    fork_kernels: bool = DEFAULT_FORK_KERNELS,
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
    config: dict[str, dict[str, Any]] = {
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
            "multi_kernel_manager_class": "workbook.serve.WorkbookKernelManager",
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
    if fork_kernels:
        # Every kernel launched through the zygote (workbook.serve.forking); serve() starts it.
        config["KernelProvisionerFactory"] = {"default_provisioner_name": FORK_PROVISIONER}
    return config


"""Starting the server: check the folder, database and port, announce the links, run Voila until Ctrl-C."""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import signal
import socket
import sys
import tempfile
import threading
import webbrowser
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from workbook.errors import InputError
from workbook.links import DEFAULT_BASE_URL, NOTEBOOKS, check_base_url, is_loopback_url
from workbook.paths import notebooks_dir, templates_dir
from workbook.serve import chart_renderer
from workbook.serve.app import _voila_class
from workbook.serve.config import voila_config
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
    HEALTH_PATH,
    TEMPLATE_NAME,
)
from workbook.settings import DB_ENV


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
    host: str = DEFAULT_HOST,
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
    fork_kernels: bool = DEFAULT_FORK_KERNELS,
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

        if host != DEFAULT_HOST:
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
                          route=route, fork_kernels=fork_kernels)
    kernel_db = _kernel_db_url(db_url, folder)
    _check_port_free(host, port)
    from workbook.web.logscrub import install as hide_secrets_in_logs

    hide_secrets_in_logs()  # tornado's own error lines print the full URL, token and all
    os.environ[DB_ENV] = kernel_db  # every kernel inherits the server's environment
    with _template_search_path(), chart_renderer.running(), _zygote(fork_kernels):
        # config_file_paths=[]: no voila.json / voila.py lying around can change any of this
        app = _voila_class()(config=Config(config), config_file_paths=[])
        app.initialize([])
        url = _announce(bases[0], served, config, also=bases[1:])
        if open_browser:
            threading.Timer(1.0, webbrowser.open, [url]).start()
        _quiet_heartbeats_when_stopping(app)
        _stop_calmly_on_ctrl_c(app)
        with contextlib.suppress(KeyboardInterrupt):  # a second Ctrl-C while stopping
            app.start()  # returns after Ctrl-C / SIGTERM, once the kernels are shut down
    print("Stopped.")


@contextlib.contextmanager
def _zygote(fork_kernels: bool) -> Iterator[None]:
    """With ``--fork-kernels``: the kernel zygote, importing while Voila starts, stopped with the server.

    Started after ``$WORKBOOK_DB`` and ``$JUPYTER_PATH`` are set, though each
    kernel gets the environment jupyter_client gives it, as a plain kernel does.
    """
    if not fork_kernels:
        yield
        return
    from workbook.serve import forking

    forking.start()
    try:
        yield
    finally:
        forking.stop()


def _stop_calmly_on_ctrl_c(app: Any) -> None:
    """Ctrl-C stops the server from its event loop, as SIGTERM does, not from inside whatever runs.

    Python's own Ctrl-C raises ``KeyboardInterrupt`` in the code running at
    that moment.  When that was one of Voila's tasks (a pre-heated kernel's
    page being made), the task kept the exception and asyncio printed "Task
    exception was never retrieved" with a traceback after "Stopped." (seen
    in a test run, the server busy with its pool).  The first Ctrl-C now asks
    the loop to stop; a second one interrupts at once, as before.
    """

    def stop(signum: int, frame: Any) -> None:
        signal.signal(signal.SIGINT, signal.default_int_handler)  # a second Ctrl-C: at once
        loop = getattr(app, "ioloop", None)
        if loop is None:  # not serving yet
            raise KeyboardInterrupt
        app.log.info("Stopping...")
        loop.add_callback_from_signal(loop.stop)

    signal.signal(signal.SIGINT, stop)


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

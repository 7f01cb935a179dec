"""``workbook serve`` without a server: the configuration it builds, its sizing
rules, the kernel cap and the template.  (End to end: tests/browser/test_serve_smoke.py.)"""

from __future__ import annotations

import asyncio
import inspect
import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from workbook import serve as serve_module
from workbook.errors import InputError, SecretKeyError
from workbook.links import NOTEBOOKS
from workbook.paths import templates_dir
from workbook.serve import (
    HELP,
    KERNEL_MEMORY_BYTES,
    Machine,
    default_max_kernels,
    default_pool_size,
    serve,
    voila_config,
)
from workbook.serve import app as app_module
from workbook.serve import server as server_module

GIB = 2**30
APPS = list(NOTEBOOKS.values())
TEMPLATE = templates_dir() / "voila" / "workbook"



def _run(coroutine: Any) -> Any:
    """asyncio.run in a thread of its own: earlier tests (ipykernel, nbclient) may
    leave an event loop set on the main thread, where asyncio.run refuses to start."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()

def _config(tmp_path: Path, **options: Any) -> dict[str, dict[str, Any]]:
    options.setdefault("machine", Machine(cpus=2, available_memory=24 * GIB))
    return voila_config(notebooks=tmp_path, apps=options.pop("apps", APPS), **options)


def test_public_api() -> None:
    assert set(serve_module.__all__) == {
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
    }
    for name in serve_module.__all__:
        assert getattr(serve_module, name) is not None
    # not in __all__ (built on first use), but Voila imports it by this name
    assert serve_module.WorkbookKernelManager.__name__ == "WorkbookKernelManager"


# --- sizing ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("cpus", "memory_gib", "apps", "expected"),
    [
        (2, 24, 3, 2),  # the project's machines: one per core
        (16, 64, 3, 4),  # never more than 4 per app
        (1, 8, 3, 1),  # one core
        (8, 1, 3, 1),  # little memory: a quarter of 1 GiB holds one kernel, the floor is 1
        (4, 2, 1, 2),  # a quarter of 2 GiB holds 2.5 kernels of 200 MiB
        (4, 0, 3, 1),  # memory unknown or exhausted: still one
    ],
)
def test_pool_size_follows_cores_within_a_quarter_of_memory(
    cpus: int, memory_gib: float, apps: int, expected: int
) -> None:
    assert default_pool_size(Machine(cpus, int(memory_gib * GIB)), apps) == expected


@pytest.mark.parametrize(
    ("memory_gib", "pooled", "expected"),
    [
        (24, 6, int(24 * GIB * 0.75) // KERNEL_MEMORY_BYTES),  # three quarters of the memory
        (0.5, 3, 5),  # at least the pools + 2 visitors
        (0, 0, 2),
    ],
)
def test_kernel_cap_is_three_quarters_of_memory(
    memory_gib: float, pooled: int, expected: int
) -> None:
    assert default_max_kernels(Machine(2, int(memory_gib * GIB)), pooled) == expected


def test_machine_is_measured() -> None:
    machine = Machine.measure()
    assert machine.cpus >= 1 and machine.available_memory > 0


# --- the configuration ------------------------------------------------------------------
def test_config_serves_our_template_without_sources_or_tracebacks(tmp_path: Path) -> None:
    config = _config(tmp_path)
    voila = config["VoilaConfiguration"]
    assert voila["template"] == "workbook"
    assert voila["strip_sources"] is True
    assert voila["show_tracebacks"] is False
    assert voila["allow_template_override"] == voila["allow_theme_override"] == "NO"
    assert voila["progressive_rendering"] is False
    assert voila["multi_kernel_manager_class"] == "workbook.serve.WorkbookKernelManager"
    assert config["WorkbookVoila"]["apps"] == APPS
    # nbclient drops a cell's outputs 4 s after its reply: under load the values app's display came after
    # hundreds of widget messages and was lost (an empty page in the load test).  Voila's executors and
    # its pre-heated kernels both read this config.
    assert config["VoilaExecutor"]["iopub_timeout"] >= 30


def test_config_listens_only_where_asked(tmp_path: Path) -> None:
    app = _config(tmp_path, host="10.1.2.3", port=9999)["Voila"]
    assert (app["ip"], app["port"], app["port_retries"]) == ("10.1.2.3", 9999, 0)
    assert app["open_browser"] is False
    assert app["root_dir"] == str(tmp_path)
    assert _config(tmp_path)["Voila"]["ip"] == "127.0.0.1"


def test_config_preheats_only_the_apps(tmp_path: Path) -> None:
    config = _config(tmp_path, machine=Machine(cpus=2, available_memory=24 * GIB))
    assert config["VoilaConfiguration"]["preheat_kernel"] is True
    assert config["VoilaConfiguration"]["default_pool_size"] == 0
    pools = config["VoilaKernelManager"]["kernel_pools_config"]
    assert pools == {"default": {"pool_size": 0}, "values_assessment.ipynb": {"pool_size": 2},
                     "dime_workshop.ipynb": {"pool_size": 1}, "charter_builder.ipynb": {"pool_size": 1}}


def test_an_explicit_pool_size_applies_to_every_app(tmp_path: Path) -> None:
    config = _config(tmp_path, pool_size=3, machine=Machine(cpus=2, available_memory=24 * GIB))
    pools = config["VoilaKernelManager"]["kernel_pools_config"]
    assert {app: pools[app]["pool_size"] for app in APPS} == dict.fromkeys(APPS, 3)


def test_config_without_preheating(tmp_path: Path) -> None:
    config = _config(tmp_path, preheat=False)
    assert config["VoilaConfiguration"]["preheat_kernel"] is False
    pools = config["VoilaKernelManager"]["kernel_pools_config"].values()
    assert all(pool["pool_size"] == 0 for pool in pools)


def test_pool_kernels_warm_one_per_core_at_once_and_none_are_held_without_preheating(tmp_path: Path) -> None:
    """Issue #12: refills beyond the cores only share them, so the first in the queue waits for everyone."""
    assert _config(tmp_path)["WorkbookKernelManager"]["warming_slots"] == 2  # Machine(cpus=2) in _config
    assert _config(tmp_path, preheat=False)["WorkbookKernelManager"]["warming_slots"] == 0


def test_config_takes_explicit_pool_and_cap(tmp_path: Path) -> None:
    config = _config(tmp_path, pool_size=3, max_kernels=40)
    assert config["VoilaKernelManager"]["kernel_pools_config"][APPS[0]] == {"pool_size": 3}
    assert config["WorkbookKernelManager"]["max_kernels"] == 40


def test_config_culls_idle_kernels_even_with_an_open_tab(tmp_path: Path) -> None:
    culling = _config(tmp_path, cull_idle_seconds=600)["MappingKernelManager"]
    assert culling == {
        "cull_idle_timeout": 600,
        "cull_interval": 60,
        "cull_connected": True,
        "cull_busy": False,
    }
    default = _config(tmp_path)["MappingKernelManager"]
    assert default["cull_idle_timeout"] == serve_module.DEFAULT_CULL_IDLE_SECONDS == 1800
    assert default["cull_interval"] == 60
    assert _config(tmp_path, cull_idle_seconds=8)["MappingKernelManager"]["cull_interval"] == 2


def test_config_releases_disconnected_kernels_and_limits_new_ones(tmp_path: Path) -> None:
    config = _config(tmp_path)
    assert config["WorkbookKernelManager"]["disconnect_seconds"] == serve_module.DEFAULT_DISCONNECT_SECONDS == 120
    assert config["WorkbookVoila"]["page_rate"] == serve_module.DEFAULT_PAGE_RATE == 60
    assert config["WorkbookVoila"]["trusted_proxies"] == []
    custom = _config(tmp_path, disconnect_seconds=5, page_rate=3, trusted_proxies=["10.0.0.1", "192.168.0.0/16"])
    assert custom["WorkbookKernelManager"]["disconnect_seconds"] == 5
    assert custom["WorkbookVoila"]["page_rate"] == 3
    assert custom["WorkbookVoila"]["trusted_proxies"] == ["10.0.0.1/32", "192.168.0.0/16"]


def test_config_carries_the_guard_numbers_with_documented_defaults(tmp_path: Path) -> None:
    default = _config(tmp_path)
    assert {key: default["WorkbookVoila"][key] for key in
            ("refused_rate", "refused_burst", "max_lookups", "recheck_seconds")} == {
        "refused_rate": 120, "refused_burst": 60, "max_lookups": 64, "recheck_seconds": 30}
    assert default["WorkbookKernelManager"]["close_grace_seconds"] == 3
    for option, default_value in (("refused_rate", 120), ("refused_burst", 60), ("max_lookups", 64),
                                  ("close_grace_seconds", 3), ("recheck_seconds", 30)):
        assert f"[default: {default_value}]" in HELP[option]
    custom = _config(tmp_path, refused_rate=0, refused_burst=5, max_lookups=2, close_grace_seconds=0,
                     recheck_seconds=0)
    assert custom["WorkbookVoila"]["refused_rate"] == 0 and custom["WorkbookVoila"]["refused_burst"] == 5
    assert custom["WorkbookVoila"]["max_lookups"] == 2 and custom["WorkbookVoila"]["recheck_seconds"] == 0
    assert custom["WorkbookKernelManager"]["close_grace_seconds"] == 0


def test_config_names_the_server_for_a_proxy_only_when_asked(tmp_path: Path) -> None:
    assert _config(tmp_path)["WorkbookVoila"]["route"] == ""
    assert _config(tmp_path, route="8001")["WorkbookVoila"]["route"] == "8001"
    assert "deploy/nginx/workbook.conf" in HELP["route"]


def test_config_sends_the_security_headers_and_sets_no_login_cookie(tmp_path: Path) -> None:
    voila = _config(tmp_path)["Voila"]
    headers = voila["tornado_settings"]["headers"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    assert voila["identity_provider_class"] == "workbook.web.handlers.CookielessIdentity"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"pool_size": 2, "max_kernels": 6}, "above the 6 pre-heated kernels"),
        ({"pool_size": 0}, "at least 1"),
        ({"cull_idle_seconds": -1}, "0 (never cull)"),
        ({"apps": []}, "no app notebook"),
        ({"disconnect_seconds": -1}, "--disconnect-seconds must be 0"),
        ({"page_rate": -1}, "--page-rate must be 0"),
        ({"refused_rate": -1}, "--refused-rate must be 0"),
        ({"refused_burst": 0}, "--refused-burst must be at least 1"),
        ({"max_lookups": 0}, "--max-lookups must be at least 1"),
        ({"close_grace_seconds": -1}, "--close-grace-seconds must be 0"),
        ({"recheck_seconds": -2}, "--recheck-seconds must be 0"),
        ({"trusted_proxies": ["proxy.example.org"]}, "is not an IP address or network"),
        ({"route": "web 1"}, "--route 'web 1' must be 1 to 32 letters"),
        ({"route": ""}, "must be 1 to 32 letters"),
        ({"route": "a;Path=/"}, "must be 1 to 32 letters"),  # it travels in a cookie
    ],
)
def test_config_refuses_nonsense(tmp_path: Path, options: dict[str, Any], message: str) -> None:
    with pytest.raises(InputError, match=re.escape(message)):
        _config(tmp_path, **options)


def test_config_is_plain_data(tmp_path: Path) -> None:
    json.dumps(_config(tmp_path))


def test_every_option_has_help_text() -> None:
    options = {"db_url": "db", "preheat": "no_preheat", "apps": "app", "trusted_proxies": "trusted_proxy"}
    for name in inspect.signature(serve).parameters:
        assert HELP[options.get(name, name)].strip()


# --- the kernel cap ---------------------------------------------------------------------
def test_kernel_manager_is_importable_by_name() -> None:
    from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
    from traitlets.utils.importstring import import_item

    manager = import_item("workbook.serve.WorkbookKernelManager")
    assert issubclass(manager, AsyncMappingKernelManager)
    assert manager.class_traits()["max_kernels"].default_value == 0


def test_kernel_cap_refuses_kernels_above_the_limit_even_when_started_together(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
    from tornado.web import HTTPError

    async def fake_start(self: Any, *args: Any, **kwargs: Any) -> str:
        await asyncio.sleep(0.05)  # kernels take a while to start: count the ones on their way
        kernel_id = f"k{len(self._kernels)}"
        self._kernels[kernel_id] = object()
        return kernel_id

    monkeypatch.setattr(AsyncMappingKernelManager, "start_kernel", fake_start)
    manager = serve_module.WorkbookKernelManager(max_kernels=2)

    async def start_three() -> list[Any]:
        starts = (manager.start_kernel(path="") for _ in range(3))
        return await asyncio.gather(*starts, return_exceptions=True)

    outcomes = _run(start_three())
    assert outcomes[:2] == ["k0", "k1"]
    assert isinstance(outcomes[2], HTTPError) and outcomes[2].status_code == 503
    assert "Kernel limit reached: 2 kernels alive (max_kernels=2)" in caplog.text


def test_no_cap_when_max_kernels_is_zero(monkeypatch: pytest.MonkeyPatch) -> None:
    from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager

    async def fake_start(self: Any, *args: Any, **kwargs: Any) -> str:
        self._kernels[str(len(self._kernels))] = object()
        return "ok"

    monkeypatch.setattr(AsyncMappingKernelManager, "start_kernel", fake_start)
    manager = serve_module.WorkbookKernelManager()

    async def start_many() -> list[str]:
        return [await manager.start_kernel() for _ in range(5)]

    assert _run(start_many()) == ["ok"] * 5


def test_a_page_kernel_without_a_browser_is_released_after_the_disconnect_time(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Page sent and nobody connected, or the last websocket closed: shut down after
    ``disconnect_seconds`` - unless a browser (re)connects first."""
    from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager

    shut: list[str] = []

    async def fake_shutdown(self: Any, kernel_id: str, *args: Any, **kwargs: Any) -> None:
        shut.append(kernel_id)
        self._kernels.pop(kernel_id)

    monkeypatch.setattr(AsyncMappingKernelManager, "shutdown_kernel", fake_shutdown)
    manager = serve_module.WorkbookKernelManager(disconnect_seconds=1)
    for kernel_id in ("scanned", "closed", "reconnected", "open"):
        manager._kernels[kernel_id] = object()
        manager._kernel_connections[kernel_id] = 0

    async def scenario() -> None:
        for kernel_id in ("scanned", "closed", "reconnected", "open"):
            manager.page_sent(kernel_id)
        for kernel_id in ("closed", "reconnected", "open"):
            manager.notify_connect(kernel_id)
        manager.notify_disconnect("closed")  # tab closed without its unload request
        manager.notify_disconnect("reconnected")  # a blip: back within the time
        await asyncio.sleep(0.5)
        manager.notify_connect("reconnected")
        await asyncio.sleep(1.0)

    _run(scenario())
    assert sorted(shut) == ["closed", "scanned"]
    assert "Shutting down kernel scanned: no browser connected to its page for 1 s" in caplog.text


def test_a_closed_tab_frees_its_kernel_within_seconds_but_never_another_tabs(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """One link, one kernel: two tabs share it, so one tab's unload request must not shut it
    down; a reload's old page says "closed" before or after the new page connects."""
    from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager

    shut: list[str] = []

    async def fake_shutdown(self: Any, kernel_id: str, *args: Any, **kwargs: Any) -> None:
        shut.append(kernel_id)
        self._kernels.pop(kernel_id)

    monkeypatch.setattr(AsyncMappingKernelManager, "shutdown_kernel", fake_shutdown)
    caplog.set_level("INFO")
    # a long disconnect time: only the grace can free them
    manager = serve_module.WorkbookKernelManager(disconnect_seconds=60, close_grace_seconds=0.3)
    kernels = ("alone", "shared", "reloaded-after", "reloaded-before")
    for kernel_id in kernels:
        manager._kernels[kernel_id] = object()
        manager._kernel_connections[kernel_id] = 0

    async def scenario() -> None:
        for kernel_id in kernels:
            manager.page_sent(kernel_id)
            manager.notify_connect(kernel_id)
        manager.notify_connect("shared")  # a second tab (or phone) on the same link
        for kernel_id in kernels:
            manager.page_closed(kernel_id)  # pagehide: its socket is still open
            manager.notify_disconnect(kernel_id)  # then it closes
        manager.notify_connect("reloaded-after")  # the reloaded page connects within the grace
        manager.notify_connect("reloaded-before")
        manager.page_closed("reloaded-before")  # new page connected before the old one's request
        await asyncio.sleep(0.6)

    _run(scenario())
    assert shut == ["alone"]
    assert "Shutting down kernel alone: its page was closed" in caplog.text
    assert manager._release_timers.keys() == set()  # kernels with a browser wait for no timer


def test_a_close_grace_of_zero_leaves_a_closed_tab_to_the_disconnect_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager

    shut: list[str] = []

    async def fake_shutdown(self: Any, kernel_id: str, *args: Any, **kwargs: Any) -> None:
        shut.append(kernel_id)
        self._kernels.pop(kernel_id)

    monkeypatch.setattr(AsyncMappingKernelManager, "shutdown_kernel", fake_shutdown)
    manager = serve_module.WorkbookKernelManager(disconnect_seconds=1, close_grace_seconds=0)
    assert serve_module.WorkbookKernelManager().close_grace_seconds == serve_module.DEFAULT_CLOSE_GRACE_SECONDS == 3
    manager._kernels["k"] = object()
    manager._kernel_connections["k"] = 0

    async def scenario() -> list[str]:
        manager.page_sent("k")
        manager.notify_connect("k")
        manager.page_closed("k")  # the unload request: with no grace it changes nothing
        await asyncio.sleep(0.3)
        assert manager._release_timers == {}
        manager.notify_disconnect("k")
        await asyncio.sleep(0.5)
        early = list(shut)
        await asyncio.sleep(0.8)  # the disconnect time (1 s) frees it
        return early

    assert _run(scenario()) == [] and shut == ["k"]


def test_no_release_when_disconnect_seconds_is_zero(monkeypatch: pytest.MonkeyPatch) -> None:
    manager = serve_module.WorkbookKernelManager(disconnect_seconds=0)
    manager._kernels["k"] = object()
    manager._kernel_connections["k"] = 0

    async def scenario() -> None:
        manager.page_sent("k")
        await asyncio.sleep(0.1)

    _run(scenario())
    assert manager._release_timers == {} and "k" in manager._kernels


# --- serve() checks before starting anything ---------------------------------------------
def test_serve_refuses_a_missing_folder_or_notebook(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        serve(notebooks=tmp_path / "missing")
    with pytest.raises(InputError, match="no such notebook"):
        serve(notebooks=tmp_path, apps=["missing.ipynb"])
    with pytest.raises(InputError, match="no app notebook"):
        serve(notebooks=tmp_path)


def test_serve_refuses_a_port_in_use(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "app.ipynb").write_text("{}")
    monkeypatch.delenv("WORKBOOK_DB", raising=False)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(InputError, match=f"port {port} on 127.0.0.1 is in use"):
            serve(
                notebooks=tmp_path,
                apps=["app.ipynb"],
                port=port,
                db_url=str(tmp_path.parent / "x.db"),
            )
    assert "WORKBOOK_DB" not in os.environ  # nothing was changed


def test_serve_keeps_the_database_out_of_the_served_folder(tmp_path: Path) -> None:
    (tmp_path / "app.ipynb").write_text("{}")
    with pytest.raises(InputError, match="inside the served folder"):
        serve(notebooks=tmp_path, apps=["app.ipynb"], db_url=str(tmp_path / "workbook.db"))


def test_kernels_get_an_absolute_database_url(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    url = server_module._kernel_db_url("sqlite:///relative.db", tmp_path / "notebooks")
    assert url == f"sqlite:///{tmp_path / 'relative.db'}"
    postgres = "postgresql://user:secret@db.example.org/workbook"
    expected = "postgresql+psycopg://user:secret@db.example.org/workbook"
    assert server_module._kernel_db_url(postgres, tmp_path) == expected


def test_importing_serve_stays_cheap() -> None:
    """``workbook --help`` imports HELP from here: no voila, no jupyter_server."""
    code = (
        "import sys, workbook.serve; heavy = ('voila', 'jupyter_server'); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    out = run.stdout
    assert out.strip() == "[]"


# --- the template ---------------------------------------------------------------------------
def test_template_extends_lab() -> None:
    assert json.loads((TEMPLATE / "conf.json").read_text())["base_template"] == "lab"
    index = (TEMPLATE / "index.html.j2").read_text()
    assert "extends 'voila/templates/lab/index.html.j2'" in index
    assert '<html lang="en-GB">' in index
    assert '<html lang="en-GB">' in (TEMPLATE / "page.html").read_text()


def test_template_names_no_other_host() -> None:
    # The built page script carries library strings and licence texts that name
    # project sites (never fetched): tests/test_frontend.py checks it loads
    # nothing, and the browser tests block and report any outside request.
    built = {"workbook-widgets.js", "workbook-widgets.js.LEGAL.txt"}
    for path in TEMPLATE.rglob("*"):
        if path.is_file() and path.name not in built:
            text = path.read_text(encoding="utf-8")
            assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", text, re.IGNORECASE), path


def test_template_credits_dime_and_shows_our_loading_message() -> None:
    index = (TEMPLATE / "index.html.j2").read_text(encoding="utf-8")
    assert "DIME™ is a trademark of Chris Smoje (dimecustomerservice.com)" in index
    assert "Loading your questionnaire…" in index
    assert 'id="loading_text"' not in index  # Voila would write "Executing 1 of 3" into it


@pytest.mark.parametrize(
    ("base", "loopback"),
    [("http://127.0.0.1:8866", True), ("http://localhost:8866", True), ("http://[::1]:8866", True),
     ("http://10.0.0.5:8866", False), ("http://workbook-laptop:8866", False)],
)
def test_plain_http_beyond_this_machine_is_flagged(base: str, loopback: bool) -> None:
    from workbook.links import is_loopback_url

    assert is_loopback_url(base) is loopback


def _workbook_serve(tmp_path: Path, *args: str) -> Any:
    """``workbook --db ... serve ARGS`` in-process (the tests' servers run ``python -m workbook ... serve``)."""
    from click.testing import CliRunner

    from workbook.cli import cli

    return CliRunner().invoke(cli, ["--db", str(tmp_path / "serve.db"), "serve", *args], catch_exceptions=False)


@pytest.mark.parametrize("error", [InputError("the notebooks folder /x does not exist"),
                                   SecretKeyError("the secret key file /k is unreadable; restore it")])
def test_workbook_serve_prints_any_workbook_error_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: Exception
) -> None:
    def refuse(**_options: Any) -> None:
        raise error

    monkeypatch.setattr(serve_module, "serve", refuse)
    result = _workbook_serve(tmp_path, "--port", "8999")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [f"workbook: error: {error}"]


def test_python_m_workbook_is_the_workbook_command() -> None:
    run = subprocess.run([sys.executable, "-m", "workbook", "serve", "--help"], capture_output=True, text=True,
                         check=True)
    assert "--notebooks DIR" in run.stdout and "--app NOTEBOOK" in run.stdout
    assert subprocess.run([sys.executable, "-m", "workbook.serve"], capture_output=True).returncode != 0


def test_each_serve_default_is_defined_once() -> None:
    """The click options, serve() and voila_config() take their defaults from workbook.serve.options."""
    from workbook.cli import cli
    from workbook.serve import options

    command = cli.commands["serve"]
    clicked = {param.name: param.default for param in command.params
               if not getattr(param, "is_flag", False) and not getattr(param, "multiple", False)}
    for function in (serve, voila_config):
        for name, parameter in inspect.signature(function).parameters.items():
            if name in clicked and parameter.default is not inspect.Parameter.empty:
                assert clicked[name] == parameter.default, (function.__name__, name)
    assert clicked["host"] == options.DEFAULT_HOST and clicked["port"] == options.DEFAULT_PORT
    for name in ("cull_idle_seconds", "disconnect_seconds", "page_rate", "refused_rate", "refused_burst",
                 "max_lookups", "close_grace_seconds", "recheck_seconds"):
        assert clicked[name] == getattr(options, f"DEFAULT_{name.upper()}")
        assert f"[default: {clicked[name]}]" in options.HELP[name]
    # every option of serve() is an option of the command (db_url is the group's --db)
    names = {param.name for param in command.params}
    renamed = {"preheat": "no_preheat"}
    for name in inspect.signature(serve).parameters:
        assert renamed.get(name, name) in names or name == "db_url", name


# --- serve --lan -----------------------------------------------------------------------------
def test_serve_lan_without_any_network_is_one_clear_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from workbook import network

    monkeypatch.setattr(network, "route_addresses", lambda: [])
    monkeypatch.setattr(network, "interface_addresses", lambda: ["127.0.0.1"])
    monkeypatch.setattr(network, "hostname_addresses", lambda: ["127.0.1.1"])
    result = _workbook_serve(tmp_path, "--lan", "--port", "8999")
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "no network address found" in lines[0]


def test_serve_lan_and_host_together_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from workbook import network

    monkeypatch.setattr(network, "route_addresses", lambda: ["192.168.1.23"])
    with pytest.raises(InputError, match="leave out --host"):
        serve(lan=True, host="0.0.0.0")


def test_serve_lan_announces_each_address_with_the_plain_http_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _config(tmp_path)
    url = server_module._announce("http://192.168.1.23:8866", APPS, config, also=["http://10.8.0.5:8866"])
    printed = capsys.readouterr().out
    assert "Serving the workbook at http://192.168.1.23:8866" in printed
    assert "also at http://10.8.0.5:8866" in printed
    assert "WARNING: listening beyond this machine over plain HTTP" in printed
    assert "workbook invites ORG --base-url http://192.168.1.23:8866" in printed
    assert url.startswith("http://192.168.1.23:8866/voila/render/")


def test_the_trust_warning_is_filtered_and_nothing_else() -> None:
    """jupyter_server logs "Notebook X is not trusted" for every page Voila opens; the server drops that line only."""
    import logging

    def record(msg: str, *args: object) -> logging.LogRecord:
        return logging.LogRecord("Voila", logging.WARNING, __file__, 1, msg, args, None)

    assert app_module._quiet_trust_warning(record("Notebook %s is not trusted", "values_assessment.ipynb")) is False
    assert app_module._quiet_trust_warning(record("Kernel %s died", "abc")) is True


def test_the_log_filter_keeps_no_record_and_the_voila_class_is_built_once() -> None:
    """The filter sees every log line of a long-running server: it must not remember them
    (it once sat under a stray functools.cache meant for _voila_class)."""
    import logging

    assert not hasattr(app_module._quiet_trust_warning, "cache_info")
    assert hasattr(app_module._voila_class, "cache_info")
    record = logging.LogRecord("voila", logging.INFO, __file__, 1, "Kernel %s started", ("abc",), None)
    assert app_module._quiet_trust_warning(record) is True


# --- kernels forked from a zygote (--fork-kernels) --------------------------------------------
def test_fork_kernels_launch_through_the_fork_provisioner_by_default_on_linux_only(tmp_path: Path) -> None:
    from importlib.metadata import entry_points

    from workbook.serve.forking import ForkProvisioner
    from workbook.serve.options import DEFAULT_FORK_KERNELS

    assert DEFAULT_FORK_KERNELS is (sys.platform == "linux")
    assert "KernelProvisionerFactory" not in _config(tmp_path, fork_kernels=False)
    assert ("KernelProvisionerFactory" in _config(tmp_path)) is DEFAULT_FORK_KERNELS
    config = _config(tmp_path, fork_kernels=True)
    name = config["KernelProvisionerFactory"]["default_provisioner_name"]
    # jupyter_client finds provisioners by entry point: the name must lead to our class once installed.
    (found,) = [e for e in entry_points(group="jupyter_client.kernel_provisioners") if e.name == name]
    assert found.load() is ForkProvisioner


@pytest.fixture
def fork_manager() -> Any:
    """A jupyter_client kernel manager whose provisioner is ``--fork-kernels``' (as the server configures it)."""
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_client.provisioning.factory import KernelProvisionerFactory
    from traitlets.config import Config, LoggingConfigurable

    config = Config({"KernelProvisionerFactory": {"default_provisioner_name": "workbook-fork-provisioner"}})
    KernelProvisionerFactory.clear_instance()  # a singleton: made again with this configuration
    yield lambda: AsyncKernelManager(parent=LoggingConfigurable(config=config))
    KernelProvisionerFactory.clear_instance()


async def _say(manager: Any, code: str) -> str:
    """Run ``code`` in the manager's kernel; what it printed."""
    printed: list[str] = []
    client = manager.client()
    client.start_channels()
    try:
        await client.wait_for_ready(timeout=60)
        reply = await client.execute_interactive(
            code, timeout=30, output_hook=lambda msg: printed.append(msg["content"].get("text", "")))
        assert reply["content"]["status"] == "ok"
    finally:
        client.stop_channels()
    return "".join(printed)


def test_fork_provisioner_starts_the_plain_way_without_a_zygote(tmp_path: Path, fork_manager: Any) -> None:
    """No zygote (not started, or gone): the kernel is a plain child process of the server, and it runs."""

    async def go() -> str:
        manager = fork_manager()
        await manager.start_kernel(cwd=str(tmp_path))
        try:
            assert type(manager.provisioner).__name__ == "ForkProvisioner"
            assert isinstance(manager.provisioner.process, subprocess.Popen)
            return await _say(manager, "import os; print(os.getppid())")
        finally:
            await manager.shutdown_kernel(now=True)

    assert _run(go()).split() == [str(os.getpid())]


def test_a_forked_kernel_has_its_folder_and_environment_and_its_death_is_seen(
    tmp_path: Path, fork_manager: Any
) -> None:
    """The zygote forks a kernel with the folder and environment jupyter_client gives it; kill -9 is noticed."""
    import signal

    from workbook.serve import forking

    async def go() -> tuple[str, int, int | None, bool]:
        zygote = forking.start()
        manager = fork_manager()
        try:
            await manager.start_kernel(cwd=str(tmp_path), env={**os.environ, "WORKBOOK_FORK_PROBE": "here"})
            process = manager.provisioner.process
            assert isinstance(process, forking.ForkedKernel)
            said = await _say(manager, "import os; print(os.getcwd(), os.environ['WORKBOOK_FORK_PROBE'], os.getppid())")
            os.kill(process.pid, signal.SIGKILL)
            for _ in range(100):
                if not await manager.is_alive():
                    break
                await asyncio.sleep(0.1)
            return said, zygote.pid or 0, process.poll(), await manager.is_alive()
        finally:
            await manager.shutdown_kernel(now=True)
            forking.stop()

    said, zygote_pid, code, alive = _run(go())
    assert said.split() == [str(tmp_path), "here", str(zygote_pid)]  # a child of the zygote, not of the server
    assert code == -signal.SIGKILL and not alive  # the zygote reaped it and said how it ended

"""Real headless Chromium against a real ``workbook serve``, fully offline.

Used by ``tests/browser/conftest.py`` and ``benchmarks/time_to_first_input.py``:

* :class:`VoilaServer` - ``python -m workbook --db URL serve`` in a subprocess on a free
  port; stopped like Ctrl-C, and every kernel it started is gone afterwards.
* :func:`launch_chromium` - the Debian ``/usr/bin/chromium`` through Playwright
  (no ``playwright install``), headless, with a fresh empty profile.
* :class:`OutsideRequests` - aborts and records every request whose host is
  not 127.0.0.1, so a test proves the page works with no internet.
* :func:`wait_for_widgets`, :func:`screenshot`.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, ElementHandle, Page, Playwright, Response, Route

__all__ = [
    "CHROMIUM",
    "CHROMIUM_ARGS",
    "LOCAL_HOST",
    "SCREENS_DIR",
    "WIDGET_SELECTOR",
    "OutsideRequests",
    "VoilaServer",
    "demo_statuses",
    "free_port",
    "in_ci",
    "launch_chromium",
    "open_page",
    "screenshot",
    "seed_demo_database",
    "still_running",
    "wait_for_widgets",
]

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
)
LOCAL_HOST = "127.0.0.1"
SCREENS_DIR = ROOT / "tests" / "artifacts" / "screens"
#: The first thing a person can use on an app page.
WIDGET_SELECTOR = ".jupyter-widgets .widget-button, .jupyter-widgets input"
#: Schemes that never leave the browser.
_LOCAL_SCHEMES = frozenset({"data", "blob", "about", "chrome-extension"})


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOCAL_HOST, 0))
        port: int = probe.getsockname()[1]
        return port


# --- the server ----------------------------------------------------------------------
@dataclass
class VoilaServer:
    """A ``workbook serve`` subprocess (see :meth:`start`)."""

    base_url: str
    db_url: str
    log_path: Path
    process: subprocess.Popen[bytes]
    apps: tuple[str, ...] = ()

    @classmethod
    @contextmanager
    def start(
        cls,
        *,
        db_url: str,
        log_path: Path,
        notebooks: Path | None = None,
        apps: Sequence[str] = (),
        extra_args: Sequence[str] = (),
        timeout: float = 60.0,
        port: int | None = None,
    ) -> Iterator[VoilaServer]:
        """Run the server until the block ends; always stop it and its kernels.

        ``port``: where it listens (a proxy's configuration names it); default a free one.
        """
        port = port or free_port()
        command = [
            sys.executable,
            "-m",
            "workbook",
            "--db",
            db_url,
            "serve",
            "--host",
            LOCAL_HOST,
            "--port",
            str(port),
            *extra_args,
        ]
        if notebooks is not None:
            command += ["--notebooks", str(notebooks)]
        for app in apps:
            command += ["--app", app]
        env = {**os.environ, "WORKBOOK_DB": db_url, "PYTHONUNBUFFERED": "1"}
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=ROOT
            )
        server = cls(f"http://{LOCAL_HOST}:{port}", db_url, log_path, process, tuple(apps))
        try:
            server.wait_until_up(timeout)
            yield server
        finally:
            server.stop()

    def url(self, path: str) -> str:
        return self.base_url + path

    def app_url(self, notebook: str, **query: str) -> str:
        from urllib.parse import urlencode

        suffix = f"?{urlencode(query)}" if query else ""
        return f"{self.base_url}/voila/render/{notebook}{suffix}"

    def log_text(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def wait_until_up(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"workbook serve exited with {self.process.returncode}:\n{self.log_text()}"
                )
            try:
                with urllib.request.urlopen(self.url("/healthz"), timeout=2) as reply:
                    if reply.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.1)
        raise TimeoutError(
            f"workbook serve did not answer within {timeout:.0f} s:\n{self.log_text()}"
        )

    def wait_for_log(self, pattern: str, count: int = 1, timeout: float = 60.0) -> None:
        """Wait until ``pattern`` (a regex) appears ``count`` times in the log."""
        deadline = time.monotonic() + timeout
        while len(re.findall(pattern, self.log_text())) < count:
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise TimeoutError(
                    f"{pattern!r} not seen {count} time(s) in the server log:\n{self.log_text()}"
                )
            time.sleep(0.1)

    def wait_for_pools(self, timeout: float = 90.0) -> None:
        """Wait until every app's pool of pre-heated kernels is full and warm (waiting for a page)."""
        for app in self.apps:
            self.wait_for_log(rf"Kernel pool of {re.escape(app)} is warm", timeout=timeout)

    def wait_for_quiet_kernels(self, timeout: float = 120.0, window: float = 0.5) -> None:
        """Wait until no kernel uses the CPU: pre-heated kernels have run their
        notebook up to ``get_query_string()`` and wait for a visitor."""
        import psutil

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            kernels = [psutil.Process(pid) for pid in self.kernel_pids()]
            try:
                before = [sum(k.cpu_times()[:2]) for k in kernels]
                time.sleep(window)
                after = [sum(k.cpu_times()[:2]) for k in kernels]
            except psutil.NoSuchProcess:
                continue
            if kernels and all(b - a < 0.05 * window for a, b in zip(before, after, strict=True)):
                return
        raise TimeoutError(f"kernels still busy after {timeout:.0f} s:\n{self.log_text()}")

    def processes(self) -> list[int]:
        """Every process the server started, however deep: kernels, the chart renderer and the kernel
        zygote (``--fork-kernels``)."""
        import psutil

        try:
            return [
                child.pid for child in psutil.Process(self.process.pid).children(recursive=True)
            ]
        except psutil.NoSuchProcess:
            return []

    def _child_running(self, marker: str) -> int | None:
        """The server's own child process whose command line names ``marker``."""
        import psutil

        try:
            for child in psutil.Process(self.process.pid).children():
                with contextlib.suppress(psutil.NoSuchProcess):
                    if any(marker in part for part in child.cmdline()):
                        return int(child.pid)
        except psutil.NoSuchProcess:
            pass
        return None

    def zygote_pid(self) -> int | None:
        """The kernel zygote: the server's own child that forks the kernels (None when kernels start plainly)."""
        return self._child_running("workbook.serve.zygote")

    def chart_renderer_pid(self) -> int | None:
        """The server's chart renderer (``workbook.serve.chart_renderer``), one for all kernels."""
        return self._child_running("workbook.serve.chart_renderer")

    def kernel_pids(self) -> list[int]:
        """The kernels alone: the server's processes without the zygote (forked kernels are its
        children) and the chart renderer."""
        helpers = {self.zygote_pid(), self.chart_renderer_pid()}
        return [pid for pid in self.processes() if pid not in helpers]

    def kernel_pid(self, kernel_id: str) -> int:
        """The process of the kernel with this id.

        A plain kernel's command line names its connection file
        (``kernel-<id>.json``); a kernel forked from the zygote
        (``--fork-kernels``) has the zygote's command line, but listens on Unix
        sockets named after the same file (``kernel-<id>-ipc-N``).
        """
        import psutil

        for pid in self.kernel_pids():
            try:
                process = psutil.Process(pid)
                if any(kernel_id in part for part in process.cmdline()):
                    return pid
                if any(kernel_id in str(c.laddr) for c in process.net_connections(kind="unix")):
                    return pid
            except psutil.NoSuchProcess:
                continue
        raise AssertionError(f"no process for kernel {kernel_id}")

    def stop(self, timeout: float = 30.0) -> int:
        """Stop like Ctrl-C; kill whatever is left (server or kernels)."""
        import psutil

        kernels = self.processes()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        for pid in kernels:
            try:
                psutil.Process(pid).kill()
            except psutil.NoSuchProcess:
                continue
        return self.process.returncode


# --- raw requests ------------------------------------------------------------------------
@dataclass
class Reply:
    """One HTTP answer as it came: status, every header (repeats kept), body text."""

    status: int
    headers: list[tuple[str, str]]
    body: str

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    def cookies(self) -> dict[str, str]:
        """``Set-Cookie`` lines by cookie name (the whole line, attributes included)."""
        lines = [v for k, v in self.headers if k.lower() == "set-cookie"]
        return {line.split("=", 1)[0]: line for line in lines}


#: The server's "getting your page ready" page, which reloads itself after the given seconds.
WAITING_PAGE = re.compile(r'<meta name="workbook-waiting" content="(\d+)">')


def raw_request(
    server: VoilaServer, method: str, path: str, headers: dict[str, str] | None = None, body: bytes | None = None,
    *, source: str | None = None, follow_waiting: bool = True,
) -> Reply:
    """Send exactly this request (no client-side clean-up of the path, no cookies unless given).

    ``source``: the loopback address to send from (e.g. ``127.0.0.2``), so that a
    test can play a second client address against the per-address limits.
    ``follow_waiting``: when the server answers with its "getting your page ready"
    page (no warm kernel yet), reload as that page does, with its cookie, until the
    page itself comes; the reply is the last one.
    """
    import http.client

    parts = urlsplit(server.base_url)
    sent = dict(headers or {})
    for _reload in range(240):
        connection = http.client.HTTPConnection(parts.hostname or LOCAL_HOST, parts.port, timeout=60,
                                                source_address=(source, 0) if source else None)
        try:
            connection.request(method, path, body=body, headers=sent)
            answer = connection.getresponse()
            reply = Reply(answer.status, answer.getheaders(), answer.read().decode("utf-8", "replace"))
        finally:
            connection.close()
        waiting = WAITING_PAGE.search(reply.body) if reply.status == 200 else None
        if waiting is None or not follow_waiting:
            return reply
        cookie = reply.cookies()["wb_waiting"].split(";", 1)[0]
        given = (headers or {}).get("Cookie")
        sent["Cookie"] = f"{given}; {cookie}" if given else cookie
        time.sleep(float(waiting.group(1)))
    return reply


def still_running(pids: list[int]) -> list[int]:
    """The processes of ``pids`` still alive (a zombie waiting to be reaped has ended)."""
    import psutil

    alive = []
    for pid in pids:
        try:
            if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                alive.append(pid)
        except psutil.NoSuchProcess:
            continue
    return alive


def open_page(page: Page, url: str, timeout: float = 240.0) -> tuple[Response, str]:
    """Open ``url`` as a person would; returns the page's own response and HTML.

    When the server first answers with "getting your page ready" (no warm kernel
    yet, as on a busy CI machine), the page reloads itself; this waits for that
    instead of reloading from outside, which would race the page's own refresh.
    """
    landed: list[Response] = []

    def keep(response: Response) -> None:
        if response.request.is_navigation_request() and response.frame == page.main_frame:
            landed.append(response)

    page.on("response", keep)
    try:
        first = page.goto(url)
        assert first is not None and first.ok, first
        from playwright.sync_api import Error

        deadline = time.monotonic() + timeout
        while True:  # the page's own refresh may replace the document while we look at it
            try:
                page.wait_for_function(
                    "() => document.readyState !== 'loading' && !document.querySelector('meta[name=workbook-waiting]')",
                    timeout=max(1.0, deadline - time.monotonic()) * 1000, polling=250,
                )
                break
            except Error as error:
                if "context was destroyed" not in str(error) or time.monotonic() > deadline:
                    raise
    finally:
        page.remove_listener("response", keep)
    response = landed[-1] if landed else first
    assert response.ok, response
    html = response.text()
    assert not WAITING_PAGE.search(html)
    return response, html


def websocket_handshake(server: VoilaServer, path: str, headers: dict[str, str],
                        *, source: str | None = None) -> tuple[int, socket.socket]:
    """Open a websocket the raw way; returns the status (101: accepted) and the open socket.

    The caller closes the socket (closing it is what a vanished browser looks like).
    """
    import base64

    parts = urlsplit(server.base_url)
    sock = socket.create_connection((parts.hostname or LOCAL_HOST, parts.port or 80), timeout=30,
                                    source_address=(source, 0) if source else None)
    lines = [f"GET {path} HTTP/1.1", f"Host: {parts.netloc}", "Upgrade: websocket", "Connection: Upgrade",
             f"Sec-WebSocket-Key: {base64.b64encode(os.urandom(16)).decode()}", "Sec-WebSocket-Version: 13",
             *(f"{name}: {value}" for name, value in headers.items())]
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
    answer = b""
    while b"\r\n" not in answer:
        chunk = sock.recv(4096)
        if not chunk:
            break
        answer += chunk
    status = int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/") else 0
    return status, sock


def page_cookies(reply: Reply) -> str:
    """A ``Cookie`` header with every cookie an app page set (what a browser sends back)."""
    return "; ".join(line.split(";", 1)[0] for line in reply.cookies().values())


def kernel_id_of(html: str) -> str:
    found = re.search(r'"kernelId": "([0-9a-f-]{36})"', html)
    assert found, "no kernel id in the page"
    return found.group(1)


# --- the browser ------------------------------------------------------------------------
def launch_chromium(playwright: Playwright) -> Browser:
    """Debian's Chromium, headless; Playwright gives every launch a new empty profile."""
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=list(CHROMIUM_ARGS)
    )


@dataclass
class OutsideRequests:
    """Abort and remember every request that would leave 127.0.0.1."""

    attempted: list[str] = field(default_factory=list)

    def install(self, context: BrowserContext) -> None:
        context.route("**/*", self._route)
        context.on(
            "page", lambda page: page.on("websocket", lambda ws: self._check_websocket(ws.url))
        )

    def _route(self, route: Route) -> None:
        url = route.request.url
        if self.is_outside(url):
            self.attempted.append(f"{route.request.method} {url}")
            route.abort("blockedbyclient")
        else:
            route.continue_()

    def _check_websocket(self, url: str) -> None:
        if self.is_outside(url):  # cannot be aborted here, but the test fails
            self.attempted.append(f"WEBSOCKET {url}")

    @staticmethod
    def is_outside(url: str) -> bool:
        parts = urlsplit(url)
        return parts.scheme not in _LOCAL_SCHEMES and parts.hostname != LOCAL_HOST


def wait_for_widgets(
    page: Page, selector: str = WIDGET_SELECTOR, timeout: float = 60.0
) -> ElementHandle:
    """Wait until a widget a person can use is visible and enabled (not page load).

    Voila shows widgets a few seconds after the page has loaded; its console
    warnings about front-end versions are not failures.
    """
    handle = page.wait_for_selector(
        f":is({selector}):not([disabled])", state="visible", timeout=timeout * 1000
    )
    assert handle is not None
    return handle


#: Voila's page shell scrolls inside itself, so "full page" would stop at the window.
_CONTENT_HEIGHT = """() => Math.max(document.documentElement.scrollHeight,
    ...Array.from(document.querySelectorAll('#main, #jp-main-content-panel, #rendered_cells'),
                  element => element.scrollHeight))"""


def screenshot(page: Page, name: str) -> Path:
    """Save the whole page as ``tests/artifacts/screens/<name>.png`` (gitignored)."""
    SCREENS_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENS_DIR / f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', name)}.png"
    window = page.viewport_size
    height = int(page.evaluate(_CONTENT_HEIGHT))
    if window and height > window["height"]:  # grow the window to the content, then put it back
        page.set_viewport_size({"width": window["width"], "height": min(height, 16_000)})
        page.wait_for_timeout(200)  # let the shell lay itself out again
        try:
            page.screenshot(path=str(path), full_page=True)
        finally:
            page.set_viewport_size(window)
    else:
        page.screenshot(path=str(path), full_page=True)
    return path


# --- the demo organisation -------------------------------------------------------------
def seed_demo_database(folder: Path) -> str:
    """A new SQLite file in ``folder`` holding the demo organisation; returns its URL."""
    from workbook.demo import seed_demo
    from workbook.store import open_store

    url = f"sqlite:///{folder / 'workbook.db'}"
    with open_store(url) as store:
        seed_demo(store)
    return url


def demo_tokens(db_url: str) -> list[str]:
    """Every demo person's invite token, in list order."""
    return list(demo_statuses(db_url))


def demo_statuses(db_url: str) -> dict[str, str]:
    """Each demo person's invite token and where they are in the current cycle, in list order."""
    from workbook.store import open_store

    with open_store(db_url) as store:
        cycle = store.responses.cycle("demo").id
        return {i.token: store.responses.submission(i.person.id, cycle).status for i in store.people.invites("demo")}

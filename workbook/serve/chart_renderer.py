"""One long-lived process that draws every kernel's charts, for ``workbook serve``.

Why: vl-convert starts a V8 engine the first time a process draws a chart,
about half a CPU second, and then holds it in memory.  A results page drew its
charts in the respondent's own kernel, a fresh one each time, so every person
who submitted paid for the engine.  Under load (``benchmarks/load.py``, 100
respondents on 2 cores, issue #12) results pages were the largest single use
of CPU, and answers being saved waited behind them: save p95 1.1 s, against
0.14 s in the same run with the results page left blank.

So the server starts this renderer once, next to the kernel zygote.  It warms
its engine, then draws whatever Vega-Lite spec a kernel sends over a Unix
socket (in a folder only the server's user can open).  A kernel finds the
socket in ``$WORKBOOK_CHART_RENDERER`` (:data:`ENV`); :func:`render` returns
``None`` when there is no renderer or it cannot be reached, and the caller
(:func:`workbook.charts.spec_to_svg`) draws in-process then, as papermill and
JupyterLab always do.  The server restarts a renderer that ends (a few times a
minute at most); until it is back, kernels draw their own charts.

Wire format, one request per connection: 4-byte big-endian length and the
spec as JSON; the reply is one byte (``S`` an SVG, ``E`` vl-convert's error),
a 4-byte length and UTF-8 text.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from workbook.settings import CHART_RENDERER_ENV

__all__ = ["ENV", "ChartRenderer", "RenderError", "main", "render", "running"]

#: The environment variable that tells a kernel where the renderer listens.
ENV = CHART_RENDERER_ENV
#: How long a kernel waits for its chart.  Long, because a queue of results pages under
#: load is normal; past it the renderer is taken to be stuck and the kernel draws its own.
REPLY_SECONDS = 60.0
#: How long the renderer waits for a connected kernel to send its request (a kernel
#: killed mid-request closes its socket at once; this only bounds a frozen one).
REQUEST_SECONDS = 5.0
#: At most this many restarts in :data:`RESTART_WINDOW` seconds; then kernels draw their own.
RESTARTS = 5
RESTART_WINDOW = 60.0
#: Charts are drawn after the server and the kernels have had the CPU they need (Unix niceness):
#: a results page a moment later is better than every open questionnaire's answer waiting.
NICENESS = 10
#: The warm-up chart: small, but through the whole of Vega-Lite and Vega.
WARM_UP_SPEC: dict[str, Any] = {
    "data": {"values": [{"value": "A", "score": 3.0}]},
    "mark": "bar",
    "encoding": {"x": {"field": "value", "type": "nominal"}, "y": {"field": "score", "type": "quantitative"}},
}

log = logging.getLogger("workbook.serve.chart_renderer")
_HEADER = struct.Struct(">I")
_MAIN = "import sys; from workbook.serve.chart_renderer import main; sys.exit(main(sys.argv[1:]))"
_stuck = False  # this process gave up on the renderer once it timed out (4 charts x 60 s is too long a wait)


class RenderError(ValueError):
    """vl-convert refused the spec (the same error as drawing in-process would raise)."""


# --- a kernel's side ---------------------------------------------------------------------
def render(spec: dict[str, Any]) -> str | None:
    """The spec drawn as SVG by the server's renderer; ``None`` if there is none to ask.

    Raises :class:`RenderError` when the renderer was reached and vl-convert
    refused the spec, so a bad chart fails the same way wherever it is drawn.
    """
    global _stuck
    path = os.environ.get(ENV)
    if not path or _stuck:
        return None
    request = json.dumps(spec).encode()
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as channel:
            channel.settimeout(REPLY_SECONDS)
            channel.connect(path)
            channel.sendall(_HEADER.pack(len(request)) + request)
            kind = _receive(channel, 1)
            (size,) = _HEADER.unpack(_receive(channel, _HEADER.size))
            text = _receive(channel, size).decode()
    except TimeoutError:
        _stuck = True
        log.warning("The chart renderer did not answer within %.0f s; this page draws its own charts",
                    REPLY_SECONDS)
        return None
    except OSError as error:  # not started yet, restarting, or gone: draw here this time
        log.info("The chart renderer could not be reached (%s); drawing the chart here", error)
        return None
    if kind == b"E":
        raise RenderError(text)
    return text


def _receive(channel: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        part = channel.recv(size - len(data))
        if not part:
            raise ConnectionResetError("the connection closed mid-message")
        data += part
    return data


# --- the renderer process -------------------------------------------------------------
def main(argv: list[str]) -> int:
    """The renderer process (``SOCKET`` its one argument): draw charts until stdin closes."""
    # Ctrl-C in the server's terminal reaches this process too; the server stops it itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with contextlib.suppress(OSError):
        os.nice(NICENESS)
    import vl_convert as vlc

    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(argv[0])
    listener.listen(128)  # kernels asking while the engine warms wait here
    # The server holds our stdin open; when it ends (even by kill -9), so do we.
    threading.Thread(target=_exit_when_server_ends, name="server-watch", daemon=True).start()
    vlc.vegalite_to_svg(WARM_UP_SPEC)
    while True:
        connection, _ = listener.accept()
        with connection, contextlib.suppress(OSError):  # a kernel that died mid-request: on to the next
            _answer(connection, vlc)


def _answer(connection: socket.socket, vlc: Any) -> None:
    connection.settimeout(REQUEST_SECONDS)
    (size,) = _HEADER.unpack(_receive(connection, _HEADER.size))
    spec = _receive(connection, size).decode()
    try:
        kind, text = b"S", vlc.vegalite_to_svg(spec)
    except Exception as error:  # vl-convert's own message, raised again in the kernel
        kind, text = b"E", str(error) or type(error).__name__
    reply = text.encode()
    connection.sendall(kind + _HEADER.pack(len(reply)) + reply)


def _exit_when_server_ends() -> None:
    with contextlib.suppress(OSError):
        while sys.stdin.buffer.read(1 << 12):
            pass
    os._exit(0)


# --- the server's side -------------------------------------------------------------------
class ChartRenderer:
    """The server's handle: starts the renderer, restarts it if it ends, stops it with the server."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="workbook-charts-"))  # mode 0700: this user only
        self.socket_path = str(self.folder / "renderer.sock")
        self.restarts: list[float] = []
        self._process: subprocess.Popen[bytes] | None = None
        self._stopping = threading.Event()
        self._lock = threading.Lock()

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def start(self) -> None:
        """Start the process (it warms its engine while the server starts) and a thread that watches it."""
        self._launch()
        threading.Thread(target=self._watch, name="workbook-chart-renderer", daemon=True).start()

    def _launch(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.socket_path)  # a socket left by a renderer that ended
        with self._lock:
            self._process = subprocess.Popen(
                # not ``-m``: the package imports this module first, and runpy warns about that
                [sys.executable, "-c", _MAIN, self.socket_path],
                stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
            )

    def _watch(self) -> None:
        while not self._stopping.is_set():
            process = self._process
            assert process is not None
            code = process.wait()
            if self._stopping.is_set():
                return
            now = time.monotonic()
            self.restarts = [t for t in self.restarts if now - t < RESTART_WINDOW]
            if len(self.restarts) >= RESTARTS:
                log.warning("The chart renderer ended (exit %s) %d times in a minute; kernels draw their "
                            "own charts from now on", code, len(self.restarts) + 1)
                return
            self.restarts.append(now)
            log.warning("The chart renderer ended (exit %s); restarting it", code)
            if self._stopping.wait(1.0):
                return
            self._launch()

    def stop(self, timeout: float = 5.0) -> None:
        """Close its stdin (it exits), wait, kill it if it lingers, and remove its folder."""
        self._stopping.set()
        with self._lock:
            process = self._process
        if process is not None:
            with contextlib.suppress(OSError):
                if process.stdin is not None:
                    process.stdin.close()
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


@contextlib.contextmanager
def running() -> Iterator[ChartRenderer]:
    """A renderer for the ``with`` block, its socket in ``$WORKBOOK_CHART_RENDERER`` (kernels inherit it)."""
    renderer = ChartRenderer()
    renderer.start()
    previous = os.environ.get(ENV)
    os.environ[ENV] = renderer.socket_path
    try:
        yield renderer
    finally:
        if previous is None:
            os.environ.pop(ENV, None)
        else:
            os.environ[ENV] = previous
        renderer.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Kernels forked from a warmed zygote (``workbook serve --fork-kernels``), fitted into jupyter_client.

:mod:`workbook.serve.zygote` is the process that imports the kernel's modules
once and forks each kernel; this module is the server's side of it:

* :class:`Zygote` starts that process, sends it fork requests and keeps the
  exit codes it reports (it is the kernels' parent, so only it can reap them);
* :class:`ForkedKernel` stands in for the :class:`subprocess.Popen` of a plain
  kernel (``poll``, ``wait``, ``send_signal``, ``kill``, ``terminate``), so
  that everything jupyter_client does with a kernel's process (the restarter
  noticing a ``kill -9``, interrupts, shutdown) works unchanged;
* :class:`ForkProvisioner` is the kernel provisioner (the supported way to
  change how jupyter_client launches kernels: entry point
  ``workbook-fork-provisioner`` in the ``jupyter_client.kernel_provisioners``
  group) that launches through the zygote, and the plain way whenever the
  zygote cannot (not started, gone, or the kernel is not this Python's
  ipykernel).

If the zygote dies, its kernels end with it (they see their parent change)
and jupyter_client restarts them the plain way; pages are told as for any
kernel that died.  One line is logged when that happens.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from jupyter_client.provisioning.local_provisioner import LocalProvisioner

from workbook.serve.options import FORK_PROVISIONER

__all__ = ["ENTRY_POINT", "ForkProvisioner", "ForkedKernel", "Zygote", "ZygoteGone", "current", "start", "stop"]

#: The provisioner's name in the ``jupyter_client.kernel_provisioners`` entry point group (pyproject.toml).
ENTRY_POINT = FORK_PROVISIONER
#: Longest wait for the zygote's imports (first kernels) and for one fork.
READY_SECONDS = 60.0
FORK_SECONDS = 10.0
#: Exit code reported for a kernel whose end the zygote could not report (it had gone first).
UNKNOWN_EXIT = -signal.SIGKILL

log = logging.getLogger("workbook.serve.forking")


class ZygoteGone(RuntimeError):
    """The zygote cannot fork a kernel (it ended, or never became ready)."""


class Zygote:
    """The server's handle on one zygote process."""

    def __init__(self) -> None:
        self.pid: int | None = None
        self.alive = False
        self.exits: dict[int, int] = {}  # kernel pid -> exit code, as reported
        self.import_seconds: float | None = None
        self._ready: concurrent.futures.Future[None] = concurrent.futures.Future()
        self._replies: dict[int, concurrent.futures.Future[int]] = {}
        self._next_id = 0
        self._lock = threading.Lock()
        self._channel: socket.socket | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._stopping = False

    # --- the process ---------------------------------------------------------------
    def start(self) -> None:
        """Start the zygote; its imports run while the server starts (:meth:`ready` waits for them)."""
        ours, theirs = socket.socketpair()
        self._process = subprocess.Popen(
            [sys.executable, "-m", "workbook.serve.zygote", str(theirs.fileno())],
            pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL,
        )
        theirs.close()
        self._channel = ours
        self.pid = self._process.pid
        self.alive = True
        threading.Thread(target=self._read, name="workbook-zygote", daemon=True).start()

    def stop(self, timeout: float = 5.0) -> None:
        """Close the zygote's socket (it ends by itself) and wait for it; kill it if it lingers."""
        self._stopping = True
        if self._channel is not None:
            self._channel.close()
        if self._process is not None:
            try:
                self._process.wait(timeout)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()

    async def ready(self, timeout: float = READY_SECONDS) -> None:
        """Wait until the zygote has imported the kernel's modules; :class:`ZygoteGone` if it never does."""
        try:
            await asyncio.wait_for(asyncio.wrap_future(self._ready), timeout)
        except TimeoutError:
            self._gone(f"not ready after {timeout:.0f} s")
        except ZygoteGone:
            raise
        if not self.alive:
            raise ZygoteGone("the kernel zygote has gone")

    async def fork(self, argv: list[str], env: dict[str, str], cwd: str | None) -> int:
        """A new kernel running ``argv`` (ipykernel's command line) in ``env`` and ``cwd``: its pid."""
        await self.ready()
        reply: concurrent.futures.Future[int] = concurrent.futures.Future()
        with self._lock:
            if not self.alive or self._channel is None:
                raise ZygoteGone("the kernel zygote has gone")
            self._next_id += 1
            ident = self._next_id
            self._replies[ident] = reply
            request = {"id": ident, "argv": argv, "env": env, "cwd": cwd}
            try:
                self._channel.sendall(json.dumps(request).encode() + b"\n")
            except OSError:
                self._replies.pop(ident, None)
                raise ZygoteGone("the kernel zygote has gone") from None
        try:
            return await asyncio.wait_for(asyncio.wrap_future(reply), FORK_SECONDS)
        except TimeoutError:
            # This kernel starts the plain way with the same connection file: a fork
            # that still comes is killed when it does (see _handle).
            with self._lock:
                self._replies.pop(ident, None)
            raise ZygoteGone(f"no kernel forked within {FORK_SECONDS:.0f} s") from None

    # --- what the zygote says ----------------------------------------------------------
    def _read(self) -> None:
        """The zygote's messages, one JSON object a line, until it ends."""
        assert self._channel is not None
        pending = b""
        while True:
            try:
                data = self._channel.recv(1 << 16)
            except OSError:
                data = b""
            if not data:
                self._gone("it ended")
                return
            pending += data
            while b"\n" in pending:
                line, pending = pending.split(b"\n", 1)
                self._handle(json.loads(line))

    def _handle(self, message: dict[str, Any]) -> None:
        if "exit" in message:
            self.exits[int(message["exit"])] = int(message["code"])
        elif "later" in message:
            if message["later"] != "done":  # it ends now: _read says so when its socket closes
                log.warning("The kernel zygote's import of %s started a thread; it stops, as forking is unsafe now",
                            message["later"])
            elif message.get("failed"):
                log.warning("The kernel zygote could not import %s; results pages import them themselves",
                            ", ".join(message["failed"]))
        elif message.get("ready"):
            if message.get("threads", 1) != 1:  # a fork copies one thread: another one's locks stay locked
                self._gone(f"it started {message['threads'] - 1} thread(s) while importing")
                return
            self.import_seconds = float(message.get("seconds", 0.0))
            if message.get("failed"):
                log.warning("The kernel zygote could not import %s; kernels import them themselves",
                            ", ".join(message["failed"]))
            self._ready.set_result(None)
        elif "id" in message:
            with self._lock:
                reply = self._replies.pop(int(message["id"]), None)
            if reply is None:  # given up on: the kernel started the plain way instead
                if "pid" in message:
                    with contextlib.suppress(OSError):
                        os.kill(int(message["pid"]), signal.SIGKILL)
                return
            if "pid" in message:
                pid = int(message["pid"])
                self.exits.pop(pid, None)  # an earlier kernel's exit under a pid now reused
                reply.set_result(pid)
            else:
                reply.set_exception(ZygoteGone(str(message.get("error", "fork failed"))))

    def _gone(self, why: str) -> None:
        with self._lock:
            if not self.alive:
                return
            self.alive = False
            replies = list(self._replies.values())
            self._replies.clear()
        if self._process is not None:
            self._process.poll()  # reaped, not left a zombie under the server
        if not self._stopping:
            log.warning("The kernel zygote (pid %s) has stopped (%s); kernels start the plain way from now on",
                        self.pid, why)
        gone = ZygoteGone(f"the kernel zygote has gone ({why})")
        if not self._ready.done():
            self._ready.set_exception(gone)
        for reply in replies:
            if not reply.done():
                reply.set_exception(gone)

    def exit_code(self, pid: int) -> int | None:
        """The kernel's exit code once it has ended, else None."""
        code = self.exits.get(pid)
        if code is None and not self.alive and not _running(pid):
            return UNKNOWN_EXIT  # reaped by someone else once the zygote had gone
        return code


def _running(pid: int) -> bool:
    """Whether ``pid`` is a live (not zombie) process."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


class ForkedKernel:
    """The ``Popen``-like process of a kernel the zygote forked (the server is not its parent)."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int, zygote: Zygote) -> None:
        self.pid = pid
        self.returncode: int | None = None
        self._zygote = zygote

    def poll(self) -> int | None:
        if self.returncode is None:
            self.returncode = self._zygote.exit_code(self.pid)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while (code := self.poll()) is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(f"kernel {self.pid}", timeout or 0)
            time.sleep(0.05)
        return code

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:  # never a pid the system may have given to another process since
            os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


_zygote: Zygote | None = None


def start() -> Zygote:
    """Start this server's zygote (``workbook serve --fork-kernels``)."""
    global _zygote
    _zygote = Zygote()
    _zygote.start()
    return _zygote


def current() -> Zygote | None:
    return _zygote


def stop() -> None:
    """The server is stopping: the zygote ends (its kernels were shut down before)."""
    global _zygote
    if _zygote is not None:
        _zygote.stop()
        _zygote = None


def _is_our_ipykernel(cmd: list[str]) -> bool:
    """Whether ``cmd`` starts ipykernel in this very Python (what the zygote has imported)."""
    if len(cmd) < 3 or cmd[1:3] != ["-m", "ipykernel_launcher"]:
        return False
    try:
        return os.path.samefile(cmd[0], sys.executable)
    except OSError:
        return False


class ForkProvisioner(LocalProvisioner):
    """jupyter_client's local provisioner, launching through the zygote when there is one.

    Everything else (connection file, ports, signals to the process group,
    cleanup) is :class:`~jupyter_client.provisioning.LocalProvisioner`'s: the
    forked kernel has a session of its own, so its process group id is its pid.
    """

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> Any:
        zygote = current()
        if zygote is not None and zygote.alive and _is_our_ipykernel(cmd):
            env = kwargs.get("env") or dict(os.environ)
            cwd = kwargs.get("cwd")
            try:
                pid = await zygote.fork(list(cmd), {str(k): str(v) for k, v in env.items()},
                                        str(cwd) if cwd else None)
            except ZygoteGone:
                pass  # logged once by the zygote's handle; this kernel starts the plain way
            else:
                self.process = ForkedKernel(pid, zygote)  # type: ignore[assignment] # Popen's methods, see above
                self.pid = pid
                self.pgid = pid
                self.cwd = cwd or os.getcwd()
                return self.connection_info
        return await super().launch_kernel(cmd, **kwargs)

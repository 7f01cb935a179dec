"""The kernel zygote: one process that imports the kernel's modules once and forks every kernel from itself.

Run by the server (:mod:`workbook.serve.forking`) as
``python -m workbook.serve.zygote FD``, where FD is its end of a Unix socket
pair.  Why: a kernel started the plain way spends ~1.7 of its ~2 CPU seconds
importing ipykernel, ipywidgets, sqlalchemy and the workbook; under a crowd of
arrivals on two cores that import is what people wait for (issue #12).  Here
it is paid once; each kernel is a ``fork()`` of this process that goes on to
run ipykernel's ``IPKernelApp`` with the connection file jupyter_client wrote,
and shares the imported modules' memory with its siblings until it writes to
them (copy on write).  The same design as Android's zygote and Chromium's
zygote.

A fork copies only the thread that calls it, so nothing here may start a
thread, a zmq context or a socket before forking: the imports below do none
of that, and the ``ready`` message reports the thread count so the server can
refuse a zygote that broke this rule.

The protocol is one JSON object a line, both ways:

* zygote → server ``{"ready": true, "pid": P, "threads": N, "seconds": S}`` once, after the imports;
* server → zygote ``{"id": I, "argv": [...], "env": {...}, "cwd": "..."}``: fork a kernel;
* zygote → server ``{"id": I, "pid": P}`` (or ``{"id": I, "error": "..."}``);
* zygote → server ``{"later": "done", "failed": [...]}`` once it has imported :data:`LATER`
  (or ``{"later": NAME, "threads": N}`` just before it ends because NAME started a thread);
* zygote → server ``{"exit": P, "code": C}`` when a kernel it forked has ended
  (it is the kernel's parent, so it reaps it; ``C`` is negative for a signal, as
  in :attr:`subprocess.Popen.returncode`).

The zygote ends when the server's end of the socket closes (the server
stopped, or was killed); its kernels then see their parent change and end
too (ipykernel's parent poller), so nothing outlives the server.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import select
import signal
import socket
import sys
import threading
import time
from pathlib import Path
from typing import Any

#: What every app kernel imports before it can show a page (the questionnaire path:
#: pandas and altair are left to the results page, see workbook.apps.values.warm_up).
#: The last five are imported later by every kernel, each paying for it again (seen in
#: profiles of kernels under load): ipykernel's debugger (with debugpy) while the kernel
#: initialises, the values page's request reader, psutil when the kernel shuts down,
#: SQLite's dialect when the store is opened, IPython's storemagic when the shell starts.
PREIMPORTS = (
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.zmqshell",
    "ipywidgets",
    "sqlalchemy",
    "workbook.apps.values",
    "workbook.apps.workshop",
    "workbook.apps.charter",
    "ipykernel.debugger",
    "websockets.asyncio.client",
    "psutil",
    "sqlalchemy.dialects.sqlite",
    "IPython.extensions.storemagic",
)

#: The results page's libraries, imported once the zygote has nothing else to do (after
#: ``ready``, one module between fork requests, so the first kernels do not wait ~2 s for
#: them).  A plain kernel imports them only when it shows results, about 1 CPU second,
#: to keep its memory small; a kernel forked after they are here shares the zygote's
#: copy, so they cost it neither the second nor memory of its own until it uses them.
#: On two cores under a crowd, results pages were half of the kernels' CPU.  vl-convert is
#: not among them: the server's chart renderer (:mod:`workbook.serve.chart_renderer`) draws
#: the charts, so a kernel imports it only if that renderer cannot be reached.
#: ``module:function`` imports the module and calls the function (work done once, shared).
LATER = ("pandas", "altair", "workbook.values.html", "workbook.charts", "workbook.scoring", "workbook.anonymity",
         "workbook.dataset", "workbook.organisation_gap", "workbook.charts:warm_specs")
#: Kernels run this much "nicer" than the server (Unix niceness, inherited from the zygote).
#: Every saved answer passes through the server twice, and every kernel's messages through
#: it: one process that a hundred kernels used to outnumber for the CPU.  Measured with 100
#: respondents on 2 cores, saves waited less with the server first (``docs/deploy.md``).
#: Kernels still share the CPU evenly among themselves.
KERNEL_NICENESS = 5
#: How long the zygote waits for a request before it imports the next of ``LATER``.
IDLE_SECONDS = 0.5


def _preimport() -> list[str]:
    """Import the kernel's modules and read the framework; the names that failed.

    Kernels import a failed name themselves.  The framework (YAML checked
    against its models) is read here once instead of in every kernel's
    ``warm_up``: it was the largest single cost of a forked kernel's
    pre-heat.  The cache is keyed on the file's time and size, so a kernel
    still reads a framework file changed since the zygote started.
    """
    import importlib

    # debugpy (under ipykernel.debugger) warns on stderr about frozen modules when it is
    # imported; a kernel's stderr is captured by then, the zygote's is the server's log.
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    failed = []
    for name in PREIMPORTS:
        try:
            importlib.import_module(name)
        except Exception:
            failed.append(name)
    from workbook.settings import DB_ENV

    if os.environ.get(DB_ENV, "").startswith("postgresql"):
        try:
            importlib.import_module("sqlalchemy.dialects.postgresql.psycopg")
        except Exception:
            failed.append("sqlalchemy.dialects.postgresql.psycopg")
    try:
        from workbook.framework.loader import load_framework

        load_framework()
    except Exception:
        failed.append("the framework")
    try:
        # SQLAlchemy sets up the store's table mappings on the first query, in every kernel:
        # a tenth of a forked kernel's CPU while its page opened.  Done once here, shared.
        from sqlalchemy.orm import configure_mappers

        import workbook.store  # noqa: F401  (its models, registered as it is imported)

        configure_mappers()
    except Exception:
        failed.append("the store's mappings")
    return failed


def _send(channel: socket.socket, message: dict[str, Any]) -> None:
    channel.sendall(json.dumps(message).encode() + b"\n")


def _returncode(status: int) -> int:
    """``waitpid``'s status as :attr:`subprocess.Popen.returncode` reads it."""
    return os.waitstatus_to_exitcode(status)


def _reap(channel: socket.socket) -> None:
    """Collect every kernel that has ended and tell the server its exit code."""
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        _send(channel, {"exit": pid, "code": _returncode(status)})


def _become_kernel(request: dict[str, Any], closing: list[int], started: int) -> None:
    """In the forked child: become the kernel ``request`` describes; never returns."""
    code = 1
    try:
        signal.set_wakeup_fd(-1)
        for number in (signal.SIGCHLD, signal.SIGINT, signal.SIGTERM):
            signal.signal(number, signal.SIG_DFL)
        os.setsid()  # its own process group: the server signals the kernel, never the zygote with it
        os.close(started)  # tells the zygote the new session exists
        for fd in closing:
            os.close(fd)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
        os.chdir(request.get("cwd") or os.getcwd())
        env = {str(key): str(value) for key, value in request["env"].items()}
        # ipykernel ends itself when its parent changes: the parent is this zygote, which ends with the server.
        env["JPY_PARENT_PID"] = str(os.getppid())
        os.environ.clear()
        os.environ.update(env)
        argv = [str(part) for part in request["argv"]]
        sys.argv = ["ipykernel_launcher", *argv[3:]]
        _run_kernel(argv[3:])
        code = 0
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    except BaseException:
        if not _abandoned(request):  # its server stopping took its connection folder away: nothing to report
            import traceback

            traceback.print_exc()
    finally:
        import atexit

        atexit._run_exitfuncs()  # what a plain kernel's interpreter does at its end (history, logging)
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):  # nothing to flush into
                stream.flush()
        os._exit(code)


def _abandoned(request: dict[str, Any]) -> bool:
    """Whether the kernel's connection file has gone: the server dropped it while it started."""
    argv = [str(part) for part in request.get("argv", [])]
    if "-f" not in argv[:-1]:
        return False
    return not os.path.exists(argv[argv.index("-f") + 1])


def _run_kernel(argv: list[str]) -> None:
    """What ``python -m ipykernel_launcher ARGV`` does, in a process whose modules are imported already.

    Two things a plain kernel gets from importing its modules *inside* the
    kernel are done here instead: ipykernel's parent poller (its default is read
    from ``$JPY_PARENT_PID`` at import time, here the zygote's) and ipywidgets'
    comm target (registered at import only when a kernel is running: without
    it no widget ever shows).
    """
    import ipywidgets
    from ipykernel.kernelapp import IPKernelApp

    app = IPKernelApp.instance(parent_handle=os.getppid())
    app.initialize(argv)  # type: ignore[no-untyped-call]
    ipywidgets.register_comm_target()
    app.start()  # type: ignore[no-untyped-call]
    _finish_control(app)


def _finish_control(app: Any, timeout: float = 5.0) -> None:
    """Let the control thread finish what it is doing before the kernel's sockets close.

    A shutdown request is answered on the control thread, which stops the
    main loop and *then* publishes "idle" on IOPub.  A plain kernel's
    interpreter, on its way out, joins its non-daemon threads (the control
    thread is one) before it runs the exit handlers; a forked kernel runs
    them itself (:func:`_become_kernel`), and ipykernel's (``IPKernelApp.close``)
    closes IOPub before it stops the control thread.  When the main thread
    won that race the control thread's last message hit a closed socket and
    it logged a ``ZMQError: Socket operation on non-socket`` traceback into
    the server's log (one full test run in three with forked kernels).
    Joining the control thread first restores the plain kernel's order.
    """
    control = getattr(app, "control_thread", None)
    if control is None or not control.is_alive():
        return
    with contextlib.suppress(Exception):  # its loop already stopped and closed: nothing to ask
        control.stop()
    control.join(timeout)


def _fork(channel: socket.socket, request: dict[str, Any], wakeup: tuple[int, int]) -> None:
    """Fork one kernel and answer the server with its pid once it has its own session."""
    started_read, started_write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(started_read)
        _become_kernel(request, [channel.fileno(), *wakeup], started_write)
    os.close(started_write)
    os.read(started_read, 1)  # EOF once the child called setsid (or died trying)
    os.close(started_read)
    _send(channel, {"id": request["id"], "pid": pid})


def _threads() -> int:
    """Threads of this process, the operating system's count (a library's native threads too)."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return threading.active_count()


def _import_later(name: str, failed: list[str]) -> bool:
    """Import one of :data:`LATER` while idle; False if that started a thread (forking is unsafe then).

    A name that fails to import is added to ``failed`` (a kernel imports it itself when it needs it).
    """
    import importlib

    module, _, function = name.partition(":")
    try:
        imported = importlib.import_module(module)
        if function:
            getattr(imported, function)()
    except Exception as error:
        failed.append(f"{name} ({type(error).__name__}: {error})")
    gc.collect()
    gc.freeze()  # as after the first imports: out of the collector's reach, so pages stay shared
    return _threads() == 1


def serve(channel: socket.socket, later: tuple[str, ...] = LATER) -> None:
    """Answer fork requests and report ended kernels until the server's end closes.

    When no request has come for :data:`IDLE_SECONDS`, import the next of
    ``later``.  Should an import start a thread, the zygote ends (a fork
    copies only the forking thread, so another one's locks would stay locked
    in every kernel): the server then starts kernels the plain way and says so.
    """
    wakeup: tuple[int, int] = os.pipe()
    for fd in wakeup:
        os.set_blocking(fd, False)
    signal.set_wakeup_fd(wakeup[1])
    signal.signal(signal.SIGCHLD, lambda *_: None)  # wakes the select below through the wakeup pipe
    pending = b""
    waiting = list(later)
    failed: list[str] = []
    while True:
        ready, _, _ = select.select([channel.fileno(), wakeup[0]], [], [], IDLE_SECONDS if waiting else None)
        if not ready:
            name = waiting.pop(0)
            if not _import_later(name, failed):
                _send(channel, {"later": name, "threads": _threads()})
                return
            if not waiting:
                _send(channel, {"later": "done", "failed": failed})
            continue
        if wakeup[0] in ready:
            while True:
                try:
                    if not os.read(wakeup[0], 512):
                        break
                except BlockingIOError:
                    break
        _reap(channel)
        if channel.fileno() in ready:
            data = channel.recv(1 << 16)
            if not data:
                return
            pending += data
            while b"\n" in pending:
                line, pending = pending.split(b"\n", 1)
                request = json.loads(line)
                try:
                    _fork(channel, request, wakeup)
                except OSError as error:
                    _send(channel, {"id": request.get("id"), "error": str(error)})


def main(argv: list[str]) -> int:
    began = time.process_time()
    channel = socket.socket(fileno=int(argv[0]))
    # Ctrl-C in the server's terminal reaches this process too: the server stops the kernels
    # itself, and the zygote ends when the server's end of the socket closes.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with contextlib.suppress(OSError):
        os.nice(KERNEL_NICENESS)  # every kernel forked from here inherits it
    if sys.path and (sys.path[0] in ("", ".") or Path(sys.path[0]) == Path.cwd()):
        del sys.path[0]  # as ipykernel_launcher does: the kernel's folder goes first later, not ours
    # numpy's OpenBLAS starts a worker thread per core when imported (LATER); with one it starts none.
    # Kernels do little linear algebra, and on a small server many share the cores anyway.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    failed = _preimport()
    gc.collect()
    # The imported objects stay out of the collector's reach, in the zygote and in every kernel: a
    # collection would write to each of them and so copy the pages the kernels share (and take the time).
    gc.freeze()
    _send(channel, {"ready": True, "pid": os.getpid(), "threads": _threads(),
                    "seconds": round(time.process_time() - began, 3), "failed": failed})
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the server has gone
        serve(channel)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

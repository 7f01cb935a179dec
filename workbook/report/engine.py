"""A papermill engine that runs every notebook on one kernel kept warm between runs.

Starting a kernel and importing pandas, altair and vl-convert costs a second
or two; the report itself takes a fraction of that.  So each batch worker
starts one :class:`WarmKernel`, warms it up once, and runs organisation after
organisation on it through papermill (``engine_name="workbook-warm"``), which
still does what papermill is for: injects the parameters, runs every cell,
records per-cell timing and marks the failing cell of a failed run.

Between notebooks the kernel's namespace is reset (``%reset -f``) and its
execution counter set back to 1, so no variable of one organisation can leak
into the next and each executed notebook looks as if it ran alone.  Imported
modules stay loaded: that is the whole point.

The kernel always runs this Python (``sys.executable``), whatever kernelspecs
are installed for the user, so a report never runs in another environment.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from typing import Any, ClassVar

from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines
from papermill.log import logger
from papermill.utils import merge_kwargs, remove_args

__all__ = ["ENGINE_NAME", "KernelFailed", "WarmKernel", "WarmKernelEngine", "register"]

ENGINE_NAME = "workbook-warm"
_RESET = "get_ipython().run_line_magic('reset', '-f'); get_ipython().execution_count = 1"


class KernelFailed(RuntimeError):
    """The warm kernel could not run set-up code (it died, or the code raised)."""


class _ThisPython(KernelSpecManager):
    """Every kernel name resolves to an ipykernel running ``sys.executable``."""

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        from ipykernel.kernelspec import RESOURCES, get_kernel_dict

        return KernelSpec(resource_dir=RESOURCES, **get_kernel_dict())


class WarmKernel:
    """One ipykernel, started once and reused by many notebook runs."""

    def __init__(self, *, cwd: str | None = None, startup_timeout: float = 60) -> None:
        self.cwd = cwd
        self.startup_timeout = startup_timeout
        # IPC sockets in a private (0700) folder: only this user can talk to the
        # kernel, and it never listens on a network port.
        self._sockets = tempfile.mkdtemp(prefix="workbook-kernel-")
        self.km = self._manager()
        self.kc: Any = None
        self._start()

    def _manager(self) -> AsyncKernelManager:
        return AsyncKernelManager(kernel_name="python3", kernel_spec_manager=_ThisPython(), transport="ipc",
                                  ip=os.path.join(self._sockets, "kernel"))

    def _start(self) -> None:
        # History off: nothing to write to ~/.ipython from many kernels at once.
        run_sync(self.km.start_kernel)(cwd=self.cwd, extra_arguments=["--HistoryManager.enabled=False"])
        self.kc = self.km.client()
        self.kc.start_channels()
        run_sync(self.kc.wait_for_ready)(timeout=self.startup_timeout)
        self.kc.allow_stdin = False

    def run(self, code: str, timeout: float = 120) -> None:
        """Run set-up code outside any notebook; raise :class:`KernelFailed` if it fails."""
        reply = run_sync(self.kc.execute_interactive)(
            code, store_history=False, timeout=timeout, output_hook=lambda msg: None)
        content = reply.get("content", {})
        if content.get("status") != "ok":
            raise KernelFailed(f"{content.get('ename', 'error')}: {content.get('evalue', '')}")

    def reset(self) -> None:
        """Forget every variable of the previous notebook; restart the kernel if it died."""
        if not self.alive():
            self.restart()
        self.run(_RESET)

    def alive(self) -> bool:
        return bool(run_sync(self.km.is_alive)())

    def restart(self) -> None:
        self._stop()
        self.km = self._manager()
        self._start()

    def _stop(self) -> None:
        if self.kc is not None:
            self.kc.stop_channels()
            self.kc = None
        if self.km.has_kernel:
            run_sync(self.km.shutdown_kernel)(now=True)

    def shutdown(self) -> None:
        """Stop the kernel and remove its socket folder (safe to call twice)."""
        self._stop()
        shutil.rmtree(self._sockets, ignore_errors=True)


class WarmKernelEngine(NBClientEngine):  # type: ignore[misc]
    """papermill's nbclient engine, on :attr:`kernel` instead of a new kernel per notebook."""

    #: The worker process's kernel; set by the worker before the first notebook.
    kernel: ClassVar[WarmKernel | None] = None
    #: The notebook being (or last) executed, outputs and all, even when the run
    #: ended in an exception papermill does not catch (a dead kernel, a timeout).
    last_notebook: ClassVar[Any] = None

    @classmethod
    def execute_managed_notebook(
        cls, nb_man: Any, kernel_name: str, log_output: bool = False, stdout_file: Any = None,
        stderr_file: Any = None, start_timeout: int = 60, execution_timeout: int | None = None, **kwargs: Any,
    ) -> Any:
        kernel = cls.kernel
        if kernel is None:
            raise KernelFailed("no warm kernel: call WarmKernelEngine.kernel = WarmKernel() first")
        cls.last_notebook = nb_man.nb
        kernel.reset()
        safe = remove_args(["timeout", "startup_timeout", "input_path"], **kwargs)
        final = merge_kwargs(
            safe, timeout=execution_timeout or kwargs.get("timeout"), startup_timeout=start_timeout,
            kernel_name=kernel_name, log=logger, log_output=log_output, stdout_file=stdout_file,
            stderr_file=stderr_file,
        )
        client = PapermillNotebookClient(nb_man, km=kernel.km, **final)
        client.kc = kernel.kc
        return client.execute(cleanup_kc=False)


def register() -> None:
    """Make ``engine_name="workbook-warm"`` known to papermill (idempotent)."""
    papermill_engines.register(ENGINE_NAME, WarmKernelEngine)

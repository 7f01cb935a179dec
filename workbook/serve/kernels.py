"""The kernel manager Voila uses: a cap on live kernels, kernels nobody looks at shut down.

Built on first use (jupyter_server is slow to import); Voila imports it by the
name ``workbook.serve.WorkbookKernelManager`` (see ``workbook/serve/__init__.py``).
"""

from __future__ import annotations

import contextlib
import functools
from typing import Any

from workbook.web.defaults import CLOSE_GRACE_SECONDS

#: Added to every kernel's command line: no IPython history (see ``start_kernel``).
KERNEL_ARGUMENTS = ("--HistoryManager.enabled=False",)


@functools.cache
def _kernel_manager_class() -> type[Any]:
    """Build ``WorkbookKernelManager`` on first use (jupyter_server is slow to import)."""
    import asyncio

    from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
    from tornado import web
    from traitlets import Float, Integer, default

    class WorkbookKernelManager(AsyncMappingKernelManager):
        """Voila's kernel manager with a cap on live kernels.

        Above ``max_kernels`` a new kernel is refused with HTTP 503 (the page
        says "busy, try again in a minute") and one warning is logged.
        Pre-heated kernels count too; a pool refill refused at the cap is
        retried as soon as a kernel shuts down (page closed or kernel culled).
        """

        max_kernels = Integer(0, config=True, help="Most live kernels (0: no limit).")
        disconnect_seconds = Integer(
            0, config=True,
            help="Shut down a page's kernel this many seconds after its last browser connection closed, "
                 "or after its page was sent if no browser connected (0: never).",
        )

        warming_slots = Integer(
            0, config=True,
            help="Pre-heated kernels that start and warm up at once; the others wait their turn, oldest first "
                 "(0: no limit).  See workbook.web.warming.",
        )

        close_grace_seconds = Float(
            CLOSE_GRACE_SECONDS, config=True,
            help="Shut down a page's kernel this long after its tab said it was closed, unless a browser "
                 "is connected by then (0: a closed tab frees nothing by itself).",
        )

        def __init__(self, **kwargs: Any) -> None:
            from workbook.web.pages import PageRegistry
            from workbook.web.warming import Warming

            super().__init__(**kwargs)  # type: ignore[no-untyped-call]
            self.warming = Warming(self.warming_slots)
            self._starting = 0
            self._closing = False
            #: The page and kernel of every live link (see workbook.web.pages).
            self.pages = PageRegistry()
            self._release_timers: dict[str, asyncio.TimerHandle] = {}
            self._closed_pages: set[str] = set()  # kernels whose page said it was closed
            self._background: set[asyncio.Future[None]] = set()  # held until done (asyncio keeps weak references)
            self._event_logger: Any = None  # shared by every kernel's manager (pre_start_kernel)

        @default("context")
        def _context_default(self) -> Any:
            """One ZeroMQ context for every kernel, allowing enough sockets (see :mod:`workbook.serve.limits`)."""
            from workbook.serve.limits import kernel_context

            self._created_context = True
            return kernel_context(self.max_kernels)

        def start_watching_activity(self, kernel_id: str) -> None:
            """jupyter_server's IOPub watcher, made cheap: see :mod:`workbook.serve.activity`."""
            from jupyter_client.session import Session
            from jupyter_server._tz import utcnow

            from workbook.serve.activity import recorder

            kernel: Any = self._kernels[kernel_id]
            kernel.reason = ""
            kernel.last_activity = utcnow()
            kernel._activity_stream = kernel.connect_iopub()
            session = Session(config=kernel.session.config, key=kernel.session.key)
            kernel._activity_stream.on_recv(recorder(self, kernel, session))

        # --- kernels no browser is connected to ---------------------------------
        def page_sent(self, kernel_id: str) -> None:
            """A page went out with this kernel (made now, or the link opened again): its browser should connect.

            An earlier tab's "closed" no longer counts: the link was opened
            again within the grace, and the new page gets the whole disconnect
            time to connect.  (Without this, a page handed out during the grace
            lost its kernel before its browser could connect: found by the
            first-input benchmark, which opens one link again and again.)
            """
            self._closed_pages.discard(kernel_id)
            if not self._kernel_connections.get(kernel_id):
                self._release_later(kernel_id)

        def page_closed(self, kernel_id: str) -> None:
            """A tab of this kernel's link was closed (its unload request).

            Not a shutdown: one link's kernel may serve several tabs or devices,
            and a reload's old page says "closed" while its new page is on its
            way.  The kernel goes ``close_grace_seconds`` later unless a
            browser is connected to it by then; if one is, the disconnect
            timer frees it once the last one leaves.  With a grace of 0 the
            request changes nothing: the disconnect timer alone frees it.
            """
            if self._closing or not self.close_grace_seconds:
                return
            previous = self._release_timers.pop(kernel_id, None)
            if previous is not None:
                previous.cancel()
            self._closed_pages.add(kernel_id)
            self._release_timers[kernel_id] = asyncio.get_running_loop().call_later(
                self.close_grace_seconds, lambda: asyncio.ensure_future(self._release(kernel_id)))

        def notify_connect(self, kernel_id: str) -> None:
            super().notify_connect(kernel_id)  # type: ignore[no-untyped-call]
            self._closed_pages.discard(kernel_id)
            timer = self._release_timers.pop(kernel_id, None)
            if timer is not None:
                timer.cancel()

        def notify_disconnect(self, kernel_id: str) -> None:
            super().notify_disconnect(kernel_id)  # type: ignore[no-untyped-call]
            if kernel_id in self and not self._kernel_connections.get(kernel_id):
                self._release_later(kernel_id)

        def _release_later(self, kernel_id: str) -> None:
            """Shut the kernel down after ``disconnect_seconds`` unless a browser (re)connects.

            A tab closed without its unload request, a phone asleep, a lost
            network, a link scanner that never runs the page, a script that
            opens websockets and drops them: none of them hold a kernel for
            longer than this.  Answers are saved as they change.
            """
            if not self.disconnect_seconds or self._closing:
                return
            if kernel_id in self._closed_pages and kernel_id in self._release_timers:
                return  # its page was closed: the shorter grace stands
            previous = self._release_timers.pop(kernel_id, None)
            if previous is not None:
                previous.cancel()
            loop = asyncio.get_running_loop()
            self._release_timers[kernel_id] = loop.call_later(
                self.disconnect_seconds, lambda: asyncio.ensure_future(self._release(kernel_id)))

        async def _release(self, kernel_id: str) -> None:
            self._release_timers.pop(kernel_id, None)
            closed = kernel_id in self._closed_pages
            self._closed_pages.discard(kernel_id)
            if kernel_id not in self or self._kernel_connections.get(kernel_id):
                return
            if closed:
                self.log.info("Shutting down kernel %s: its page was closed and no other is connected", kernel_id)
            else:
                self.log.warning("Shutting down kernel %s: no browser connected to its page for %d s",
                                 kernel_id, self.disconnect_seconds)
            with contextlib.suppress(Exception):  # it went meanwhile
                await self.shutdown_kernel(kernel_id)

        def pre_start_kernel(self, kernel_name: str | None, kwargs: dict[str, Any]) -> Any:
            """Each kernel's manager shares one event logger instead of building its own.

            jupyter_server gives a kernel's manager its application's event
            logger, and builds a new one (configuration read, event schemas
            loaded from YAML) when, as under Voila, the application has none:
            about a seventh of the server's CPU while pages opened.  Nothing
            listens to these events here; one logger serves every kernel.
            """
            km: Any
            km, name, kernel_id = super().pre_start_kernel(kernel_name, kwargs)
            if self._event_logger is None:
                self._event_logger = km.event_logger  # the first kernel's, built the usual way
            else:
                km.event_logger = self._event_logger
            return km, name, kernel_id

        async def start_kernel(self, *args: Any, **kwargs: Any) -> str:  # type: ignore[override]
            # IPython's history of the cells run: nothing reads an app kernel's, and every kernel wrote
            # its cells to one SQLite file shared by all of them (~/.ipython), a thread and a lock each.
            kwargs["extra_arguments"] = [*kwargs.get("extra_arguments", []), *KERNEL_ARGUMENTS]
            # Kernels start and warm a few at a time, oldest first: a pool refill until it waits for its
            # request, a kernel started for a request that found the pool empty until its page is made.
            asked = await self.warming.take_slot()
            try:
                started = await self._start_capped(*args, **kwargs)
            except BaseException:
                self.warming.give_back()
                raise
            self.warming.starting(started, asked)
            return started

        async def _start_capped(self, *args: Any, **kwargs: Any) -> str:
            if self._closing:  # a pool refill that woke up while the server stops
                raise web.HTTPError(503, "the server is stopping", reason="Stopping")
            kernel_id = kwargs.get("kernel_id")
            if self.max_kernels and (kernel_id is None or kernel_id not in self):
                live = len(self) + self._starting
                if live >= self.max_kernels:
                    self.log.warning(
                        "Kernel limit reached: %d kernels alive (max_kernels=%d); refused a kernel "
                        "for %s. Visitors are asked to try again; raise --max-kernels if memory "
                        "allows.", live, self.max_kernels, kwargs.get("path") or "a page",
                    )
                    raise web.HTTPError(503, "kernel limit reached", reason="Busy")
            self._starting += 1
            try:
                started: str = await super().start_kernel(*args, **kwargs)
            finally:
                self._starting -= 1
            kernel: Any = self._kernels.get(started)
            if hasattr(kernel, "add_restart_callback"):  # every jupyter_client kernel manager has it
                kernel.add_restart_callback(lambda: self._kernel_died(started), "restart")
            return started

        def _kernel_died(self, kernel_id: str) -> None:
            """The kernel died (``kill -9``, out of memory); jupyter_client starts a blank one under its id.

            The blank kernel never ran the app's notebook, so a page handed out
            with it has no widgets: a reload of the link showed an empty page
            for good (found by killing a kernel mid-save, issue #12).  The link
            lets go of it, so its next opening gets a kernel of its own and
            resumes from the database; the page still open was told
            "restarting" and asks the person to reload, and its unload closes
            the blank kernel as any closed tab does.
            """
            page = self.pages.detach(kernel_id)
            self.warming.forget(kernel_id)
            notebook = self._leave_pool(kernel_id)
            if notebook is not None:
                self.log.warning("Pre-heated kernel %s died; it is replaced", kernel_id)
                getattr(self, "fill_if_needed")(delay=0, notebook_name=notebook)  # noqa: B009 - Voila's subclass
                task = asyncio.ensure_future(self._shut_down_after_restart(kernel_id))
                self._background.add(task)
                task.add_done_callback(self._background.discard)
                return
            self.log.warning("Kernel %s died%s; it is restarted blank, and its link gets a new kernel when "
                             "opened again", kernel_id, " under an open page" if page is not None else "")

        def _leave_pool(self, kernel_id: str) -> str | None:
            """Take the kernel out of its pre-heating pool (Voila's ``_pools``); its notebook, if it was in one."""
            pools: dict[str, list[Any]] = getattr(self, "_pools", {})
            for notebook, pool in pools.items():
                for task in pool:
                    if (task.done() and not task.cancelled() and task.exception() is None
                            and task.result().get("kernel_id") == kernel_id):
                        pool.remove(task)
                        return notebook
            return None

        async def _shut_down_after_restart(self, kernel_id: str) -> None:
            """A pre-heated kernel died: restarted blank, it would give the next visitor a page without the app.

            It has left the pool at once and a fresh one is pre-heating; the
            blank one goes once jupyter_client has finished restarting it.  All
            the pooled kernels die at once when the kernel zygote dies
            (``--fork-kernels``, workbook.serve.forking).
            """
            for _ in range(60):
                await asyncio.sleep(0.5)
                kernel: Any = self._kernels.get(kernel_id)
                if kernel is None:
                    return
                if kernel.ready.done():
                    break
            with contextlib.suppress(Exception):  # it went meanwhile
                await self.shutdown_kernel(kernel_id, now=True)

        async def shutdown_kernel(  # type: ignore[override]
            self, kernel_id: str, *args: Any, **kwargs: Any
        ) -> None:
            self.pages.forget_kernel(kernel_id)  # first: the link's next opening must not reuse it
            self.warming.forget(kernel_id)
            self._closed_pages.discard(kernel_id)
            timer = self._release_timers.pop(kernel_id, None)
            if timer is not None:
                timer.cancel()
            await super().shutdown_kernel(kernel_id, *args, **kwargs)  # type: ignore[no-untyped-call]
            self._top_up_pools()

        async def shutdown_all(self, now: bool = False) -> None:  # type: ignore[override]
            # The server is stopping.  Refuse new kernels, let the ones on their
            # way arrive (jupyter_client cannot shut down a kernel still
            # starting), then stop them all at once: a pre-heated kernel is
            # still running its notebook, and asked politely it would print a
            # traceback while it dies.
            self._closing = True
            for timer in self._release_timers.values():
                timer.cancel()
            self._release_timers.clear()
            for _ in range(150):
                if not self._starting:
                    break
                await asyncio.sleep(0.1)
            # Each kernel on its own, a kernel gone meanwhile (Voila's pool letting go of one)
            # passed over: jupyter_client's shutdown_all raised "Kernel does not exist" for it and
            # the server ended with a traceback and exit code 1 (seen once in a CI run).
            kernel_ids = set(self.list_kernel_ids()) | set(getattr(self, "_pending_kernels", {}))
            await asyncio.gather(*(self._shut_down_at_stop(kernel_id) for kernel_id in kernel_ids))

        async def _shut_down_at_stop(self, kernel_id: str) -> None:
            try:
                await self.shutdown_kernel(kernel_id, now=True)
            except web.HTTPError as error:
                if error.status_code != 404:
                    raise
            except KeyError:
                pass  # it went between the list and its turn

        def _top_up_pools(self) -> None:
            """A kernel has gone: refill pools that lost kernels refused at the cap."""
            # ``_pools`` and ``fill_if_needed`` belong to the pre-heating subclass
            # Voila 0.5 builds on top of this class (voila/voila_kernel_manager.py).
            pools: dict[str, list[Any]] = getattr(self, "_pools", {})
            if self._closing or not hasattr(self, "fill_if_needed"):
                return
            for notebook, pool in pools.items():
                refused = [t for t in pool if t.done() and not t.cancelled() and t.exception()]
                for task in refused:
                    pool.remove(task)
                self.fill_if_needed(delay=0, notebook_name=notebook)  # starts only what is missing

    WorkbookKernelManager.__module__ = "workbook.serve"  # the name Voila imports it by
    return WorkbookKernelManager

"""The tornado handlers of ``workbook serve``: Voila's, narrowed and guarded.

Imported only when the server starts (it loads tornado, jupyter_server and
Voila).  What each route does, and why it is here:

* ``/voila/render/<app>`` - :class:`AppPage`: checks the link in the store
  (no kernel for a bad one), gives each link one kernel, limits how many
  kernels one client address may start;
* ``/api/kernels/<id>`` (status, GET only) and its ``/channels`` websocket,
  ``/voila/api/shutdown/<id>`` - answer only the page that holds the kernel
  (its cookie), and only from this site (``Origin``);
* ``/voila/query/<id>`` - the websocket a pre-heated kernel reads its page's
  query from: the kernel's own loopback connection only;
* ``/voila/templates/workbook/static/<file>`` - the page's CSS and scripts;
* ``/`` - :class:`Welcome`: how to get a link;
* ``/healthz``; everything else (``/login``, ``/logout``, the file tree,
  Voila's own front end and files) answers 404 from our template, which says
  how to get a link too.

Every response carries the headers of :mod:`workbook.web.policy`
(:class:`SecurityHeaders`); cookies are ``SameSite=Strict``, and ``Secure``
when the browser's connection is https.
"""

from __future__ import annotations

import asyncio
import gzip
import ipaddress
import os
import re
import time
from collections.abc import Awaitable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, ClassVar

from jupyter_server.auth.identity import PasswordIdentityProvider
from jupyter_server.services.kernels.handlers import KernelHandler
from jupyter_server.utils import url_path_join
from tornado import httputil, web
from tornado.iostream import StreamClosedError
from voila.handler import BaseVoilaHandler
from voila.request_info_handler import RequestInfoSocketHandler
from voila.shutdown_kernel_handler import VoilaShutdownKernelHandler
from voila.static_file_handler import TemplateStaticFileHandler
from voila.tornado.handler import TornadoVoilaHandler
from voila.tornado.kernel_websocket_handler import VoilaKernelWebsocketHandler

from workbook.web.access import REPEATED, LinkLookups, Refusal, credential_parameter
from workbook.web.clients import Clients
from workbook.web.pages import Page, PageRegistry
from workbook.web.policy import SECURITY_HEADERS, same_origin
from workbook.web.ratelimit import LogThrottle, RateLimiter
from workbook.web.recheck import SWEEP_SECONDS, link_still_opens, sweep_forever
from workbook.web.timing import PageTiming, next_is_warm, pool_state, warm_kernels

__all__ = [
    "PAGE_COOKIES",
    "ROUTE_COOKIES",
    "AppPage",
    "CookielessIdentity",
    "Health",
    "KernelSocket",
    "KernelStatus",
    "NotFound",
    "PageShutdown",
    "QuerySocket",
    "SecurityHeaders",
    "TemplateStatic",
    "WebState",
    "Welcome",
    "log_request",
]

#: The cookies that carry a page's kernel secret, by the URL prefix (before the
#: kernel id) they are sent to: the browser sends them to that kernel's URLs only.
PAGE_COOKIES = {"wb_page": "api/kernels", "wb_page_close": "voila/api/shutdown"}
#: With ``--route NAME`` (several servers behind a proxy): the server's name, sent
#: by the browser to the same kernel URLs only, so the proxy can send each page's
#: kernel requests back to the server that holds its kernel, whichever server
#: the browser's other pages are on (deploy/nginx/workbook.conf maps these names).
ROUTE_COOKIES = {"wb_route": "api/kernels", "wb_route_close": "voila/api/shutdown"}
#: How long a browser keeps it; a kernel idle that long was culled long before.
PAGE_COOKIE_SECONDS = 24 * 3600
#: Longest wait for a page of the same link that another request is making.
PAGE_WAIT_SECONDS = 120.0
#: Looks at a link's page before giving up (each failed page of the link is one).
PAGE_ATTEMPTS = 4
#: The "getting your page ready" page (``opening.html``): its cookie marks the
#: reloads it makes, which the server holds up to ``WAITING_HOLD_SECONDS`` for
#: the page (the browser keeps showing the waiting page meanwhile), then
#: answers with the waiting page again, reloading after ``WAITING_RELOAD_SECONDS``.
WAITING_COOKIE = "wb_waiting"
WAITING_HOLD_SECONDS = 15.0
WAITING_RELOAD_SECONDS = 1
_KERNEL_ID = re.compile(r'"kernelId": "([0-9a-f-]{36})"')


async def _done(result: Awaitable[Any] | None) -> None:
    """Await what tornado's handler methods may or may not return."""
    if result is not None:
        await result


@dataclass
class WebState:
    """What the handlers share, kept in the tornado settings as ``workbook``."""

    links: LinkLookups
    lookups: ThreadPoolExecutor
    limiter: RateLimiter  # new kernels per client address
    refusals: RateLimiter  # refused links per client address
    clients: Clients
    recheck_seconds: float = SWEEP_SECONDS  # 0: links are checked again only when a browser connects
    route: str = ""  # this server's name for a proxy in front of several (``--route``); "": none
    #: One "asked to wait" warning per address a minute (see :func:`log_request`).
    waits_logged: LogThrottle = field(default_factory=LogThrottle)

    sweeper: asyncio.Task[None] | None = None

    def start_sweep(self, manager: Any) -> None:
        """Check the open pages' links every ``recheck_seconds`` (started with the first page, on the loop)."""
        if self.sweeper is None and self.recheck_seconds > 0:
            self.sweeper = asyncio.ensure_future(
                sweep_forever(manager.pages, self.links, manager.shutdown_kernel, self.recheck_seconds))

    def close(self) -> None:
        if self.sweeper is not None:
            self.sweeper.cancel()
        self.lookups.shutdown(wait=False, cancel_futures=True)
        self.links.checker.close()


def _left_out(count: int) -> str:
    return f"; {count} more from it in the last minute were not logged" if count else ""


def log_request(handler: web.RequestHandler) -> None:
    """jupyter_server's access log (which hides ``?token=`` and ``?key=``), without a line per 429.

    Each "asked to wait" is already logged by the handler, once per address a
    minute; a full-speed flood would otherwise add a line for every request.
    """
    from jupyter_server.log import log_request as log_with_secrets_hidden

    if handler.get_status() != 429:
        log_with_secrets_hidden(handler)  # type: ignore[no-untyped-call]


class SecurityHeaders(web.OutputTransform):
    """Adds the security headers to every response, whichever handler made it."""

    def transform_first_chunk(
        self, status_code: int, headers: httputil.HTTPHeaders, chunk: bytes, finishing: bool
    ) -> tuple[int, httputil.HTTPHeaders, bytes]:
        for name, value in SECURITY_HEADERS.items():
            headers[name] = value
        return status_code, headers, chunk


class CookielessIdentity(PasswordIdentityProvider):
    """Everyone is the same anonymous visitor, and no login cookie is set.

    Voila's default sets a ``username-…`` cookie on every page for a login
    the apps never use; the link itself is the credential.
    """

    def set_login_cookie(self, handler: web.RequestHandler, user: Any) -> None:
        return None


class _Hardened(web.RequestHandler):
    """Cookies that are ``SameSite=Strict`` and, over https, ``Secure``."""

    @property
    def state(self) -> WebState:
        state: WebState = self.settings["workbook"]
        return state

    def client_address(self) -> str:
        return self.state.clients.address(self.request.remote_ip or "", self.request.headers)

    def is_https(self) -> bool:
        return self.state.clients.is_https(self.request.remote_ip or "", self.request.protocol, self.request.headers)

    def set_cookie(self, name: str, value: str | bytes, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("samesite", "Strict")
        if self.is_https():
            kwargs["secure"] = True
        super().set_cookie(name, value, *args, **kwargs)

    def pages(self) -> PageRegistry:
        registry: PageRegistry = self.settings["kernel_manager"].pages
        return registry

    def has_page_secret(self, kernel_id: str, cookie: str = "wb_page") -> bool:
        return self.pages().secret_matches(kernel_id, self.get_cookie(cookie))

    def from_this_site(self) -> bool:
        return same_origin(self.request.headers.get("Origin"), self.request.headers.get("Host"))


class NotFound(_Hardened, BaseVoilaHandler):  # type: ignore[misc]
    """404 page in our template: no kernel, no listing (every method)."""

    async def prepare(self) -> None:
        await _done(super().prepare())  # sets the (anonymous) user the error page needs
        raise web.HTTPError(404)


class Welcome(_Hardened, BaseVoilaHandler):  # type: ignore[misc]
    """The root address: what this server is and how to get a link (no kernel, no list of apps).

    People type the bare address they were told, or a link loses its query
    on the way: they get words to act on instead of "not found".
    """

    async def prepare(self) -> None:
        await _done(super().prepare())  # sets the (anonymous) user the template needs

    def get(self) -> None:
        self.set_header("Content-Type", "text/html; charset=UTF-8")
        self.set_header("Cache-Control", "no-cache")
        self.finish(self.render_template("welcome.html"))

    def head(self) -> None:
        self.set_header("Content-Type", "text/html; charset=UTF-8")
        self.finish()


class Health(web.RequestHandler):
    """``ok``: the server answers (no kernel, no template, no disk)."""

    def get(self) -> None:
        self.set_header("Cache-Control", "no-store")
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish("ok\n")


class AppPage(_Hardened, TornadoVoilaHandler):  # type: ignore[misc]
    """An app page: a valid link, one kernel per link, a limit per client address.

    Also sets the ``_xsrf`` cookie: closing a tab posts
    ``/voila/api/shutdown/<kernel>`` so the kernel is freed at once, and that
    POST must carry the cookie's value (Voila's page handler never sets it).
    """

    #: Refusal pages by what they say, and "please wait" pages by their seconds:
    #: a flood of bad links renders no template.
    _refusals: ClassVar[dict[tuple[int, str, str], str]] = {}
    _waits: ClassVar[dict[int, str]] = {}
    _unattended: ClassVar[set[asyncio.Future[None]]] = set()  # pages being made while their visitor waits
    #: Links whose page, made while their visitor waited, was refused a kernel at the cap: the
    #: waiting page's next reload says "busy, try again in a minute" (as a page made at once
    #: would) instead of queueing the visitor for a kernel that may not come for minutes.
    _busy: ClassVar[dict[str, float]] = {}
    _began = 0.0  # when this request arrived (monotonic): for the page's timing line

    async def prepare(self) -> None:
        # An address past its refused-links budget, whose "please wait" page is
        # made already, is answered before Jupyter's own preparation (user,
        # cookies): a full-speed flood then costs the server as little as it can.
        if self.request.method == "GET" and self._too_many_refusals(cached_only=True):
            return
        await _done(super().prepare())

    async def get(self, path: str | None = None) -> None:
        app = path or ""
        self._began = time.monotonic()
        if self._too_many_refusals():
            return
        # Exactly as the app reads it (workbook.apps.request: unstripped), and only once.
        given = self.get_query_arguments(credential_parameter(app), strip=False)
        credential = given[0] if given else None
        verdict = REPEATED if len(given) > 1 else await self.state.links.check(app, credential)
        if isinstance(verdict, Refusal):
            if verdict.status == 403:
                self.state.refusals.take(self.client_address())
            self._refuse(verdict)
            return
        _ = self.xsrf_token  # tornado sets the cookie the first time it is read
        self.state.start_sweep(self.kernel_manager)
        await self._serve(app, verdict.identity, path, credential)

    def _refuse(self, refusal: Refusal) -> None:
        key = (refusal.status, refusal.title, refusal.text)
        if key not in self._refusals:
            self._refusals[key] = self.render_template("link.html", title=refusal.title, text=refusal.text)
        self.set_status(refusal.status)
        if refusal.status == 503:
            self.set_header("Retry-After", "60")
        self.set_header("Content-Type", "text/html; charset=UTF-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(self._refusals[key])

    async def _serve(self, app: str, identity: str, path: str | None, credential: str | None) -> None:
        manager = self.kernel_manager
        pages = self.pages()
        query = self.request.query
        refused_at = self._busy.pop(identity, None)
        if refused_at is not None and self.get_cookie(WAITING_COOKIE) and time.monotonic() - refused_at < 60:
            raise web.HTTPError(503, "kernel limit reached while the page was made", reason="Busy")
        for _attempt in range(PAGE_ATTEMPTS):
            async with pages.claim(identity):  # one request at a time decides for a link
                page = pages.find(identity)
                if page is not None and page.kernel_id is not None and page.kernel_id not in manager:
                    pages.fail(page)  # gone without notice (it died)
                    page = None
                replace = page is not None and page.ready.done() and page.query != query
                if page is None or replace:
                    if self._limited():
                        return
                    if page is not None:  # the same token or key with another query: a new kernel
                        self.log.info("Link %s opened with another query: kernel %s is replaced",
                                      identity[:8], page.kernel_id)
                        pages.fail(page)
                        if page.kernel_id is not None and page.kernel_id in manager:
                            await manager.shutdown_kernel(page.kernel_id)
                    mine = pages.begin(identity, query, app, credential)
                    break
            # The link's page exists or is being made by another request: wait for it, outside the lock.
            assert page is not None
            if self.get_cookie(WAITING_COOKIE) and not page.ready.done():
                # A reload by the waiting page: hold it a while (the browser still shows the
                # waiting page), then say again how it is going.
                try:
                    html = await asyncio.wait_for(asyncio.shield(page.ready), WAITING_HOLD_SECONDS)
                except TimeoutError:
                    self._send_waiting(page)
                    return
            else:
                html = await asyncio.wait_for(asyncio.shield(page.ready), PAGE_WAIT_SECONDS)
            if html is not None and page.query == query and pages.find(identity) is page:
                self.log.info("Link %s opened again: the page of kernel %s is sent again (no new kernel)",
                              identity[:8], page.kernel_id)
                self._send_page(page, html)
                return
        else:  # its page failed again and again (the kernel cap): do not make another here
            raise web.HTTPError(503, "no page for the link after several attempts", reason="Busy")
        if not next_is_warm(manager, app):
            # No kernel is ready: the page would stay blank while one warms, for many seconds
            # when a crowd arrives.  Make the page without this request, and say so at once.
            task = asyncio.ensure_future(self._render_unattended(mine, path))
            self._unattended.add(task)  # a reference, so the loop cannot drop the task half-way
            task.add_done_callback(self._unattended.discard)
            self._send_waiting(mine)
            return
        try:
            await self._render(mine, path)
        except BaseException:
            pages.fail(mine)
            raise

    async def _render_unattended(self, page: Page, path: str | None) -> None:
        """Make the link's page while its browser shows the waiting page (its reloads collect it)."""
        try:
            await self._render(page, path, stream=False)
        except Exception as error:  # the kernel cap, a kernel that died: the next reload tries again
            self.pages().fail(page)
            if isinstance(error, web.HTTPError) and error.status_code == 503:
                now = time.monotonic()
                if len(self._busy) > 1000:  # visitors who never came back: forget them
                    for stale in [k for k, at in self._busy.items() if now - at > 60]:
                        del self._busy[stale]
                self._busy[page.identity] = now
            self.kernel_manager.log.warning("A page made while its visitor waited failed: %s",
                                            getattr(error, "log_message", None) or type(error).__name__)

    def _send_waiting(self, page: Page) -> None:
        """ "Getting your page ready": a page that reloads itself, with the visitor's place in the queue."""
        self.set_cookie(WAITING_COOKIE, "1", path=self.request.path, httponly=True,
                        max_age=int(PAGE_WAIT_SECONDS))
        self.set_header("Content-Type", "text/html; charset=UTF-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(self.render_template("opening.html", ahead=self.pages().ahead_of(page),
                                         waited=int(time.monotonic() - page.begun),
                                         reload_seconds=WAITING_RELOAD_SECONDS))

    def _too_many_refusals(self, *, cached_only: bool = False) -> bool:
        """Past its refused-links limit an address is answered 429 before any lookup (a guessing script).

        ``cached_only``: only if the page for that wait is made already (before ``prepare``).
        """
        address = self.client_address()
        wait = self.state.refusals.wait(address)
        if not wait or (cached_only and RateLimiter.retry_after(wait) not in self._waits):
            return False
        left_out = self.state.waits_logged.due(f"refused {address}")
        if left_out is not None:
            self.log.warning("Too many refused links from %s: asked to wait (at most %d a minute)%s",
                             address, self.state.refusals.per_minute, _left_out(left_out))
        self._too_many(wait)
        return True

    def _limited(self) -> bool:
        """Take one of the client address's new kernels; past the limit, answer 429 instead."""
        address = self.client_address()
        wait = self.state.limiter.take(address)
        if not wait:
            return False
        left_out = self.state.waits_logged.due(f"pages {address}")
        if left_out is not None:
            self.log.warning("Too many new pages from %s: asked to wait %d s (--page-rate %d a minute)%s",
                             address, RateLimiter.retry_after(wait), self.state.limiter.per_minute,
                             _left_out(left_out))
        self._too_many(wait)
        return True

    def _too_many(self, wait: float) -> None:
        seconds = RateLimiter.retry_after(wait)
        if seconds not in self._waits:  # at most one page per whole second of waiting
            self._waits[seconds] = self.render_template(
                "error.html", status_code=429, status_message="Too Many Requests", message="", exception=None,
                retry_after=seconds)
        self.set_status(429)
        self.set_header("Retry-After", str(seconds))
        self.set_header("Content-Type", "text/html; charset=UTF-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(self._waits[seconds])

    async def _render(self, page: Page, path: str | None, *, stream: bool = True) -> None:
        """Voila's page, streamed as it comes (``stream``), kept for the link's later openings."""
        chunks: list[str] = []
        found = False
        client_gone = not stream
        timing = PageTiming(self._began, time.monotonic(), pool_state(self.kernel_manager, path or ""))
        async for html in self.get_generator(path=path):
            chunks.append(html)
            if not found:
                kernel = _KERNEL_ID.search("".join(chunks))
                if kernel is None:
                    continue  # the cookies name the kernel: hold the head back until it is known
                timing.kernel = time.monotonic()
                self.pages().kernel_found(page, kernel.group(1))
                if stream:
                    self._set_page_cookies(page)
                found = True
                html = "".join(chunks)
            if not client_gone:
                try:
                    self.write(html)
                    await self.flush()
                except StreamClosedError:  # keep rendering: the link's next opening uses the page
                    client_gone = True
        text = "".join(chunks)
        timing.executed = time.monotonic()
        if page.kernel_id is not None:  # a kernel started for this page (the pool was empty) frees its slot
            self.kernel_manager.warming.warm(page.kernel_id)
        self.kernel_manager.log.info("%s", timing.line())  # the server's log (the handler's says only warnings)
        if not found or page.kernel_id is None:
            self.pages().fail(page)
            if not client_gone:
                self.write(text)
            return
        self.pages().complete(page, text)
        self.kernel_manager.page_sent(page.kernel_id)

    def _send_page(self, page: Page, html: str) -> None:
        if self.get_cookie(WAITING_COOKIE):
            self.clear_cookie(WAITING_COOKIE, path=self.request.path)
        self.set_header("Content-Type", "text/html; charset=UTF-8")
        self.set_header("Cache-Control", "no-cache, no-store, must-revalidate")
        self._set_page_cookies(page)
        self.finish(html)
        assert page.kernel_id is not None
        self.kernel_manager.page_sent(page.kernel_id)  # a close of the link's earlier tab no longer counts

    def _set_page_cookies(self, page: Page) -> None:
        """The kernel's secret, for its status URL and websocket, and for its shutdown URL.

        Two names: tornado keeps one outgoing cookie per name, whatever its path.
        With ``--route``, this server's name goes to the same URLs (two names again).
        """
        assert page.kernel_id is not None
        for name, route in PAGE_COOKIES.items():
            self.set_cookie(name, page.secret, path=url_path_join(self.base_url, route, page.kernel_id),
                            httponly=True, max_age=PAGE_COOKIE_SECONDS)
        if self.state.route:
            for name, route in ROUTE_COOKIES.items():
                self.set_cookie(name, self.state.route, path=url_path_join(self.base_url, route, page.kernel_id),
                                httponly=True, max_age=PAGE_COOKIE_SECONDS)


class KernelStatus(_Hardened, KernelHandler):
    """``GET /api/kernels/<id>``: does the page's kernel still exist?  (404 if not yours.)"""

    async def get(self, kernel_id: str) -> None:
        if not self.has_page_secret(kernel_id):
            raise web.HTTPError(404)
        await _done(super().get(kernel_id))

    async def delete(self, kernel_id: str) -> None:
        raise web.HTTPError(404)


class KernelSocket(_Hardened, VoilaKernelWebsocketHandler):  # type: ignore[misc]
    """The kernel websocket, for the page that holds the kernel, from this site only."""

    def check_origin(self, origin: str | None = None) -> bool:
        return self.from_this_site()

    async def get(self, kernel_id: str, *args: Any, **kwargs: Any) -> None:
        if not self.from_this_site():
            self.log.warning("Refused a kernel websocket without this site's Origin (%s)",
                             self.request.headers.get("Origin", "none"))
            raise web.HTTPError(403)
        if not self.has_page_secret(kernel_id):
            raise web.HTTPError(404)
        page = self.pages().page_of(kernel_id)
        if page is not None and not await link_still_opens(self.state.links, page):
            self.log.warning("Shutting down kernel %s: its link no longer opens (new link, new key or deleted)",
                             kernel_id)
            await self.kernel_manager.shutdown_kernel(kernel_id)
            raise web.HTTPError(404)
        await _done(super().get(kernel_id, *args, **kwargs))

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish(f"{status_code}\n")


class PageShutdown(_Hardened, VoilaShutdownKernelHandler):  # type: ignore[misc]
    """A closed tab gives its kernel back - if it is that page's kernel and no other tab uses it.

    One link's kernel may serve several tabs or devices at once, and a
    reload's old page says "closed" while its new page is on its way: so the
    kernel goes a few seconds later, and only if no browser is connected to
    it by then (``WorkbookKernelManager.page_closed``).
    """

    async def post(self, kernel_id: str) -> None:
        if not self.from_this_site() or not self.has_page_secret(kernel_id, "wb_page_close"):
            raise web.HTTPError(404)
        if kernel_id in self.kernel_manager:
            self.kernel_manager.page_closed(kernel_id)
        self.set_status(204)
        self.finish()


class QuerySocket(RequestInfoSocketHandler):  # type: ignore[misc]
    """Where a pre-heated kernel waits for its page's query: the kernel itself only.

    The kernel connects from this machine, straight (not through a proxy) and
    without an ``Origin`` header, which every browser sends.
    """

    def prepare(self) -> None:
        peer = self.request.remote_ip or ""
        try:
            local = ipaddress.ip_address(peer).is_loopback
        except ValueError:
            local = False
        state: WebState = self.settings["workbook"]
        if not local or state.clients.is_forwarded(self.request.headers) or "Origin" in self.request.headers:
            raise web.HTTPError(404)

    def check_origin(self, origin: str) -> bool:
        return False

    def open(self, kernel_id: str) -> None:
        super().open(kernel_id)
        manager = self.settings.get("kernel_manager")
        warming = getattr(manager, "warming", None)
        if warming is None or warming.is_warm(kernel_id):
            return
        warming.warm(kernel_id)  # it ran its notebook up to the request: the next kernel may warm
        notebook = manager._get_notebook_from_kernel(kernel_id)
        if notebook is not None and kernel_id in warm_kernels(manager, notebook):
            state = pool_state(manager, notebook)
            if not state.starting:
                manager.log.info("Kernel pool of %s is warm: %d kernel(s) ready", notebook, state.ready)


class TemplateStatic(TemplateStaticFileHandler):  # type: ignore[misc]
    """The template's CSS, scripts and fonts (one folder, no sub-folders).

    A text file goes out gzipped from a copy compressed once per file version,
    instead of tornado compressing it again for every page (``compress_response``):
    the 1 MB widget script cost the server's event loop about 40 ms of CPU a page,
    while every visitor waited for it.  Range requests get the plain file.
    """

    #: (path, modified, size) -> the file gzipped.  One entry per static file and version.
    _gzipped: ClassVar[dict[tuple[str, int, int], bytes]] = {}

    async def get(self, path: str, include_body: bool = True) -> None:
        accepts = "gzip" in self.request.headers.get("Accept-Encoding", "")
        if not accepts or "Range" in self.request.headers or not self.settings.get("compress_response"):
            await _done(super().get(path, include_body))
            return
        self.path = self.parse_url_path(path)
        absolute = self.validate_absolute_path(self.root, self.get_absolute_path(self.root, self.path))
        if absolute is None:
            return
        self.absolute_path = absolute
        content_type = self.get_content_type().split(";")[0]
        if not (content_type.startswith("text/") or content_type in web.GZipContentEncoding.CONTENT_TYPES):
            await _done(super().get(path, include_body))
            return
        self.modified = self.get_modified_time()
        self.set_headers()
        if self.should_return_304():
            self.set_status(304)
            return
        compressed = self._compressed()
        self.set_header("Content-Encoding", "gzip")  # tornado's own gzip then leaves the body alone
        self.set_header("Content-Length", len(compressed))
        if include_body:
            self.write(compressed)

    def _compressed(self) -> bytes:
        stat = os.stat(self.absolute_path)
        key = (self.absolute_path, stat.st_mtime_ns, stat.st_size)
        compressed = self._gzipped.get(key)
        if compressed is None:
            with open(self.absolute_path, "rb") as file:
                compressed = gzip.compress(file.read(), compresslevel=9, mtime=0)
            for old in [k for k in self._gzipped if k[0] == self.absolute_path]:
                del self._gzipped[old]  # an older version of the same file
            self._gzipped[key] = compressed
        return compressed


def guarded_routes(server_url: str, template: str) -> list[tuple[Any, ...]]:
    """The routes Voila's own would have had, each with its guarded handler."""
    kernel_id = r"(?P<kernel_id>\w+-\w+-\w+-\w+-\w+)"

    def url(path: str) -> str:
        return url_path_join(server_url, path)

    return [
        (url(rf"/api/kernels/{kernel_id}"), KernelStatus),
        (url(rf"/api/kernels/{kernel_id}/channels"), KernelSocket),
        (url(r"/voila/api/shutdown/(.*)"), PageShutdown),
        (url(rf"/voila/query/{kernel_id}"), QuerySocket),
        (url(rf"/voila/templates/({re.escape(template)}/static/[^/]+)"), TemplateStatic),
    ]


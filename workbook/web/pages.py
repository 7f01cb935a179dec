"""One link, one kernel: the kernel (and page) each valid link holds.

Opening a link again - a reload, a second tab, a second device, or a script
fetching it a hundred times - gets the page already made for that link, on
the same kernel, instead of a new kernel.  The page script connects to that
kernel and shows its widgets as they are now (ipywidgets keeps every open
page of one kernel in step), so a reload carries on where the person was.
Only the first opening takes a kernel from the pool; a flood of one link
neither adds kernels nor drains the pools.

If the same token or key comes with a different query (``&cycle=...``) the
old kernel is shut down and a new one made: still one kernel per link.
Deciding that - look the link up, shut its old kernel down, note the new
page - takes awaits, so requests for one link do it one at a time
(:meth:`PageRegistry.claim`): otherwise a second request could find no page
while the first awaits the shutdown, and each would start a kernel.

Each page's kernel also gets a random secret, sent to the browser as a
cookie that only that kernel's URLs receive.  The kernel's websocket, its
status URL and its shutdown URL answer only requests that carry it, so
knowing a kernel id (it is in the page) is not enough to use the kernel.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import secrets
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

__all__ = ["Page", "PageRegistry"]


@dataclass(eq=False)
class Page:
    """A link's kernel and the page made for it (``html`` once it is complete)."""

    identity: str
    query: str
    ready: asyncio.Future[str | None]
    #: The app and the token or key that opened it (already in ``query``): checked again while open.
    app: str = ""
    credential: str | None = None
    secret: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    kernel_id: str | None = None
    html: str | None = None
    begun: float = field(default_factory=time.monotonic)  # when its making began: its place in the queue


class PageRegistry:
    """The pages of all live links, by link identity and by kernel id."""

    def __init__(self) -> None:
        self._by_link: dict[str, Page] = {}
        self._by_kernel: dict[str, Page] = {}
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}  # link -> (its lock, requests holding or awaiting it)

    def __len__(self) -> int:
        return len(self._by_link)

    def find(self, identity: str) -> Page | None:
        """The link's page, complete or still being made."""
        return self._by_link.get(identity)

    @contextlib.asynccontextmanager
    async def claim(self, identity: str) -> AsyncIterator[None]:
        """Hold the link while deciding whether to reuse, replace or begin its page.

        One lock per link, forgotten when nobody holds or awaits it, so a
        flood of links leaves nothing behind.
        """
        lock, users = self._locks.get(identity, (asyncio.Lock(), 0))
        self._locks[identity] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[identity]
            if users > 1:
                self._locks[identity] = (lock, users - 1)
            else:
                del self._locks[identity]

    def ahead_of(self, page: Page) -> int:
        """Pages still being made that began before this one: the people ahead of it in the queue."""
        return sum(1 for other in self._by_link.values() if other.html is None and other.begun < page.begun)

    def with_kernels(self) -> list[Page]:
        """The pages that hold a kernel now."""
        return list(self._by_kernel.values())

    def begin(self, identity: str, query: str, app: str = "", credential: str | None = None) -> Page:
        """Note that a page for this link is being made (others wait for it).

        Refused while the link has a page: the caller must reuse it, or
        :meth:`fail` it (and shut its kernel down) first - never hold two.
        """
        if identity in self._by_link:
            raise RuntimeError(f"link {identity[:8]} already has a page")
        page = Page(identity, query, asyncio.get_running_loop().create_future(), app, credential)
        self._by_link[identity] = page
        return page

    def kernel_found(self, page: Page, kernel_id: str) -> None:
        page.kernel_id = kernel_id
        self._by_kernel[kernel_id] = page

    def complete(self, page: Page, html: str) -> None:
        page.html = html
        if not page.ready.done():
            page.ready.set_result(html)

    def fail(self, page: Page) -> None:
        """The page could not be made: forget it, and let whoever waits try again."""
        self._drop(page)
        if not page.ready.done():
            page.ready.set_result(None)

    def forget_kernel(self, kernel_id: str) -> Page | None:
        """The kernel is going: its link holds no kernel any more."""
        page = self._by_kernel.get(kernel_id)
        if page is not None:
            self.fail(page)
        return page

    def detach(self, kernel_id: str) -> Page | None:
        """The kernel can no longer serve its link (it died and came back blank).

        The link's next opening makes a new page and kernel; the old page keeps
        its secret for this kernel, so it can still ask whether the kernel is
        there (yes: its notice stays "stopped working, reload") and close it.
        """
        page = self._by_kernel.get(kernel_id)
        if page is not None:
            if self._by_link.get(page.identity) is page:
                del self._by_link[page.identity]
            if not page.ready.done():
                page.ready.set_result(None)
        return page

    def page_of(self, kernel_id: str) -> Page | None:
        return self._by_kernel.get(kernel_id)

    def secret_matches(self, kernel_id: str, secret: str | None) -> bool:
        """Whether a request carries the secret of this kernel's page."""
        page = self._by_kernel.get(kernel_id)
        return page is not None and secret is not None and hmac.compare_digest(page.secret, secret)

    def _drop(self, page: Page) -> None:
        if self._by_link.get(page.identity) is page:
            del self._by_link[page.identity]
        if page.kernel_id is not None and self._by_kernel.get(page.kernel_id) is page:
            del self._by_kernel[page.kernel_id]

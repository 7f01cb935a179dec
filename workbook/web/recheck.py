"""Links checked again while their pages are open: a rotated or deleted link stops.

The server checks a link when its page is requested; a page already open
would otherwise keep working after ``people new-link``, ``org new-key`` or
``people delete`` - its websocket reconnects, its kernel answers.  So the
link of a page is checked again whenever a browser connects to its kernel,
and every :data:`SWEEP_SECONDS` for every open page; a link that no longer
opens loses its kernel (answers are saved as they change).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from workbook.web.access import LinkLookups, Refusal
from workbook.web.defaults import RECHECK_SECONDS
from workbook.web.pages import Page, PageRegistry

__all__ = ["SWEEP_SECONDS", "link_still_opens", "sweep", "sweep_forever"]

#: How often every open page's link is checked again, unless ``--recheck-seconds`` says otherwise.
SWEEP_SECONDS = float(RECHECK_SECONDS)

_log = logging.getLogger(__name__)


async def link_still_opens(links: LinkLookups, page: Page) -> bool:
    """False only when the store says the link is refused (403); a busy or failing store keeps it."""
    verdict = await links.check(page.app, page.credential)
    return not (isinstance(verdict, Refusal) and verdict.status == 403)


async def sweep(pages: PageRegistry, links: LinkLookups, shutdown: Callable[[str], Awaitable[None]]) -> list[str]:
    """Shut down the kernel of every open page whose link no longer opens; return their ids."""
    gone = []
    for page in pages.with_kernels():
        if page.kernel_id is not None and not await link_still_opens(links, page):
            _log.warning("Shutting down kernel %s: its link no longer opens (new link, new key or deleted)",
                         page.kernel_id)
            gone.append(page.kernel_id)
            with contextlib.suppress(Exception):  # it went meanwhile
                await shutdown(page.kernel_id)
    return gone


async def sweep_forever(pages: PageRegistry, links: LinkLookups, shutdown: Callable[[str], Awaitable[None]],
                        seconds: float = SWEEP_SECONDS) -> None:
    while True:
        await asyncio.sleep(seconds)
        try:
            await sweep(pages, links, shutdown)
        except Exception:
            _log.exception("Checking the open pages' links failed")

"""Pre-heated kernels warm up a few at a time, oldest first (issue #12: slow openings under arrivals).

A pre-heated kernel is *warm* once it has run its notebook up to the page's
request and connected to the server to wait for it (``/voila/query/<id>``).
Voila refills the pool as soon as a kernel is taken, and a request that
finds no warm kernel takes one still starting and waits for it.  When
people arrive faster than kernels warm, every arrival adds a start, and all
of them share the two cores: each takes as long as all of them together,
so the first person in the queue waits as long as the last.

Here at most ``slots`` kernels start and warm at once; the others wait their
turn in the order they were asked for (the order the requests took them), so
the first in the queue gets the first warm kernel.  The CPU does the same
work, but a page is ready after its own kernel's turn instead of after
everyone's.  A kernel that never says it is warm (a notebook that does not
wait for its request, a machine far too busy) frees its slot after
``timeout`` seconds and counts as warm from then on: it is as ready as it
will get.

A kernel Voila starts for a request that found the pool empty (it runs the
whole notebook at once, never waiting for a request) takes a slot the same
way and frees it when its page is complete: without that, a crowd that
empties the pool starts one kernel per arrival all at once, and a hundred
kernels sharing two cores made no page at all for minutes (load test,
100 respondents).

The set of warm kernels also tells the page handler whether a page can be
made at once, or whether to show the "getting your page ready" page while
its kernel warms (:mod:`workbook.web.handlers`).
"""

from __future__ import annotations

import asyncio
import time

__all__ = ["WARM_TIMEOUT_SECONDS", "Warming"]

#: Longest a starting kernel holds its slot without saying it is warm.
WARM_TIMEOUT_SECONDS = 60.0


class Warming:
    """Slots for kernels starting, and which kernels are warm (and since when)."""

    def __init__(self, slots: int, timeout: float = WARM_TIMEOUT_SECONDS) -> None:
        self.slots = slots
        self.timeout = timeout
        self._free: asyncio.Semaphore | None = None  # made on the server's loop, on first use
        self._holding: dict[str, asyncio.TimerHandle] = {}  # kernel id -> its slot's time-out
        self._started: dict[str, float] = {}  # kernel id -> when its start was asked for (monotonic)
        self.warm_after: dict[str, float] = {}  # kernel id -> seconds from its start to warm

    def _semaphore(self) -> asyncio.Semaphore:
        if self._free is None:
            self._free = asyncio.Semaphore(max(1, self.slots))
        return self._free

    async def take_slot(self) -> float:
        """Wait for a slot (first come, first served); returns when the start was asked for."""
        asked = time.monotonic()
        if self.slots > 0:
            await self._semaphore().acquire()
        return asked

    def give_back(self) -> None:
        """The start failed before there was a kernel: its slot is free."""
        if self.slots > 0:
            self._semaphore().release()

    def starting(self, kernel_id: str, asked: float) -> None:
        """The kernel exists and is running its notebook; it holds its slot until it is warm."""
        self._started[kernel_id] = asked
        if self.slots > 0:
            self._holding[kernel_id] = asyncio.get_running_loop().call_later(
                self.timeout, lambda: self.warm(kernel_id))

    def warm(self, kernel_id: str) -> None:
        """The kernel waits for its page's request: its slot goes to the next kernel in line."""
        asked = self._started.pop(kernel_id, None)
        if asked is not None:
            self.warm_after[kernel_id] = time.monotonic() - asked
        self._free_slot(kernel_id)

    def is_warm(self, kernel_id: str) -> bool:
        return kernel_id in self.warm_after

    def forget(self, kernel_id: str) -> None:
        """The kernel is gone (shut down, or died before it was warm)."""
        self._started.pop(kernel_id, None)
        self.warm_after.pop(kernel_id, None)
        self._free_slot(kernel_id)

    def _free_slot(self, kernel_id: str) -> None:
        timer = self._holding.pop(kernel_id, None)
        if timer is not None:
            timer.cancel()
            self._semaphore().release()

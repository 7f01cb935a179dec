"""How many kernels one client address may start: a token bucket per address.

Only requests that take a kernel count (a valid link with no live kernel);
a bad link costs no kernel and a reload reuses the link's kernel.  A bucket
holds ``per_minute`` tokens and refills at ``per_minute`` a minute, so a
workshop room behind one NAT address may open that many links at once and
as many again every minute, while one address can never churn kernels
faster than that.

A second, separate set of buckets counts refused links per address
(by default :data:`REFUSALS_BURST` at once, then :data:`REFUSALS_PER_MINUTE`
a minute; ``workbook serve --refused-burst/--refused-rate``): a flood of
well-shaped made-up tokens would otherwise queue one database lookup each.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from workbook.web.defaults import REFUSALS_BURST, REFUSALS_PER_MINUTE

__all__ = ["DEFAULT_PER_MINUTE", "REFUSALS_BURST", "REFUSALS_PER_MINUTE", "LogThrottle", "RateLimiter"]

#: Kernel-starting page openings per client address and minute (and the burst).
DEFAULT_PER_MINUTE = 60
#: Addresses remembered at most; full buckets are forgotten first.
MAX_ADDRESSES = 10_000


class RateLimiter:
    """Token buckets keyed by client address; ``per_minute`` 0 means no limit.

    A bucket holds ``burst`` tokens (``per_minute`` unless given).
    """

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic, *,
                 burst: int | None = None) -> None:
        if per_minute < 0:
            raise ValueError("per_minute must be 0 (no limit) or more")
        self.per_minute = per_minute
        self.burst = per_minute if burst is None else burst
        if self.burst < 1 and per_minute:
            raise ValueError("burst must be at least 1")
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # address -> (tokens, when)

    def _tokens(self, address: str, now: float) -> float:
        tokens, when = self._buckets.get(address, (float(self.burst), now))
        return min(float(self.burst), tokens + (now - when) * self.per_minute / 60)

    def wait(self, address: str) -> float:
        """Seconds until the address may spend a token (0: now), without spending one."""
        if not self.per_minute:
            return 0.0
        tokens = self._tokens(address, self._clock())
        return 0.0 if tokens >= 1 else (1 - tokens) * 60 / self.per_minute

    def take(self, address: str) -> float:
        """Spend one token: 0 if allowed, else the seconds until the next token."""
        if not self.per_minute:
            return 0.0
        now = self._clock()
        tokens = self._tokens(address, now)
        if tokens < 1:
            self._buckets[address] = (tokens, now)
            return (1 - tokens) * 60 / self.per_minute
        self._buckets[address] = (tokens - 1, now)
        if len(self._buckets) > MAX_ADDRESSES:
            self._forget_full(now)
        return 0.0

    @staticmethod
    def retry_after(wait: float) -> int:
        """Whole seconds for a ``Retry-After`` header (never 0)."""
        return max(1, math.ceil(wait))

    def _forget_full(self, now: float) -> None:
        """A full bucket is the same as none: drop those (then the oldest) to bound memory."""
        for address in [a for a in self._buckets if self._tokens(a, now) >= self.burst]:
            del self._buckets[address]
        if len(self._buckets) > MAX_ADDRESSES:
            oldest = sorted(self._buckets, key=lambda a: self._buckets[a][1])
            for address in oldest[: len(self._buckets) - MAX_ADDRESSES]:
                del self._buckets[address]


class LogThrottle:
    """Says whether to log an address's "asked to wait" again: once per ``seconds`` at most.

    A flood answered 429 at full speed from a few addresses would otherwise
    write two log lines a request (hundreds a second, gigabytes a day) and
    spend the server's time on them; one line per address a minute says the
    same to whoever reads the log, with the number left out meanwhile.
    """

    def __init__(self, seconds: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self._clock = clock
        self._last: dict[str, tuple[float, int]] = {}  # address -> (when last logged, left out since)

    def due(self, address: str) -> int | None:
        """The number of lines left out since the last one if a line is due now, else None."""
        now = self._clock()
        when, left_out = self._last.get(address, (float("-inf"), 0))
        if now - when < self.seconds:
            self._last[address] = (when, left_out + 1)
            return None
        if len(self._last) >= MAX_ADDRESSES:
            self._last = {a: v for a, v in self._last.items() if now - v[0] < self.seconds}
            if len(self._last) >= MAX_ADDRESSES:
                self._last.clear()
        self._last[address] = (now, 0)
        return left_out

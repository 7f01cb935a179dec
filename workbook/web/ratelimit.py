"""How many kernels one client address may start: a token bucket per address.

Only requests that take a kernel count (a valid link with no live kernel);
a bad link costs no kernel and a reload reuses the link's kernel.  A bucket
holds ``per_minute`` tokens and refills at ``per_minute`` a minute, so a
workshop room behind one NAT address may open that many links at once and
as many again every minute, while one address can never churn kernels
faster than that.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

__all__ = ["DEFAULT_PER_MINUTE", "RateLimiter"]

#: Kernel-starting page openings per client address and minute (and the burst).
DEFAULT_PER_MINUTE = 60
#: Addresses remembered at most; full buckets are forgotten first.
MAX_ADDRESSES = 10_000


class RateLimiter:
    """Token buckets keyed by client address; ``per_minute`` 0 means no limit."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        if per_minute < 0:
            raise ValueError("per_minute must be 0 (no limit) or more")
        self.per_minute = per_minute
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # address -> (tokens, when)

    def _tokens(self, address: str, now: float) -> float:
        tokens, when = self._buckets.get(address, (float(self.per_minute), now))
        return min(float(self.per_minute), tokens + (now - when) * self.per_minute / 60)

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
        for address in [a for a in self._buckets if self._tokens(a, now) >= self.per_minute]:
            del self._buckets[address]
        if len(self._buckets) > MAX_ADDRESSES:
            oldest = sorted(self._buckets, key=lambda a: self._buckets[a][1])
            for address in oldest[: len(self._buckets) - MAX_ADDRESSES]:
                del self._buckets[address]

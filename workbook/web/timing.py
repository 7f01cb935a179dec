"""Where a page opening's time goes, one log line per page made (issue #12).

Under a crowd of arrivals a page can take many seconds; the line says which
phase took them: the request waiting for its link to be checked and claimed,
waiting for a pre-heated kernel (the pool empty, its refills still starting),
or the notebook running the app once the kernel had the request.  The pool's
state when the page asked for a kernel is on the line too, so an operator (and
``benchmarks/load.py``, which reads these lines) can tell a pool too small for
the arrivals from a machine too busy to run the apps.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

__all__ = ["PREFIX", "PageTiming", "PoolState", "next_is_warm", "parse", "pool_state", "warm_kernels"]

#: How each line starts (``benchmarks/load.py`` finds them by it).
PREFIX = "Page timing:"


@dataclass(frozen=True)
class PoolState:
    """The app's pre-heated kernels when a page asked for one."""

    ready: int  # started and waiting for a page
    starting: int  # refills on their way

    def __str__(self) -> str:
        return f"pool {self.ready} ready, {self.starting} starting"  # ready: warm


def warm_kernels(manager: Any, notebook: str) -> list[str]:
    """The kernels of ``notebook``'s pool that are warm: they ran the notebook up to the page's request.

    Voila's ``_pools`` holds one task a kernel, done once the kernel has
    started; ``manager.warming`` knows which of those have reached the request.
    """
    warming = getattr(manager, "warming", None)
    found = []
    for task in getattr(manager, "_pools", {}).get(notebook, []):
        if task.done() and not task.cancelled() and task.exception() is None:
            kernel_id = task.result().get("kernel_id", "")
            if warming is None or warming.is_warm(kernel_id):
                found.append(kernel_id)
    return found


def next_is_warm(manager: Any, notebook: str) -> bool:
    """Whether the kernel the next page takes (the pool's first: Voila takes them in order) is warm."""
    pool = getattr(manager, "_pools", {}).get(notebook, [])
    if not pool or not pool[0].done() or pool[0].cancelled() or pool[0].exception() is not None:
        return False
    return pool[0].result().get("kernel_id") in warm_kernels(manager, notebook)


def pool_state(manager: Any, notebook: str) -> PoolState:
    """Count the warm and the still starting kernels of ``notebook``'s pool."""
    pool = getattr(manager, "_pools", {}).get(notebook, [])
    ready = len(warm_kernels(manager, notebook))
    return PoolState(ready, len(pool) - ready)


@dataclass
class PageTiming:
    """Monotonic moments of one page opening."""

    began: float  # the request arrived
    rendering: float  # the link was checked and this request makes its page
    pool: PoolState
    kernel: float = 0.0  # a kernel was assigned (its id is in the page)
    executed: float = 0.0  # the notebook has run: the page is complete

    def line(self) -> str:
        kernel = self.kernel or self.executed
        return (f"{PREFIX} link checked in {self.rendering - self.began:.2f} s, kernel assigned after "
                f"{kernel - self.rendering:.2f} s ({self.pool}), notebook ran {self.executed - kernel:.2f} s, "
                f"page complete after {self.executed - self.began:.2f} s")


_LINE = re.compile(
    rf"{re.escape(PREFIX)} link checked in (?P<link>[\d.]+) s, kernel assigned after (?P<kernel>[\d.]+) s "
    r"\(pool (?P<ready>\d+) ready, (?P<starting>\d+) starting\), notebook ran (?P<ran>[\d.]+) s, "
    r"page complete after (?P<total>[\d.]+) s")


def parse(log: str) -> list[dict[str, float]]:
    """Every timing line in a server log, as ``link``, ``kernel``, ``ready``, ``starting``, ``ran``, ``total``."""
    return [{name: float(value) for name, value in found.groupdict().items()} for found in _LINE.finditer(log)]

"""Pre-heated kernels warm a few at a time, oldest first, and the page timing line (issue #12).

The slots decide who waits when a crowd arrives faster than kernels warm; the
timing line is what an operator (and ``benchmarks/load.py``) reads to see where
an opening's time went.  The real server's side is in
``tests/browser/test_serve_waiting.py``.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Coroutine
from typing import Any

from workbook.web.timing import PageTiming, PoolState, parse
from workbook.web.warming import Warming


def _run(coroutine: Coroutine[Any, Any, Any]) -> Any:
    """asyncio.run in a thread of its own: an earlier test may have left a loop running on this one."""
    with concurrent.futures.ThreadPoolExecutor(1) as runner:
        return runner.submit(asyncio.run, coroutine).result()


def test_kernels_beyond_the_slots_wait_and_start_in_the_order_they_asked() -> None:
    async def scenario() -> list[str]:
        warming = Warming(2)
        order: list[str] = []

        async def start(name: str) -> None:
            asked = await warming.take_slot()
            order.append(name)
            warming.starting(name, asked)

        tasks = [asyncio.ensure_future(start(name)) for name in "abcde"]
        await asyncio.sleep(0.05)
        assert order == ["a", "b"]  # two slots: the rest wait
        warming.warm("b")
        await asyncio.sleep(0.05)
        assert order == ["a", "b", "c"]  # b is warm: the oldest waiting starts, not any
        warming.forget("a")  # a kernel shut down before it was warm frees its slot too
        await asyncio.sleep(0.05)
        warming.warm("c")
        await asyncio.sleep(0.05)
        await asyncio.gather(*tasks)
        assert warming.is_warm("b") and warming.is_warm("c") and not warming.is_warm("a")
        return order

    assert _run(scenario()) == ["a", "b", "c", "d", "e"]


def test_a_kernel_that_never_says_it_is_warm_frees_its_slot_after_the_timeout() -> None:
    async def scenario() -> tuple[bool, bool]:
        warming = Warming(1, timeout=0.1)
        warming.starting("silent", await warming.take_slot())
        waiting = asyncio.ensure_future(warming.take_slot())
        await asyncio.sleep(0.03)
        blocked = not waiting.done()
        await asyncio.wait_for(waiting, 2)
        return blocked, warming.is_warm("silent")

    assert _run(scenario()) == (True, True)


def test_no_slots_means_no_waiting() -> None:
    async def scenario() -> int:
        warming = Warming(0)
        for n in range(20):
            warming.starting(str(n), await asyncio.wait_for(warming.take_slot(), 1))
        return len(warming._holding)

    assert _run(scenario()) == 0


def test_the_timing_line_reads_back_as_it_was_written() -> None:
    timing = PageTiming(began=10.0, rendering=10.25, pool=PoolState(ready=0, starting=3), kernel=22.5, executed=24.0)
    line = f"[WorkbookVoila] {timing.line()}"
    assert "kernel assigned after 12.25 s (pool 0 ready, 3 starting)" in line
    assert parse(f"other line\n{line}\n") == [
        {"link": 0.25, "kernel": 12.25, "ready": 0.0, "starting": 3.0, "ran": 1.5, "total": 14.0}]

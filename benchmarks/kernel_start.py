"""CPU seconds and wall time to start one app kernel, plain and forked from the zygote (``--fork-kernels``).

    .venv/bin/python benchmarks/kernel_start.py [--kernels 5]

Starts ``--kernels`` kernels one after the other through jupyter_client, the
plain way and then through the kernel zygote (:mod:`workbook.serve.forking`),
and for each measures, until it has answered ``kernel_info`` and imported the
values app (``from workbook.apps import values``, the notebook's first cell):
the wall time, and the CPU seconds its process used (a forked kernel's count
starts at the fork; the zygote's one-off imports are printed apart).  CPU
seconds hardly depend on the machine's load; wall times do, so the load
average is printed beside them.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import psutil

CODE = "from workbook.apps import values"


async def one_kernel(config: Any, cwd: str) -> tuple[float, float]:
    """Start a kernel, run the app's import; its (wall seconds, CPU seconds)."""
    from jupyter_client.manager import AsyncKernelManager
    from traitlets.config import LoggingConfigurable

    manager = AsyncKernelManager(parent=LoggingConfigurable(config=config))
    began = time.perf_counter()
    await manager.start_kernel(cwd=cwd)
    client = manager.client()
    client.start_channels()
    try:
        await client.wait_for_ready(timeout=120)
        reply = await client.execute_interactive(CODE, timeout=120)
        assert reply["content"]["status"] == "ok", reply["content"]
        wall = time.perf_counter() - began
        times = psutil.Process(manager.provisioner.pid).cpu_times()
        return wall, times.user + times.system
    finally:
        client.stop_channels()
        await manager.shutdown_kernel(now=True)


async def measure(kernels: int, fork: bool) -> tuple[list[tuple[float, float]], float | None]:
    from jupyter_client.provisioning.factory import KernelProvisionerFactory
    from traitlets.config import Config

    from workbook.serve import forking

    KernelProvisionerFactory.clear_instance()
    config = Config({"KernelProvisionerFactory": {"default_provisioner_name": forking.ENTRY_POINT}})
    zygote_cpu = None
    if fork:
        zygote = forking.start()
        await zygote.ready()
    try:
        with tempfile.TemporaryDirectory() as cwd:
            samples = [await one_kernel(config, cwd) for _ in range(kernels)]
        if fork and zygote.pid:
            times = psutil.Process(zygote.pid).cpu_times()
            zygote_cpu = times.user + times.system
    finally:
        forking.stop()
    return samples, zygote_cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kernels", type=int, default=5)
    args = parser.parse_args()
    for fork in (False, True):
        load = os.getloadavg()
        with ThreadPoolExecutor(1) as pool:  # asyncio.run in a thread of its own
            samples, zygote_cpu = pool.submit(asyncio.run, measure(args.kernels, fork)).result()
        walls = [wall for wall, _ in samples]
        cpus = [cpu for _, cpu in samples]
        label = "forked" if fork else "plain"
        print(f"{label:7} kernels {len(samples)}: CPU s per kernel median {statistics.median(cpus):.2f} "
              f"(min {min(cpus):.2f}, max {max(cpus):.2f}); wall s median {statistics.median(walls):.2f} "
              f"(min {min(walls):.2f}, max {max(walls):.2f}); load average at start "
              f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
        if zygote_cpu is not None:
            print(f"        the zygote itself: {zygote_cpu:.2f} CPU s once (its imports and the forks)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

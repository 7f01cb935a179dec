"""How many pre-heated kernels, and how many kernels at most, this machine can hold."""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path

#: Memory of one app kernel: the values app measured 160-190 MB unique
#: (240-270 MB resident, shared libraries included) once it has run.
KERNEL_MEMORY_BYTES = 200 * 2**20
#: Most pre-heated kernels per app: refilling more kernels than cores at once
#: only makes them queue for the CPU (an empty pool is slower than no pool).
MAX_POOL_PER_APP = 4
#: Share of the available memory the pools may hold, and all kernels together.
POOL_MEMORY_SHARE = 0.25
KERNEL_MEMORY_SHARE = 0.75
#: Kernels for visitors that the cap always allows beyond the pools.
MIN_VISITOR_KERNELS = 2


@dataclass(frozen=True, slots=True)
class Machine:
    """What the pools and the kernel cap are sized from."""

    cpus: int
    available_memory: int  # bytes

    @classmethod
    def measure(cls) -> Machine:
        return cls(cpus=_cpu_count(), available_memory=_available_memory())


def _cpu_count() -> int:
    usable = getattr(os, "sched_getaffinity", None)  # the CPUs this process may use (Linux)
    cpus = len(usable(0)) if usable else (os.cpu_count() or 1)
    with contextlib.suppress(OSError, ValueError):  # a container's CPU quota (cgroup v2)
        quota, period = Path("/sys/fs/cgroup/cpu.max").read_text().split()
        if quota != "max":
            cpus = min(cpus, max(1, -(-int(quota) // int(period))))
    return max(1, cpus)


def _available_memory() -> int:
    available = 2 * 2**30  # a guess where nothing below can be read
    with contextlib.suppress(OSError, ValueError):
        available = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                available = int(line.split()[1]) * 1024
    with contextlib.suppress(OSError, ValueError):  # a container's memory limit (cgroup v2)
        limit = Path("/sys/fs/cgroup/memory.max").read_text().strip()
        if limit != "max":
            used = int(Path("/sys/fs/cgroup/memory.current").read_text())
            available = min(available, max(0, int(limit) - used))
    return available


def default_pool_size(machine: Machine, apps: int) -> int:
    """Pre-heated kernels per app notebook.

    One per CPU core, at most :data:`MAX_POOL_PER_APP`: the pool absorbs as
    many simultaneous arrivals as there are kernels in it, and is refilled in
    parallel, which only pays while there is a core per refill.  All pools
    together hold at most a quarter of the available memory at
    :data:`KERNEL_MEMORY_BYTES` a kernel.  Never fewer than one.
    """
    by_cpu = min(machine.cpus, MAX_POOL_PER_APP)
    pools_memory = int(machine.available_memory * POOL_MEMORY_SHARE)
    by_memory = pools_memory // (KERNEL_MEMORY_BYTES * max(apps, 1))
    return max(1, min(by_cpu, by_memory))


def default_max_kernels(machine: Machine, pooled: int) -> int:
    """Most live kernels: three quarters of the available memory, and at least
    the pools plus :data:`MIN_VISITOR_KERNELS` kernels for visitors."""
    by_memory = int(machine.available_memory * KERNEL_MEMORY_SHARE) // KERNEL_MEMORY_BYTES
    return max(pooled + MIN_VISITOR_KERNELS, by_memory)


"""Enough ZeroMQ sockets and open files for every kernel the server may hold.

The server talks to each kernel over ZeroMQ sockets: one for control and one
watching its activity, and four more for each browser connection (shell,
control, IOPub, stdin), about six in use per kernel.  All of these come from
the kernel manager's one ZeroMQ context (the client that runs a page's
notebook makes its own), and a context allows 1,023 sockets unless told
otherwise.  In a 200-respondent load test on 2 cores the server reached that
with about 200 kernels: starting a kernel and connecting a page
failed with "Too many open files" (ZeroMQ's word for its own limit), pages
answered HTTP 500, and the 2-core machine itself still had room.  A larger
machine, whose memory allows more kernels by default, would meet it sooner
than its memory.  So the context is sized from ``--max-kernels``, and the
process's open-files limit raised to match (each ZeroMQ socket also holds a
few file descriptors), as far as the system's hard limit allows.
"""

from __future__ import annotations

import logging
from typing import Any, Final

__all__ = ["FILES_PER_SOCKET", "SOCKETS_PER_KERNEL", "kernel_context", "raise_open_files_limit", "sockets_for"]

log = logging.getLogger(__name__)

#: Sockets allowed for one kernel in the server: about 6 in use (2 + 4 per connection), with room for a
#: reloaded page's second connection and for what a later version of Jupyter adds.
SOCKETS_PER_KERNEL: Final = 16
#: Besides the kernels: the pools' warming, the chart renderer's client, ZeroMQ's own threads.
SPARE_SOCKETS: Final = 256
#: ZeroMQ's own default, kept as the least.
ZMQ_DEFAULT_SOCKETS: Final = 1023
#: With no cap on kernels, size for this many.
UNCAPPED_KERNELS: Final = 1000
#: File descriptors a ZeroMQ socket may hold (its mailbox and its connections), with room to spare.
FILES_PER_SOCKET: Final = 3


def sockets_for(max_kernels: int) -> int:
    """ZeroMQ sockets the server's context should allow for ``max_kernels`` kernels (0: no cap)."""
    kernels = max_kernels if max_kernels > 0 else UNCAPPED_KERNELS
    return max(ZMQ_DEFAULT_SOCKETS, kernels * SOCKETS_PER_KERNEL + SPARE_SOCKETS)


def kernel_context(max_kernels: int) -> Any:
    """A new ``zmq.asyncio.Context`` that allows :func:`sockets_for` sockets (set before its first socket)."""
    import zmq
    import zmq.asyncio

    context = zmq.asyncio.Context()
    wanted = sockets_for(max_kernels)
    most = context.get(zmq.SOCKET_LIMIT)
    if wanted > most:
        log.warning("ZeroMQ allows at most %d sockets here, fewer than the %d wanted for %d kernels",
                    most, wanted, max_kernels)
    context.set(zmq.MAX_SOCKETS, min(wanted, most))
    raise_open_files_limit(min(wanted, most) * FILES_PER_SOCKET)
    return context


def raise_open_files_limit(wanted: int) -> int:
    """Raise this process's soft limit on open files to ``wanted`` (at most the hard limit); return it.

    Many systems start services with a soft limit of 1,024 and a much higher
    hard one, which a process may raise itself to.  Nothing is lowered.
    """
    try:
        import resource
    except ImportError:  # Windows: no such limit to raise
        return wanted
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        except (ValueError, OSError) as error:
            log.warning("could not raise the open-files limit from %d to %d: %s", soft, target, error)
            return soft
        soft = target
    if soft != resource.RLIM_INFINITY and soft < wanted:
        log.warning("the open-files limit is %d (hard limit %d), fewer than the %d wanted for the kernels "
                    "allowed; raise it (LimitNOFILE= in the systemd unit) or lower --max-kernels",
                    soft, hard, wanted)
    return int(soft)

"""The server's ZeroMQ context and open-files limit allow every kernel it may hold (issue #12).

In a 200-respondent load test the server ran out of ZeroMQ's default 1,023
sockets with about 200 kernels: kernels failed to start and pages answered
HTTP 500 with "Too many open files".  These tests make sockets past that
default on the kernel manager's own context, and check the open-files limit
is raised from a low soft limit as a systemd service would start with.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
import zmq

from workbook.serve.limits import SOCKETS_PER_KERNEL, ZMQ_DEFAULT_SOCKETS, sockets_for


def test_sockets_grow_with_the_kernel_cap_and_never_fall_below_zeromqs_default() -> None:
    assert sockets_for(10) == ZMQ_DEFAULT_SOCKETS
    assert sockets_for(300) >= 300 * SOCKETS_PER_KERNEL
    assert sockets_for(0) > sockets_for(300)  # no cap: sized for many


def test_the_kernel_managers_context_makes_more_sockets_than_zeromqs_default() -> None:
    from workbook.serve.kernels import _kernel_manager_class

    manager = _kernel_manager_class()(max_kernels=300)
    context = manager.context
    assert context.get(zmq.MAX_SOCKETS) >= 300 * SOCKETS_PER_KERNEL
    made = []
    try:
        for _ in range(ZMQ_DEFAULT_SOCKETS + 200):
            made.append(context.socket(zmq.PAIR))
    finally:
        for socket in made:
            socket.close(linger=0)
    assert len(made) == ZMQ_DEFAULT_SOCKETS + 200


def test_a_plain_context_stops_at_zeromqs_default() -> None:
    """The check above can fail: without the setting, ZeroMQ refuses the 1,024th socket."""
    context = zmq.Context()
    made = []
    try:
        with pytest.raises(zmq.ZMQError, match="Too many open files"):
            for _ in range(ZMQ_DEFAULT_SOCKETS + 200):
                made.append(context.socket(zmq.PAIR))
    finally:
        for socket in made:
            socket.close(linger=0)
        context.term()


@pytest.mark.skipif(sys.platform == "win32", reason="no open-files limit on Windows")
def test_a_low_soft_limit_on_open_files_is_raised_towards_the_hard_limit() -> None:
    script = textwrap.dedent("""
        import resource
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (256, hard))  # as a service may start
        from workbook.serve.limits import raise_open_files_limit
        wanted = 4096 if hard == resource.RLIM_INFINITY else min(4096, hard)
        got = raise_open_files_limit(4096)
        assert got == wanted == resource.getrlimit(resource.RLIMIT_NOFILE)[0], (got, wanted)
        assert raise_open_files_limit(300) == wanted  # never lowered
        print("ok")
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "ok", done.stderr

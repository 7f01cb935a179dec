"""The server's cheap kernel-activity watcher does exactly what jupyter_server's own does.

Both watchers get the same IOPub messages (signed as a kernel signs them); after
each one the kernel's execution state, and whether its last activity moved, must
agree.  The idle culler and ``/api/kernels`` rely on those two fields.
"""

from __future__ import annotations

import types
from typing import Any

import pytest
from jupyter_client.session import Session
from jupyter_server.services.kernels.kernelmanager import MappingKernelManager

from workbook.serve.activity import recorder

KEY = b"a kernel's key"


class FakeStream:
    def __init__(self) -> None:
        self.callback: Any = None

    def on_recv(self, callback: Any) -> None:
        self.callback = callback


class FakeKernel:
    def __init__(self) -> None:
        self.session = Session(key=KEY)
        self.execution_state = "starting"
        self.last_activity: Any = None
        self.stream = FakeStream()

    def connect_iopub(self) -> FakeStream:
        return self.stream


def managers() -> tuple[Any, Any]:
    """(jupyter_server's manager state, ours): each with one fake kernel and the default untracked types."""
    untracked = MappingKernelManager.untracked_message_types.default()

    def state() -> Any:
        manager = types.SimpleNamespace(_kernels={"k": FakeKernel()}, last_kernel_activity=None,
                                        log=types.SimpleNamespace(debug=lambda *a, **k: None))
        manager.track_message_type = lambda kind: kind not in untracked
        return manager

    return state(), state()


def upstream_watcher(manager: Any) -> Any:
    MappingKernelManager.start_watching_activity(manager, "k")
    return manager._kernels["k"].stream.callback


def our_watcher(manager: Any) -> Any:
    kernel = manager._kernels["k"]
    return recorder(manager, kernel, Session(key=KEY))


def iopub(kind: str, content: dict[str, Any], parent_kind: str | None, *, key: bytes = KEY) -> list[bytes]:
    """A message as it arrives from a kernel's IOPub socket: topic, delimiter, signature, parts."""
    session = Session(key=key)
    parent = session.msg(parent_kind, {}) if parent_kind else {}
    message = session.msg(kind, content, parent=parent)
    return [f"kernel.k.{kind}".encode(), *session.serialize(message)]


SEQUENCE = [
    ("status", {"execution_state": "starting"}, None),
    ("status", {"execution_state": "busy"}, "kernel_info_request"),  # untracked request: stays "starting"→"idle"
    ("status", {"execution_state": "idle"}, "kernel_info_request"),
    ("status", {"execution_state": "busy"}, "execute_request"),
    ("stream", {"name": "stdout", "text": "hello"}, "execute_request"),
    ("display_data", {"data": {}, "metadata": {}}, "execute_request"),
    ("status", {"execution_state": "idle"}, "execute_request"),
    ("comm_msg", {"comm_id": "c", "data": {}}, None),  # a widget's update, no request behind it
    ("status", {"execution_state": "busy"}, "comm_info_request"),
    ("comm_msg", {"comm_id": "c", "data": {}}, "comm_info_request"),
    ("status", {"execution_state": "idle"}, "comm_info_request"),
    ("status", {"execution_state": "busy"}, "comm_msg"),
    ("comm_msg", {"comm_id": "c", "data": {"method": "update"}}, "comm_msg"),
    ("status", {"execution_state": "idle"}, "comm_msg"),
]


def test_every_message_leaves_the_kernel_as_jupyter_servers_watcher_would() -> None:
    theirs, ours = managers()
    upstream, cheap = upstream_watcher(theirs), our_watcher(ours)
    for kind, content, parent in SEQUENCE:
        for manager in (theirs, ours):
            manager._kernels["k"].last_activity = manager.last_kernel_activity = None
        frames = iopub(kind, content, parent)
        upstream(list(frames))
        cheap(list(frames))
        them, us = theirs._kernels["k"], ours._kernels["k"]
        assert us.execution_state == them.execution_state, (kind, parent)
        assert (us.last_activity is None) == (them.last_activity is None), (kind, parent)
        assert (ours.last_kernel_activity is None) == (theirs.last_kernel_activity is None), (kind, parent)
    assert ours._kernels["k"].execution_state == "idle"


def test_a_message_signed_with_another_key_changes_nothing() -> None:
    theirs, ours = managers()
    upstream, cheap = upstream_watcher(theirs), our_watcher(ours)
    forged = iopub("status", {"execution_state": "busy"}, "execute_request", key=b"not the kernel's key")
    with pytest.raises(ValueError, match="Invalid Signature"):
        upstream(list(forged))  # jupyter_server's raises (and the stream logs it); ours ignores it
    cheap(list(forged))
    assert ours._kernels["k"].execution_state == "starting"
    assert ours._kernels["k"].last_activity is None


def test_frames_that_are_not_a_message_are_ignored() -> None:
    _theirs, ours = managers()
    cheap = our_watcher(ours)
    cheap([b"kernel.k.status", b"no delimiter here"])
    cheap([b"kernel.k.status", b"<IDS|MSG>", b"too", b"short"])
    assert ours._kernels["k"].execution_state == "starting"

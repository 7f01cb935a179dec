"""Each kernel's activity, read from its IOPub messages cheaply (issue #12: server CPU under a crowd).

jupyter_server watches every message a kernel publishes, to know when it was
last active (the idle culler shuts down kernels nobody used) and whether it is
busy.  Its watcher unpacks each message whole: header, parent header and
metadata, with every date in them parsed, and a status message a second time
with its content, plus a debug line for each.  Profiled under load (30
respondents), that was about a sixth of the server's busy time, for two
fields it reads: the message's type and its parent's type (and, in a status
message, the execution state).

:func:`recorder` makes a watcher that does what jupyter_server's does
(``MappingKernelManager.start_watching_activity``: same fields set, same
rules) but checks the signature and unpacks only those fields.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Sequence
from typing import Any

from jupyter_client.session import DELIM, Session
from jupyter_server._tz import utcnow

__all__ = ["recorder"]

#: [signature, header, parent header, metadata, content, buffers...] after the identities.
HEADER, PARENT, CONTENT = 1, 2, 4


def recorder(manager: Any, kernel: Any, session: Session) -> Callable[[Sequence[bytes]], None]:
    """The IOPub watcher of ``kernel`` for ``manager`` (a jupyter_server ``MappingKernelManager``).

    Sets ``kernel.last_activity`` (and ``manager.last_kernel_activity``) when a
    message, or the request it answers, is of a tracked type, or while the
    kernel is busy; sets ``kernel.execution_state`` from status messages
    answering a tracked request, and turns "starting" into "idle" on the first
    status that says otherwise.  A message whose signature does not match is
    ignored, as jupyter_server's watcher (which raises on it) ignores it.
    """
    track = manager.track_message_type

    def record(msg_list: Sequence[bytes]) -> None:
        try:
            frames = msg_list[list(msg_list).index(DELIM) + 1:]
        except ValueError:
            return
        if len(frames) <= CONTENT:
            return
        if session.auth is not None and not hmac.compare_digest(bytes(frames[0]), session.sign(list(frames[1:5]))):
            return
        header = session.unpack(frames[HEADER])
        parent = session.unpack(frames[PARENT])
        msg_type = header.get("msg_type")
        parent_type = parent.get("msg_type") if parent else None
        if track(msg_type) or track(parent_type) or kernel.execution_state == "busy":
            manager.last_kernel_activity = kernel.last_activity = utcnow()
        if msg_type == "status":
            state = session.unpack(frames[CONTENT]).get("execution_state")
            if track(parent_type):
                kernel.execution_state = state
            elif kernel.execution_state == "starting" and state != "starting":
                kernel.execution_state = "idle"

    return record

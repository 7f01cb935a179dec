"""Reading the page request an app was opened with.

Under Voila with pre-heated kernels the notebook runs *before* anyone asks for
the page, so ``os.environ["QUERY_STRING"]`` is empty; ``voila.utils.
get_query_string()`` blocks until the request arrives and returns its query.
A second call would block for good, so the query is read once per kernel
(a pre-heated kernel serves exactly one page) and kept.  Outside Voila
(papermill, JupyterLab) there is no query and the notebook's parameters are
used instead.

Voila's own wait gives up when its websocket to the server does not open
within 5 s, and drops it when a keep-alive ping goes unanswered for 20 s: on
a server busy starting kernels for a crowd (the load test, issue #12) a
pre-heated kernel then went on with no query at all and the page came back
empty.  :func:`wait_for_request` does the same wait without either limit: it
connects until the server answers (the server keeps a request that arrives
first until the kernel connects) and never pings a server that is merely busy.
"""

from __future__ import annotations

import asyncio
import json
import os
import threading
from functools import cache
from typing import Final
from urllib.parse import parse_qs

__all__ = ["is_preheating", "query_parameter", "query_parameters", "wait_for_request"]

#: Pause between two attempts to reach the server's request websocket.
RETRY_SECONDS: Final = 0.5


def is_preheating() -> bool:
    """True in a kernel Voila started ahead of a request (its pool)."""
    return os.environ.get("VOILA_PREHEAT", "False") == "True"


def _request_url() -> str:
    """Where Voila's server hands a pre-heated kernel its request (as ``voila.utils`` builds it)."""
    environ = os.environ
    server_url = environ.get("VOILA_SERVER_URL", "/")
    base = environ.get("VOILA_WS_BASE_URL", server_url)
    return (f"{environ.get('VOILA_WS_PROTOCOL', 'ws')}://{environ.get('VOILA_APP_IP', '127.0.0.1')}:"
            f"{environ.get('VOILA_APP_PORT', '8866')}{base}voila/query/{environ.get('VOILA_KERNEL_ID', '')}")


async def _receive(url: str, attempts: int | None) -> str | None:
    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed, InvalidHandshake

    tried = 0
    while attempts is None or tried < attempts:
        tried += 1
        try:
            async with connect(url, open_timeout=None, ping_interval=None, close_timeout=1) as socket:
                message = await socket.recv()
                return message if isinstance(message, str) else message.decode("utf-8")
        except (TimeoutError, OSError, InvalidHandshake, ConnectionClosed):
            await asyncio.sleep(RETRY_SECONDS)  # not listening yet, or busy: the request is kept for us
    return None


def wait_for_request(url: str | None = None, *, attempts: int | None = None) -> bool:
    """Block until the server hands this pre-heated kernel its request; put it in ``os.environ``.

    Returns False outside pre-heating, or when ``attempts`` (None: no limit)
    connections failed.  Runs its own event loop in a thread, as Voila does,
    because the kernel's loop is busy running this very cell.
    """
    if not is_preheating():
        return False
    received: list[str | None] = [None]

    def run() -> None:
        received[0] = asyncio.run(_receive(url or _request_url(), attempts))

    thread = threading.Thread(target=run, name="workbook-wait-for-request", daemon=True)
    thread.start()
    thread.join()
    if received[0] is None:
        return False
    for name, value in json.loads(received[0]).items():
        os.environ[name] = value
    return True


@cache
def query_parameters() -> dict[str, str]:
    """The page's query parameters (first value of each), read once."""
    wait_for_request()
    query = os.environ.get("QUERY_STRING")
    if not query:
        return {}
    return {name: values[0] for name, values in parse_qs(query, keep_blank_values=True).items()}


def query_parameter(name: str) -> str | None:
    """One query parameter of the page, if it was given."""
    return query_parameters().get(name)

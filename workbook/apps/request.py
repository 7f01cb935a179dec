"""Reading the page request an app was opened with.

Under Voila with pre-heated kernels the notebook runs *before* anyone asks for
the page, so ``os.environ["QUERY_STRING"]`` is empty: the kernel waits on the
server's ``/voila/query/<kernel id>`` websocket, which sends the request's
variables (``QUERY_STRING`` among them) once the kernel is handed to a page.
A second wait would block for good, so the query is read once per kernel
(a pre-heated kernel serves exactly one page) and kept.  Outside Voila
(papermill, JupyterLab) there is no query and the notebook's parameters are
used instead.

Why not ``voila.utils.get_query_string()``: importing ``voila.utils`` pulls in
jupyter_server and jupyterlab_server (about 700 modules, ~34 MB of every
kernel's own memory) for one websocket read.  :func:`_wait_for_request` does the
same read with tornado, which every kernel has loaded already, following voila
0.5's protocol (``voila/utils.py``: the same environment variables, the same
URL, one JSON message of variables).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import threading
from functools import cache
from urllib.parse import parse_qs

__all__ = ["is_preheating", "query_parameter", "query_parameters", "request_url"]

log = logging.getLogger(__name__)

#: Seconds to wait for the server to accept the query websocket (voila's own figure).
CONNECT_TIMEOUT = 5.0


def is_preheating() -> bool:
    """True in a kernel Voila started ahead of a request (its pool)."""
    return os.environ.get("VOILA_PREHEAT", "False") == "True"


def request_url() -> str:
    """The websocket a pre-heated kernel reads its request from, as voila builds it."""
    protocol = os.environ.get("VOILA_WS_PROTOCOL", "ws")
    server_ip = os.environ.get("VOILA_APP_IP", "127.0.0.1")
    server_port = os.environ.get("VOILA_APP_PORT", "8866")
    server_url = os.environ.get("VOILA_SERVER_URL", "/")
    ws_base_url = os.environ.get("VOILA_WS_BASE_URL", server_url)
    kernel_id = os.environ.get("VOILA_KERNEL_ID")
    return f"{protocol}://{server_ip}:{server_port}{ws_base_url}voila/query/{kernel_id}"


async def _receive(url: str) -> str | None:
    """The one message the query websocket sends: the request's variables as JSON."""
    from tornado.httpclient import HTTPClientError, HTTPRequest
    from tornado.websocket import websocket_connect

    try:
        connection = await websocket_connect(HTTPRequest(url, connect_timeout=CONNECT_TIMEOUT))
    except (OSError, TimeoutError, HTTPClientError) as error:
        log.warning("could not read the page request from %s: %s", url, error)
        return None
    try:
        message = await connection.read_message()
    finally:
        connection.close()
    return message if isinstance(message, str) else None


def _wait_for_request() -> None:
    """Block until this pre-heated kernel is given a page, then put its request in ``os.environ``.

    Runs its own event loop in a thread, as voila does: the kernel's loop is
    busy running the cell that called this.
    """
    if not is_preheating():
        return
    received: list[str | None] = []

    def read() -> None:
        loop = asyncio.new_event_loop()
        try:
            received.append(loop.run_until_complete(_receive(request_url())))
        finally:
            loop.close()

    thread = threading.Thread(target=read, name="workbook-request", daemon=True)
    thread.start()
    thread.join()
    info = received[0] if received else None
    if info:
        for name, value in json.loads(info).items():
            os.environ[str(name)] = str(value)


@cache
def query_parameters() -> dict[str, str]:
    """The page's query parameters (first value of each), read once."""
    _wait_for_request()
    query = os.environ.get("QUERY_STRING")
    if not query:
        return {}
    return {name: values[0] for name, values in parse_qs(query, keep_blank_values=True).items()}


def query_parameter(name: str) -> str | None:
    """One query parameter of the page, if it was given."""
    return query_parameters().get(name)

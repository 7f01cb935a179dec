"""A pre-heated kernel waits for its request however busy the server is (issue #12: empty pages under load).

Voila's own wait gave up after 5 s without a connection, or on a missed
keep-alive ping; the kernel then ran on with no query and the page came back
empty.  These tests run a real websocket server that is not listening yet, or
that drops the first connection, and check the request still arrives.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from workbook.apps import request


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def preheating(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("VOILA_PREHEAT", "True")
    monkeypatch.delenv("QUERY_STRING", raising=False)
    monkeypatch.setattr(request, "RETRY_SECONDS", 0.05)
    yield
    request.os.environ.pop("QUERY_STRING", None)  # set by the kernel-side wait itself, not by monkeypatch


def _serve_later(port: int, delay: float, drop_first: int, payload: dict[str, str]) -> threading.Thread:
    """A request websocket that starts listening after ``delay`` s and drops its first connections unanswered."""

    async def main() -> None:
        from websockets.asyncio.server import serve

        dropped = 0
        done = asyncio.Event()

        async def handler(connection) -> None:  # type: ignore[no-untyped-def]
            nonlocal dropped
            if dropped < drop_first:
                dropped += 1
                await connection.close()
                return
            await connection.send(json.dumps(payload))
            done.set()

        await asyncio.sleep(delay)
        async with serve(handler, "127.0.0.1", port):
            await asyncio.wait_for(done.wait(), 10)

    thread = threading.Thread(target=lambda: asyncio.run(main()), daemon=True)
    thread.start()
    return thread


@pytest.mark.usefixtures("preheating")
@pytest.mark.parametrize(("delay", "drop_first"), [(1.5, 0), (0.0, 2)])
def test_the_request_arrives_after_a_late_or_dropped_connection(delay: float, drop_first: int,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    port = _free_port()
    server = _serve_later(port, delay, drop_first, {"QUERY_STRING": "token=abc&x=1"})
    started = time.monotonic()
    assert request.wait_for_request(f"ws://127.0.0.1:{port}/voila/query/k1", attempts=200)
    assert time.monotonic() - started >= delay
    assert request.os.environ["QUERY_STRING"] == "token=abc&x=1"
    server.join(10)


@pytest.mark.usefixtures("preheating")
def test_nobody_listening_gives_up_only_after_the_attempts_given() -> None:
    port = _free_port()
    assert not request.wait_for_request(f"ws://127.0.0.1:{port}/voila/query/k1", attempts=3)


def test_outside_preheating_there_is_nothing_to_wait_for(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VOILA_PREHEAT", "False")
    assert not request.wait_for_request("ws://127.0.0.1:9/never", attempts=1)

"""The guard's numbers are options of ``workbook serve`` (issue #11): each one, set
otherwise than its default, changes what a real server does over raw HTTP.

Two servers of ``fixtures/hello.ipynb`` beside the default-tuned one of
test_serve_guard.py: ``tuned`` (small numbers) and ``off`` (0 where 0 means off).
Both trust 127.0.0.1 as a proxy, so each test names its own clients with
``X-Forwarded-For``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlencode

import pytest
from harness import Reply, VoilaServer, demo_tokens, kernel_id_of, raw_request, seed_demo_database, websocket_handshake

if TYPE_CHECKING:
    from conftest import StartVoila

FIXTURES = Path(__file__).resolve().parent / "fixtures"
HELLO = "hello.ipynb"


@pytest.fixture(scope="module")
def options_db_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A demo database of its own: these tests rotate links."""
    return seed_demo_database(tmp_path_factory.mktemp("options-db"))


@pytest.fixture(scope="module")
def tokens(options_db_url: str) -> Iterator[str]:
    return iter(demo_tokens(options_db_url))


@pytest.fixture(scope="module")
def tuned(start_voila: StartVoila, options_db_url: str) -> VoilaServer:
    server = start_voila(
        db_url=options_db_url, notebooks=FIXTURES, apps=[HELLO],
        extra_args=["--pool-size", "1", "--trusted-proxy", "127.0.0.1", "--disconnect-seconds", "60",
                    "--refused-burst", "3", "--refused-rate", "6", "--max-lookups", "1",
                    "--close-grace-seconds", "1", "--recheck-seconds", "2"],
    )
    server.wait_for_pools()
    return server


@pytest.fixture(scope="module")
def off(start_voila: StartVoila, options_db_url: str) -> VoilaServer:
    server = start_voila(
        db_url=options_db_url, notebooks=FIXTURES, apps=[HELLO],
        extra_args=["--pool-size", "1", "--trusted-proxy", "127.0.0.1", "--disconnect-seconds", "8",
                    "--refused-rate", "0", "--close-grace-seconds", "0", "--recheck-seconds", "0"],
    )
    server.wait_for_pools()
    return server


def _page(server: VoilaServer, client: str, token: str | None) -> Reply:
    query = f"?{urlencode({'token': token})}" if token is not None else ""
    return raw_request(server, "GET", f"/voila/render/{HELLO}{query}", {"X-Forwarded-For": client})


def _cookie(reply: Reply, name: str) -> str:
    return reply.cookies()[name].split(";", 1)[0]


def _rotate(db_url: str, token: str) -> None:
    """``workbook people new-link`` for the person holding ``token``."""
    from workbook.store import open_store

    with open_store(db_url) as store:
        email = next(i.person.email for i in store.people.invites("demo") if i.token == token)
        store.people.new_token("demo", email)


def _close_tab(server: VoilaServer, page: Reply) -> None:
    """The page's unload request (sendBeacon), as the browser sends it."""
    kernel = kernel_id_of(page.body)
    xsrf = _cookie(page, "_xsrf")
    headers = {"Cookie": f"{xsrf}; {_cookie(page, 'wb_page_close')}", "Origin": server.base_url,
               "Content-Type": "application/x-www-form-urlencoded", "X-XSRFToken": xsrf.split("=", 1)[1]}
    assert raw_request(server, "POST", f"/voila/api/shutdown/{kernel}", headers, b"").status == 204


# --- --refused-burst / --refused-rate ----------------------------------------------------------
def test_refused_burst_and_rate_set_the_bad_link_budget(tuned: VoilaServer) -> None:
    import secrets

    replies = [_page(tuned, "192.0.2.90", secrets.token_urlsafe(32)) for _ in range(12)]
    assert [reply.status for reply in replies] == [403] * 3 + [429] * 9  # a burst of 3, not 60
    assert 1 <= int(replies[3].header("Retry-After") or 0) <= 10  # 6 a minute: one every 10 s
    assert "Please wait a moment" in replies[-1].body
    tuned.wait_for_log(r"Too many refused links from 192\.0\.2\.90: asked to wait \(at most 6 a minute\)")
    time.sleep(0.5)
    log = tuned.log_text()  # one line for the nine, not a line (or two) per request
    assert log.count("Too many refused links from 192.0.2.90") == 1 and " 429 GET " not in log


def test_refused_rate_zero_sets_no_limit(off: VoilaServer) -> None:
    import secrets

    statuses = {_page(off, "192.0.2.91", secrets.token_urlsafe(32)).status for _ in range(80)}
    assert statuses == {403}  # 80 > the default burst of 60, and never 429
    assert "Too many refused links" not in off.log_text()


# --- --max-lookups -------------------------------------------------------------------------------
def test_max_lookups_bounds_the_links_waiting_for_the_database(tuned: VoilaServer) -> None:
    """One lookup at a time: of many well-shaped links arriving together, some are answered busy."""
    import secrets

    def bad(number: int) -> int:
        return _page(tuned, f"198.51.100.{number}", secrets.token_urlsafe(32)).status

    statuses: list[int] = []
    for _round in range(5):  # each address once: the refused-links budget is not the point
        with ThreadPoolExecutor(16) as pool:
            statuses += list(pool.map(bad, range(len(statuses), len(statuses) + 48)))
        if 503 in statuses:
            break
    assert set(statuses) <= {403, 503} and 503 in statuses and 403 in statuses


# --- --close-grace-seconds -------------------------------------------------------------------------
def test_close_grace_sets_how_soon_a_closed_tab_frees_its_kernel(tuned: VoilaServer, tokens: Iterator[str]) -> None:
    page = _page(tuned, "203.0.113.70", next(tokens))
    kernel = kernel_id_of(page.body)
    began = time.monotonic()
    _close_tab(tuned, page)
    tuned.wait_for_log(rf"Shutting down kernel {kernel}: its page was closed", timeout=20)
    assert time.monotonic() - began < 8  # 1 s of grace, not the 60 s disconnect time


def test_opening_the_link_again_within_the_grace_keeps_its_kernel(tuned: VoilaServer, tokens: Iterator[str]) -> None:
    """A page handed out during the grace gets the whole disconnect time to connect (it lost its kernel before)."""
    token = next(tokens)
    page = _page(tuned, "203.0.113.72", token)
    kernel = kernel_id_of(page.body)
    _close_tab(tuned, page)
    again = _page(tuned, "203.0.113.72", token)  # the link opened again at once: the same page and kernel
    assert again.status == 200 and kernel_id_of(again.body) == kernel
    time.sleep(3)  # three times the 1 s grace
    assert f"Shutting down kernel {kernel}" not in tuned.log_text()


def test_close_grace_zero_leaves_a_closed_tab_to_the_disconnect_time(off: VoilaServer, tokens: Iterator[str]) -> None:
    page = _page(off, "203.0.113.71", next(tokens))
    kernel = kernel_id_of(page.body)
    began = time.monotonic()
    _close_tab(off, page)
    time.sleep(4)  # past the default grace of 3 s: still alive
    assert f"Shutting down kernel {kernel}" not in off.log_text()
    off.wait_for_log(rf"Shutting down kernel {kernel}: no browser connected to its page for 8 s", timeout=30)
    assert time.monotonic() - began >= 7


# --- --recheck-seconds ------------------------------------------------------------------------------
def _open_with_socket(server: VoilaServer, client: str, token: str) -> tuple[str, object]:
    page = _page(server, client, token)
    kernel = kernel_id_of(page.body)
    status, sock = websocket_handshake(server, f"/api/kernels/{kernel}/channels?session_id=o1",
                                       {"Origin": server.base_url, "Cookie": _cookie(page, "wb_page")})
    assert status == 101
    return kernel, sock


def test_recheck_seconds_sets_how_soon_an_open_page_of_a_rotated_link_stops(
    tuned: VoilaServer, options_db_url: str, tokens: Iterator[str]
) -> None:
    token = next(tokens)
    kernel, sock = _open_with_socket(tuned, "203.0.113.72", token)
    try:
        _rotate(options_db_url, token)
        began = time.monotonic()  # the page stays connected: only the sweep can notice
        tuned.wait_for_log(rf"Shutting down kernel {kernel}: its link no longer opens", timeout=20)
        assert time.monotonic() - began < 10  # every 2 s, not every 30 s
    finally:
        sock.close()  # type: ignore[attr-defined]


def test_recheck_seconds_zero_checks_only_when_a_browser_connects(
    off: VoilaServer, options_db_url: str, tokens: Iterator[str]
) -> None:
    token = next(tokens)
    kernel, sock = _open_with_socket(off, "203.0.113.73", token)
    try:
        _rotate(options_db_url, token)
        time.sleep(5)
        assert f"Shutting down kernel {kernel}: its link" not in off.log_text()  # no sweep
    finally:
        sock.close()  # type: ignore[attr-defined]

"""What stands between a visitor and a kernel, over raw HTTP against a real server
(issue #11 parts 1 and 5): bad links take no kernel, one link holds one kernel, a
kernel whose browser left is released, new kernels are limited per client address,
the kernel URLs answer only the page holding the kernel, every response carries the
security headers, and the apps run under the Content-Security-Policy in Chromium.

The server trusts 127.0.0.1 as a proxy, so each test names its own client with
``X-Forwarded-For`` and the per-address limit of one test does not touch another.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlencode

import pytest
from harness import (
    Reply,
    VoilaServer,
    demo_tokens,
    kernel_id_of,
    raw_request,
    seed_demo_database,
    wait_for_widgets,
    websocket_handshake,
)

if TYPE_CHECKING:
    from conftest import StartVoila
    from playwright.sync_api import Page

FIXTURES = Path(__file__).resolve().parent / "fixtures"
HELLO = "hello.ipynb"
PREHEATED = r"Using pre-heated kernel: \S+ for hello\.ipynb"


@pytest.fixture(scope="module")
def guard_db_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A demo database of its own: these tests rotate and delete people."""
    return seed_demo_database(tmp_path_factory.mktemp("guard-db"))


@pytest.fixture(scope="module")
def guard_server(start_voila: StartVoila, guard_db_url: str) -> VoilaServer:
    server = start_voila(
        db_url=guard_db_url,
        notebooks=FIXTURES,
        apps=[HELLO],
        extra_args=["--pool-size", "1", "--disconnect-seconds", "3", "--page-rate", "2",
                    "--trusted-proxy", "127.0.0.1"],
    )
    server.wait_for_pools()
    return server


@pytest.fixture(scope="module")
def tokens(guard_db_url: str) -> Iterator[str]:
    """Valid tokens, a new one for every use (one link holds one kernel)."""
    return iter(demo_tokens(guard_db_url))


def _page(server: VoilaServer, client: str, token: str | None, **headers: str) -> Reply:
    query = f"?{urlencode({'token': token})}" if token is not None else ""
    return raw_request(server, "GET", f"/voila/render/{HELLO}{query}", {"X-Forwarded-For": client, **headers})


def _cookie(reply: Reply, name: str) -> str:
    line = reply.cookies()[name]
    return line.split(";", 1)[0]


# --- part 1: links and kernels -----------------------------------------------------------
def test_a_bad_link_is_answered_by_the_server_without_a_kernel(
    guard_server: VoilaServer, guard_db_url: str, tokens: Iterator[str]
) -> None:
    from workbook.store import open_store

    rotated, deleted = next(tokens), next(tokens)
    with open_store(guard_db_url) as store:
        people = {i.token: i.person.email for i in store.people.invites("demo")}
        store.people.new_token("demo", people[rotated])
        store.people.delete("demo", people[deleted])
    kernels = len(guard_server.kernel_pids())
    used = len(re.findall(PREHEATED, guard_server.log_text()))
    bad = [None, "", "short", "x" * 43, "A" * 43, rotated, deleted, "<script>", "a" * 5000]
    for number, token in enumerate(bad * 3):
        reply = _page(guard_server, f"198.51.100.{number}", token)
        assert reply.status == 403, (token, reply.status)
        assert re.search(r"<h1>(This link does not work|Please use your personal link)</h1>", reply.body)
        assert "kernelId" not in reply.body and 'lang="en-GB"' in reply.body
    time.sleep(1.5)  # a pool refill would have started by now
    assert len(guard_server.kernel_pids()) == kernels
    assert len(re.findall(PREHEATED, guard_server.log_text())) == used
    assert "Traceback" not in guard_server.log_text()


def test_a_link_to_a_closed_cycle_gets_a_calm_page_without_a_kernel(
    guard_server: VoilaServer, guard_db_url: str, tokens: Iterator[str]
) -> None:
    """Issue #13 part 3: after the closing date the server says so itself (410), as it does for a bad link."""
    from datetime import date

    from workbook.store import open_store

    token = next(tokens)
    with open_store(guard_db_url) as store:
        label = store.responses.cycle("demo").label
        store.responses.set_closing_date("demo", label, date(2026, 1, 31))
    try:
        kernels = len(guard_server.kernel_pids())
        used = len(re.findall(PREHEATED, guard_server.log_text()))
        reply = _page(guard_server, "198.51.100.250", token)
        assert reply.status == 410 and "<h1>This assessment has closed</h1>" in reply.body
        assert "closed on 31 January 2026" in reply.body and "kernelId" not in reply.body
        time.sleep(1.5)
        assert len(guard_server.kernel_pids()) == kernels
        assert len(re.findall(PREHEATED, guard_server.log_text())) == used
    finally:
        with open_store(guard_db_url) as store:
            store.responses.set_closing_date("demo", label, None)
    assert _page(guard_server, "198.51.100.251", token).status == 200  # open again: the same link works


def test_one_link_holds_one_kernel_however_often_it_is_opened(
    guard_server: VoilaServer, tokens: Iterator[str]
) -> None:
    token = next(tokens)
    used = len(re.findall(PREHEATED, guard_server.log_text()))
    first = _page(guard_server, "203.0.113.10", token)
    assert first.status == 200 and f"token={token}" in first.body
    with ThreadPoolExecutor(8) as pool:  # reloads, second tabs and a script, some at once
        replies = list(pool.map(lambda _n: _page(guard_server, "203.0.113.10", token), range(24)))
    assert {reply.status for reply in replies} == {200}
    assert {kernel_id_of(reply.body) for reply in replies} == {kernel_id_of(first.body)}
    assert len(re.findall(PREHEATED, guard_server.log_text())) == used + 1  # one pool kernel, once
    guard_server.wait_for_log(r"Kernel pool of hello\.ipynb is filled", count=used + 2)
    time.sleep(1.5)
    assert len(guard_server.kernel_pids()) == 2  # the pool's kernel and this link's


def test_a_link_reopened_with_another_query_by_many_at_once_still_holds_one_kernel(
    guard_server: VoilaServer, tokens: Iterator[str]
) -> None:
    token = next(tokens)
    first = _page(guard_server, "203.0.113.11", token)
    assert first.status == 200

    def other_query(number: int) -> Reply:  # each from its own address: the new-kernel limit is not the point
        path = f"/voila/render/{HELLO}?{urlencode({'token': token, 'cycle': 'next'})}"
        return raw_request(guard_server, "GET", path, {"X-Forwarded-For": f"203.0.113.{100 + number}"})

    with ThreadPoolExecutor(4) as pool:  # they arrive while the old kernel is being shut down
        replies = list(pool.map(other_query, range(4)))
    assert {reply.status for reply in replies} == {200}
    kernels = {kernel_id_of(reply.body) for reply in replies}
    assert len(kernels) == 1 and kernel_id_of(first.body) not in kernels  # replaced once, never doubled


def test_a_kernel_whose_browser_left_is_shut_down_after_the_disconnect_time(
    guard_server: VoilaServer, tokens: Iterator[str]
) -> None:
    token = next(tokens)
    page = _page(guard_server, "203.0.113.20", token)
    kernel = kernel_id_of(page.body)
    status, browser = websocket_handshake(
        guard_server, f"/api/kernels/{kernel}/channels?session_id=s1",
        {"Origin": guard_server.base_url, "Cookie": _cookie(page, "wb_page")})
    assert status == 101
    try:
        time.sleep(5)  # longer than the 3 s: a connected page keeps its kernel
        assert f"Shutting down kernel {kernel}" not in guard_server.log_text()
    finally:
        browser.close()  # the tab closed without its unload request (or the phone slept)
    guard_server.wait_for_log(
        rf"Shutting down kernel {kernel}: no browser connected to its page for 3 s", timeout=30)
    again = _page(guard_server, "203.0.113.20", token)
    assert again.status == 200 and kernel_id_of(again.body) != kernel  # a fresh kernel for the link


def test_new_kernels_are_limited_per_client_address(guard_server: VoilaServer, tokens: Iterator[str]) -> None:
    first, second, third = next(tokens), next(tokens), next(tokens)
    assert _page(guard_server, "192.0.2.7", first).status == 200
    assert _page(guard_server, "192.0.2.7", second).status == 200
    refused = _page(guard_server, "192.0.2.7", third)
    assert refused.status == 429
    assert int(refused.header("Retry-After") or 0) >= 1
    assert "Please wait a moment" in refused.body and "kernelId" not in refused.body
    assert _page(guard_server, "192.0.2.7", first).status == 200  # reopening starts no kernel
    guard_server.wait_for_log(r"Too many new pages from 192\.0\.2\.7")


def test_a_link_with_its_token_twice_opens_nothing(guard_server: VoilaServer, tokens: Iterator[str]) -> None:
    """The server would read the last token= and the app the first: such a link is refused."""
    token = next(tokens)
    for query in ({"token": ["A" * 43, token]}, {"token": [token, token]}, {"token": ["", token]}):
        path = f"/voila/render/{HELLO}?{urlencode(query, doseq=True)}"
        reply = raw_request(guard_server, "GET", path, {"X-Forwarded-For": "203.0.113.50"})
        assert reply.status == 403 and "<h1>This link does not work</h1>" in reply.body, query
        assert "kernelId" not in reply.body
    assert _page(guard_server, "203.0.113.50", token).status == 200  # the same token once opens


def test_a_flood_of_bad_links_from_one_address_is_cut_off_before_any_lookup(guard_server: VoilaServer) -> None:
    import secrets

    replies = [_page(guard_server, "192.0.2.66", secrets.token_urlsafe(32)) for _ in range(70)]
    assert [reply.status for reply in replies[:60]] == [403] * 60  # a burst of 60 well-shaped, made-up tokens
    cut_off = [reply for reply in replies[60:] if reply.status == 429]
    assert cut_off and int(cut_off[0].header("Retry-After") or 0) >= 1
    assert _page(guard_server, "192.0.2.67", secrets.token_urlsafe(32)).status == 403  # others are not cut off
    guard_server.wait_for_log(r"Too many refused links from 192\.0\.2\.66")


def test_an_open_page_stops_when_its_link_is_rotated(
    guard_server: VoilaServer, guard_db_url: str, tokens: Iterator[str]
) -> None:
    from workbook.store import open_store

    token = next(tokens)
    page = _page(guard_server, "203.0.113.60", token)
    kernel = kernel_id_of(page.body)
    headers = {"Origin": guard_server.base_url, "Cookie": _cookie(page, "wb_page")}
    status, sock = websocket_handshake(guard_server, f"/api/kernels/{kernel}/channels?session_id=r1", headers)
    sock.close()
    assert status == 101
    with open_store(guard_db_url) as store:  # workbook people new-link
        email = next(i.person.email for i in store.people.invites("demo") if i.token == token)
        store.people.new_token("demo", email)
    status, sock = websocket_handshake(guard_server, f"/api/kernels/{kernel}/channels?session_id=r2", headers)
    sock.close()
    assert status == 404  # the page's reconnect is refused and its kernel goes
    guard_server.wait_for_log(rf"Shutting down kernel {kernel}: its link no longer opens", timeout=10)


# --- part 5: the kernel URLs answer only their page, from this site -------------------------
def test_kernel_urls_answer_only_the_page_that_holds_the_kernel(
    guard_server: VoilaServer, tokens: Iterator[str]
) -> None:
    page = _page(guard_server, "203.0.113.30", next(tokens))
    kernel = kernel_id_of(page.body)
    mine, close = _cookie(page, "wb_page"), _cookie(page, "wb_page_close")
    xsrf = _cookie(page, "_xsrf")
    status_url = f"/api/kernels/{kernel}"

    assert raw_request(guard_server, "GET", status_url).status == 404  # the id alone is not enough
    assert raw_request(guard_server, "GET", status_url, {"Cookie": "wb_page=guess"}).status == 404
    assert raw_request(guard_server, "GET", status_url, {"Cookie": mine}).status == 200
    assert raw_request(guard_server, "DELETE", status_url, {"Cookie": mine}).status in (403, 404, 405)

    sockets = {
        "no origin": {"Cookie": mine},
        "foreign origin": {"Cookie": mine, "Origin": "https://evil.example.net"},
        "null origin": {"Cookie": mine, "Origin": "null"},
        "no cookie": {"Origin": guard_server.base_url},
    }
    for case, headers in sockets.items():
        status, sock = websocket_handshake(guard_server, f"{status_url}/channels?session_id=x", headers)
        sock.close()
        assert status in (403, 404), case
    status, sock = websocket_handshake(guard_server, f"{status_url}/channels?session_id=x",
                                       {"Cookie": mine, "Origin": guard_server.base_url})
    sock.close()
    assert status == 101

    # the query websocket of pre-heated kernels: never for a browser, never through a proxy
    for headers in ({"Origin": guard_server.base_url}, {"X-Forwarded-For": "203.0.113.30"}):
        status, sock = websocket_handshake(guard_server, f"/voila/query/{kernel}", headers)
        sock.close()
        assert status == 404

    token = xsrf.split("=", 1)[1]
    shutdown = f"/voila/api/shutdown/{kernel}"
    form = {"Content-Type": "application/x-www-form-urlencoded", "X-XSRFToken": token}
    for headers in ({"Cookie": f"{xsrf}; {close}", **form},  # no Origin: not the page's fetch
                    {"Cookie": f"{xsrf}; {close}", "Origin": "https://evil.example.net", **form},
                    {"Cookie": xsrf, "Origin": guard_server.base_url, **form}):  # not this page's kernel
        assert raw_request(guard_server, "POST", shutdown, headers, b"").status in (403, 404)
    assert raw_request(guard_server, "GET", status_url, {"Cookie": mine}).status == 200  # still alive
    closed = raw_request(guard_server, "POST", shutdown,
                         {"Cookie": f"{xsrf}; {close}", "Origin": guard_server.base_url, **form}, b"")
    assert closed.status == 204
    guard_server.wait_for_log(rf"Kernel shutdown: {kernel}")


def test_cookies_are_strict_and_secure_behind_https(guard_server: VoilaServer, tokens: Iterator[str]) -> None:
    token = next(tokens)
    plain = _page(guard_server, "203.0.113.40", token)
    cookies = plain.cookies()
    # When no warm kernel was ready, the page came after a "getting your page ready" wait,
    # and its answer clears that wait's cookie (an expired wb_waiting).
    waiting = cookies.pop("wb_waiting", None)
    assert waiting is None or "expires=" in waiting.lower()
    assert set(cookies) == {"_xsrf", "wb_page", "wb_page_close"}  # no login cookie
    kernel = kernel_id_of(plain.body)
    for name, line in cookies.items():
        assert "SameSite=Strict" in line and "Secure" not in line, line
        if name != "_xsrf":  # the page script reads _xsrf; the kernel secret it never needs
            route = "api/kernels" if name == "wb_page" else "voila/api/shutdown"
            assert "HttpOnly" in line and f"Path=/{route}/{kernel}" in line
    tls = _page(guard_server, "203.0.113.40", token, **{"X-Forwarded-Proto": "https"})
    assert tls.cookies() and all("Secure" in line for name, line in tls.cookies().items() if name != "wb_waiting")
    # X-Forwarded-Proto from anyone but the trusted proxy is ignored: that is checked in tests/test_web.py


@pytest.mark.parametrize(
    "path",
    [
        f"/voila/render/{HELLO}?token=bad",  # the refused link
        "/voila/templates/workbook/static/workbook-widgets.js",  # a static file
        "/voila/templates/workbook/static/missing.js",
        "/voila/templates/workbook/conf.json",
        "/voila/templates//etc/passwd",
        "/logout",
        "/nothing/here",
        "/api/kernels/00000000-0000-0000-0000-000000000000",
        "/healthz",
    ],
)
def test_every_response_carries_the_security_headers(guard_server: VoilaServer, path: str) -> None:
    reply = raw_request(guard_server, "GET", path)
    assert reply.header("X-Content-Type-Options") == "nosniff"
    csp = reply.header("Content-Security-Policy") or ""
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert reply.header("Referrer-Policy") == "no-referrer"
    if reply.status >= 400:
        assert "Traceback" not in reply.body and "Traceback" not in guard_server.log_text()


# --- the apps under the Content-Security-Policy, in Chromium --------------------------------
def test_the_apps_work_under_the_policy_without_violations(voila_server: VoilaServer, page: Page) -> None:
    from workbook.links import NOTEBOOKS
    from workbook.store import open_store

    with open_store(voila_server.db_url) as store:
        key = store.organisations.facilitator_key("demo")
        token = next(i.token for i in store.people.invites("demo")
                     if store.responses.submission(i.person.id, store.responses.cycle("demo").id).status
                     == "not_started")
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    page.add_init_script("document.addEventListener('securitypolicyviolation', e => console.error("
                         "'Content Security Policy violation: ' + e.violatedDirective + ' ' + e.blockedURI))")
    page.goto(voila_server.app_url(NOTEBOOKS["values"], token=token))
    wait_for_widgets(page)
    # The kernel answers over the websocket. The page opens where this link last was (the welcome
    # screen, or page 1 if an earlier test's page got that far), so from page 1 go back first.
    start = page.get_by_role("button", name="Start")
    page.locator(".wb-statement, .widget-button:has-text('Start')").first.wait_for(timeout=60_000)
    if not start.is_visible():
        page.get_by_role("button", name="Back").click()
    start.click()
    page.locator(".wb-statement").first.wait_for(timeout=60_000)
    for app in ("workshop", "charter"):
        page.goto(voila_server.app_url(NOTEBOOKS[app], key=key))
        wait_for_widgets(page)
    page.close(run_before_unload=True)  # give the kernels back for the other tests
    assert violations == []

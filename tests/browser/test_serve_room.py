"""The workshop room (issue #13 part 1): ``workbook serve --lan`` on this machine's real
network address, the friendly root and unknown-path pages, and no token in the log.

Raw requests against real servers of ``fixtures/hello.ipynb``; the pages are also
drawn in Chromium and saved under tests/artifacts/screens/.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlencode

import pytest
from harness import ROOT, VoilaServer, demo_tokens, free_port, kernel_id_of, raw_request, screenshot

if TYPE_CHECKING:
    from conftest import StartVoila
    from playwright.sync_api import Page

FIXTURES = Path(__file__).resolve().parent / "fixtures"
HELLO = "hello.ipynb"
HOW_TO = "ask the person running the workshop for your personal link or the QR card"


@pytest.fixture(scope="module")
def room_server(start_voila: StartVoila) -> VoilaServer:
    server = start_voila(notebooks=FIXTURES, apps=[HELLO], extra_args=["--pool-size", "1"])
    server.wait_for_pools()
    return server


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


# --- the root address and unknown paths ------------------------------------------------------
def test_the_root_address_says_how_to_get_a_link_without_a_kernel(room_server: VoilaServer) -> None:
    kernels = len(room_server.kernel_pids())
    started = room_server.log_text().count("Kernel started")
    for path in ("/", "/?token=whatever"):
        reply = raw_request(room_server, "GET", path)
        assert reply.status == 200
        assert HOW_TO in _text(reply.body) and "<h1>DIME Workbook</h1>" in reply.body
        assert 'lang="en-GB"' in reply.body and "kernelId" not in reply.body and HELLO not in reply.body
        assert reply.header("X-Content-Type-Options") == "nosniff"
        assert "default-src 'none'" in (reply.header("Content-Security-Policy") or "")
        assert reply.header("Referrer-Policy") == "no-referrer"
    assert raw_request(room_server, "HEAD", "/").status == 200
    time.sleep(1.0)
    assert len(room_server.kernel_pids()) == kernels
    assert room_server.log_text().count("Kernel started") == started


@pytest.mark.parametrize("path", ["/nothing/here", "/voila/render/missing.ipynb", "/voila/tree", "/index.html",
                                  "/voila", "/voila/render/", "/favicon.ico", "/%F0%9F%98%80", "/tree?token=x"])
def test_an_unknown_path_is_a_friendly_404_that_says_how_to_get_a_link(room_server: VoilaServer, path: str) -> None:
    reply = raw_request(room_server, "GET", path)
    assert reply.status == 404
    assert "<h1>Page not found</h1>" in reply.body and HOW_TO in _text(reply.body)
    assert "kernelId" not in reply.body and "Traceback" not in reply.body
    assert not re.search(r"https?://", reply.body)  # nothing from another host
    assert reply.header("X-Content-Type-Options") == "nosniff"
    assert "frame-ancestors 'none'" in (reply.header("Content-Security-Policy") or "")


def test_the_root_and_not_found_pages_look_like_the_other_friendly_pages(room_server: VoilaServer, page: Page) -> None:
    for path, name, heading in (("/", "root-page", "DIME Workbook"), ("/no/such/page", "not-found-page",
                                                                        "Page not found")):
        page.goto(room_server.url(path))
        page.get_by_role("heading", name=heading).wait_for()
        assert HOW_TO in " ".join(page.inner_text("main").split())
        assert page.locator("footer").inner_text().startswith("DIME")
        screenshot(page, name)


# --- no token in the log ---------------------------------------------------------------------------
def test_no_token_ever_reaches_the_servers_log(room_server: VoilaServer, demo_db_url: str) -> None:
    valid = demo_tokens(demo_db_url)[-1]
    invalid = "Z" * 43
    assert raw_request(room_server, "GET", f"/voila/render/{HELLO}?{urlencode({'token': valid})}").status == 200
    assert raw_request(room_server, "GET", f"/voila/render/{HELLO}?{urlencode({'token': invalid})}").status == 403
    assert raw_request(room_server, "GET", f"/voila/render/{HELLO}?token={valid}&token={valid}").status == 403
    assert raw_request(room_server, "GET", f"/nowhere?token={valid}").status == 404
    assert raw_request(room_server, "GET", f"/?token={valid}").status == 200
    assert raw_request(room_server, "GET", f"/voila/render/{HELLO}?token={valid}",
                       {"Referer": f"http://elsewhere.example.org/?token={invalid}"}).status == 200
    room_server.wait_for_log(r"403 GET /voila/render/hello\.ipynb\?token=\[secret\]")  # the access log names it
    time.sleep(0.5)
    log = room_server.log_text()
    assert valid not in log and invalid not in log
    assert valid[:12] not in log  # not even a prefix


# --- workbook serve --lan on this machine ---------------------------------------------------------
def test_serve_lan_listens_on_this_machines_network_address(demo_db_url: str, tmp_path: Path) -> None:
    from workbook.network import NoNetworkError, lan_addresses

    try:
        addresses = lan_addresses()
    except NoNetworkError:
        pytest.skip("this machine has no network address other than loopback: nothing for --lan to listen on")
    port = free_port()
    log_path = tmp_path / "serve-lan.log"
    command = [sys.executable, "-m", "workbook", "--db", demo_db_url, "serve", "--lan", "--port", str(port),
               "--notebooks", str(FIXTURES), "--app", HELLO, "--pool-size", "1"]
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT,
                                   env={**__import__("os").environ, "PYTHONUNBUFFERED": "1"})
    base = f"http://{addresses[0]}:{port}"
    server = VoilaServer(base, demo_db_url, log_path, process, (HELLO,))
    try:
        server.wait_until_up(60)
        printed = server.log_text()
        assert f"Serving the workbook at {base}" in printed
        assert "WARNING: listening beyond this machine over plain HTTP" in printed
        assert f"workbook invites ORG --base-url {base}" in printed
        for other in addresses[1:]:
            assert f"also at http://{other}:{port}" in printed
        welcome = raw_request(server, "GET", "/")
        assert welcome.status == 200 and HOW_TO in _text(welcome.body)
        server.wait_for_pools()
        token = demo_tokens(demo_db_url)[-2]
        opened = raw_request(server, "GET", f"/voila/render/{HELLO}?{urlencode({'token': token})}")
        assert opened.status == 200 and kernel_id_of(opened.body)  # a valid link opens over the network address
        local = VoilaServer(f"http://127.0.0.1:{port}", demo_db_url, log_path, process)
        assert raw_request(local, "GET", "/healthz").status == 200  # and on this computer too
    finally:
        assert server.stop() == 0
    assert "Traceback" not in server.log_text()

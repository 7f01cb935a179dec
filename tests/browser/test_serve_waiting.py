"""No blank page while a kernel warms (issue #12): the "getting your page ready" page.

When a link is opened and the pool holds no warm kernel (a crowd took them all),
the server answers at once with a small page that says so, with the visitor's
place in the queue, and reloads itself; the page is made meanwhile, and a
reload collects it.  Checked over raw HTTP (what the server sends) and in
Chromium (the app appears by itself, no click, no blank page).
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlencode

import pytest
from harness import (
    WAITING_PAGE,
    Reply,
    VoilaServer,
    demo_tokens,
    kernel_id_of,
    raw_request,
    screenshot,
    seed_demo_database,
    wait_for_widgets,
)
from playwright.sync_api import Error as PlaywrightError

if TYPE_CHECKING:
    from conftest import StartVoila
    from playwright.sync_api import Page

FIXTURES = Path(__file__).resolve().parent / "fixtures"
HELLO = "hello.ipynb"


@pytest.fixture(scope="module")
def waiting_db_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return seed_demo_database(tmp_path_factory.mktemp("waiting-db"))


@pytest.fixture(scope="module")
def waiting_server(start_voila: StartVoila, waiting_db_url: str) -> VoilaServer:
    server = start_voila(db_url=waiting_db_url, notebooks=FIXTURES, apps=[HELLO],
                         extra_args=["--pool-size", "1", "--page-rate", "600"])
    server.wait_for_pools()
    return server


@pytest.fixture(scope="module")
def tokens(waiting_db_url: str) -> Iterator[str]:
    return iter(demo_tokens(waiting_db_url))


def _open(server: VoilaServer, token: str, cookie: str = "") -> Reply:
    headers = {"Cookie": cookie} if cookie else {}
    return raw_request(server, "GET", f"/voila/render/{HELLO}?{urlencode({'token': token})}", headers,
                       follow_waiting=False)


def test_a_link_opened_with_no_warm_kernel_gets_the_waiting_page_then_its_own(
    waiting_server: VoilaServer, tokens: Iterator[str]
) -> None:
    # Two links at once on a pool of one: one takes the warm kernel, the other finds none warm.
    first, second = next(tokens), next(tokens)
    with ThreadPoolExecutor(2) as pool:
        replies = dict(zip((first, second), pool.map(lambda t: _open(waiting_server, t), (first, second)),
                           strict=True))
    waiting = {t: r for t, r in replies.items() if WAITING_PAGE.search(r.body)}
    made = {t: r for t, r in replies.items() if '"kernelId"' in r.body}
    assert len(waiting) == 1 and len(made) == 1, {t: r.body[:300] for t, r in replies.items()}
    (token, reply), = waiting.items()
    assert reply.status == 200 and "<h1>Getting your page ready</h1>" in reply.body
    assert re.search(r'role="status"[^>]*>\s*(Yours is next|\d+ pages? (is|are) being prepared before yours)',
                     reply.body)
    assert "kernelId" not in reply.body and token not in reply.body  # no kernel named, no token echoed
    assert reply.header("Cache-Control") == "no-store" and reply.header("Content-Security-Policy")
    cookie = reply.cookies()["wb_waiting"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    # Its reload (the page does it by itself) is held until the page is made, and gets it.
    began = time.monotonic()
    page = _open(waiting_server, token, cookie.split(";", 1)[0])
    while WAITING_PAGE.search(page.body):  # a machine so busy that the hold ran out: it says so again
        page = _open(waiting_server, token, cookie.split(";", 1)[0])
    assert page.status == 200 and f"token={token}" in page.body
    kernel = kernel_id_of(page.body)
    assert f"/api/kernels/{kernel}" in page.cookies()["wb_page"]  # its kernel's secret, as any page
    assert "expires" in page.cookies()["wb_waiting"].lower()  # the waiting cookie is cleared
    assert time.monotonic() - began < 60
    # Opened again later, the link keeps its one kernel.
    assert kernel_id_of(_open(waiting_server, token).body) == kernel
    log = waiting_server.log_text()
    assert len(re.findall(r"Page timing: link checked in [\d.]+ s, kernel assigned after", log)) >= 2
    assert "Traceback" not in log


def test_in_chromium_the_waiting_page_turns_into_the_app_by_itself(
    waiting_server: VoilaServer, tokens: Iterator[str], page: Page
) -> None:
    waiting_server.wait_for_quiet_kernels()  # the pool's kernel is warm again, whatever ran before
    # Someone else takes the warm kernel; this person arrives just after.
    with ThreadPoolExecutor(1) as other:
        taken = other.submit(_open, waiting_server, next(tokens))
        time.sleep(0.3)
        first = page.goto(waiting_server.url(f"/voila/render/{HELLO}?{urlencode({'token': next(tokens)})}"),
                          wait_until="commit")
        assert first is not None
        with contextlib.suppress(PlaywrightError):  # its body is gone once the page has reloaded itself
            shown = first.text()
            if "Getting your page ready" in shown:  # the usual case; a very fast refill may skip it
                assert 'role="status"' in shown
                screenshot(page, "serve-waiting-page")  # shown until its held reload brings the page
        taken.result()
    wait_for_widgets(page, "button")  # no click, no reload by hand
    assert "Getting your page ready" not in page.content()

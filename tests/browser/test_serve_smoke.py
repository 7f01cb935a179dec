"""``workbook serve`` end to end, on a tiny notebook (``fixtures/hello.ipynb``).

The notebook reads ``voila.utils.get_query_string()`` like the apps do and shows
the ``token`` it was opened with, the database file it was given through
``$WORKBOOK_DB``, and a button.  Like every page the server serves, it opens only
with a valid personal token (the demo organisation's): each test takes its own
demo person, as one link holds one kernel.
"""

from __future__ import annotations

import gzip
import http.client
import http.cookiejar
import re
import signal
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlencode, urlsplit

import pytest
from harness import (
    LOCAL_HOST,
    WAITING_PAGE,
    VoilaServer,
    demo_tokens,
    kernel_id_of,
    open_page,
    screenshot,
    still_running,
    wait_for_widgets,
)

if TYPE_CHECKING:
    from conftest import StartVoila
    from playwright.sync_api import Page

FIXTURES = Path(__file__).resolve().parent / "fixtures"
STATIC = Path(__file__).resolve().parents[2] / "templates" / "voila" / "workbook" / "static"
HELLO = "hello.ipynb"
PREHEATED = r"Using pre-heated kernel: \S+ for hello\.ipynb"
POOL_FILLED = r"Kernel pool of hello\.ipynb is filled"


@pytest.fixture(scope="module")
def token(demo_db_url: str) -> dict[str, str]:
    """A demo person's valid token for each use in this file (one link, one kernel)."""
    uses = ["hello", "lang", "html", "sleepy", "page-1", "page-2", "page-3", "page-4", "page-5", "cold",
            "cold-2", "scanned-1", "scanned-2", "refused", "person", "bye"]
    return dict(zip(uses, demo_tokens(demo_db_url), strict=False))


@pytest.fixture(scope="session")
def hello_server(start_voila: StartVoila) -> VoilaServer:
    server = start_voila(notebooks=FIXTURES, apps=[HELLO], extra_args=["--pool-size", "2"])
    server.wait_for_pools()
    return server


_COOKIES = http.cookiejar.CookieJar()
_OPENER = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(_COOKIES))


def _get(url: str) -> tuple[int, str]:
    """GET as a browser does: a "getting your page ready" answer is reloaded (with its cookie) until the page comes."""
    for _reload in range(240):
        try:
            with _OPENER.open(url, timeout=60) as reply:
                status, html = reply.status, reply.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8", "replace")
        waiting = WAITING_PAGE.search(html) if status == 200 else None
        if waiting is None:
            return status, html
        time.sleep(float(waiting.group(1)))
    return status, html


def _raw_get(server: VoilaServer, path: str) -> tuple[int, str]:
    """GET ``path`` exactly as written (no client-side ``..`` clean-up)."""
    parts = urlsplit(server.base_url)
    connection = http.client.HTTPConnection(parts.hostname or LOCAL_HOST, parts.port, timeout=30)
    try:
        connection.request("GET", path)
        reply = connection.getresponse()
        return reply.status, reply.read().decode("utf-8", "replace")
    finally:
        connection.close()


def _close_page(server: VoilaServer, kernel_id: str) -> None:
    """What the page sends when it is closed (``navigator.sendBeacon`` on ``beforeunload``)."""
    xsrf = next(cookie.value for cookie in _COOKIES if cookie.name == "_xsrf")
    form = urlencode({"_xsrf": xsrf}).encode()
    request = urllib.request.Request(  # a browser's fetch from the page carries its Origin
        server.url(f"/voila/api/shutdown/{kernel_id}"), data=form, headers={"Origin": server.base_url}
    )
    with _OPENER.open(request, timeout=30) as reply:
        assert reply.status == 204


_kernel_id = kernel_id_of


# --- in the browser ---------------------------------------------------------------------
def test_page_shows_the_query_value_from_a_preheated_kernel(
    hello_server: VoilaServer, page: Page, token: dict[str, str]
) -> None:
    used_before = len(re.findall(PREHEATED, hello_server.log_text()))
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    started = time.monotonic()
    page.goto(hello_server.app_url(HELLO, token=token["hello"]))
    button = wait_for_widgets(page)
    elapsed = time.monotonic() - started

    assert page.inner_text(".hello-token") == f"token={token['hello']}"
    assert page.inner_text(".hello-db") == "db=workbook.db"  # $WORKBOOK_DB reached the kernel
    button.click()
    page.wait_for_selector(".hello-clicks >> text=clicks=1", timeout=15_000)  # the kernel answers
    assert len(re.findall(PREHEATED, hello_server.log_text())) == used_before + 1
    screenshot(page, "serve-smoke-hello")
    assert errors == []  # (Voila's front-end version *warnings* are expected and ignored)
    assert elapsed < 30, f"first input after {elapsed:.1f} s"


def test_page_is_british_english_readable_and_credits_dime(
    hello_server: VoilaServer, page: Page, token: dict[str, str]
) -> None:
    page.goto(hello_server.app_url(HELLO, token=token["lang"]))
    button = wait_for_widgets(page)

    assert page.get_attribute("html", "lang") == "en-GB"
    assert "width=device-width" in (page.get_attribute("meta[name=viewport]", "content") or "")
    assert "DIME™ is a trademark of Chris Smoje (dimecustomerservice.com)" in page.inner_text(
        "footer"
    )
    font_size = page.evaluate("getComputedStyle(document.querySelector('.widget-button')).fontSize")
    assert float(font_size.removesuffix("px")) >= 16
    page.keyboard.press("Tab")
    for _ in range(10):  # tab to the button; its focus outline must show
        if page.evaluate("document.activeElement.classList.contains('widget-button')"):
            break
        page.keyboard.press("Tab")
    outline = page.evaluate(
        "(b => [getComputedStyle(b).outlineStyle, getComputedStyle(b).outlineWidth])"
        "(document.activeElement)"
    )
    assert outline[0] != "none" and float(outline[1].removesuffix("px")) >= 2, outline
    assert button.is_enabled()


def test_served_html_names_no_other_host(hello_server: VoilaServer, page: Page, token: dict[str, str]) -> None:
    _response, html = open_page(page, hello_server.app_url(HELLO, token=token["html"]))
    wait_for_widgets(page)

    urls = re.findall(r"""(?:https?:)?//[^\s"'<>()]+""", html)
    outside = [
        u
        for u in urls
        if urlsplit(u if u.startswith("http") else "http:" + u).hostname != LOCAL_HOST
    ]
    assert outside == []
    for cdn in (
        "cdnjs",
        "jsdelivr",
        "unpkg",
        "googleapis",
        "mathjax.js",
        "require.min.js",
        "fontawesome",
    ):
        assert cdn not in html.lower(), cdn
    assert "Loading…" in html  # our loading message, not Voila's "Executing 1 of 3"
    assert 'id="loading_text"' not in html  # so Voila never writes "Executing 1 of 3" there
    assert "get_query_string" not in html  # sources are stripped


def test_a_culled_kernel_asks_the_visitor_to_reload(
    start_voila: StartVoila, page: Page, token: dict[str, str]
) -> None:
    server = start_voila(
        notebooks=FIXTURES,
        apps=[HELLO],
        extra_args=["--pool-size", "1", "--cull-idle-seconds", "3"],
    )
    server.wait_for_pools()
    page.goto(server.app_url(HELLO, token=token["sleepy"]))
    wait_for_widgets(page)
    assert page.is_hidden("#wb-reload")
    server.wait_for_log(r"Culling '\w+' kernel", timeout=30)  # idle for 3 s, tab still open
    deadline = time.monotonic() + 15
    while page.is_hidden("#wb-reload"):  # the person comes back to the tab
        assert time.monotonic() < deadline, "no reload notice after the kernel was culled"
        page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
        page.wait_for_timeout(500)
    assert "Answers marked “Saved ✓” are kept" in page.inner_text("#wb-reload")
    screenshot(page, "serve-smoke-reload-notice")


# --- over plain HTTP ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "path",
    [
        "/static/../../../../etc/passwd",
        "/voila/static/../../../../../etc/passwd",
        "/voila/static/..%2f..%2f..%2f..%2f..%2fetc%2fpasswd",
        "/voila/templates/workbook/static/..%2f..%2f..%2f..%2fetc%2fpasswd",
        "/voila/files/../../../../etc/passwd",
        "/voila/files/hello.ipynb",
        "/voila/static/voila.js",  # Voila's own front end: no page uses it
        "/voila/templates//etc/passwd",
        "/voila/templates/workbook/conf.json",
        "/voila/templates/workbook/index.html.j2",
        "/voila/templates/lab/static/voila.js",
        "/voila/labextensions/@jupyter-widgets/jupyterlab-manager/package.json",
        "/voila/api/themes/light",
        "/login",
        "/logout",
        "/voila/render/../../../../etc/passwd",
        "/voila/render/other.ipynb",
        "/api/kernels",
        "/api/contents",
        "/api/sessions",
        "/voila/api/contents",
        "/voila/api/contents/hello.ipynb",
        "/voila/tree",
    ],
)
def test_no_file_contents_and_no_listings(hello_server: VoilaServer, path: str) -> None:
    status, body = _raw_get(hello_server, path)
    assert status in (403, 404), (status, body[:200])
    assert (
        "root:" not in body
        and '"cells"' not in body
        and "kernelId" not in body
        and '"content"' not in body
    )


def test_unknown_page_is_friendly_and_offline(hello_server: VoilaServer) -> None:
    status, body = _get(hello_server.url("/voila/render/missing.ipynb"))
    assert status == 404
    assert 'lang="en-GB"' in body and "Page not found" in body
    assert not re.search(r"https?://", body)


def _static(server: VoilaServer, name: str, method: str = "GET", **headers: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(server.url(f"/voila/templates/workbook/static/{name}"), headers=headers,
                                     method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            return reply.status, dict(reply.headers), reply.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_assets_are_compressed(hello_server: VoilaServer) -> None:
    """Gzipped from a copy made once (not per page), byte for byte the file, with the usual caching."""
    script = STATIC / "workbook-widgets.js"
    for _ in range(2):  # the second answer comes from the kept copy
        status, headers, body = _static(hello_server, "workbook-widgets.js", **{"Accept-Encoding": "gzip"})
        assert status == 200 and headers["Content-Encoding"] == "gzip"
        assert int(headers["Content-Length"]) == len(body) < script.stat().st_size / 2
        assert gzip.decompress(body) == script.read_bytes()
        assert "Accept-Encoding" in headers["Vary"] and headers["X-Content-Type-Options"] == "nosniff"
    etag = headers["Etag"]
    assert _static(hello_server, "workbook-widgets.js", **{"Accept-Encoding": "gzip", "If-None-Match": etag})[0] == 304
    status, headers, body = _static(hello_server, "workbook-widgets.js", "HEAD", **{"Accept-Encoding": "gzip"})
    assert status == 200 and body == b"" and headers["Content-Encoding"] == "gzip"
    # Without gzip, and for a part of the file, the plain bytes.
    status, headers, body = _static(hello_server, "workbook-widgets.js")
    assert status == 200 and "Content-Encoding" not in headers and body == script.read_bytes()
    status, headers, body = _static(hello_server, "workbook-widgets.js",
                                    **{"Accept-Encoding": "gzip", "Range": "bytes=0-9"})
    if headers.get("Content-Encoding") == "gzip":  # tornado compresses the part itself, as before
        body = gzip.decompress(body)
    assert status == 206 and body == script.read_bytes()[:10]


def test_health_check_starts_no_kernel(hello_server: VoilaServer) -> None:
    started = hello_server.log_text().count("Kernel started")
    for _ in range(3):
        assert _get(hello_server.url("/healthz")) == (200, "ok\n")
    time.sleep(0.5)
    assert hello_server.log_text().count("Kernel started") == started


# --- the kernel cap -------------------------------------------------------------------------
def test_kernel_cap_refuses_politely_then_recovers(start_voila: StartVoila, token: dict[str, str]) -> None:
    # 1 pre-heated kernel, 3 kernels at most: pages 1-3 get kernels, the 4th is refused.
    server = start_voila(
        notebooks=FIXTURES, apps=[HELLO], extra_args=["--pool-size", "1", "--max-kernels", "3"]
    )
    server.wait_for_pools()
    kernels = []
    for page_number in (1, 2, 3):
        status, html = _get(server.app_url(HELLO, token=token[f"page-{page_number}"]))
        assert status == 200 and f"token={token[f'page-{page_number}']}" in html
        kernels.append(_kernel_id(html))
        if page_number < 3:
            server.wait_for_log(POOL_FILLED, count=page_number + 1)
    server.wait_for_log(r"Kernel limit reached: 3 kernels alive \(max_kernels=3\)")

    status, html = _get(server.app_url(HELLO, token=token["page-4"]))
    assert status == 503
    assert "busy" in html and 'lang="en-GB"' in html and "Traceback" not in html

    _close_page(server, kernels[0])
    server.wait_for_log(rf"Kernel shutdown: {kernels[0]}")  # a few seconds' grace: no other tab is on it
    deadline = time.monotonic() + 30  # then the pool is refilled and a new visitor gets its kernel
    while (reply := _get(server.app_url(HELLO, token=token["page-5"])))[0] == 503 and time.monotonic() < deadline:
        time.sleep(0.5)
    status, html = reply
    assert status == 200 and f"token={token['page-5']}" in html
    assert len(re.findall(PREHEATED, server.log_text())) == 4


def test_kernel_cap_without_preheating(start_voila: StartVoila, token: dict[str, str]) -> None:
    server = start_voila(
        notebooks=FIXTURES, apps=[HELLO], extra_args=["--no-preheat", "--max-kernels", "1"]
    )
    status, html = _get(server.app_url(HELLO, token=token["cold"]))
    assert status == 200 and f"token={token['cold']}" in html
    status, html = _get(server.app_url(HELLO, token=token["cold-2"]))
    assert status == 503 and "busy" in html


def test_pages_no_browser_connects_to_give_their_kernels_back(
    start_voila: StartVoila, token: dict[str, str]
) -> None:
    """A mail system's link scanner opens each invite without running the page.

    Those kernels go after the disconnect time (here 4 s), so a burst of scanned
    links fills the cap only for a moment.
    """
    server = start_voila(
        notebooks=FIXTURES,
        apps=[HELLO],
        extra_args=["--pool-size", "1", "--max-kernels", "2", "--disconnect-seconds", "4"],
    )
    server.wait_for_pools()
    scanned = []
    for number in (1, 2):  # plain GETs: no JavaScript, no websocket
        status, html = _get(server.app_url(HELLO, token=token[f"scanned-{number}"]))
        assert status == 200
        scanned.append(_kernel_id(html))
        if number == 1:
            server.wait_for_log(POOL_FILLED, count=2)
    status, _html = _get(server.app_url(HELLO, token=token["refused"]))
    assert status == 503  # both kernels the cap allows are held by scanned pages
    for kernel_id in scanned:
        server.wait_for_log(
            rf"Shutting down kernel {kernel_id}: no browser connected to its page for 4 s", timeout=30
        )
    # "Shutting down" is logged as the shutdown begins, and a refill refused at the cap also
    # counts as "filled" in Voila's log: until the kernels have gone, a person may still be
    # told "busy, try again" (as a person would, try again), but within a minute they get in.
    deadline = time.monotonic() + 90
    while True:
        status, html = _get(server.app_url(HELLO, token=token["person"]))
        if status != 503 or time.monotonic() > deadline:
            break
        _COOKIES.clear()  # a fresh try, not the waiting page's reload (which stays "busy" for a minute)
        time.sleep(2)
    assert status == 200 and f"token={token['person']}" in html


# --- stopping ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("signal_number", "moment"),
    [
        (signal.SIGINT, "idle"),  # Ctrl-C
        (signal.SIGINT, "refilling"),  # Ctrl-C while a used kernel is being replaced
        (signal.SIGTERM, "refilling"),  # systemd, docker stop
    ],
)
def test_stopping_ends_server_and_kernels_without_traceback(
    demo_db_url: str, tmp_path: Path, signal_number: int, moment: str, token: dict[str, str]
) -> None:
    with VoilaServer.start(
        db_url=demo_db_url,
        log_path=tmp_path / "serve.log",
        notebooks=FIXTURES,
        apps=[HELLO],
        extra_args=["--pool-size", "2"],
    ) as server:
        server.wait_for_pools()
        assert _get(server.app_url(HELLO, token=token["bye"]))[0] == 200
        if moment == "idle":
            server.wait_for_log(POOL_FILLED, count=2)  # the used kernel is replaced
            assert len(server.kernel_pids()) == 3, (server.kernel_pids(), server.log_text()[-3000:])
        else:
            time.sleep(1.1)  # the pool starts its refill 1 s after a kernel is taken
        kernels = server.processes()  # the kernels and, forking them, the zygote
        server.process.send_signal(signal_number)
        code = server.process.wait(30)
        log = server.log_text()
        assert code == 0, log[-3000:]
    assert "Traceback" not in log and "Stopped." in log, log
    deadline = time.monotonic() + 10
    while still_running(kernels):
        assert time.monotonic() < deadline, "kernels still running after the server stopped"
        time.sleep(0.2)

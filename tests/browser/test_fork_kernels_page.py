"""``workbook serve --fork-kernels``: kernels forked from the zygote, in real Chromium (issue #12).

The page must work as with plain kernels (answer, saved), its kernel must
really be a child of the zygote, a ``kill -9`` of it must still be noticed
(the page asks to reload, the reload resumes), a zygote that has gone must
leave the server starting kernels the plain way, and stopping the server must
leave no process behind.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import TYPE_CHECKING

import psutil
import pytest
from harness import VoilaServer, kernel_id_of, screenshot, still_running, wait_for_widgets

from workbook.paths import notebooks_dir

if TYPE_CHECKING:
    from collections.abc import Iterator

    from playwright.sync_api import Page

NOTEBOOK = "values_assessment.ipynb"
ORG_ID = "browser-fork"
TIMEOUT = 30_000
ARGS = ("--fork-kernels", "--pool-size", "1")


@pytest.fixture(scope="module")
def tokens(demo_db_url: str) -> Iterator[str]:
    """Links of people who have not started yet, one for each page opened in this file."""
    from workbook.people_csv import PersonRow
    from workbook.store import open_store

    with open_store(demo_db_url) as store:
        if ORG_ID not in {o.id for o in store.organisations.list()}:
            store.organisations.create("Browser fork", ORG_ID, threshold=3)
            store.people.import_rows(ORG_ID, [PersonRow(f"Fern Fork {n}", f"fern{n}@example.org", "staff", "Desk")
                                              for n in range(6)])
        return iter([invite.token for invite in store.people.invites(ORG_ID)])


@pytest.fixture(scope="module")
def forked_server(demo_db_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[VoilaServer]:
    log = tmp_path_factory.mktemp("fork") / "serve.log"
    with VoilaServer.start(db_url=demo_db_url, log_path=log, apps=[NOTEBOOK], extra_args=ARGS) as server:
        server.wait_for_pools()
        yield server


def _zygote(server: VoilaServer) -> psutil.Process:
    for child in psutil.Process(server.process.pid).children():
        if "workbook.serve.zygote" in child.cmdline():
            return child
    raise AssertionError("no zygote process under the server")


def _open_and_answer(page: Page, server: VoilaServer, token: str) -> str:
    """Open the link, press Start, answer the first statement; the page's kernel id."""
    page.goto(server.app_url(NOTEBOOK, token=token))
    wait_for_widgets(page)
    kernel_id = kernel_id_of(page.content())
    page.get_by_role("button", name="Start").click()
    card = page.locator(".wb-statement").first
    card.wait_for(timeout=TIMEOUT)
    card.locator(".widget-radio-box label").nth(1).click()
    card.get_by_text("Saved ✓").wait_for(timeout=TIMEOUT)
    return kernel_id


def test_a_page_runs_on_a_kernel_forked_from_the_zygote(
    forked_server: VoilaServer, page: Page, tokens: Iterator[str]
) -> None:
    zygote = _zygote(forked_server)
    kernel_id = _open_and_answer(page, forked_server, next(tokens))
    kernel = psutil.Process(forked_server.kernel_pid(kernel_id))
    assert kernel.ppid() == zygote.pid  # forked, not started by the server
    assert Path(kernel.cwd()) == notebooks_dir().resolve()  # the notebook's folder, as a plain kernel
    screenshot(page, "fork-answered")


def test_a_killed_forked_kernel_says_reload_and_the_reload_resumes(
    forked_server: VoilaServer, page: Page, tokens: Iterator[str]
) -> None:
    token = next(tokens)
    kernel_id = _open_and_answer(page, forked_server, token)
    victim = forked_server.kernel_pid(kernel_id)
    assert psutil.Process(victim).ppid() == _zygote(forked_server).pid
    os.kill(victim, signal.SIGKILL)
    notice = page.locator("#wb-reload")
    notice.wait_for(state="visible", timeout=TIMEOUT)
    text = notice.inner_text()
    screenshot(page, "fork-kernel-killed")
    assert "stopped working" in text and "reload the page" in text
    forked_server.wait_for_log(rf"Kernel {kernel_id} died", timeout=30)

    page.reload()
    wait_for_widgets(page)
    assert kernel_id_of(page.content()) != kernel_id
    page.get_by_role("button", name="Continue where you left off").click()
    cards = page.locator(".wb-statement")
    cards.first.wait_for(timeout=TIMEOUT)
    assert cards.nth(0).locator("input:checked").count() == 1  # the answer saved before the kill
    cards.nth(1).locator(".widget-radio-box label").nth(2).click()
    cards.nth(1).get_by_text("Saved ✓").wait_for(timeout=TIMEOUT)


def test_stopping_leaves_neither_zygote_nor_forked_kernels(
    forked_server: VoilaServer, page: Page, tokens: Iterator[str]
) -> None:
    _open_and_answer(page, forked_server, next(tokens))  # a page's kernel alive as well as the pool's
    zygote = _zygote(forked_server).pid
    deadline = time.monotonic() + 90  # on a busy machine the pool's refill may still be on its way
    while len(processes := forked_server.processes()) < 3 and time.monotonic() < deadline:
        time.sleep(0.5)
    assert zygote in processes and len(processes) >= 3, (processes, forked_server.log_text()[-3000:])
    forked_server.process.send_signal(signal.SIGINT)
    assert forked_server.process.wait(30) == 0
    log = forked_server.log_text()
    assert "Traceback" not in log and "Stopped." in log, log
    deadline = time.monotonic() + 10
    while still_running(processes):
        assert time.monotonic() < deadline, f"still running after the server stopped: {still_running(processes)}"
        time.sleep(0.2)


def test_without_the_zygote_kernels_start_the_plain_way(
    demo_db_url: str, tmp_path: Path, page: Page, tokens: Iterator[str]
) -> None:
    with VoilaServer.start(db_url=demo_db_url, log_path=tmp_path / "serve.log", apps=[NOTEBOOK],
                           extra_args=ARGS) as server:
        server.wait_for_pools()
        zygote = _zygote(server)
        pooled = server.kernel_pids()
        zygote.kill()
        server.wait_for_log(r"kernel zygote \(pid \d+\) has stopped", timeout=30)
        # Its kernels end with it (their parent changed); the pool's is restarted the plain way.
        deadline = time.monotonic() + 15
        while still_running(pooled):
            assert time.monotonic() < deadline, "the zygote's kernels outlived it"
            time.sleep(0.2)
        server.wait_for_log(r"Kernel pool of values_assessment\.ipynb is warm", count=2, timeout=90)
        kernel_id = _open_and_answer(page, server, next(tokens))
        kernel = psutil.Process(server.kernel_pid(kernel_id))
        # started the plain way, by the server
        assert kernel.ppid() == server.process.pid, (kernel.cmdline(), kernel.ppid(), server.log_text()[-3000:])
        processes = server.processes()
        server.process.send_signal(signal.SIGINT)
        code = server.process.wait(30)
        assert code == 0 and "Stopped." in server.log_text(), server.log_text()[-3000:]
    deadline = time.monotonic() + 10
    while still_running(processes):
        assert time.monotonic() < deadline, "kernels still running after the server stopped"
        time.sleep(0.2)

"""kill -9 of one page's kernel mid-save, in real Chromium (issue #12 part 3).

A respondent answers, and while their next answer is on its way the kernel
behind their page is SIGKILLed.  The page must say, over the page, that it lost
its connection and to reload; the answer that was cut off must not show "Saved ✓";
a reload of the same link must come back with a working page that shows every
answer that was saved, and carry on.
"""

from __future__ import annotations

import signal
import time
from typing import TYPE_CHECKING

import pytest
from harness import VoilaServer, kernel_id_of, screenshot, wait_for_widgets

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from workbook.framework import Framework

NOTEBOOK = "values_assessment.ipynb"
ORG_ID = "browser-faults"
TIMEOUT = 30_000


@pytest.fixture(scope="module")
def token(demo_db_url: str) -> str:
    from workbook.people_csv import PersonRow
    from workbook.store import open_store

    with open_store(demo_db_url) as store:
        if ORG_ID not in {o.id for o in store.organisations.list()}:
            store.organisations.create("Browser faults", ORG_ID, threshold=3)
            store.people.import_rows(ORG_ID, [PersonRow("Kai Killed", "kai@example.org", "staff", "Desk")])
        return next(i.token for i in store.people.invites(ORG_ID))




def _choose(page: Page, statement: int, option: int, *, wait_saved: bool = True) -> None:
    card = page.locator(".wb-statement").nth(statement)
    card.locator(".widget-radio-box label").nth(option).click()
    if wait_saved:
        card.get_by_text("Saved ✓").wait_for(timeout=TIMEOUT)


def test_a_killed_kernel_says_reload_and_the_reload_resumes(
    voila_server: VoilaServer, page: Page, token: str, framework: Framework
) -> None:
    import os

    page.goto(voila_server.app_url(NOTEBOOK, token=token))
    wait_for_widgets(page)
    html = page.content()
    kernel_id = kernel_id_of(html)
    page.get_by_role("button", name="Start").click()
    page.locator(".wb-statement").first.wait_for(timeout=TIMEOUT)
    _choose(page, 0, 1)
    _choose(page, 1, 2)
    victim = voila_server.kernel_pid(kernel_id)
    _choose(page, 2, 3, wait_saved=False)  # mid-save: the kernel dies with this answer on its way
    os.kill(victim, signal.SIGKILL)
    notice = page.locator("#wb-reload")
    notice.wait_for(state="visible", timeout=TIMEOUT)
    page.wait_for_timeout(5000)  # past the page's 3 s check on unanswered messages: the notice stays as it is
    text = notice.inner_text()
    screenshot(page, "faults-kernel-killed")
    print("the page said:", text)
    assert "stopped working" in text and "reload the page" in text

    began = time.monotonic()
    page.reload()
    wait_for_widgets(page)
    print(f"reloaded in {time.monotonic() - began:.1f} s")
    # A kernel of its own: the blank kernel jupyter_client restarted under the old id never ran the app.
    assert kernel_id_of(page.content()) != kernel_id
    screenshot(page, "faults-kernel-reloaded")
    page.get_by_role("button", name="Continue where you left off").click()
    page.locator(".wb-statement").first.wait_for(timeout=TIMEOUT)
    cards = page.locator(".wb-statement")
    assert cards.nth(0).locator("input:checked").count() == 1
    assert cards.nth(1).locator("input:checked").count() == 1
    _choose(page, 3, 0)  # and it carries on saving

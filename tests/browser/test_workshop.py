"""The DIME™ steps workshop in real headless Chromium, fully offline.

A facilitator rates a practice and adds an action, reloads the page (a new
kernel) and finds both kept; without a key, or with a wrong one, no team data
is shown.  Uses an organisation of its own in the session's demo database, so
other browser tests see the demo untouched.
"""

from __future__ import annotations

import base64
import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from harness import VoilaServer, screenshot, wait_for_widgets

if TYPE_CHECKING:
    from playwright.sync_api import Page

NOTEBOOK = "dime_workshop.ipynb"
ORG_ID = "browser-workshop"
SAVE_TIMEOUT = 20_000


@pytest.fixture(scope="module")
def facilitator_key(demo_db_url: str) -> str:
    from workbook.store import open_store

    with open_store(demo_db_url) as store:
        if ORG_ID not in {o.id for o in store.organisations.list()}:
            store.organisations.create("Browser & Co", ORG_ID, threshold=3)
        key: str = store.organisations.facilitator_key(ORG_ID)
    return key


def open_step_one(page: Page) -> None:
    page.get_by_role("button", name="1 · D · Deliberate culture").click()
    page.wait_for_selector(".wb-practice", timeout=SAVE_TIMEOUT)


def test_ratings_and_actions_are_kept_after_a_reload(voila_server: VoilaServer, page: Page,
                                                     facilitator_key: str) -> None:
    page.goto(voila_server.app_url(NOTEBOOK, key=facilitator_key))
    wait_for_widgets(page)
    assert page.locator(".wb-projector").count() == 1
    assert page.title() == "DIME™ steps workshop · DIME Workbook"  # not the notebook's file name
    assert "Browser & Co · DIME™ steps workshop" in page.inner_text(".wb-projector")
    body = page.inner_text("body")
    assert body.count("DIME™ is a trademark of Chris Smoje (dimecustomerservice.com)") == 1  # once, in the footer
    assert "DIME™ is named after its four steps" in body
    screenshot(page, "workshop-live-panel")

    open_step_one(page)
    first = page.locator(".wb-practice").first
    first.get_by_text("4 · Well established").click()
    first.locator(".wb-status").get_by_text("Saved ✓").wait_for(timeout=SAVE_TIMEOUT)

    page.get_by_placeholder("What will we do?").fill("Ask every candidate about a customer they helped")
    page.get_by_placeholder("Who owns it?").fill("Priya")
    page.get_by_role("button", name="Add action").click()
    page.get_by_text("Added ✓").wait_for(timeout=SAVE_TIMEOUT)
    font_size = page.evaluate("getComputedStyle(document.querySelector('.wb-projector h1')).fontSize")
    assert float(font_size.removesuffix("px")) >= 32  # readable from the back of the room
    screenshot(page, "workshop-step-1")

    page.reload()
    wait_for_widgets(page)
    open_step_one(page)
    radios = page.locator(".wb-practice").first.locator("input[type=radio]")
    assert radios.nth(3).is_checked()
    what = page.locator(".wb-action input[type=text]").first
    assert what.input_value() == "Ask every candidate about a customer they helped"

    page.get_by_role("button", name="Summary").first.click()
    link = page.locator("a.wb-download")
    link.wait_for(timeout=SAVE_TIMEOUT)
    href = link.get_attribute("href") or ""
    assert href.startswith("data:text/csv;charset=utf-8;base64,")
    assert "Priya" in base64.b64decode(href.split(",", 1)[1]).decode("utf-8")
    with page.expect_download(timeout=SAVE_TIMEOUT) as download_info:
        link.click()
    download = download_info.value
    assert re.fullmatch(rf"actions-{ORG_ID}-\d{{4}}-Q[1-4]\.csv", download.suggested_filename)
    saved = Path(download.path()).read_text(encoding="utf-8-sig")
    assert saved.startswith("organisation,cycle,step,action,owner,due,status")
    assert "Ask every candidate about a customer they helped,Priya" in saved
    assert page.locator(".wb-chart svg").count() >= 1
    screenshot(page, "workshop-summary")


@pytest.mark.parametrize("query", [{}, {"key": "A" * 43}])
def test_no_key_no_team_data(voila_server: VoilaServer, page: Page, facilitator_key: str,
                             query: dict[str, str]) -> None:
    response = page.goto(voila_server.app_url(NOTEBOOK, **query))  # answered by the server: no kernel
    assert response is not None and response.status == 403
    page.wait_for_selector("h1", timeout=60_000)
    shown = page.inner_text("body")
    assert re.search(r"Please use the facilitator link|This link does not work", shown)
    for private in ("Browser & Co", "Harbour", "Front Desk", "submitted"):
        assert private not in shown
    assert page.locator(".wb-practice").count() == 0


def test_two_laptops_on_one_link_share_one_live_page(
        voila_server: VoilaServer, page: Page, facilitator_key: str) -> None:
    """One link holds one kernel: a second laptop opens the same live page, so what one
    facilitator types and saves is on the other's screen at once (nothing to overwrite)."""
    other = page.context.new_page()
    try:
        page.goto(voila_server.app_url(NOTEBOOK, key=facilitator_key))
        wait_for_widgets(page)
        open_step_one(page)
        other.goto(voila_server.app_url(NOTEBOOK, key=facilitator_key))
        notes = "What did we see or hear that backs up these ratings? Examples, numbers, stories…"
        other.get_by_placeholder(notes).wait_for(timeout=SAVE_TIMEOUT)  # on step one already
        other.get_by_placeholder(notes).fill("Mystery shopper scored us 8/10")
        other.get_by_placeholder(notes).blur()  # the notes save when the field is left
        other.locator("text=Saved ✓ >> visible=true").first.wait_for(timeout=SAVE_TIMEOUT)
        page.locator("text=Saved ✓ >> visible=true").first.wait_for(timeout=SAVE_TIMEOUT)
        assert page.get_by_placeholder(notes).input_value() == "Mystery shopper scored us 8/10"
        screenshot(page, "workshop-two-laptops-in-step")
    finally:
        other.close()

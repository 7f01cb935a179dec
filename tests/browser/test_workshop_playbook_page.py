"""The recovery playbook on the workshop's positive-memories page, in real headless Chromium.

A failure added and its stages typed are saved as they are typed and kept
on reload; a bad amount is refused beside the row.  Screens at 1280 px and
390 px are saved for a person to look at, and the row must fit the phone's
width (no sideways scrolling).  Uses an organisation of its own in the
session's demo database.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from harness import SCREENS_DIR, VoilaServer, wait_for_widgets

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

NOTEBOOK = "dime_workshop.ipynb"
ORG_ID = "browser-playbook"
SAVE_TIMEOUT = 20_000


@pytest.fixture(scope="module")
def facilitator_key(demo_db_url: str) -> str:
    from workbook.store import open_store

    with open_store(demo_db_url) as store:
        if ORG_ID not in {o.id for o in store.organisations.list()}:
            store.organisations.create("Playbook & Co", ORG_ID, threshold=3, first_cycle="2026-Q4")
        key: str = store.organisations.facilitator_key(ORG_ID)
    return key


def open_step(page: Page, voila_server: VoilaServer, key: str) -> Locator:
    page.goto(voila_server.app_url(NOTEBOOK, key=key), timeout=120_000)  # a shared, busy machine
    wait_for_widgets(page)
    page.get_by_role("button", name="Positive memories").first.click()
    section = page.locator(".wb-playbook")
    section.wait_for(timeout=SAVE_TIMEOUT)
    return section


def fill(box: Locator, text: str) -> None:
    box.fill(text)
    box.press("Tab")  # leaving the box saves it, as a facilitator would


def test_a_playbook_row_is_saved_as_typed_and_kept(voila_server: VoilaServer, page: Page, facilitator_key: str,
                                                  demo_db_url: str) -> None:
    section = open_step(page, voila_server, facilitator_key)
    assert "Acknowledge and apologise" in section.inner_text()
    section.get_by_placeholder("What goes wrong for our customers most often?").fill("Table booking lost")
    section.get_by_role("button", name="Add failure").click()
    row = section.locator(".wb-play").first
    row.wait_for(timeout=SAVE_TIMEOUT)
    fill(row.get_by_placeholder("What do we say first, to acknowledge the failure and apologise?"),
         "I am so sorry, we have lost your booking. That is our mistake.")
    row.get_by_text("Saved ✓").wait_for(timeout=SAVE_TIMEOUT)
    fill(row.get_by_placeholder("What may front-line staff offer at once, without asking a manager?"),
         "The next free table and a round of drinks")
    limit = row.get_by_placeholder("e.g. 25; empty: nothing is given")
    fill(limit, "lots")
    row.get_by_text("must be a number, such as 25").wait_for(timeout=SAVE_TIMEOUT)
    fill(limit, "20")
    row.get_by_text("Saved ✓").wait_for(timeout=SAVE_TIMEOUT)
    fill(row.get_by_placeholder("Who contacts the customer afterwards?"), "Restaurant manager")
    row.get_by_text("Saved ✓").wait_for(timeout=SAVE_TIMEOUT)
    SCREENS_DIR.mkdir(parents=True, exist_ok=True)
    section.screenshot(path=str(SCREENS_DIR / "workshop-playbook-1280.png"))

    page.set_viewport_size({"width": 390, "height": 844})
    try:
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= 390 + 1, f"the page scrolls sideways at 390 px ({wide} px wide)"
        section.screenshot(path=str(SCREENS_DIR / "workshop-playbook-390.png"))
    finally:
        page.set_viewport_size({"width": 1280, "height": 900})

    page.reload()
    section = open_step(page, voila_server, facilitator_key)
    again = section.locator(".wb-play").first
    again.wait_for(timeout=SAVE_TIMEOUT)
    assert again.get_by_placeholder("e.g. 25; empty: nothing is given").input_value() == "20"

    from workbook.store import open_store
    from workbook.workshop.playbook import Playbook

    with open_store(demo_db_url) as store:
        [play] = Playbook(store).plays(store.responses.cycle(ORG_ID).id)
    assert (play.failure, play.limit, play.follow_up_by) == ("Table booking lost", 20.0, "Restaurant manager")
    assert play.offer == "The next free table and a round of drinks"

"""The workshop's scorecard page in real headless Chromium: a figure typed is saved and kept.

Uses an organisation of its own in the session's demo database, with a last
quarter's figure already stored, so other browser tests see the demo untouched.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from harness import VoilaServer, screenshot, wait_for_widgets

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

NOTEBOOK = "dime_workshop.ipynb"
ORG_ID = "browser-scorecard"
SAVE_TIMEOUT = 20_000


@pytest.fixture(scope="module")
def facilitator_key(demo_db_url: str) -> str:
    from workbook.framework import load_framework
    from workbook.store import open_store

    with open_store(demo_db_url) as store:
        if ORG_ID not in {o.id for o in store.organisations.list()}:
            store.organisations.create("Scorecard & Co", ORG_ID, threshold=3, first_cycle="2026-Q3")
            last = store.responses.cycle(ORG_ID, "2026-Q3")
            store.measures.set(ORG_ID, last.id, "first-contact", 78, framework=load_framework())
            store.responses.open_cycle(ORG_ID, "2026-Q4")
        key: str = store.organisations.facilitator_key(ORG_ID)
    return key


def measure_card(page: Page, name: str) -> Locator:
    return page.locator(".wb-measure").filter(has_text=name)


def test_a_figure_entered_is_saved_checked_and_kept(voila_server: VoilaServer, page: Page, facilitator_key: str,
                                                   demo_db_url: str) -> None:
    page.goto(voila_server.app_url(NOTEBOOK, key=facilitator_key))
    wait_for_widgets(page)
    page.get_by_role("button", name="Scorecard").click()
    card = measure_card(page, "First-contact resolution")
    card.wait_for(timeout=SAVE_TIMEOUT)
    assert "Last quarter: 78 %" in card.inner_text()

    figure = card.locator("input[type=text]").first
    figure.fill("120")
    figure.press("Enter")
    card.get_by_text("120 is out of range; enter a number from 0 to 100 (%)").wait_for(timeout=SAVE_TIMEOUT)

    figure.fill("82.5")
    figure.press("Enter")
    card.get_by_text("Saved ✓").wait_for(timeout=SAVE_TIMEOUT)
    assert "better than last quarter" in card.inner_text()
    screenshot(page, "workshop-scorecard")

    page.reload()
    wait_for_widgets(page)
    page.get_by_role("button", name="Scorecard").click()
    again = measure_card(page, "First-contact resolution").locator("input[type=text]").first
    again.wait_for(timeout=SAVE_TIMEOUT)
    assert again.input_value() == "82.5"

    from workbook.store import open_store

    with open_store(demo_db_url) as store:
        cycle = store.responses.cycle(ORG_ID, "2026-Q4")
        assert store.measures.of_cycle(ORG_ID, cycle.id)["first-contact"].value == 82.5

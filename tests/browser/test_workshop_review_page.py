"""The workshop's review of last cycle's actions in real headless Chromium, offline.

An organisation of its own (in the session's demo database) had two actions
left open last quarter; a new cycle opened and carried them.  The workshop
opens on the review; dropping without a note is refused on screen, the note
saves the verdict, the other action is marked done, and a reload shows both
verdicts kept.  Typed markup shows as text, never as a page element.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from harness import VoilaServer, screenshot, wait_for_widgets

if TYPE_CHECKING:
    from playwright.sync_api import Page

NOTEBOOK = "dime_workshop.ipynb"
ORG_ID = "browser-review"
SAVE_TIMEOUT = 20_000
#: The first page of a session may wait for a pre-heated kernel on a busy two-core machine.
OPEN_TIMEOUT = 120_000
HOSTILE = "<img src=x onerror=window.__pwned=1> Greet guests by name"


@pytest.fixture(scope="module")
def review_key(demo_db_url: str) -> str:
    from workbook.framework import load_framework
    from workbook.store import open_store
    from workbook.workshop import Workshop

    framework = load_framework()
    with open_store(demo_db_url) as store:
        if ORG_ID not in {o.id for o in store.organisations.list()}:
            store.organisations.create("Review & Co", ORG_ID, threshold=3, first_cycle="2026-Q3")
            q3 = store.responses.cycle(ORG_ID)
            workshop = Workshop(store)
            workshop.add_action(q3.id, "deliberate-culture", "Share a customer story weekly", "Priya",
                                framework=framework)
            workshop.add_action(q3.id, "human-connections", HOSTILE, "Tom", framework=framework)
            store.responses.open_cycle(ORG_ID, "2026-Q4")
        key: str = store.organisations.facilitator_key(ORG_ID)
    return key


def test_the_review_saves_each_verdict_and_keeps_it_after_a_reload(voila_server: VoilaServer, page: Page,
                                                                     review_key: str) -> None:
    page.goto(voila_server.app_url(NOTEBOOK, key=review_key), timeout=OPEN_TIMEOUT)
    wait_for_widgets(page)
    page.get_by_role("heading", name="Last cycle's actions").wait_for(timeout=SAVE_TIMEOUT)
    cards = page.locator(".wb-review-item")
    assert cards.count() == 2
    assert "0 of 2" in page.inner_text(".wb-projector")
    assert HOSTILE in cards.nth(1).inner_text()  # shown as text ...
    assert page.locator(".wb-review-item img").count() == 0  # ... never as markup
    assert page.evaluate("window.__pwned === undefined")
    assert "Carried from 2026-Q3" in cards.first.inner_text()

    story = cards.first
    story.get_by_role("button", name="Dropped").click()
    story.get_by_text("why this action is dropped").wait_for(timeout=SAVE_TIMEOUT)
    story.locator("textarea").fill("Replaced by the follow-up call the booking system schedules")
    story.locator("textarea").blur()  # the note saves when the field is left
    story.get_by_text("Saved ✓ Dropped").wait_for(timeout=SAVE_TIMEOUT)

    greet = cards.nth(1)
    greet.get_by_role("button", name="Done").click()
    greet.get_by_text("Saved ✓ Done").wait_for(timeout=SAVE_TIMEOUT)
    page.get_by_text("2 of 2").wait_for(timeout=SAVE_TIMEOUT)
    screenshot(page, "workshop-review")

    page.reload(timeout=OPEN_TIMEOUT)
    wait_for_widgets(page)
    page.get_by_role("heading", name="Last cycle's actions").wait_for(timeout=SAVE_TIMEOUT)
    page.get_by_role("button", name="Refresh").first.click()
    cards = page.locator(".wb-review-item")
    cards.first.locator("textarea").wait_for(timeout=SAVE_TIMEOUT)
    assert cards.first.locator("textarea").input_value() == \
        "Replaced by the follow-up call the booking system schedules"
    assert "mod-active" in (cards.first.get_by_role("button", name="Dropped").get_attribute("class") or "")
    assert "mod-active" in (cards.nth(1).get_by_role("button", name="Done").get_attribute("class") or "")

    from workbook.store import open_store
    from workbook.workshop import Workshop

    with open_store(voila_server.db_url) as store:
        cycle = store.responses.cycle(ORG_ID)
        verdicts = {a.what: (a.status, a.review) for a in Workshop(store).carried_in(cycle.id)}
    assert verdicts == {"Share a customer story weekly": ("dropped", "dropped"), HOSTILE: ("done", "done")}

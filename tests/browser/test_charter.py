"""The charter builder in real headless Chromium, served by ``workbook serve``, fully offline.

One facilitator's flow: open the link, see the evidence and the checks, fill
in owners and review dates, be refused approval until everything passes,
approve, export a PDF (downloaded from the page itself) and start version 2.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from harness import VoilaServer, screenshot, wait_for_widgets

if TYPE_CHECKING:
    from conftest import StartVoila
    from playwright.sync_api import Page

NOTEBOOK = "charter_builder.ipynb"
SECONDS = 1000  # Playwright timeouts are in milliseconds


@pytest.fixture(scope="session")
def charter_db_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database of its own (the demo organisation), so this flow never disturbs other browser tests."""
    from workbook.demo import seed_demo
    from workbook.store import open_store

    url = f"sqlite:///{tmp_path_factory.mktemp('charter-browser') / 'workbook.db'}"
    with open_store(url) as store:
        seed_demo(store)
    return url


@pytest.fixture(scope="session")
def charter_server(start_voila: StartVoila, charter_db_url: str) -> VoilaServer:
    return start_voila(apps=[NOTEBOOK], db_url=charter_db_url)


@pytest.fixture(scope="session")
def facilitator_key(charter_db_url: str) -> str:
    from workbook.store import open_store

    with open_store(charter_db_url) as store:
        return store.organisations.facilitator_key("demo")


def test_no_key_is_a_friendly_page(charter_server: VoilaServer, page: Page) -> None:
    page.goto(charter_server.app_url(NOTEBOOK))
    page.wait_for_selector("text=Please use the facilitator link", timeout=60 * SECONDS)
    assert "Harbour" not in page.inner_text("body")
    page.goto(charter_server.app_url(NOTEBOOK, key="not-a-real-key"))
    page.wait_for_selector("text=This link does not work", timeout=60 * SECONDS)


def test_write_check_approve_and_export_a_charter(charter_server: VoilaServer, page: Page,
                                                  facilitator_key: str, tmp_path: Path) -> None:
    page.goto(charter_server.app_url(NOTEBOOK, key=facilitator_key))
    wait_for_widgets(page)
    page.wait_for_selector("text=Your customer service charter")
    assert page.title() == "Service charter builder · DIME Workbook"  # not the notebook's file name
    # The first page: brand promise and common purpose, with prompts and examples.
    page.wait_for_selector("text=What do we tell customers they can expect from us?")
    page.get_by_text("Examples of a brand promise").click()
    page.wait_for_selector("text=Could belong to any organisation")
    brand = page.get_by_placeholder("What customers are told they can expect from us")
    brand.fill("A warm welcome by name, and an answer the first time you ask.")
    brand.press("Tab")
    page.wait_for_selector("text=Saved ✓", timeout=30 * SECONDS)
    purpose = page.get_by_placeholder("What we commit to, inside, so the brand promise is kept")
    purpose.fill("Whoever takes a question owns it until the guest has an answer.")
    purpose.press("Tab")
    page.wait_for_timeout(1500)
    screenshot(page, "charter-builder-first-page")
    page.get_by_role("button", name="Next: the promises").click()
    page.wait_for_selector("text=Where to start", timeout=30 * SECONDS)
    body = page.inner_text("body")
    assert "is your lowest value" in body and "Where to start" in body
    assert "A warm welcome by name, and an answer the first time you ask." in body  # kept in view
    assert "20 thing(s) to fix before this charter can be approved" in body
    screenshot(page, "charter-builder-start")

    owners = page.get_by_placeholder("Who makes sure it is kept (a name or role)")
    assert owners.count() == 10
    owners.nth(0).fill("Front-desk manager")
    owners.nth(0).press("Tab")
    page.wait_for_selector("text=Saved ✓", timeout=30 * SECONDS)

    # A measure from the catalogue and a target for the first promise; a target out of range is refused.
    first_card = page.locator(".wb-card").nth(0)
    first_card.locator("select").nth(2).select_option(label="Calls answered within 20 seconds (%)")
    no_target = first_card.get_by_text("has no target yet")
    no_target.wait_for(timeout=30 * SECONDS)
    target = page.get_by_placeholder("e.g. 95").nth(0)
    target.fill("120")
    target.press("Tab")
    page.wait_for_selector("text=out of range", timeout=30 * SECONDS)
    target.fill("95")
    target.press("Tab")
    no_target.wait_for(state="detached", timeout=30 * SECONDS)

    page.get_by_placeholder("Name and role, e.g. Dana Reid, General Manager").fill("Dana Reid, General Manager")
    page.get_by_role("button", name="Approve version 1").click()
    page.wait_for_selector("text=Not approved yet", timeout=30 * SECONDS)

    review = (date.today() + timedelta(days=120)).strftime("%d/%m/%Y")  # typed day first, as in Britain
    dates = page.locator(".wb-card .wb-day input")
    assert dates.count() == 10
    for index in range(10):
        owners.nth(index).fill(f"Owner {index + 1}")
        owners.nth(index).press("Tab")
        dates.nth(index).fill(review)
        dates.nth(index).press("Tab")
    page.wait_for_selector("text=All checks pass", timeout=60 * SECONDS)
    page.get_by_role("button", name="Approve version 1").click()
    page.wait_for_selector("text=Version 1 is approved", timeout=30 * SECONDS)
    assert page.locator("textarea").count() == 0  # an approved version is read-only
    body = page.inner_text("body")
    assert "Calls answered within 20 seconds: at least 95 %" in body and "Our brand promise" in body
    screenshot(page, "charter-builder-approved")

    page.get_by_role("button", name="Export").click()
    link = page.wait_for_selector("a.wb-download", timeout=60 * SECONDS)
    assert link is not None and link.get_attribute("download") == "charter-demo-v1.pdf"
    with page.expect_download() as download_info:
        link.click()
    saved = tmp_path / "downloaded.pdf"
    download_info.value.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF-")

    page.get_by_role("button", name="Start version 2").click()
    page.wait_for_selector("text=Version 2 · draft", timeout=30 * SECONDS)
    assert page.get_by_placeholder("Who makes sure it is kept (a name or role)").first.input_value() == "Owner 1"


def test_two_laptops_on_one_link_share_one_live_page(
        charter_server: VoilaServer, page: Page, facilitator_key: str) -> None:
    """One link holds one kernel: a second laptop opens the same live draft, so what one
    facilitator saves is on the other's screen at once (nothing to overwrite)."""
    other = page.context.new_page()
    try:
        for tab in (page, other):
            tab.goto(charter_server.app_url(NOTEBOOK, key=facilitator_key))
            wait_for_widgets(tab)
            tab.wait_for_selector("text=Your customer service charter")
        if page.get_by_role("button", name="Next: the promises").count():  # run on its own: a new draft
            page.get_by_role("button", name="Next: the promises").click()
            other.wait_for_selector("text=Where to start", timeout=30 * SECONDS)
        placeholder = "Who makes sure it is kept (a name or role)"
        other.get_by_placeholder(placeholder).nth(0).fill("Guest relations lead")
        other.get_by_placeholder(placeholder).nth(0).press("Tab")
        other.wait_for_selector("text=Saved ✓", timeout=30 * SECONDS)
        page.wait_for_selector("text=Saved ✓", timeout=30 * SECONDS)
        assert page.get_by_placeholder(placeholder).nth(0).input_value() == "Guest relations lead"
        screenshot(page, "charter-two-laptops-in-step")
    finally:
        other.close()

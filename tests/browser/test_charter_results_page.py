"""The charter builder's Export with the latest quarter's results, in real headless Chromium.

The checkbox beside the format does what ``workbook charter export --with-results``
does: the downloaded file is byte for byte the CLI's export with results, and
without the tick it is the plain one.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from harness import VoilaServer, screenshot, wait_for_widgets

if TYPE_CHECKING:
    from conftest import StartVoila
    from playwright.sync_api import Page

NOTEBOOK = "charter_builder.ipynb"
SECONDS = 1000  # Playwright timeouts are in milliseconds


@pytest.fixture(scope="module")
def results_db_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The demo (its customer measures over four quarters) with a draft charter whose first promise is measured."""
    from workbook.charter.records import PromiseRecord
    from workbook.charter.repository import Charters
    from workbook.demo import seed_demo
    from workbook.framework import load_framework
    from workbook.store import open_store

    url = f"sqlite:///{tmp_path_factory.mktemp('charter-results') / 'workbook.db'}"
    with open_store(url) as store:
        seed_demo(store)
        Charters(store.transactions).start_draft("demo", [
            PromiseRecord(text="We answer the phone within 20 seconds.", measure_id="answered-20s",
                          target_op=">=", target_value=95.0),
            PromiseRecord(text="We greet you by name."),
        ], framework=load_framework())
    return url


@pytest.fixture(scope="module")
def results_server(start_voila: StartVoila, results_db_url: str) -> VoilaServer:
    return start_voila(apps=[NOTEBOOK], db_url=results_db_url)


def _download(page: Page, tmp_path: Path, name: str) -> str:
    page.get_by_role("button", name="Export").click()
    link = page.wait_for_selector("a.wb-download", timeout=60 * SECONDS)
    assert link is not None
    with page.expect_download() as download_info:
        link.click()
    saved = tmp_path / name
    download_info.value.save_as(saved)
    return saved.read_text(encoding="utf-8")


def test_export_with_the_latest_quarters_results(results_server: VoilaServer, results_db_url: str, page: Page,
                                                 tmp_path: Path) -> None:
    from workbook.charter.export import export_charter
    from workbook.store import open_store

    with open_store(results_db_url) as store:
        key = store.organisations.facilitator_key("demo")
        plain = export_charter(store, "demo", "html").data.decode("utf-8")
        expected = export_charter(store, "demo", "html", with_results=True).data.decode("utf-8")
    assert "Results for" in expected and "Results for" not in plain

    page.goto(results_server.app_url(NOTEBOOK, key=key))
    wait_for_widgets(page)
    page.wait_for_selector("text=Your customer service charter")
    page.get_by_role("button", name="Next: the promises").click()  # a draft opens on the brand promise page
    page.wait_for_selector("text=Where to start", timeout=30 * SECONDS)
    page.locator("select").filter(has_text="PDF (A4, to print and pin up)").select_option(label="HTML (a web page)")
    box = page.get_by_label("Include the latest quarter's results")
    assert not box.is_checked()
    assert _download(page, tmp_path, "plain.html") == plain

    box.check()
    page.get_by_role("button", name="Export").click()
    page.wait_for_selector("text=with the latest results", timeout=60 * SECONDS)
    screenshot(page, "charter-builder-export-with-results")
    link = page.wait_for_selector("a.wb-download", timeout=60 * SECONDS)
    assert link is not None
    with page.expect_download() as download_info:
        link.click()
    saved = tmp_path / "with-results.html"
    download_info.value.save_as(saved)
    assert saved.read_text(encoding="utf-8") == expected

"""Accessibility checked by a machine: axe-core on every screen a person sees, at phone and laptop widths.

axe-core (through axe-playwright-python, which ships it inside the wheel: no
download) runs in real headless Chromium on each app screen, the friendly
pages, the organisation report and the charter's HTML. The bar is the one
the issue set: no serious or critical violation of WCAG 2.1 A/AA. Each screen
is also saved as a PNG at 390 px and 1280 px (tests/artifacts/screens) so a
person can look at them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from harness import VoilaServer, screenshot, wait_for_widgets

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

WIDTHS = {"phone": (390, 844), "laptop": (1280, 800)}
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = ("serious", "critical")
TIMEOUT = 60_000


def axe_violations(page: Page) -> list[str]:
    """Serious and critical WCAG 2.1 A/AA violations on the page, one readable line each."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG}, "resultTypes": ["violations"]})
    found = []
    for violation in results.response["violations"]:
        if violation.get("impact") in BLOCKING:
            targets = [" ".join(map(str, node["target"])) for node in violation["nodes"][:3]]
            found.append(f"{violation['impact']} {violation['id']}: {violation['help']} at {targets}")
    return found


@pytest.fixture(params=list(WIDTHS), ids=list(WIDTHS))
def sized_page(request: pytest.FixtureRequest, browser: Browser) -> Iterator[Page]:
    width, height = WIDTHS[request.param]
    context = browser.new_context(viewport={"width": width, "height": height}, locale="en-US")
    context.route("http*://**", lambda route: route.continue_()
                  if route.request.url.startswith(("http://127.0.0.1", "http://localhost")) else route.abort())
    page = context.new_page()
    page.width_name = request.param  # type: ignore[attr-defined]
    yield page
    context.close()


def check(page: Page, name: str) -> None:
    screenshot(page, f"a11y-{name}-{page.width_name}")  # type: ignore[attr-defined]
    assert axe_violations(page) == [], name


@pytest.fixture(scope="module")
def demo_key(demo_db_url: str) -> str:
    from workbook.store import open_store

    with open_store(demo_db_url) as store:
        key: str = store.organisations.facilitator_key("demo")
    return key


# --- the values self-assessment ----------------------------------------------------------------
def test_values_app_screens(voila_server: VoilaServer, sized_page: Page, demo_open_token: str,
                            demo_token: str) -> None:
    page = sized_page
    page.goto(voila_server.app_url("values_assessment.ipynb", token=demo_open_token))
    wait_for_widgets(page)
    page.wait_for_selector(".wb-app", timeout=TIMEOUT)
    check(page, "values-welcome")
    start = page.get_by_role("button", name="Start")
    if start.count():
        start.first.click()
        page.wait_for_selector(".wb-statement", timeout=TIMEOUT)
        check(page, "values-question")
    page.goto(voila_server.app_url("values_assessment.ipynb", token=demo_token))
    page.wait_for_selector(".wb-app", timeout=TIMEOUT)  # a results page has no input to wait for
    check(page, "values-results")


# --- the workshop and the charter builder -------------------------------------------------------
def test_workshop_screens(voila_server: VoilaServer, sized_page: Page, demo_key: str) -> None:
    page = sized_page
    page.goto(voila_server.app_url("dime_workshop.ipynb", key=demo_key))
    wait_for_widgets(page)
    check(page, "workshop-live")
    page.get_by_role("button", name="1 · D · Deliberate culture").click()
    page.wait_for_selector(".wb-practice", timeout=TIMEOUT)
    check(page, "workshop-step")
    page.get_by_role("button", name="Summary").click()
    page.wait_for_selector("text=Action plan", timeout=TIMEOUT)
    check(page, "workshop-summary")


def test_charter_builder_screen(voila_server: VoilaServer, sized_page: Page, demo_key: str) -> None:
    page = sized_page
    page.goto(voila_server.app_url("charter_builder.ipynb", key=demo_key))
    wait_for_widgets(page)
    page.wait_for_selector("text=Your customer service charter", timeout=TIMEOUT)
    check(page, "charter-builder")


# --- the pages the server answers itself --------------------------------------------------------
@pytest.mark.parametrize("where", ["root", "not-found", "bad-link"])
def test_friendly_pages(voila_server: VoilaServer, sized_page: Page, where: str) -> None:
    url = {"root": voila_server.url("/"), "not-found": voila_server.url("/nothing-here"),
           "bad-link": voila_server.app_url("values_assessment.ipynb", token="not-a-real-token")}[where]
    sized_page.goto(url)
    check(sized_page, f"page-{where}")


# --- documents: the report and the charter ------------------------------------------------------
@pytest.fixture(scope="module")
def report_file(demo_db_url: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("a11y-report")
    env = {**os.environ, "WORKBOOK_DB": demo_db_url}
    exe = Path(sys.executable).with_name("workbook")
    subprocess.run([str(exe), "report", "demo", "--out", str(out)], check=True, env=env, capture_output=True,
                   timeout=600)
    found = sorted(out.glob("demo-*.html"))
    assert found, list(out.iterdir())
    return found[0]


@pytest.fixture(scope="module")
def charter_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from workbook.charter import Charters, PromiseRecord
    from workbook.charter.export import export_charter
    from workbook.framework import load_framework
    from workbook.store import open_store

    framework = load_framework()
    folder = tmp_path_factory.mktemp("a11y-charter")
    with open_store(str(folder / "charter.db")) as store:
        store.organisations.create("Harbour & Vine Hotels", "hv")
        charters = Charters(store.transactions)
        promises = [PromiseRecord(p.text, p.value, p.step, p.standard, "Ada Lovell", date(2099, 1, 1), p.id)
                    for p in framework.promises]
        draft = charters.start_draft("hv", promises, framework=framework)
        charters.approve("hv", 1, draft.version, approved_by="Dana Reid", framework=framework,
                         today=date(2026, 1, 1))
        exported = export_charter(store, "hv", "html", framework=framework)
    path = folder / exported.filename
    path.write_bytes(exported.data)
    return path


@pytest.mark.parametrize("document", ["report", "charter"])
def test_documents(sized_page: Page, document: str, request: pytest.FixtureRequest) -> None:
    path: Path = request.getfixturevalue(f"{document}_file")
    sized_page.goto(path.as_uri())
    check(sized_page, f"document-{document}")


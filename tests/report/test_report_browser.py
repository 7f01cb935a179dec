"""The HTML report in a real headless Chromium, with every outside request blocked and recorded.

Proves what a client's browser would do with the file: every chart draws (each
<svg> has a size) and nothing is fetched from any other host.  The browser runs
in a thread of its own: Playwright's sync API refuses to start where another
session (e.g. the Voila browser tests' one) already runs an event loop.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from report_helpers import ReportFolder

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")
PIXEL = "https://example.org/pixel.png"


def _allowed(url: str) -> bool:
    parsed = urlparse(url)
    return parsed.scheme in ("file", "data", "about") or parsed.hostname == "127.0.0.1"


def _browse(report: Path, doctored: Path, screenshot: Path) -> dict[str, Any]:
    """Open the report (and a copy with one outside image); return what the browser saw."""
    from playwright.sync_api import Route, sync_playwright

    seen: dict[str, Any] = {"requests": [], "blocked": [], "doctored_requests": []}

    def route(route: Route) -> None:
        if _allowed(route.request.url):
            route.continue_()
        else:
            seen["blocked"].append(route.request.url)
            route.abort()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 900})
            page.on("request", lambda request: seen["requests"].append(request.url))
            page.route("**/*", route)
            page.goto(report.as_uri(), wait_until="load")
            seen["sizes"] = page.eval_on_selector_all(
                "figure.wb-chart svg",
                "els => els.map(e => { const r = e.getBoundingClientRect(); return [r.width, r.height]; })")
            seen["labels"] = page.eval_on_selector_all(
                "figure.wb-chart svg", "els => els.map(e => e.getAttribute('aria-label'))")
            seen["heat"] = page.eval_on_selector_all(
                "table.wb-heatmap td",
                "els => els.map(e => [getComputedStyle(e).backgroundColor, e.getBoundingClientRect().height])")
            seen["title"] = page.title()
            page.screenshot(path=str(screenshot), full_page=False)
            page.emulate_media(media="print")
            seen["new_pages"] = page.eval_on_selector_all("section.wb-new-page", "els => els.length")
            # The guard itself works: the same page with one outside image is caught.
            caught = browser.new_page()
            caught.on("request", lambda request: seen["doctored_requests"].append(request.url))
            caught.route("**/*", route)
            caught.goto(doctored.as_uri(), wait_until="load")
        finally:
            browser.close()
    return seen


def test_report_renders_every_chart_offline(report_folder: ReportFolder, tmp_path: Path) -> None:
    if not CHROMIUM.exists():
        if os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no"):
            pytest.fail(f"CI must run the browser tests: {CHROMIUM} is missing (apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} is missing")
    report = next(report_folder.out.glob("demo-*.html"))
    doctored = tmp_path / "doctored.html"
    doctored.write_text(report.read_text(encoding="utf-8").replace(
        "</main>", f'<img src="{PIXEL}" alt=""></main>'), encoding="utf-8")
    with ThreadPoolExecutor(max_workers=1) as thread:
        seen = thread.submit(_browse, report, doctored, tmp_path / "report.png").result(timeout=120)

    assert seen["blocked"] == [PIXEL] and PIXEL in seen["doctored_requests"]
    outside = [u for u in seen["requests"] if not _allowed(u)]
    assert not outside, f"outside requests: {outside}"
    assert len(seen["sizes"]) == 7  # 4, 2 of trends and 1 of ourselves vs the organisation
    # The statements heatmap is a table: every cell drawn, coloured (a shown one by its score, a hidden one grey).
    assert len(seen["heat"]) >= 20 and all(h > 10 for _, h in seen["heat"]), seen["heat"][:3]
    assert all(colour not in ("", "rgba(0, 0, 0, 0)") for colour, _ in seen["heat"]), seen["heat"][:3]
    assert all(w > 100 and h > 100 for w, h in seen["sizes"]), seen["sizes"]
    assert all(label and len(label) > 40 for label in seen["labels"])
    # Titled for what it holds: the demo has a workshop (its carried actions) and scorecard figures, no charter.
    assert seen["title"].startswith("Harbour & Vine Hotels – Values assessment, workshop and quarter at a glance")
    assert seen["new_pages"] >= 5

"""Real Chromium pages alongside ``benchmarks/load.py``'s protocol client (issue #12: ``--browsers N``).

The protocol client plays the page script's messages; these play the page
itself: Debian's Chromium (playwright, ``executable_path="/usr/bin/chromium"``,
headless, every request not to this server blocked) opens a person's link,
waits for the app, clicks an answer on each statement card and waits for the
card's "Saved ✓", turns the pages, reviews and submits.  What each page was
shown as saved goes into the same :class:`load.Told` records, so the one
database check after the run covers the real pages' answers too: a page that
said "Saved ✓" for an answer the database does not hold is counted as lost,
whichever client it came from.

Latency here is from the click to "Saved ✓" being visible in the page, so it
includes the browser's own work; it is printed apart from the protocol
client's figures.
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ("--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage")
DEBUG = bool(os.environ.get("LOAD_BROWSER_DEBUG"))
STATEMENT_LABEL = re.compile(r"^\s*Statement \d+\s*$")
#: Longest wait for one thing a person waits for (the app, a "Saved ✓", the next page).
WAIT_MS = 120_000


@dataclass
class BrowserStats:
    pages: int = 0  # links opened in Chromium
    latencies: list[float] = field(default_factory=list)  # click to "Saved ✓" shown, seconds
    openings: list[float] = field(default_factory=list)  # goto to the first usable button, seconds
    submits: int = 0
    waiting_pages: int = 0  # "getting your page ready" seen first
    errors: list[str] = field(default_factory=list)


async def _button(page: Any, *names: str) -> Any | None:
    for name in names:
        button = page.get_by_role("button", name=name, exact=False)
        if await button.count() and await button.first.is_enabled():
            return button.first
    return None


async def _click_and_wait(page: Any, button: Any) -> None:
    """Click a button that changes the screen, and wait until the screen has changed (as a person does)."""
    before = await page.locator(".wb-app").inner_text()
    await button.click(timeout=WAIT_MS)
    waited = time.monotonic()
    while await page.locator(".wb-app").inner_text() == before:
        if time.monotonic() - waited > WAIT_MS / 1000:
            raise TimeoutError("the screen did not change after a click")
        await page.wait_for_timeout(200)


async def play(page: Any, base_url: str, notebook: str, told: Any, statements: list[str], options: int,
               stats: BrowserStats, deadline: float, think: tuple[float, float], dont_know: int) -> None:
    """One person in one Chromium page, from opening the link to submitting (or the deadline)."""
    from load import Answer

    rng = random.Random(told.person.person_id)
    stats.pages += 1
    began = time.monotonic()
    first = await page.goto(f"{base_url}/voila/render/{notebook}?{urlencode({'token': told.person.token})}",
                            wait_until="commit", timeout=WAIT_MS)
    if first is not None:
        try:
            shown = await first.text()
        except Exception:  # its body is gone: the page had already reloaded itself, as only the waiting page does
            shown = "Getting your page ready"
        if "Getting your page ready" in shown:
            stats.waiting_pages += 1
    await page.wait_for_selector(".wb-app button:not([disabled])", state="visible", timeout=WAIT_MS)
    stats.openings.append(time.monotonic() - began)
    while time.monotonic() < deadline:
        if DEBUG:
            print(f"browser {told.person.person_id}: cards {await page.locator('.wb-statement').count()}, "
                  f"buttons {await page.get_by_role('button').all_inner_texts()}", flush=True)
        if await page.get_by_role("heading", name="Your results").count():
            return
        cards = page.locator(".wb-statement")
        count = await cards.count()
        if count:
            for n in range(count):
                card = cards.nth(n)
                if await card.locator("input:checked").count():
                    continue
                await asyncio.sleep(rng.uniform(*think))
                if time.monotonic() >= deadline:
                    return
                # the radio buttons' description, "Statement N", names the statement (as in the protocol client)
                label = await card.get_by_text(STATEMENT_LABEL).first.text_content(timeout=10_000) or ""
                number = int(label.strip().rsplit(" ", 1)[-1])
                choice = rng.randrange(options)
                clicked = time.monotonic()
                await card.locator(".widget-radio-box label").nth(choice).click(timeout=WAIT_MS)
                await card.get_by_text("Saved ✓").wait_for(timeout=WAIT_MS)
                stats.latencies.append(time.monotonic() - clicked)
                told.answers[statements[number - 1]] = Answer(dont_know if choice == options - 1 else choice, "")
            button = await _button(page, "Next", "Review and submit")
            if button is None:
                raise RuntimeError("a value page without Next")
            await _click_and_wait(page, button)
            continue
        button = await _button(page, "Yes, submit")
        if button is not None:
            await button.click(timeout=WAIT_MS)
            await page.get_by_role("heading", name="Your results").wait_for(timeout=WAIT_MS)
            told.submitted = True
            stats.submits += 1
            return
        button = await _button(page, "Submit my answers", "Continue where you left off", "Start", "Answer ")
        if button is None:
            raise RuntimeError("no way forward on this screen")
        await asyncio.sleep(rng.uniform(*think))
        await _click_and_wait(page, button)


async def run_browsers(stats: BrowserStats, count: int, base_url: str, notebook: str, people: Any,
                       statements: list[str], options: int, deadline: float, think: tuple[float, float],
                       dont_know: int, ramp: float) -> None:
    """``count`` Chromium pages, each taking the next person from ``people`` until the deadline."""
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=list(CHROMIUM_ARGS))

        async def slot(number: int) -> None:
            await asyncio.sleep(ramp * (number + 0.5) / max(1, count))
            context = await browser.new_context()
            host = base_url.split("//", 1)[1]
            await context.route("**/*", lambda route: (route.continue_() if host in route.request.url
                                                       else route.abort()))
            page = await context.new_page()
            try:
                for told in people:
                    if time.monotonic() >= deadline:
                        return
                    try:
                        await play(page, base_url, notebook, told, statements, options, stats, deadline, think,
                                   dont_know)
                    except Exception as error:  # reported; the next person goes on
                        stats.errors.append(f"person {told.person.person_id}: {type(error).__name__}: "
                                            f"{str(error).splitlines()[0][:160] if str(error) else ''}")
            finally:
                await context.close()

        try:
            await asyncio.gather(*(slot(n) for n in range(count)))
        finally:
            await browser.close()

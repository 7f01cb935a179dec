"""The values self-assessment as a respondent uses it, in real headless Chromium, offline.

Open a personal invite link, answer part, reload (a new kernel) and resume with
everything kept, finish, submit, see the results; a second submit from a tab
left open is refused politely; a bad or missing token shows nobody's data.
Uses an organisation of its own in the session's demo database.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from harness import VoilaServer, kernel_id_of, screenshot, wait_for_widgets

if TYPE_CHECKING:
    from conftest import StartVoila
    from playwright.sync_api import Browser, Page, WebSocketRoute

    from workbook.framework import Framework

NOTEBOOK = "values_assessment.ipynb"
ORG_ID = "browser-values"
TIMEOUT = 30_000
# Three colleagues in the respondent's team submitted already: with a threshold
# of 3 the team's averages can be shown beside the respondent's own scores.
COLLEAGUES = ("cara@example.org", "dev@example.org", "eli@example.org")


@pytest.fixture(scope="module")
def tokens(demo_db_url: str, framework: Framework) -> dict[str, str]:
    from workbook.people_csv import PersonRow
    from workbook.store import open_store

    with open_store(demo_db_url) as store:
        if ORG_ID not in {o.id for o in store.organisations.list()}:
            store.organisations.create("Browser <Values> & Co", ORG_ID, threshold=3)
            rows = [PersonRow("Ava Respondent", "ava@example.org", "staff", "Front Desk"),
                    PersonRow("Bo Twice", "bo@example.org", "staff", "Front Desk"),
                    PersonRow("Kim Keys", "kim@example.org", "leader", "Front Desk"),
                    PersonRow("Ida Idle", "ida@example.org", "staff", "Front Desk")]
            rows += [PersonRow(email.split("@")[0].title(), email, "staff", "Front Desk") for email in COLLEAGUES]
            store.people.import_rows(ORG_ID, rows)
            cycle = store.responses.cycle(ORG_ID).id
            for number, email in enumerate(COLLEAGUES):
                person = store.people.get(ORG_ID, email)
                for statement in framework.statements:
                    store.responses.save_answer(person.id, cycle, statement.id, 2 + number, framework=framework)
                store.responses.submit(person.id, cycle, framework=framework)
        return {i.person.email.split("@")[0]: i.token for i in store.people.invites(ORG_ID)}


def open_link(page: Page, server: VoilaServer, token: str | None) -> None:
    url = server.app_url(NOTEBOOK, token=token) if token is not None else server.app_url(NOTEBOOK)
    page.goto(url)
    page.wait_for_selector(".wb-app", timeout=60_000)


def choose(page: Page, statement: int, option: int) -> None:
    """Pick answer ``option`` (0 = first label) of the ``statement``-th card on the page."""
    card = page.locator(".wb-statement").nth(statement)
    card.locator(".widget-radio-box label").nth(option).click()
    card.get_by_text("Saved ✓").wait_for(timeout=TIMEOUT)


def answer_page(page: Page, option: int) -> None:
    cards = page.locator(".wb-statement")
    for index in range(cards.count()):
        if not cards.nth(index).locator("input:checked").count():
            choose(page, index, option)


def test_answer_part_reload_resume_submit_and_see_results(
    voila_server: VoilaServer, page: Page, tokens: dict[str, str], framework: Framework
) -> None:
    open_link(page, voila_server, tokens["ava"])
    wait_for_widgets(page)
    assert page.get_by_role("heading", name="Hello Ava").is_visible()
    assert page.title() == "Values self-assessment · DIME Workbook"  # not the notebook's file name
    assert "is not trusted" not in voila_server.log_text()  # a meaningless line per page, filtered out
    assert page.get_by_text("Browser <Values> & Co is working on").is_visible()  # escaped, shown as text
    assert page.get_by_text("at least 3 people").first.is_visible()
    screenshot(page, "values-1-welcome")

    page.get_by_role("button", name="Start").click()
    page.wait_for_selector(".wb-statement", timeout=TIMEOUT)
    first_value = framework.values[0]
    assert page.get_by_role("heading", name=f"{first_value.id} · {first_value.name}").is_visible()
    choose(page, 0, 3)  # Usually
    choose(page, 1, 5)  # Don't know
    choose(page, 2, 4)  # Always
    page.get_by_role("button", name="Add a comment").first.click()
    comment = page.get_by_label("Your comment").first
    comment.fill("Handovers <b>between shifts</b> lose things")
    comment.blur()
    page.locator(".wb-statement").first.get_by_text("Saved ✓").wait_for(timeout=TIMEOUT)
    assert page.get_by_text(f"3 of {len(framework.statements)} statements answered").is_visible()
    screenshot(page, "values-2-first-page")

    page.reload()  # a reload keeps the link's one kernel: the person is where they were
    page.wait_for_selector(".wb-statement", timeout=60_000)
    assert page.locator(".wb-statement input:checked").count() == 3

    # Closing the tab gives the kernel back; opening the link again rebuilds everything from the database.
    found = re.search(r'"kernelId": "([0-9a-f-]{36})"', page.content())
    assert found
    context = page.context
    page.close(run_before_unload=True)
    voila_server.wait_for_log(rf"Kernel shutdown: {found.group(1)}", timeout=30)
    page = context.new_page()
    open_link(page, voila_server, tokens["ava"])
    page.get_by_text("Welcome back!").wait_for(timeout=TIMEOUT)
    page.get_by_role("button", name="Continue where you left off").click()
    page.wait_for_selector(".wb-statement", timeout=TIMEOUT)
    assert page.locator(".wb-statement input:checked").count() == 3
    assert page.get_by_label("Your comment").first.input_value() == "Handovers <b>between shifts</b> lose things"
    screenshot(page, "values-3-resumed")

    for index, _value in enumerate(framework.values):
        answer_page(page, 3)
        if index < len(framework.values) - 1:
            page.get_by_role("button", name="Next").click()
            page.get_by_text(f"Page {index + 2} of {len(framework.values)}").wait_for(timeout=TIMEOUT)
    page.get_by_role("button", name="Review and submit").click()
    page.get_by_text("You have answered every statement.").wait_for(timeout=TIMEOUT)
    screenshot(page, "values-4-review")
    page.get_by_role("button", name="Submit my answers").click()
    page.get_by_text("Once you submit, your answers are final").wait_for(timeout=TIMEOUT)
    page.get_by_role("button", name="Yes, submit").click()
    page.get_by_role("heading", name="Your results").wait_for(timeout=TIMEOUT)
    chart = page.locator(".wb-chart svg").first
    chart.wait_for(timeout=TIMEOUT)
    box = chart.bounding_box()
    assert box is not None and box["width"] > 200 and box["height"] > 100
    assert "Everyone who responded" in page.locator(".wb-chart").first.inner_text()
    # Their own view of the organisation, beside their own scores (framework 1.1.0).
    # (each chart is drawn twice, for wide screens and for phones; one of the two shows)
    assert page.locator(".wb-chart:visible").filter(has_text="The organisation, as you see it").count() == 1
    # The server's chart renderer drew them: this kernel never started a V8 engine of its own.
    kernel = voila_server.kernel_pid(kernel_id_of(page.content()))
    assert "vl_convert" not in Path(f"/proc/{kernel}/maps").read_text()
    screenshot(page, "values-5-results")

    page.reload()  # the link now opens on the results, with nothing to edit
    page.get_by_role("heading", name="Your results").wait_for(timeout=60_000)
    assert page.locator(".wb-statement input").count() == 0
    assert page.get_by_role("button", name="Submit my answers").count() == 0


def test_a_second_tab_of_the_same_link_shows_the_same_page_in_step(
    voila_server: VoilaServer, page: Page, tokens: dict[str, str], framework: Framework
) -> None:
    """One link holds one kernel: a second tab opens the same live page, so two tabs can
    never submit twice, and what is done in one shows in the other."""
    from workbook.store import open_store

    with open_store(voila_server.db_url) as store:  # Bo has answered everything but not submitted
        bo = store.people.by_token(tokens["bo"])
        cycle = store.responses.cycle(ORG_ID).id
        for statement in framework.statements:
            store.responses.save_answer(bo.id, cycle, statement.id, 4, framework=framework)
    open_link(page, voila_server, tokens["bo"])
    page.get_by_role("button", name="Continue where you left off").click()
    page.get_by_role("button", name="Review and submit").click()  # everything answered: the last page
    page.get_by_role("button", name="Submit my answers").click()
    other = page.context.new_page()
    open_link(other, voila_server, tokens["bo"])
    other.get_by_role("button", name="Yes, submit").wait_for(timeout=TIMEOUT)  # where the first tab is
    page.get_by_role("button", name="Yes, submit").click()
    other.get_by_text("Your answers are submitted").wait_for(timeout=TIMEOUT)
    screenshot(other, "values-6-second-tab-in-step")
    assert re.findall(r'"kernelId": "([0-9a-f-]{36})"', page.content()) == re.findall(
        r'"kernelId": "([0-9a-f-]{36})"', other.content())
    with open_store(voila_server.db_url) as store:
        assert store.responses.submission(bo.id, cycle).status == "submitted"
        assert {a.rating for a in store.responses.answers(bo.id, cycle)} == {4}


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("not-a-real-token", "This link does not work"),
        ("A" * 43, "This link does not work"),
        (None, "Please use your personal link"),
    ],
)
def test_a_bad_or_missing_token_shows_no_data(
    voila_server: VoilaServer, page: Page, tokens: dict[str, str], token: str | None, message: str
) -> None:
    url = voila_server.app_url(NOTEBOOK, token=token) if token is not None else voila_server.app_url(NOTEBOOK)
    response = page.goto(url)  # answered by the server itself, before any kernel
    assert response is not None and response.status == 403
    assert "kernelId" not in response.text()
    page.get_by_role("heading", name=message).wait_for(timeout=TIMEOUT)
    body = page.inner_text("body")
    assert "Browser" not in body and "Ava" not in body and "Harbour" not in body
    assert page.locator(".wb-statement").count() == 0
    screenshot(page, f"values-bad-token-{'missing' if token is None else len(token)}")


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=1)
    context.route("**/*", lambda route: route.continue_() if "127.0.0.1" in route.request.url else route.abort())
    yield context.new_page()
    context.close()


def test_readable_on_a_phone_and_usable_from_the_keyboard(
    voila_server: VoilaServer, phone: Page, tokens: dict[str, str]
) -> None:
    open_link(phone, voila_server, tokens["kim"])
    wait_for_widgets(phone)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390, "the page scrolls sideways on a phone"
    screenshot(phone, "values-phone-welcome")

    def tab_to(predicate: str, limit: int = 60) -> None:
        for _ in range(limit):
            phone.keyboard.press("Tab")
            if phone.evaluate(predicate):
                return
        raise AssertionError(f"could not reach the element by keyboard: {predicate}")

    tab_to("document.activeElement.textContent.trim() === 'Start'")
    phone.keyboard.press("Enter")
    phone.wait_for_selector(".wb-statement", timeout=TIMEOUT)
    tab_to("document.activeElement.type === 'radio'")
    phone.keyboard.press("Space")
    phone.locator(".wb-statement").first.get_by_text("Saved ✓").wait_for(timeout=TIMEOUT)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    labels = phone.locator(".wb-statement").first.locator("label")
    assert labels.count() >= 6  # every choice is a labelled radio button
    screenshot(phone, "values-phone-question")


def test_the_page_is_one_script_and_a_closed_tab_gives_its_kernel_back(
        voila_server: VoilaServer, page: Page, tokens: dict[str, str]) -> None:
    """The values page runs the workbook's widget script, not Voila's JupyterLab front end."""
    scripts: list[str] = []
    page.on("request", lambda request: scripts.append(request.url) if request.resource_type == "script" else None)
    open_link(page, voila_server, tokens["cara"])  # submitted: her results
    page.get_by_role("heading", name="Your results").wait_for(timeout=TIMEOUT)
    assert any("/static/workbook-widgets.js?v=" in url for url in scripts)  # versioned: cached for good
    assert not [url for url in scripts if "/voila/static/" in url or "/labextensions/" in url]
    found = re.search(r'"kernelId": "([0-9a-f-]{36})"', page.content())
    assert found
    page.close(run_before_unload=True)  # as when the tab is closed
    voila_server.wait_for_log(rf"Kernel shutdown: {found.group(1)}", timeout=30)


def test_without_a_kernel_connection_the_page_says_what_to_do(
        voila_server: VoilaServer, page: Page, tokens: dict[str, str]) -> None:
    page.add_init_script("window.WB_CONNECT_TIMEOUT_MS = 1500;")
    page.route_web_socket(re.compile(r".*/channels.*"), lambda socket: socket.close())
    page.goto(voila_server.app_url(NOTEBOOK, token=tokens["cara"]))
    message = page.get_by_text("This page could not load. Your saved answers are safe: please reload the page.")
    message.wait_for(timeout=TIMEOUT)
    assert page.locator(".wb-spinner").count() == 0
    screenshot(page, "values-no-connection")


def test_a_lost_connection_after_the_page_is_up_is_said_over_the_page(
        voila_server: VoilaServer, page: Page, tokens: dict[str, str]) -> None:
    sockets: list[WebSocketRoute] = []

    def pass_through(socket: WebSocketRoute) -> None:
        socket.connect_to_server()
        sockets.append(socket)

    page.route_web_socket(re.compile(r".*/channels.*"), pass_through)
    open_link(page, voila_server, tokens["cara"])
    page.get_by_role("heading", name="Your results").wait_for(timeout=TIMEOUT)
    assert page.is_hidden("#wb-reload")
    sockets[0].close(code=1001, reason="a proxy went away")
    notice = page.locator("#wb-reload")
    notice.wait_for(state="visible", timeout=TIMEOUT)
    assert "The connection to this page was lost" in notice.inner_text()
    screenshot(page, "values-connection-lost")


def test_an_idle_page_whose_kernel_was_culled_asks_to_reload(start_voila: StartVoila, page: Page,
                                                             tokens: dict[str, str]) -> None:
    """The culler closes no websocket: the first click that gets no answer tells the page."""
    server = start_voila(apps=[NOTEBOOK], extra_args=["--pool-size", "1", "--cull-idle-seconds", "3"])
    server.wait_for_pools()
    open_link(page, server, tokens["ida"])
    page.get_by_role("button", name="Start").click()
    page.locator(".wb-statement").first.wait_for(timeout=TIMEOUT)
    kernel_id = kernel_id_of(page.content())
    # the person went for a coffee; this page's kernel, not the pool's (idle too, and culled first
    # on a busy machine, which a click on this page would never notice)
    server.wait_for_log(rf"Culling '\w+' kernel '\w+' \({kernel_id}\)", timeout=60)
    assert page.is_hidden("#wb-reload")
    page.locator(".wb-statement").first.locator(".widget-radio-box label").nth(2).click()
    notice = page.locator("#wb-reload")
    notice.wait_for(state="visible", timeout=TIMEOUT)
    assert "idle for a while" in notice.inner_text() and "Answers marked “Saved ✓” are kept" in notice.inner_text()
    screenshot(page, "values-culled-reload")
